import Foundation

/// A user `fn`: its declaration and the scope it was declared in, with what a call needs
/// copied into plain fields (read on every call without touching the declaration).
final class UserFunction {
    let decl: FnDecl
    let env: Environment
    let positionalCount: Int
    let slotNames: [String]
    let slotNamesBase: UnsafePointer<String>?
    let defaultTail: [Value]
    /// Scopes of finished calls, ready for reuse (see `Interpreter.recycle`), linked by `nextSpare`.
    @exclusivity(unchecked) var spareScopes: Environment?
    @exclusivity(unchecked) var spareCount = 0
    /// The body's expression when the body is one expression statement and takes no input.
    let bodyExpression: Expr
    let hasBodyExpression: Bool
    /// Whether some positional declares a type other than `any` (checked at each call).
    let typedPositionals: Bool
    /// `bodyExpression` compiled, on the first call.
    @exclusivity(unchecked) var code: Code?
    /// `bodyExpression` compiled in frame mode (see `Code`), on the first call from compiled code;
    /// `frameCompiled` is set once that was tried (the body may not allow it).
    @exclusivity(unchecked) var frameBody: Code?
    @exclusivity(unchecked) var frameCompiled = false
    init(decl: FnDecl, env: Environment) {
        typedPositionals = decl.positionals.contains { $0.type != .any }
        self.decl = decl
        self.env = env
        positionalCount = decl.positionals.count
        slotNames = decl.slotNames
        slotNamesBase = decl.slotNamesBase
        defaultTail = decl.defaultTail
        hasBodyExpression = decl.inputStatement == nil && decl.body.isSingleExpression
        bodyExpression = decl.body.onlyExpression
    }

    /// The body compiled in frame mode, or nil when it needs a scope.
    @inline(__always)
    func frameCode(_ interp: Interpreter) -> Code? {
        if frameCompiled { return frameBody }
        frameCompiled = true
        frameBody = interp.compileFrame(bodyExpression, FrameMap(names: slotNames, slots: Array(slotNames.indices)))
        return frameBody
    }

    /// A scope for a call: one left over from an earlier call, else a new one.
    @inline(__always)
    func takeSpareScope() -> Environment {
        guard let s = spareScopes else { return Environment(parent: env, layout: slotNames, base: slotNamesBase) }
        spareScopes = s.nextSpare
        s.nextSpare = nil
        spareCount -= 1
        return s
    }
}

/// The tree-walking evaluator. Synchronous by design: async per node costs 3-5x
/// (shared/swift-notes.md §4); I/O commands block on their own edges instead.
extension Interpreter {
    // MARK: - Statements

    func exec(_ stmt: Stmt, env: Environment, category: String = "user") throws -> Value {
        try tick()
        switch stmt {
        case .pipeline(let p):
            if let e = p.singleExpression { return try eval(e, env: env) }
            return try evalPipeline(p, env: env, input: .null)
        case .letDecl(let name, let p, _):
            env.declare(name, try evalPipeline(p, env: env, input: .null).collected())
            return .null
        case .assign(let name, let p, let span):
            let v = try evalPipeline(p, env: env, input: .null).collected()
            if !env.assign(name, v) {
                throw SwitchboardError.unknown("variable", "$" + name, candidates: env.visibleNames.map { "$" + $0 }, span: span,
                                               suffix: "").withHint("declare it first with `let \(name) = ...`")
            }
            return .null
        case .fnDecl(let f):
            env.commands[f.name] = makeCommand(f, env: env, category: category)
            if env === globals { commandsChanged() } else { localFunctionScopes += 1 }
            return .null
        case .forLoop(let name, let iterExpr, let body, _):
            var it = try eval(iterExpr, env: env).iterate()
            defer { it.close() }
            while let item = try it.next() {
                let scope = Environment(parent: env, name: name, value: item)
                do {
                    try drain(try execBlock(body, env: scope))
                } catch ControlFlow.breakLoop {
                    break
                } catch ControlFlow.continueLoop {
                    continue
                }
            }
            return .null
        case .whileLoop(let cond, let body, _):
            while try truth(try eval(cond, env: env), cond.span, "a `while` condition") {
                try tick()
                do {
                    try drain(try execBlock(body, env: body.needsScope ? Environment(parent: env) : env))
                } catch ControlFlow.breakLoop {
                    break
                } catch ControlFlow.continueLoop {
                    continue
                }
            }
            return .null
        case .breakStmt(let s): throw ControlFlow.breakLoop(s)
        case .continueStmt(let s): throw ControlFlow.continueLoop(s)
        case .returnStmt(let p, _):
            throw ControlFlow.returnValue(try p.map { try evalPipeline($0, env: env, input: .null) } ?? .null)
        case .use(let name, let span):
            guard let useHandler else {
                throw SwitchboardError(.name, "no vendors are available here, so `use \(name)` has nothing to select", span: span)
            }
            try useHandler(name, span)
            return .null
        case .source(let pathExpr, let span):
            let path = try stringValue(try eval(pathExpr, env: env), pathExpr.span, "a path")
            if configuration.capabilities.contains(.noFileSystem) {
                throw SwitchboardError(.io, "`source` is not allowed: this interpreter has no file system access", span: span)
            }
            let (name, text) = try configuration.loadModule(path, scriptDirectory ?? configuration.workingDirectory)
            let block: Block
            do { block = try parse(text, name: name) } catch {
                throw error.errors.first ?? SwitchboardError(.parse, "`\(path)` does not parse", span: span)
            }
            let dir = (name as NSString).deletingLastPathComponent
            currentDirectory.append(dir.isEmpty ? scriptDirectory : ((dir.hasPrefix("/") ? dir : ((scriptDirectory ?? configuration.workingDirectory) as NSString).appendingPathComponent(dir))))
            defer { currentDirectory.removeLast() }
            var last = Value.null
            for s in block.statements {
                try drain(last)
                last = try exec(s, env: env)
            }
            try drain(last)
            return .null
        }
    }

