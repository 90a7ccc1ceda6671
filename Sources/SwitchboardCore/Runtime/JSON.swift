import Foundation

/// JSON to and from values, written for speed: a byte-level parser that builds
/// records directly and reuses one `Shape` for consecutive objects with the same keys.
public enum JSON {
    // MARK: Encoding

    public static func encode(_ v: Value, pretty: Bool = false) throws -> String {
        var out = ""
        try write(v, into: &out, pretty: pretty, indent: 0)
        return out
    }

    static func write(_ v: Value, into out: inout String, pretty: Bool, indent: Int) throws {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .float(let d): out += d.isFinite ? formatFloat(d) : "null"
        case .string(let s): writeString(s, into: &out)
        case .date(let t): writeString(DateParsing.format(t), into: &out)
        case .duration(let d): writeString(DurationFormat.format(d), into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                try write(item, into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "]"
        case .record(let r):
            if r.isEmpty { out += "{}"; return }
            out += "{"
            for (k, (key, value)) in r.fields.enumerated() {
                if k > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                writeString(key, into: &out)
                out += pretty ? ": " : ":"
                try write(value, into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "}"
        case .range, .stream:
            try write(v.collected(), into: &out, pretty: pretty, indent: indent)
        case .error(let e):
            try write(.record(["message": .string(e.error.message), "kind": .string(e.error.kind.rawValue)]), into: &out, pretty: pretty, indent: indent)
        case .closure:
            throw SwitchboardError(.type, "a closure cannot be written as JSON")
        }
    }

    static func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// Shortest round-trip form; integral floats keep a `.0`.
    public static func formatFloat(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { needsEscape = true; break }
        if !needsEscape {
            out += s
        } else {
            for ch in s.unicodeScalars {
                switch ch {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
                }
            }
        }
        out += "\""
    }

    // MARK: Decoding

    public static func decode(_ text: String) throws -> Value {
        var p = JSONParser(Array(text.utf8))
        return try p.parseDocument()
    }

    public static func decode(bytes: [UInt8]) throws -> Value {
        var p = JSONParser(bytes)
        return try p.parseDocument()
    }

    /// A document as a lazy value: a top-level array is a stream whose elements are parsed as
    /// they are pulled (so `open big.json | first 5` builds five records, not a million); any
    /// other document is parsed whole. An error further into the array surfaces when reached.
    public static func stream(bytes: [UInt8]) throws -> Value {
        var p = JSONParser(bytes)
        p.skipWhitespace()
        guard !p.atEnd, p.b[p.i] == UInt8(ascii: "[") else { return try p.parseDocument() }
        p.i += 1
        var first = true
        return .stream(ValueStream(next: {
            p.skipWhitespace()
            guard !p.atEnd else { throw p.error("unterminated array") }
            if p.b[p.i] == UInt8(ascii: "]") {
                p.i += 1
                p.skipWhitespace()
                if !p.atEnd { throw p.error("unexpected text after the JSON value") }
                return nil
            }
            if !first {
                guard p.b[p.i] == UInt8(ascii: ",") else { throw p.error("expected `,` or `]` in an array") }
                p.i += 1
            }
            first = false
            return try p.parseValue(depth: 1)
        }))
    }

    /// Decodes one JSON value per non-empty line.
    public static func decodeLines(_ text: String) throws -> [Value] {
        var out: [Value] = []
        var p = JSONParser(Array(text.utf8))
        while true {
            p.skipWhitespace()
            if p.atEnd { break }
            out.append(try p.parseValue(depth: 0))
        }
        return out
    }
}

struct JSONParser {
    let b: [UInt8]
    var i = 0
    /// The shape of the previous object, tried first for the next one.
    var lastShapes: [Shape] = []

    /// The line `b` starts on in a larger text (NDJSON read in chunks), for error messages.
    var firstLine = 1

    init(_ bytes: [UInt8]) { b = bytes }

    var atEnd: Bool { i >= b.count }

    func error(_ msg: String) -> SwitchboardError {
        // Line and column in the JSON text help find the problem in a large file.
        var line = firstLine, col = 1
        for k in 0..<min(i, b.count) { if b[k] == 0x0A { line += 1; col = 1 } else { col += 1 } }
        return SwitchboardError(.value, "invalid JSON at line \(line), column \(col): \(msg)")
    }

    mutating func skipWhitespace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    mutating func parseDocument() throws -> Value {
        skipWhitespace()
        let v = try parseValue(depth: 0)
        skipWhitespace()
        if i < b.count { throw error("unexpected text after the JSON value") }
        return v
    }

    mutating func parseValue(depth: Int) throws -> Value {
        guard depth < 512 else { throw error("nesting is too deep") }
        skipWhitespace()
        guard i < b.count else { throw error("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipWhitespace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard i < b.count else { throw error("unterminated array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
                throw error("expected `,` or `]` in an array")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try parseNumber()
        }
    }

    mutating func literal(_ word: String, _ v: Value) throws -> Value {
        let w = Array(word.utf8)
        guard i + w.count <= b.count, Array(b[i..<i + w.count]) == w else { throw error("unexpected character") }
        i += w.count
        return v
    }

    mutating func parseObject(depth: Int) throws -> Value {
        i += 1
        var keys: [String] = []
        var values: [Value] = []
        skipWhitespace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            return .record(Record())
        }
        // Fast path: the keys of the previous object at this depth, in the same order.
        let guess: Shape? = depth < lastShapes.count ? lastShapes[depth] : nil
        var matches = guess != nil
        while true {
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
            let key = try parseString()
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected `:` after an object key") }
            i += 1
            let v = try parseValue(depth: depth + 1)
            if matches, let g = guess, keys.count < g.keys.count, g.keys[keys.count] == key {
                // still matching
            } else {
                matches = false
            }
            if let dup = keys.firstIndex(of: key), keys.count <= 64 {
                values[dup] = v
                matches = false
            } else {
                keys.append(key)
                values.append(v)
            }
            skipWhitespace()
            guard i < b.count else { throw error("unterminated object") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; break }
            throw error("expected `,` or `}` in an object")
        }
        let shape: Shape
        if matches, let g = guess, g.keys.count == keys.count {
            shape = g
        } else {
            shape = Shape.of(keys)
            while lastShapes.count <= depth { lastShapes.append(.empty) }
            lastShapes[depth] = shape
        }
        return .record(Record(shape: shape, values: values))
    }

    mutating func parseString() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: b[start..<i], as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            i += 1
        }
        var buf = Array(b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: buf, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < b.count else { break }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): buf.append(0x0A)
                case UInt8(ascii: "t"): buf.append(0x09)
                case UInt8(ascii: "r"): buf.append(0x0D)
                case UInt8(ascii: "b"): buf.append(0x08)
                case UInt8(ascii: "f"): buf.append(0x0C)
                case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): buf.append(e)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if code >= 0xD800, code < 0xDC00, i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let scalar = UnicodeScalar(code) ?? "\u{FFFD}"
                    buf.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw error("invalid escape in a string")
                }
                continue
            }
            buf.append(c)
            i += 1
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw error("invalid \\u escape")
        }
        i += 4
        return v
    }

    mutating func parseNumber() throws -> Value {
        let start = i
        var isFloat = false
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        var n = 0
        var overflow = false
        let digitsStart = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(b[i] - 0x30))
            if o1 || o2 { overflow = true }
            n = s
            i += 1
        }
        guard i > digitsStart else { throw error("unexpected character") }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        if isFloat || overflow {
            guard let d = Double(String(decoding: b[start..<i], as: UTF8.self)) else { throw error("invalid number") }
            return .float(d)
        }
        return .int(b[start] == UInt8(ascii: "-") ? -n : n)
    }
}
