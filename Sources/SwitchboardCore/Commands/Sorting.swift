extension Builtins {
    static func sorting() -> [Command] {
        [sortBy]
    }

    static var sortBy: Command { Command(
        Signature("sort-by", rest: Parameter("fields", .field, "fields to sort by, the first one first; without any, the items themselves"),
                  flags: [Flag("reverse", short: "r", nil, "largest first (nulls still last)")],
                  input: "list<any>", output: "list<any>"),
        description: "Sort rows by fields (or items by value); stable, nulls last.",
        examples: [
            Example("sort numbers", "[3, 1, 2] | sort-by", result: "[1,2,3]"),
            Example("by a field, largest first; ties keep their order", #"[{n: "a", l: 1}, {n: "b", l: 3}, {n: "c", l: 1}] | sort-by l --reverse"#,
                    result: #"[{"n":"b","l":3},{"n":"a","l":1},{"n":"c","l":1}]"#),
            Example("by two fields; missing values go last", #"[{g: 2, n: "x"}, {n: "y"}, {g: 1, n: "z"}, {g: 1, n: "a"}] | sort-by g n"#,
                    result: #"[{"g":1,"n":"a"},{"g":1,"n":"z"},{"g":2,"n":"x"},{"n":"y"}]"#),
        ]
    ) { ctx in
        let paths = try ctx.restFields()
        let descending = ctx.args.has("reverse")
        let items = try ctx.collectRows()
        // Keys are read once per row (not once per comparison), in one flat array.
        let k = max(paths.count, 1)
        var keys: [Value] = []
        keys.reserveCapacity(items.count * k)
        for item in items {
            if paths.isEmpty {
                keys.append(item)
            } else {
                guard case .record = item else {
                    throw ctx.error(.type, "sort-by: sorting by a field needs records, but an item is \(article(item.typeName))")
                }
                for p in paths { keys.append(try ctx.field(p, of: item)) }
            }
        }
        var order = Array(items.indices)
        try order.sort { a, b in
            for j in 0..<k {
                let x = keys[a * k + j], y = keys[b * k + j]
                let c: Int
                switch (x.isNull, y.isNull) {
                case (true, true): c = 0
                case (true, false): c = 1      // nulls last, in both directions
                case (false, true): c = -1
                case (false, false):
                    guard let cmp = x.compare(y) else {
                        let what = paths.isEmpty ? "" : " in `\(paths[j].text)`"
                        var e = ctx.error(.type, "sort-by: cannot compare \(article(x.typeName)) with \(article(y.typeName))\(what)")
                        if paths.isEmpty, case .record = x { e.hint = "name a field to sort records by, e.g. `sort-by name`" }
                        throw e
                    }
                    c = descending ? -cmp : cmp
                }
                if c != 0 { return c < 0 }
            }
            return a < b    // ties keep their input order: stable whatever the algorithm
        }
        return .list(order.map { items[$0] })
    } }
}
