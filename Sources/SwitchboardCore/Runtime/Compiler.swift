/// One-expression bodies (of closures and `fn`s) compiled once into a tree of small final-class nodes.
///
/// A compiled node does what `Interpreter.eval` does for its expression, with the same order of
/// evaluation and the same errors, but it has decided ahead what the tree walker decides on each
/// evaluation: which case it is, and for a variable of the body's own scope, its slot. Expressions
/// it does not handle are evaluated by `eval`, so behaviour stays the tree walker's.
///
/// Two modes:
/// - scope mode: the body runs in an `Environment` (its slots are checked by name on each read,
///   so a scope of another layout still gets the right value);
/// - frame mode, for a `fn` body that only has compiled nodes (nothing can capture or walk the
///   call's scope): its parameters live in a `Frame` on the native stack and `env` is the scope
///   the `fn` was declared in, so a call allocates no scope at all. The few error messages that
///   list the names in scope see the same names (`FrameScope.rebuild`).
class Code {
    func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value { fatalError("abstract node") }
    /// Unretained references to `nodes`, for a node that keeps `nodes` (running a node read from
    /// an array would retain it for the call).
    static func refs(_ nodes: [Code]) -> [Unmanaged<Code>] { nodes.map { Unmanaged.passUnretained($0) } }
    /// Whether running it only reads (calls nothing, assigns nothing).
    var isPure: Bool { false }
}

/// A `fn` call's parameters (and `in`), in the order of the `fn`'s layout.
typealias Frame = UnsafeMutablePointer<Value>

/// What the compiler knows of the scope a body runs in.
final class CompileScope {
    /// The names of the first slots (nil: unknown).
    let layout: [String]?
    /// Frame mode: `layout` names the call scope's slots, `map` says where each one's value is
    /// in the frame, and `env` is the declaring scope.
    let frame: FrameMap?
    /// Frame mode only: false once a node needs the call's scope (a fallback to `eval`).
    var frameSafe = true
    init(layout: [String]?, frame: FrameMap?) {
        self.layout = layout
        self.frame = frame
    }
}

/// Where the values of a call scope's slots are in a frame: `slots[k]` is the frame index of
/// slot `k`, or nil for a slot that holds null. A `fn` call's frame holds every slot; a row
/// call's frame is the row alone (it stands for `$it`, the first parameter and `$in`).
struct FrameMap {
    let names: [String]
    let slots: [Int?]

    /// The scope a frame-mode call stands for (for the error messages that list names in scope).
    func rebuild(_ env: Environment, _ frame: Frame) -> Environment {
        Environment(parent: env, names: names, values: slots.map { $0.map { frame[$0] } ?? .null })
    }

    /// Where the value of `name` is: in the frame, null, or not in the call scope.
    func place(of name: String) -> FramePlace {
        guard let k = names.lastIndex(of: name) else { return .outside }
        return slots[k].map { .frame($0) } ?? .null
    }
}

enum FramePlace {
    case frame(Int), null, outside
}

/// No frame: what scope-mode code is given (never read).
nonisolated(unsafe) let noFrame = Frame.allocate(capacity: 1)

extension Interpreter {
    /// Compiles `e` for a scope whose first slots are named by `layout` (nil: unknown).
    func compile(_ e: Expr, layout: [String]?) -> Code {
        compile(e, CompileScope(layout: layout, frame: nil))
    }

    /// Compiles a body in frame mode; nil when some node needs the call's scope.
    func compileFrame(_ e: Expr, _ map: FrameMap) -> Code? {
        let scope = CompileScope(layout: map.names, frame: map)
        let code = compile(e, scope)
        return scope.frameSafe ? code : nil
    }

