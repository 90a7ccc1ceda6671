/// The syntax tree. Expressions are an `indirect enum` walked by the evaluator;
/// nodes that cache runtime facts (call sites) are small final classes.

public enum BinaryOp: String, Sendable {
    case or, and
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case match = "=~", notMatch = "!~"
    case `in`, notIn = "not-in", startsWith = "starts-with", endsWith = "ends-with"
    case coalesce = "??"
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
}

public enum UnaryOp: String, Sendable {
    case neg = "-", not
}

/// Cases with a final-class payload are stored inline (not boxed), so matching them borrows the
/// node instead of retaining it; the other cases are boxed.
public enum Expr {
    indirect case literal(Value, SourceSpan)
    indirect case interpolated([InterpolationPiece], SourceSpan)
    indirect case variable(String, SourceSpan)
    /// A bare name in an expression: the field of the current row (`status` is `$it.status`).
    case rowField(RowField)
    indirect case member(Expr, String, optional: Bool, SourceSpan)
    indirect case index(Expr, Expr, optional: Bool, SourceSpan)
    indirect case list([Expr], SourceSpan)
    indirect case record(Shape, [Expr], SourceSpan)
    case closure(ClosureDecl)
    indirect case unary(UnaryOp, Expr, SourceSpan)
    /// A final class node, so matching it retains one object instead of both operand boxes.
    case binary(BinaryNode)
    indirect case range(Expr, Expr, inclusive: Bool, SourceSpan)
    /// `name(a, b)`: a command called with positional arguments and no input.
    case call(CommandCall)
    /// `(pipeline)`
    indirect case subexpression(Pipeline, SourceSpan)
    /// `(command args)`: a subexpression that is one command call (the common `(fib ($n - 1))`).
    case subcall(Subcall)
    case ifExpr(IfNode)
    indirect case tryExpr(Block, String?, Block?, SourceSpan)

    public var span: SourceSpan {
        switch self {
        case .literal(_, let s), .interpolated(_, let s), .variable(_, let s),
             .member(_, _, _, let s), .index(_, _, _, let s), .list(_, let s), .record(_, _, let s),
             .unary(_, _, let s), .range(_, _, _, let s), .subexpression(_, let s),
             .tryExpr(_, _, _, let s):
            return s
        case .closure(let c): return c.span
        case .call(let c): return c.span
        case .binary(let b): return b.span
        case .ifExpr(let n): return n.span
        case .subcall(let n): return n.span
        case .rowField(let f): return f.span
        }
    }
}

/// A bare name in an expression: the field of the current row. Remembers the slot it was
/// found in for the last row shape, so rows of one shape skip the lookup by name.
public final class RowField {
    public let name: String
    public let span: SourceSpan
    @exclusivity(unchecked) var lastShape: Shape?
    @exclusivity(unchecked) var lastSlot = 0
    init(_ name: String, _ span: SourceSpan) {
        self.name = name
        self.span = span
    }
}

/// `(command args)`, evaluated as the call with no input.
public final class Subcall {
    public let call: CommandCall
    /// The span with the parentheses.
    public let span: SourceSpan
    init(_ call: CommandCall, span: SourceSpan) {
        self.call = call
        self.span = span
    }
}

/// `if c { } else if d { } else { }`: `conditions[k]` guards `blocks[k]`.
public final class IfNode {
    public let conditions: [Expr]
    public let blocks: [Block]
    public let elseBlock: Block?
    public let span: SourceSpan
    /// `conditions[0]` and `blocks[0]` as plain fields: reading them borrows instead of copying.
    let firstCondition: Expr
    let firstBlock: Block
    /// `elseBlock` for a plain `if c { } else { }` (one condition), else the first block.
    let onlyElse: Block
    let isIfElse: Bool
    let firstNeedsScope: Bool
    let onlyElseNeedsScope: Bool
    init(branches: [(Expr, Block)], elseBlock: Block?, span: SourceSpan) {
        conditions = branches.map(\.0)
        blocks = branches.map(\.1)
        firstCondition = branches[0].0
        firstBlock = branches[0].1
        isIfElse = branches.count == 1 && elseBlock != nil
        onlyElse = isIfElse ? elseBlock! : branches[0].1
        firstNeedsScope = branches[0].1.needsScope
        onlyElseNeedsScope = onlyElse.needsScope
        self.elseBlock = elseBlock
        self.span = span
    }
}

/// `lhs op rhs`.
public final class BinaryNode {
    public let op: BinaryOp
    public let lhs: Expr
    public let rhs: Expr
    public let span: SourceSpan
    init(_ op: BinaryOp, _ lhs: Expr, _ rhs: Expr, _ span: SourceSpan) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.span = span
    }
}