    /// Runs a block's statements in `env`; its value is the last statement's value.
    /// Earlier statements' streams are drained, so their actions happen.
    func execBlock(_ block: Block, env: Environment) throws -> Value {
        if block.isSingleExpression {
            try tick()
            return try eval(block.onlyExpression, env: env)
        }
        var last = Value.null
        for stmt in block.statements {
            if case .stream = last { try drain(last) }
            last = try exec(stmt, env: env)
        }
        return last
    }

    // MARK: - Pipelines

    func evalPipeline(_ p: Pipeline, env: Environment, input: Value) throws -> Value {
        if input.isNull, let e = p.singleExpression { return try eval(e, env: env) }
        var value = input
        for stage in p.stages {
            switch stage {
            case .command(let call):
                value = try invoke(call, env: env, input: value)
            case .expr(let e):
                if value.isNull {
                    value = try eval(e, env: env)
                } else {
                    value = try eval(e, env: Environment(parent: env, name: "in", value: value))
                }
            }
        }
        return value
    }

    // MARK: - Calls

    /// The command a call names: a `fn` declared in an enclosing local scope, else a global `fn`
    /// or a registered command. The global answer is cached on the call node until a global
    /// `fn` is declared or a command registered.
    @inline(__always)
    func resolve(_ call: CommandCall, env: Environment) -> Command? {
        // Until a `fn` is declared in a local scope, every chain's only commands are the globals'.
        guard localFunctionScopes == 0 || env.reachesWithoutLocalCommands(globals) else {
            return env.command(call.name) ?? command(named: call.name)
        }
        if call.cachedGeneration == commandGeneration, let c = call.cachedCommand { return c }
        guard let c = command(named: call.name) else { return nil }
        do {
            call.cachedCommand = c
            call.cachedGeneration = commandGeneration
        }
        return c
    }

    func invoke(_ call: CommandCall, env: Environment, input: Value) throws -> Value {
        guard let command = resolve(call, env: env) else {
            // Inside a closure, a lone unknown word is a field of the current row.
            if call.arguments.isEmpty, env.lookup("it") != nil { return try eval(.rowField(RowField(call.name, call.nameSpan)), env: env) }
            var candidates = commands.map(\.name)
            candidates.append(contentsOf: env.visibleCommands)
            var err = SwitchboardError.unknown("command", call.name, candidates: candidates, span: call.nameSpan)
            if err.options.isEmpty { err.hint = "`commands` lists every command; `help NAME` shows one" }
            throw err
        }
        if let uf = command.userFunction, call.allPositional, call.positionalExprs.count == uf.positionalCount {
            // A user `fn` given exactly its positionals: bind them straight into the call's scope.
            // Same order of evaluation and the same errors as `bind` + `run`, without a `CallContext`.
            // A scope left over from an earlier call (see `recycle`), else a new one.
            var scope = uf.takeSpareScope()
            let exprs = call.positionalExprs
            for k in exprs.indices {
                let v = try eval(exprs[k], env: env)
                if uf.typedPositionals { try checkPositional(uf, k, v, call) }
                scope.push(v)
            }
            if !uf.defaultTail.isEmpty { for v in uf.defaultTail { scope.push(v) } }
            let fnInput = call.isExpressionCall ? Value.null : input
            scope.push(fnInput)
            do {
                try enterCall(call.span)
                defer { callDepth -= 1 }
                let result = try runFunction(uf, scope, input: fnInput)
                recycle(&scope, uf)
                return result
            } catch let e as SwitchboardError {
                throw located(e, call, command)
            }
        }
        let args = try bind(call, command.signature, env: env)
        let ctx = CallContext(interpreter: self, command: command, args: args,
                              input: call.isExpressionCall ? .null : input, span: call.span)
        do {
            return try command.run(ctx)
        } catch let e as SwitchboardError {
            throw located(e, call, command)
        }
    }

    /// The `k`th positional argument of a call of a user `fn` against its declared type.
    func checkPositional(_ uf: UserFunction, _ k: Int, _ v: Value, _ call: CommandCall) throws {
        try checkType(v, uf.decl.positionals[k].type, "parameter `\(uf.decl.positionals[k].name)`", call.name, call.positionalExprs[k].span)
    }

