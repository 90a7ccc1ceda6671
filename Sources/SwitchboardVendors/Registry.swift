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
public final class VendorRegistry: @unchecked Sendable {
    public let connections: [VendorConnection]
    public let defaultVendor: String?
    public let transport: any HTTPTransport
    public let retryPolicy: RetryPolicy
    /// Asked before an action over more than `confirmThreshold` objects (the REPL sets it);
    /// nil means no confirmation, as in scripts. Returns true to go ahead.
    public var confirm: ((String) -> Bool)?
    public var confirmThreshold = 10
    /// One line per request sent (vendor, method, path and query, status, time; never a header).
    public var log: (@Sendable (String) -> Void)?
    private let adapters = Mutex<[String: any VendorAdapter]>([:])

    /// The adapter types by `type`.
    public static let adapterTypes: [String: any VendorAdapter.Type] = [
        ChatrHubAdapter.type: ChatrHubAdapter.self,
        AgentIQAdapter.type: AgentIQAdapter.self,
        SmartAssistAdapter.type: SmartAssistAdapter.self,
        DixaAdapter.type: DixaAdapter.self,
    ]

    public init(connections: [VendorConnection], defaultVendor: String? = nil, transport: any HTTPTransport = AsyncHTTPTransport.shared,
                retryPolicy: RetryPolicy = .default) throws {
        var seen = Set<String>()
        for c in connections {
            guard seen.insert(c.name).inserted else { throw ConfigError("two vendor connections are named `\(c.name)`") }
            guard VendorRegistry.adapterTypes[c.type] != nil else {
                throw ConfigError("vendor `\(c.name)` has unknown type `\(c.type)`; use one of \(VendorConnection.knownTypes.joined(separator: ", "))")
            }
            try VendorConfig.checkURL(c.baseURL, name: c.name, path: "vendor connection")
        }
        if let d = defaultVendor, !seen.contains(d) { throw ConfigError("the default vendor `\(d)` is not configured") }
        self.connections = connections
        self.defaultVendor = defaultVendor ?? connections.first?.name
        self.transport = transport
        self.retryPolicy = retryPolicy
    }

    public convenience init(config: VendorConfig, transport: any HTTPTransport = AsyncHTTPTransport.shared) throws {
        try self.init(connections: config.connections, defaultVendor: config.defaultVendor, transport: transport)
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
        let type = VendorRegistry.adapterTypes[c.type]!
        let client = VendorClient(connection: c, transport: transport, policy: retryPolicy, log: { [weak self] line in self?.log?(line) },
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
