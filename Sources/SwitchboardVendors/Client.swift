import Foundation
import SwitchboardCore
import Synchronization

/// How a request may be repeated.
public enum RequestKind: Sendable {
    /// A read: repeated freely until it gets a whole answer.
    case read
    /// A write. `idempotent` writes (PUT, DELETE, set-style PATCH) are repeated after an
    /// ambiguous failure; others only when `verify` says the change is not in place.
    case write(idempotent: Bool)
}

/// Retries of 429, 5xx, timeouts and dropped connections, with exponential backoff that
/// honours `Retry-After`. A request whose success is known is never sent again.
public struct RetryPolicy: Sendable {
    /// Attempts for 5xx and transport failures.
    public var maxAttempts: Int
    /// Extra attempts allowed for 429 answers.
    public var maxRateLimited: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 6, maxRateLimited: Int = 60, baseDelay: Duration = .milliseconds(100),
                maxDelay: Duration = .seconds(5), maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.maxRateLimited = maxRateLimited
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1, maxRateLimited: 0)

    func backoff(_ attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 16)
        let d = min(baseDelay * factor, maxDelay)
        // Full jitter in [d/2, d].
        let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
        return .nanoseconds(Int64(ns * Double.random(in: 0.5...1.0)))
    }
}

/// The final answer to one request after retries.
public struct Outcome: Sendable {
    public var response: HTTPResponse
    /// The status is known but the body was cut off (a write that succeeded is not repeated).
    public var bodyLost: Bool = false
    /// The connection failed but `verify` found the change in place.
    public var verified: Bool = false
    public var attempts: Int = 1
    public var ok: Bool { (200..<300).contains(response.status) }
}

/// An HTTP error from a vendor: names vendor, method, path, status and the vendor's message.
public struct VendorHTTPError: Error, Sendable, CustomStringConvertible {
    public let vendor: String
    public let method: String
    public let path: String
    public let status: Int
    public let message: String

    public var description: String {
        var s = "\(vendor): \(method) \(path) failed with \(status)"
        if status == 401 || status == 403 { s += " (credentials refused)" }
        if !message.isEmpty { s += ": \(message)" }
        return s
    }
}

/// A request that failed below HTTP, with vendor, method and path.
public struct VendorTransportError: Error, Sendable, CustomStringConvertible {
    public let vendor: String
    public let method: String
    public let path: String
    public let underlying: TransportError
    public let attempts: Int
    public var description: String {
        "\(vendor): \(method) \(path) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(underlying)"
    }
}

/// One connection's HTTP client: builds URLs, authenticates, retries, maps errors, logs,
/// and scrubs secrets from anything it reports.
public final class VendorClient: Sendable {
    public let connection: VendorConnection
    let transport: any HTTPTransport
    let policy: RetryPolicy
    let authorize: @Sendable (inout HTTPRequest) throws -> Void
    /// Where request lines go, asked per request (nil: no line is built).
    let logger: @Sendable () -> (@Sendable (String) -> Void)?
    let sent = Atomic<Int>(0)

    public convenience init(connection: VendorConnection, transport: any HTTPTransport, policy: RetryPolicy = .default,
                            log: (@Sendable (String) -> Void)? = nil, authorize: @escaping @Sendable (inout HTTPRequest) throws -> Void) {
        self.init(connection: connection, transport: transport, policy: policy, logger: { log }, authorize: authorize)
    }

    public init(connection: VendorConnection, transport: any HTTPTransport, policy: RetryPolicy = .default,
                logger: @escaping @Sendable () -> (@Sendable (String) -> Void)?,
                authorize: @escaping @Sendable (inout HTTPRequest) throws -> Void) {
        self.connection = connection
        self.transport = transport
        self.policy = policy
        self.logger = logger
        self.authorize = authorize
    }

    public var vendor: String { connection.name }

    /// Requests sent so far (every attempt).
    public var requestCount: Int { sent.load(ordering: .relaxed) }

    // MARK: Building

    public static func encodeQuery(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return items.map { k, v in
            (k.addingPercentEncoding(withAllowedCharacters: allowed) ?? k) + "=" + (v.addingPercentEncoding(withAllowedCharacters: allowed) ?? v)
        }.joined(separator: "&")
    }

