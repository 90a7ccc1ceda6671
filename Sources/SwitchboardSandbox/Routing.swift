import Foundation

/// One incoming request, reduced to what the emulators need.
struct VendorRequest: Sendable {
    let method: String
    let path: String
    /// Raw query string (without `?`), "" when absent.
    let rawQuery: String
    /// Decoded query items in order; repeated names appear repeatedly.
    let queryItems: [(String, String)]
    /// Header values by lowercased name (the first of repeated headers).
    let headers: [String: String]
    let body: [UInt8]
    /// `host:port` the client used, for absolute paging links.
    let host: String

    init(method: String, path: String, rawQuery: String, headers: [String: String], body: [UInt8], host: String) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
        self.host = host
        self.queryItems = rawQuery.split(separator: "&").map { item in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = VendorRequest.decode(kv[0])
            let value = kv.count > 1 ? VendorRequest.decode(kv[1]) : ""
            return (key, value)
        }
    }

    /// First value of query parameter `name`.
    func query(_ name: String) -> String? {
        queryItems.first(where: { $0.0 == name })?.1
    }

    /// All values of query parameter `name`.
    func queryAll(_ name: String) -> [String] {
        queryItems.filter { $0.0 == name }.map(\.1)
    }

    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The body parsed as JSON, or nil when empty or invalid.
    var json: JSON? { JSON.parse(body) }

    private static func decode(_ s: Substring) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}

/// What a handler answers.
struct VendorReply: Sendable {
    var status: Int
    /// nil means no body at all (204).
    var body: [UInt8]?
    var headers: [(String, String)] = []

    static func json(_ status: Int, _ value: JSON) -> VendorReply {
        VendorReply(status: status, body: value.bytes)
    }

    static func ok(_ value: JSON) -> VendorReply { json(200, value) }

    static let noContent = VendorReply(status: 204, body: nil)

    /// A JSON array made element by element as it is sent (Dixa's presence of every agent), so
    /// neither the whole array nor its text is ever held: the handler snapshots its data (a
    /// copy-on-write array) and `element` writes one item's JSON.
    static func streamedArray<T: Sendable>(_ items: [T], _ element: @escaping @Sendable (T) -> JSON) -> VendorReply {
        var reply = VendorReply(status: 200, body: nil)
        reply.pieces = ArrayPieces(items, element)
        return reply
    }

    /// The pieces of a streamed body (nil `body`); see `streamedArray`.
    var pieces: (any BodyPieces)?
}

/// A body sent in pieces: `next` answers the following piece, nil after the last.
protocol BodyPieces: Sendable {
    func next() -> [UInt8]?
}

/// `[`, the elements in batches of about 64 KB, `]`. Read by one writer task at a time.
final class ArrayPieces<T: Sendable>: BodyPieces, @unchecked Sendable {
    let items: [T]
    let element: @Sendable (T) -> JSON
    var index = 0
    var done = false

    init(_ items: [T], _ element: @escaping @Sendable (T) -> JSON) {
        self.items = items
        self.element = element
    }

    func next() -> [UInt8]? {
        guard !done else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        if index == 0 { out.append(UInt8(ascii: "[")) }
        while index < items.count, out.count < 60_000 {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            element(items[index]).write(into: &out)
            index += 1
        }
        if index == items.count {
            out.append(UInt8(ascii: "]"))
            done = true
        }
        return out
    }
}

/// Path parameters captured by a route, by name.
typealias PathParams = [String: String]

/// A route: method, a path pattern like `/api/v1/agents/{agent_id}.json`, and a handler.
/// Patterns are matched segment by segment; `{name}` captures a whole segment, `{name}.json`
/// captures the part before the suffix. Routes are tried in the order given, so literal
/// paths that collide with a capture (`/agents/invite.json`) must come first.
struct Route: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case capture(name: String, suffix: String)
    }

    let method: String
    let segments: [Segment]
    let handler: @Sendable (VendorRequest, PathParams) -> VendorReply

    init(_ method: String, _ pattern: String, _ handler: @escaping @Sendable (VendorRequest, PathParams) -> VendorReply) {
        self.method = method
        self.handler = handler
        self.segments = pattern.split(separator: "/").map { part in
            if part.hasPrefix("{"), let close = part.firstIndex(of: "}") {
                let name = String(part[part.index(after: part.startIndex)..<close])
                return .capture(name: name, suffix: String(part[part.index(after: close)...]))
            }
            return .literal(String(part))
        }
    }

    /// The captures when `pathSegments` fits this route's pattern.
    func match(_ pathSegments: [Substring]) -> PathParams? {
        guard pathSegments.count == segments.count else { return nil }
        var params: PathParams = [:]
        for (segment, part) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let text):
                if part != text { return nil }
            case .capture(let name, let suffix):
                guard part.hasSuffix(suffix), part.count > suffix.count else { return nil }
                let value = part.dropLast(suffix.count)
                params[name] = value.removingPercentEncoding ?? String(value)
            }
        }
        return params
    }
}

/// An ordered route table. A path that matches a route under another method answers 405.
struct RouteTable: Sendable {
    let routes: [Route]

    enum Outcome {
        case found(Route, PathParams)
        case wrongMethod
        case notFound
    }

    func resolve(method: String, path: String) -> Outcome {
        let parts = path.split(separator: "/")
        var pathKnown = false
        for route in routes {
            guard let params = route.match(parts) else { continue }
            if route.method == method { return .found(route, params) }
            pathKnown = true
        }
        return pathKnown ? .wrongMethod : .notFound
    }
}

/// What each vendor emulator provides to the shared server.
protocol VendorEmulator: Sendable {
    var name: String { get }
    /// The sandbox's fixed credentials for this vendor (known before it starts).
    static var credentials: [String: String] { get }
    var routes: RouteTable { get }
    /// True when the request carries this vendor's valid credentials.
    func authorized(_ request: VendorRequest) -> Bool
    /// An error in this vendor's shape.
    func error(_ status: Int, _ message: String) -> VendorReply
}

extension VendorEmulator {
    var credentials: [String: String] { Self.credentials }
}
