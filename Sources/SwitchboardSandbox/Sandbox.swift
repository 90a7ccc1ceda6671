import Foundation
import Hummingbird
import Logging
import Synchronization

/// How to run the sandbox. Every field has a default, so `SandboxOptions()` is a working
/// sandbox with 40 agents on free ports.
public struct SandboxOptions: Sendable {
    /// Seed for all generated data and for fault decisions.
    public var seed: UInt64 = 1
    /// Number of agents per vendor (1...1_000_000); groups, customers, conversations and
    /// tasks scale with it.
    public var agents: Int = 40
    /// First port: chatrhub = port, agentiq = port+1, smartassist = port+2, dixa = port+3.
    /// nil picks free ports.
    public var port: Int? = nil
    /// Delay added before every response.
    public var latency: Duration = .zero
    /// Fraction of requests (0...1) answered with a 500 in the vendor's error shape.
    public var errorRate: Double = 0
    /// Requests per second per vendor; beyond it, 429 with `Retry-After`.
    public var rateLimit: Double? = nil
    /// Fraction of requests (0...1) whose connection is closed halfway through the body.
    public var dropRate: Double = 0
    /// When set, each request is appended to this file as a JSON line (secrets redacted).
    public var logPath: String? = nil
    /// One port per vendor, in `Sandbox.vendorNames` order (e.g. from `Sandbox.freePorts()`);
    /// overrides `port`.
    public var ports: [Int]? = nil

    public init(
        seed: UInt64 = 1, agents: Int = 40, port: Int? = nil, latency: Duration = .zero, errorRate: Double = 0,
        rateLimit: Double? = nil, dropRate: Double = 0, logPath: String? = nil
    ) {
        self.seed = seed
        self.agents = agents
        self.port = port
        self.latency = latency
        self.errorRate = errorRate
        self.rateLimit = rateLimit
        self.dropRate = dropRate
        self.logPath = logPath
    }
}

/// One vendor's server in a running sandbox.
public struct SandboxVendor: Sendable {
    /// `chatrhub`, `agentiq`, `smartassist` or `dixa`.
    public let name: String
    /// e.g. `http://127.0.0.1:8400`; vendor paths (`/api/v1/...`, `/v1/...`) go after it.
    public let baseURL: String
    /// The sandbox's fixed credentials for this vendor, e.g. `["api_key": "sbx-chatrhub-key"]`.
    public let credentials: [String: String]
}

public enum SandboxError: Error, CustomStringConvertible, Sendable {
    case invalidOption(String)
    case cannotOpenLog(String)
    case serverFailed(String)

    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        case .cannotOpenLog(let p): return "cannot open log file \(p)"
        case .serverFailed(let m): return "sandbox server failed to start: \(m)"
        }
    }
}

/// Local emulators of the four vendor APIs, one loopback port each.
///
/// ```swift
/// let sandbox = try await Sandbox.start(.init(seed: 7, agents: 100))
/// let chatrhub = sandbox.vendor("chatrhub")!   // chatrhub.baseURL + "/api/v1/agents.json"
/// await sandbox.shutdown()
/// ```
public final class Sandbox: Sendable {
    /// chatrhub, agentiq, smartassist, dixa, in that order.
    public let vendors: [SandboxVendor]
    private let log: RequestLog
    private let tasks: Mutex<[Task<Void, Never>]>

    /// The vendor names in port order.
    public static let vendorNames = ["chatrhub", "agentiq", "smartassist", "dixa"]

    private init(vendors: [SandboxVendor], log: RequestLog, tasks: [Task<Void, Never>]) {
        self.vendors = vendors
        self.log = log
        self.tasks = Mutex(tasks)
    }

