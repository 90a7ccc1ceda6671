import Foundation
import SwitchboardCore
import Synchronization

/// Builds normalized objects: `id vendor kind <fields> raw`, one shared `Shape` per
/// (kind, connection), tagged `kind@connection`.
public struct ObjectKind: Sendable {
    public let kind: String
    public let vendor: String
    public let fields: [String]
    let shape: Shape

    public init(_ kind: String, vendor: String, fields: [String]) {
        self.kind = kind
        self.vendor = vendor
        self.fields = fields
        shape = Shape.of(["id", "vendor", "kind"] + fields + ["raw"], tag: "\(kind)@\(vendor)")
    }

    /// `values` are in the order of `fields`.
    public func make(id: Value, _ values: [Value], raw: Value) -> Value {
        var all = [id, .string(vendor), .string(kind)]
        all.reserveCapacity(fields.count + 4)
        all.append(contentsOf: values)
        all.append(Redaction.withoutSecretFields(raw))
        return .record(Record(shape: shape, values: all))
    }
}

/// Standard field lists (VENDORS.md §3).
enum Fields {
    static let agent = ["name", "email", "status", "created_at", "groups", "capacity", "load", "roles"]
    static let group = ["name", "type"]
    static let conversation = ["state", "channel", "customer_id", "agent_id", "queue_id", "group_id", "tags", "created_at", "updated_at"]
    static let customer = ["name", "email", "phone", "created_at"]
    static let message = ["conversation_id", "author_id", "direction", "text", "created_at"]
}

extension Value {
    /// A field of a record (null when missing or not a record).
    @inline(__always)
    public subscript(_ key: String) -> Value {
        if case .record(let r) = self { return r[key] ?? .null }
        return .null
    }

    /// A string, with numbers written out.
    var text: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .float(let d): JSON.formatFloat(d)
        case .bool(let b): String(b)
        default: nil
        }
    }

    /// A vendor date (any of their formats) as a `date`, or null.
    var asDate: Value {
        switch self {
        case .string(let s): DateParsing.parse(s).map(Value.date) ?? .null
        case .date: self
        default: .null
        }
    }

    var list: [Value] { asList ?? [] }

    /// Ints stay ints; numeric strings become ints (ChatrHub's string `agent_id`).
    var asIntValue: Value {
        switch self {
        case .int: self
        case .string(let s): Int(s).map(Value.int) ?? self
        default: self
        }
    }
}

extension Record {
    /// A field's value as text (ids).
    func text(_ key: String) -> String? { self[key]?.text }
}

/// A lazy stream over pages: `fetch(cursor)` returns one page and the next cursor (nil at the end).
/// Nothing is fetched until the first item is pulled, and pulling stops fetching.
func pagedStream(_ fetch: @escaping (String?) throws -> ([Value], String?)) -> ValueStream {
    var buffer: [Value] = []
    var index = 0
    var cursor: String? = nil
    var started = false
    var done = false
    return ValueStream(next: {
        while index >= buffer.count {
            if done || (started && cursor == nil) { return nil }
            started = true
            let (items, next) = try fetch(cursor)
            buffer = items
            index = 0
            cursor = next
            if items.isEmpty && next == nil { done = true; return nil }
            if items.isEmpty && next != nil { continue }
        }
        defer { index += 1 }
        return buffer[index]
    })
}

/// A stream of a list fetched in one request, lazily.
func singleFetch(_ fetch: @escaping () throws -> [Value]) -> ValueStream {
    pagedStream { _ in (try fetch(), nil) }
}

/// Concatenates streams produced one after another (one per input object).
func chained(_ makeNext: @escaping () throws -> ValueStream?) -> ValueStream {
    var current: ValueStream? = nil
    var finished = false
    return ValueStream(next: {
        while !finished {
            if current == nil {
                current = try makeNext()
                if current == nil { finished = true; return nil }
            }
            if let v = try current!.next() { return v }
            current = nil
        }
        return nil
    }, onClose: { current?.close() })
}

/// Date formats for queries.
enum QueryDate {
    /// `YYYY-MM-DDTHH:MM:SSZ`
    static func seconds(_ t: Double) -> String {
        let s = DateParsing.format(t.rounded(.down))
        return s
    }
    static func day(_ t: Double) -> String { DateParsing.formatDay(t) }
    static func epochMillis(_ t: Double) -> String { String(Int64((t * 1000).rounded())) }
    static var now: Double { Date().timeIntervalSince1970 }
}

/// A per-adapter cache (tag names to ids, ...).
final class Cache<Key: Hashable & Sendable, V: Sendable>: Sendable {
    private let storage = Mutex<[Key: V]>([:])
    func get(_ k: Key) -> V? { storage.withLock { $0[k] } }
    func set(_ k: Key, _ v: V) { storage.withLock { $0[k] = v } }
}

extension Redaction {
    /// The vendor's payload without fields that hold credentials (ChatrHub sends
    /// `xmpp_password` with every agent and visitor): secrets never reach output.
    static func withoutSecretFields(_ v: Value) -> Value { cleaned(v) ?? v }

    static func isSecretKey(_ k: String) -> Bool {
        let lower = k.lowercased()
        return lower.contains("password") || lower.hasSuffix("secret") || lower == "api_key" || lower == "token"
    }

    /// The secret keys of each record layout (shapes are shared and live as long as the process).
    static let secretKeys = Mutex<[ObjectIdentifier: [String]]>([:])

    static func secretKeys(of shape: Shape) -> [String] {
        let id = ObjectIdentifier(shape)
        if let known = secretKeys.withLock({ $0[id] }) { return known }
        let keys = shape.keys.filter(isSecretKey)
        secretKeys.withLock { $0[id] = keys }
        return keys
    }

    /// `v` without secret fields, or nil when it has none (so nothing is copied).
    static func cleaned(_ v: Value) -> Value? {
        switch v {
        case .record(let r):
            var out: Record? = nil
            for (i, inner) in r.values.enumerated() {
                switch inner {
                case .record, .list:
                    if let c = cleaned(inner) {
                        if out == nil { out = r }
                        out![r.keys[i]] = c
                    }
                default: continue
                }
            }
            let secret = secretKeys(of: r.shape)
            if !secret.isEmpty {
                if out == nil { out = r }
                for k in secret { out!.remove(k) }
            }
            return out.map(Value.record)
        case .list(let l):
            var out: [Value]? = nil
            for (i, item) in l.enumerated() {
                if let c = cleaned(item) {
                    if out == nil { out = l }
                    out![i] = c
                }
            }
            return out.map(Value.list)
        default: return nil
        }
    }
}
