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
            last, skip, take, takeWhile, skipWhile, reverse, enumerate, flatten, uniq,
        ]
    }
}

extension Builtins {
    static var last: Command { Command(
        Signature("last", positionals: [Parameter("n", .int, "how many; without it, the last item itself", optional: true)],
                  input: "list<any>", output: "any"),
        description: "The last item, or the last N items as a list.",
        examples: [
            Example("the last item", "[3, 1, 2] | last", result: "2"),
            Example("the last two items", "[3, 1, 2] | last 2", result: "[1,2]"),
            Example("of a range", "1..10 | last 3", result: "[8,9,10]"),
        ]
    ) { ctx in
        let n = try ctx.optionalInt(0)
        if let n, n < 0 { throw ctx.error(.value, "last: N must not be negative", arg: 0) }
        if case .list(let l) = ctx.input {
            guard let n else { return l.last ?? .null }
            return .list(Array(l.suffix(n)))
        }
        // A ring of the last N items, so a long stream is not held in memory.
        let keep = n ?? 1
        var ring: [Value] = []
        ring.reserveCapacity(min(keep, 1024))
        var head = 0
        var it = ctx.input.iterate()
        defer { it.close() }
        while let v = try it.next() {
            try ctx.interpreter.tick()
            if keep == 0 { continue }
            if ring.count < keep {
                ring.append(v)
            } else {
                ring[head] = v
                head = (head + 1) % keep
            }
        }
        let ordered = Array(ring[head...] + ring[..<head])
        guard n != nil else { return ordered.last ?? .null }
        return .list(ordered)
    } }

    static var skip: Command { Command(
        Signature("skip", positionals: [Parameter("n", .int, "how many items to drop", default: 1)],
                  input: "list<any>", output: "stream<any>"),
        description: "Drop the first N items (1 without N).",
        examples: [
            Example("drop two", "[1, 2, 3, 4] | skip 2", result: "[3,4]"),
            Example("drop the first", "[1, 2, 3] | skip", result: "[2,3]"),
        ]
    ) { ctx in
        let n = try ctx.int(0)
        guard n >= 0 else { throw ctx.error(.value, "skip: N must not be negative", arg: 0) }
        var skipped = 0
        return ctx.mapRows { v in
            if skipped < n {
                skipped += 1
                return nil
            }
            return v
        }
    } }

    static var take: Command { Command(
        Signature("take", positionals: [Parameter("n", .int, "how many items to keep")],
                  input: "list<any>", output: "stream<any>"),
        description: "Keep the first N items (lazily: the input stops after them).",
        examples: [
            Example("keep two", "[1, 2, 3] | take 2", result: "[1,2]"),
            Example("lazy: an endless range is fine", "1..9223372036854775807 | take 3", result: "[1,2,3]"),
        ]
    ) { ctx in
        let n = try ctx.int(0)
        guard n >= 0 else { throw ctx.error(.value, "take: N must not be negative", arg: 0) }
        var it = ctx.input.iterate()
        var taken = 0
        return .stream(ValueStream(next: {
            guard taken < n else {
                it.close()    // stop a paging source now, not when the stream is dropped
                return nil
            }
            taken += 1
            return try it.next()
        }, onClose: { it.close() }))
    } }

