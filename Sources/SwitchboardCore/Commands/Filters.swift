import Foundation

extension Builtins {
    static func filters() -> [Command] {
        [
            Command(
                Signature("where", positionals: [Parameter("condition", .rowCondition, "a condition on the row; bare names are its fields")],
                          input: "list<any>", output: "stream<any>"),
                description: "Keep the rows for which the condition holds.",
                examples: [
                    Example("keep records by a field", "[{n: 1}, {n: 5}, {n: 3}] | where n > 2", result: #"[{"n":5},{"n":3}]"#),
                    Example("combine conditions with and/or", #"[{s: "a", l: 1}, {s: "a", l: 4}, {s: "b", l: 0}] | where s == "a" and l < 3"#, result: #"[{"s":"a","l":1}]"#),
                    Example("a closure works too, with $it as the row", "1..6 | where { $it % 2 == 0 }", result: "[2,4,6]"),
                ]
            ) { ctx in
                let cond = try ctx.closure(0)
                let interp = ctx.interpreter
                return ctx.mapRows { row in
                    try ctx.isTrue(try interp.call(cond, argument: row), cond) ? row : nil
                }
            },
            find,
        ]
    }
}

extension Builtins {
    static var find: Command { Command(
        Signature("find", positionals: [Parameter("text", .string, "the text to look for (case-insensitive)")],
                  input: "list<any>", output: "stream<any>"),
        description: "Keep rows where any string field (nested ones too) contains TEXT, ignoring case; for strings, the string itself.",
        examples: [
            Example("rows mentioning a name", #"[{name: "Ann Lee", team: "Sales"}, {name: "Bo", team: "support"}] | find SUPP"#,
                    result: #"[{"name":"Bo","team":"support"}]"#),
            Example("nested fields count too", #"[{id: 1, raw: {email: "ann@x.io"}}, {id: 2, raw: {email: "bo@y.io"}}] | find "@x.""#,
                    result: #"[{"id":1,"raw":{"email":"ann@x.io"}}]"#),
            Example("plain strings", #"["apple", "Banana", "cherry"] | find an"#, result: #"["Banana"]"#),
        ]
    ) { ctx in
        let needle = try ctx.string(0)
        func contains(_ v: Value) -> Bool {
            switch v {
            case .string(let s): return s.range(of: needle, options: .caseInsensitive) != nil
            case .record(let r): return r.values.contains(where: contains)
            case .list(let l): return l.contains(where: contains)
            default: return false
            }
        }
        if needle.isEmpty { return ctx.input }
        return ctx.mapRows { contains($0) ? $0 : nil }
    } }
}