public enum InterpolationPiece {
    case text(String)
    case expr(Pipeline)
    /// `\(expr)` whose pipeline is one expression stage (evaluated without the pipeline machinery).
    case single(Expr)
}

public enum Argument {
    case positional(Expr)
    /// `--name [value]` or `-n [value]`; `name` is as written (short flags are resolved when binding).
    case flag(name: String, short: Bool, value: Expr?, span: SourceSpan)
}

/// One command call in a pipeline stage or expression.
public final class CommandCall {
    public let name: String
    public let nameSpan: SourceSpan
    public let arguments: [Argument]
    public let span: SourceSpan
    /// `name(...)` form: no pipeline input.
    public let isExpressionCall: Bool
    /// Every argument is positional (no flags).
    let allPositional: Bool
    /// The argument expressions when every argument is positional.
    let positionalExprs: [Expr]
    /// The registered or global command this call resolved to, valid while the interpreter's
    /// `commandGeneration` equals `cachedGeneration` (see `Interpreter.resolve`).
    @exclusivity(unchecked) var cachedCommand: Command?
    @exclusivity(unchecked) var cachedGeneration = 0

    init(name: String, nameSpan: SourceSpan, arguments: [Argument], span: SourceSpan, isExpressionCall: Bool) {
        self.name = name
        self.nameSpan = nameSpan
        self.arguments = arguments
        self.span = span
        self.isExpressionCall = isExpressionCall
        allPositional = arguments.allSatisfy { if case .positional = $0 { true } else { false } }
        positionalExprs = arguments.compactMap { if case .positional(let e) = $0 { e } else { nil } }
    }
}

public enum Stage {
    case command(CommandCall)
    case expr(Expr)

    public var span: SourceSpan {
        switch self {
        case .command(let c): c.span
        case .expr(let e): e.span
        }
    }
}

/// A class, so matching a node that holds one retains a single reference.
public final class Pipeline {
    public let stages: [Stage]
    public let span: SourceSpan
    /// The expression when the pipeline is a single expression stage (evaluated without the stage loop).
    let singleExpression: Expr?
    /// The call when the pipeline is a single command stage.
    let singleCommand: CommandCall?

    init(stages: [Stage], span: SourceSpan) {
        self.stages = stages
        self.span = span
        if stages.count == 1, case .expr(let e) = stages[0] { singleExpression = e } else { singleExpression = nil }
        if stages.count == 1, case .command(let c) = stages[0] { singleCommand = c } else { singleCommand = nil }
    }
}

public final class Block {
    public let statements: [Stmt]
    public let span: SourceSpan
    /// Whether the block declares names (`let`, `fn`) and so needs a scope of its own.
    public let needsScope: Bool
    /// The expression when the block is one expression statement (`{ $n }`).
    let singleExpression: Expr?
    /// `singleExpression` when there is one, else a null literal; a plain field borrows on read.
    let onlyExpression: Expr
    let isSingleExpression: Bool
    init(_ statements: [Stmt], span: SourceSpan) {
        self.statements = statements
        self.span = span
        if statements.count == 1, case .pipeline(let p) = statements[0] {
            singleExpression = p.singleExpression
        } else {
            singleExpression = nil
        }
        onlyExpression = singleExpression ?? .literal(.null, span)
        isSingleExpression = singleExpression != nil
        needsScope = statements.contains {
            switch $0 {
            case .letDecl, .fnDecl, .source: true
            default: false
            }
        }
    }
}

/// A declared parameter of a closure or `fn`.
public struct ParamDecl {
    public var name: String
    public var type: ParameterType
    public var defaultValue: Expr?
    public var span: SourceSpan
}

public final class ClosureDecl {
    public let params: [ParamDecl]
    public let body: Block
    public let span: SourceSpan
    /// `it` then the parameter names: the scope layout of a call, shared by every call.
    let slotNames: [String]
    /// `it` then `in`: the layout of a call of a closure without parameters that has an input.
    let slotNamesWithIn: [String]
    /// The body's expression when it is one expression statement (row conditions, `{ $it * 2 }`).
    let singleExpression: Expr?
    /// The body when it is one pipeline that starts with a command and the closure names no
    /// parameter: called on a row, the command takes the row as its input.
    let commandPipeline: Pipeline?
    /// `singleExpression` compiled (see `Interpreter.compile`), on the first call.
    @exclusivity(unchecked) var code: Code?
    /// `singleExpression` compiled in frame mode for a one-row call, without and with `in`
    /// (see `rowFrameCode`); `rowFrameTried[k]` once compiling was tried.
    @exclusivity(unchecked) var rowFrame: (Code?, Code?) = (nil, nil)
    /// `rowFrame` unretained, for calls (the declaration keeps the code alive).
    @exclusivity(unchecked) var rowFrameRef: (Unmanaged<Code>?, Unmanaged<Code>?) = (nil, nil)
    @exclusivity(unchecked) var rowFrameTried = (false, false)
    init(params: [ParamDecl], body: Block, span: SourceSpan) {
        self.params = params
        self.body = body
        self.span = span
        slotNames = ["it"] + params.map(\.name)
        slotNamesWithIn = slotNames + ["in"]
        if body.statements.count == 1, case .pipeline(let p) = body.statements[0] {
            singleExpression = p.singleExpression
            if params.isEmpty, case .command = p.stages[0] { commandPipeline = p } else { commandPipeline = nil }
        } else {
            singleExpression = nil
            commandPipeline = nil
        }
    }
}