    static var takeWhile: Command { Command(
        Signature("take-while", positionals: [Parameter("condition", .rowCondition, "a condition on the row; bare names are its fields")],
                  input: "list<any>", output: "stream<any>"),
        description: "Keep items while the condition holds, then stop.",
        examples: [
            Example("numbers below 3", "[1, 2, 5, 1] | take-while $it < 3", result: "[1,2]"),
            Example("on rows", "[{n: 1}, {n: 4}, {n: 2}] | take-while n < 3", result: #"[{"n":1}]"#),
        ]
    ) { ctx in
        let cond = try ctx.closure(0)
        var it = ctx.input.iterate()
        var done = false
        let interp = ctx.interpreter
        return .stream(ValueStream(next: {
            guard !done, let v = try it.next() else { return nil }
            if try ctx.isTrue(try interp.call(cond, arguments: [v]), cond) { return v }
            done = true
            it.close()
            return nil
        }, onClose: { it.close() }))
    } }

    static var skipWhile: Command { Command(
        Signature("skip-while", positionals: [Parameter("condition", .rowCondition, "a condition on the row; bare names are its fields")],
                  input: "list<any>", output: "stream<any>"),
        description: "Drop items while the condition holds, then keep the rest.",
        examples: [
            Example("skip numbers below 3", "[1, 2, 5, 1] | skip-while $it < 3", result: "[5,1]"),
            Example("on rows", "[{n: 1}, {n: 4}, {n: 2}] | skip-while n < 3", result: #"[{"n":4},{"n":2}]"#),
        ]
    ) { ctx in
        let cond = try ctx.closure(0)
        var skipping = true
        let interp = ctx.interpreter
        return ctx.mapRows { v in
            if skipping {
                if try ctx.isTrue(try interp.call(cond, arguments: [v]), cond) { return nil }
                skipping = false
            }
            return v
        }
    } }

    static var reverse: Command { Command(
        Signature("reverse", input: "list<any>", output: "list<any>"),
        description: "The items in reverse order.",
        examples: [
            Example("a list", "[1, 2, 3] | reverse", result: "[3,2,1]"),
            Example("a range", "1..3 | reverse", result: "[3,2,1]"),
        ]
    ) { ctx in
        .list(try ctx.collectRows().reversed())
    } }

    static var enumerate: Command { Command(
        Signature("enumerate", input: "list<any>", output: "stream<record>"),
        description: "Pair each item with its position: {index, item}.",
        examples: [
            Example("number the items", #"["a", "b"] | enumerate"#, result: #"[{"index":0,"item":"a"},{"index":1,"item":"b"}]"#),
            Example("keep every other row", #"["a", "b", "c"] | enumerate | where index % 2 == 0 | get item"#, result: #"["a","c"]"#),
        ]
    ) { ctx in
        let shape = Shape.of(["index", "item"])
        var i = 0
        return ctx.mapRows { v in
            defer { i += 1 }
            return .record(Record(shape: shape, values: [.int(i), v]))
        }
    } }

    static var flatten: Command { Command(
        Signature("flatten", input: "list<any>", output: "stream<any>"),
        description: "Splice items that are lists into the stream (one level).",
        examples: [
            Example("one level of nesting", "[[1, 2], 3, [4, [5]]] | flatten", result: "[1,2,3,4,[5]]"),
            Example("after each", "[1, 2] | each { [$it, $it * 10] } | flatten", result: "[1,10,2,20]"),
        ]
    ) { ctx in
        var outer = ctx.input.iterate()
        var inner: ValueIterator?
        let interp = ctx.interpreter
        return .stream(ValueStream(next: {
            while true {
                if let v = try inner?.next() { return v }
                inner = nil
                guard let v = try outer.next() else { return nil }
                try interp.tick()
                if v.isSequence { inner = v.iterate() } else { return v }
            }
        }, onClose: {
            inner?.close()
            outer.close()
        }))
    } }

    static var uniq: Command { Command(
        Signature("uniq", positionals: [Parameter("field", .field, "compare rows by this field only (keeps the first row of each)", optional: true)],
                  input: "list<any>", output: "stream<any>"),
        description: "Drop repeated items (or rows with a repeated field), keeping the first.",
        examples: [
            Example("distinct values, in order of first appearance", "[3, 1, 3, 2, 1] | uniq", result: "[3,1,2]"),
            Example("one row per field value", #"[{t: "a", n: 1}, {t: "b", n: 2}, {t: "a", n: 3}] | uniq t"#, result: #"[{"t":"a","n":1},{"t":"b","n":2}]"#),
        ]
    ) { ctx in
        let path = try ctx.optionalString(0).map(FieldPath.init)
        var seen = Set<HashableValue>()
        return ctx.mapRows { v in
            var key = v
            if let path {
                guard case .record = v else { throw ctx.error(.type, "uniq: expects records, but an item is \(article(v.typeName))", arg: 0) }
                key = try ctx.field(path, of: v)
            }
            return seen.insert(HashableValue(key)).inserted ? v : nil
        }
    } }
}
