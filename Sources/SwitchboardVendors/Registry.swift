import Foundation
import SwitchboardCore
import Synchronization

/// The configured vendor connections and their adapters, shared by interpreters.
///
/// ```swift
/// let registry = try VendorRegistry(connections: [
///     VendorConnection(name: "dixa", baseURL: "https://dev.dixa.io", credentials: ["api_key": key]),
/// ])
/// installVendors(into: interpreter, registry: registry)
/// ```
///
/// A host adds its own adapter types with `adapterTypes:` (see `init`); connections pick
/// theirs by `type`.
public final class VendorRegistry: @unchecked Sendable {
    public let connections: [VendorConnection]
    public let defaultVendor: String?
    public let transport: any HTTPTransport
    public let retryPolicy: RetryPolicy
    /// Asked before an action over more than `confirmThreshold` objects (the REPL sets it);
    /// nil means no confirmation, as in scripts. Returns true to go ahead.
    public var confirm: ((String) -> Bool)?
    public var confirmThreshold = 10
    /// Told about long work (actions, paging) so the host can show progress; nil shows nothing.
    public var progress: (any ProgressReporter)?
    /// One line per request sent (vendor, method, path and query, status, time; never a header).
    public var log: (@Sendable (String) -> Void)?
    private let adapters = Mutex<[String: any VendorAdapter]>([:])

    /// The built-in adapter types: `chatrhub`, `agentiq`, `smartassist`, `dixa`.
    public static let builtinAdapterTypes: [any VendorAdapter.Type] = [
        ChatrHubAdapter.self, AgentIQAdapter.self, SmartAssistAdapter.self, DixaAdapter.self,
    ]

    /// The adapter types of this registry by `type`: the built-ins and the host's.
    public let adapterTypes: [String: any VendorAdapter.Type]
    /// The `type` names a connection may use: the built-ins, then the host's in the order given.
    public let knownTypes: [String]

    /// `adapterTypes` are the host's own adapters, added to the built-in ones (a host type with a
    /// built-in's name replaces it). Every connection's `type` must be one of them.
    ///
    /// ```swift
    /// let registry = try VendorRegistry(
    ///     connections: [VendorConnection(name: "roster", type: "roster", baseURL: "https://hr.example.com")],
    ///     adapterTypes: [RosterAdapter.self])
    /// ```
    public init(connections: [VendorConnection], defaultVendor: String? = nil, adapterTypes hostTypes: [any VendorAdapter.Type] = [],
                transport: any HTTPTransport = AsyncHTTPTransport.shared, retryPolicy: RetryPolicy = .default) throws {
        var types: [String: any VendorAdapter.Type] = [:]
        var known: [String] = []
        for t in VendorRegistry.builtinAdapterTypes {
            types[t.type] = t
            known.append(t.type)
        }
        var hostNames = Set<String>()
        for t in hostTypes {
            let name = t.type
            guard !name.isEmpty, !name.contains(where: { $0.isWhitespace }) else {
                throw ConfigError("the adapter type `\(name)` (\(String(describing: t))) needs a name without spaces")
            }
            guard hostNames.insert(name).inserted else { throw ConfigError("two adapter types are named `\(name)`") }
            if types[name] == nil { known.append(name) }
            types[name] = t
        }
        var seen = Set<String>()
        for c in connections {
            guard seen.insert(c.name).inserted else { throw ConfigError("two vendor connections are named `\(c.name)`") }
            guard types[c.type] != nil else {
                throw ConfigError("vendor `\(c.name)` has unknown type `\(c.type)`; use one of \(known.joined(separator: ", "))")
            }
            try VendorConfig.checkURL(c.baseURL, name: c.name, path: "vendor connection")
        }
        if let d = defaultVendor, !seen.contains(d) { throw ConfigError("the default vendor `\(d)` is not configured") }
        self.adapterTypes = types
        self.knownTypes = known
        self.connections = connections
        self.defaultVendor = defaultVendor ?? connections.first?.name
        self.transport = transport
        self.retryPolicy = retryPolicy
    }

    public convenience init(config: VendorConfig, adapterTypes: [any VendorAdapter.Type] = [],
                            transport: any HTTPTransport = AsyncHTTPTransport.shared) throws {
        try self.init(connections: config.connections, defaultVendor: config.defaultVendor, adapterTypes: adapterTypes, transport: transport)
    }

    public var names: [String] { connections.map(\.name) }

    public func connection(_ name: String) -> VendorConnection? { connections.first { $0.name == name } }

    /// The adapter of connection `name` (created once).
    public func adapter(_ name: String) throws -> any VendorAdapter {
        if let a = adapters.withLock({ $0[name] }) { return a }
        guard let c = connection(name) else {
            throw SwitchboardError.unknown("vendor", name, candidates: names, span: .unknown,
                                           suffix: names.isEmpty ? "" : " (configured: \(names.joined(separator: ", ")))")
        }
        let type = adapterTypes[c.type]!
        // The log is looked up per request (it may be set after the adapter is made); with none
        // set, no log line is built.
        let client = VendorClient(connection: c, transport: transport, policy: retryPolicy, logger: { [weak self] in self?.log },
                                  authorize: { r in try type.authorize(&r, c) })
        let adapter = type.init(client: client)
        return adapters.withLock { a in
            if let existing = a[name] { return existing }
            a[name] = adapter
            return adapter
        }
    }

    /// Every secret of every connection (for scrubbing messages).
    var secrets: [String] { connections.flatMap(\.secrets) }
}