    /// A `fn` argument against its declared type.
    @inline(__always)
    func checkType(_ v: Value, _ type: ParameterType, _ what: String, _ fn: String, _ span: SourceSpan) throws {
        guard !type.accepts(v) else { return }
        throw SwitchboardError(.type, "`\(fn)`: \(what) takes \(article(type.rawValue)), not \(article(v.typeName))", span: span)
    }

    /// Keeps a finished call's scope for the next call of the same `fn` when nothing holds it
    /// (no closure or stream captured it) and it still has the call layout: calls then allocate
    /// no scope. At most a few are kept (one per level of recursion in use).
    @inline(__always)
    func recycle(_ scope: inout Environment, _ uf: UserFunction) {
        guard uf.spareCount < 16, isKnownUniquelyReferenced(&scope),
              scope.nameCount == uf.slotNames.count, !scope.hasCommands else { return }
        scope.unbindAll()
        scope.nextSpare = uf.spareScopes
        uf.spareScopes = scope
        uf.spareCount += 1
    }

    /// Points an error at the call; an error inside a prelude command points at the user's
    /// call, not into stdlib/prelude.swb (the prelude's line is kept in the hint).
    func located(_ e: SwitchboardError, _ call: CommandCall, _ command: Command) -> SwitchboardError {
        guard command.category == "prelude", e.span.isKnown, e.kind != .limit, e.kind != .cancelled,
              let f = sources.file(e.span.source), f.name.hasPrefix("stdlib/") else { return e.at(call.span) }
        var moved = e
        if moved.hint == nil { moved.hint = "raised inside the prelude command `\(command.name)` (\(location(e.span)))" }
        moved.span = call.span
        moved.label = nil
        return moved
    }

    func bind(_ call: CommandCall, _ sig: Signature, env: Environment) throws -> Arguments {
        var a = Arguments()
        a.positional.reserveCapacity(sig.positionals.count)
        func addPositional(_ v: Value, _ span: SourceSpan) throws {
            if a.positional.count < sig.positionals.count {
                a.positional.append(v)
                a.positionalSpans.append(span)
            } else if sig.rest != nil {
                a.rest.append(v)
                a.positionalSpans.append(span)  // rest spans follow the positionals' (Arguments.span)
            } else {
                let n = sig.positionals.count
                throw SwitchboardError(.usage, "`\(sig.name)` takes \(n == 0 ? "no" : "at most \(n)") positional argument\(n == 1 ? "" : "s")",
                                       span: span, label: "unexpected argument", hint: "usage: \(sig.usage)")
            }
        }
        for arg in call.arguments {
            switch arg {
            case .positional(let e):
                try addPositional(try eval(e, env: env), e.span)
            case .flag(let name, let short, let valueExpr, let span):
                let flag = short ? (name.count == 1 ? sig.flag(short: name.first!) : nil) : sig.flag(named: name)
                guard let flag else {
                    var err = SwitchboardError.unknown("flag", short ? "-" + name : "--" + name,
                                                       candidates: sig.flags.map { "--" + $0.name }, span: span,
                                                       suffix: " for `\(sig.name)`")
                    err.hint = "usage: \(sig.usage)"
                    throw err
                }
                if flag.isSwitch {
                    a.flags[flag.name] = .bool(true)
                    if let valueExpr { try addPositional(try eval(valueExpr, env: env), valueExpr.span) }
                } else {
                    guard let valueExpr else {
                        throw SwitchboardError(.usage, "`--\(flag.name)` needs a value", span: span, hint: "usage: \(sig.usage)")
                    }
                    a.flags[flag.name] = try eval(valueExpr, env: env)
                }
                a.flagSpans[flag.name] = span
            }
        }
        if a.positional.count < sig.positionals.count {
            for p in sig.positionals[a.positional.count...] {
                guard p.optional else {
                    throw SwitchboardError(.usage, "`\(sig.name)` needs its `\(p.name)` argument", span: call.span,
                                           label: "missing \(p.name)", hint: "usage: \(sig.usage)")
                }
                a.positional.append(p.defaultValue ?? .null)
                a.positionalSpans.append(.unknown)
            }
        }
        return a
    }

    /// Calls a closure: `$it` and its first parameter are the first argument.
    public func call(_ closure: Closure, arguments: [Value], input: Value = .null) throws -> Value {
        if arguments.count == 1 { return try call(closure, argument: arguments[0], input: input) }
        try tick()
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > configuration.limits.maxCallDepth {
            throw SwitchboardError(.limit, "recursion is too deep (more than \(configuration.limits.maxCallDepth) nested calls)", span: closure.span)
        }
        let decl = closure.decl
        let withIn = !input.isNull && (decl.params.isEmpty || arguments.isEmpty)
        let env: Environment
        if let first = arguments.first {
            // The layout is shared by every call of this closure.
            env = Environment(parent: closure.env, layout: withIn ? decl.slotNamesWithIn : decl.slotNames)
            env.push(first)
            for k in 0..<decl.params.count { env.push(k < arguments.count ? arguments[k] : .null) }
            if withIn { env.push(input) }
        } else {
            env = Environment(parent: closure.env)
            if withIn { env.bind("in", input) }
        }
        return try runClosureBody(decl, env)
    }