    private func compile(_ e: Expr, _ scope: CompileScope) -> Code {
        let layout = scope.layout
        switch e {
        case .literal(let v, _):
            return LiteralCode(v)
        case .variable(let name, let span):
            if let map = scope.frame {
                switch map.place(of: name) {
                case .frame(let k): return FrameSlotCode(k)
                case .null: return LiteralCode(.null)
                case .outside: return FrameVariableCode(name, span, map)
                }
            }
            let key = NameKey(name)
            if key.isSmallASCII, name != "in", let layout, let k = layout.lastIndex(of: name) {
                return SlotCode(k, key, name, span)
            }
            return VariableCode(name, span)
        case .rowField(let f):
            if let map = scope.frame { return FrameRowFieldCode(f, it: map.place(of: "it"), map) }
            return RowFieldCode(f, itInFirstSlot: layout?.lastIndex(of: "it") == 0)
        case .binary(let b):
            let lhs = compile(b.lhs, scope), rhs = compile(b.rhs, scope)
            switch b.op {
            case .and: return AndCode(b, lhs, rhs)
            case .or: return OrCode(b, lhs, rhs)
            case .coalesce: return CoalesceCode(lhs, rhs)
            case .add, .sub, .lt, .le, .gt, .ge, .eq, .ne, .mod:
                if b.op == .eq || b.op == .ne, case .literal(.string(let t), _) = b.rhs, SmallString.isShortASCII(t) {
                    return ShortTextEqualityCode(b, lhs, t)
                }
                if case .literal(.int(let c), _) = b.rhs {
                    if let slot = lhs as? FrameSlotCode { return FrameSlotIntConstantCode(b, slot.k, c) }
                    return IntConstantCode(b, lhs, c)
                }
                return BinaryCode(b, lhs, rhs)
            default: return BinaryCode(b, lhs, rhs)
            }
        case .index(let base, let idx, let optional, let span):
            let b = compile(base, scope), i = compile(idx, scope)
            // `$list[$i % 3]` with an index that cannot change the variable: the list is read in place.
            if case .variable(let name, let vspan) = base, i.isPure, b is VariableCode || b is FrameVariableCode {
                return IndexVariableCode(name, vspan, scope.frame, i, optional, span, idx.span)
            }
            return IndexCode(b, i, optional, span, idx.span)
        case .member(let base, let name, let optional, let span):
            return MemberCode(compile(base, scope), name, optional, span)
        case .record(let shape, let exprs, _):
            return RecordCode(shape, exprs.map { compile($0, scope) })
        case .list(let items, _):
            return ListCode(items.map { compile($0, scope) })
        case .interpolated(let pieces, _):
            return InterpolationCode(pieces.map {
                switch $0 {
                case .text(let t): return .text(t)
                case .expr(let p):
                    scope.frameSafe = false
                    return .pipeline(p)
                case .single(let e): return .code(compile(e, scope))
                }
            })
        case .ifExpr(let node) where node.isIfElse:
            return IfElseCode(node, compile(node.firstCondition, scope),
                              compile(node.firstBlock, scope), compile(node.onlyElse, scope))
        case .subcall(let n):
            return compileCall(n.call, scope)
        case .call(let c):
            return compileCall(c, scope)
        default:
            scope.frameSafe = false
            return EvalCode(e)
        }
    }

    /// A block run as `execBlock` runs it: in a new scope when it declares names, else in `env`.
    private func compile(_ block: Block, _ scope: CompileScope) -> Code {
        if block.isSingleExpression, !block.needsScope { return TickCode(compile(block.onlyExpression, scope)) }
        scope.frameSafe = false
        return BlockCode(block)
    }

    private func compileCall(_ call: CommandCall, _ scope: CompileScope) -> Code {
        guard call.allPositional else {
            scope.frameSafe = false
            return InvokeCode(call)
        }
        return CallCode(call, call.positionalExprs.map { compile($0, scope) })
    }

}

enum CompiledPiece {
    case text(String)
    case pipeline(Pipeline)
    case code(Code)
}

final class LiteralCode: Code {
    let value: Value
    init(_ value: Value) { self.value = value }
    override var isPure: Bool { true }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value { value }
}

