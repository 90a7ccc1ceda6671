/// Every built-in command of the core, one family per file.
public enum Builtins {
    public static func all() -> [Command] {
        filters() + selection() + slicing() + sorting() + aggregates() + joins() + formats() + files() + output()
            + helpers() + shell() + strings()
    }
}

/// Iterates a command's input and stops the source when done (so `first` closes a paging stream).
struct InputRows {
    var iterator: ValueIterator
    init(_ v: Value) { iterator = v.iterate() }
}

/// An iterator shared by a stream's closures. A class with an unchecked property, because a
/// `var` captured by an escaping closure pays a dynamic exclusivity check on every access.
final class IteratorBox {
    @exclusivity(unchecked) var it: ValueIterator
    init(_ it: ValueIterator) { self.it = it }
}

extension CallContext {
    /// The input as a lazy stream of rows, transformed by `body` (nil skips the row).
    /// The result closes the input when it is closed.
    public func mapRows(_ body: @escaping (Value) throws -> Value?) -> Value {
        let rows = IteratorBox(input.iterate())
        let interp = interpreter
        return .stream(ValueStream(next: {
            while let v = try rows.it.next() {
                try interp.tick()
                if let out = try body(v) { return out }
            }
            return nil
        }, onClose: { rows.it.close() }))
    }

    /// Truthiness of a condition closure's result, with an error pointing at the closure.
    public func isTrue(_ v: Value, _ c: Closure) throws -> Bool {
        switch v {
        case .bool(let b): return b
        case .null: return false
        default:
            throw SwitchboardError(.type, "the condition must give a bool, not \(article(v.typeName))", span: c.span)
        }
    }
}