public final class FnDecl {
    public let name: String
    public let positionals: [ParamDecl]
    public let flags: [(name: String, short: Character?, type: ParameterType?, span: SourceSpan)]
    public let rest: ParamDecl?
    public let body: Block
    public let span: SourceSpan
    public let description: String
    public let examples: [Example]
    public let signature: Signature
    /// The scope layout of a call (positionals, flags, rest, `in`), shared by every call.
    let slotNames: [String]
    /// `slotNames`' storage address (the array is immutable, so it stays valid while shared).
    let slotNamesBase: UnsafePointer<String>?
    /// The statement the call's input flows into: the first pipeline that starts with a command.
    let inputStatement: Int?
    /// What follows the positionals in a call's scope when no flag or rest argument is given:
    /// flag defaults, then the empty rest list. The call's input comes last.
    let defaultTail: [Value]

    init(name: String, positionals: [ParamDecl], flags: [(name: String, short: Character?, type: ParameterType?, span: SourceSpan)],
         rest: ParamDecl?, body: Block, span: SourceSpan, doc: (String, [Example])) {
        self.name = name
        self.positionals = positionals
        self.flags = flags
        self.rest = rest
        self.body = body
        self.span = span
        self.description = doc.0
        self.examples = doc.1
        self.signature = Signature(
            name,
            positionals: positionals.map { p in
                // A literal default is shown by `help`; others are evaluated at each call.
                let literal: Value? = if case .literal(let v, _)? = p.defaultValue { v } else { nil }
                return Parameter(p.name, p.type, optional: p.defaultValue != nil, default: literal)
            },
            rest: rest.map { Parameter($0.name, $0.type) },
            flags: flags.map { Flag($0.name, short: $0.short, $0.type) })
        slotNames = positionals.map(\.name) + flags.map(\.name) + (rest.map { [$0.name] } ?? []) + ["in"]
        slotNamesBase = slotNames.withUnsafeBufferPointer { $0.baseAddress }
        defaultTail = flags.map { $0.type == nil ? Value.bool(false) : .null } + (rest == nil ? [] : [.list([])])
        inputStatement = body.statements.firstIndex {
            if case .pipeline(let p) = $0, case .command = p.stages[0] { true } else { false }
        }
    }
}

public enum Stmt {
    indirect case letDecl(String, Pipeline, SourceSpan)
    indirect case assign(String, Pipeline, SourceSpan)
    case fnDecl(FnDecl)
    case pipeline(Pipeline)
    indirect case forLoop(String, Expr, Block, SourceSpan)
    indirect case whileLoop(Expr, Block, SourceSpan)
    indirect case breakStmt(SourceSpan)
    indirect case continueStmt(SourceSpan)
    indirect case returnStmt(Pipeline?, SourceSpan)
    indirect case use(String, SourceSpan)
    indirect case source(Expr, SourceSpan)

    public var span: SourceSpan {
        switch self {
        case .letDecl(_, _, let s), .assign(_, _, let s), .forLoop(_, _, _, let s), .whileLoop(_, _, let s),
             .breakStmt(let s), .continueStmt(let s), .returnStmt(_, let s), .use(_, let s), .source(_, let s):
            return s
        case .fnDecl(let f): return f.span
        case .pipeline(let p): return p.span
        }
    }
}

extension StringProtocol {
    /// `trimmingCharacters(in: .whitespaces)` (tabs and Unicode space separators at both ends),
    /// without Foundation's bridging: doc comments of the prelude are read at every start-up.
    var trimmedSpaces: String {
        func isSpace(_ u: Unicode.Scalar) -> Bool {
            u.value < 0x80 ? (u.value == 0x20 || u.value == 0x09) : u.properties.generalCategory == .spaceSeparator
        }
        let scalars = Substring(self).unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(Substring(scalars[start..<end]))
    }
}
