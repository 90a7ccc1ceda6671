/// A lazy, pull-based sequence of values. Pipelines between commands are streams:
/// each stage pulls from the one before, so `agents | first 5` fetches only what it needs.
/// A stream is consumed once.
public final class ValueStream: @unchecked Sendable {
    private var pull: (() throws -> Value?)?
    private var onClose: (() -> Void)?

    /// - Parameters:
    ///   - next: returns the next value, or nil at the end.
    ///   - onClose: called once when the stream ends or is abandoned (cancel HTTP, close files).
    public init(next: @escaping () throws -> Value?, onClose: (() -> Void)? = nil) {
        self.pull = next
        self.onClose = onClose
    }

    /// A stream over a Swift sequence.
    public convenience init<S: Sequence>(_ sequence: S) where S.Element == Value {
        var it = sequence.makeIterator()
        self.init(next: { it.next() })
    }

    public func next() throws -> Value? {
        guard let pull else { return nil }
        do {
            if let v = try pull() { return v }
        } catch {
            close()
            throw error
        }
        close()
        return nil
    }

    /// Stops the stream; later `next()` calls return nil.
    public func close() {
        pull = nil
        if let c = onClose {
            onClose = nil
            c()
        }
    }

    deinit { onClose?() }
}

/// Walks any value as a sequence of items: a list's elements, a stream's values,
/// a range's numbers, nothing for null, and any other value as itself.
public struct ValueIterator {
    private enum Source {
        case list([Value], Int)
        case stream(ValueStream)
        case range(next: Int, last: Int, step: Int, done: Bool)
        case single(Value?)
    }
    private var source: Source

    public init(_ value: Value) {
        switch value {
        case .list(let l): source = .list(l, 0)
        case .stream(let s): source = .stream(s)
        case .range(let r):
            if let last = r.last { source = .range(next: r.lower, last: last, step: r.step, done: false) }
            else { source = .single(nil) }
        case .null: source = .single(nil)
        default: source = .single(value)
        }
    }

    public mutating func next() throws -> Value? {
        switch source {
        case .list(let l, let i):
            guard i < l.count else { return nil }
            source = .list(l, i + 1)
            return l[i]
        case .stream(let s):
            return try s.next()
        case .range(let n, let last, let step, let done):
            if done { return nil }
            source = .range(next: n == last ? n : n + step, last: last, step: step, done: n == last)
            return .int(n)
        case .single(let v):
            source = .single(nil)
            return v
        }
    }

    /// Stops a stream source early (used by `first`, `take`, and when an error ends a pipeline).
    public func close() {
        if case .stream(let s) = source { s.close() }
    }
}

extension Value {
    /// Iterate this value's items.
    public func iterate() -> ValueIterator { ValueIterator(self) }

    /// True for values that flow item by item through a pipeline.
    public var isSequence: Bool {
        switch self {
        case .list, .stream, .range: true
        default: false
        }
    }

    /// Collects a stream or range into a list; other values are returned unchanged.
    /// `limit` guards against collecting an endless stream.
    public func collected(limit: Int = 50_000_000) throws -> Value {
        switch self {
        case .stream, .range:
            var out: [Value] = []
            var it = iterate()
            while let v = try it.next() {
                out.append(v)
                if out.count > limit {
                    it.close()
                    throw SwitchboardError(.limit, "a stream of more than \(limit) items cannot be collected into a list")
                }
            }
            return .list(out)
        default:
            return self
        }
    }

    /// All items as an array (a scalar gives one item, null none).
    public func items() throws -> [Value] {
        if case .list(let l) = self { return l }
        var out: [Value] = []
        var it = iterate()
        while let v = try it.next() { out.append(v) }
        return out
    }
}