/// A variable found in the body's scope layout: read from its slot when the scope has it there.
final class SlotCode: Code {
    let k: Int
    let key: NameKey
    let name: String
    let span: SourceSpan
    init(_ k: Int, _ key: NameKey, _ name: String, _ span: SourceSpan) {
        self.k = k
        self.key = key
        self.name = name
        self.span = span
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        if let v = env.slot(k, named: key) { return v }
        if let v = env.lookup(name) { return v }
        return try interp.specialVariable(name, span, env: env)
    }
}

final class VariableCode: Code {
    let name: String
    let span: SourceSpan
    init(_ name: String, _ span: SourceSpan) {
        self.name = name
        self.span = span
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        if let v = env.lookup(name) { return v }
        return try interp.specialVariable(name, span, env: env)
    }
}

final class RowFieldCode: Code {
    let field: RowField
    let itInFirstSlot: Bool
    static let it = NameKey("it")
    init(_ field: RowField, itInFirstSlot: Bool) {
        self.field = field
        self.itInFirstSlot = itInFirstSlot
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        if itInFirstSlot, let it = env.slotAddress(0, named: RowFieldCode.it) {
            // The common case, read in place: a record row of the shape seen last.
            if case .record(let r) = it.pointee, r.shape === field.lastShape { return r.values[field.lastSlot] }
            return try interp.rowField(field, it: it.pointee, env: env)
        }
        return try interp.rowField(field, it: env.lookup("it"), env: env)
    }
}

final class AndCode: Code {
    let node: BinaryNode
    let lhs: Code, rhs: Code
    init(_ node: BinaryNode, _ lhs: Code, _ rhs: Code) {
        self.node = node
        self.lhs = lhs
        self.rhs = rhs
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let l = try lhs.run(interp, env, frame)
        if case .bool(false) = l { return .bool(false) }
        guard try interp.truth(l, node.lhs.span, "the left side of `and`") else { return .bool(false) }
        let r = try rhs.run(interp, env, frame)
        if case .bool(let b) = r { return .bool(b) }
        return .bool(try interp.truth(r, node.rhs.span, "the right side of `and`"))
    }
}

final class OrCode: Code {
    let node: BinaryNode
    let lhs: Code, rhs: Code
    init(_ node: BinaryNode, _ lhs: Code, _ rhs: Code) {
        self.node = node
        self.lhs = lhs
        self.rhs = rhs
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        if try interp.truth(try lhs.run(interp, env, frame), node.lhs.span, "the left side of `or`") { return .bool(true) }
        return .bool(try interp.truth(try rhs.run(interp, env, frame), node.rhs.span, "the right side of `or`"))
    }
}

final class CoalesceCode: Code {
    let lhs: Code, rhs: Code
    init(_ lhs: Code, _ rhs: Code) {
        self.lhs = lhs
        self.rhs = rhs
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let l = try lhs.run(interp, env, frame)
        return l.isNull ? try rhs.run(interp, env, frame) : l
    }
}

final class BinaryCode: Code {
    let node: BinaryNode
    let lhs: Code, rhs: Code
    init(_ node: BinaryNode, _ lhs: Code, _ rhs: Code) {
        self.node = node
        self.lhs = lhs
        self.rhs = rhs
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let l = try lhs.run(interp, env, frame)
        return try interp.applyBinary(node, l, try rhs.run(interp, env, frame))
    }
}

/// `lhs op 2`: an int literal on the right, applied without evaluating a node for it.
final class IntConstantCode: Code {
    let node: BinaryNode
    let lhs: Code
    let c: Int
    init(_ node: BinaryNode, _ lhs: Code, _ c: Int) {
        self.node = node
        self.lhs = lhs
        self.c = c
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let l = try lhs.run(interp, env, frame)
        if case .int(let x) = l, let v = Interpreter.intOp(node.op, x, c) { return v }
        return try interp.applyBinary(node, l, .int(c))
    }
}