    /// `call(closure, arguments: [argument], input:)` without the arguments array: the per-row call
    /// of `each`, `where` and friends.
    func call(_ closure: Closure, argument: Value, input: Value = .null) throws -> Value {
        try tick()
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > configuration.limits.maxCallDepth {
            throw SwitchboardError(.limit, "recursion is too deep (more than \(configuration.limits.maxCallDepth) nested calls)", span: closure.span)
        }
        let decl = closure.decl
        let withIn = decl.params.isEmpty && !input.isNull
        // A one-expression body of compiled nodes reads the row where it is: no scope at all.
        // (With `in` bound, `in` is the input, which is the row when a row command calls.)
        if let code = decl.rowFrameCode(self, withIn: withIn), !withIn || input.isSameRow(as: argument) {
            // The declaration holds the code: borrowed, not retained, for the call.
            return try code._withUnsafeGuaranteedRef { code in
                try withUnsafePointer(to: argument) { try code.run(self, closure.env, UnsafeMutablePointer(mutating: $0)) }
            }
        }
        // Row commands call one closure per row. The previous row's scope is reused when nothing
        // kept a reference to it (no closure created in the body escaped, no call still running).
        if closure.rowScope != nil, isKnownUniquelyReferenced(&closure.rowScope!) {
            let env = closure.rowScope!
            let slots = decl.slotNames.count + (withIn ? 1 : 0)
            if env.count == slots, env.nameCount == slots, !env.hasCommands {
                // Same layout as the last row (nothing declared): overwrite the slots.
                env.set(0, argument)
                if !decl.params.isEmpty {
                    env.set(1, argument)
                    for k in 2..<env.count { env.set(k, .null) }
                } else if !input.isNull {
                    env.set(1, input)
                }
                return try runClosureBody(decl, env, row: argument)
            }
            env.reset(layout: withIn ? decl.slotNamesWithIn : decl.slotNames)
            bindRow(env, decl, argument, input)
            return try runClosureBody(decl, env, row: argument)
        }
        let env = Environment(parent: closure.env, layout: withIn ? decl.slotNamesWithIn : decl.slotNames)
        bindRow(env, decl, argument, input)
        closure.rowScope = env
        return try runClosureBody(decl, env, row: argument)
    }

    @inline(__always)
    private func bindRow(_ env: Environment, _ decl: ClosureDecl, _ argument: Value, _ input: Value) {
        env.push(argument)
        if !decl.params.isEmpty {
            env.push(argument)
            for _ in 1..<decl.params.count { env.push(.null) }
        } else if !input.isNull {
            env.push(input)
        }
    }

    @inline(__always)
    private func runClosureBody(_ decl: ClosureDecl, _ env: Environment, row: Value = .null) throws -> Value {
        // Fast path for one-expression closures such as row conditions.
        if let e = decl.singleExpression {
            if let code = decl.code { return try code.run(self, env, noFrame) }
            let code = compile(e, layout: decl.slotNames)
            decl.code = code
            return try code.run(self, env, noFrame)
        }
        do {
            // `each { length }`: a closure that is one pipeline starting with a command gives
            // that command the row as its input, as `$in` would be in Nushell.
            if let p = decl.commandPipeline, !row.isNull { return try evalPipeline(p, env: env, input: row) }
            return try execBlock(decl.body, env: env)
        } catch ControlFlow.returnValue(let v) {
            return v
        }
    }

    /// Turns an `fn` declaration into a command bound to the scope it was declared in.
    func makeCommand(_ f: FnDecl, env defEnv: Environment, category: String) -> Command {
        let uf = UserFunction(decl: f, env: defEnv)
        let command = Command(f.signature, description: f.description.isEmpty ? "defined at \(location(f.span))" : f.description,
                category: category, examples: f.examples) { [unowned(unsafe) self] ctx in
            try self.enterCall(ctx.span)
            defer { self.callDepth -= 1 }
            let env = Environment(parent: defEnv)
            for (k, p) in f.positionals.enumerated() {
                var v = ctx.args[k]
                if ctx.args.span(k) == .unknown, let d = p.defaultValue { v = try self.eval(d, env: env) }
                try self.checkType(v, p.type, "parameter `\(p.name)`", f.name, ctx.args.span(k))
                env.bind(p.name, v)
            }
            for flag in f.flags {
                let v = ctx.args.flags[flag.name] ?? (flag.type == nil ? .bool(false) : .null)
                if let type = flag.type { try self.checkType(v, type, "`--\(flag.name)`", f.name, ctx.args.flagSpans[flag.name] ?? ctx.span) }
                env.bind(flag.name, v)
            }
            if let r = f.rest {
                env.bind(r.name, .list(ctx.args.rest))
            }
            env.bind("in", ctx.input)
            return try self.runFunction(uf, env, input: ctx.input)
        }
        command.userFunction = uf
        return command
    }

