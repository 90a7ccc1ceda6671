import Foundation
import SwitchboardCore
import SwitchboardSandbox
import Testing

@testable import SwitchboardVendors

/// Every row of VENDORS.md §4's second table: the writes the sandbox logged (method, path,
/// query, body) and the result rows.
@Suite("Actions", .serialized)
final class ActionTests {
    let h: Harness
    init() async throws { h = try await Harness() }
    deinit { let h = h; Task { await h.stop() } }

    static let sa = "/agentassist/api/v1/public/st-sbx-0001"

    /// Runs `script`, then checks its writes (`*` ends a prefix) and bodies, and that every row is ok.
    @discardableResult
    func expectWrites(_ script: String, _ want: [(String, String?)], rows: Int? = nil, status: Int? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) async -> Run {
        let r = await h.run(script)
        #expect(r.error == nil, "\(script): \(r.message)", sourceLocation: sourceLocation)
        let writes = r.writes
        #expect(writes.count == want.count, "\(script): \(writes.map(\.line))", sourceLocation: sourceLocation)
        for (got, (line, body)) in zip(writes, want) {
            if line.hasSuffix("*") {
                #expect(got.line.hasPrefix(String(line.dropLast())), "\(script): \(got.line)", sourceLocation: sourceLocation)
            } else {
                #expect(got.line == line, "\(script)", sourceLocation: sourceLocation)
            }
            if let body { #expect(sameJSON(got.body, body), "\(script): \(got.body)", sourceLocation: sourceLocation) }
            #expect((200..<300).contains(got.status), "\(script): \(got.line) -> \(got.status)", sourceLocation: sourceLocation)
        }
        for row in r.rows {
            #expect(row["ok"].asBool == true, "\(script): \(row)", sourceLocation: sourceLocation)
            if let status { #expect(row["status"].asInt == status, sourceLocation: sourceLocation) }
            #expect(row["action"].text != nil && row["vendor"].text != nil && row["kind"].text != nil, sourceLocation: sourceLocation)
        }
        if let rows { #expect(r.rows.count == rows, "\(script): \(r.json)", sourceLocation: sourceLocation) }
        if !r.rows.isEmpty { #expect(r.errors.contains(" ok, 0 failed ("), "\(script): \(r.errors)", sourceLocation: sourceLocation) }
        return r
    }

    func text(_ script: String) async -> String { (await h.run(script)).value?.text ?? "" }

    @Test func chatrhub() async throws {
        await expectWrites("agents 4 --vendor chatrhub | assign group 10205",
                           [("POST /api/v1/agent_groups/4.json", #"{"data":{"type":"agent_groups","attributes":{"agent_id":4,"group_id":10205,"is_assigned":true}}}"#)], rows: 1, status: 200)
        let check = await h.run("http GET /api/v1/agent_groups/agent_id/4/group_id/10205.json --vendor chatrhub | get data.attributes.is_assigned")
        #expect(check.json == "true")
        await expectWrites("agents 4 --vendor chatrhub | unassign group 10205", [("DELETE /api/v1/agent_groups/agent_id/4/group_id/10205.json", nil)], rows: 1)
        await expectWrites(#"agents 4 --vendor chatrhub | set name "Ann Lee" status available"#,
                           [("PATCH /api/v1/agents/4.json", #"{"data":{"type":"agents","attributes":{"full_name":"Ann Lee","is_taking_chats":true}}}"#)], rows: 1)
        #expect(await text("agents 4 --vendor chatrhub | first | get name") == "Ann Lee")
        await expectWrites(#"groups 10205 --vendor chatrhub | set name "Night""#,
                           [("PATCH /api/v1/groups/10205.json", #"{"data":{"type":"groups","attributes":{"group_name":"Night"}}}"#)], rows: 1)
        await expectWrites(#"customers 3 --vendor chatrhub | set city "Oslo""#,
                           [("PATCH /api/v1/visitors/3.json", #"{"data":{"type":"visitors","attributes":{"city":"Oslo"}}}"#)], rows: 1)
        await expectWrites(#"conversations 3 --vendor chatrhub | set tag "vip""#,
                           [("PATCH /api/v1/chats/3.json", #"{"data":{"type":"chats","attributes":{"tag":"vip"}}}"#)], rows: 1)
        await expectWrites(#"invite {name: "Ann Lee", email: "ann@example.com"} --vendor chatrhub"#,
                           [("POST /api/v1/agents/invite.json", #"{"data":{"type":"agents","attributes":{"full_name":"Ann Lee","email":"ann@example.com","authorization_level":1}}}"#)], rows: 1)
        await expectWrites(#"create group {name: "Night shift"} --vendor chatrhub"#,
                           [("POST /api/v1/groups.json", #"{"data":{"type":"groups","attributes":{"group_name":"Night shift"}}}"#)], rows: 1)
        await expectWrites(#"create customer {name: "Bo Ek", email: "bo@example.com"} --vendor chatrhub"#,
                           [("POST /api/v1/visitors.json", #"{"data":{"type":"visitors","attributes":{"name":"Bo Ek","email":"bo@example.com"}}}"#)], rows: 1)
        await expectWrites("groups 10207 --vendor chatrhub | delete", [("DELETE /api/v1/groups/10207.json", nil)], rows: 1)
        let from = (await h.run("conversations 5 --vendor chatrhub | first | get raw.attributes.agent.attributes.username")).value?.text ?? "?"
        await expectWrites("conversations 5 --vendor chatrhub | transfer agent hugo.patel2",
                           [("GET /api/v1/chats/transfer/5.json?agent_username_from=\(from)&agent_username_to=hugo.patel2", nil)], rows: 1)
        await expectWrites("conversations 6 --vendor chatrhub | tag billing",
                           [("PATCH /api/v1/chats/6.json", #"{"data":{"type":"chats","attributes":{"tag":"billing"}}}"#)], rows: 1)
        #expect(await text("conversations 6 --vendor chatrhub | first | get tags | first") == "billing")
        let task = (await h.run("tasks --vendor chatrhub | first | get id")).value?.asInt ?? 0
        await expectWrites("tasks --vendor chatrhub | first 1 | resolve", [("GET /api/v1/q_tasks/operational/\(task)/1.json", nil)], rows: 1)
        await expectWrites("tasks --vendor chatrhub --resolved | where id == \(task) | unresolve", [("GET /api/v1/q_tasks/operational/\(task)/0.json", nil)], rows: 1)
    }

    @Test func smartassist() async throws {
        let agent = await text("agents --vendor smartassist | first | get id")
        let r = await expectWrites("agents --vendor smartassist | first 1 | assign group ag-10206",
                                   [("PUT \(Self.sa)/agents/\(agent)?groupId=ag-10206", nil)], rows: 1, status: 200)
        #expect(r.requests.map(\.line).contains("GET \(Self.sa)/agents/\(agent)"), "full body comes from a fresh GET")
        let put = try #require(r.writes.first)
        for field in [#""agentGroupId":"ag-10206""#, #""emailId":"#, #""chatLanguageSupport":"#, #""voiceLanguageSupport":"#, #""skills":"#, #""firstName":"#] {
            #expect(put.body.contains(field), "\(field) in \(put.body)")
        }
        #expect(await text("agents \"\(agent)\" --vendor smartassist | first | get groups | last") == "ag-10206")
        let set = await expectWrites("agents \"\(agent)\" --vendor smartassist | set capacity 7", [("PUT \(Self.sa)/agents/\(agent)", nil)], rows: 1)
        #expect(set.writes.first?.body.contains(#""maxChatSupport":7"#) == true)
        await expectWrites(#"groups --vendor smartassist | first 1 | set description "Day shift""#,
                           [("PUT \(Self.sa)/agent-groups/ag-10204", #"{"name":"Default Group","description":"Day shift","managers":[]}"#)], rows: 1)
        await expectWrites(#"create agent {name: "Ann Lee", email: "ann@example.com"} --vendor smartassist"#,
                           [("POST \(Self.sa)/agents", #"{"firstName":"Ann","lastName":"Lee","emailId":"ann@example.com"}"#)], rows: 1)
        await expectWrites(#"create group {name: "Night", description: "after hours"} --vendor smartassist"#,
                           [("POST \(Self.sa)/agent-groups", #"{"name":"Night","description":"after hours"}"#)], rows: 1)
        await expectWrites("groups --vendor smartassist | where id == \"ag-10205\" | delete", [("DELETE \(Self.sa)/agent-groups/ag-10205", nil)], rows: 1)
    }

    @Test func dixa() async throws {
        let agent = await text("agents --vendor dixa | first | get id")
        let team = await text("groups --vendor dixa | last | get id")
        let queue = await text("queues --vendor dixa | last | get id")
        await expectWrites("agents \"\(agent)\" --vendor dixa | assign group \"\(team)\"",
                           [("PATCH /v1/teams/\(team)/agents", #"{"agentIds":["\#(agent)"]}"#)], rows: 1, status: 200)
        #expect((await h.run("http GET \"/v1/teams/\(team)/agents\" --vendor dixa | get data | get id")).json.contains(agent))
        await expectWrites("agents \"\(agent)\" --vendor dixa | unassign group \"\(team)\"", [("DELETE /v1/teams/\(team)/agents", #"{"agentIds":["\#(agent)"]}"#)], rows: 1, status: 204)
        await expectWrites("agents \"\(agent)\" --vendor dixa | assign queue \"\(queue)\"", [("PATCH /v1/queues/\(queue)/members", #"{"agentIds":["\#(agent)"]}"#)], rows: 1)
        await expectWrites(#"agents "\#(agent)" --vendor dixa | set name "Ann Lee""#, [("PATCH /v1/agents/\(agent)", #"{"displayName":"Ann Lee"}"#)], rows: 1)
        let user = await text("customers --vendor dixa | first | get id")
        await expectWrites(#"customers "\#(user)" --vendor dixa | set phone "+4512345678""#, [("PATCH /v1/endusers/\(user)", #"{"phoneNumber":"+4512345678"}"#)], rows: 1)
        await expectWrites(#"invite {name: "Ann Lee", email: "ann@example.com"} --vendor dixa"#, [("POST /v1/agents", #"{"displayName":"Ann Lee","email":"ann@example.com"}"#)], rows: 1, status: 201)
        await expectWrites(#"create group {name: "Night"} --vendor dixa"#, [("POST /v1/teams", #"{"name":"Night"}"#)], rows: 1, status: 201)
        await expectWrites(#"create customer {name: "Bo Ek", email: "bo@example.com"} --vendor dixa"#, [("POST /v1/endusers", #"{"displayName":"Bo Ek","email":"bo@example.com"}"#)], rows: 1, status: 201)
        await expectWrites("groups \"\(team)\" --vendor dixa | delete", [("DELETE /v1/teams/\(team)", nil)], rows: 1, status: 204)
        await expectWrites("conversations 1004 --vendor dixa | assign agent \"\(agent)\" --force",
                           [("PUT /v1/conversations/1004/claim", #"{"agentId":"\#(agent)","force":true}"#)], rows: 1, status: 204)
        #expect(await text("conversations 1004 --vendor dixa | first | get agent_id") == agent)
        await expectWrites("conversations 1005 --vendor dixa | transfer queue \"\(queue)\"", [("PUT /v1/conversations/1005/transfer/queue", #"{"queueId":"\#(queue)"}"#)], rows: 1)
        await expectWrites("conversations 1006 --vendor dixa | close", [("PUT /v1/conversations/1006/close", nil)], rows: 1, status: 204)
        #expect(await text("conversations 1006 --vendor dixa | first | get state") == "closed")
        await expectWrites("conversations 1006 --vendor dixa | reopen", [("PUT /v1/conversations/1006/reopen", nil)], rows: 1, status: 204)
        let billing = await text(#"tags --vendor dixa | where name == "billing" | first | get id"#)
        await expectWrites("conversations 1007 --vendor dixa | tag billing", [("PUT /v1/conversations/1007/tags/\(billing)", nil)], rows: 1, status: 204)
        #expect((await h.run("conversations 1007 --vendor dixa | tags | get name")).json.contains("billing"))
        await expectWrites("conversations 1007 --vendor dixa | untag billing", [("DELETE /v1/conversations/1007/tags/\(billing)", nil)], rows: 1, status: 204)
        await expectWrites(#"conversations 1008 --vendor dixa | note "called back""#, [("POST /v1/conversations/1008/notes", #"{"message":"called back"}"#)], rows: 1)
        #expect(await text("conversations 1008 --vendor dixa | notes | first | get text") == "called back")
        await expectWrites("conversations 1009 --vendor dixa | anonymize --force", [("PATCH /v1/conversations/1009/anonymize?force=true", nil)], rows: 1, status: 202)
    }

    @Test func agentiqImport() async throws {
        let path = NSTemporaryDirectory() + "swb-import-\(UUID().uuidString).csv"
        try "Customer First Name,Customer Last Name,CustomerMapID,Customer Email\nBo,Ek,C-1,bo@example.com\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = await expectWrites("import customers \"\(path)\" --vendor agentiq", [("POST /api/imports/csv", nil)], rows: 1)
        #expect(r.writes.first?.body.contains("CustomerMapID") == true)
    }

    @Test func vendorsThatCannotFailBeforeAnyWrite() async {
        let cases: [(String, String)] = [
            ("agents 1 --vendor chatrhub | assign queue 5", "chatrhub cannot assign queue"),
            ("conversations 1 --vendor chatrhub | assign agent 2", "chatrhub cannot assign agent"),
            ("conversations 1 --vendor chatrhub | transfer queue 2", "chatrhub cannot transfer queue"),
            ("conversations 1 --vendor chatrhub | close", "chatrhub cannot close"),
            ("conversations 1 --vendor chatrhub | reopen", "chatrhub cannot reopen"),
            ("conversations 1 --vendor chatrhub | anonymize", "chatrhub cannot anonymize"),
            ("conversations 1 --vendor chatrhub | untag x", "chatrhub cannot untag"),
            ("conversations 1 --vendor chatrhub | note hi", "chatrhub cannot note"),
            ("import customers \"/etc/hostname\" --vendor chatrhub", "chatrhub cannot import"),
            ("agents --vendor agentiq | first 2 | assign group 10204", "agentiq cannot assign group: its API is read-only"),
            ("agents --vendor agentiq | first 2 | unassign group 10204", "agentiq cannot unassign group"),
            ("agents --vendor agentiq | first 2 | set name x", "agentiq cannot set"),
            (#"invite {name: "a", email: "a@b.c"} --vendor agentiq"#, "agentiq cannot create agent"),
            ("conversations --vendor agentiq | first 1 | close", "agentiq cannot close"),
            ("conversations --vendor agentiq | first 1 | tag x", "agentiq cannot tag"),
            ("agents --vendor smartassist | first 1 | unassign group ag-10204", "smartassist cannot unassign group"),
            ("agents --vendor smartassist | first 1 | assign queue q", "smartassist cannot assign queue"),
            ("create customer {name: \"x\"} --vendor smartassist", "smartassist cannot create customer"),
            ("groups --vendor dixa | first 1 | set name x", "dixa cannot set groups"),
            ("conversations 1001 --vendor dixa | transfer agent bob", "dixa cannot transfer agent"),
            ("agents 1 --vendor chatrhub | close", "chatrhub cannot close"),
            ("agents 1 --vendor chatrhub | delete", "chatrhub cannot delete agents"),
        ]
        for (script, message) in cases {
            let r = await h.run(script)
            #expect(r.message.contains(message), "\(script): \(r.message)")
            #expect(r.writes.isEmpty, "\(script)")
        }
    }

    /// A vendor that cannot do the action stops it at its first object: the rest of the listing
    /// is never requested, and nothing is written.
    @Test func cannotFailsAtTheFirstObjectOfThatVendor() async throws {
        // Agent IQ's agents are one export (plus the availability events for their status).
        let aiq = await h.run(#"agents | where status == "available" | assign group 10204"#, use: "agentiq")
        #expect(aiq.message.contains("agentiq cannot assign group: its API is read-only"))
        #expect(aiq.lines.map { $0.split(separator: "?")[0] } == ["GET /api/exports/agents", "GET /api/exports/agent_availability"])
        // With every vendor: chatrhub's agents, then Agent IQ's first object ends it; smartassist
        // and dixa are never asked, and no chatrhub agent is assigned.
        let all = await h.run("agents --vendor all | assign group 10204")
        #expect(all.message.contains("agentiq cannot assign group"))
        #expect(all.lines.map { $0.split(separator: "?")[0] } == ["GET /api/v1/agents.json", "GET /api/exports/agents", "GET /api/exports/agent_availability"])
        // A paged listing stops after its first page (dixa: 250 agents, 100 a page).
        let big = try await Harness(SandboxOptions(agents: 250))
        defer { Task { await big.stop() } }
        let dixa = await big.run("agents --vendor dixa | resolve")
        #expect(dixa.message.contains("dixa cannot resolve"))
        #expect(dixa.lines.map { $0.split(separator: "?")[0] } == ["GET /v1/agents", "GET /v1/agents/presence"])
        #expect(await big.run("agents --vendor dixa | length").json == "250")
    }

    @Test func missionOnEveryVendor() async {
        let groups = ["chatrhub": "10204", "smartassist": "ag-10204", "dixa": await text("groups --vendor dixa | first | get id")]
        for vendor in ["chatrhub", "smartassist", "dixa"] {
            let available = (await h.run(#"agents --vendor \#(vendor) | where status == "available" | get id"#)).rows
            #expect(!available.isEmpty)
            let r = await h.run(#"agents | where status == "available" | assign group "\#(groups[vendor]!)""#, use: vendor)
            #expect(r.error == nil, "\(vendor): \(r.message)")
            #expect(r.rows.count == available.count)
            #expect(r.rows.allSatisfy { $0["ok"].asBool == true && $0["vendor"].text == vendor })
            #expect(r.errors == "assign group \(groups[vendor]!): \(available.count) ok, 0 failed (\(vendor))\n")
            #expect(r.rows.map { $0["id"] }.map { $0.text } == available.map { $0.text })
        }
        let aiq = await h.run(#"agents | where status == "available" | assign group 10204"#, use: "agentiq")
        #expect(aiq.message.contains("agentiq cannot assign group: its API is read-only"))
        #expect(aiq.writes.isEmpty)
    }

    /// Every action, under --dry-run and under `set dry-run true`: requests listed, none sent.
    @Test func noActionWritesUnderDryRun() async throws {
        let agent = await text("agents --vendor dixa | first | get id")
        let path = NSTemporaryDirectory() + "swb-dry-\(UUID().uuidString).csv"
        try "Banker First Name,Banker Last Name,Banker Email\nA,B,a@b.c\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scripts = [
            "agents 1 --vendor chatrhub | assign group 10205", "agents 1 --vendor chatrhub | unassign group 10204",
            "agents --vendor smartassist | first 1 | assign group ag-10205", "agents \"\(agent)\" --vendor dixa | assign queue q1",
            "agents \"\(agent)\" --vendor dixa | assign group t1", "agents \"\(agent)\" --vendor dixa | unassign group t1",
            "agents 1 --vendor chatrhub | set name x", "agents --vendor smartassist | first 1 | set name x", #"customers 1 --vendor chatrhub | set name "x""#,
            #"invite {name: "A B", email: "a@b.c"} --vendor chatrhub"#, #"create group {name: "g"} --vendor dixa"#, #"create agent {name: "A B", email: "a@b.c"} --vendor smartassist"#,
            "groups 10204 --vendor chatrhub | delete", "groups --vendor dixa | first 1 | delete", "groups --vendor smartassist | first 1 | delete",
            "conversations 1001 --vendor dixa | assign agent \"\(agent)\"", "conversations 1 --vendor chatrhub | transfer agent hugo.patel2",
            "conversations 1001 --vendor dixa | transfer queue q1", "conversations 1001 --vendor dixa | close", "conversations 1001 --vendor dixa | reopen",
            "conversations 1001 --vendor dixa | anonymize", "conversations 1001 --vendor dixa | tag billing", "conversations 1001 --vendor dixa | untag billing",
            "conversations 1 --vendor chatrhub | tag billing", #"conversations 1001 --vendor dixa | note "n""#,
            "tasks --vendor chatrhub | first 1 | resolve", "tasks --vendor chatrhub | first 1 | unresolve", "import agents \"\(path)\" --vendor agentiq",
            #"http POST /v1/tags --vendor dixa --body {name: "x"}"#,
        ]
        for script in scripts {
            for (s, settings) in [(script + " --dry-run", [String: Value]()), (script, ["dry-run": Value.bool(true)])] {
                let r = await h.run(s, settings: settings)
                #expect(r.error == nil, "\(s): \(r.message)")
                #expect(r.writes.isEmpty, "\(s): \(r.writes.map(\.line))")
                #expect(r.errors.contains("dry run"), "\(s): \(r.errors)")
                let listed = r.value.map { $0.asList ?? [$0] } ?? []
                #expect(!listed.isEmpty && listed.allSatisfy { $0["method"].text != nil && $0["url"].text != nil }, "\(s): \(r.json)")
                for secret in h.registry.secrets { #expect(!r.json.contains(secret) && !r.errors.contains(secret)) }
            }
        }
        // `set dry-run true` in the script itself.
        let r = await h.run("set dry-run true; agents 1 --vendor chatrhub | assign group 10205 | get method")
        #expect(r.json == #"["POST"]"#)
        #expect(r.writes.isEmpty)
    }

    @Test func readOnlyAndNoNetworkRefuseBeforeAnyRequest() async {
        let ro = await h.run("agents 1 --vendor chatrhub | assign group 10205", capabilities: .readOnly)
        #expect(ro.message.contains("read-only"))
        #expect(ro.writes.isEmpty)
        let nn = await h.run("agents --vendor chatrhub", capabilities: .noNetwork)
        #expect(nn.message.contains("no network"))
        #expect(nn.requests.isEmpty)
    }

    @Test func confirmationHookAndYes() async {
        nonisolated(unsafe) var asked: [String] = []
        h.registry.confirm = { q in asked.append(q); return false }
        defer { h.registry.confirm = nil }
        let no = await h.run("agents --vendor chatrhub | first 11 | assign group 10206")
        #expect(no.message.contains("cancelled"))
        #expect(no.writes.isEmpty)
        #expect(asked == ["assign group 10206 to 11 agents on chatrhub?"])
        let small = await h.run("agents --vendor chatrhub | first 10 | assign group 10206")
        #expect(small.rows.count == 10 && asked.count == 1)
        let yes = await h.run("agents --vendor chatrhub | first 11 | assign group 10206 --yes")
        #expect(yes.rows.count == 11 && asked.count == 1)
    }

    @Test func badInputIsAClearError() async {
        let r = await h.run("[1, 2] | assign group 10204")
        #expect(r.message.contains("the input must be vendor objects"))
        let g = await h.run("agents 1 --vendor chatrhub | assign group sales")
        #expect(g.rows.first?["ok"].asBool == false)
        #expect(g.rows.first?["error"].text?.contains("chatrhub group ids are numbers") == true)
        #expect(g.writes.isEmpty)
    }
}
