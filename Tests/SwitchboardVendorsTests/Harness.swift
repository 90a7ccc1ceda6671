import Foundation
import SwitchboardCore
import SwitchboardSandbox
import Testing

@testable import SwitchboardVendors

/// What one script run printed and returned.
struct Run {
    var value: Value?
    var error: Error?
    var output: String
    var errors: String
    /// The requests the sandbox logged during the run.
    var requests: [SandboxRequest]

    var json: String { value.flatMap { try? JSON.encode($0) } ?? "" }
    var rows: [Value] { value?.asList ?? [] }
    var message: String { error.map { String(describing: $0) } ?? "" }
    var writes: [SandboxRequest] { requests.filter { $0.method != "GET" || $0.path.contains("/transfer/") || $0.path.contains("/q_tasks/operational/") } }
    /// `METHOD path?query`, one per request.
    var lines: [String] { requests.map { $0.method + " " + $0.path + ($0.query.isEmpty ? "" : "?" + $0.query) } }
}

/// Runs `body` on a plain thread: the evaluator blocks while it waits for HTTP, so it must
/// never run on the cooperative pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
        let t = Thread { c.resume(returning: body()) }
        t.stackSize = 16 << 20
        t.start()
    }
}

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func add(_ s: String) { lock.lock(); text += s; lock.unlock() }
    var value: String { lock.lock(); defer { lock.unlock() }; return text }
}

/// One sandbox and a registry connected to all four of its vendors.
final class Harness: @unchecked Sendable {
    let sandbox: Sandbox
    let registry: VendorRegistry
    let log = Lines()

    init(_ options: SandboxOptions = SandboxOptions(), connections: ((Sandbox) -> [VendorConnection])? = nil,
         retry: RetryPolicy = .default) async throws {
        sandbox = try await Sandbox.start(options)
        let conns = connections?(sandbox) ?? sandbox.vendors.map {
            VendorConnection(name: $0.name, type: $0.name, baseURL: $0.baseURL, credentials: $0.credentials)
        }
        registry = try VendorRegistry(connections: conns, defaultVendor: "chatrhub", retryPolicy: retry)
        let log = self.log
        registry.log = { log.add($0 + "\n") }
    }

    func stop() async { await sandbox.shutdown() }

    /// Evaluates `script` in a fresh interpreter (optionally after `use VENDOR`).
    func run(_ script: String, use vendor: String? = nil, capabilities: Capabilities = [], settings: [String: Value] = [:]) async -> Run {
        let before = sandbox.requests.count
        let out = Lines(), err = Lines()
        let registry = self.registry
        let settingsCopy = settings
        let result: (Value?, Error?) = await onThread {
            let config = InterpreterConfiguration(write: { out.add($0) }, writeError: { err.add($0) }, capabilities: capabilities)
            let interp = Interpreter(configuration: config)
            installVendors(into: interp, registry: registry)
            for (k, v) in settingsCopy { interp.settings[k] = v }
            do {
                if let vendor { try interp.useHandler?(vendor, .unknown) }
                let v = try interp.evaluate(script)
                return (v, nil)
            } catch {
                return (nil, error)
            }
        }
        let r = result
        return Run(value: r.0, error: r.1, output: out.value, errors: err.value, requests: Array(sandbox.requests.dropFirst(before)))
    }
}

extension SandboxRequest {
    var line: String { method + " " + path + (query.isEmpty ? "" : "?" + query) }
}
