import Foundation
import Synchronization
@_exported import SwitchboardCore
@_exported import SwitchboardVendors
@_exported import SwitchboardSandbox

/// How a host runs Switchboard: where output goes, what vendors it may reach, and its limits.
/// Modelled on Wren's `WrenConfiguration`: every hook has a sensible default.
///
/// ```swift
/// var config = ShellConfiguration()
/// config.output = { print($0, terminator: "") }
/// config.vendors = [VendorConnection(name: "dixa", baseURL: "https://dev.dixa.io", credentials: ["api_key": key])]
/// config.capabilities = [.readOnly]
/// let shell = try Shell(config)
/// ```
public struct ShellConfiguration {
    /// Printed results and `print`.
    public var output: (String) -> Void = { FileHandleOutput.stdout.write($0) }
    /// Warnings and action summaries.
    public var diagnostics: (String) -> Void = { FileHandleOutput.stderr.write($0) }
    /// Reads files named by `source` (default: from disk, relative to the sourcing script).
    public var loadModule: ((_ path: String, _ relativeTo: String?) throws -> (name: String, text: String))?
    /// Vendor connections given in code; no config file is read.
    public var vendors: [VendorConnection] = []
    /// The host's own vendor adapter types, added to the built-in `chatrhub`, `agentiq`,
    /// `smartassist` and `dixa` (a host type with a built-in's name replaces it). A connection
    /// in `vendors` picks its adapter by `type`; an unknown type is an error from `Shell(config)`
    /// that lists the known ones. Host vendors work like built-in ones: resource commands,
    /// actions, `vendors`, `use`, `--vendor NAME` and `--vendor all`.
    ///
    /// ```swift
    /// final class RosterAdapter: VendorAdapter {
    ///     static let type = "roster"
    ///     let client: VendorClient
    ///     let agentKind: ObjectKind
    ///     init(client: VendorClient) {
    ///         self.client = client
    ///         agentKind = ObjectKind("agent", vendor: client.vendor, fields: ["name", "status"])
    ///     }
    ///     static func authorize(_ r: inout HTTPRequest, _ c: VendorConnection) throws {
    ///         r.headers.append(("Authorization", "Bearer " + (c.credentials["api_key"] ?? "")))
    ///     }
    ///     func list(_ resource: Resource, _ q: ResourceQuery, _ io: IO) throws -> ValueStream {
    ///         guard resource == .agents else { throw Unsupported(client.vendor, "list \(resource)", "it has only agents") }
    ///         var page: [Value]? = nil
    ///         return ValueStream(next: { [self] in   // lazy: nothing is fetched until the first row is pulled
    ///             if page == nil { page = (try io.get("/people")["people"].asList ?? []).reversed() }
    ///             guard let p = page!.popLast() else { return nil }
    ///             return agentKind.make(id: p["id"], [p["name"], p["on_shift"].asBool == true ? "available" : "offline"], raw: p)
    ///         })
    ///     }
    ///     func check(_ action: VendorAction, kind: String?) throws { throw Unsupported(client.vendor, action.verb, "it is read-only") }
    ///     func plan(_ action: VendorAction, object: Record?, _ io: IO) throws -> [PlannedRequest] { [] }
    /// }
    ///
    /// config.adapterTypes = [RosterAdapter.self]
    /// config.vendors = [VendorConnection(name: "roster", type: "roster", baseURL: "https://hr.example.com",
    ///                                    credentials: ["api_key": key])]
    /// let shell = try Shell(config)
    /// let onShift = try shell.evaluate(#"agents --vendor roster | where status == "available" | count"#, as: Int.self)
    /// ```
    public var adapterTypes: [any VendorAdapter.Type] = []
    /// The vendor resource commands use when a script says no `use` or `--vendor`.
    public var defaultVendor: String?
    /// What scripts may touch: `.readOnly`, `.noNetwork`, `.noFileSystem`.
    public var capabilities: Capabilities = []
    /// Wall time, evaluation steps, output size, recursion depth.
    public var limits = Limits()
    /// How `run` prints top-level results.
    public var outputFormat: OutputFormat = .json
    /// Directory for relative paths.
    public var workingDirectory = FileManager.default.currentDirectoryPath
    /// What `$env` and `env NAME` see (default: nothing, so a host's secrets stay its own).
    public var environment: [String: String] = [:]