    /// Counts a step and one more nested call; the caller decrements `callDepth` when the call ends.
    @inline(__always)
    func enterCall(_ span: SourceSpan) throws {
        try tick()
        callDepth += 1
        if callDepth > configuration.limits.maxCallDepth {
            callDepth -= 1
            throw SwitchboardError(.limit, "recursion is too deep (more than \(configuration.limits.maxCallDepth) nested calls)", span: span)
        }
    }

    /// Runs a user `fn`'s body in `env` (its parameters and `in` already bound).
    func runFunction(_ uf: UserFunction, _ env: Environment, input: Value) throws -> Value {
        do {
            if uf.hasBodyExpression {
                try tick()
                if let code = uf.code { return try code.run(self, env, noFrame) }
                let code = compile(uf.bodyExpression, layout: uf.slotNames)
                uf.code = code
                return try code.run(self, env, noFrame)
            }
            // The input flows into the first pipeline statement that starts with a command
            // (after any `let`s), so `fn f() { let x = 1; where load > $x }` filters its input.
            var last = Value.null
            let statements = uf.decl.body.statements
            let inputStatement = uf.decl.inputStatement ?? -1
            for k in statements.indices {
                if case .stream = last { try drain(last) }
                if k == inputStatement, case .pipeline(let p) = statements[k] {
                    last = try evalPipeline(p, env: env, input: input)
                } else {
                    last = try exec(statements[k], env: env)
                }
            }
            return last
        } catch ControlFlow.returnValue(let v) {
            return v
        }
    }

    func location(_ span: SourceSpan) -> String {
        guard let f = sources.file(span.source) else { return "?" }
        let (l, c) = f.location(of: Int(span.start))
        return "\(f.name):\(l):\(c)"
    }

    // MARK: - Expressions

    func eval(_ e: Expr, env: Environment) throws -> Value {
        switch e {
        case .literal(let v, _):
            return v
        case .variable(let name, let span):
            if let v = env.lookup(name) { return v }
            return try specialVariable(name, span, env: env)
        case .rowField(let f):
            return try rowField(f, it: env.lookup("it"), env: env)
        case .member(let base, let name, let optional, let span):
            return try member(try eval(base, env: env), name, optional: optional, span: span)
        case .index(let base, let idx, let optional, let span):
            let b = try eval(base, env: env)
            return try indexed(b, try eval(idx, env: env), optional: optional, span: span, indexSpan: idx.span)
        case .binary(let b):
            return try binary(b, env: env)
        case .unary(let op, let x, let span):
            let v = try eval(x, env: env)
            switch op {
            case .not:
                return .bool(!(try truth(v, x.span, "`not`")))
            case .neg:
                switch v {
                case .int(let n):
                    guard n != .min else { throw SwitchboardError(.value, "integer overflow", span: span) }
                    return .int(-n)
                case .float(let d): return .float(-d)
                case .duration(let d):
                    guard d != .min else { throw SwitchboardError(.value, "duration out of range", span: span) }
                    return .duration(-d)
                default: throw SwitchboardError(.type, "cannot negate \(article(v.typeName))", span: span)
                }
            }
        case .list(let items, _):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for k in items.indices { out.append(try eval(items[k], env: env)) }
            return .list(out)
        case .record(let shape, let exprs, _):
            var values: [Value] = []
            values.reserveCapacity(exprs.count)
            for k in exprs.indices { values.append(try eval(exprs[k], env: env)) }
            return .record(Record(shape: shape, values: values))
        case .closure(let decl):
            return .closure(Closure(decl: decl, env: env))
        case .range(let lo, let hi, let inclusive, _):
            let a = try eval(lo, env: env), b = try eval(hi, env: env)
            guard case .int(let x) = a else { throw SwitchboardError(.type, "a range bound must be an int, not \(a.typeName)", span: lo.span) }
            guard case .int(let y) = b else { throw SwitchboardError(.type, "a range bound must be an int, not \(b.typeName)", span: hi.span) }
            return .range(RangeValue(lower: x, upper: y, inclusive: inclusive))
        case .call(let c):
            return try invoke(c, env: env, input: .null)
        case .subcall(let n):
            return try invoke(n.call, env: env, input: .null)
        case .subexpression(let p, _):
            if let c = p.singleCommand { return try invoke(c, env: env, input: .null) }
            return try evalPipeline(p, env: env, input: .null)
        case .interpolated(let pieces, _):
            return .string(try interpolate(pieces, env: env))
        case .ifExpr(let node):
            // The node's fields are passed straight on (borrowed, not copied into locals).
            if try isTrue(try eval(node.firstCondition, env: env), node.firstCondition, "an `if` condition") {
                return try execBlock(node.firstBlock, env: node.firstNeedsScope ? Environment(parent: env) : env)
            }
            if node.isIfElse {
                return try execBlock(node.onlyElse, env: node.onlyElseNeedsScope ? Environment(parent: env) : env)
            }
            for k in node.conditions.indices.dropFirst() {
                let cond = node.conditions[k]
                if try truth(try eval(cond, env: env), cond.span, "an `if` condition") {
                    let body = node.blocks[k]
                    return try execBlock(body, env: body.needsScope ? Environment(parent: env) : env)
                }
            }
            if let elseBlock = node.elseBlock {
                return try execBlock(elseBlock, env: elseBlock.needsScope ? Environment(parent: env) : env)
            }
            return .null
        case .tryExpr(let body, let name, let handler, _):
            do {
                return try execBlock(body, env: Environment(parent: env)).collected()
            } catch let err as SwitchboardError {
                if err.kind == .cancelled || err.kind == .limit { throw err }
                guard let handler else { return .null }
                let scope = Environment(parent: env)
                if let name { scope.declare(name, .error(ErrorValue(err))) }
                return try execBlock(handler, env: scope)
            }
        }
    }

