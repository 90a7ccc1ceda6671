import Foundation

/// Turns source bytes into tokens. Errors (bad escapes, unterminated strings, int
/// overflow) are collected, not thrown, so the parser can report them all.
public struct Lexer {
    let bytes: [UInt8]
    let source: Int32
    var pos: Int
    let end: Int
    public private(set) var errors: [SwitchboardError] = []

    public init(file: SourceFile, source: Int32, start: Int = 0, end: Int? = nil) {
        self.bytes = file.bytes
        self.source = source
        self.pos = start
        self.end = end ?? file.bytes.count
    }

    public static func tokenize(_ file: SourceFile, source: Int32, start: Int = 0, end: Int? = nil) -> ([Token], [SwitchboardError]) {
        var lx = Lexer(file: file, source: source, start: start, end: end)
        var out: [Token] = []
        // A first line `#!...` is a shebang.
        if start == 0, lx.peek(0) == UInt8(ascii: "#"), lx.peek(1) == UInt8(ascii: "!") {
            while lx.pos < lx.end, lx.bytes[lx.pos] != UInt8(ascii: "\n") { lx.pos += 1 }
        }
        while true {
            let t = lx.next()
            out.append(t)
            if case .eof = t.kind { break }
        }
        return (out, lx.errors)
    }

    func peek(_ k: Int) -> UInt8 {
        let i = pos + k
        return i < end ? bytes[i] : 0
    }

    func span(_ s: Int, _ e: Int) -> SourceSpan { SourceSpan(source: source, start: s, end: e) }

    mutating func error(_ kind: ErrorKind, _ msg: String, _ s: Int, _ e: Int, label: String? = nil) {
        errors.append(SwitchboardError(kind, msg, span: span(s, e), label: label))
    }

    mutating func error(_ msg: String, _ s: Int, _ e: Int, label: String? = nil) {
        error(.parse, msg, s, e, label: label)
    }