    public init() {}
}

/// An error from `Shell`, with where it happened and the rendered caret snippet.
public struct ShellError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var kind: ErrorKind
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// `error: ...` with file:line:column, the source line and a caret, as `swb` prints it.
    public var rendered: String
    /// Every error when a script has several parse errors (this one is the first).
    public var all: [ShellError]

    public var description: String { rendered }
}

/// One Switchboard interpreter for a host program: run scripts, get values back, register
/// commands and vendors, cancel from any thread.
///
/// Thread safety: a `Shell` runs one script at a time (calls are serialized by a lock);
/// separate shells run concurrently on separate threads. `cancel()` may be called from any thread.
///
/// ```swift
/// let shell = try Shell()
/// shell.register(Command(Signature("double", positionals: [Parameter("n", .int)]),
///                        description: "Twice n.") { ctx in .int(try ctx.int(0) * 2) })
/// let n: Int = try shell.evaluate("double 21", as: Int.self)   // 42
/// ```
public final class Shell: @unchecked Sendable {
    /// The interpreter, for hosts that need more than this facade.
    public let interpreter: Interpreter
    /// The vendor connections (nil when none were given).
    public let vendors: VendorRegistry?
    private let cancelled = CancelFlag()
    private let lock = NSLock()

    public convenience init(_ configuration: ShellConfiguration = ShellConfiguration()) throws {
        let registry = configuration.vendors.isEmpty ? nil
            : try VendorRegistry(connections: configuration.vendors, defaultVendor: configuration.defaultVendor,
                                 adapterTypes: configuration.adapterTypes)
        try self.init(configuration, registry: registry)
    }

    /// A shell on an existing vendor registry (for example the built-in sandbox's).
    public init(_ configuration: ShellConfiguration, registry: VendorRegistry?) throws {
        var config = InterpreterConfiguration(write: configuration.output, writeError: configuration.diagnostics,
                                              loadModule: configuration.loadModule, limits: configuration.limits,
                                              capabilities: configuration.capabilities, outputFormat: configuration.outputFormat,
                                              environment: configuration.environment, workingDirectory: configuration.workingDirectory)
        if configuration.capabilities.contains(.noFileSystem) {
            config.loadModule = { path, _ in throw SwitchboardError(.io, "cannot source `\(path)`: file access is turned off") }
        }
        let interp = Interpreter(configuration: config)
        self.interpreter = interp
        vendors = registry
        if let registry { installVendors(into: interp, registry: registry) }
        let flag = cancelled
        interp.configuration.isCancelled = { flag.value.load(ordering: .relaxed) }
    }

    /// Adds a host command; it is called like any built-in, with streams in and out.
    public func register(_ command: Command) {
        lock.withLock { interpreter.register(command) }
    }

    /// Runs a script: prints each top-level result to `output`, returns the last value.
    @discardableResult
    public func run(_ source: String, name: String = "<host>", arguments: [String] = []) throws(ShellError) -> Value {
        try perform { $0.scriptArguments = arguments; return try $0.run(source, name: name) }
    }

    /// Runs a script file (relative paths in it resolve against its directory).
    @discardableResult
    public func runFile(_ path: String, arguments: [String] = []) throws(ShellError) -> Value {
        guard !interpreter.configuration.capabilities.contains(.noFileSystem) else {
            throw report(SwitchboardError(.io, "cannot read `\(path)`: file access is turned off"))
        }
        guard let data = FileManager.default.contents(atPath: interpreter.resolvePath(path)) else {
            throw report(SwitchboardError(.io, "cannot read `\(path)`: no such file"))
        }
        let dir = (interpreter.resolvePath(path) as NSString).deletingLastPathComponent
        return try perform {
            $0.scriptArguments = arguments
            return try $0.run(String(decoding: data, as: UTF8.self), name: path, directory: dir)
        }
    }

