import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One HTTP request, fully formed (absolute URL, headers, body).
public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute URL: base URL + path + query.
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var timeout: Duration

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Duration = .seconds(60)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The path and query, for messages (never the host's credentials: there are none in URLs).
    public var target: String {
        guard let r = url.range(of: "://") else { return url }
        let rest = url[r.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }

    /// The path without the query.
    public var path: String {
        let t = target
        return t.firstIndex(of: "?").map { String(t[..<$0]) } ?? t
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.0.lowercased() == n }?.1
    }
}

/// What went wrong below HTTP.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    /// The request was never sent (connection refused, connect timeout): safe to repeat.
    case notSent(String)
    /// The request was sent but no response head arrived (timeout, connection closed): it may have been applied.
    case noResponse(String)
    /// The response head arrived (so `status` is known) but the body was cut off.
    case bodyLost(status: Int, headers: [(String, String)], String)

    public var description: String {
        switch self {
        case .notSent(let m): "could not connect: \(m)"
        case .noResponse(let m): "no response: \(m)"
        case .bodyLost(let s, _, let m): "the connection dropped while reading a \(s) response: \(m)"
        }
    }
}

/// The one way vendor adapters reach the network.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Like `send`, but a 2xx body is handed to `body` chunk by chunk as it arrives and is not
    /// kept (the answer's `body` is empty); other answers are collected whole, as by `send`.
    /// Errors thrown by `body` end the request and are rethrown as they are.
    func stream(_ request: HTTPRequest, body: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> HTTPResponse
}

extension HTTPTransport {
    /// For transports that only collect: the whole body as one chunk.
    public func stream(_ request: HTTPRequest, body: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> HTTPResponse {
        var response = try await send(request)
        guard (200..<300).contains(response.status) else { return response }
        try response.body.withUnsafeBytes { try body($0) }
        response.body = []
        return response
    }
}

/// AsyncHTTPClient with connection pooling, timeouts, and one shared client.
public final class AsyncHTTPTransport: HTTPTransport {
    public static let shared = AsyncHTTPTransport()

    /// Made on the first request: a script that never calls a vendor starts no event loop.
    private let made = Mutex<HTTPClient?>(nil)
    private let configuration: HTTPClient.Configuration
    /// Responses larger than this are refused.
    public let maxBody: Int

    var client: HTTPClient {
        made.withLock { client in
            if let client { return client }
            let new = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            client = new
            return new
        }
    }

    public init(maxConnectionsPerHost: Int = 64, connectTimeout: Duration = .seconds(10), maxBody: Int = 512 << 20) {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .init(connectTimeout), read: .seconds(120))
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        config.decompression = .enabled(limit: .ratio(50))
        config.redirectConfiguration = .disallow
        configuration = config
        self.maxBody = maxBody
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await execute(request)
        return try await collect(response)
    }

    public func stream(_ request: HTTPRequest, body: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> HTTPResponse {
        let response = try await execute(request)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else { return try await collect(response) }
        let headers = response.headers.map { ($0.name, $0.value) }
        var chunks = response.body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do { chunk = try await chunks.next() } catch {
                throw TransportError.bodyLost(status: status, headers: headers, Self.text(error))
            }
            guard let chunk else { break }
            try chunk.withUnsafeReadableBytes { try body($0) }
        }
        return HTTPResponse(status: status, headers: headers)
    }

    func execute(_ request: HTTPRequest) async throws -> HTTPClientResponse {
        var r = HTTPClientRequest(url: request.url)
        r.method = HTTPMethod(rawValue: request.method)
        for (k, v) in request.headers { r.headers.add(name: k, value: v) }
        if let body = request.body { r.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            return try await client.execute(r, timeout: .init(request.timeout))
        } catch {
            throw Self.classify(error)
        }
    }

    func collect(_ response: HTTPClientResponse) async throws -> HTTPResponse {
        let headers = response.headers.map { ($0.name, $0.value) }
        do {
            let buffer = try await response.body.collect(upTo: maxBody)
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Array(buffer.readableBytesView))
        } catch {
            throw TransportError.bodyLost(status: Int(response.status.code), headers: headers, Self.text(error))
        }
    }

    static func classify(_ error: Error) -> Error {
        if error is CancellationError { return error }
        if error is NIOConnectionError { return TransportError.notSent(text(error)) }
        if let e = error as? HTTPClientError {
            if e == .connectTimeout || e == .cancelled { return TransportError.notSent(text(error)) }
            if e == .invalidURL || e == .emptyHost || e == .unsupportedScheme(e.description) { return TransportError.notSent(text(error)) }
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return TransportError.notSent(text(error)) }
        if let e = error as? IOError, e.errnoCode == ECONNREFUSED { return TransportError.notSent(text(error)) }
        return TransportError.noResponse(text(error))
    }

    static func text(_ error: Error) -> String {
        if let e = error as? HTTPClientError { return e.description }
        return String(describing: error)
    }
}
