extension Builtins {
    static func joins() -> [Command] {
        [join]
    }

    static var join: Command { Command(
        Signature("join", positionals: [Parameter("other", .any, "the right-hand table: a list or stream of records")],
                  flags: [Flag("on", .field, "the field to match on (of the input, and of OTHER unless --right-on is given)"),
                          Flag("right-on", .field, "the field of OTHER to match, when its name differs")],
                  input: "list<record>", output: "stream<record>"),
        description: "Inner join: each input row merged with every row of OTHER whose key is equal (clashing fields of OTHER get a `_right` suffix).",
        examples: [
            Example("agents with their group's name",
                    #"[{name: "Ann", group: 1}, {name: "Bo", group: 2}, {name: "Cy", group: 9}] | join [{id: 1, title: "Sales"}, {id: 2, title: "Support"}] --on group --right-on id"#,
                    result: #"[{"name":"Ann","group":1,"id":1,"title":"Sales"},{"name":"Bo","group":2,"id":2,"title":"Support"}]"#),
            Example("the same field on both sides; other clashes are suffixed",
                    #"[{id: 1, name: "Ann"}] | join [{id: 1, name: "Sales"}, {id: 1, name: "VIP"}] --on id"#,
                    result: #"[{"id":1,"name":"Ann","name_right":"Sales"},{"id":1,"name":"Ann","name_right":"VIP"}]"#),
        ]
    ) { ctx in
        guard let on = try ctx.flagString("on").map(FieldPath.init) else {
            throw ctx.error(.usage, "join: needs --on FIELD, the field to match on", label: "missing --on").withHint("usage: \(ctx.signature.usage)")
        }
        let rightOn = try ctx.flagString("right-on").map(FieldPath.init) ?? on
        let other = ctx.args[0]
        guard other.isSequence || other.asRecord != nil else {
            throw ctx.error(.type, "join: OTHER must be a list of records, not \(article(other.typeName))", arg: 0)
        }
        // Hash the right side once; nulls never match (as in SQL).
        var table: [HashableValue: [Record]] = [:]
        var it = other.iterate()
        defer { it.close() }
        while let v = try it.next() {
            try ctx.interpreter.tick()
            guard case .record(let r) = v else {
                throw ctx.error(.type, "join: OTHER must hold records, but an item is \(article(v.typeName))", arg: 0)
            }
            guard let key = rightOn.lookup(v), !key.isNull else { continue }
            table[HashableValue(key), default: []].append(r)
        }
        let dropKey = rightOn.parts.count == 1 && rightOn.text == on.text    // the key is already in the left row
        // One merge plan per pair of shapes: which right slots to copy, and the merged shape.
        var plan: (left: Shape, right: Shape, take: [Int], shape: Shape)?
        func merge(_ l: Record, _ r: Record) -> Record {
            if let p = plan, p.left === l.shape, p.right === r.shape {
                var values = l.values
                values.reserveCapacity(values.count + p.take.count)
                for i in p.take { values.append(r.values[i]) }
                return Record(shape: p.shape, values: values)
            }
            var shape = Shape.of(l.keys)
            var take: [Int] = []
            for (i, k) in r.keys.enumerated() {
                if dropKey && k == rightOn.text { continue }
                var name = k
                while shape.slot(name) != nil { name += "_right" }
                shape = shape.adding(name)
                take.append(i)
            }
            plan = (l.shape, r.shape, take, shape)
            return merge(l, r)
        }
        var input = ctx.input.iterate()
        var pending: [Record] = []
        var pendingLeft = Record()
        var next = 0
        return .stream(ValueStream(next: {
            while true {
                if next < pending.count {
                    next += 1
                    return .record(merge(pendingLeft, pending[next - 1]))
                }
                guard let row = try input.next() else { return nil }
                try ctx.interpreter.tick()
                let left = try ctx.record(row)
                guard let key = on.lookup(row), !key.isNull, let matches = table[HashableValue(key)] else { continue }
                pendingLeft = left
                pending = matches
                next = 0
            }
        }, onClose: { input.close() }))
    } }
}
