import Foundation
import SwitchboardCore
import SwitchboardSandbox
import Testing

@testable import SwitchboardVendors

/// Equal JSON texts, whatever the key order.
func sameJSON(_ a: String, _ b: String) -> Bool {
    guard let x = try? JSONSerialization.jsonObject(with: Data(a.utf8), options: [.fragmentsAllowed]),
          let y = try? JSONSerialization.jsonObject(with: Data(b.utf8), options: [.fragmentsAllowed]) else { return a == b }
    return NSDictionary(dictionary: ["v": x]).isEqual(to: ["v": y])
}

/// Every row of VENDORS.md §4's first table: the requests logged and the objects printed.
@Suite("Resources", .serialized)
final class ResourceTests {
    let h: Harness
    init() async throws { h = try await Harness() }
    deinit { let h = h; Task { await h.stop() } }

    struct Case: Sendable {
        let script: String
        /// The requests, `METHOD path?query`; `*` ends a prefix match (dates vary).
        let requests: [String]
        let kind: String?
        let check: @Sendable ([Value]) -> Bool
        init(_ script: String, _ requests: [String], kind: String? = nil, check: @escaping @Sendable ([Value]) -> Bool = { !$0.isEmpty }) {
            self.script = script
            self.requests = requests
            self.kind = kind
            self.check = check
        }
    }

    static let sa = "/agentassist/api/v1/public/st-sbx-0001"