    /// Builds the data and starts the four servers; returns once all four are listening.
    public static func start(_ options: SandboxOptions = .init()) async throws -> Sandbox {
        guard (1...1_000_000).contains(options.agents) else {
            throw SandboxError.invalidOption("agents must be between 1 and 1000000")
        }
        if let port = options.port, !(1...65532).contains(port) {
            throw SandboxError.invalidOption("port must be between 1 and 65532")
        }
        if let ports = options.ports, ports.count != vendorNames.count || !ports.allSatisfy((1...65535).contains) {
            throw SandboxError.invalidOption("ports must be \(vendorNames.count) ports between 1 and 65535")
        }
        let generator = DataGenerator(seed: options.seed)
        async let chatrhub = ChatrHub(generator: generator, agents: options.agents)
        async let agentiq = AgentIQ(generator: generator, agents: options.agents)
        async let smartassist = SmartAssist(generator: generator, agents: options.agents)
        async let dixa = Dixa(generator: generator, agents: options.agents)
        let emulators: [any VendorEmulator] = await [chatrhub, agentiq, smartassist, dixa]

        let log = try RequestLog(path: options.logPath, secrets: emulators.flatMap { e in
            // Ids (stream, account, client) are not secrets; keys, JWTs and the client secret are.
            e.credentials.filter { ["api_key", "jwt", "client_secret"].contains($0.key) }.map(\.value)
        })
        var logger = Logger(label: "switchboard.sandbox")
        logger.logLevel = .critical

        let (events, continuation) = AsyncStream.makeStream(of: (Int, Result<Int, any Error>).self)
        var tasks: [Task<Void, Never>] = []
        for (index, emulator) in emulators.enumerated() {
            let responder = VendorResponder(
                emulator: emulator, faults: Faults(options: options, vendorIndex: index), log: log,
                latency: options.latency)
            let app = Application(
                responder: responder,
                configuration: .init(address: .hostname("127.0.0.1", port: options.ports?[index] ?? options.port.map { $0 + index } ?? 0)),
                onServerRunning: { channel in
                    continuation.yield((index, .success(channel.localAddress?.port ?? 0)))
                },
                logger: logger
            )
            tasks.append(
                Task {
                    do {
                        try await app.run()
                    } catch {
                        continuation.yield((index, .failure(error)))
                    }
                })
        }

        var ports = [Int?](repeating: nil, count: emulators.count)
        var failure: (any Error)?
        for await (index, result) in events {
            switch result {
            case .success(let port): ports[index] = port
            case .failure(let error): failure = error
            }
            if failure != nil || ports.allSatisfy({ $0 != nil }) { break }
        }
        if let failure {
            for task in tasks { task.cancel() }
            for task in tasks { await task.value }
            log.close()
            throw SandboxError.serverFailed(String(describing: failure))
        }
        let vendors = zip(emulators, ports).map { emulator, port in
            SandboxVendor(
                name: emulator.name, baseURL: "http://127.0.0.1:\(port ?? 0)", credentials: emulator.credentials)
        }
        return Sandbox(vendors: vendors, log: log, tasks: tasks)
    }

    /// The vendors a sandbox started on `ports` (in `vendorNames` order) serves: their URLs and
    /// fixed fake credentials, known before it starts.
    public static func vendors(ports: [Int]) -> [SandboxVendor] {
        let credentials = [ChatrHub.credentials, AgentIQ.credentials, SmartAssist.credentials, Dixa.credentials]
        return zip(vendorNames, zip(ports, credentials)).map { name, p in
            SandboxVendor(name: name, baseURL: "http://127.0.0.1:\(p.0)", credentials: p.1)
        }
    }