    /// A bare name in an expression: the field `f` of the current row `it` (`$it`, nil when unbound).
    @inline(__always)
    func rowField(_ f: RowField, it: Value?, env: Environment) throws -> Value {
        let name = f.name, span = f.span
        guard let it else {
            var err = SwitchboardError(.name, "unknown name `\(name)`", span: span)
            if env.lookup(name) != nil {
                err.label = "did you mean `$\(name)`?"
                err.options = ["$" + name]
            } else if command(named: name) != nil {
                err.label = "to call `\(name)` here, write `(\(name))` or `\(name)()`"
            } else {
                err.hint = "a bare word in an expression is a field of the current row, and there is no row here; write a string in quotes"
            }
            throw err
        }
        switch it {
        case .record(let r):
            if r.shape === f.lastShape { return r.values[f.lastSlot] }
            if let k = r.shape.slot(name) {
                f.lastShape = r.shape
                f.lastSlot = k
                return r.values[k]
            }
            // A resource object's fields are known, so a typo is an error (`stauts`);
            // a plain record's missing field reads as null.
            if r.tag != nil { throw unknownField(name, in: r, span: span) }
            return .null
        case .null: return .null
        default:
            throw SwitchboardError(.type, "`\(name)` is read as a field of the current row, but the row is \(article(it.typeName))", span: span)
        }
    }

