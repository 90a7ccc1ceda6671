import Foundation

extension Builtins {
    static func helpers() -> [Command] {
        [
            Command(
                Signature("now", input: "nothing", output: "date"),
                description: "The current instant (UTC).",
                category: "helpers",
                examples: [
                    Example("the current time", "now"),
                    Example("a week ago", "now() - 7d"),
                ]
            ) { _ in
                .date(Date().timeIntervalSince1970)
            },

            Command(
                Signature("date", positionals: [Parameter("text", .string, "a date such as 2024-03-11 or 2024-03-11T16:39:30Z; without it, the input", optional: true, standsForInput: true)],
                          input: "string", output: "date"),
                description: "Read a date from text (UTC when no zone is given).",
                category: "helpers",
                examples: [
                    Example("a day", #"date "2024-03-11""#, result: #""2024-03-11T00:00:00Z""#),
                    Example("with a time and an offset", #"date("2024-03-11T18:39:30+02:00")"#, result: #""2024-03-11T16:39:30Z""#),
                    Example("from the input", #""2018-06-21 01:50:49" | date"#, result: #""2018-06-21T01:50:49Z""#),
                ]
            ) { ctx in
                let v = ctx.args[0].isNull ? ctx.input : ctx.args[0]
                switch v {
                case .date: return v
                case .string(let s):
                    guard let t = DateParsing.parse(s.trimmingCharacters(in: .whitespaces)) else {
                        var e = ctx.error(.value, "date: cannot read `\(s)` as a date", arg: 0)
                        e.hint = "write a date as 2024-03-11, 2024-03-11T16:39:30Z or 2024-03-11T16:39:30+02:00"
                        throw e
                    }
                    return .date(t)
                case .null:
                    throw ctx.error(.usage, "date: needs a text to read, as an argument or as the input", arg: 0)
                default:
                    throw ctx.error(.type, "date: expects a string, not \(article(v.typeName))", arg: 0)
                }
            },

            Command(
                Signature("env", positionals: [Parameter("name", .string, "the environment variable")],
                          input: "nothing", output: "string"),
                description: "The value of an environment variable, or null when it is not set.",
                category: "helpers",
                examples: [
                    Example("the home directory", "env HOME"),
                    Example("a default for an unset variable", #"(env SWB_NOT_SET) ?? "none""#, result: #""none""#),
                ]
            ) { ctx in
                let name = try ctx.string(0)
                return ctx.interpreter.configuration.environment[name].map(Value.string) ?? .null
            },

            Command(
                Signature("sleep", positionals: [Parameter("duration", .duration, "how long, e.g. 500ms or 2s")],
                          input: "any", output: "nothing"),
                description: "Wait for a while (Ctrl-C stops it).",
                category: "helpers",
                examples: [
                    Example("wait a tenth of a second", "sleep 100ms"),
                ]
            ) { ctx in
                guard case .duration(let ns) = ctx.args[0] else {
                    throw ctx.error(.type, "sleep: `duration` must be a duration such as 500ms or 2s, not \(article(ctx.args[0].typeName))", arg: 0)
                }
                guard ns >= 0 else { throw ctx.error(.value, "sleep: the duration must not be negative", arg: 0) }
                let end = ContinuousClock.now + .nanoseconds(ns)
                // Short naps, so a cancel (Ctrl-C) or a time limit is noticed within 50ms.
                while true {
                    try ctx.interpreter.checkLimits()
                    let left = end - ContinuousClock.now
                    if left <= .zero { break }
                    Thread.sleep(forTimeInterval: min(0.05, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18))
                }
                return .null
            },

            Command(
                Signature("len", positionals: [Parameter("value", .any, "a list, string, record or stream; without it, the input", optional: true, standsForInput: true)],
                          input: "any", output: "int"),
                description: "The length of a list, string (in characters), record (in fields) or stream.",
                category: "helpers",
                examples: [
                    Example("a list", "len([1, 2, 3])", result: "3"),
                    Example("a string, in characters", #""héllo" | len"#, result: "5"),
                    Example("a record, in fields", "len({a: 1, b: 2})", result: "2"),
                ]
            ) { ctx in
                let given = ctx.args.span(0).isKnown
                let v = given ? ctx.args[0] : ctx.input
                switch v {
                case .null: return .int(0)
                case .string(let s): return .int(s.count)
                case .list(let l): return .int(l.count)
                case .record(let r): return .int(r.count)
                case .range(let r): return .int(r.count)
                case .stream(let s):
                    var n = 0
                    while try s.next() != nil {
                        n += 1
                        try ctx.interpreter.tick()
                    }
                    return .int(n)
                default:
                    throw ctx.error(.type, "len: \(article(v.typeName)) has no length", arg: given ? 0 : nil)
                }
            },

            Command(
                Signature("error", positionals: [Parameter("message", .any, "what went wrong")],
                          input: "any", output: "nothing"),
                description: "Raise an error with a message (`try ... catch $e` catches it).",
                category: "helpers",
                examples: [
                    Example("catch an error and read its message", #"try { error "no agents" } catch $e { $e.message }"#, result: #""no agents""#),
                    Example("the kind of a raised error", #"try { error "boom" } catch $e { $e.kind }"#, result: #""user""#),
                ]
            ) { ctx in
                let v = ctx.args[0]
                var e = SwitchboardError(.user, Formatter.plain(v), span: ctx.span)
                if v.asString == nil { e.payload = v }
                throw e
            },

            Command(
                Signature("describe", input: "any", output: "string"),
                description: "The type of the input, e.g. list<record> or record<agent@chatrhub>.",
                category: "helpers",
                examples: [
                    Example("a list of ints", "[1, 2] | describe", result: #""list<int>""#),
                    Example("a record", "{name: \"Ann\", load: 2} | describe", result: #""record<name: string, load: int>""#),
                    Example("a stream shows its first item's type", "1..5 | each { $it * 2 } | describe", result: #""stream<int>""#),
                ]
            ) { ctx in
                if case .stream(let s) = ctx.input {
                    // Look at the first item only: describing must not pull a whole export.
                    let first = try s.next()
                    s.close()
                    return .string("stream<\(first.map(Formatter.describeShallow) ?? "any")>")
                }
                return .string(Formatter.describe(ctx.input))
            },
        ]
    }
}

// MARK: - Shared by the command families

/// A field name or dotted path (`raw.email`), split once per call rather than once per row.
struct FieldPath {
    let text: String
    let parts: [String]

    init(_ text: String) {
        self.text = text
        parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// The value at this path, or nil when a step is missing. A key that itself contains
    /// dots (as `select raw.email` makes) is found too.
    func lookup(_ v: Value) -> Value? {
        guard case .record(let r) = v else { return nil }
        if let direct = r[text] { return direct }
        if parts.count == 1 { return nil }
        var cur = v
        for p in parts {
            guard case .record(let rec) = cur, let next = rec[p] else { return nil }
            cur = next
        }
        return cur
    }

    /// The record with the value at this path replaced (or added); intermediate records are created.
    func setting(_ new: Value, in r: Record) -> Record {
        set(new, in: r, from: 0)
    }

    private func set(_ new: Value, in r: Record, from k: Int) -> Record {
        var r = r
        if k == parts.count - 1 {
            r[parts[k]] = new
            return r
        }
        let inner = r[parts[k]]?.asRecord ?? Record()
        r[parts[k]] = .record(set(new, in: inner, from: k + 1))
        return r
    }

    /// The record without the field at this path (unchanged when it is missing).
    func removing(from r: Record) -> Record {
        if r[text] != nil || parts.count == 1 {
            var r = r
            r.remove(text)
            return r
        }
        return remove(from: r, at: 0)
    }

    private func remove(from r: Record, at k: Int) -> Record {
        var r = r
        if k == parts.count - 1 {
            r.remove(parts[k])
        } else if case .record(let inner)? = r[parts[k]] {
            r[parts[k]] = .record(remove(from: inner, at: k + 1))
        }
        return r
    }

    /// Whether the path exists in the record.
    func exists(in r: Record) -> Bool { lookup(.record(r)) != nil }

    /// For a nested path, the first step that holds something other than a record
    /// (setting the path would overwrite it), e.g. `a` in `a.b` when `a` is 5.
    func blockingStep(in r: Record) -> String? {
        guard parts.count > 1, r[text] == nil else { return nil }
        var cur = r
        for (k, p) in parts.dropLast().enumerated() {
            guard let next = cur[p] else { return nil }
            guard case .record(let inner) = next else { return parts[...k].joined(separator: ".") }
            cur = inner
        }
        return nil
    }
}

extension CallContext {
    /// Every input item as an array, checking for Ctrl-C and refusing inputs too big to hold.
    func collectRows(limit: Int = 50_000_000) throws -> [Value] {
        switch input {
        case .list(let l): return l
        case .range(let r) where r.count > limit:
            throw error(.limit, "\(signature.name): the range \(Formatter.plain(input)) is too long to hold in memory")
        default: break
        }
        var out: [Value] = []
        var it = input.iterate()
        defer { it.close() }
        while let v = try it.next() {
            try interpreter.tick()
            out.append(v)
            if out.count > limit {
                throw error(.limit, "\(signature.name): the input has more than \(limit) items, too many to hold in memory")
            }
        }
        return out
    }

    /// Field names from the `...rest` arguments (barewords, strings or ints).
    func restFields() throws -> [FieldPath] {
        try args.rest.map { v in
            switch v {
            case .string(let s): return FieldPath(s)
            case .int(let n): return FieldPath(String(n))
            default: throw error(.type, "\(signature.name): a field name must be a word or a string, not \(article(v.typeName))")
            }
        }
    }

    /// Positional `i` as a field path.
    func field(_ i: Int) throws -> FieldPath { FieldPath(try string(i)) }

    /// A row that must be a record, with an error naming the command.
    func record(_ v: Value) throws -> Record {
        if case .record(let r) = v { return r }
        throw error(.type, "\(signature.name): expects records, but an item is \(article(v.typeName))")
    }

    /// A single record input is transformed directly; a list or stream lazily, row by row.
    func mapRecords(_ body: @escaping (Record) throws -> Value) throws -> Value {
        if case .record(let r) = input { return try body(r) }
        let ctx = self
        return mapRows { try body(try ctx.record($0)) }
    }

    /// The value at `path` in a row: null when a plain record lacks it, but an error with
    /// suggestions when a resource object does (its fields are known: `sort-by lod` is a typo).
    func field(_ path: FieldPath, of row: Value) throws -> Value {
        if let v = path.lookup(row) { return v }
        if case .record(let r) = row, r.tag != nil, r[path.parts[0]] == nil { throw unknownField(path, in: r) }
        return .null
    }

    /// An "unknown field" error with suggestions from the record's fields.
    func unknownField(_ path: FieldPath, in r: Record, arg i: Int? = nil) -> SwitchboardError {
        let span = i.map { args.span($0) }.flatMap { $0.isKnown ? $0 : nil } ?? self.span
        return SwitchboardError.unknown("field", path.text, candidates: r.keys, span: span, suffix: " (\(signature.name))")
    }
}