/// `$param op 2` in frame mode: the parameter read in place.
final class FrameSlotIntConstantCode: Code {
    let node: BinaryNode
    let k: Int
    let c: Int
    init(_ node: BinaryNode, _ k: Int, _ c: Int) {
        self.node = node
        self.k = k
        self.c = c
    }
    override var isPure: Bool { true }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        if case .int(let x) = frame[k], let v = Interpreter.intOp(node.op, x, c) { return v }
        return try interp.applyBinary(node, frame[k], .int(c))
    }
}

/// `$name[index]` where evaluating the index cannot change `$name`: the list is indexed where
/// it is stored instead of being copied out first. Same lookups and errors as `IndexCode`.
final class IndexVariableCode: Code {
    let name: String
    let nameSpan: SourceSpan
    let map: FrameMap?
    let index: Code
    let optional: Bool
    let span: SourceSpan, indexSpan: SourceSpan
    init(_ name: String, _ nameSpan: SourceSpan, _ map: FrameMap?, _ index: Code, _ optional: Bool,
         _ span: SourceSpan, _ indexSpan: SourceSpan) {
        self.name = name
        self.nameSpan = nameSpan
        self.map = map
        self.index = index
        self.optional = optional
        self.span = span
        self.indexSpan = indexSpan
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        guard let p = env.lookupAddress(name) else {
            let b = try interp.specialVariable(name, nameSpan, env: map?.rebuild(env, frame) ?? env)
            return try interp.indexed(b, try index.run(interp, env, frame), optional: optional, span: span, indexSpan: indexSpan)
        }
        let i = try index.run(interp, env, frame)
        if case .list(let l) = p.pointee, case .int(let n) = i, n >= 0, n < l.count { return l[n] }
        return try interp.indexed(p.pointee, i, optional: optional, span: span, indexSpan: indexSpan)
    }
}

/// `status == "available"` (or `!=`) with a short ASCII literal: a short ASCII string on the
/// left is equal exactly when its two words are the literal's (such strings are stored one way
/// only), so no string comparison runs. Anything else goes through `applyBinary`.
final class ShortTextEqualityCode: Code {
    let node: BinaryNode
    let lhs: Code
    let text: String
    let lo: UInt64, hi: UInt64
    init(_ node: BinaryNode, _ lhs: Code, _ text: String) {
        self.node = node
        self.lhs = lhs
        self.text = text
        (lo, hi) = unsafeBitCast(text, to: (UInt64, UInt64).self)
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let l = try lhs.run(interp, env, frame)
        if case .string(let s) = l {
            let (a, b) = unsafeBitCast(s, to: (UInt64, UInt64).self)
            if b >> 60 == 0xE { return .bool((a == lo && b == hi) == (node.op == .eq)) }
        }
        return try interp.applyBinary(node, l, .string(text))
    }
}

final class IndexCode: Code {
    let base: Code, index: Code
    let optional: Bool
    let span: SourceSpan, indexSpan: SourceSpan
    init(_ base: Code, _ index: Code, _ optional: Bool, _ span: SourceSpan, _ indexSpan: SourceSpan) {
        self.base = base
        self.index = index
        self.optional = optional
        self.span = span
        self.indexSpan = indexSpan
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let b = try base.run(interp, env, frame)
        return try interp.indexed(b, try index.run(interp, env, frame), optional: optional, span: span, indexSpan: indexSpan)
    }
}

final class MemberCode: Code {
    let base: Code
    let name: String
    let optional: Bool
    let span: SourceSpan
    init(_ base: Code, _ name: String, _ optional: Bool, _ span: SourceSpan) {
        self.base = base
        self.name = name
        self.optional = optional
        self.span = span
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        try interp.member(try base.run(interp, env, frame), name, optional: optional, span: span)
    }
}

