extension Builtins {
    static func formats() -> [Command] {
        [from, to]
    }

    /// Formats that `from`, `to`, `open` and `save` read and write.
    enum DataFormat: String, CaseIterable {
        case json, csv, ndjson

        /// `.json`, `.csv`, `.ndjson` / `.jsonl`; nil for anything else (plain text).
        init?(extension ext: String) {
            switch ext.lowercased() {
            case "json": self = .json
            case "csv": self = .csv
            case "ndjson", "jsonl": self = .ndjson
            default: return nil
            }
        }

        func decode(_ text: String) throws -> Value {
            switch self {
            case .json: return try JSON.decode(text)
            case .csv: return .list(try CSV.decode(text))
            case .ndjson: return .list(try JSON.decodeLines(text))
            }
        }

        func encode(_ v: Value, pretty: Bool = false) throws -> String {
            switch self {
            case .json: return try JSON.encode(v, pretty: pretty)
            case .csv: return try CSV.encode(v.collected())
            case .ndjson:
                var out = ""
                var it = v.iterate()
                defer { it.close() }
                while let item = try it.next() {
                    try JSON.write(item, into: &out, pretty: false, indent: 0)
                    out += "\n"
                }
                return out
            }
        }
    }

    static var from: Command { Command(
        Signature("from", positionals: [Parameter("format", .string, "json, csv or ndjson")],
                  input: "string", output: "any"),
        description: "Parse text (the input) as json, csv (with a header row) or ndjson.",
        category: "format",
        examples: [
            Example("JSON", #"'{"a": [1, 2]}' | from json"#, result: #"{"a":[1,2]}"#),
            Example("CSV with quotes; numbers are read as numbers", "\"name,note,load\\nAnn,\\\"says \\\"\\\"hi\\\"\\\", twice\\\",2\\n\" | from csv",
                    result: #"[{"name":"Ann","note":"says \"hi\", twice","load":2}]"#),
            Example("one JSON value per line", "\"{\\\"n\\\": 1}\\n{\\\"n\\\": 2}\\n\" | from ndjson", result: #"[{"n":1},{"n":2}]"#),
        ]
    ) { ctx in
        let name = try ctx.string(0)
        guard let format = DataFormat(rawValue: name.lowercased()) else {
            throw SwitchboardError.unknown("format", name, candidates: DataFormat.allCases.map(\.rawValue), span: ctx.args.span(0),
                                           suffix: " for `from` (json, csv or ndjson)")
        }
        guard case .string(let text) = ctx.input else {
            var e = ctx.error(.type, "from \(format.rawValue): the input must be text, not \(article(ctx.input.typeName))")
            if !ctx.input.isNull { e.hint = "the input is already data; `from` parses text, e.g. `open --raw file.txt | from \(format.rawValue)`" }
            throw e
        }
        do {
            return try format.decode(text)
        } catch let e as SwitchboardError {
            throw ctx.error(.value, "from \(format.rawValue): \(e.message)")
        }
    } }

    static var to: Command { Command(
        Signature("to", positionals: [Parameter("format", .string, "json, csv, ndjson or table")],
                  flags: [Flag("pretty", short: "p", nil, "json: indented over several lines")],
                  input: "any", output: "string"),
        description: "Write the input as text: json (compact, one line), csv, ndjson or table.",
        category: "format",
        examples: [
            Example("compact JSON", "[1, {a: null}] | to json", result: #""[1,{\"a\":null}]""#),
            Example("indented JSON", "{a: 1} | to json --pretty", result: #""{\n  \"a\": 1\n}""#),
            Example("CSV", #"[{name: "Ann", note: "a, b"}] | to csv"#, result: #""name,note\nAnn,\"a, b\"\n""#),
            Example("one JSON value per line", "[{n: 1}, {n: 2}] | to ndjson", result: #""{\"n\":1}\n{\"n\":2}\n""#),
        ]
    ) { ctx in
        let name = try ctx.string(0)
        let v = ctx.input
        if name.lowercased() == "table" {
            return .string(Formatter.table(try v.collected(), width: ctx.interpreter.configuration.terminalWidth))
        }
        guard let format = DataFormat(rawValue: name.lowercased()) else {
            throw SwitchboardError.unknown("format", name, candidates: DataFormat.allCases.map(\.rawValue) + ["table"], span: ctx.args.span(0),
                                           suffix: " for `to` (json, csv, ndjson or table)")
        }
        // Errors from the stages before (a lazy stream) keep their own message and place.
        let items = try v.collected()
        do {
            return .string(try format.encode(items, pretty: ctx.args.has("pretty")))
        } catch let e as SwitchboardError {
            throw ctx.error(e.kind, "to \(format.rawValue): \(e.message)")
        }
    } }
}
