import Foundation

/// Every value of the language. Scalars are unboxed; aggregates are value types
/// (copy-on-write arrays) or small final classes.
public enum Value: @unchecked Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// An instant, seconds since 1970-01-01T00:00:00Z.
    case date(Double)
    /// Nanoseconds.
    case duration(Int)
    case list([Value])
    case record(Record)
    case closure(Closure)
    case range(RangeValue)
    /// A lazy sequence; consumed once.
    case stream(ValueStream)
    case error(ErrorValue)

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "string"
        case .date: "date"
        case .duration: "duration"
        case .list: "list"
        case .record: "record"
        case .closure: "closure"
        case .range: "range"
        case .stream: "stream"
        case .error: "error"
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// Truthiness for conditions: only `true` is true; `null` and `false` are false;
    /// anything else is a type error reported by the caller.
    public var asBool: Bool? {
        switch self {
        case .bool(let b): b
        case .null: false
        default: nil
        }
    }

    public var asString: String? { if case .string(let s) = self { s } else { nil } }
    public var asInt: Int? {
        switch self {
        case .int(let i): i
        case .float(let d) where d == d.rounded() && abs(d) < 9.2e18: Int(d)
        default: nil
        }
    }
    public var asDouble: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }
    public var asRecord: Record? { if case .record(let r) = self { r } else { nil } }
    public var asList: [Value]? { if case .list(let l) = self { l } else { nil } }

    /// Convenience constructor for records from literal pairs.
    public static func record(_ pairs: KeyValuePairs<String, Value>) -> Value { .record(Record(pairs)) }
}

// No ExpressibleByNilLiteral: `cond ? row : nil` must stay an Optional, not become `.null`.
extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
}

/// `lo..hi` (inclusive) or `lo..<hi`, stepping by 1 (or -1 when hi < lo).
public final class RangeValue: Sendable {
    public let lower: Int
    public let upper: Int
    public let inclusive: Bool

    public init(lower: Int, upper: Int, inclusive: Bool) {
        self.lower = lower
        self.upper = upper
        self.inclusive = inclusive
    }

    public var step: Int { upper >= lower ? 1 : -1 }
    /// The last value produced, or nil when empty.
    public var last: Int? {
        if inclusive { return upper }
        if upper == lower { return nil }
        return upper - step
    }
    public var count: Int {
        guard let last else { return 0 }
        let (d, o) = (last - lower).multipliedReportingOverflow(by: step)
        return o || d == Int.max ? Int.max : d + 1
    }
}

/// A runtime error as a value (`catch $e`): `$e.message`, `$e.kind`, `$e.span`.
public final class ErrorValue: @unchecked Sendable {
    public let error: SwitchboardError
    public init(_ error: SwitchboardError) { self.error = error }
}

/// Equality and ordering shared by `==`, `sort-by`, `uniq`, `group-by`.
extension Value {
    /// Structural equality; `1 == 1.0`.
    public func equals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.float(a), .float(b)): return a == b
        case let (.int(a), .float(b)): return Double(a) == b
        case let (.float(a), .int(b)): return a == Double(b)
        case let (.string(a), .string(b)): return a == b
        case let (.date(a), .date(b)): return a == b
        case let (.duration(a), .duration(b)): return a == b
        case let (.list(a), .list(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.equals($1) }
        case let (.record(a), .record(b)):
            guard a.count == b.count else { return false }
            if a.shape === b.shape { return zip(a.values, b.values).allSatisfy { $0.equals($1) } }
            for (k, v) in a.fields {
                guard let w = b[k], v.equals(w) else { return false }
            }
            return true
        case let (.range(a), .range(b)):
            return a.lower == b.lower && a.upper == b.upper && a.inclusive == b.inclusive
        case let (.closure(a), .closure(b)): return a === b
        case let (.stream(a), .stream(b)): return a === b
        case let (.error(a), .error(b)): return a === b
        default: return false
        }
    }

    /// Ordering for `<` and sorting: numbers with numbers, strings with strings,
    /// dates, durations, bools, lists lexicographically. Nil means "unrelated types".
    public func compare(_ other: Value) -> Int? {
        func cmp<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a > b ? 1 : 0) }
        switch (self, other) {
        case let (.int(a), .int(b)): return cmp(a, b)
        case let (.float(a), .float(b)): return cmp(a, b)
        case let (.int(a), .float(b)): return cmp(Double(a), b)
        case let (.float(a), .int(b)): return cmp(a, Double(b))
        case let (.string(a), .string(b)): return cmp(a, b)
        case let (.date(a), .date(b)): return cmp(a, b)
        case let (.duration(a), .duration(b)): return cmp(a, b)
        case let (.bool(a), .bool(b)): return cmp(a ? 1 : 0, b ? 1 : 0)
        case (.null, .null): return 0
        case let (.list(a), .list(b)):
            for (x, y) in zip(a, b) {
                guard let c = x.compare(y) else { return nil }
                if c != 0 { return c }
            }
            return cmp(a.count, b.count)
        default: return nil
        }
    }
}

/// A hashable wrapper so values can key dictionaries (`group-by`, `uniq`, `count-by`).
public struct HashableValue: Hashable, @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }

    public static func == (a: HashableValue, b: HashableValue) -> Bool { a.value.equals(b.value) }

    public func hash(into h: inout Hasher) {
        switch value {
        case .null: h.combine(0)
        case .bool(let b): h.combine(b)
        case .int(let i): h.combine(Double(i))
        case .float(let d): h.combine(d)
        case .string(let s): h.combine(s)
        case .date(let d): h.combine(d)
        case .duration(let d): h.combine(d)
        case .list(let l):
            h.combine(l.count)
            for v in l { HashableValue(v).hash(into: &h) }
        case .record(let r):
            h.combine(r.count)
            for (k, v) in r.fields.sorted(by: { $0.0 < $1.0 }) {
                h.combine(k)
                HashableValue(v).hash(into: &h)
            }
        case .range(let r):
            h.combine(r.lower)
            h.combine(r.upper)
        case .closure(let c): h.combine(ObjectIdentifier(c))
        case .stream(let s): h.combine(ObjectIdentifier(s))
        case .error(let e): h.combine(ObjectIdentifier(e))
        }
    }
}