    /// Evaluates source text and returns its value (streams collected), printing nothing.
    public func evaluate(_ source: String, name: String = "<host>", input: Value = .null) throws(ShellError) -> Value {
        try perform { try $0.evaluate(source, name: name, input: input) }
    }

    /// Evaluates source text and decodes the value as a Swift type.
    ///
    /// ```swift
    /// struct Agent: Decodable { let name: String; let status: String }
    /// let agents = try shell.evaluate("agents | first 3", as: [Agent].self)
    /// ```
    public func evaluate<T: Decodable>(_ source: String, as type: T.Type, name: String = "<host>") throws(ShellError) -> T {
        let v = try evaluate(source, name: name)
        do { return try v.decode(T.self) } catch { throw report(error) }
    }

    /// Stops the running script at its next check (within milliseconds; HTTP waits included).
    public func cancel() {
        cancelled.value.store(true, ordering: .relaxed)
    }

    /// Runs on a thread with a large stack, so deep scripts hit the recursion limit, not a crash.
    private func perform(_ body: @escaping (Interpreter) throws -> Value) throws(ShellError) -> Value {
        lock.lock()
        defer { lock.unlock() }
        cancelled.value.store(false, ordering: .relaxed)
        nonisolated(unsafe) var result: Result<Value, Error> = .success(.null)
        nonisolated(unsafe) let interp = interpreter
        nonisolated(unsafe) let body = body
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result = Result { try body(interp) }
            done.signal()
        }
        thread.stackSize = 256 << 20
        thread.start()
        done.wait()
        switch result {
        case .success(let v): return v
        case .failure(let e as ExitRequest) where e.code == 0: return .null
        case .failure(let e as ExitRequest):
            throw report(SwitchboardError(.user, "the script exited with status \(e.code)"))
        case .failure(let e): throw report(e)
        }
    }

    private func report(_ error: Error) -> ShellError {
        let errors: [SwitchboardError]
        switch error {
        case let p as ParseErrors: errors = p.errors
        case let e as SwitchboardError: errors = [e]
        default: errors = [SwitchboardError(.value, String(describing: error))]
        }
        let reports = errors.map { e -> ShellError in
            var r = ShellError(message: e.message, kind: e.kind, rendered: interpreter.render(e), all: [])
            if let f = interpreter.sources.file(e.span.source) {
                let (l, c) = f.location(of: Int(e.span.start))
                r.file = f.name
                r.line = l
                r.column = c
            }
            return r
        }
        var first = reports[0]
        first.all = reports
        if reports.count > 1 { first.rendered = reports.map(\.rendered).joined() }
        return first
    }
}

final class CancelFlag: Sendable {
    let value = Atomic<Bool>(false)
}

extension Shell {
    /// A shell connected to a fresh in-process sandbox of all four vendors (for trying
    /// things, tests and demos), plus the configuration's own `vendors` (of its `adapterTypes`).
    /// Keep the returned sandbox alive while the shell is used.
    /// Call from a plain thread (not from inside an async task): it waits for the servers.
    ///
    /// ```swift
    /// let (shell, sandbox) = try Shell.sandboxed()
    /// let n = try shell.evaluate("agents | count", as: Int.self)   // 40
    /// ```
    public static func sandboxed(_ configuration: ShellConfiguration = ShellConfiguration(),
                                 options: SandboxOptions = SandboxOptions()) throws -> (shell: Shell, sandbox: Sandbox) {
        final class Box: @unchecked Sendable { var result: Result<Sandbox, Error>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.result = await Result(catching: { try await Sandbox.start(options) })
            done.signal()
        }
        done.wait()
        let sandbox = try box.result!.get()
        do {
            let registry = try VendorRegistry(connections: DefaultSandbox.connections(sandbox) + configuration.vendors,
                                              defaultVendor: configuration.defaultVendor ?? "chatrhub",
                                              adapterTypes: configuration.adapterTypes)
            return (try Shell(configuration, registry: registry), sandbox)
        } catch {
            let stopped = DispatchSemaphore(value: 0)
            Task {
                await sandbox.shutdown()
                stopped.signal()
            }
            stopped.wait()
            throw error
        }
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