    /// `n` free loopback ports, found by binding port 0 and letting go (for a sandbox that
    /// starts later; another process could take one in between, which `start` then reports).
    public static func freePorts(_ n: Int = vendorNames.count) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for s in sockets { close(s) } }
        return try (0..<n).map { _ in
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard s >= 0 else { throw SandboxError.serverFailed("no socket: \(String(cString: strerror(errno)))") }
            sockets.append(s)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
            }
            guard ok else { throw SandboxError.serverFailed("cannot bind a loopback port: \(String(cString: strerror(errno)))") }
            return Int(UInt16(bigEndian: addr.sin_port))
        }
    }

    /// The vendor called `name`, if any.
    public func vendor(_ name: String) -> SandboxVendor? {
        vendors.first { $0.name == name }
    }

    /// Every request served so far (the latest 200,000), redacted.
    public var requests: [SandboxRequest] { log.all }

    /// A config.toml (VENDORS.md §1) that points `swb` at this sandbox. The credentials in it
    /// are the sandbox's own fixed fake keys.
    public func configTOML() -> String {
        var lines = ["default_vendor = \"chatrhub\"", ""]
        for vendor in vendors {
            lines.append("[vendors.\(vendor.name)]")
            lines.append("base_url = \"\(vendor.baseURL)\"")
            for key in ["api_key", "stream_id", "account_id", "client_id", "client_secret", "jwt"] {
                if let value = vendor.credentials[key] {
                    lines.append("\(key) = \"\(value)\"")
                }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// Stops the four servers and closes the log file.
    public func shutdown() async {
        let running = tasks.withLock { list in
            defer { list = [] }
            return list
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
        log.close()
    }
}

/// The Hummingbird responder for one vendor: faults, auth, routing, logging.
struct VendorResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let emulator: any VendorEmulator
    let faults: Faults
    let log: RequestLog
    let latency: Duration

    /// Request bodies above this size are refused with 413.
    static let maxBody = 8 << 20

    struct DroppedConnection: Error {}

    func respond(to request: Request, context: Context) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers where headers[field.name.canonicalName] == nil {
            headers[field.name.canonicalName] = field.value
        }
        var tooLarge = false
        var body: [UInt8] = []
        do {
            let buffer = try await request.body.collect(upTo: VendorResponder.maxBody)
            body = Array(buffer.readableBytesView)
        } catch {
            tooLarge = true
        }
        let vendorRequest = VendorRequest(
            method: request.method.rawValue, path: request.uri.path, rawQuery: request.uri.query ?? "",
            headers: headers, body: body, host: request.head.authority ?? headers["host"] ?? "127.0.0.1")

        let reply = await answer(vendorRequest, tooLarge: tooLarge)
        log.record(vendor: emulator.name, request: vendorRequest, status: reply.status)
        return response(for: reply, drop: reply.status != 429 && faults.shouldDrop())
    }

    private func answer(_ request: VendorRequest, tooLarge: Bool) async -> VendorReply {
        if let retryAfter = faults.rateLimited() {
            var reply = emulator.error(429, "Too many requests; retry after \(retryAfter) s")
            reply.headers.append(("Retry-After", String(retryAfter)))
            return reply
        }
        if latency > .zero {
            try? await Task.sleep(for: latency)
        }
        if faults.shouldFail() {
            return emulator.error(500, "There was an internal server error while processing the request")
        }
        guard emulator.authorized(request) else {
            return emulator.error(401, "Missing or wrong credentials")
        }
        if tooLarge {
            return emulator.error(413, "Request body too large")
        }
        switch emulator.routes.resolve(method: request.method, path: request.path) {
        case .found(let route, let params): return route.handler(request, params)
        case .wrongMethod: return emulator.error(405, "Method \(request.method) not allowed on \(request.path)")
        case .notFound: return emulator.error(404, "No such path: \(request.path)")
        }
    }

    private func response(for reply: VendorReply, drop: Bool) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let fieldName = HTTPFields.Element.Name(name) { fields[fieldName] = value }
        }
        if let pieces = reply.pieces {
            fields[.contentType] = "application/json"
            return Response(status: .init(code: reply.status), headers: fields, body: ResponseBody { writer in
                while let piece = pieces.next() {
                    // A dropped connection: half of the first piece, then the server closes it.
                    if drop {
                        try await writer.write(ByteBuffer(bytes: piece.prefix(piece.count / 2)))
                        throw DroppedConnection()
                    }
                    try await writer.write(ByteBuffer(bytes: piece))
                }
                try await writer.finish(nil)
            })
        }
        guard let bytes = reply.body else {
            return Response(status: .init(code: reply.status), headers: fields, body: .init())
        }
        fields[.contentType] = "application/json"
        if drop {
            // Promise the whole body, send half, then fail: the server closes the connection.
            let half = ByteBuffer(bytes: bytes.prefix(bytes.count / 2))
            return Response(
                status: .init(code: reply.status), headers: fields,
                body: ResponseBody(contentLength: bytes.count) { writer in
                    try await writer.write(half)
                    throw DroppedConnection()
                })
        }
        return Response(status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
