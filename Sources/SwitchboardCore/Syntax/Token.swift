/// The kinds of token the lexer produces.
public enum TokenKind: Equatable, Sendable {
    case int(Int)
    case float(Double)
    /// A double-quoted string; `parts` alternate literal text and interpolations.
    case string([StringPart])
    case rawString(String)
    case duration(Int)
    case date(Double)
    /// An identifier or kebab-case word (`sort-by`, `not-in`).
    case word(String)
    /// `$name`
    case variable(String)
    /// `--name`
    case longFlag(String)
    /// `-f`
    case shortFlag(String)
    /// Operators and punctuation: `== != <= >= =~ !~ ?? ..< .. ?. + - * / % < > = | , : ; ( ) [ ] { } .`
    case op(String)
    case newline
    case eof
    /// A character that starts no token; kept so barewords (paths) can include it.
    case other(Character)
}

/// A piece of a double-quoted string.
public enum StringPart: Equatable, Sendable {
    case text(String)
    /// `\( ... )`: the byte range of the expression inside the parentheses.
    case interpolation(start: Int, end: Int)
}

public struct Token: Sendable {
    public var kind: TokenKind
    public var start: Int
    public var end: Int
    /// Whitespace (or the start of input) comes right before this token.
    public var spaceBefore: Bool

    public func isOp(_ s: String) -> Bool { if case .op(let o) = kind { o == s } else { false } }
    public func isWord(_ s: String) -> Bool { if case .word(let w) = kind { w == s } else { false } }
    public var word: String? { if case .word(let w) = kind { w } else { nil } }
}
