/// Recursive-descent parser. How a command's arguments parse comes from its signature
/// (`lookup`), so `where status == "x"` reads the rest of the stage as one condition.
/// It reports every error it can find: after an error it skips to the next statement.
public struct Parser {
    let file: SourceFile
    let source: Int32
    var tokens: [Token]
    var i = 0
    var errors: [SwitchboardError] = []
    /// Signatures of commands known before parsing (built-ins, vendors, host commands).
    let lookup: (String) -> Signature?
    /// `fn`s declared so far in this source.
    var declared: [String: Signature] = [:]
    /// Whether newlines are skipped at the current nesting (inside `(`, `[` and records).
    var newlineSkipping: [Bool] = [false]
    /// Nesting depth, so 20,000 `[` is an error instead of a stack overflow.
    var depth = 0
    /// How many closures enclose the current point (bare names there can be row fields).
    var closureDepth = 0
    static let maxDepth = 256
    /// Operators in a row (`1 + 1 + ...`) nest the tree one level each; the evaluator and
    /// the tree's release recurse that deep, so a chain has a limit too.
    var chainDepth = 0
    /// Whether a limit error was reported (later errors are dropped, see `report`).
    var limitHit = false
    static let maxChain = 10_000

    public init(file: SourceFile, source: Int32, lookup: @escaping (String) -> Signature?) {
        let (tokens, errors) = Lexer.tokenize(file, source: source)
        self.init(file: file, source: source, lookup: lookup, tokens: tokens, errors: errors)
    }

    /// A parser of already-lexed tokens (an interpolation's).
    init(file: SourceFile, source: Int32, lookup: @escaping (String) -> Signature?, tokens: [Token], errors: [SwitchboardError]) {
        self.file = file
        self.source = source
        self.lookup = lookup
        self.tokens = tokens
        self.errors = errors
    }

    /// Parses a whole program. Throws every error found.
    public static func parse(_ file: SourceFile, source: Int32, lookup: @escaping (String) -> Signature?) throws(ParseErrors) -> Block {
        var p = Parser(file: file, source: source, lookup: lookup)
        let block = p.parseProgram()
        if !p.errors.isEmpty {
            // Keep source order and drop follow-on errors at the same place.
            var seen = Set<Int32>()
            let errs = p.errors.sorted { $0.span.start < $1.span.start }.filter { seen.insert($0.span.start).inserted }
            throw ParseErrors(errs)
        }
        return block
    }

    // MARK: - Tokens

    struct Bail: Error {}

    func span(_ s: Int, _ e: Int) -> SourceSpan { SourceSpan(source: source, start: s, end: e) }
    func span(of t: Token) -> SourceSpan { span(t.start, t.end) }

    var skipping: Bool { newlineSkipping.last ?? false }

    mutating func skipNewlinesIfNested() {
        if skipping { while case .newline = tokens[i].kind { i += 1 } }
    }

    mutating func peek() -> Token {
        skipNewlinesIfNested()
        return tokens[i]
    }

    /// The token after the next one (newline-skipping as at the current nesting).
    mutating func peek2() -> Token {
        skipNewlinesIfNested()
        var j = i + 1
        if skipping { while j < tokens.count, case .newline = tokens[j].kind { j += 1 } }
        return tokens[min(j, tokens.count - 1)]
    }

    @discardableResult
    mutating func advance() -> Token {
        let t = peek()
        if i < tokens.count - 1 { i += 1 }
        return t
    }

    mutating func skipNewlines() {
        while case .newline = tokens[i].kind { i += 1 }
    }