    /// A request to `path` (which starts with `/`) under the base URL; `json` becomes the body.
    public func request(_ method: String, _ path: String, query: [(String, String)] = [], json: Value? = nil) -> HTTPRequest {
        var url = connection.baseURL + path
        if !query.isEmpty { url += "?" + VendorClient.encodeQuery(query) }
        var headers: [(String, String)] = [("Accept", "application/json")]
        var body: [UInt8]? = nil
        if let json {
            headers.append(("Content-Type", "application/json"))
            body = Array(((try? JSON.encode(json)) ?? "null").utf8)
        }
        return HTTPRequest(method: method, url: url, headers: headers, body: body)
    }

    /// A request to an absolute URL (a paging link); refused when it leaves the vendor's host.
    public func request(absolute url: String) throws -> HTTPRequest {
        guard let base = URLComponents(string: connection.baseURL), let u = URLComponents(string: url),
              u.host?.lowercased() == base.host?.lowercased(), u.port == base.port || u.port == nil && base.port == nil
        else {
            throw VendorHTTPError(vendor: vendor, method: "GET", path: scrub(url), status: 0,
                                  message: "the paging link points to another host; refusing to send credentials there")
        }
        var path = u.percentEncodedPath
        if let q = u.percentEncodedQuery { path += "?" + q }
        return HTTPRequest(method: "GET", url: connection.baseURL + path, headers: [("Accept", "application/json")])
    }

    // MARK: Sending

    /// Sends with retries. Returns the final answer whatever its status; throws only when no
    /// status could be had (or the vendor's connection is misconfigured).
    public func send(_ request: HTTPRequest, kind: RequestKind = .read,
                     verify: (@Sendable () async throws -> Bool)? = nil) async throws -> Outcome {
        try await send(request, kind: kind, verify: verify, stream: nil)
    }

