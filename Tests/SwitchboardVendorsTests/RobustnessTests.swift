import Foundation
import SwitchboardCore
import SwitchboardSandbox
import Testing

@testable import SwitchboardVendors

@Suite("Faults, paging, secrets", .serialized)
struct RobustnessTests {
    /// 500 agents, 20% 5xx, 50 requests/s, 5% dropped connections: every agent is assigned
    /// exactly once (state and log), and nothing is lost.
    @Test func faultsOverFiveHundredObjects() async throws {
        let h = try await Harness(SandboxOptions(seed: 3, agents: 500, errorRate: 0.2, rateLimit: 50, dropRate: 0.05),
                                  retry: RetryPolicy(maxAttempts: 10, maxRateLimited: 400, baseDelay: .milliseconds(20), maxDelay: .seconds(1)))
        defer { Task { await h.stop() } }
        // A new group, so no agent is in it before (seeded groups have members).
        let created = await h.run(#"create group {name: "Faults"} --vendor chatrhub"#)
        #expect(created.rows.first?["ok"].asBool == true, "\(created.json) \(created.message)")
        let group = (await h.run("groups --vendor chatrhub | last | get id")).value?.asInt ?? 0
        #expect(group == 10254)
        let r = await h.run("agents --vendor chatrhub | assign group \(group) --parallel 16")
        #expect(r.error == nil, "\(r.message)")
        #expect(r.rows.count == 500)
        let failed = r.rows.filter { $0["ok"].asBool != true }
        for row in failed { #expect(row["error"].text?.isEmpty == false, "a failed row says why") }
        #expect(r.errors == "assign group \(group): \(500 - failed.count) ok, \(failed.count) failed (chatrhub)\n")
        // The log: per agent, exactly one POST that the server applied (2xx), none after it.
        let posts = r.requests.filter { $0.method == "POST" }
        var applied: [String: Int] = [:]
        var afterSuccess = 0
        for p in posts {
            if applied[p.path] != nil { afterSuccess += 1 }
            if (200..<300).contains(p.status) { applied[p.path, default: 0] += 1 }
        }
        #expect(afterSuccess == 0, "no request is repeated after it succeeded")
        let okIds = Set(r.rows.filter { $0["ok"].asBool == true }.compactMap { $0["id"].asInt })
        let okPaths = Set(okIds.map { "/api/v1/agent_groups/\($0).json" })
        #expect(Set(applied.keys) == okPaths, "applied but not ok: \(Set(applied.keys).subtracting(okPaths).sorted()); ok but not applied: \(okPaths.subtracting(applied.keys).sorted()); failed rows: \(failed.map { $0["error"].text ?? "" })")
        #expect(applied.values.allSatisfy { $0 == 1 })
        #expect(r.requests.contains { $0.status == 429 } && r.requests.contains { $0.status == 500 })
        // The state, read back without faults getting in the way: every ok agent is in the group.
        let h2state = await h.run("agents --vendor chatrhub | where id in [\(okIds.sorted().prefix(20).map(String.init).joined(separator: ", "))] | get id")
        #expect(h2state.rows.count == min(20, okIds.count))
        for id in okIds.sorted().prefix(20) {
            let v = await h.run("http GET /api/v1/agent_groups/agent_id/\(id)/group_id/\(group).json --vendor chatrhub | get data.attributes.is_assigned")
            #expect(v.json == "true", "agent \(id): \(v.message)")
        }
    }

    /// A vendor that always fails: every object gets a failed row with the status and the vendor's message.
    @Test func unrecoverableFailuresAreRows() async throws {
        let h = try await Harness(SandboxOptions(errorRate: 1.0), retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5)))
        defer { Task { await h.stop() } }
        let r = await h.run(#"[{id: 1, vendor: "chatrhub", kind: "agent"}, {id: 2, vendor: "chatrhub", kind: "agent"}] | assign group 10204"#)
        #expect(r.error == nil)
        #expect(r.rows.count == 2)
        for row in r.rows {
            #expect(row["ok"].asBool == false && row["status"].asInt == 500)
            #expect(row["error"].text == "chatrhub: POST /api/v1/agent_groups/\(row["id"].asInt ?? 0).json failed with 500: There was an internal server error while processing the request")
        }
        #expect(r.errors == "assign group 10204: 0 ok, 2 failed (chatrhub)\n")
        #expect(r.requests.count == 6, "3 attempts each")
    }

    @Test func pagingIsLazy() async throws {
        let h = try await Harness(SandboxOptions(agents: 10_000))
        defer { Task { await h.stop() } }
        let r = await h.run("agents --vendor dixa | first 5")
        #expect(r.rows.count == 5)
        #expect(r.lines == ["GET /v1/agents?pageLimit=100", "GET /v1/agents/presence"])
        let s = await h.run("agents --vendor smartassist | first 150 | length")
        #expect(s.json == "150")
        #expect(s.requests.count == 2)
        let all = await h.run("agents --vendor dixa | length")
        #expect(all.json == "10000")
        #expect(all.requests.count == 101)
        let c = await h.run("customers --vendor dixa | skip 250 | first 1")
        #expect(c.requests.count == 3)
    }

    @Test func wrongKeyGivesAClear401WithoutTheKey() async throws {
        let wrong = "sbx-wrong-key-0123456789"
        let h = try await Harness(connections: { s in
            s.vendors.map { v in
                var creds = v.credentials
                if creds["api_key"] != nil { creds["api_key"] = wrong }
                if creds["jwt"] != nil { creds["jwt"] = SmartAssistAdapter.mintJWT(clientId: "cs-sbx-smartassist", secret: wrong) }
                return VendorConnection(name: v.name, baseURL: v.baseURL, credentials: creds)
            }
        })
        defer { Task { await h.stop() } }
        for (vendor, path) in [("chatrhub", "GET /api/v1/agents.json"), ("agentiq", "GET /api/exports/agents"), ("dixa", "GET /v1/agents"), ("smartassist", "GET /agentassist/api/v1/public/st-sbx-0001/agents")] {
            let r = await h.run("agents --vendor \(vendor)")
            #expect(r.message.hasPrefix("\(vendor): \(path) failed with 401 (credentials refused)"), "\(r.message)")
            #expect(!r.message.contains(wrong))
            if let e = r.error as? SwitchboardError { #expect(e.kind == .vendor && e.payload?["status"].asInt == 401) }
        }
        #expect(!h.log.value.contains(wrong))
        let a = await h.run("agents 1 --vendor chatrhub | assign group 10204")
        #expect(a.message.contains("401"))
    }

    /// SmartAssist without a configured JWT: one is minted (HS256) from client_id and the client secret.
    @Test func smartAssistMintsItsJWT() async throws {
        let h = try await Harness(connections: { s in
            s.vendors.map { v in
                var creds = v.credentials
                creds["jwt"] = nil
                return VendorConnection(name: v.name, baseURL: v.baseURL, credentials: creds)
            }
        })
        defer { Task { await h.stop() } }
        let r = await h.run("agents --vendor smartassist | first 2 | length")
        #expect(r.json == "2", "\(r.message)")
    }

    @Test func secretsAppearNowhere() async throws {
        let logPath = NSTemporaryDirectory() + "swb-log-\(UUID().uuidString).jsonl"
        let h = try await Harness(SandboxOptions(logPath: logPath))
        defer { Task { await h.stop() }; try? FileManager.default.removeItem(atPath: logPath) }
        let secrets = h.registry.secrets
        #expect(secrets.count >= 4)
        var everything = ""
        for s in ["agents --vendor all | first 3", "agents 1 --vendor chatrhub | assign group 10205 --dry-run", "vendors",
                  "agents --vendor dixa | first 2 | assign group nope", "http GET /nope --vendor dixa", "conversations 1001 --vendor dixa | note hi --dry-run"] {
            let r = await h.run(s)
            everything += r.json + r.output + r.errors + r.message + r.rows.map { $0["error"].text ?? "" }.joined()
        }
        everything += h.log.value
        everything += (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(h.log.value.contains("chatrhub GET /api/v1/agents.json 200"))
        for secret in secrets { #expect(!everything.contains(secret), "a secret leaked") }
    }

    @Test func commandExamplesRunAgainstTheSandbox() async throws {
        let h = try await Harness()
        defer { Task { await h.stop() } }
        let probe = Interpreter(configuration: InterpreterConfiguration(loadPrelude: false))
        installVendors(into: probe, registry: h.registry)
        let vendorCommands = probe.commands.filter { $0.category == "vendor" || $0.category == "action" || ["vendors", "http"].contains($0.name) }
        #expect(vendorCommands.count >= 30)
        for c in vendorCommands {
            #expect(!c.description.isEmpty, "\(c.name)")
            for ex in c.examples {
                let r = await h.run(ex.code + (c.category == "action" && ex.result == nil && !ex.code.contains("--dry-run") ? " --dry-run" : ""))
                #expect(r.error == nil, "\(c.name): \(ex.code): \(r.message)")
                if let want = ex.result { #expect(r.json == want, "\(c.name): \(ex.code)") }
            }
        }
    }

    @Test func garbageNeverCrashes() async throws {
        let h = try await Harness()
        defer { Task { await h.stop() } }
        for s in ["agents --vendor", "agents 999999 --vendor chatrhub", "agents \"../../x\" --vendor dixa", "assign", "assign group",
                  "agents 1 --vendor chatrhub | assign planet 3", "set", "set a", "[{id: 1, vendor: \"zz\", kind: \"agent\"}] | assign group 1",
                  "conversations --vendor chatrhub --since \"yesterday\"", "http FETCH / --vendor dixa", "http GET \"\" --vendor chatrhub",
                  "messages --vendor chatrhub", "activity --vendor chatrhub", "tags --vendor chatrhub", "report --vendor dixa",
                  "1 | messages", "conversations 1 --vendor chatrhub | messages --vendor dixa | first 1"] {
            _ = await h.run(s)
        }
        let nf = await h.run("agents 999999 --vendor chatrhub")
        #expect(nf.message.contains("chatrhub: GET /api/v1/agents/999999.json failed with 404"))
    }
}
