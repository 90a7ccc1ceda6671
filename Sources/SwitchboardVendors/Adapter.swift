import Foundation
import SwitchboardCore

/// The resource commands (VENDORS.md §4, first table).
public enum Resource: String, Sendable, CaseIterable {
    case agents, groups, queues, conversations, customers, messages, notes, tags, ratings, tasks, feedback, activity,
        assignments, report
}

/// What a resource command asks an adapter for.
public struct ResourceQuery {
    /// `agents 42`: one object by id.
    public var id: String?
    /// Flags as given (`since`, `until`, `agent`, `query`, ...), dates already `.date`.
    public var flags: [String: Value]
    /// The input object this listing is of (`conversations 42 | messages`).
    public var parent: Record?

    public init(id: String? = nil, flags: [String: Value] = [:], parent: Record? = nil) {
        self.id = id
        self.flags = flags
        self.parent = parent
    }

    public func string(_ flag: String) -> String? {
        switch flags[flag] {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .float(let d)?: return JSON.formatFloat(d)
        case .bool(let b)?: return String(b)
        default: return nil
        }
    }

    /// A date flag as seconds since 1970 (dates, date strings, epoch milliseconds).
    public func date(_ flag: String) -> Double? {
        switch flags[flag] {
        case .date(let d)?: return d
        case .string(let s)?: return DateParsing.parse(s)
        case .int(let i)?: return i > 100_000_000_000 ? Double(i) / 1000 : Double(i)
        default: return nil
        }
    }
}

/// The actions (VENDORS.md §4, second table).
public enum VendorAction: Sendable {
    case assignGroup(String)
    case unassignGroup(String)
    case assignQueue(String)
    case set([(String, Value)])
    case create(kind: String, fields: Record)
    case delete
    case assignAgent(String, force: Bool)
    case transferQueue(String)
    case transferAgent(String)
    case close, reopen
    case anonymize(force: Bool)
    case tag(String)
    case untag(String)
    case note(String)
    case resolve, unresolve
    case importCSV(kind: String, path: String, content: [UInt8])

    /// `assign group 10204`, as shown in rows and summaries.
    public var label: String {
        switch self {
        case .assignGroup(let g): "assign group \(g)"
        case .unassignGroup(let g): "unassign group \(g)"
        case .assignQueue(let q): "assign queue \(q)"
        case .set(let pairs): "set " + pairs.map { "\($0.0) \(Formatter.plain($0.1))" }.joined(separator: " ")
        case .create(let kind, _): "create \(kind)"
        case .delete: "delete"
        case .assignAgent(let a, _): "assign agent \(a)"
        case .transferQueue(let q): "transfer queue \(q)"
        case .transferAgent(let a): "transfer agent \(a)"
        case .close: "close"
        case .reopen: "reopen"
        case .anonymize: "anonymize"
        case .tag(let t): "tag \(t)"
        case .untag(let t): "untag \(t)"
        case .note: "note"
        case .resolve: "resolve"
        case .unresolve: "unresolve"
        case .importCSV(let kind, let path, _): "import \(kind) \(path)"
        }
    }

    /// The short name used in "cannot" errors: `assign group`.
    public var verb: String {
        switch self {
        case .assignGroup: "assign group"
        case .unassignGroup: "unassign group"
        case .assignQueue: "assign queue"
        case .set: "set"
        case .create(let kind, _): "create \(kind)"
        case .delete: "delete"
        case .assignAgent: "assign agent"
        case .transferQueue: "transfer queue"
        case .transferAgent: "transfer agent"
        case .close: "close"
        case .reopen: "reopen"
        case .anonymize: "anonymize"
        case .tag: "tag"
        case .untag: "untag"
        case .note: "note"
        case .resolve: "resolve"
        case .unresolve: "unresolve"
        case .importCSV: "import"
        }
    }

    /// The object kinds the action takes as input (nil: no input, like create and import).
    public var inputKinds: Set<String>? {
        switch self {
        case .assignGroup, .unassignGroup, .assignQueue: ["agent"]
        case .set: ["agent", "group", "customer", "conversation"]
        case .create, .importCSV: nil
        case .delete: ["group"]
        case .assignAgent, .transferQueue, .transferAgent, .close, .reopen, .anonymize, .tag, .untag, .note: ["conversation"]
        case .resolve, .unresolve: ["task"]
        }
    }
}

