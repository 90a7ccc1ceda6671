import AsyncHTTPClient
import Foundation
import Testing

@testable import SwitchboardSandbox

/// Fault flags, the request log and its redaction, configuration output, scale.
@Suite struct FaultAndLogTests {
    let dixaAuth = [("Authorization", Dixa.apiKey)]

    @Test func latency() async throws {
        try await withSandbox(.init(latency: .milliseconds(150))) { (s) async throws in
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/teams", headers: dixaAuth)
            #expect(answer.status == 200)
            #expect(clock.now - start >= .milliseconds(150))
        }
    }

    @Test func errorRate() async throws {
        try await withSandbox(.init(errorRate: 0.5)) { (s) async throws in
            var statuses: [Int] = []
            for _ in 0..<60 {
                let a = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/teams", headers: dixaAuth)
                statuses.append(a.status)
                if a.status == 500 {
                    #expect(a.object["message"] as? String == "There was an internal server error while processing the request")
                }
            }
            let failures = statuses.filter { $0 == 500 }.count
            #expect(failures > 10 && failures < 50, "about half should fail, got \(failures)")
            #expect(Set(statuses).isSubset(of: [200, 500]))
        }
        try await withSandbox(.init(errorRate: 1)) { (s) async throws in
            let a = try await send(.GET, s.vendor("chatrhub")!.baseURL + "/api/v1/groups.json", headers: [("Authorization", "Bearer " + ChatrHub.apiKey)])
            #expect(a.status == 500)
            #expect(a.object["error"] is String)
        }
    }

