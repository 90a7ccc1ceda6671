extension Builtins {
    static func selection() -> [Command] {
        [select, reject, get, columns, rename, insert, update]
    }

    static var select: Command { Command(
        Signature("select", rest: Parameter("fields", .field, "fields to keep, in this order; nested paths like raw.email"),
                  input: "list<record>", output: "list<record>"),
        description: "Keep only the named fields, in the order named.",
        examples: [
            Example("keep two fields, in a new order", #"[{name: "Ann", load: 2, id: 7}] | select load name"#, result: #"[{"load":2,"name":"Ann"}]"#),
            Example("a nested path becomes a field named by the path", #"[{id: 1, raw: {email: "a@x.io"}}] | select id raw.email"#, result: #"[{"id":1,"raw.email":"a@x.io"}]"#),
            Example("on a single record", #"{name: "Ann", load: 2} | select name"#, result: #"{"name":"Ann"}"#),
        ]
    ) { ctx in
        let paths = try ctx.restFields()
        let shape = Shape.of(paths.map(\.text))
        if case .record(let r) = ctx.input {
            return .record(Record(shape: shape, values: try paths.map { p in
                guard let v = p.lookup(ctx.input) else { throw ctx.unknownField(p, in: r) }
                return v
            }))
        }
        // Rows of one shape find the fields in the same slots: work them out once per shape.
        let slots = SlotCache(paths)
        return try ctx.mapRecords { r in
            var values: [Value] = []
            values.reserveCapacity(paths.count)
            if let found = slots.slots(in: r.shape) {
                for k in found { values.append(r.values[k]) }
            } else {
                let row = Value.record(r)
                for p in paths { values.append(try ctx.field(p, of: row)) }
            }
            return .record(Record(shape: shape, values: values))
        }
    } }

    static var reject: Command { Command(
        Signature("reject", rest: Parameter("fields", .field, "fields to drop; nested paths like raw.email"),
                  input: "list<record>", output: "list<record>"),
        description: "Drop the named fields.",
        examples: [
            Example("drop a field", #"[{name: "Ann", load: 2, id: 7}] | reject id"#, result: #"[{"name":"Ann","load":2}]"#),
            Example("drop a nested field", #"{id: 1, raw: {email: "a@x.io", tz: "UTC"}} | reject raw.email"#, result: #"{"id":1,"raw":{"tz":"UTC"}}"#),
        ]
    ) { ctx in
        let paths = try ctx.restFields()
        let names = Set(paths.map(\.text))
        let allSimple = paths.allSatisfy { $0.parts.count == 1 }
        // Rows of one shape lose the same slots: work that out once per shape.
        var lastShape: Shape?
        var kept: [Int] = []
        var outShape = Shape.empty
        return try ctx.mapRecords { r in
            guard allSimple else {
                var out = r
                for p in paths { out = p.removing(from: out) }
                return .record(out)
            }
            if r.shape !== lastShape {
                lastShape = r.shape
                kept = r.keys.indices.filter { !names.contains(r.keys[$0]) }
                outShape = Shape.of(kept.map { r.keys[$0] }, tag: r.tag)
            }
            if kept.count == r.count { return .record(r) }
            return .record(Record(shape: outShape, values: kept.map { r.values[$0] }))
        }
    } }

    static var get: Command { Command(
        Signature("get", positionals: [Parameter("field", .field, "the field, or a dotted path like raw.email")],
                  input: "list<record>", output: "list<any>"),
        description: "The field of each row (of a single record: the value).",
        examples: [
            Example("a column as a list", #"[{name: "Ann"}, {name: "Bo"}] | get name"#, result: #"["Ann","Bo"]"#),
            Example("a value of a record", #"{id: 1, raw: {email: "a@x.io"}} | get raw.email"#, result: #""a@x.io""#),
            Example("rows without the field give null", "[{n: 1}, {m: 2}] | get n", result: "[1,null]"),
        ]
    ) { ctx in
        let path = try ctx.field(0)
        if case .record(let r) = ctx.input {
            guard let v = path.lookup(ctx.input) else { throw ctx.unknownField(path, in: r, arg: 0) }
            return v
        }
        return ctx.mapRows { row in
            guard case .record = row else {
                throw ctx.error(.type, "get: expects records, but an item is \(article(row.typeName))", arg: 0)
            }
            return try ctx.field(path, of: row)
        }
    } }

    static var columns: Command { Command(
        Signature("columns", input: "list<record>", output: "list<string>"),
        description: "The field names of a record, or of every row of a table (in order of first appearance).",
        examples: [
            Example("of a record", "{name: \"Ann\", load: 2} | columns", result: #"["name","load"]"#),
            Example("of a table whose rows differ", "[{a: 1}, {b: 2, a: 3}] | columns", result: #"["a","b"]"#),
        ]
    ) { ctx in
        if case .record(let r) = ctx.input { return .list(r.keys.map(Value.string)) }
        var names: [String] = []
        var seen = Set<String>()
        var lastShape: Shape?
        var it = ctx.input.iterate()
        defer { it.close() }
        while let v = try it.next() {
            try ctx.interpreter.tick()
            let r = try ctx.record(v)
            if r.shape === lastShape { continue }
            lastShape = r.shape
            for k in r.keys where seen.insert(k).inserted { names.append(k) }
        }
        return .list(names.map(Value.string))
    } }

    static var rename: Command { Command(
        Signature("rename", positionals: [Parameter("old", .field, "the field to rename"), Parameter("new", .string, "its new name")],
                  input: "list<record>", output: "list<record>"),
        description: "Rename a field, keeping its position.",
        examples: [
            Example("rename a column", #"[{id: 7, name: "Ann"}] | rename name agent"#, result: #"[{"id":7,"agent":"Ann"}]"#),
            Example("on a single record", "{a: 1, b: 2} | rename a x", result: #"{"x":1,"b":2}"#),
        ]
    ) { ctx in
        let old = try ctx.string(0)
        let new = try ctx.string(1)
        if case .record(let r) = ctx.input, r[old] == nil { throw ctx.unknownField(FieldPath(old), in: r, arg: 0) }
        var lastShape: Shape?
        var outShape: Shape?
        return try ctx.mapRecords { r in
            if r.shape !== lastShape {
                lastShape = r.shape
                if r[old] == nil || old == new {
                    outShape = nil
                } else if r[new] != nil {
                    throw ctx.error(.value, "rename: the row already has a field `\(new)`", arg: 1)
                } else {
                    var copy = r
                    copy.rename(old, to: new)
                    outShape = copy.shape
                }
            }
            guard let outShape else { return .record(r) }
            return .record(Record(shape: outShape, values: r.values))
        }
    } }

    static var insert: Command { Command(
        Signature("insert", positionals: [Parameter("field", .field, "the new field (a dotted path inserts into a nested record)"),
                                          Parameter("value", .any, "its value, or a closure of the row")],
                  input: "list<record>", output: "list<record>"),
        description: "Add a field to each row; the value may be a closure of the row.",
        examples: [
            Example("a fixed value", "[{n: 1}, {n: 2}] | insert ok true", result: #"[{"n":1,"ok":true},{"n":2,"ok":true}]"#),
            Example("computed from the row", "[{n: 1}, {n: 2}] | insert double { n * 2 }", result: #"[{"n":1,"double":2},{"n":2,"double":4}]"#),
            Example("on a single record", #"{name: "Ann"} | insert load 0"#, result: #"{"name":"Ann","load":0}"#),
        ]
    ) { ctx in
        let path = try ctx.field(0)
        let value = ctx.args[1]
        var lastShape: Shape?
        var outShape = Shape.empty
        return try ctx.mapRecords { r in
            if path.exists(in: r) {
                throw ctx.error(.value, "insert: the row already has a field `\(path.text)`", arg: 0, label: "use `update` to change it")
            }
            if let step = path.blockingStep(in: r) {
                throw ctx.error(.type, "insert: `\(step)` is not a record, so `\(path.text)` cannot be added to it", arg: 0)
            }
            var v = value
            if case .closure(let c) = value { v = try ctx.call(c, .record(r)).collected() }
            guard path.parts.count == 1 else { return .record(path.setting(v, in: r)) }
            // Appending one field to rows of one shape: build the new shape once.
            if r.shape !== lastShape {
                lastShape = r.shape
                outShape = r.shape.adding(path.text)
            }
            var values = r.values
            values.append(v)
            return .record(Record(shape: outShape, values: values))
        }
    } }

    static var update: Command { Command(
        Signature("update", positionals: [Parameter("field", .field, "the field to change (a dotted path like raw.email)"),
                                          Parameter("value", .any, "its new value, or a closure of the row")],
                  input: "list<record>", output: "list<record>"),
        description: "Change a field of each row; the value may be a closure of the row.",
        examples: [
            Example("a fixed value", #"[{n: 1, s: "a"}] | update s "b""#, result: #"[{"n":1,"s":"b"}]"#),
            Example("computed from the row", "[{n: 1}, {n: 2}] | update n { n * 10 }", result: #"[{"n":10},{"n":20}]"#),
            Example("the closure can name the row", #"{name: "ann"} | update name {|r| $r.name + "!" }"#, result: #"{"name":"ann!"}"#),
        ]
    ) { ctx in
        let path = try ctx.field(0)
        let value = ctx.args[1]
        return try ctx.mapRecords { r in
            guard path.exists(in: r) else { throw ctx.unknownField(path, in: r, arg: 0).withHint("use `insert` to add a field") }
            var v = value
            if case .closure(let c) = value { v = try ctx.call(c, .record(r)).collected() }
            if path.parts.count == 1 || r[path.text] != nil {
                var out = r
                out[path.text] = v
                return .record(out)
            }
            return .record(path.setting(v, in: r))
        }
    } }
}

/// The slots of simple (undotted) field paths in the last shape seen, so rows of one shape
/// skip the lookups by name. Nil when a path is nested or missing (the caller looks it up).
final class SlotCache {
    let paths: [FieldPath]
    @exclusivity(unchecked) private var shape: Shape?
    @exclusivity(unchecked) private var found: [Int]?

    init(_ paths: [FieldPath]) { self.paths = paths }

    func slots(in s: Shape) -> [Int]? {
        if s !== shape {
            shape = s
            var out: [Int] = []
            for p in paths {
                guard p.parts.count == 1, let k = s.slot(p.text) else { found = nil; return nil }
                out.append(k)
            }
            found = out
        }
        return found
    }
}