final class RecordCode: Code {
    let shape: Shape
    let fields: [Code]
    let fieldRefs: [Unmanaged<Code>]
    init(_ shape: Shape, _ fields: [Code]) {
        self.shape = shape
        self.fields = fields
        fieldRefs = Code.refs(fields)
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        var values: [Value] = []
        values.reserveCapacity(fields.count)
        for k in fieldRefs.indices { values.append(try fieldRefs[k]._withUnsafeGuaranteedRef { try $0.run(interp, env, frame) }) }
        return .record(Record(shape: shape, values: values))
    }
}

final class ListCode: Code {
    let items: [Code]
    let itemRefs: [Unmanaged<Code>]
    init(_ items: [Code]) {
        self.items = items
        itemRefs = Code.refs(items)
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        var out: [Value] = []
        out.reserveCapacity(items.count)
        for k in itemRefs.indices { out.append(try itemRefs[k]._withUnsafeGuaranteedRef { try $0.run(interp, env, frame) }) }
        return .list(out)
    }
}

/// `"text \(expr) text"`, as `Interpreter.interpolate` builds it. The pieces are kept in plain
/// arrays (a text, or an expression compiled or not), so reading one copies no enum payload.
final class InterpolationCode: Code {
    let texts: [String]
    /// The compiled expression of piece `k`, or nil for a text or a pipeline piece.
    let codes: [Code?]
    let codeRefs: [Unmanaged<Code>?]
    /// The pipeline of piece `k` (`\(a | b)`), or nil.
    let pipelines: [Pipeline?]
    init(_ pieces: [CompiledPiece]) {
        texts = pieces.map { if case .text(let t) = $0 { t } else { "" } }
        codes = pieces.map { if case .code(let c) = $0 { c } else { nil } }
        codeRefs = codes.map { $0.map { Unmanaged.passUnretained($0) } }
        pipelines = pieces.map { if case .pipeline(let p) = $0 { p } else { nil } }
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        .string(try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buf in
            var text = TextBuilder(buf)
            for k in codeRefs.indices {
                if let c = codeRefs[k] {
                    let v = try c._withUnsafeGuaranteedRef { try $0.run(interp, env, frame) }
                    switch v {
                    case .string(let t): text.append(t)
                    case .int(let i): text.append(i)
                    default: text.append(Formatter.plain(try v.collected()))
                    }
                } else if let p = pipelines[k] {
                    text.append(Formatter.plain(try interp.evalPipeline(p, env: env, input: .null).collected()))
                } else {
                    text.append(texts[k])
                }
            }
            return text.finish()
        })
    }
}

final class IfElseCode: Code {
    let node: IfNode
    let condition: Code, then: Code, other: Code
    init(_ node: IfNode, _ condition: Code, _ then: Code, _ other: Code) {
        self.node = node
        self.condition = condition
        self.then = then
        self.other = other
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let c = try condition.run(interp, env, frame)
        if case .bool(let b) = c {
            if b { return try then.run(interp, env, frame) }
            return try other.run(interp, env, frame)
        }
        if try interp.isTrue(c, node.firstCondition, "an `if` condition") {
            return try then.run(interp, env, frame)
        }
        return try other.run(interp, env, frame)
    }
}

/// A one-expression block without names of its own: a step, then the expression.
final class TickCode: Code {
    let body: Code
    init(_ body: Code) { self.body = body }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        try interp.tick()
        return try body.run(interp, env, frame)
    }
}

final class BlockCode: Code {
    let block: Block
    init(_ block: Block) { self.block = block }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        try interp.execBlock(block, env: block.needsScope ? Environment(parent: env) : env)
    }
}

final class InvokeCode: Code {
    let call: CommandCall
    init(_ call: CommandCall) { self.call = call }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        try interp.invoke(call, env: env, input: .null)
    }
}