/// One request of an action, as planned for one object.
public struct PlannedRequest: Sendable {
    public var request: HTTPRequest
    /// Writes change state; reads (a GET before a full-body PUT) do not.
    public var isWrite: Bool
    public var kind: RequestKind
    /// For read-modify-write: builds the write from the previous step's answer.
    public var build: (@Sendable (Value) throws -> HTTPRequest)?
    /// After an ambiguous failure: is the change already in place?
    public var verify: (@Sendable () async throws -> Bool)?
    /// Decides success from the answer when a 2xx is not enough (bulk answers with failures).
    public var judge: (@Sendable (Value) -> String?)?

    public init(_ request: HTTPRequest, write: Bool = true, kind: RequestKind? = nil,
                build: (@Sendable (Value) throws -> HTTPRequest)? = nil,
                verify: (@Sendable () async throws -> Bool)? = nil, judge: (@Sendable (Value) -> String?)? = nil) {
        self.request = request
        self.isWrite = write
        let idempotent = ["GET", "PUT", "DELETE", "HEAD"].contains(request.method)
        self.kind = kind ?? (write ? .write(idempotent: idempotent) : .read)
        self.build = build
        self.verify = verify
        self.judge = judge
    }
}

/// What an adapter cannot do, said before any request: `agentiq cannot assign group: its API is read-only`.
public struct Unsupported: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let vendor: String
    /// `list queues: it has groups, not queues (use `groups`)`: the message without the vendor.
    public let reason: String
    public init(_ vendor: String, _ what: String, _ why: String) {
        message = "\(vendor) cannot \(what): \(why)"
        self.vendor = vendor
        reason = "\(what): \(why)"
    }
    public var description: String { message }
}

/// An action's argument the vendor would not accept (a field it has not, a tag it does not
/// know), said before any request, pointed at the argument, with the names it does accept.
public struct BadArgument: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Which argument: the positional index, or for `set` the index of the field-value pair.
    public let argument: Int
    /// The closest accepted names ("did you mean").
    public let options: [String]
    public let hint: String?

    /// `accepted` are the names the vendor takes; `name` is what was given.
    public init(_ message: String, argument: Int = 0, name: String, accepted: [String], hint: String? = nil) {
        self.message = message
        self.argument = argument
        options = Suggest.closest(to: name, in: accepted)
        // The list itself when it is short enough to read (not 2,000 usernames).
        self.hint = hint ?? (accepted.isEmpty || accepted.count > 30 ? nil : "accepted: " + accepted.joined(separator: ", "))
    }

    public var description: String { message }
}

/// One vendor's adapter: the wire format in both directions. Adapters are small: they turn
/// resource queries into lazy streams of normalized records (VENDORS.md §3, each keeping
/// `raw`), and actions into planned requests. The commands, paging, concurrency, retries,
/// dry-run and result rows are shared and live outside the adapters.
public protocol VendorAdapter: AnyObject, Sendable {
    /// `chatrhub`, `agentiq`, `smartassist` or `dixa`.
    static var type: String { get }
    init(client: VendorClient)
    var client: VendorClient { get }
    /// Adds this vendor's auth headers (secrets never leave this function except in headers).
    static func authorize(_ request: inout HTTPRequest, _ connection: VendorConnection) throws
    /// A lazy stream of normalized records; throws `Unsupported` for a `-` cell before any request.
    func list(_ resource: Resource, _ query: ResourceQuery, _ io: IO) throws -> ValueStream
    /// Throws `Unsupported` when the vendor cannot do `action` on objects of `kind`.
    func check(_ action: VendorAction, kind: String?) throws
    /// The requests of `action` for one object (or none, for create/import). May read (a
    /// name lookup) but never writes.
    func plan(_ action: VendorAction, object: Record?, _ io: IO) throws -> [PlannedRequest]
}

/// Blocking I/O for adapters running on the evaluator thread.
public struct IO: Sendable {
    public let client: VendorClient
    let cancelled: @Sendable () -> Bool

    public init(client: VendorClient, cancelled: @escaping @Sendable () -> Bool = { false }) {
        self.client = client
        self.cancelled = cancelled
    }

    /// GETs and decodes JSON, or throws the vendor's error.
    public func get(_ path: String, _ query: [(String, String)] = []) throws -> Value {
        try fetch(client.request("GET", path, query: query))
    }

    /// GETs a JSON array and hands `each` its elements as they arrive, keeping none of them
    /// (for answers too large to hold, like Dixa's presence of every agent).
    public func forEach(_ path: String, _ query: [(String, String)] = [], _ each: @escaping @Sendable (Value) throws -> Void) throws {
        let c = client
        let request = client.request("GET", path, query: query)
        try Blocking.run(cancelled: cancelled) { try await c.forEachElement(request, each) }
    }

    public func fetch(_ request: HTTPRequest) throws -> Value {
        let c = client
        return try Blocking.run(cancelled: cancelled) { try await c.getJSON(request) }
    }
}