    /// `send`; with `stream`, a 2xx body goes to `stream.feed` as it arrives instead of into the
    /// outcome (`stream.restart` is called before every attempt).
    func send(_ request: HTTPRequest, kind: RequestKind, verify: (@Sendable () async throws -> Bool)?,
              stream: (restart: () -> Void, feed: @Sendable (UnsafeRawBufferPointer) throws -> Void)?) async throws -> Outcome {
        if let problem = connection.problem { throw ConfigError("\(vendor): \(problem)") }
        var authed = request
        try authorize(&authed)
        var attempt = 0
        var limited = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let started = ContinuousClock.now
            sent.add(1, ordering: .relaxed)
            do {
                let response: HTTPResponse
                if let stream {
                    stream.restart()
                    response = try await transport.stream(authed, body: stream.feed)
                } else {
                    response = try await transport.send(authed)
                }
                logLine(request, response.status, started)
                if response.status == 429, limited < policy.maxRateLimited {
                    limited += 1
                    attempt -= 1
                    try await Task.sleep(for: retryAfter(response.header("Retry-After")) ?? policy.backoff(limited))
                    continue
                }
                if response.status >= 500, attempt < policy.maxAttempts {
                    // The vendor answered: it did not apply the request, so sending it again is safe.
                    try await Task.sleep(for: retryAfter(response.header("Retry-After")) ?? policy.backoff(attempt))
                    continue
                }
                return Outcome(response: response, attempts: attempt)
            } catch let error as TransportError {
                logLine(request, nil, started, error)
                switch error {
                case .notSent:
                    if attempt < policy.maxAttempts { try await Task.sleep(for: policy.backoff(attempt)); continue }
                case .bodyLost(let status, let headers, _):
                    if case .write = kind, (200..<300).contains(status) {
                        // The vendor said yes; only the body is missing. Never send it again.
                        return Outcome(response: HTTPResponse(status: status, headers: headers), bodyLost: true, attempts: attempt)
                    }
                    if attempt < policy.maxAttempts { try await Task.sleep(for: policy.backoff(attempt)); continue }
                case .noResponse:
                    if attempt < policy.maxAttempts {
                        switch kind {
                        case .read: try await Task.sleep(for: policy.backoff(attempt)); continue
                        case .write(let idempotent):
                            if let verify, let done = try? await verify() {
                                if done { return Outcome(response: HTTPResponse(status: 200), verified: true, attempts: attempt) }
                                try await Task.sleep(for: policy.backoff(attempt))
                                continue
                            }
                            if idempotent { try await Task.sleep(for: policy.backoff(attempt)); continue }
                        }
                    }
                }
                throw VendorTransportError(vendor: vendor, method: request.method, path: scrub(request.path), underlying: error, attempts: attempt)
            }
        }
    }

    func retryAfter(_ text: String?) -> Duration? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let s = Double(text), s >= 0 { return min(.milliseconds(Int64(s * 1000)), policy.maxRetryAfter) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let d = f.date(from: text) { return min(.milliseconds(Int64(max(0, d.timeIntervalSinceNow) * 1000)), policy.maxRetryAfter) }
        return nil
    }

    func logLine(_ request: HTTPRequest, _ status: Int?, _ started: ContinuousClock.Instant, _ error: Error? = nil) {
        guard let log = logger() else { return }
        let ms = (ContinuousClock.now - started).components
        let elapsed = Int(ms.seconds * 1000 + ms.attoseconds / 1_000_000_000_000_000)
        let what = status.map(String.init) ?? "error: \(error.map { String(describing: $0) } ?? "?")"
        log(scrub("\(vendor) \(request.method) \(request.target) \(what) \(elapsed)ms"))
    }

    /// Sends a read and decodes its JSON body; non-2xx is a `VendorHTTPError`.
    public func getJSON(_ request: HTTPRequest) async throws -> Value {
        let outcome = try await send(request, kind: .read)
        try check(outcome, request)
        return try decode(outcome.response, request)
    }

    /// Sends a read whose answer is a JSON array and hands each element to `each` as soon as it
    /// is parsed, without keeping the answer (memory holds one element). When a dropped
    /// connection makes it send the request again, `each` sees the elements again from the first.
    public func forEachElement(_ request: HTTPRequest, _ each: @escaping @Sendable (Value) throws -> Void) async throws {
        let splitter = JSONArraySplitter(each)
        do {
            let outcome = try await send(request, kind: .read, verify: nil,
                                         stream: (restart: splitter.reset, feed: { try splitter.feed($0) }))
            try check(outcome, request)
            try splitter.finish()
        } catch let e as JSONArraySplitter.Malformed {
            throw VendorHTTPError(vendor: vendor, method: request.method, path: scrub(request.path), status: 200,
                                  message: "the answer is not a JSON array: " + scrub(e.message))
        }
    }

    /// Throws the vendor's error for a non-2xx answer.
    public func check(_ outcome: Outcome, _ request: HTTPRequest) throws {
        guard !outcome.ok else { return }
        throw httpError(outcome.response, request)
    }

    public func httpError(_ response: HTTPResponse, _ request: HTTPRequest) -> VendorHTTPError {
        VendorHTTPError(vendor: vendor, method: request.method, path: scrub(request.path), status: response.status,
                        message: scrub(VendorClient.message(response.body)))
    }

    public func decode(_ response: HTTPResponse, _ request: HTTPRequest) throws -> Value {
        if response.body.isEmpty { return .null }
        do { return try JSON.decode(bytes: response.body) } catch {
            throw VendorHTTPError(vendor: vendor, method: request.method, path: scrub(request.path), status: response.status,
                                  message: "the answer is not JSON: " + scrub(String(decoding: response.body.prefix(120), as: UTF8.self)))
        }
    }

    /// The vendor's error text from a body: `message`, `error`, `error.message`, or the text.
    static func message(_ body: [UInt8]) -> String {
        if body.isEmpty { return "" }
        if let v = try? JSON.decode(bytes: body), case .record(let r) = v {
            for key in ["message", "error", "errors", "detail", "title"] {
                switch r[key] {
                case .string(let s)?: return s
                case .record(let e)?: if case .string(let s)? = e["message"] { return s }
                case .list(let l)?: if let first = l.first, case .record(let e) = first, case .string(let s)? = e["message"] ?? e["detail"] { return s }
                default: break
                }
            }
        }
        return String(String(decoding: body.prefix(200), as: UTF8.self).prefix(200))
    }

    /// `text` with every secret of this connection replaced.
    public func scrub(_ text: String) -> String { Redaction.scrub(text, secrets: connection.secrets) }
}

enum Redaction {
    static func scrub(_ text: String, secrets: [String]) -> String {
        var out = text
        for s in secrets.sorted(by: { $0.count > $1.count }) where s.count >= 4 && out.contains(s) {
            out = out.replacingOccurrences(of: s, with: "[REDACTED]")
        }
        return out
    }
}

/// Runs async work from the synchronous evaluator thread (never from the cooperative pool),
/// polling `cancelled` so Ctrl-C stops a long request.
public enum Blocking {
    final class Box<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }

    public static func run<T: Sendable>(cancelled: @escaping () -> Bool = { false },
                                        _ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if cancelled() {
                task.cancel()
                done.wait()
                throw SwitchboardError(.cancelled, "interrupted")
            }
        }
        switch box.result! {
        case .success(let v): return v
        case .failure(let e):
            if e is CancellationError { throw SwitchboardError(.cancelled, "interrupted") }
            throw e
        }
    }
}