    static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }
    static func isIdent(_ b: UInt8) -> Bool { isIdentStart(b) || isDigit(b) }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isLetter(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) }

    mutating func next() -> Token {
        var space = pos == 0
        // Skip blanks and comments; newlines are tokens.
        while pos < end {
            let b = bytes[pos]
            if b == 0x20 || b == 0x09 || b == 0x0D { pos += 1; space = true; continue }
            if b == UInt8(ascii: "#") {
                while pos < end, bytes[pos] != 0x0A { pos += 1 }
                continue
            }
            if b == UInt8(ascii: "\\"), peek(1) == 0x0A { pos += 2; space = true; continue }   // explicit line continuation
            break
        }
        let start = pos
        func tok(_ k: TokenKind) -> Token { Token(kind: k, start: start, end: pos, spaceBefore: space) }
        guard pos < end else { return tok(.eof) }
        let b = bytes[pos]
        if b == 0x0A { pos += 1; return tok(.newline) }

        if Lexer.isDigit(b) { return tok(number()) }
        if Lexer.isIdentStart(b) { return tok(.word(word())) }
        switch b {
        case UInt8(ascii: "\""): return tok(string())
        case UInt8(ascii: "'"): return tok(rawString())
        case UInt8(ascii: "$"):
            pos += 1
            if pos < end, Lexer.isIdentStart(bytes[pos]) { return tok(.variable(identifier())) }
            error("`$` must be followed by a variable name", start, pos)
            return tok(.other("$"))
        case UInt8(ascii: "-"):
            if peek(1) == UInt8(ascii: "-"), Lexer.isLetter(peek(2)) {
                pos += 2
                return tok(.longFlag(word()))
            }
            if space, Lexer.isLetter(peek(1)) {
                pos += 1
                return tok(.shortFlag(word()))
            }
            pos += 1
            return tok(.op("-"))
        default: break
        }
        // Operators, longest first.
        let three = pos + 2 < end ? String(decoding: bytes[pos..<pos + 3], as: UTF8.self) : ""
        if three == "..<" || three == "..." { pos += 3; return tok(.op(three)) }
        let two = pos + 1 < end ? String(decoding: bytes[pos..<pos + 2], as: UTF8.self) : ""
        if ["==", "!=", "<=", ">=", "=~", "!~", "??", "..", "?.", "&&", "||"].contains(two) {
            pos += 2
            return tok(.op(two))
        }
        if "+*/%<>=|,:;()[]{}.!".utf8.contains(b) {
            pos += 1
            return tok(.op(String(UnicodeScalar(b))))
        }
        // Anything else: one whole character (may be part of a bareword such as a path).
        let scalarLen = b < 0x80 ? 1 : (b >= 0xF0 ? 4 : (b >= 0xE0 ? 3 : 2))
        let e = min(end, pos + scalarLen)
        let ch = String(decoding: bytes[pos..<e], as: UTF8.self).first ?? "?"
        pos = e
        return tok(.other(ch))
    }

    mutating func identifier() -> String {
        let s = pos
        while pos < end, Lexer.isIdent(bytes[pos]) { pos += 1 }
        return String(decoding: bytes[s..<pos], as: UTF8.self)
    }

    /// An identifier with kebab-case: a `-` between two letters belongs to the word.
    mutating func word() -> String {
        let s = pos
        while pos < end {
            if Lexer.isIdent(bytes[pos]) { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "-"), pos > s, Lexer.isLetter(bytes[pos - 1]), pos + 1 < end, Lexer.isLetter(bytes[pos + 1]) {
                pos += 1
                continue
            }
            break
        }
        return String(decoding: bytes[s..<pos], as: UTF8.self)
    }

    mutating func number() -> TokenKind {
        let s = pos
        // Dates: YYYY-MM-DD[THH:MM:SS[.fff](Z|±HH:MM)]
        if let d = dateLiteral() { return d }
        if bytes[pos] == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
            pos += 2
            let ds = pos
            while pos < end, bytes[pos].isHexDigitOrUnderscore { pos += 1 }
            let digits = String(decoding: bytes[ds..<pos], as: UTF8.self).replacingOccurrences(of: "_", with: "")
            guard !digits.isEmpty, let v = Int(digits, radix: 16) else {
                error(.value, digits.isEmpty ? "hex literal needs digits" : "integer literal is too large (the largest int is 9223372036854775807)", s, pos)
                return .int(0)
            }
            return .int(v)
        }
        while pos < end, Lexer.isDigit(bytes[pos]) || bytes[pos] == UInt8(ascii: "_") { pos += 1 }
        var isFloat = false
        if pos < end, bytes[pos] == UInt8(ascii: "."), Lexer.isDigit(peek(1)) {
            isFloat = true
            pos += 1
            while pos < end, Lexer.isDigit(bytes[pos]) || bytes[pos] == UInt8(ascii: "_") { pos += 1 }
        }
        if pos < end, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            let save = pos
            pos += 1
            if pos < end, bytes[pos] == UInt8(ascii: "-") || bytes[pos] == UInt8(ascii: "+") { pos += 1 }
            if pos < end, Lexer.isDigit(bytes[pos]) {
                isFloat = true
                while pos < end, Lexer.isDigit(bytes[pos]) { pos += 1 }
            } else {
                pos = save
            }
        }
        let text = String(decoding: bytes[s..<pos], as: UTF8.self).replacingOccurrences(of: "_", with: "")
        // Duration suffix directly after the number.
        let unitStart = pos
        while pos < end, Lexer.isLetter(bytes[pos]) { pos += 1 }
        let unit = String(decoding: bytes[unitStart..<pos], as: UTF8.self)
        if !unit.isEmpty {
            let scale: Double? = switch unit {
            case "ns": 1
            case "us": 1e3
            case "ms": 1e6
            case "s", "sec": 1e9
            case "min", "m": 60e9
            case "h", "hr": 3600e9
            case "d", "day": 86400e9
            case "w", "wk": 604800e9
            default: nil
            }
            guard let scale, let n = Double(text) else {
                error("unknown unit `\(unit)` after a number", unitStart, pos, label: "units are ns us ms s min h d w")
                return .int(0)
            }
            let ns = n * scale
            guard abs(ns) < 9.2e18 else {
                error(.value, "duration is too large", s, pos)
                return .duration(0)
            }
            return .duration(Int(ns))
        }
        if isFloat {
            return .float(Double(text) ?? 0)
        }
        guard let v = Int(text) else {
            error(.value, "integer literal is too large (the largest int is 9223372036854775807)", s, pos)
            return .int(0)
        }
        return .int(v)
    }

    mutating func dateLiteral() -> TokenKind? {
        func digits(_ at: Int, _ n: Int) -> Bool {
            guard at + n <= end else { return false }
            for i in at..<at + n where !Lexer.isDigit(bytes[i]) { return false }
            return true
        }
        guard digits(pos, 4), peek(4) == UInt8(ascii: "-"), digits(pos + 5, 2), peek(7) == UInt8(ascii: "-"), digits(pos + 8, 2) else { return nil }
        var e = pos + 10
        if e < end, bytes[e] == UInt8(ascii: "T") {
            e += 1
            while e < end, Lexer.isDigit(bytes[e]) || [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "Z"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(bytes[e]) { e += 1 }
        }
        let text = String(decoding: bytes[pos..<e], as: UTF8.self)
        let s = pos
        pos = e
        guard let t = DateParsing.parse(text) else {
            error(.value, "`\(text)` is not a valid date", s, e, label: "dates look like 2024-03-11 or 2024-03-11T16:39:30Z")
            return .date(0)
        }
        return .date(t)
    }

    mutating func rawString() -> TokenKind {
        let s = pos
        pos += 1
        let cs = pos
        while pos < end, bytes[pos] != UInt8(ascii: "'") { pos += 1 }
        if pos >= end {
            error(.incomplete, "unterminated string", s, pos, label: "this string is never closed with '")
            return .rawString(String(decoding: bytes[cs..<pos], as: UTF8.self))
        }
        let text = String(decoding: bytes[cs..<pos], as: UTF8.self)
        pos += 1
        return .rawString(text)
    }

    mutating func string() -> TokenKind {
        let s = pos
        pos += 1
        var parts: [StringPart] = []
        var buf: [UInt8] = []
        func flush() {
            if !buf.isEmpty { parts.append(.text(String(decoding: buf, as: UTF8.self))); buf.removeAll() }
        }
        while pos < end {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                flush()
                return .string(parts)
            }
            if b == UInt8(ascii: "\\") {
                let es = pos
                pos += 1
                guard pos < end else { break }
                let c = bytes[pos]
                pos += 1
                switch c {
                case UInt8(ascii: "n"): buf.append(0x0A)
                case UInt8(ascii: "t"): buf.append(0x09)
                case UInt8(ascii: "r"): buf.append(0x0D)
                case UInt8(ascii: "0"): buf.append(0)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "$"): buf.append(c)
                case UInt8(ascii: "u"):
                    guard pos < end, bytes[pos] == UInt8(ascii: "{") else {
                        error("`\\u` must be followed by `{hex}`", es, pos)
                        continue
                    }
                    let hs = pos + 1
                    var he = hs
                    while he < end, bytes[he] != UInt8(ascii: "}"), he - hs < 8 { he += 1 }
                    let hex = String(decoding: bytes[hs..<min(he, end)], as: UTF8.self)
                    if he < end, bytes[he] == UInt8(ascii: "}"), let n = UInt32(hex, radix: 16), let scalar = UnicodeScalar(n) {
                        buf.append(contentsOf: Array(String(Character(scalar)).utf8))
                    } else {
                        error("`\\u{\(hex)}` is not a valid unicode escape", es, min(he + 1, end))
                    }
                    pos = min(he + 1, end)
                case UInt8(ascii: "("):
                    // Interpolation: find the matching `)`, skipping nested strings and parens.
                    flush()
                    let istart = pos
                    var depth = 1
                    while pos < end, depth > 0 {
                        let ch = bytes[pos]
                        if ch == UInt8(ascii: "(") { depth += 1 }
                        else if ch == UInt8(ascii: ")") { depth -= 1; if depth == 0 { break } }
                        else if ch == UInt8(ascii: "\"") {
                            pos += 1
                            while pos < end, bytes[pos] != UInt8(ascii: "\"") {
                                if bytes[pos] == UInt8(ascii: "\\") { pos += 1 }
                                pos += 1
                            }
                        } else if ch == UInt8(ascii: "'") {
                            pos += 1
                            while pos < end, bytes[pos] != UInt8(ascii: "'") { pos += 1 }
                        }
                        pos += 1
                    }
                    if pos >= end {
                        error(.incomplete, "unterminated interpolation", es, pos, label: "`\\(` is never closed")
                        return .string(parts)
                    }
                    parts.append(.interpolation(start: istart, end: pos))
                    pos += 1
                default:
                    error("unknown escape `\\\(Character(UnicodeScalar(c)))`", es, pos,
                          label: "escapes are \\n \\t \\r \\\" \\\\ \\u{...} \\(...)")
                }
                continue
            }
            buf.append(b)
            pos += 1
        }
        error(.incomplete, "unterminated string", s, pos, label: "this string is never closed with \"")
        flush()
        return .string(parts)
    }
}

extension UInt8 {
    var isHexDigitOrUnderscore: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x61 && self <= 0x66) || (self >= 0x41 && self <= 0x46) || self == 0x5F
    }
}