/// A call with no input and positional arguments: a user `fn` given exactly its positionals
/// runs as in `invoke`, its arguments and body compiled (in frame mode when the body allows it);
/// anything else goes through `invoke`.
final class CallCode: Code {
    let call: CommandCall
    let args: [Code]
    let argRefs: [Unmanaged<Code>]
    /// The command this site called last, its `fn` and the `fn`'s frame-mode body, used without
    /// resolving the name again or retaining anything while the interpreter's command generation
    /// is `generation` (no global `fn` declared, no command registered since) and no local `fn`
    /// can be in the way: the command is then the one `resolve` would give. `lastCommand` and
    /// `retired` keep every command the site cached alive, so a call still running when the site
    /// moves on to another command keeps its own.
    @exclusivity(unchecked) var lastCommand: Command?
    @exclusivity(unchecked) var retired: [Command] = []
    @exclusivity(unchecked) var generation = -1
    @exclusivity(unchecked) var lastCommandRef: Unmanaged<Command>?
    @exclusivity(unchecked) var lastFunction: Unmanaged<UserFunction>?
    @exclusivity(unchecked) var lastBody: Unmanaged<Code>?
    init(_ call: CommandCall, _ args: [Code]) {
        self.call = call
        self.args = args
        argRefs = Code.refs(args)
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        let global = interp.localFunctionScopes == 0 || env.reachesWithoutLocalCommands(interp.globals)
        if global, generation == interp.commandGeneration, let command = lastCommandRef, let uf = lastFunction, let body = lastBody {
            return try uf._withUnsafeGuaranteedRef { uf in
                try body._withUnsafeGuaranteedRef { body in try runInFrame(interp, env, frame, command, uf, body) }
            }
        }
        guard let command = interp.resolve(call, env: env) else { return try interp.invoke(call, env: env, input: .null) }
        guard let uf = command.userFunction, args.count == uf.positionalCount else {
            return try interp.invoke(call, env: env, input: .null)
        }
        if uf.hasBodyExpression, let body = uf.frameCode(interp) {
            if global {
                if let old = lastCommand, old !== command { retired.append(old) }
                lastCommand = command
                lastCommandRef = Unmanaged.passUnretained(command)
                lastFunction = Unmanaged.passUnretained(uf)
                lastBody = Unmanaged.passUnretained(body)
                generation = interp.commandGeneration
            }
            return try runInFrame(interp, env, frame, Unmanaged.passUnretained(command), uf, body)
        }
        var scope = uf.takeSpareScope()
        for k in args.indices {
            let v = try argRefs[k]._withUnsafeGuaranteedRef { try $0.run(interp, env, frame) }
            if uf.typedPositionals { try interp.checkPositional(uf, k, v, call) }
            scope.push(v)
        }
        if !uf.defaultTail.isEmpty { for v in uf.defaultTail { scope.push(v) } }
        scope.push(.null)
        do {
            try interp.enterCall(call.span)
            defer { interp.callDepth -= 1 }
            let result = try interp.runFunction(uf, scope, input: .null)
            interp.recycle(&scope, uf)
            return result
        } catch let e as SwitchboardError {
            throw interp.located(e, call, command)
        }
    }

    /// The call with the callee's parameters in a frame on the native stack. Same order of
    /// evaluation, steps and errors as the call through a scope (`runFunction`).
    @inline(__always)
    private func runInFrame(_ interp: Interpreter, _ env: Environment, _ frame: Frame,
                            _ command: Unmanaged<Command>, _ uf: UserFunction, _ body: Code) throws -> Value {
        let size = uf.slotNames.count
        return try withUnsafeTemporaryAllocation(of: Value.self, capacity: size) { buf in
            let callee = buf.baseAddress!
            var bound = 0
            defer { for k in 0..<bound { _ = (callee + k).move() } }   // not deinitialize(count:): a generic runtime call
            for k in args.indices {
                let v = try argRefs[k]._withUnsafeGuaranteedRef { try $0.run(interp, env, frame) }
                if uf.typedPositionals { try interp.checkPositional(uf, k, v, call) }
                (callee + bound).initialize(to: v)
                bound += 1
            }
            if !uf.defaultTail.isEmpty {
                for v in uf.defaultTail {
                    (callee + bound).initialize(to: v)
                    bound += 1
                }
            }
            (callee + bound).initialize(to: .null)
            bound += 1
            do {
                try interp.enterCall(call.span)
                defer { interp.callDepth -= 1 }
                try interp.tick()
                return try body.run(interp, uf.env, callee)
            } catch let e as SwitchboardError {
                throw interp.located(e, call, command.takeUnretainedValue())
            }
        }
    }
}

