import Synchronization

/// The key layout shared by every record with the same fields in the same order.
/// A million records built by one record literal (or parsed from one JSON shape)
/// share one `Shape`, so each record is just an array of values.
public final class Shape: Sendable {
    public let keys: [String]
    /// Resource kind tag, e.g. `agent@chatrhub`; nil for plain records.
    public let tag: String?
    private let index: [String: Int]
    /// `keys`' element storage (`keys` is immutable, so the pointer stays valid).
    private nonisolated(unsafe) let keyBase: UnsafePointer<String>?
    private let transitions = Mutex<[String: Shape]>([:])

    init(keys: [String], tag: String?) {
        self.keys = keys
        self.tag = tag
        var index: [String: Int] = [:]
        index.reserveCapacity(keys.count)
        for (i, k) in keys.enumerated() where index[k] == nil { index[k] = i }
        self.index = index
        keyBase = self.keys.withUnsafeBufferPointer { $0.baseAddress }
    }

    @inline(__always)
    public func slot(_ key: String) -> Int? {
        // Small shapes: a linear scan beats hashing; short ASCII keys compare by their bits.
        if keys.count <= 8 {
            let name = NameKey(key)
            if name.isSmallASCII {
                let k = name.scanForward(keyBase, keys.count)
                if k >= 0 { return k }
                if k == -1 { return nil }
            }
            for i in 0..<keys.count where keys[i] == key { return i }
            return nil
        }
        return index[key]
    }

    /// The shape with `key` appended (cached, so equal paths give identical shapes).
    public func adding(_ key: String) -> Shape {
        transitions.withLock { t in
            if let s = t[key] { return s }
            let s = Shape(keys: keys + [key], tag: tag)
            t[key] = s
            return s
        }
    }

    private static let roots = Mutex<[String: Shape]>([:])
    public static let empty = Shape(keys: [], tag: nil)

    /// The shared shape for these keys (and tag).
    public static func of(_ keys: [String], tag: String? = nil) -> Shape {
        var s = tag == nil ? empty : root(tag!)
        for k in keys { s = s.adding(k) }
        return s
    }

    static func root(_ tag: String) -> Shape {
        roots.withLock { r in
            if let s = r[tag] { return s }
            let s = Shape(keys: [], tag: tag)
            r[tag] = s
            return s
        }
    }
}

/// An ordered record: field names come from the shared `Shape`, values are stored inline.
public struct Record: Sendable {
    public private(set) var shape: Shape
    public private(set) var values: [Value]

    public init() {
        shape = .empty
        values = []
    }

    public init(shape: Shape, values: [Value]) {
        precondition(shape.keys.count == values.count)
        self.shape = shape
        self.values = values
    }

    public init(_ pairs: KeyValuePairs<String, Value>, tag: String? = nil) {
        self.init(fields: pairs.map { ($0.key, $0.value) }, tag: tag)
    }

    public init(fields: [(String, Value)], tag: String? = nil) {
        var r = Record(shape: tag.map(Shape.root) ?? .empty, values: [])
        for (k, v) in fields { r[k] = v }
        self = r
    }

    public var keys: [String] { shape.keys }
    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    /// The resource kind, e.g. `agent@chatrhub`.
    public var tag: String? { shape.tag }

    public subscript(key: String) -> Value? {
        get {
            guard let i = shape.slot(key) else { return nil }
            return values[i]
        }
        set {
            if let i = shape.slot(key) {
                if let newValue { values[i] = newValue } else { remove(key) }
            } else if let newValue {
                shape = shape.adding(key)
                values.append(newValue)
            }
        }
    }

    public mutating func remove(_ key: String) {
        guard let i = shape.slot(key) else { return }
        var keys = shape.keys
        keys.remove(at: i)
        values.remove(at: i)
        shape = Shape.of(keys, tag: shape.tag)
    }

    /// Renames a field in place, keeping its position.
    public mutating func rename(_ old: String, to new: String) {
        guard let i = shape.slot(old) else { return }
        var keys = shape.keys
        keys[i] = new
        shape = Shape.of(keys, tag: shape.tag)
    }

    /// The same fields without the resource tag.
    public var untagged: Record {
        guard shape.tag != nil else { return self }
        return Record(shape: Shape.of(shape.keys), values: values)
    }

    public var fields: Zip2Sequence<[String], [Value]> { zip(shape.keys, values) }
}