    /// `"text \(expr) text"`. Text, strings and ints go into one stack buffer that becomes the
    /// String at the end (one allocation at most, no growing); anything else, or a long
    /// result, continues in a String. Pieces are evaluated once each, in order.
    func interpolate(_ pieces: [InterpolationPiece], env: Environment) throws -> String {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buf in
            var text = TextBuilder(buf)
            for k in pieces.indices {
                switch pieces[k] {
                case .text(let t): text.append(t)
                case .expr(let p):
                    text.append(Formatter.plain(try evalPipeline(p, env: env, input: .null).collected()))
                case .single(let e):
                    // One expression stage (`\($i)`): what `evalPipeline` does with no input.
                    let v = try eval(e, env: env)
                    switch v {
                    case .string(let t): text.append(t)
                    case .int(let i): text.append(i)
                    default: text.append(Formatter.plain(try v.collected()))
                    }
                }
            }
            return text.finish()
        }
    }

    func specialVariable(_ name: String, _ span: SourceSpan, env: Environment) throws -> Value {
        switch name {
        case "env":
            return .record(Record(fields: configuration.environment.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        case "args":
            return .list(scriptArguments.map { .string($0) })
        case "in", "it":
            return .null
        default:
            var candidates = env.visibleNames
            candidates.append(contentsOf: ["env", "args"])
            throw SwitchboardError.unknown("variable", "$" + name, candidates: candidates.map { "$" + $0 }, span: span)
        }
    }

    /// `truth`, with the span worked out only for the error.
    @inline(__always)
    func isTrue(_ v: Value, _ e: Expr, _ what: String) throws -> Bool {
        if case .bool(let b) = v { return b }
        return try truth(v, e.span, what)
    }

    func truth(_ v: Value, _ span: SourceSpan, _ what: String) throws -> Bool {
        if let b = v.asBool { return b }
        throw SwitchboardError(.type, "\(what) must be a bool, not \(article(v.typeName))", span: span)
    }

    func stringValue(_ v: Value, _ span: SourceSpan, _ what: String) throws -> String {
        if case .string(let s) = v { return s }
        throw SwitchboardError(.type, "expected \(what) (a string), not \(article(v.typeName))", span: span)
    }

    func member(_ base: Value, _ name: String, optional: Bool, span: SourceSpan) throws -> Value {
        switch base {
        case .record(let r):
            if let v = r[name] { return v }
            if optional { return .null }
            throw unknownField(name, in: r, span: span)
        case .list(let rows):
            // `$xs.1` indexes; `$rows.name` reads the field of every row.
            if let n = Int(name) {
                if n < rows.count { return rows[n] }
                if optional { return .null }
                throw SwitchboardError(.value, "index \(n) is out of range (the list has \(rows.count) item\(rows.count == 1 ? "" : "s"))", span: span)
            }
            return .list(try rows.map { try member($0, name, optional: optional, span: span) })
        case .stream, .range:
            return try member(try base.collected(), name, optional: optional, span: span)
        case .null:
            if optional { return .null }
            throw SwitchboardError(.type, "cannot read field `\(name)` of null", span: span, hint: "`?.\(name)` reads null instead")
        case .error(let e):
            return try member(ErrorValues.record(e.error, sources: sources), name, optional: optional, span: span)
        default:
            if optional { return .null }
            throw SwitchboardError(.type, "cannot read field `\(name)` of \(article(base.typeName))", span: span)
        }
    }

    func unknownField(_ name: String, in r: Record, span: SourceSpan) -> SwitchboardError {
        let kind = r.tag.map { String($0.split(separator: "@").first ?? "record") } ?? "record"
        return SwitchboardError.unknown("field", name, candidates: r.keys, span: span, suffix: " on \(kind)")
    }

    /// `base[idx]` (`optional`: a path into a row field, where a missing part reads as null).
    @inline(__always)
    func indexed(_ b: Value, _ i: Value, optional: Bool, span: SourceSpan, indexSpan: SourceSpan) throws -> Value {
        // `$list[n]` in range: the common case, without the general dispatch.
        if case .list(let l) = b, case .int(let n) = i, n >= 0, n < l.count { return l[n] }
        if optional {
            // A path into a row field: a missing part reads as null.
            if b.isNull { return .null }
            if case .list(let l) = b, case .int(let n) = i, n >= l.count || n < -l.count { return .null }
        }
        return try index(b, i, span: span, indexSpan: indexSpan)
    }

    func index(_ base: Value, _ idx: Value, span: SourceSpan, indexSpan: SourceSpan) throws -> Value {
        switch (base, idx) {
        case (.list(let l), .int(let n)):
            let k = n < 0 ? l.count + n : n
            guard k >= 0, k < l.count else {
                throw SwitchboardError(.value, "index \(n) is out of range (the list has \(l.count) item\(l.count == 1 ? "" : "s"))", span: indexSpan)
            }
            return l[k]
        case (.record, .string(let key)):
            return try member(base, key, optional: false, span: indexSpan)
        case (.string(let s), .int(let n)):
            let chars = Array(s)
            let k = n < 0 ? chars.count + n : n
            guard k >= 0, k < chars.count else { throw SwitchboardError(.value, "index \(n) is out of range (the string has \(chars.count) characters)", span: indexSpan) }
            return .string(String(chars[k]))
        case (.stream, _), (.range, _):
            return try index(try base.collected(), idx, span: span, indexSpan: indexSpan)
        case (.null, _):
            throw SwitchboardError(.type, "cannot index null", span: span)
        default:
            throw SwitchboardError(.type, "cannot index \(article(base.typeName)) with \(article(idx.typeName))", span: indexSpan)
        }
    }

    // MARK: - Operators

    func binary(_ b: BinaryNode, env: Environment) throws -> Value {
        let op = b.op
        switch op {
        case .and:
            guard try truth(try eval(b.lhs, env: env), b.lhs.span, "the left side of `and`") else { return .bool(false) }
            return .bool(try truth(try eval(b.rhs, env: env), b.rhs.span, "the right side of `and`"))
        case .or:
            if try truth(try eval(b.lhs, env: env), b.lhs.span, "the left side of `or`") { return .bool(true) }
            return .bool(try truth(try eval(b.rhs, env: env), b.rhs.span, "the right side of `or`"))
        case .coalesce:
            let l = try eval(b.lhs, env: env)
            return l.isNull ? try eval(b.rhs, env: env) : l
        default:
            break
        }
        return try applyBinary(b, try eval(b.lhs, env: env), try eval(b.rhs, env: env))
    }

    /// The int fast paths of `x op y`; nil when `Operators` must decide (overflow, `*`, `/`,
    /// a `%` by zero or a negative).
    @inline(__always)
    static func intOp(_ op: BinaryOp, _ x: Int, _ y: Int) -> Value? {
        switch op {
        case .add: let (v, o) = x.addingReportingOverflow(y); return o ? nil : .int(v)
        case .sub: let (v, o) = x.subtractingReportingOverflow(y); return o ? nil : .int(v)
        case .lt: return .bool(x < y)
        case .le: return .bool(x <= y)
        case .gt: return .bool(x > y)
        case .ge: return .bool(x >= y)
        case .eq: return .bool(x == y)
        case .ne: return .bool(x != y)
        case .mod: return y > 0 ? .int(x % y) : nil
        default: return nil
        }
    }

    /// `l op r` for the operators that evaluate both sides (not `and`, `or`, `??`).
    @inline(__always)
    func applyBinary(_ b: BinaryNode, _ l: Value, _ r: Value) throws -> Value {
        let op = b.op
        // Int fast paths; anything else (and every error) goes through `Operators`.
        if case .int(let x) = l, case .int(let y) = r, let v = Interpreter.intOp(op, x, y) { return v }
        // Parenthesised pipelines are streams: operate on what they hold.
        if case .stream = l { return try Operators.apply(op, try l.collected(), try r.collected(), span: b.span, interpreter: self) }
        if case .stream = r { return try Operators.apply(op, l, try r.collected(), span: b.span, interpreter: self) }
        return try Operators.apply(op, l, r, span: b.span, interpreter: self)
    }
}

func article(_ typeName: String) -> String {
    if typeName == "null" { return "null" }
    return (["a", "e", "i", "o", "u"].contains(typeName.first.map(String.init) ?? "") ? "an " : "a ") + typeName
}

extension SwitchboardError {
    func withHint(_ h: String) -> SwitchboardError {
        var c = self
        if c.hint == nil { c.hint = h }
        return c
    }
}

/// How errors look as values: `$e.message`, `$e.kind`, `$e.line`.
enum ErrorValues {
    static func record(_ e: SwitchboardError, sources: SourceMap) -> Value {
        var fields: [(String, Value)] = [("message", .string(e.message)), ("kind", .string(e.kind.rawValue))]
        if let f = sources.file(e.span.source) {
            let (l, c) = f.location(of: Int(e.span.start))
            fields.append(("file", .string(f.name)))
            fields.append(("line", .int(l)))
            fields.append(("column", .int(c)))
        }
        if let p = e.payload { fields.append(("payload", p)) }
        return .record(Record(fields: fields))
    }
}

/// Builds a short string in a caller-provided byte buffer, moving to a `String` when it
/// does not fit.
struct TextBuilder {
    let buf: UnsafeMutableBufferPointer<UInt8>
    var count = 0
    var spilled: String?
    /// Every byte so far is ASCII (then a short result is made without validating it again).
    var ascii = true

    init(_ buf: UnsafeMutableBufferPointer<UInt8>) { self.buf = buf }

    mutating func append(_ t: String) {
        if spilled == nil {
            // A short ASCII string is stored inline (`SmallString`): copy its bytes straight out.
            if SmallString.layoutKnown, count + 15 <= buf.count {
                let (lo, hi) = unsafeBitCast(t, to: (UInt64, UInt64).self)
                if hi >> 60 == 0xE {
                    let n = Int((hi >> 56) & 0xF)
                    withUnsafeBytes(of: (lo, hi)) { raw in
                        UnsafeMutableRawPointer(buf.baseAddress! + count).copyMemory(from: raw.baseAddress!, byteCount: n)
                    }
                    count += n
                    return
                }
            }
            ascii = false
            let fits = t.utf8.withContiguousStorageIfAvailable { src in
                guard count + src.count <= buf.count else { return false }
                if let from = src.baseAddress {
                    UnsafeMutableRawPointer(buf.baseAddress! + count).copyMemory(from: from, byteCount: src.count)
                }
                count += src.count
                return true
            }
            if fits == true { return }
            spilled = finish()
        }
        spilled! += t
    }

    mutating func append(_ i: Int) {
        guard spilled == nil, count + 20 <= buf.count else { return append(String(i)) }
        let p = buf.baseAddress!
        var m = i.magnitude
        if i < 0 {
            p[count] = UInt8(ascii: "-")
            count += 1
        }
        var a = count
        repeat {
            p[count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10)
            count += 1
            m /= 10
        } while m > 0
        var b = count - 1
        while a < b {
            (p[a], p[b]) = (p[b], p[a])
            a += 1
            b -= 1
        }
    }

    func finish() -> String {
        if let spilled { return spilled }
        if ascii, count <= 15, let s = SmallString.make(UnsafeBufferPointer(start: buf.baseAddress, count: count)) { return s }
        return String(decoding: UnsafeBufferPointer(start: buf.baseAddress, count: count), as: UTF8.self)
    }
}

/// Swift stores a string of at most 15 ASCII bytes inline in its two words: the bytes in order,
/// then a top nibble 0xE and the count in the next nibble (64-bit platforms). `layoutKnown`
/// checks that on a sample at start, so another layout only loses the shortcut.
enum SmallString {
    static let layoutKnown: Bool = {
        guard MemoryLayout<String>.size == 16 else { return false }
        let (lo, hi) = unsafeBitCast("abcdefghij", to: (UInt64, UInt64).self)
        return lo == 0x6867_6665_6463_6261 && hi == 0xEA00_0000_0000_6A69
    }()

    /// Whether `s` is stored inline as ASCII (and the layout is the one described above).
    static func isShortASCII(_ s: String) -> Bool {
        guard layoutKnown else { return false }
        return unsafeBitCast(s, to: (UInt64, UInt64).self).1 >> 60 == 0xE
    }

    /// The string of these ASCII bytes (at most 15), built inline without validating them again.
    @inline(__always)
    static func make(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard layoutKnown, bytes.count <= 15 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            if let from = bytes.baseAddress { raw.baseAddress!.copyMemory(from: from, byteCount: bytes.count) }
        }
        words.1 |= 0xE000_0000_0000_0000 | (UInt64(bytes.count) << 56)
        return unsafeBitCast(words, to: String.self)
    }
}
