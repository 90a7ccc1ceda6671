/// A lazy, pull-based sequence of values. Pipelines between commands are streams:
/// each stage pulls from the one before, so `agents | first 5` fetches only what it needs.
/// A stream is consumed once.
public final class ValueStream: @unchecked Sendable {
    /// A `let`, so `next()` calls it without retaining it (a `var` could be reassigned during the
    /// call); `open` says whether it may still be called.
    private let pull: () throws -> Value?
    @exclusivity(unchecked) private var open = true
    @exclusivity(unchecked) private var onClose: (() -> Void)?

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
        guard open else { return nil }
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
        open = false
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
    // Separate fields rather than an enum with payloads: `next()` then advances an index in
    // place instead of copying the list out of the enum and back for every item.
    private enum Kind { case list, stream, range, single, done }
    private var kind: Kind
    private var list: [Value] = []
    private var index = 0
    private var stream: ValueStream?
    private var last = 0
    private var step = 1
    private var single: Value = .null

    public init(_ value: Value) {
        switch value {
        case .list(let l):
            kind = .list
            list = l
        case .stream(let s):
            kind = .stream
            stream = s
        case .range(let r):
            if let last = r.last {
                kind = .range
                index = r.lower
                self.last = last
                step = r.step
            } else {
                kind = .done
            }
        case .null:
            kind = .done
        default:
            kind = .single
            single = value
        }
    }

    public mutating func next() throws -> Value? {
        switch kind {
        case .list:
            guard index < list.count else { return nil }
            index += 1
            return list[index - 1]
        case .stream:
            return try stream!.next()
        case .range:
            let n = index
            if n == last { kind = .done } else { index = n + step }
            return .int(n)
        case .single:
            kind = .done
            let v = single
            single = .null
            return v
        case .done:
            return nil
        }
    }

    /// Stops a stream source early (used by `first`, `take`, and when an error ends a pipeline).
    public func close() {
        if kind == .stream { stream?.close() }
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
    /// `limit` guards against collecting an endless stream. Consuming, so `f().collected()` hands
    /// a record or list on without a copy (and its retains).
    public consuming func collected(limit: Int = 50_000_000) throws -> Value {
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