/// A parameter of a `fn` body in frame mode.
final class FrameSlotCode: Code {
    let k: Int
    init(_ k: Int) { self.k = k }
    override var isPure: Bool { true }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value { frame[k] }
}

/// A name that is not a parameter, in frame mode: looked up from the declaring scope.
final class FrameVariableCode: Code {
    let name: String
    let span: SourceSpan
    let map: FrameMap
    init(_ name: String, _ span: SourceSpan, _ map: FrameMap) {
        self.name = name
        self.span = span
        self.map = map
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        if let v = env.lookup(name) { return v }
        return try interp.specialVariable(name, span, env: map.rebuild(env, frame))
    }
}

/// A bare name (a field of the row) in frame mode.
final class FrameRowFieldCode: Code {
    let field: RowField
    let it: FramePlace
    let map: FrameMap
    init(_ field: RowField, it: FramePlace, _ map: FrameMap) {
        self.field = field
        self.it = it
        self.map = map
    }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        switch it {
        case .frame(let k):
            // The common case, read in place: a record row of the shape seen last.
            if case .record(let r) = frame[k], r.shape === field.lastShape { return r.values[field.lastSlot] }
            return try interp.rowField(field, it: frame[k], env: env)
        case .null:
            return try interp.rowField(field, it: .null, env: env)
        case .outside:
            guard let row = env.lookup("it") else { return try interp.rowField(field, it: nil, env: map.rebuild(env, frame)) }
            return try interp.rowField(field, it: row, env: env)
        }
    }
}

/// Anything else: the tree walker.
final class EvalCode: Code {
    let expr: Expr
    init(_ expr: Expr) { self.expr = expr }
    override func run(_ interp: Interpreter, _ env: Environment, _ frame: Frame) throws -> Value {
        try interp.eval(expr, env: env)
    }
}

extension ClosureDecl {
    /// The one-expression body compiled for a call on one row in frame mode, where the frame is
    /// the row itself: `$it`, the first parameter and (`withIn`) `$in` are the row, further
    /// parameters are null. Nil when the body is not one expression or needs the call's scope.
    func rowFrameCode(_ interp: Interpreter, withIn: Bool) -> Unmanaged<Code>? {
        if withIn ? rowFrameTried.1 : rowFrameTried.0 { return withIn ? rowFrameRef.1 : rowFrameRef.0 }
        var code: Code?
        if let e = singleExpression {
            let names = withIn ? slotNamesWithIn : slotNames
            let slots: [Int?] = names.indices.map { $0 <= 1 || (withIn && $0 == names.count - 1) ? 0 : nil }
            code = interp.compileFrame(e, FrameMap(names: names, slots: slots))
        }
        let ref = code.map { Unmanaged.passUnretained($0) }
        if withIn {
            rowFrame.1 = code
            rowFrameRef.1 = ref
            rowFrameTried.1 = true
        } else {
            rowFrame.0 = code
            rowFrameRef.0 = ref
            rowFrameTried.0 = true
        }
        return ref
    }
}

extension Value {
    /// Whether this is the very value `other` (the same storage for aggregates), so one frame
    /// slot can stand for both.
    @inline(__always)
    func isSameRow(as other: Value) -> Bool {
        switch (self, other) {
        case (.record(let a), .record(let b)):
            return a.shape === b.shape && a.values.withUnsafeBufferPointer { x in
                b.values.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress && x.count == y.count }
            }
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.list(let a), .list(let b)):
            return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress && x.count == y.count } }
        default: return false
        }
    }
}
