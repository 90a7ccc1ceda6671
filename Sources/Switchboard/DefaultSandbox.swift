import Foundation
import SwitchboardCore
import SwitchboardSandbox
import SwitchboardVendors

/// The built-in default: with no vendor configured, `swb` runs the sandbox in-process and
/// connects all four vendors to it.
public enum DefaultSandbox {
    /// Connections to every vendor of a running sandbox, with its fixed fake credentials.
    public static func connections(_ sandbox: Sandbox) -> [VendorConnection] {
        sandbox.vendors.map { v in
            VendorConnection(name: v.name, type: v.name, baseURL: v.baseURL, credentials: v.credentials)
        }
    }

    /// Starts the sandbox and returns it with a registry connecting all four vendors to it
    /// (default vendor `chatrhub`). Keep the sandbox alive as long as the registry is used.
    public static func start(_ options: SandboxOptions = SandboxOptions()) async throws -> (sandbox: Sandbox, registry: VendorRegistry) {
        let sandbox = try await Sandbox.start(options)
        let registry = try VendorRegistry(connections: connections(sandbox), defaultVendor: "chatrhub")
        return (sandbox, registry)
    }

    /// The registry from the configuration file; when there is none, the sandbox, said in one
    /// line through `note`. `sandbox` is nil when the configuration was used.
    public static func load(configPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                            options: SandboxOptions = SandboxOptions(),
                            note: (String) -> Void = { FileHandleOutput.stderr.write($0) }) async throws -> (registry: VendorRegistry, sandbox: Sandbox?) {
        if let config = try VendorConfig.load(path: configPath, environment: environment), !config.connections.isEmpty {
            return (try VendorRegistry(config: config), nil)
        }
        let (sandbox, registry) = try await start(options)
        note("no vendors configured (\(VendorConfig.defaultPath(environment: environment))): using the built-in sandbox on \(sandbox.vendors.first.map { hostPort($0.baseURL) } ?? "loopback") and up\n")
        return (registry, sandbox)
    }

    /// `load` for synchronous callers (the CLI's main thread; never the cooperative pool).
    public static func loadBlocking(configPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                                    options: SandboxOptions = SandboxOptions(),
                                    note: @escaping @Sendable (String) -> Void = { FileHandleOutput.stderr.write($0) }) throws -> (registry: VendorRegistry, sandbox: Sandbox?) {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.value = .success(try await load(configPath: configPath, environment: environment, options: options, note: note)) } catch {
                box.value = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try box.value!.get()
    }

    final class ResultBox: @unchecked Sendable {
        var value: Result<(registry: VendorRegistry, sandbox: Sandbox?), Error>?
    }

    static func hostPort(_ url: String) -> String {
        url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "https://", with: "")
    }
}
