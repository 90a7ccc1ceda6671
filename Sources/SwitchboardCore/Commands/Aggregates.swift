extension Builtins {
    static func aggregates() -> [Command] {
        [count(named: "count"), count(named: "length"), sum, avg, extreme(max: false), extreme(max: true),
         countBy, groupBy, each, reduce]
    }

    /// `count` and its alias `length`.
    static func count(named name: String) -> Command {
        Command(
            Signature(name, input: "list<any>", output: "int"),
            description: name == "count" ? "The number of items." : "The number of items (same as `count`).",
            examples: [
                Example("a list", "[1, 2, 3] | \(name)", result: "3"),
                Example("after a filter", "1..10 | where $it > 7 | \(name)", result: "3"),
                Example("nothing counts as zero", "null | \(name)", result: "0"),
            ]
        ) { ctx in
            switch ctx.input {
            case .list(let l): return .int(l.count)
            case .range(let r): return .int(r.count)
            default:
                var n = 0
                var it = ctx.input.iterate()
                while try it.next() != nil {
                    n += 1
                    try ctx.interpreter.tick()
                }
                return .int(n)
            }
        }
    }

    /// The numbers to aggregate: the items, or a field of each row; nulls are skipped.
    static func numbers(_ ctx: CallContext, _ body: (Value) throws -> Void) throws {
        let path = try ctx.optionalString(0).map(FieldPath.init)
        var it = ctx.input.iterate()
        defer { it.close() }
        while let item = try it.next() {
            try ctx.interpreter.tick()
            var v = item
            if let path {
                guard case .record = item else {
                    throw ctx.error(.type, "\(ctx.signature.name): expects records, but an item is \(article(item.typeName))", arg: 0)
                }
                v = try ctx.field(path, of: item)
            }
            if v.isNull { continue }
            try body(v)
        }
    }

    /// A running total of ints (checked for overflow), floats or durations.
    struct Total {
        var value: Value = .int(0)
        var count = 0

        mutating func add(_ v: Value, _ ctx: CallContext) throws {
            switch (value, v) {
            case let (.int(a), .int(b)):
                let (s, o) = a.addingReportingOverflow(b)
                if o { throw ctx.error(.value, "\(ctx.signature.name): integer overflow", label: "the total does not fit in 64 bits").withHint("ints are 64-bit; convert to floats first (each { $it * 1.0 })") }
                value = .int(s)
            case (.int, .float), (.float, .int), (.float, .float):
                value = .float(value.asDouble! + v.asDouble!)
            case let (.duration(a), .duration(b)):
                let (s, o) = a.addingReportingOverflow(b)
                if o { throw ctx.error(.value, "\(ctx.signature.name): duration overflow") }
                value = .duration(s)
            case (.int(0), .duration) where count == 0:
                value = v
            default:
                let what = value.typeName == v.typeName || count == 0 ? "" : " to \(article(value.typeName))"
                throw ctx.error(.type, "\(ctx.signature.name): cannot add \(article(v.typeName)) (\(Formatter.plain(v).prefix(40)))\(what)",
                                arg: ctx.args.span(0).isKnown ? 0 : nil)
            }
            count += 1
        }
    }

    static var sum: Command { Command(
        Signature("sum", positionals: [Parameter("field", .field, "add up this field of each row; without it, the items", optional: true)],
                  input: "list<any>", output: "number"),
        description: "The total of numbers or durations (nulls are skipped).",
        examples: [
            Example("numbers", "[1, 2, 3.5] | sum", result: "6.5"),
            Example("a field of each row", "[{n: 2}, {n: 5}, {m: 1}] | sum n", result: "7"),
            Example("durations", "[1min, 30s] | sum", result: #""1min 30s""#),
        ]
    ) { ctx in
        var total = Total()
        try numbers(ctx) { try total.add($0, ctx) }
        return total.value
    } }

    static var avg: Command { Command(
        Signature("avg", positionals: [Parameter("field", .field, "average this field of each row; without it, the items", optional: true)],
                  input: "list<any>", output: "number"),
        description: "The mean of numbers or durations (nulls are skipped; null when there are none).",
        examples: [
            Example("numbers", "[1, 2, 4, 5] | avg", result: "3.0"),
            Example("a field of each row", "[{n: 2}, {n: 5}] | avg n", result: "3.5"),
            Example("nothing to average", "[] | avg", result: "null"),
        ]
    ) { ctx in
        var total = Total()
        try numbers(ctx) { try total.add($0, ctx) }
        guard total.count > 0 else { return .null }
        if case .duration(let d) = total.value { return .duration(d / total.count) }
        return .float(total.value.asDouble! / Double(total.count))
    } }

    /// `min` and `max`.
    static func extreme(max: Bool) -> Command {
        let name = max ? "max" : "min"
        return Command(
            Signature(name, positionals: [Parameter("field", .field, "compare this field of each row; without it, the items", optional: true)],
                      input: "list<any>", output: "any"),
            description: "The \(max ? "largest" : "smallest") value (nulls are skipped; null when there are none).",
            examples: [
                Example("numbers", "[3, 1.5, 7] | \(name)", result: max ? "7" : "1.5"),
                Example("a field of each row", #"[{n: "b"}, {n: "c"}, {n: "a"}] | \#(name) n"#, result: max ? #""c""# : #""a""#),
                Example("dates", "[2024-03-11, 2023-01-02] | \(name)", result: max ? #""2024-03-11T00:00:00Z""# : #""2023-01-02T00:00:00Z""#),
            ]
        ) { ctx in
            var best: Value?
            try numbers(ctx) { v in
                guard let b = best else { best = v; return }
                guard let c = v.compare(b) else {
                    throw ctx.error(.type, "\(name): cannot compare \(article(v.typeName)) with \(article(b.typeName))",
                                    arg: ctx.args.span(0).isKnown ? 0 : nil)
                }
                if max ? c > 0 : c < 0 { best = v }
            }
            return best ?? .null
        }
    }

    static var countBy: Command { Command(
        Signature("count-by", positionals: [Parameter("field", .field, "the field to count the values of; without it, the items", optional: true)],
                  input: "list<any>", output: "list<record>"),
        description: "How many rows have each value of a field, most frequent first (ties in order of first appearance).",
        examples: [
            Example("rows per status", #"[{s: "open"}, {s: "closed"}, {s: "open"}] | count-by s"#,
                    result: #"[{"s":"open","count":2},{"s":"closed","count":1}]"#),
            Example("ties keep the order they first appeared in", #"["b", "a", "c", "a", "b"] | count-by"#,
                    result: #"[{"value":"b","count":2},{"value":"a","count":2},{"value":"c","count":1}]"#),
        ]
    ) { ctx in
        let path = try ctx.optionalString(0).map(FieldPath.init)
        let counted = try countValues(ctx, path)
        let name = path?.text ?? "value"
        let shape = Shape.of([name == "count" ? "value" : name, "count"])
        return .list(counted.map { .record(Record(shape: shape, values: [$0.value, .int($0.count)])) })
    } }

    /// How often each value (of a field) occurs, most frequent first, ties in order of first appearance.
    static func countValues(_ ctx: CallContext, _ path: FieldPath?) throws -> [(value: Value, count: Int)] {
        // A few distinct values (statuses, kinds) are found by a linear scan with the same
        // equality as the dictionary; the dictionary takes over once there are more.
        let scanLimit = 8
        var slots: [HashableValue: Int] = [:]
        var values: [Value] = []
        var counts: [Int] = []
        let fieldSlots = path.map { SlotCache([$0]) }
        var it = ctx.input.iterate()
        defer { it.close() }
        while let item = try it.next() {
            try ctx.interpreter.tick()
            var key = item
            if let path {
                guard case .record(let r) = item else {
                    throw ctx.error(.type, "\(ctx.signature.name): expects records, but an item is \(article(item.typeName))", arg: 0)
                }
                if let found = fieldSlots!.slots(in: r.shape) { key = r.values[found[0]] } else { key = try ctx.field(path, of: item) }
            } else if case .record = item {
                throw ctx.error(.usage, "\(ctx.signature.name): the items are records; name the field to count, e.g. `\(ctx.signature.name) status`")
            }
            var slot: Int?
            if values.count <= scanLimit {
                for k in values.indices where values[k].equals(key) {
                    slot = k
                    break
                }
            } else {
                slot = slots[HashableValue(key)]
            }
            if let s = slot {
                counts[s] += 1
            } else {
                values.append(key)
                counts.append(1)
                if values.count == scanLimit + 1 {
                    for k in values.indices { slots[HashableValue(values[k])] = k }
                } else if values.count > scanLimit + 1 {
                    slots[HashableValue(key)] = values.count - 1
                }
            }
        }
        let order = values.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        return order.map { (values[$0], counts[$0]) }
    }

    static var groupBy: Command { Command(
        Signature("group-by", positionals: [Parameter("field", .field, "the field whose values name the groups")],
                  input: "list<record>", output: "record"),
        description: "A record from each value of a field (as text) to the list of rows that have it.",
        examples: [
            Example("rows by type", #"[{t: "a", n: 1}, {t: "b", n: 2}, {t: "a", n: 3}] | group-by t"#,
                    result: #"{"a":[{"t":"a","n":1},{"t":"a","n":3}],"b":[{"t":"b","n":2}]}"#),
            Example("the size of each group", #"[{t: "a"}, {t: "b"}, {t: "a"}] | group-by t | get a | count"#, result: "2"),
        ]
    ) { ctx in
        let path = try ctx.field(0)
        var slots: [String: Int] = [:]
        var keys: [String] = []
        var groups: [[Value]] = []
        var it = ctx.input.iterate()
        defer { it.close() }
        while let row = try it.next() {
            try ctx.interpreter.tick()
            guard case .record = row else {
                throw ctx.error(.type, "group-by: expects records, but an item is \(article(row.typeName))", arg: 0)
            }
            let v = try ctx.field(path, of: row)
            let key = v.isNull ? "null" : Formatter.plain(v)
            if let s = slots[key] {
                groups[s].append(row)
            } else {
                slots[key] = keys.count
                keys.append(key)
                groups.append([row])
            }
        }
        return .record(Record(shape: Shape.of(keys), values: groups.map(Value.list)))
    } }

    static var each: Command { Command(
        Signature("each", positionals: [Parameter("closure", .closure, "run for each item; $it (or its parameter) is the item")],
                  flags: [Flag("keep-empty", short: "k", nil, "keep null results (dropped by default)")],
                  input: "list<any>", output: "stream<any>"),
        description: "Run a closure on each item (lazily) and give its results; null results are dropped.",
        examples: [
            Example("double each number", "[1, 2, 3] | each { $it * 2 }", result: "[2,4,6]"),
            Example("a field of each row, with a named parameter", #"[{name: "Ann"}, {name: "Bo"}] | each {|a| "hi " + $a.name }"#, result: #"["hi Ann","hi Bo"]"#),
            Example("null results are dropped", "1..5 | each { if $it > 3 { $it } }", result: "[4,5]"),
        ]
    ) { ctx in
        let c = try ctx.closure(0)
        let keep = ctx.args.has("keep-empty")
        if !ctx.input.isSequence && !ctx.input.isNull { return try ctx.call(c, ctx.input).collected() }
        return ctx.mapRows { v in
            let out = try ctx.call(c, v).collected()
            return out.isNull && !keep ? nil : out
        }
    } }

    static var reduce: Command { Command(
        Signature("reduce", positionals: [Parameter("closure", .closure, "{|acc, x| ...} gives the next accumulator")],
                  flags: [Flag("init", .any, "the starting accumulator; without it, the first item")],
                  input: "list<any>", output: "any"),
        description: "Fold the items into one value with a closure of the accumulator and the item.",
        examples: [
            Example("a sum", "[1, 2, 3] | reduce {|acc, x| $acc + $x }", result: "6"),
            Example("with a starting value", "[1, 2, 3] | reduce --init 10 {|acc, x| $acc + $x }", result: "16"),
            Example("build a string", #"["a", "b"] | reduce --init "" {|acc, x| $acc + $x + "!" }"#, result: #""a!b!""#),
        ]
    ) { ctx in
        let c = try ctx.closure(0)
        var it = ctx.input.iterate()
        defer { it.close() }
        var acc: Value
        if let initial = ctx.args.flag("init") {
            acc = initial
        } else if let first = try it.next() {
            acc = first
        } else {
            throw ctx.error(.value, "reduce: the input is empty and there is no --init value to start from")
                .withHint("give a starting value: reduce --init 0 {|acc, x| ... }")
        }
        while let x = try it.next() {
            acc = try ctx.interpreter.call(c, arguments: [acc, x]).collected()
        }
        return acc
    } }
}
