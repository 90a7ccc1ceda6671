import Foundation
import SwitchboardCore

/// Splits a JSON array arriving in chunks into its elements, decoding each one as soon as it is
/// complete: memory holds one element, not the whole answer. Only structure is tracked here
/// (strings, escapes, nesting); each element is checked by the JSON decoder.
final class JSONArraySplitter: @unchecked Sendable {
    private enum State { case before, between, element, after, whole }
    private var state = State.before
    private var element: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    private let each: @Sendable (Value) throws -> Void

    /// The answer is not a JSON array (the message says where).
    struct Malformed: Error { let message: String }

    init(_ each: @escaping @Sendable (Value) throws -> Void) { self.each = each }

    /// Starts over (a retried request sends the answer again).
    func reset() {
        state = .before
        element.removeAll(keepingCapacity: true)
        depth = 0
        inString = false
        escaped = false
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            switch state {
            case .before:
                if Self.isSpace(b) { i += 1; continue }
                if b == UInt8(ascii: "[") { state = .between; i += 1; continue }
                // Not an array: kept whole and decoded at the end.
                state = .whole
                continue
            case .between:
                if Self.isSpace(b) || b == UInt8(ascii: ",") { i += 1; continue }
                if b == UInt8(ascii: "]") { state = .after; i += 1; continue }
                state = .element
                continue
            case .element:
                // Scan ahead to the end of the element (or of this chunk), then copy in one go.
                let start = i
                var end: Int? = nil
                var closesArray = false
                while i < n {
                    let c = bytes[i]
                    if inString {
                        if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                        i += 1
                        continue
                    }
                    switch c {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        if depth == 0 {  // the array's own `]` right after a scalar
                            closesArray = true
                            end = i
                        } else {
                            depth -= 1
                            if depth == 0 { end = i + 1 }
                        }
                    case UInt8(ascii: ","):
                        if depth == 0 { end = i }
                    default: break
                    }
                    if end != nil { break }
                    i += 1
                }
                let stop = end ?? n
                if stop > start { element.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<stop])) }
                guard let e = end else { return }
                try emit()
                i = closesArray ? e + 1 : e
                state = closesArray ? .after : .between
            case .after:
                if !Self.isSpace(b) { throw Malformed(message: "unexpected text after the JSON array") }
                i += 1
            case .whole:
                element.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<n]))
                return
            }
        }
    }

    private func emit() throws {
        // Trailing spaces of a scalar element are the decoder's to skip.
        let v: Value
        do { v = try JSON.decode(bytes: element) } catch { throw Malformed(message: "\(error): " + String(decoding: element.prefix(120), as: UTF8.self)) }
        element.removeAll(keepingCapacity: true)
        try each(v)
    }

    /// After the last chunk: the array must have been closed.
    func finish() throws {
        switch state {
        case .after: return
        case .whole:
            let v: Value
            do { v = try JSON.decode(bytes: element) } catch { throw Malformed(message: String(decoding: element.prefix(120), as: UTF8.self)) }
            element = []
            guard case .list(let items) = v else { throw Malformed(message: "expected a JSON array, not \(v.typeName)") }
            for item in items { try each(item) }
            state = .after
        case .before:
            throw Malformed(message: "expected a JSON array, got an empty answer")
        default:
            throw Malformed(message: "the JSON array ends early")
        }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}