    var previousEnd: Int { i > 0 ? tokens[i - 1].end : 0 }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: "end of input"
        case .newline: "end of line"
        case .op(let o): "`\(o)`"
        case .word(let w): "`\(w)`"
        case .variable(let v): "`$\(v)`"
        case .longFlag(let f): "`--\(f)`"
        case .shortFlag(let f): "`-\(f)`"
        default: "`\(file.text(of: span(of: t)))`"
        }
    }

    /// Adds an error. After a nesting or length limit the parse is abandoned in spirit: the
    /// errors that follow (every enclosing bracket left unclosed) would only bury the real one.
    mutating func report(_ e: SwitchboardError) {
        if limitHit { return }
        if e.kind == .limit { limitHit = true }
        errors.append(e)
    }

    mutating func fail(_ message: String, at t: Token, label: String? = nil, hint: String? = nil) -> Bail {
        let kind: ErrorKind = { if case .eof = t.kind { return .incomplete } else { return .parse } }()
        report(SwitchboardError(kind, message, span: span(of: t), label: label, hint: hint))
        return Bail()
    }

    /// A bracket that is not closed. At the end of input the caret goes under the opening
    /// bracket (the place to look) and the error is `.incomplete`, so the REPL asks for more.
    mutating func unclosed(_ open: Token, _ what: String, expected closer: String, found t: Token) -> Bail {
        let message = "expected `\(closer)` to close the \(what), found \(describe(t))"
        guard case .eof = t.kind else { return fail(message, at: t) }
        report(SwitchboardError(.incomplete, message, span: span(of: open), label: "this `\(file.text(of: span(of: open)))` is never closed"))
        return Bail()
    }

    mutating func expectOp(_ op: String, _ context: String) throws(Bail) -> Token {
        let t = peek()
        guard t.isOp(op) else {
            throw fail("expected `\(op)` \(context), found \(describe(t))", at: t)
        }
        return advance()
    }

    mutating func enter() throws(Bail) {
        depth += 1
        if depth > Parser.maxDepth {
            let t = peek()
            report(SwitchboardError(.limit, "nesting is too deep (more than \(Parser.maxDepth) levels)", span: span(of: t)))
            throw Bail()
        }
    }

    // MARK: - Statements

    mutating func parseProgram() -> Block {
        let stmts = parseStatements(until: nil)
        return Block(stmts, span: span(0, file.bytes.count))
    }

    /// Statements up to `}` (not consumed) or the end of input.
    mutating func parseStatements(until close: String?) -> [Stmt] {
        var out: [Stmt] = []
        newlineSkipping.append(false)
        defer { newlineSkipping.removeLast() }
        while true {
            while case .newline = tokens[i].kind { i += 1 }
            while tokens[i].isOp(";") { i += 1; while case .newline = tokens[i].kind { i += 1 } }
            let t = tokens[i]
            if case .eof = t.kind { break }
            if let close, t.isOp(close) { break }
            if t.isOp("}") || t.isOp(")") || t.isOp("]") {
                report(SwitchboardError(.parse, "unexpected \(describe(t))", span: span(of: t), label: "nothing to close here"))
                i += 1
                continue
            }
            let before = i
            do throws(Bail) {
                let s = try parseStatement()
                out.append(s)
                let end = tokens[i]
                switch end.kind {
                case .newline, .eof: break
                case .op(";"): break
                case .op(let o) where o == close: break
                case .op(","):
                    throw fail("unexpected `,`", at: end, label: "arguments are separated by spaces",
                               hint: "write `select id email`, not `select id, email`; commas separate items only inside [ ] and { }")
                default:
                    throw fail("unexpected \(describe(end)) after the statement", at: end,
                               hint: "statements end at a newline or `;`")
                }
            } catch {
                recover()
                // A statement that fails where it began must still move on, or this loops forever.
                if i == before, i < tokens.count - 1 { i += 1 }
            }
        }
        return out
    }

    /// Skips to the end of the current statement, keeping brackets balanced.
    mutating func recover() {
        var level = 0
        while true {
            let t = tokens[i]
            switch t.kind {
            case .eof: return
            case .newline, .op(";"): if level <= 0 { return }
            case .op("("), .op("["), .op("{"): level += 1
            case .op(")"), .op("]"), .op("}"):
                if level == 0 { return }
                level -= 1
            default: break
            }
            i += 1
        }
    }

    mutating func parseStatement() throws(Bail) -> Stmt {
        let t = peek()
        let start = t.start
        if case .word(let w) = t.kind {
            switch w {
            case "let":
                advance()
                let nameTok = advance()
                guard case .variable(let name) = nameTok.kind else {
                    if case .word(let name) = nameTok.kind {
                        // `let x = 1` reads naturally; accept it.
                        return try finishLet(name, start)
                    }
                    throw fail("expected a variable name after `let`, found \(describe(nameTok))", at: nameTok)
                }
                return try finishLet(name, start)
            case "fn", "def":
                return .fnDecl(try parseFn())
            case "for":
                advance()
                let v = advance()
                let name: String
                switch v.kind {
                case .variable(let n), .word(let n): name = n
                default: throw fail("expected a loop variable after `for`, found \(describe(v))", at: v)
                }
                guard peek().isWord("in") else { throw fail("expected `in` after `for \(name)`", at: peek()) }
                advance()
                let iter = try parseExpr()
                let body = try parseBlock("for the loop body")
                return .forLoop(name, iter, body, span(start, previousEnd))
            case "while":
                advance()
                let cond = try parseExpr()
                let body = try parseBlock("for the loop body")
                return .whileLoop(cond, body, span(start, previousEnd))
            case "break":
                advance()
                return .breakStmt(span(of: t))
            case "continue":
                advance()
                return .continueStmt(span(of: t))
            case "return":
                advance()
                if atStageEnd(peek()) { return .returnStmt(nil, span(of: t)) }
                let p = try parsePipeline()
                return .returnStmt(p, span(start, previousEnd))
            case "use":
                advance()
                let n = advance()
                switch n.kind {
                case .word(let v), .rawString(let v): return .use(v, span(start, n.end))
                case .string(let parts): return .use(parts.plainText ?? "", span(start, n.end))
                default: throw fail("expected a vendor name after `use`", at: n, hint: "for example `use chatrhub`; `vendors` lists them")
                }
            case "source":
                advance()
                let arg = try parseArgumentAtom(type: .path)
                return .source(arg, span(start, previousEnd))
            default: break
            }
        }
        // `$x = value`
        if case .variable(let name) = t.kind, peek2().isOp("=") {
            advance()
            advance()
            skipNewlines()
            let value = try parsePipeline()
            return .assign(name, value, span(start, previousEnd))
        }
        return .pipeline(try parsePipeline())
    }

    mutating func finishLet(_ name: String, _ start: Int) throws(Bail) -> Stmt {
        _ = try expectOp("=", "after `let $\(name)`")
        skipNewlines()
        let value = try parsePipeline()
        return .letDecl(name, value, span(start, previousEnd))
    }

    mutating func parseBlock(_ context: String) throws(Bail) -> Block {
        let open = peek()
        guard open.isOp("{") else { throw fail("expected `{` \(context), found \(describe(open))", at: open) }
        advance()
        try enter()
        defer { depth -= 1 }
        let stmts = parseStatements(until: "}")
        let close = tokens[i]
        guard close.isOp("}") else { throw unclosed(open, "block", expected: "}", found: close) }
        i += 1
        return Block(stmts, span: span(open.start, close.end))
    }

    mutating func parseFn() throws(Bail) -> FnDecl {
        let kw = advance()
        let nameTok = advance()
        guard case .word(let name) = nameTok.kind else {
            throw fail("expected a command name after `fn`, found \(describe(nameTok))", at: nameTok)
        }
        var positionals: [ParamDecl] = []
        var flags: [(name: String, short: Character?, type: ParameterType?, span: SourceSpan)] = []
        var rest: ParamDecl?
        if peek().isOp("(") {
            advance()
            newlineSkipping.append(true)
            defer { newlineSkipping.removeLast() }
            while !peek().isOp(")") {
                let p = advance()
                switch p.kind {
                case .word(let pname):
                    var type = ParameterType.any
                    if peek().isOp(":") { advance(); type = try parseType() }
                    var def: Expr?
                    if peek().isOp("=") { advance(); def = try parseExpr() }
                    positionals.append(ParamDecl(name: pname, type: type, defaultValue: def, span: span(of: p)))
                case .longFlag(let fname):
                    var type: ParameterType?
                    if peek().isOp(":") { advance(); type = try parseType() }
                    flags.append((fname, nil, type, span(of: p)))
                case .op("..."):
                    let r = advance()
                    guard let rname = r.word else { throw fail("expected a name after `...`", at: r) }
                    rest = ParamDecl(name: rname, type: .any, defaultValue: nil, span: span(p.start, r.end))
                case .eof:
                    throw fail("expected `)` to close the parameters of `\(name)`, found end of input", at: p)
                default:
                    throw fail("expected a parameter name, `--flag` or `...rest`, found \(describe(p))", at: p)
                }
                if peek().isOp(",") { advance() }
            }
            advance()
        }
        // Register before the body, so the body can call the command recursively.
        let provisional = FnDecl(name: name, positionals: positionals, flags: flags, rest: rest,
                                 body: Block([], span: .unknown), span: .unknown, doc: ("", []))
        declared[name] = provisional.signature
        let body = try parseBlock("for the body of `\(name)`")
        return FnDecl(name: name, positionals: positionals, flags: flags, rest: rest, body: body,
                      span: span(kw.start, body.span.end == 0 ? previousEnd : Int(body.span.end)),
                      doc: docComment(before: kw.start))
    }

    /// `# comment` lines right above a declaration become its description; lines
    /// `# example: CODE => RESULT` become runnable examples (RESULT is compact JSON).
    func docComment(before offset: Int) -> (String, [Example]) {
        let (line, _) = file.location(of: offset)
        var lines: [String] = []
        var n = line - 1
        while n >= 1 {
            let text = file.line(n).trimmedSpaces
            guard text.hasPrefix("#"), !text.hasPrefix("#!") else { break }
            lines.insert(String(text.dropFirst()).trimmedSpaces, at: 0)
            n -= 1
        }
        var description: [String] = []
        var examples: [Example] = []
        for l in lines {
            if l.hasPrefix("example:") {
                let body = l.dropFirst("example:".count)
                if let arrow = body.range(of: " => ") {
                    examples.append(Example("", String(body[..<arrow.lowerBound]).trimmedSpaces,
                                            result: String(body[arrow.upperBound...]).trimmedSpaces))
                } else {
                    examples.append(Example("", body.trimmedSpaces))
                }
            } else {
                description.append(l)
            }
        }
        return (description.joined(separator: " "), examples)
    }

    mutating func parseType() throws(Bail) -> ParameterType {
        let t = advance()
        guard let w = t.word else { throw fail("expected a type name", at: t) }
        if let type = ParameterType(rawValue: w) { return type }
        switch w {
        case "float": return .number
        case "str", "text": return .string
        case "table": return .list
        default:
            report(.unknown("type", w, candidates: ["any", "string", "int", "number", "bool", "duration", "date", "list", "record", "closure"], span: span(of: t)))
            return .any
        }
    }

    // MARK: - Pipelines

    func atStageEnd(_ t: Token) -> Bool {
        switch t.kind {
        case .eof, .newline: return true
        case .op(let o): return o == "|" || o == ";" || o == ")" || o == "}" || o == "]" || o == ","
        default: return false
        }
    }

    mutating func parsePipeline() throws(Bail) -> Pipeline {
        let start = peek().start
        var stages: [Stage] = [try parseStage()]
        while true {
            // A pipeline may continue on the next line with a leading `|`.
            if case .newline = tokens[i].kind {
                var j = i
                while case .newline = tokens[j].kind { j += 1 }
                if tokens[j].isOp("|") { i = j }
            }
            guard peek().isOp("|") else { break }
            advance()
            skipNewlines()
            let t = peek()
            if atStageEnd(t) { throw fail("expected a command after `|`, found \(describe(t))", at: t) }
            stages.append(try parseStage())
        }
        return Pipeline(stages: stages, span: span(start, previousEnd))
    }

    static let expressionWords: Set<String> = ["true", "false", "null", "if", "try", "not"]

    mutating func isKnownCommand(_ name: String) -> Bool { declared[name] != nil || lookup(name) != nil }
    mutating func signature(_ name: String) -> Signature? { declared[name] ?? lookup(name) }

    mutating func parseStage() throws(Bail) -> Stage {
        let t = peek()
        if case .word(let w) = t.kind, !Parser.expressionWords.contains(w) {
            let next = peek2()
            // `name(args)` is an expression call.
            if next.isOp("("), !next.spaceBefore { return .expr(try parseExpr()) }
            // Inside a closure, a bare word followed by an operator is an expression on the row,
            // even when a command has that name (`each { count + 1 }`). A word alone is a command
            // call that reads the row's field when no such command exists at run time, so
            // commands defined later (by `source`) still work.
            if closureDepth > 0, isBinaryOperator(next) || (next.isOp(".") && !next.spaceBefore) {
                return .expr(try parseExpr())
            }
            return .command(try parseCommandCall())
        }
        return .expr(try parseExpr())
    }

    func isBinaryOperator(_ t: Token) -> Bool { binaryOp(t) != nil }

    mutating func parseCommandCall() throws(Bail) -> CommandCall {
        let nameTok = advance()
        guard case .word(let name) = nameTok.kind else { throw fail("expected a command", at: nameTok) }
        let sig = signature(name)
        var args: [Argument] = []
        var positionalIndex = 0
        while true {
            let t = peek()
            if atStageEnd(t) { break }
            switch t.kind {
            case .longFlag(let f), .shortFlag(let f):
                advance()
                let isShort: Bool = { if case .shortFlag = t.kind { return true } else { return false } }()
                let flag: Flag? = isShort ? (f.count == 1 ? sig?.flag(short: f.first!) : nil) : sig?.flag(named: f)
                var value: Expr?
                let takesValue: Bool
                if let flag { takesValue = !flag.isSwitch }
                else if sig != nil { takesValue = false }  // unknown flag: reported when binding
                else { takesValue = !atStageEnd(peek()) && !isFlag(peek()) }
                if takesValue {
                    if atStageEnd(peek()) {
                        throw fail("`--\(flag?.name ?? f)` needs a value", at: peek(), label: "expected a \(flag?.type?.rawValue ?? "value") here")
                    }
                    value = try parseArgumentAtom(type: flag?.type ?? .any)
                }
                args.append(.flag(name: f, short: isShort, value: value, span: span(t.start, previousEnd)))
            default:
                var type = ParameterType.any
                if let sig {
                    if positionalIndex < sig.positionals.count { type = sig.positionals[positionalIndex].type }
                    else if let r = sig.rest { type = r.type }
                }
                if type == .rowCondition {
                    args.append(.positional(try parseRowCondition()))
                } else {
                    args.append(.positional(try parseArgumentAtom(type: type)))
                }
                positionalIndex += 1
            }
        }
        return CommandCall(name: name, nameSpan: span(of: nameTok), arguments: args,
                           span: span(nameTok.start, previousEnd), isExpressionCall: false)
    }

    func isFlag(_ t: Token) -> Bool {
        switch t.kind {
        case .longFlag, .shortFlag: true
        default: false
        }
    }

    /// The rest of the stage as one condition on the current row, wrapped in a closure.
    mutating func parseRowCondition() throws(Bail) -> Expr {
        let start = peek().start
        closureDepth += 1
        defer { closureDepth -= 1 }
        let e = try parseExpr()
        if case .closure = e { return e }
        let s = span(start, previousEnd)
        let body = Block([.pipeline(Pipeline(stages: [.expr(e)], span: s))], span: s)
        return .closure(ClosureDecl(params: [], body: body, span: s))
    }

    /// One argument: a literal, `$var` (with `.field` / `[i]`), `(pipeline)`, list, record,
    /// closure, or a bareword (read as a string; adjacent characters join: `data/agents.csv`).
    mutating func parseArgumentAtom(type: ParameterType) throws(Bail) -> Expr {
        let t = peek()
        switch t.kind {
        case .word(let w):
            if ["true", "false", "null"].contains(w), !isAdjacentContinuation() { return try parsePostfix() }
            return bareword()
        case .other, .op("."), .op("/"), .op("~"):
            return bareword()
        case .op("-"):
            // `-3`: a negative number.
            let n = peek2()
            if !n.spaceBefore, case .int = n.kind { return try parseUnary() }
            if !n.spaceBefore, case .float = n.kind { return try parseUnary() }
            if !n.spaceBefore, case .duration = n.kind { return try parseUnary() }
            return bareword()
        case .int, .float:
            // `10204` is a number, `v1.2` or `10:30` a bareword.
            if isAdjacentContinuation(after: 1) { return bareword() }
            return try parsePostfix()
        default:
            return try parsePostfix()
        }
    }

    /// True when the token after the next `k` is glued to it (no space), e.g. `data.csv`.
    mutating func isAdjacentContinuation(after k: Int = 1) -> Bool {
        skipNewlinesIfNested()
        let j = i + k
        guard j < tokens.count else { return false }
        let n = tokens[j]
        if n.spaceBefore { return false }
        switch n.kind {
        case .eof, .newline: return false
        case .op(let o): return !["|", ";", ")", "}", "]", ",", "("].contains(o)
        default: return true
        }
    }

    mutating func bareword() -> Expr {
        let first = advance()
        var end = first.end
        while true {
            let n = tokens[i]
            if n.spaceBefore { break }
            switch n.kind {
            case .eof, .newline: break
            case .op(let o) where ["|", ";", ")", "}", "]", ",", "("].contains(o): break
            default:
                end = n.end
                i += 1
                continue
            }
            break
        }
        let s = span(first.start, end)
        // `4b3c` in `/v1/teams/e134a2de-4b3c-...` is no bad duration here: it is part of a word.
        errors.removeAll { $0.span.source == source && $0.span.start >= s.start && $0.span.end <= s.end && $0.message.hasPrefix("unknown unit") }
        var text = file.text(of: s)
        if case .string(let parts) = first.kind, let plain = parts.plainText, end == first.end { text = plain }
        return .literal(.string(text), s)
    }

    // MARK: - Expressions

    mutating func parseExpr() throws(Bail) -> Expr {
        try enter()
        defer { depth -= 1 }
        return try parseBinary(0)
    }

    static let precedence: [BinaryOp: Int] = [
        .or: 1, .and: 2,
        .eq: 4, .ne: 4, .lt: 4, .le: 4, .gt: 4, .ge: 4, .match: 4, .notMatch: 4, .in: 4, .notIn: 4, .startsWith: 4, .endsWith: 4,
        .coalesce: 5,
        .add: 7, .sub: 7,
        .mul: 8, .div: 8, .mod: 8,
    ]
    static let notPrecedence = 3
    /// PowerShell's and test(1)'s comparison flags, so `where load -gt 3` gets a pointed error.
    static let shellOperators = ["eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
                                 "match": "=~", "notmatch": "!~", "like": "=~", "and": "and", "or": "or", "not": "not"]
    static let rangePrecedence = 6

    func binaryOp(_ t: Token) -> BinaryOp? {
        switch t.kind {
        case .op(let o):
            switch o {
            case "..", "..<": return nil
            default: return BinaryOp(rawValue: o)
            }
        case .word(let w):
            switch w {
            case "and", "or", "in", "not-in", "starts-with", "ends-with": return BinaryOp(rawValue: w)
            default: return nil
            }
        default: return nil
        }
    }

    mutating func parseBinary(_ minPrec: Int) throws(Bail) -> Expr {
        var lhs = try parseUnaryOrNot(minPrec)
        var chain = 0
        defer { chainDepth -= chain }
        while true {
            let t = peek()
            if t.isOp("&&") || t.isOp("||") {
                throw fail("`\(t.isOp("&&") ? "&&" : "||")` is not an operator here", at: t,
                           label: "use `\(t.isOp("&&") ? "and" : "or")`")
            }
            if (t.isOp("..") || t.isOp("..<")), Parser.rangePrecedence > minPrec {
                try chained(t, &chain)
                advance()
                skipNewlines()
                let rhs = try parseBinary(Parser.rangePrecedence)
                lhs = .range(lhs, rhs, inclusive: t.isOp(".."), lhs.span.to(rhs.span))
                continue
            }
            if t.isOp("=") {
                throw fail("`=` assigns; it does not compare", at: t, label: "use `==` to compare")
            }
            if case .shortFlag(let f) = t.kind, let op = Parser.shellOperators[f] {
                throw fail("`-\(f)` is not an operator here", at: t, label: "use `\(op)`")
            }
            guard let op = binaryOp(t), let prec = Parser.precedence[op], prec > minPrec else { break }
            try chained(t, &chain)
            advance()
            skipNewlines()
            let rhs = try parseBinary(prec)
            lhs = .binary(BinaryNode(op, lhs, rhs, lhs.span.to(rhs.span)))
        }
        return lhs
    }

    /// Counts one more operator in a row (see `maxChain`).
    mutating func chained(_ t: Token, _ chain: inout Int) throws(Bail) {
        guard chainDepth < Parser.maxChain else {
            report(SwitchboardError(.limit, "expression is too long (more than \(Parser.maxChain) operators in a row)",
                                           span: span(of: t), hint: "split it into parts with `let`"))
            throw Bail()
        }
        chain += 1
        chainDepth += 1
    }

    mutating func parseUnaryOrNot(_ minPrec: Int) throws(Bail) -> Expr {
        let t = peek()
        if t.isWord("not"), minPrec < Parser.notPrecedence {
            advance()
            try enter()
            defer { depth -= 1 }
            let e = try parseBinary(Parser.notPrecedence)
            return .unary(.not, e, span(t.start, previousEnd))
        }
        return try parseUnary()
    }

    mutating func parseUnary() throws(Bail) -> Expr {
        let t = peek()
        if t.isOp("-") {
            advance()
            try enter()
            defer { depth -= 1 }
            let e = try parseUnary()
            // Fold `-3` into a literal, so `-9223372036854775808` style edge cases stay errors, not traps.
            if case .literal(.int(let n), _) = e { return .literal(.int(-n), span(t.start, previousEnd)) }
            if case .literal(.float(let d), _) = e { return .literal(.float(-d), span(t.start, previousEnd)) }
            if case .literal(.duration(let d), _) = e { return .literal(.duration(-d), span(t.start, previousEnd)) }
            return .unary(.neg, e, span(t.start, previousEnd))
        }
        if t.isWord("not") {
            advance()
            try enter()
            defer { depth -= 1 }
            let e = try parseBinary(Parser.notPrecedence)
            return .unary(.not, e, span(t.start, previousEnd))
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws(Bail) -> Expr {
        var e = try parsePrimary()
        // A path into a row field (`where team.lead == "Ann"`) reads null where a row lacks a
        // part, as the field itself does: `.` after a row field acts as `?.`.
        let fromRow = if case .rowField = e { true } else { false }
        while true {
            let t = tokens[i]
            guard !t.spaceBefore else { break }
            if t.isOp(".") || t.isOp("?.") {
                let optional = t.isOp("?.")
                i += 1
                let f = tokens[i]
                let name: String
                switch f.kind {
                case .word(let w): name = w
                case .int(let n): name = String(n)
                case .string(let parts): name = parts.plainText ?? ""
                case .rawString(let s): name = s
                default: throw fail("expected a field name after `\(optional ? "?." : ".")`", at: f)
                }
                i += 1
                e = .member(e, name, optional: optional || fromRow, e.span.to(span(of: f)))
            } else if t.isOp("[") {
                i += 1
                newlineSkipping.append(true)
                let idx = try parseExpr()
                let close = peek()
                newlineSkipping.removeLast()
                guard close.isOp("]") else { throw fail("expected `]` after the index", at: close) }
                i += 1
                e = .index(e, idx, optional: fromRow, e.span.to(span(of: close)))
            } else {
                break
            }
        }
        return e
    }

    mutating func parsePrimary() throws(Bail) -> Expr {
        let t = peek()
        let s = span(of: t)
        switch t.kind {
        case .int(let n): advance(); return .literal(.int(n), s)
        case .float(let d): advance(); return .literal(.float(d), s)
        case .duration(let d): advance(); return .literal(.duration(d), s)
        case .date(let d): advance(); return .literal(.date(d), s)
        case .rawString(let str): advance(); return .literal(.string(str), s)
        case .string(let parts):
            advance()
            return try interpolation(parts, s)
        case .variable(let v):
            advance()
            return .variable(v, s)
        case .word(let w):
            switch w {
            case "true": advance(); return .literal(.bool(true), s)
            case "false": advance(); return .literal(.bool(false), s)
            case "null": advance(); return .literal(.null, s)
            case "if": return try parseIf()
            case "try": return try parseTry()
            default:
                advance()
                let n = tokens[i]
                if n.isOp("("), !n.spaceBefore { return .call(try parseCallArguments(name: w, nameTok: t)) }
                return .rowField(RowField(w, s))
            }
        case .op("("):
            let open = advance()
            try enter()
            defer { depth -= 1 }
            newlineSkipping.append(true)
            skipNewlines()
            if peek().isOp(")") {
                newlineSkipping.removeLast()
                throw fail("empty parentheses", at: advance(), label: "put a pipeline or expression inside")
            }
            let p = try parsePipeline()
            let close = peek()
            newlineSkipping.removeLast()
            guard close.isOp(")") else {
                throw unclosed(open, "parenthesis", expected: ")", found: close)
            }
            advance()
            // A one-stage expression needs no pipeline wrapper.
            if p.stages.count == 1, case .expr(let e) = p.stages[0] { return e }
            if let c = p.singleCommand { return .subcall(Subcall(c, span: span(t.start, close.end))) }
            return .subexpression(p, span(t.start, close.end))
        case .op("["):
            return try parseList()
        case .op("{"):
            return try parseBraces()
        case .eof:
            throw fail("unexpected end of input", at: t, label: "expected a value")
        case .longFlag(let f):
            throw fail("unexpected flag `--\(f)`", at: t, label: "flags go after a command name")
        default:
            throw fail("expected a value, found \(describe(t))", at: t)
        }
    }

    mutating func interpolation(_ parts: [StringPart], _ s: SourceSpan) throws(Bail) -> Expr {
        if let plain = parts.plainText { return .literal(.string(plain), s) }
        var pieces: [InterpolationPiece] = []
        for part in parts {
            switch part {
            case .text(let str): pieces.append(.text(str))
            case .interpolation(let a, let b):
                let (toks, lexErrs) = Lexer.tokenize(file, source: source, start: a, end: b)
                var sub = Parser(file: file, source: source, lookup: lookup, tokens: toks, errors: lexErrs)
                sub.declared = declared
                sub.depth = depth
                sub.chainDepth = chainDepth
                sub.limitHit = limitHit
                sub.closureDepth = closureDepth
                sub.newlineSkipping = [true]
                do throws(Bail) {
                    let p = try sub.parsePipeline()
                    if case .eof = sub.peek().kind {} else {
                        throw sub.fail("unexpected \(sub.describe(sub.peek())) in interpolation", at: sub.peek())
                    }
                    pieces.append(p.singleExpression.map(InterpolationPiece.single) ?? .expr(p))
                } catch {}
                errors.append(contentsOf: sub.errors)
                limitHit = limitHit || sub.limitHit
            }
        }
        return .interpolated(pieces, s)
    }

    mutating func parseCallArguments(name: String, nameTok: Token) throws(Bail) -> CommandCall {
        let open = advance()   // (
        newlineSkipping.append(true)
        defer { newlineSkipping.removeLast() }
        var args: [Argument] = []
        while !peek().isOp(")") {
            if case .eof = peek().kind { throw unclosed(open, "arguments of `\(name)`", expected: ")", found: peek()) }
            args.append(.positional(try parseExpr()))
            if peek().isOp(",") { advance() } else if !peek().isOp(")") {
                throw fail("expected `,` or `)` in the arguments of `\(name)`, found \(describe(peek()))", at: peek())
            }
        }
        let close = advance()
        return CommandCall(name: name, nameSpan: span(of: nameTok), arguments: args,
                           span: span(nameTok.start, close.end), isExpressionCall: true)
    }

    mutating func parseList() throws(Bail) -> Expr {
        let open = advance()
        try enter()
        defer { depth -= 1 }
        newlineSkipping.append(true)
        defer { newlineSkipping.removeLast() }
        var items: [Expr] = []
        while !peek().isOp("]") {
            if case .eof = peek().kind { throw unclosed(open, "list", expected: "]", found: peek()) }
            items.append(try parseExpr())
            if peek().isOp(",") { advance() }
        }
        let close = advance()
        return .list(items, span(open.start, close.end))
    }

    /// `{` starts a record when followed by `}` or by a key and `:`; otherwise a closure.
    mutating func parseBraces() throws(Bail) -> Expr {
        _ = peek()   // skips newlines when nested, so `i` is at the `{`
        var j = i + 1
        while j < tokens.count, case .newline = tokens[j].kind { j += 1 }
        let first = tokens[j]
        let second = j + 1 < tokens.count ? tokens[j + 1] : first
        var isRecord = first.isOp("}")
        switch first.kind {
        case .word, .string, .rawString, .int: if second.isOp(":") { isRecord = true }
        default: break
        }
        return isRecord ? try parseRecord() : .closure(try parseClosure())
    }

    mutating func parseRecord() throws(Bail) -> Expr {
        let open = advance()
        try enter()
        defer { depth -= 1 }
        newlineSkipping.append(true)
        defer { newlineSkipping.removeLast() }
        var keys: [String] = []
        var values: [Expr] = []
        while !peek().isOp("}") {
            let k = advance()
            let key: String
            switch k.kind {
            case .word(let w): key = w
            case .rawString(let s): key = s
            case .string(let parts):
                guard let p = parts.plainText else { throw fail("record keys cannot be interpolated", at: k) }
                key = p
            case .int(let n): key = String(n)
            case .eof: throw unclosed(open, "record", expected: "}", found: k)
            default: throw fail("expected a record key, found \(describe(k))", at: k)
            }
            _ = try expectOp(":", "after the key `\(key)`")
            let v = try parseExpr()
            if let existing = keys.firstIndex(of: key) {
                values[existing] = v
            } else {
                keys.append(key)
                values.append(v)
            }
            if peek().isOp(",") { advance() }
        }
        let close = advance()
        return .record(Shape.of(keys), values, span(open.start, close.end))
    }

    mutating func parseClosure() throws(Bail) -> ClosureDecl {
        let open = advance()
        try enter()
        defer { depth -= 1 }
        var params: [ParamDecl] = []
        skipNewlines()
        if tokens[i].isOp("|") {
            i += 1
            while !tokens[i].isOp("|") {
                let p = tokens[i]
                i += 1
                switch p.kind {
                case .word(let n), .variable(let n): params.append(ParamDecl(name: n, type: .any, defaultValue: nil, span: span(of: p)))
                case .op(","): continue
                default: throw fail("expected a parameter name or `|`, found \(describe(p))", at: p)
                }
            }
            i += 1
        } else if tokens[i].isOp("||") {
            i += 1
        }
        closureDepth += 1
        defer { closureDepth -= 1 }
        let stmts = parseStatements(until: "}")
        let close = tokens[i]
        guard close.isOp("}") else { throw unclosed(open, "closure", expected: "}", found: close) }
        i += 1
        let s = span(open.start, close.end)
        return ClosureDecl(params: params, body: Block(stmts, span: s), span: s)
    }

    mutating func parseIf() throws(Bail) -> Expr {
        let kw = advance()
        var branches: [(Expr, Block)] = []
        var elseBlock: Block?
        let cond = try parseExpr()
        branches.append((cond, try parseBlock("after the `if` condition")))
        while true {
            // `else` may start the next line.
            var j = i
            while case .newline = tokens[j].kind { j += 1 }
            guard tokens[j].isWord("else") else { break }
            i = j + 1
            if tokens[i].isWord("if") {
                i += 1
                let c = try parseExpr()
                branches.append((c, try parseBlock("after the `else if` condition")))
            } else {
                elseBlock = try parseBlock("after `else`")
                break
            }
        }
        return .ifExpr(IfNode(branches: branches, elseBlock: elseBlock, span: span(kw.start, previousEnd)))
    }

    mutating func parseTry() throws(Bail) -> Expr {
        let kw = advance()
        let body = try parseBlock("after `try`")
        var j = i
        while case .newline = tokens[j].kind { j += 1 }
        guard tokens[j].isWord("catch") else { return .tryExpr(body, nil, nil, span(kw.start, previousEnd)) }
        i = j + 1
        var name: String?
        if case .variable(let n) = tokens[i].kind { name = n; i += 1 }
        let handler = try parseBlock("after `catch`")
        return .tryExpr(body, name, handler, span(kw.start, previousEnd))
    }
}

extension Array where Element == StringPart {
    /// The text, when there is no interpolation.
    var plainText: String? {
        var s = ""
        for p in self {
            guard case .text(let t) = p else { return nil }
            s += t
        }
        return s
    }
}
