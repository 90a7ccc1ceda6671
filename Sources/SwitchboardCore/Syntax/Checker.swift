/// `swb check`: what would fail on any run, found before anything runs: commands and
/// variables that nothing defines, with "did you mean". It is loose about scope on purpose (a
/// name bound anywhere in the file counts), so a script that can work is never reported. A
/// script that `source`s another is only parsed: the other file may define anything.
struct Checker {
    let isCommand: (String) -> Bool
    let commandNames: [String]
    private var functions: Set<String> = []
    private var variables: Set<String> = ["env", "args", "in", "it"]
    private var sourcesFiles = false
    private var closureDepth = 0
    private var errors: [SwitchboardError] = []
    private var collecting = true

    /// The errors in `block`, in source order.
    static func check(_ block: Block, globals: [String], commandNames: [String], isCommand: @escaping (String) -> Bool) -> [SwitchboardError] {
        var c = Checker(isCommand: isCommand, commandNames: commandNames)
        c.variables.formUnion(globals)
        c.walk(block)
        if c.sourcesFiles { return [] }
        c.collecting = false
        c.walk(block)
        return c.errors.sorted { $0.span.start < $1.span.start }
    }

    private mutating func bind(_ name: String) { if collecting { variables.insert(name) } }

    private mutating func walk(_ block: Block) {
        for s in block.statements { walk(s) }
    }

    private mutating func walk(_ s: Stmt) {
        switch s {
        case .letDecl(let name, let p, _), .assign(let name, let p, _):
            bind(name)
            walk(p)
        case .fnDecl(let f):
            if collecting { functions.insert(f.name) }
            for p in f.positionals {
                bind(p.name)
                if let d = p.defaultValue { walk(d) }
            }
            for flag in f.flags { bind(flag.name) }
            if let r = f.rest { bind(r.name) }
            closureDepth += 1
            walk(f.body)
            closureDepth -= 1
        case .pipeline(let p): walk(p)
        case .forLoop(let name, let e, let b, _):
            bind(name)
            walk(e)
            walk(b)
        case .whileLoop(let e, let b, _):
            walk(e)
            walk(b)
        case .returnStmt(let p, _): if let p { walk(p) }
        case .source(let e, _):
            sourcesFiles = true
            walk(e)
        case .breakStmt, .continueStmt, .use: break
        }
    }

    private mutating func walk(_ p: Pipeline) {
        for stage in p.stages {
            switch stage {
            case .command(let c): walk(c)
            case .expr(let e): walk(e)
            }
        }
    }

    private mutating func walk(_ c: CommandCall) {
        // Inside a closure or fn, a lone unknown word is a field of the current row.
        if !collecting, !functions.contains(c.name), !isCommand(c.name), !(closureDepth > 0 && c.arguments.isEmpty) {
            errors.append(.unknown("command", c.name, candidates: commandNames + functions, span: c.nameSpan))
        }
        for a in c.arguments {
            switch a {
            case .positional(let e): walk(e)
            case .flag(_, _, let v, _): if let v { walk(v) }
            }
        }
    }

    private mutating func walk(_ e: Expr) {
        switch e {
        case .literal, .rowField: break
        case .variable(let name, let span):
            if !collecting, !variables.contains(name) {
                errors.append(.unknown("variable", "$" + name, candidates: variables.map { "$" + $0 }, span: span))
            }
        case .interpolated(let pieces, _):
            for piece in pieces {
                switch piece {
                case .text: break
                case .expr(let p): walk(p)
                case .single(let e): walk(e)
                }
            }
        case .member(let x, _, _, _): walk(x)
        case .index(let x, let i, _, _):
            walk(x)
            walk(i)
        case .list(let items, _), .record(_, let items, _):
            for x in items { walk(x) }
        case .closure(let c):
            for p in c.params { bind(p.name) }
            closureDepth += 1
            walk(c.body)
            closureDepth -= 1
        case .unary(_, let x, _): walk(x)
        case .binary(let b):
            walk(b.lhs)
            walk(b.rhs)
        case .range(let a, let b, _, _):
            walk(a)
            walk(b)
        case .call(let c): walk(c)
        case .subexpression(let p, _): walk(p)
        case .subcall(let s): walk(s.call)
        case .ifExpr(let n):
            for c in n.conditions { walk(c) }
            for b in n.blocks { walk(b) }
            if let b = n.elseBlock { walk(b) }
        case .tryExpr(let body, let name, let handler, _):
            walk(body)
            if let name { bind(name) }
            if let handler { walk(handler) }
        }
    }
}
