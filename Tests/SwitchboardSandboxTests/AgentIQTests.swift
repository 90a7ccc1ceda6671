import Foundation
import Testing

@testable import SwitchboardSandbox

/// Agent IQ endpoints over real HTTP, checked against agentiq-api.txt.
@Suite struct AgentIQTests {
    let auth = [("x-api-key", AgentIQ.apiKey)]

    func url(_ s: Sandbox, _ path: String) -> String { s.vendor("agentiq")!.baseURL + path }

    @Test func exports() async throws {
        try await withSandbox { (s) async throws in
            let conversations = try await send(.GET, url(s, "/api/exports/conversations"), headers: auth)
            #expect(conversations.status == 200)
            let c = try #require(conversations.array.first as? [String: Any])
            #expect(conversations.array.count == 40)
            expectKeys(c, ["conversation_id", "customer_id", "conversation_referer_url", "created_at", "updated_at", "agents", "entities", "chat_transcript"], "conversation")
            expectKeys((c["entities"] as? [Any])?.first, ["name", "resolved_value", "extras"], "entity")
            expectKeys(
                (c["chat_transcript"] as? [Any])?.first,
                ["type", "first_name", "last_name", "sender_id", "message_id", "external_id", "content", "action", "time_stamp", "message_referer_url"],
                "transcript line")
            #expect(isZ(c["created_at"]))

            let customers = try await send(.GET, url(s, "/api/exports/customers"), headers: auth)
            expectKeys(
                customers.array.first,
                ["id", "first_name", "last_name", "email", "phone", "created_at", "updated_at", "first_message", "last_message", "last_login",
                 "first_banker_chosen", "last_banker_chosen", "primary_agent", "profile", "external_id", "customer_segment"],
                "customer")

            let agents = try await send(.GET, url(s, "/api/exports/agents"), headers: auth)
            #expect(agents.array.count == 40)
            expectKeys(
                agents.array.first,
                ["id", "first_name", "last_name", "email", "phone", "created_at", "updated_at", "deleted_at", "deactivated_at", "profile",
                 "roles", "teams", "watcher_teams", "external_id", "agent_segment"],
                "agent")

            let feedback = try await send(.GET, url(s, "/api/exports/feedback"), headers: auth)
            #expect(feedback.status == 200)
            expectKeys(feedback.array.first, ["id", "type", "customer_id", "primary_agent_id", "sender_id", "time_stamp", "value", "content"], "feedback")
            let csat = try await send(.GET, url(s, "/api/exports/feedback?type=csat"), headers: auth)
            #expect(csat.array.allSatisfy { ($0 as? [String: Any])?["type"] as? String == "csat" })

            let availability = try await send(.GET, url(s, "/api/exports/agent_availability"), headers: auth)
            expectKeys(availability.array.first, ["created_at", "event_name", "agent_id", "event_id", "executor_id"], "availability")
            #expect(availability.array.count == 120)

            let assignments = try await send(.GET, url(s, "/api/exports/agent_assignments?action_type=assignment"), headers: auth)
            expectKeys(
                assignments.array.first,
                ["action_id", "action_type", "action_time", "agent_availability", "agent_capacity", "agent_id", "actor_id", "load", "conversation_id"],
                "assignment")
        }
    }

    @Test func latestAvailabilityIsAThirdAvailable() async throws {
        try await withSandbox(.init(agents: 300)) { (s) async throws in
            let events = try await send(.GET, url(s, "/api/exports/agent_availability"), headers: auth).array.compactMap { $0 as? [String: Any] }
            var latest: [Int: (String, String)] = [:]
            for e in events {
                let agent = e["agent_id"] as! Int, time = e["created_at"] as! String, name = e["event_name"] as! String
                if latest[agent].map({ $0.0 < time }) ?? true { latest[agent] = (time, name) }
            }
            let available = latest.values.filter { $0.1 == "available" }.count
            #expect(latest.count == 300)
            #expect(available > 70 && available < 130, "about a third available, got \(available)")
        }
    }

