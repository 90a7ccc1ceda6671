extension Builtins {
    static func slicing() -> [Command] {
        [
            Command(
                Signature("first", positionals: [Parameter("n", .int, "how many; without it, the first item itself", optional: true)],
                          input: "list<any>", output: "any"),
                description: "The first item, or the first N items as a list.",
                examples: [
                    Example("the first item", "[3, 1, 2] | first", result: "3"),
                    Example("the first two items", "[3, 1, 2] | first 2", result: "[3,1]"),
                    Example("lazy: stops pulling after three", "1..9223372036854775807 | where $it % 2 == 0 | first 3", result: "[2,4,6]"),
                ]
            ) { ctx in
                let n = try ctx.optionalInt(0)
                if let n, n < 0 { throw ctx.error(.value, "first: N must not be negative", arg: 0) }
                var it = ctx.input.iterate()
                defer { it.close() }
                guard let n else { return try it.next() ?? .null }
                var out: [Value] = []
                while out.count < n, let v = try it.next() { out.append(v) }
                return .list(out)
            },
        ]
    }
}
