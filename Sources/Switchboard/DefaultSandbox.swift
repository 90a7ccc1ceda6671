import Foundation
import Synchronization
import SwitchboardCore
import SwitchboardSandbox
import SwitchboardVendors

/// The built-in default: with no vendor configured, `swb` runs the sandbox in-process and
/// connects all four vendors to it.
public enum DefaultSandbox {
    /// Connections to every vendor of a sandbox, with its fixed fake credentials.
    public static func connections(_ vendors: [SandboxVendor]) -> [VendorConnection] {
        vendors.map { v in
            VendorConnection(name: v.name, type: v.name, baseURL: v.baseURL, credentials: v.credentials)
        }
    }

    /// Connections to every vendor of a running sandbox.
    public static func connections(_ sandbox: Sandbox) -> [VendorConnection] {
        connections(sandbox.vendors)
    }

    /// Starts the sandbox and returns it with a registry connecting all four vendors to it
    /// (default vendor `chatrhub`). Keep the sandbox alive as long as the registry is used.
    public static func start(_ options: SandboxOptions = SandboxOptions()) async throws -> (sandbox: Sandbox, registry: VendorRegistry) {
        let sandbox = try await Sandbox.start(options)
        let registry = try VendorRegistry(connections: connections(sandbox), defaultVendor: "chatrhub")
        return (sandbox, registry)
    }

    /// The registry from the configuration file; when there is none, the built-in sandbox. Its
    /// servers start on the first vendor request, which says so in one line through `note`; a
    /// script that never calls a vendor pays nothing for them. `sandbox` is nil when the
    /// configuration was used.
    public static func load(configPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                            options: SandboxOptions = SandboxOptions(),
                            note: @escaping @Sendable (String) -> Void = { FileHandleOutput.stderr.write($0) }) throws
        -> (registry: VendorRegistry, sandbox: LazySandbox?)
    {
        if let config = try VendorConfig.load(path: configPath, environment: environment), !config.connections.isEmpty {
            return (try VendorRegistry(config: config), nil)
        }
        let path = VendorConfig.defaultPath(environment: environment)
        let sandbox = try LazySandbox(options, onStart: {
            note("no vendors configured (\(path)): using the built-in sandbox on 127.0.0.1 (`vendors` lists it)\n")
        })
        let registry = try VendorRegistry(connections: connections(sandbox.vendors), defaultVendor: "chatrhub", transport: sandbox)
        return (registry, sandbox)
    }
}

/// A sandbox that starts on the first request sent through it. Its ports are chosen up front,
/// so the connections know their URLs before anything runs.
public final class LazySandbox: HTTPTransport {
    /// The vendors it serves, with their URLs and fake credentials.
    public let vendors: [SandboxVendor]
    private let options: SandboxOptions
    private let transport: any HTTPTransport
    private let onStart: (@Sendable () -> Void)?
    private let server = Mutex<Task<Sandbox, Error>?>(nil)

    /// - Parameter onStart: called once, when the first request starts the servers.
    public init(_ options: SandboxOptions = SandboxOptions(), transport: any HTTPTransport = AsyncHTTPTransport.shared,
                onStart: (@Sendable () -> Void)? = nil) throws {
        var options = options
        if options.ports == nil { options.ports = try Sandbox.freePorts() }
        self.options = options
        self.vendors = Sandbox.vendors(ports: options.ports!)
        self.transport = transport
        self.onStart = onStart
    }

    /// The running sandbox (started by the first caller; later callers wait for the same start).
    public func started() async throws -> Sandbox {
        let options = self.options
        let task = server.withLock { task in
            if let task { return task }
            let start = Task { [onStart] in
                onStart?()
                return try await Sandbox.start(options)
            }
            task = start
            return start
        }
        do {
            return try await task.value
        } catch {
            throw TransportError.notSent("the built-in sandbox could not start: \(error)")
        }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        _ = try await started()
        return try await transport.send(request)
    }

    public func stream(_ request: HTTPRequest, body: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> HTTPResponse {
        _ = try await started()
        return try await transport.stream(request, body: body)
    }

    deinit {
        if let task = server.withLock({ $0 }) {
            Task { await (try? task.value)?.shutdown() }
        }
    }
}
