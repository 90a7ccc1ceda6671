import Foundation
import Synchronization

/// One request the sandbox served, as recorded in `Sandbox.requests` and the `--log` file.
/// Secrets are redacted before a request is recorded: headers are never recorded at all,
/// and query values and JSON body values whose names look secret (key, token, secret, jwt,
/// password, auth) become `[REDACTED]`, as does any literal occurrence of a sandbox credential.
public struct SandboxRequest: Sendable, Codable {
    public let vendor: String
    public let method: String
    public let path: String
    /// The query string without `?`, redacted.
    public let query: String
    /// The request body (redacted when JSON; non-JSON bodies are cut at 4 KiB).
    public let body: String
    public let status: Int
    public let time: Date
}

/// The in-memory request list and the optional JSON-lines file.
final class RequestLog: Sendable {
    /// The in-memory list keeps at most this many of the latest requests.
    static let memoryLimit = 200_000

    private let entries = Mutex<[SandboxRequest]>([])
    private let file: Mutex<FileHandle?>
    private let secrets: [String]

    /// Opens (creating or appending to) `path` when given.
    init(path: String?, secrets: [String]) throws {
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        if let path {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw SandboxError.cannotOpenLog(path)
                }
            }
            guard let handle = FileHandle(forWritingAtPath: path) else { throw SandboxError.cannotOpenLog(path) }
            handle.seekToEndOfFile()
            file = Mutex(handle)
        } else {
            file = Mutex(nil)
        }
    }

    var all: [SandboxRequest] { entries.withLock { $0 } }

    func record(vendor: String, request: VendorRequest, status: Int) {
        let entry = SandboxRequest(
            vendor: vendor,
            method: request.method,
            path: scrub(request.path),
            query: redactQuery(request.queryItems),
            body: redactBody(request.body),
            status: status,
            time: Date()
        )
        entries.withLock { list in
            if list.count >= RequestLog.memoryLimit * 2 { list.removeFirst(RequestLog.memoryLimit) }
            list.append(entry)
        }
        file.withLock { handle in
            guard let handle else { return }
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard var line = try? encoder.encode(entry) else { return }
            line.append(UInt8(ascii: "\n"))
            handle.write(line)
        }
    }

    func close() {
        file.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }

    // MARK: Redaction

    static let redacted = "[REDACTED]"

    static func isSecretName(_ name: String) -> Bool {
        let n = name.lowercased()
        // Whole names for `auth` (a header), so `authorization_level` is still logged.
        if n == "auth" || n == "authorization" { return true }
        return ["key", "token", "secret", "jwt", "password", "credential"].contains { n.contains($0) }
    }

    /// Replaces any literal sandbox credential in `text`.
    func scrub(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: RequestLog.redacted)
        }
        return out
    }

    func redactQuery(_ items: [(String, String)]) -> String {
        let parts = items.map { name, value -> String in
            let shown = RequestLog.isSecretName(name) ? RequestLog.redacted : value
            return name + "=" + shown
        }
        return scrub(parts.joined(separator: "&"))
    }

    func redactBody(_ body: [UInt8]) -> String {
        if body.isEmpty { return "" }
        if let json = JSON.parse(body) {
            return scrub(RequestLog.redact(json).text)
        }
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        return scrub(text)
    }

    static func redact(_ value: JSON) -> JSON {
        switch value {
        case .object(let pairs):
            return .object(pairs.map { key, v in (key, isSecretName(key) && !v.isNull ? .string(redacted) : redact(v)) })
        case .array(let items):
            return .array(items.map(redact))
        default:
            return value
        }
    }
}
