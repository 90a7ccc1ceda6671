import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import SwitchboardSandbox

/// One HTTP answer from the sandbox.
struct Answer {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed with Foundation (independent of the sandbox's own JSON code).
    var json: Any? {
        guard !body.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }

    var object: [String: Any] { (json as? [String: Any]) ?? [:] }
    var array: [Any] { (json as? [Any]) ?? [] }
}

/// Sends one request over real HTTP on loopback.
func send(
    _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil,
    contentType: String = "application/json"
) async throws -> Answer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let buffer = try await response.body.collect(upTo: 64 << 20)
    return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer.readableBytesView))
}

/// Runs `body` against a fresh sandbox and always shuts it down.
@discardableResult
func withSandbox<T>(
    _ options: SandboxOptions = .init(), _ body: (Sandbox) async throws -> T
) async throws -> T {
    let sandbox = try await Sandbox.start(options)
    do {
        let result = try await body(sandbox)
        await sandbox.shutdown()
        return result
    } catch {
        await sandbox.shutdown()
        throw error
    }
}

/// Checks that `object` has exactly the documented keys (no missing key, no extra key).
func expectKeys(_ object: Any?, _ documented: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let dict = object as? [String: Any] else {
        Issue.record("\(what) is not an object: \(String(describing: object))", sourceLocation: sourceLocation)
        return
    }
    let missing = Set(documented).subtracting(dict.keys)
    let extra = Set(dict.keys).subtracting(documented)
    #expect(missing.isEmpty, "\(what) misses \(missing.sorted())", sourceLocation: sourceLocation)
    #expect(extra.isEmpty, "\(what) has undocumented \(extra.sorted())", sourceLocation: sourceLocation)
}

/// An HS256 JWT minted here, independently of the sandbox's own minting.
func testJWT(appId: String, secret: String) -> String {
    func b64(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    let header = b64(Data(#"{"typ":"JWT","alg":"HS256"}"#.utf8))
    let payload = b64(Data(#"{"appId":"\#(appId)"}"#.utf8))
    let mac = HMAC<SHA256>.authenticationCode(for: Data((header + "." + payload).utf8), using: SymmetricKey(data: Data(secret.utf8)))
    return header + "." + payload + "." + b64(Data(mac))
}

/// Matches `2018-06-21T01:50:49+00:00`.
func isOffsetDate(_ value: Any?) -> Bool {
    guard let s = value as? String else { return false }
    return s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$"#, options: .regularExpression) != nil
}

/// Matches `2022-10-11T04:06:41.286Z`.
func isMillisZ(_ value: Any?) -> Bool {
    guard let s = value as? String else { return false }
    return s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression) != nil
}

/// Matches `2024-01-31T12:00:00Z`.
func isZ(_ value: Any?) -> Bool {
    guard let s = value as? String else { return false }
    return s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression) != nil
}

/// Today's date in UTC, `YYYY-MM-DD`, shifted by `days`.
func utcDay(_ days: Int = 0) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.string(from: Date().addingTimeInterval(Double(days) * 86400))
}
