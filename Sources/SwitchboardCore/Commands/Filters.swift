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
                    try ctx.isTrue(try interp.call(cond, arguments: [row]), cond) ? row : nil
                }
            },
        ]
    }
}