    @Test func rateLimit() async throws {
        try await withSandbox(.init(rateLimit: 2)) { (s) async throws in
            let url = s.vendor("dixa")!.baseURL + "/v1/teams"
            let auth = dixaAuth
            let clock = ContinuousClock()
            let start = clock.now
            let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
                for _ in 0..<20 { group.addTask { try await send(.GET, url, headers: auth) } }
                return try await group.reduce(into: [Answer]()) { $0.append($1) }
            }
            let seconds = Double((clock.now - start).components.seconds) + 1
            let ok = answers.filter { $0.status == 200 }.count
            let limited = answers.filter { $0.status == 429 }
            #expect(ok + limited.count == 20)
            #expect(ok >= 2 && Double(ok) <= 2 + 2 * seconds, "a bucket of 2 refilled at 2/s; got \(ok) in \(seconds) s")
            #expect(!limited.isEmpty)
            for a in limited {
                #expect(a.headers.first(name: "Retry-After").flatMap { Int($0) }.map { $0 >= 1 } == true)
                #expect(a.object["message"] is String)
            }
            // Another vendor has its own budget.
            let other = try await send(.GET, s.vendor("agentiq")!.baseURL + "/api/exports/agents", headers: [("x-api-key", AgentIQ.apiKey)])
            #expect(other.status == 200)
        }
    }

    @Test func dropRate() async throws {
        try await withSandbox(.init(dropRate: 1)) { (s) async throws in
            await #expect(throws: (any Error).self) {
                _ = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/agents", headers: dixaAuth)
            }
        }
        try await withSandbox(.init(dropRate: 0.5)) { (s) async throws in
            var dropped = 0
            for _ in 0..<30 {
                do {
                    let a = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/teams", headers: dixaAuth)
                    #expect(a.status == 200)
                    #expect(a.json != nil, "a delivered body is complete JSON")
                } catch {
                    dropped += 1
                }
            }
            #expect(dropped > 3 && dropped < 27, "about half dropped, got \(dropped)")
        }
    }

    @Test func requestLogRedactsSecrets() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-log-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withSandbox(.init(logPath: path)) { (s) async throws in
            _ = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/teams?api_key=\(Dixa.apiKey)&x=1", headers: dixaAuth)
            _ = try await send(
                .POST, s.vendor("dixa")!.baseURL + "/v1/endusers", headers: dixaAuth,
                body: #"{"displayName": "Eve", "password": "hunter2", "nested": {"token": "abc"}, "note": "key is sbx-chatrhub-key"}"#)
            let smart = s.vendor("smartassist")!
            _ = try await send(
                .GET, smart.baseURL + "/agentassist/api/v1/public/\(SmartAssist.streamId)/agents",
                headers: [("auth", smart.credentials["jwt"]!), ("accountId", SmartAssist.accountId)])
            _ = try await send(.GET, s.vendor("chatrhub")!.baseURL + "/api/v1/agents.json", headers: [("Authorization", "Bearer " + ChatrHub.apiKey)])

            #expect(s.requests.count == 4)
            #expect(s.requests.map(\.vendor) == ["dixa", "dixa", "smartassist", "chatrhub"])
            #expect(s.requests[1].status == 201)
            #expect(s.requests[0].query.contains("x=1"))
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            for key in ["vendor", "method", "path", "query", "body", "status", "time"] {
                #expect(object?[key] != nil, "log line has \(key)")
            }
        }
        let jwt = SmartAssist.mintJWT(clientId: SmartAssist.clientId, secret: SmartAssist.clientSecret)
        for secret in [Dixa.apiKey, ChatrHub.apiKey, AgentIQ.apiKey, SmartAssist.clientSecret, jwt, "hunter2", "\"abc\""] {
            #expect(!text.contains(secret), "the log must not contain \(secret)")
        }
        #expect(text.contains("[REDACTED]"))
        #expect(text.contains("Eve"))
    }

    @Test func configAndPorts() async throws {
        try await withSandbox { (s) async throws in
            #expect(s.vendors.map(\.name) == ["chatrhub", "agentiq", "smartassist", "dixa"])
            let toml = s.configTOML()
            #expect(toml.contains("default_vendor = \"chatrhub\""))
            for v in s.vendors {
                #expect(toml.contains("[vendors.\(v.name)]"))
                #expect(toml.contains("base_url = \"\(v.baseURL)\""))
            }
            #expect(toml.contains("api_key = \"sbx-dixa-key\""))
            #expect(toml.contains("stream_id = \"\(SmartAssist.streamId)\""))
            #expect(toml.contains("account_id = \"\(SmartAssist.accountId)\""))
        }
    }

    @Test func fixedPorts() async throws {
        let base = 20_000 + Int.random(in: 0..<20_000)
        do {
            try await withSandbox(.init(port: base)) { (s) async throws in
                #expect(s.vendors.map(\.baseURL) == (0..<4).map { "http://127.0.0.1:\(base + $0)" })
                // A second sandbox on the same ports fails to start, with a message.
                await #expect(throws: SandboxError.self) { _ = try await Sandbox.start(.init(port: base)) }
            }
        } catch SandboxError.serverFailed {
            // The random port was taken by something else; nothing to check.
        }
    }

    @Test func deterministicFromSeed() async throws {
        func names(_ seed: UInt64) async throws -> String {
            try await withSandbox(.init(seed: seed)) { (s) async throws in
                try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/agents", headers: dixaAuth).text
            }
        }
        let a = try await names(7), b = try await names(7), c = try await names(8)
        #expect(a == b)
        #expect(a != c)
    }

    /// 100,000 agents serve their first and last pages. (How fast it starts is a benchmark
    /// matter, not a unit test's: see scripts/dev/sandbox-bench.sh.)
    @Test func largeSandboxServesEveryAgent() async throws {
        try await withSandbox(.init(agents: 100_000)) { (s) async throws in
            let page = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/agents?pageLimit=5", headers: dixaAuth)
            #expect((page.object["data"] as? [Any])?.count == 5)
            let one = try await send(.GET, s.vendor("chatrhub")!.baseURL + "/api/v1/agents/100000.json", headers: [("Authorization", "Bearer " + ChatrHub.apiKey)])
            #expect(one.status == 200)
        }
    }

    @Test func commandArguments() throws {
        let o = try parseSandboxArguments([
            "--port", "9000", "--seed", "5", "--agents", "100", "--latency", "20ms", "--error-rate", "0.05", "--rate-limit", "50/s",
            "--drop-rate=0.1", "--log", "/tmp/x.jsonl",
        ])
        #expect(o.port == 9000 && o.seed == 5 && o.agents == 100)
        #expect(o.latency == .milliseconds(20))
        #expect(o.errorRate == 0.05 && o.dropRate == 0.1 && o.rateLimit == 50 && o.logPath == "/tmp/x.jsonl")
        for bad in [["--port"], ["--port", "x"], ["--agents", "0"], ["--latency", "fast"], ["--error-rate", "2"], ["--rate-limit", "-1/s"], ["--bogus"]] {
            #expect(throws: SandboxError.self, "\(bad)") { try parseSandboxArguments(bad) }
        }
    }

    @Test func commandReturnsTwoForBadUsage() async {
        #expect(await runSandboxCommand(arguments: ["--agents", "zero"]) == 2)
    }

    @Test func hostileInputsGetErrorsNotCrashes() async throws {
        try await withSandbox(.init(rateLimit: 1e-300)) { (s) async throws in
            let huge = "-9223372036854775808"
            let chatrhub = [("Authorization", "Bearer " + ChatrHub.apiKey)]
            let smart = [("auth", s.vendor("smartassist")!.credentials["jwt"]!), ("accountId", SmartAssist.accountId)]
            let cases: [(String, [(String, String)])] = [
                ("chatrhub", chatrhub), ("agentiq", [("x-api-key", AgentIQ.apiKey)]), ("smartassist", smart), ("dixa", dixaAuth),
            ]
            // The first request per vendor passes the (tiny) rate limit; the second is refused with a bounded Retry-After.
            for (vendor, headers) in cases {
                let path: String
                switch vendor {
                case "chatrhub": path = "/api/v1/agents/\(huge).json"
                case "agentiq": path = "/api/agents/\(huge)"
                case "smartassist": path = "/agentassist/api/v1/public/\(SmartAssist.streamId)/agents?page=9223372036854775807&limit=100"
                default: path = "/v1/conversations/\(huge)"
                }
                let a = try await send(.GET, s.vendor(vendor)!.baseURL + path, headers: headers)
                #expect([400, 404].contains(a.status), "\(vendor) \(path) -> \(a.status)")
                let b = try await send(.GET, s.vendor(vendor)!.baseURL + path, headers: headers)
                #expect(b.status == 429)
                #expect(b.headers.first(name: "Retry-After").flatMap { Int($0) }.map { (1...86400).contains($0) } == true)
            }
        }
        try await withSandbox { (s) async throws in
            let key = Data("offset=9223372036854775807".utf8).base64EncodedString()
            let a = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/agents?pageKey=\(key)", headers: dixaAuth)
            #expect(a.status == 400)
            let deep = String(repeating: "[", count: 100_000)
            let b = try await send(.POST, s.vendor("dixa")!.baseURL + "/v1/teams", headers: dixaAuth, body: deep)
            #expect(b.status == 400)
            let c = try await send(.GET, s.vendor("chatrhub")!.baseURL + "/api/v1/q_tasks.json?after=9223372036854775807&task_type=operational&is_resolved=0", headers: [("Authorization", "Bearer " + ChatrHub.apiKey)])
            #expect(c.status == 200)
        }
    }
}
