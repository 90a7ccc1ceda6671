extension Builtins {
    static func output() -> [Command] {
        [print, chart]
    }

    static var print: Command { Command(
        Signature("print", positionals: [Parameter("value", .any, "what to print; without it, the input", optional: true, standsForInput: true)],
                  input: "any", output: "nothing"),
        description: "Print a value, or the input: strings as they are, other values as compact JSON; a stream one item per line.",
        category: "output",
        examples: [
            Example("a string", #"print "hello""#),
            Example("a record, as JSON", "{name: \"Ann\", load: 2} | print"),
            Example("each item of a stream on its own line", "1..3 | each { $it * 2 } | print"),
        ]
    ) { ctx in
        let interp = ctx.interpreter
        func line(_ v: Value) throws {
            let text = Formatter.plain(v)
            try interp.write(text.hasSuffix("\n") ? text : text + "\n")
        }
        if ctx.args.span(0).isKnown {
            try line(try ctx.args[0].collected())
        } else if case .stream(let s) = ctx.input {
            while let v = try s.next() {
                try interp.tick()
                try line(v)
            }
        } else {
            try line(try ctx.input.collected())
        }
        return .null
    } }

    static var chart: Command { Command(
        Signature("chart", positionals: [Parameter("field", .field, "count the values of this field; with --by, the number to plot", optional: true)],
                  flags: [Flag("by", .field, "label each row by this field and plot the number in FIELD")],
                  input: "list<any>", output: "string"),
        description: "A horizontal bar chart of how often each value occurs, or of a number per row (--by).",
        category: "output",
        examples: [
            Example("how often each status occurs", #"[{s: "open"}, {s: "closed"}, {s: "open"}] | chart s"#,
                    result: #""open   ████████████████████████████████████████ 2\nclosed ████████████████████ 1\n""#),
            Example("a number per row, labelled by another field", #"[{name: "Ann", load: 8}, {name: "Bo", load: 3}] | chart load --by name"#,
                    result: #""Ann ████████████████████████████████████████ 8\nBo  ███████████████ 3\n""#),
            Example("plain values are counted", #"["a", "b", "a", "a"] | chart"#,
                    result: #""a ████████████████████████████████████████ 3\nb █████████████▍ 1\n""#),
        ]
    ) { ctx in
        let field = try ctx.optionalString(0).map(FieldPath.init)
        let by = try ctx.flagString("by").map(FieldPath.init)
        var bars: [(label: String, value: Value)] = []
        if let by {
            guard let field else {
                throw ctx.error(.usage, "chart: --by needs a FIELD holding the number to plot, e.g. `chart load --by name`", flag: "by")
            }
            var it = ctx.input.iterate()
            defer { it.close() }
            while let row = try it.next() {
                try ctx.interpreter.tick()
                guard case .record = row else { throw ctx.error(.type, "chart: --by needs records, but an item is \(article(row.typeName))", flag: "by") }
                let v = try ctx.field(field, of: row)
                guard v.isNull || v.asDouble != nil || { if case .duration = v { true } else { false } }() else {
                    throw ctx.error(.type, "chart: `\(field.text)` must be a number to plot, but one row has \(article(v.typeName))", arg: 0)
                }
                bars.append((Formatter.plain(try ctx.field(by, of: row)), v))
            }
        } else if field == nil, case .record(let r) = ctx.input {
            // A record of numbers (or of lists, as `group-by` makes): one bar per field.
            for (k, v) in r.fields {
                switch v {
                case .list(let l): bars.append((k, .int(l.count)))
                case .int, .float, .duration, .null: bars.append((k, v))
                default: throw ctx.error(.type, "chart: field `\(k)` is \(article(v.typeName)), not a number")
                }
            }
        } else {
            for (value, count) in try countValues(ctx, field) {
                bars.append((value.isNull ? "null" : Formatter.plain(value), .int(count)))
            }
        }
        return .string(renderChart(bars))
    } }

    /// Bars scaled so the largest is 40 columns, drawn in eighths of a block.
    static func renderChart(_ bars: [(label: String, value: Value)]) -> String {
        let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        func number(_ v: Value) -> Double {
            if case .duration(let d) = v { return Double(d) }
            return v.asDouble ?? 0
        }
        let top = bars.map { number($0.value) }.max() ?? 0
        let labelWidth = bars.map { $0.label.count }.max() ?? 0
        var out = ""
        for (label, value) in bars {
            let n = number(value)
            let ratio = n / top
            let units = top > 0 && n > 0 && ratio.isFinite ? Int((ratio * 40 * 8).rounded()) : 0
            out += label + String(repeating: " ", count: labelWidth - label.count) + " "
            out += String(repeating: "█", count: units / 8) + eighths[units % 8]
            out += " " + Formatter.plain(value) + "\n"
        }
        return out
    }
}
