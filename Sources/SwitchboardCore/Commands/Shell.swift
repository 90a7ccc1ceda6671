extension Builtins {
    static func shell() -> [Command] {
        [help, commandList, set, exit]
    }

    /// `exit [code]`: end the script (or the REPL) with an exit status.
    static var exit: Command {
        Command(Signature("exit", positionals: [Parameter("code", .int, "the exit status (default 0)", default: .int(0))],
                          input: "nothing", output: "nothing"),
                description: "End the script with an exit status: 0 for success, 2 for bad usage by convention.",
                category: "shell",
                examples: [Example("stop a script that was called wrongly", #"if ($args | length) > 3 { print "usage: job.swb [FILE]"; exit 2 }"#)]) { ctx in
            let code = try ctx.int(0)
            guard (0...255).contains(code) else { throw ctx.error(.value, "exit: the status must be 0 to 255, not \(code)", arg: 0) }
            throw ExitRequest(code: Int32(code))
        }
    }

    static var help: Command { Command(
        Signature("help", positionals: [Parameter("name", .string, "a command; without it, an overview", optional: true)],
                  input: "nothing", output: "nothing"),
        description: "Show an overview of the commands, or one command's usage, parameters and examples.",
        category: "shell",
        examples: [
            Example("the overview", "help"),
            Example("one command", "help sort-by"),
        ]
    ) { ctx in
        let interp = ctx.interpreter
        guard let name = try ctx.optionalString(0) else {
            try interp.write(overview(interp.commands))
            return .null
        }
        guard let command = interp.command(named: name) else {
            if let text = keywords[name] {
                try interp.write(text)
                return .null
            }
            var e = SwitchboardError.unknown("command", name, candidates: interp.commands.map(\.name), span: ctx.args.span(0))
            e.hint = "`help` lists every command"
            throw e
        }
        try interp.write(helpText(command))
        return .null
    } }

    static let categoryOrder = ["data", "format", "output", "strings", "helpers", "shell", "vendor", "action", "prelude", "user"]

    /// `help` without a name: what the language is, and every command by category.
    static func overview(_ commands: [Command]) -> String {
        var out = """
        Switchboard: pipelines of commands over records, for example
          agents | where status == "available" and load < 3 | sort-by load | first 5
        `help NAME` shows a command with examples; `commands` lists them as data.

        """
        let groups = Dictionary(grouping: commands, by: \.category)
        let order = categoryOrder.filter { groups[$0] != nil } + groups.keys.filter { !categoryOrder.contains($0) }.sorted()
        for category in order {
            out += "\n\(category):\n"
            var line = " "
            for c in groups[category]!.sorted(by: { $0.name < $1.name }) {
                if line.count + c.name.count + 1 > 78 {
                    out += line + "\n"
                    line = " "
                }
                line += " " + c.name
            }
            out += line + "\n"
        }
        out += "\nkeywords (`help NAME` for each):\n  " + keywords.keys.sorted().joined(separator: " ") + "\n"
        return out
    }

    /// The statements that are syntax rather than commands, for `help NAME`.
    static let keywords: [String: String] = [
        "let": "let NAME = PIPELINE\n  Bind a variable; a stream is collected into a list. `$NAME = value` assigns it again.\n\nExamples:\n  > let ready = agents | where status == \"available\"\n",
        "fn": "fn NAME(PARAMS) { BODY }\n  Define a command. Params: `x`, `x = default`, `x: type`, `--flag`, `--name: type`, `...rest`;\n  the pipeline input is `$in`. A `# example: CODE => RESULT` comment above it is run by `help`'s tests.\n\nExamples:\n  > fn busy(limit = 3) { where load >= $limit }\n",
        "if": "if COND { ... } else if COND { ... } else { ... }\n  An expression: its value is the value of the branch taken.\n\nExamples:\n  > let size = if $n > 100 { \"big\" } else { \"small\" }\n",
        "for": "for NAME in VALUE { ... }\n  Run the block once per item of a list, range or stream; `break` and `continue` work inside.\n\nExamples:\n  > for g in (groups) { print $g.name }\n",
        "while": "while COND { ... }\n  Run the block while the condition is true.\n",
        "try": "try { ... } catch $e { ... }\n  Run the block; on an error run the catch block with the error in $e: $e.message, $e.kind,\n  $e.file, $e.line, $e.column, and $e.payload (what `error` or the vendor attached).\n\nExamples:\n  > try { agents 999 } catch $e { print $e.message }\n",
        "use": "use VENDOR\n  Make VENDOR the default for resource commands and actions in this session\n  (`--vendor NAME` overrides it for one command). `vendors` lists the names.\n\nExamples:\n  > use dixa\n",
        "source": "source FILE\n  Run a script file here, so its `fn`s and `let`s become available.\n",
        "return": "return [VALUE]\n  Leave the current `fn` (or the script) with VALUE.\n",
        "break": "break\n  Leave the innermost `for` or `while` loop.\n",
        "continue": "continue\n  Go on with the next round of the innermost `for` or `while` loop.\n",
    ]

    /// `help NAME`: usage, description, parameters, flags, types and examples.
    static func helpText(_ c: Command) -> String {
        let sig = c.signature
        var out = "\(sig.usage)\n  \(c.description)\n"
        var params: [(String, String, String)] = sig.positionals.map { p in
            let note = p.defaultValue.map { "(default: \((try? JSON.encode($0)) ?? Formatter.plain($0)))" } ?? (p.optional ? "(optional)" : "")
            return (p.name, p.type.rawValue, [p.description, note].filter { !$0.isEmpty }.joined(separator: " "))
        }
        if let r = sig.rest { params.append(("..." + r.name, r.type.rawValue, r.description)) }
        func table(_ title: String, _ rows: [(String, String, String)]) {
            guard !rows.isEmpty else { return }
            out += "\n\(title):\n"
            let w0 = rows.map { $0.0.count }.max()!, w1 = rows.map { $0.1.count }.max()!
            for (a, b, d) in rows {
                out += "  " + a.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                    + b.padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + d + "\n"
            }
        }
        table("Parameters", params)
        table("Flags", sig.flags.map { f in
            ((f.short.map { "-\($0), " } ?? "") + "--" + f.name, f.type?.rawValue ?? "switch", f.description)
        })
        out += "\nInput: \(sig.input)   Output: \(sig.output)\n"
        if !c.examples.isEmpty {
            out += "\nExamples:\n"
            for e in c.examples {
                if !e.description.isEmpty { out += "  # \(e.description)\n" }
                out += "  > \(e.code)\n"
                if let r = e.result { out += "  \(r)\n" }
            }
        }
        return out
    }

    static var commandList: Command { Command(
        Signature("commands", input: "nothing", output: "list<record>"),
        description: "Every command as a record: {name, category, description}.",
        category: "shell",
        examples: [
            Example("the data commands whose name starts with s", #"commands | where category == "data" and name starts-with "so" | get name"#, result: #"["sort-by"]"#),
            Example("how many commands there are per category", "commands | count-by category"),
        ]
    ) { ctx in
        let shape = Shape.of(["name", "category", "description"])
        return .list(ctx.interpreter.commands.map { c in
            .record(Record(shape: shape, values: [.string(c.name), .string(c.category), .string(c.description)]))
        })
    } }

    static var set: Command { Command(
        Signature("set", positionals: [Parameter("name", .string, "the setting, e.g. dry-run"), Parameter("value", .any, "its value")],
                  input: "nothing", output: "nothing"),
        description: "Change a shell setting, e.g. `set dry-run true`.",
        category: "shell",
        examples: [
            Example("print requests instead of sending them", "set dry-run true"),
            Example("turn it off again", "set dry-run false"),
        ]
    ) { ctx in
        let name = try ctx.string(0)
        if !ctx.input.isNull {
            if case .stream(let s) = ctx.input { s.close() }
            throw ctx.error(.usage, "set: `set \(name) ...` with pipeline input would update objects, which is a vendor action",
                            label: "no vendor action `set` here").withHint("`use VENDOR` first; without input, `set NAME VALUE` changes a shell setting")
        }
        try checkSetting(name, ctx.args[1], ctx, nameArg: 0, valueArg: 1)
        ctx.interpreter.settings[name] = ctx.args[1]
        return .null
    } }

    /// The settings `set NAME VALUE` changes (the vendor layer's `set` too), and what each
    /// takes. A typo is an error: a silently ignored `set dryrun true` would leave dry-run off.
    public static let booleanSettings = ["dry-run"]

    public static func checkSetting(_ name: String, _ value: Value, _ ctx: CallContext, nameArg: Int, valueArg: Int) throws {
        guard booleanSettings.contains(name) else {
            var e = SwitchboardError.unknown("setting", name, candidates: booleanSettings,
                                             span: ctx.args.span(nameArg).isKnown ? ctx.args.span(nameArg) : ctx.span)
            e.hint = "settings: \(booleanSettings.joined(separator: ", ")) (true or false); `set FIELD VALUE` with input objects updates them, like `agents 4 | set name \"Ann\"`"
            throw e
        }
        guard case .bool = value else {
            let shown = value.asString.map { "`\($0)`" } ?? (value.isSequence ? value.typeName : "`\(Formatter.plain(value))`")
            throw ctx.error(.type, "set \(name): takes true or false, not \(shown)", arg: valueArg, label: "true or false")
        }
    }
}