    @Test func filters() async throws {
        try await withSandbox { (s) async throws in
            let one = try await send(.GET, url(s, "/api/exports/agents?agent_id=3"), headers: auth)
            #expect(one.array.count == 1)
            let future = try await send(.GET, url(s, "/api/exports/conversations?start_date=2999-01-01T00:00:00Z"), headers: auth)
            #expect(future.status == 200 && future.array.isEmpty)
            let badDate = try await send(.GET, url(s, "/api/exports/conversations?start_date=2024-01-01"), headers: auth)
            #expect(badDate.status == 400)
            #expect(badDate.object["error"] is String)
            let badInt = try await send(.GET, url(s, "/api/exports/customers?customer_id=abc"), headers: auth)
            #expect(badInt.status == 400)
            let noKey = try await send(.GET, url(s, "/api/exports/agents"))
            #expect(noKey.status == 401)
            let wrongKey = try await send(.GET, url(s, "/api/exports/agents"), headers: [("x-api-key", "nope")])
            #expect(wrongKey.status == 401)
        }
    }

    @Test func agentLookupAndPaging() async throws {
        try await withSandbox { (s) async throws in
            let me = try await send(.GET, url(s, "/api/agents/me"), headers: auth)
            #expect(me.status == 200)
            let model = try #require((me.object["models"] as? [Any])?.first)
            expectKeys(model, ["id", "email", "profile", "totalPrimaryCustomers", "totalLogins", "busy_status"], "model")
            expectKeys(
                (model as? [String: Any])?["profile"],
                ["first_name", "last_name", "position", "tagline", "expertise", "intro", "location", "about", "availability", "background_file_id", "phone"],
                "profile")
            expectKeys(me.object["pagination"], ["limit", "offset", "rowCount", "pageCount"], "pagination")
            #expect(try await send(.GET, url(s, "/api/agents/999"), headers: auth).status == 404)

            var ids: [Int] = []
            var offset = 0
            while true {
                let page = try await send(.GET, url(s, "/api/agents?limit=15&offset=\(offset)&exclude[]=1"), headers: auth)
                let models = (page.object["models"] as? [[String: Any]]) ?? []
                if models.isEmpty { break }
                ids += models.map { $0["id"] as! Int }
                #expect((page.object["pagination"] as? [String: Any])?["rowCount"] as? Int == 39)
                offset += 15
            }
            #expect(ids == Array(2...40))
            #expect(try await send(.GET, url(s, "/api/agents?limit=0"), headers: auth).status == 400)
        }
    }

    @Test func csvImport() async throws {
        try await withSandbox { (s) async throws in
            let boundary = "sbxBoundary42"
            let csv = """
                Banker First Name,Banker Last Name,Banker Email,BankerMapID,BankerTeam,Customer First Name,Customer Last Name,CustomerMapID,Customer Email,Customer Group,Date Added,Customer Phone
                Ann,Lee,ann.lee@bank.example.com,B1,Wealth,Tom,Hart,C1,tom@example.com,premier,2024-01-05,5551234
                ,,,,,"Smith, Jr.",Bo,,bo@example.com,,,
                """
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"import.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
            let answer = try await send(
                .POST, url(s, "/api/imports/csv"), headers: auth, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(answer.status == 200)
            expectKeys(answer.object, ["total", "success", "failure", "summary"], "import result")
            #expect(answer.object["total"] as? [Int] == [2])
            #expect(answer.object["success"] as? [Int] == [1])
            #expect((answer.object["failure"] as? [Any])?.count == 1)
            let agents = try await send(.GET, url(s, "/api/exports/agents?email=ann.lee@bank.example.com"), headers: auth)
            #expect(agents.array.count == 1)
            let customers = try await send(.GET, url(s, "/api/exports/customers?external_id=C1"), headers: auth)
            #expect(customers.array.count == 1)

            let notMultipart = try await send(.POST, url(s, "/api/imports/csv"), headers: auth, body: "{}")
            #expect(notMultipart.status == 400)
        }
    }
}