    static let cases: [Case] = [
        // agents [ID]
        Case("agents --vendor chatrhub", ["GET /api/v1/agents.json"], kind: "agent", check: { $0.count == 40 && $0[1]["status"].text == "available" && $0[0]["id"].asInt == 1 }),
        Case("agents 4 --vendor chatrhub", ["GET /api/v1/agents/4.json"], kind: "agent", check: { $0.count == 1 && $0[0]["name"].text == "Umar Young" }),
        Case("agents --vendor agentiq", ["GET /api/exports/agents", "GET /api/exports/agent_availability?start_date=*"], kind: "agent", check: { $0.count == 40 && $0.allSatisfy { $0["status"].text != "unknown" } }),
        Case("agents 3 --vendor agentiq", ["GET /api/agents/3"], kind: "agent", check: { $0.count == 1 && $0[0]["id"].asInt == 3 }),
        Case("agents --vendor smartassist", ["GET \(sa)/agents?page=1&limit=100"], kind: "agent", check: { $0.count == 40 && $0[0]["groups"].list.count == 1 }),
        Case("agents --vendor dixa", ["GET /v1/agents?pageLimit=100", "GET /v1/agents/presence"], kind: "agent", check: { $0.count == 40 && Set($0.map { $0["status"].text ?? "" }).isSubset(of: ["available", "away", "offline"]) }),
        // groups [ID]
        Case("groups --vendor chatrhub", ["GET /api/v1/groups.json"], kind: "group", check: { $0.first?["name"].text == "Sales" && $0.first?["type"].text == "group" }),
        Case("groups 10205 --vendor chatrhub", ["GET /api/v1/groups/10205.json"], kind: "group", check: { $0.count == 1 }),
        Case("groups --vendor smartassist", ["GET \(sa)/agent-groups?skip=0&limit=100"], kind: "group", check: { $0.first?["type"].text == "agent_group" }),
        Case("groups --vendor dixa", ["GET /v1/teams"], kind: "group", check: { $0.first?["name"].text == "Sales" && $0.first?["type"].text == "team" }),
        // queues
        Case("queues --vendor smartassist", ["GET \(sa)/queues?page=1&limit=100"], kind: "group", check: { $0.first?["type"].text == "queue" }),
        Case("queues --vendor dixa", ["GET /v1/queues"], kind: "group", check: { $0.first?["name"].text == "Default queue" }),
        // conversations
        Case("conversations 7 --vendor chatrhub", ["GET /api/v1/chats/7.json"], kind: "conversation", check: { $0.count == 1 && ["open", "closed"].contains($0[0]["state"].text ?? "") }),
        Case("chats --vendor chatrhub --since 2020-01-01 --until 2100-01-01", ["GET /api/v1/chats.json?start_date=1577836800000&end_date=4102444800000"], kind: "conversation", check: { $0.count == 40 }),
        Case("chats --vendor chatrhub --agent 3", ["GET /api/v1/chats.json?start_date=*"], kind: "conversation", check: { $0.allSatisfy { $0["agent_id"].asInt == 3 } }),
        Case("conversations --vendor agentiq --customer 5", ["GET /api/exports/conversations?customer_id=5"], kind: "conversation", check: { $0.allSatisfy { $0["customer_id"].asInt == 5 } }),
        Case("conversations 1003 --vendor dixa", ["GET /v1/conversations/1003"], kind: "conversation", check: { $0.count == 1 && $0[0]["created_at"].typeName == "date" }),
        Case(#"conversations --vendor dixa --query "refund" | first 2"#, ["GET /v1/search/conversations?query=refund&pageLimit=100", "GET /v1/conversations/*", "GET /v1/conversations/*"], kind: "conversation", check: { $0.count == 2 }),
        // customers
        Case("customers --vendor chatrhub", ["GET /api/v1/visitors.json"], kind: "customer", check: { $0.count == 40 }),
        Case("visitors 2 --vendor chatrhub", ["GET /api/v1/visitors.json?visitor_id=2"], kind: "customer", check: { $0.count == 1 && $0[0]["id"].asInt == 2 }),
        Case("customers --vendor agentiq", ["GET /api/exports/customers"], kind: "customer", check: { $0.count == 40 }),
        Case("customers --vendor dixa", ["GET /v1/endusers?pageLimit=100"], kind: "customer", check: { $0.count == 40 }),
        // messages
        Case("conversations 1 --vendor chatrhub | messages", ["GET /api/v1/chats/1.json", "GET /api/v1/messages.json?chat_id=1&include_admin=false"], kind: "message", check: { $0.count == 4 && $0[1]["direction"].text == "out" }),
        Case("messages --vendor chatrhub --chat 2", ["GET /api/v1/messages.json?chat_id=2&include_admin=false"], kind: "message", check: { $0.count == 4 }),
        Case("conversations --vendor agentiq | first 1 | messages", ["GET /api/exports/conversations"], kind: "message", check: { $0.count == 3 && $0[0]["direction"].text == "in" }),
        Case("conversations 1002 --vendor dixa | messages", ["GET /v1/conversations/1002", "GET /v1/conversations/1002/messages"], kind: "message", check: { $0.count == 3 && $0[0]["text"].text?.hasPrefix("Hi, I have a question") == true }),
        // notes, tags, ratings (dixa)
        Case("conversations 1002 --vendor dixa | notes", ["GET /v1/conversations/1002", "GET /v1/conversations/1002/notes"], kind: nil, check: { _ in true }),
        Case("conversations 1002 --vendor dixa | tags", ["GET /v1/conversations/1002", "GET /v1/conversations/1002/tags"], kind: nil, check: { _ in true }),
        Case("tags --vendor dixa", ["GET /v1/tags"], kind: "tag", check: { $0.count == 5 && $0[0]["state"].text == "active" }),
        Case("conversations 1002 --vendor dixa | ratings", ["GET /v1/conversations/1002", "GET /v1/conversations/1002/ratings"], kind: nil, check: { _ in true }),
        // tasks, feedback, activity, assignments, report
        Case("tasks --vendor chatrhub", ["GET /api/v1/q_tasks.json?after=0&task_type=operational&is_resolved=0", "GET /api/v1/q_tasks.json?after=*"], kind: "task", check: { $0.allSatisfy { $0["is_complete"].asBool == false } }),
        Case("feedback --vendor agentiq --type csat", ["GET /api/exports/feedback?type=csat"], kind: "feedback", check: { $0.allSatisfy { $0["type"].text == "csat" } }),
        Case("agents 2 --vendor chatrhub | activity", ["GET /api/v1/agents/2.json", "GET /api/v1/agent_activities/agent_id/2.json?start_date=*"], kind: "activity", check: { !$0.isEmpty && $0.last?["status"].text == "available" }),
        Case("agents --vendor agentiq | first 1 | activity", ["GET /api/exports/agents", "GET /api/exports/agent_availability?start_date=*", "GET /api/exports/agent_availability?agent_id=1&start_date=*"], kind: "activity", check: { $0.count == 3 }),
        Case("conversations 1001 --vendor dixa | activity", ["GET /v1/conversations/1001", "GET /v1/conversations/1001/activitylog"], kind: "activity", check: { !$0.isEmpty }),
        Case("assignments --vendor agentiq --agent 1", ["GET /api/exports/agent_assignments?agent_id=1"], kind: "assignment", check: { $0.allSatisfy { $0["agent_id"].asInt == 1 } }),
        Case("report --vendor chatrhub --since 2020-01-01 --until 2100-01-01", ["GET /api/v1/chats/report.json?start_date=2020-01-01&end_date=2100-01-01"], kind: "report", check: { $0.count == 1 && $0[0]["total_chats"].asInt == 40 }),
    ]

    @Test(arguments: cases)
    func resource(_ c: Case) async throws {
        let r = await h.run(c.script)
        #expect(r.error == nil, "\(c.script): \(r.message)")
        let lines = r.lines
        #expect(lines.count == c.requests.count, "\(c.script): \(lines)")
        for (got, want) in zip(lines, c.requests) {
            if want.hasSuffix("*") { #expect(got.hasPrefix(String(want.dropLast())), "\(c.script): \(got) vs \(want)") } else { #expect(got == want, "\(c.script)") }
        }
        // `agents 4` is the record itself; a listing is a list of them.
        let rows: [Value] = if case .record? = r.value { [r.value!] } else { r.rows }
        #expect(c.check(rows), "\(c.script): \(r.json.prefix(600))")
        if let kind = c.kind {
            for row in rows {
                guard case .record(let rec) = row else { Issue.record("not a record"); continue }
                #expect(rec.tag?.hasPrefix(kind + "@") == true)
                #expect(rec.keys.prefix(3) == ["id", "vendor", "kind"] && rec.keys.last == "raw")
            }
        }
    }

    @Test func unsupportedResourcesFailBeforeAnyRequest() async {
        for (script, text) in [("groups --vendor agentiq", "agentiq cannot list groups"), ("queues --vendor chatrhub", "chatrhub cannot list queues"),
                               ("conversations --vendor dixa", "dixa cannot list all conversations"), ("tasks --vendor dixa", "dixa cannot list tasks"),
                               ("conversations --vendor smartassist", "smartassist cannot list conversations")] {
            let r = await h.run(script)
            #expect(r.message.contains(text), "\(script): \(r.message)")
            #expect(r.requests.isEmpty, "\(script)")
        }
    }

    @Test func vendorAllMergesEveryVendor() async {
        let r = await h.run("agents --vendor all")
        #expect(r.error == nil)
        #expect(r.rows.count == 160)
        #expect(Set(r.rows.map { $0["vendor"].text ?? "" }) == ["chatrhub", "agentiq", "smartassist", "dixa"])
        // groups: agentiq has none and is skipped.
        let g = await h.run("groups --vendor all")
        #expect(Set(g.rows.map { $0["vendor"].text ?? "" }) == ["chatrhub", "smartassist", "dixa"])
    }

    @Test func oneObjectByIdIsTheRecordItself() async {
        // As `kubectl get NAME`: `(agents 4).name` reads the field, no `| first` needed.
        for (script, want) in [("(agents 4 --vendor chatrhub).name", #""Umar Young""#), ("(agents 3 --vendor agentiq).id", "3"),
                               ("(groups 10205 --vendor chatrhub).id", "10205"), ("(conversations 1003 --vendor dixa).id", "1003"),
                               ("(visitors 2 --vendor chatrhub).id", "2"), ("agents 4 --vendor chatrhub | describe", #""record<agent@chatrhub>""#)] {
            let r = await h.run(script)
            #expect(r.json == want, "\(script): \(r.message)")
        }
        // Piped on, the record is one object: actions and per-object listings take it as such.
        let dry = await h.run("agents 4 --vendor chatrhub | assign group 10205 --dry-run | get url")
        #expect(dry.json == #"["/api/v1/agent_groups/4.json"]"#, "\(dry.message)")
        // Nothing with that id: an error naming the vendor, the kind and the id (not an empty list).
        let none = await h.run("visitors 999999 --vendor chatrhub")
        #expect(none.message == "chatrhub has no customer with id `999999`" || none.message.contains("404"), "\(none.message)")
        #expect(none.value == nil)
    }

    @Test func useSelectsTheVendor() async {
        let r = await h.run("agents | first | get vendor", use: "dixa")
        #expect(r.json == #""dixa""#)
        let bad = await h.run("agents", use: "dixaa")
        #expect(bad.message.contains("unknown vendor `dixaa`"))
        let v = await h.run("vendors | get name")
        #expect(v.json == #"["chatrhub","agentiq","smartassist","dixa"]"#)
    }

    @Test func datesFromEveryVendorFormat() async {
        // chatrhub +00:00, agentiq Z, smartassist .286Z, dixa Z, ...Z[GMT] (messages) and no zone (presence, raw).
        for script in ["agents 1 --vendor chatrhub | get created_at", "agents --vendor agentiq | first 1 | get created_at",
                       "agents --vendor smartassist | first 1 | get created_at", "agents --vendor dixa | first 1 | get created_at",
                       "conversations 1001 --vendor dixa | messages | first 1 | get created_at"] {
            let r = await h.run(script)
            guard let v = r.value else { Issue.record("\(script): \(r.message)"); continue }
            let d = v.asList?.first ?? v
            guard case .date(let t) = d else { Issue.record("\(script): \(d.typeName)"); continue }
            #expect(t > 1_500_000_000 && t < 4_000_000_000, "\(script)")
        }
        #expect(DateParsing.parse("2021-12-01T12:46:35.935") == DateParsing.parse("2021-12-01T12:46:35.935Z"))
        #expect(DateParsing.parse("2021-12-01T12:46:36.581Z[GMT]") != nil)
        #expect(DateParsing.parse("2018-06-21T01:50:49+00:00") == DateParsing.parse("2018-06-21T01:50:49Z"))
    }

    @Test func httpEscapeHatchUsesTheVendorsAuth() async {
        let r = await h.run("http GET /api/v1/groups.json --vendor chatrhub | get data | first | get id")
        #expect(r.json == "10204")
        #expect(r.lines == ["GET /api/v1/groups.json"])
        let dry = await h.run(#"http POST /v1/tags --vendor dixa --body {name: "x"} --dry-run"#)
        #expect(dry.requests.isEmpty)
        #expect(dry.value?["url"].text == "/v1/tags")
    }
}

extension ResourceTests.Case: CustomTestStringConvertible {
    var testDescription: String { script }
}
