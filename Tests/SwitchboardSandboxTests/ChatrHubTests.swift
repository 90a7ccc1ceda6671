import Foundation
import Testing

@testable import SwitchboardSandbox

/// ChatrHub endpoints over real HTTP, checked against chatrhub-api.md.
@Suite struct ChatrHubTests {
    static let agentKeys = [
        "username", "is_assign_training_tasks", "is_assign_operational_task_by_variable", "client_id", "create_dt", "updt_dt",
        "updt_by", "is_assign_training_task_send_email", "trmnt_ind", "create_by", "assign_operational_task_variable", "is_bot",
        "is_assign_operational_tasks", "is_taking_chats", "full_name", "is_agent_setup", "assign_operational_task_values",
        "agent_id", "is_unsubscribe", "authorization_level", "xmpp_password", "email", "is_assign_operational_task_send_email",
    ]
    static let groupKeys = [
        "group_name", "create_by", "client_id", "updt_by", "updt_dt", "trmnt_ind", "create_dt", "system_group",
        "visitor_phone_matches", "visitor_email_matches", "visitor_referrer_url_matches", "visitor_company_matches",
        "visitor_state_matches", "visitor_zip_matches", "visitor_city_matches", "visitor_country_matches",
        "visitor_current_url_matches",
    ]
    static let chatKeys = [
        "is_billable", "is_missed", "tag", "overall_rating", "group_id", "group", "is_beat_out", "knowledge_rating",
        "response_delay", "create_dt", "create_by", "is_feedback_requested", "client_id", "average_rating", "agent_id_to",
        "is_ended", "responsive_rating", "agent_id", "agent", "duration", "ended_rsn_cd", "updt_dt", "visitor_id", "visitor",
        "trmnt_ind", "frendly_rating", "transfer_to_agent_id", "feedback", "updt_by",
    ]
    static let visitorKeys = [
        "name", "company_name", "street_address_1", "street_address_2", "city", "state", "zip_code", "country", "phone",
        "email", "group_id", "xmpp_password", "xmpp_username", "client_id", "create_by", "create_dt", "updt_by", "updt_dt",
        "current_url", "referrer_url", "ip_address",
    ]
    static let assignmentKeys = [
        "group", "updt_by", "trmnt_ind", "agent", "group_id", "updt_dt", "create_by", "create_dt", "is_assigned", "client_id",
        "agent_id",
    ]
    static let taskKeys = [
        "node_name", "message", "message_id", "client_id", "assigned_agent_id", "is_complete", "updt_dt", "variables_",
        "intent_id", "create_by", "updt_by", "create_dt", "task_type",
    ]
    static let messageKeys = [
        "manual_user_id_2", "to_visitor_id", "final_manual_intent_id", "from_agent", "batch_intent_id", "is_admin",
        "is_interruption_blocked", "create_dt", "manual_user_id_5", "from_agent_id", "manual_intent_id_3", "manual_user_id_4",
        "manual_intent_id_2", "body", "manual_user_id_3", "client_id", "manual_intent_id_1", "manual_user_id_1",
        "batch_intent_probability", "manual_intent_id_5", "manual_intent_id_4", "chat_id", "to_agent_id", "from_visitor_id",
    ]
    static let reportKeys = [
        "missed_chats", "overall_rating", "knowledge_rating", "average_response_delay", "average_rating", "average_duration",
        "responsive_rating", "ok_chats_count", "total_ratings", "total_chats", "great_chats_count", "frendly_rating",
        "poor_chats_count",
    ]

    let auth = [("Authorization", "Bearer " + ChatrHub.apiKey)]

    func url(_ s: Sandbox, _ path: String) -> String { s.vendor("chatrhub")!.baseURL + "/api/v1" + path }

    func resource(_ a: Answer) -> [String: Any] { (a.object["data"] as? [String: Any]) ?? [:] }
    func list(_ a: Answer) -> [[String: Any]] { (a.object["data"] as? [[String: Any]]) ?? [] }

    @Test func agentsListGetUpdateInvite() async throws {
        try await withSandbox { (s) async throws in
            let all = try await send(.GET, url(s, "/agents.json"), headers: auth)
            #expect(all.status == 200)
            let agents = list(all)
            #expect(agents.count == 40)
            #expect(agents[0]["type"] as? String == "agents")
            #expect(agents[0]["id"] as? Int == 1)
            expectKeys(agents[0]["attributes"], Self.agentKeys, "agent attributes")
            let attrs = agents[0]["attributes"] as! [String: Any]
            #expect(attrs["agent_id"] as? String == "1")
            #expect(attrs["trmnt_ind"] as? Int == 0)
            #expect(isOffsetDate(attrs["create_dt"]))
            #expect(attrs["assign_operational_task_values"] as? String == "[]")
            let available = agents.filter { ($0["attributes"] as? [String: Any])?["is_taking_chats"] as? Bool == true }.count
            #expect(available >= 8 && available <= 22, "about a third available, got \(available)")

            // Get Agent answers a list with one element.
            let one = try await send(.GET, url(s, "/agents/2.json"), headers: auth)
            #expect(one.status == 200)
            let got = try #require(one.object["data"] as? [[String: Any]])
            #expect(got.count == 1 && got[0]["id"] as? Int == 2)

            let username = attrs["username"] as! String
            let byName = try await send(.GET, url(s, "/agents.json?agent_username=\(username)"), headers: auth)
            #expect(list(byName).count == 1)

            let patch = try await send(
                .PATCH, url(s, "/agents/2.json"), headers: auth,
                body: #"{"data": {"type": "agents", "attributes": {"full_name": "Joe", "email": "joe@example.com", "is_taking_chats": false}}}"#)
            #expect(patch.status == 200)
            let updated = resource(patch)
            expectKeys(updated["attributes"], Self.agentKeys + ["avatar_img", "display_name", "is_temp_login"], "updated agent")
            #expect((updated["attributes"] as? [String: Any])?["full_name"] as? String == "Joe")
            let reread = try await send(.GET, url(s, "/agents/2.json"), headers: auth)
            let rereadAttrs = (reread.object["data"] as? [[String: Any]])?.first?["attributes"] as? [String: Any]
            #expect(rereadAttrs?["email"] as? String == "joe@example.com")
            #expect(rereadAttrs?["is_taking_chats"] as? Bool == false)

            let invite = try await send(
                .POST, url(s, "/agents/invite.json"), headers: auth,
                body: #"{"data": {"type": "agents", "attributes": {"full_name": "Joe Schmo", "authorization_level": 1, "email": "test@example.com"}}}"#)
            #expect(invite.status == 200)
            #expect(resource(invite)["id"] as? Int == 41)
            expectKeys(resource(invite)["attributes"], Self.agentKeys, "invited agent")
            #expect(list(try await send(.GET, url(s, "/agents.json"), headers: auth)).count == 41)
        }
    }

    @Test func agentErrors() async throws {
        try await withSandbox { (s) async throws in
            let noAuth = try await send(.GET, url(s, "/agents.json"))
            #expect(noAuth.status == 401)
            #expect(noAuth.object["error"] is String)
            let wrong = try await send(.GET, url(s, "/agents.json"), headers: [("Authorization", "Bearer nope")])
            #expect(wrong.status == 401)
            let raw = try await send(.GET, url(s, "/agents.json"), headers: [("Authorization", ChatrHub.apiKey)])
            #expect(raw.status == 401)
            let missing = try await send(.GET, url(s, "/agents/999.json"), headers: auth)
            #expect(missing.status == 404)
            #expect(missing.object["error"] is String)
            let badBody = try await send(.PATCH, url(s, "/agents/1.json"), headers: auth, body: "{not json")
            #expect(badBody.status == 400)
            #expect((badBody.object["error"] as? String)?.isEmpty == false)
            let badType = try await send(
                .PATCH, url(s, "/agents/1.json"), headers: auth, body: #"{"data": {"type": "agents", "attributes": {"is_bot": "yes"}}}"#)
            #expect(badType.status == 400)
            let inviteMissing = try await send(
                .POST, url(s, "/agents/invite.json"), headers: auth, body: #"{"data": {"type": "agents", "attributes": {"full_name": "X"}}}"#)
            #expect(inviteMissing.status == 400)
            let wrongMethod = try await send(.DELETE, url(s, "/agents/1.json"), headers: auth)
            #expect(wrongMethod.status == 405)
            let unknown = try await send(.GET, url(s, "/chat/1.json"), headers: auth)
            #expect(unknown.status == 404)
        }
    }

    @Test func activity() async throws {
        try await withSandbox { (s) async throws in
            let a = try await send(.GET, url(s, "/agent_activities/agent_id/1.json?start_date=\(utcDay(-2))&end_date=\(utcDay())"), headers: auth)
            #expect(a.status == 200)
            let rows = list(a)
            #expect(rows.count == 288)
            #expect(rows[0]["type"] as? String == "agent_activities")
            expectKeys(rows[0]["attributes"], ["updt_dt", "client_id", "create_by", "agent_id", "create_dt", "trmnt_ind", "updt_by", "status"], "activity")
            let statuses = Set(rows.compactMap { ($0["attributes"] as? [String: Any])?["status"] as? String })
            #expect(statuses.isSubset(of: ["available", "unavailable", "offline"]))
            let bad = try await send(.GET, url(s, "/agent_activities/agent_id/1.json?start_date=1529083167000&end_date=\(utcDay())"), headers: auth)
            #expect(bad.status == 400)
            let old = try await send(.GET, url(s, "/agent_activities/agent_id/1.json?start_date=2018-01-01&end_date=2018-02-01"), headers: auth)
            #expect(list(old).isEmpty)
        }
    }

    @Test func agentGroups() async throws {
        try await withSandbox { (s) async throws in
            let groups = try await send(.GET, url(s, "/agent_groups/3.json"), headers: auth)
            #expect(groups.status == 200)
            let rows = list(groups)
            #expect(rows.count == 1)
            #expect(rows[0]["type"] as? String == "agent_groups")
            expectKeys(rows[0]["attributes"], Self.assignmentKeys, "agent group")

            let assign = try await send(
                .POST, url(s, "/agent_groups/3.json"), headers: auth,
                body: #"{"data": {"type": "agent_groups", "attributes": {"agent_id": 3, "group_id": 10204, "is_assigned": true}}}"#)
            #expect(assign.status == 200)
            let assigned = try #require(assign.object["data"] as? [[String: Any]], "Assign answers a list")
            #expect((assigned[0]["attributes"] as? [String: Any])?["group_id"] as? Int == 10204)

            let get = try await send(.GET, url(s, "/agent_groups/agent_id/3/group_id/10204.json"), headers: auth)
            #expect(get.status == 200)
            #expect((resource(get)["attributes"] as? [String: Any])?["is_assigned"] as? Bool == true)

            let remove = try await send(.DELETE, url(s, "/agent_groups/agent_id/3/group_id/10204.json"), headers: auth)
            #expect(remove.status == 200)
            #expect(remove.object["success"] as? String == "Deleted")
            let gone = try await send(.GET, url(s, "/agent_groups/agent_id/3/group_id/10204.json"), headers: auth)
            #expect(gone.status == 200)
            #expect(gone.object["data"] is NSNull)
            let again = try await send(.DELETE, url(s, "/agent_groups/agent_id/3/group_id/10204.json"), headers: auth)
            #expect(again.status == 404)

            let mismatch = try await send(
                .POST, url(s, "/agent_groups/3.json"), headers: auth,
                body: #"{"data": {"type": "agent_groups", "attributes": {"agent_id": 4, "group_id": 10204, "is_assigned": true}}}"#)
            #expect(mismatch.status == 400)
            let noGroup = try await send(
                .POST, url(s, "/agent_groups/3.json"), headers: auth,
                body: #"{"data": {"type": "agent_groups", "attributes": {"agent_id": 3, "group_id": 1, "is_assigned": true}}}"#)
            #expect(noGroup.status == 404)
        }
    }

    @Test func chatsReportTransfer() async throws {
        try await withSandbox { (s) async throws in
            let now = Int(Date().timeIntervalSince1970) * 1000
            let chats = try await send(.GET, url(s, "/chats.json?start_date=\(now - 31 * 86_400_000)&end_date=\(now)"), headers: auth)
            #expect(chats.status == 200)
            let rows = list(chats)
            #expect(rows.count == 40)
            #expect(rows[0]["type"] as? String == "chats")
            expectKeys(rows[0]["attributes"], Self.chatKeys, "chat")
            let first = rows[0]["attributes"] as! [String: Any]
            #expect(first["trmnt_ind"] as? Bool == false)
            #expect(first["is_billable"] is Int)
            #expect(isOffsetDate(first["create_dt"]))

            let missingWindow = try await send(.GET, url(s, "/chats.json"), headers: auth)
            #expect(missingWindow.status == 400)
            let isoWindow = try await send(.GET, url(s, "/chats.json?start_date=2018-01-01&end_date=2018-02-01"), headers: auth)
            #expect(isoWindow.status == 400)

            let chat = try await send(.GET, url(s, "/chats/1.json"), headers: auth)
            #expect(chat.status == 200)
            expectKeys(resource(chat)["attributes"], Self.chatKeys, "chat by id")

            let tag = try await send(.PATCH, url(s, "/chats/1.json"), headers: auth, body: #"{"data": {"type": "chats", "attributes": {"tag": "New Tag"}}}"#)
            #expect(tag.status == 200)
            #expect((resource(tag)["attributes"] as? [String: Any])?["tag"] as? String == "New Tag")
            let tagged = try await send(.GET, url(s, "/chats.json?start_date=0&end_date=\(now)&tag=New%20Tag"), headers: auth)
            #expect(list(tagged).count == 1)
            let noTag = try await send(.PATCH, url(s, "/chats/1.json"), headers: auth, body: #"{"data": {"type": "chats", "attributes": {}}}"#)
            #expect(noTag.status == 400)

            for path in ["/chats/report.json", "/agents/report.json"] {
                let report = try await send(.GET, url(s, "\(path)?start_date=\(utcDay(-40))&end_date=\(utcDay())"), headers: auth)
                #expect(report.status == 200)
                #expect(resource(report)["type"] as? String == "report")
                expectKeys(resource(report)["attributes"], Self.reportKeys, "report")
                #expect((resource(report)["attributes"] as? [String: Any])?["total_chats"] as? Int == 40)
            }

            let agentId = first["agent_id"] as! Int
            let agent = try await send(.GET, url(s, "/agents/\(agentId).json"), headers: auth)
            let from = ((agent.object["data"] as? [[String: Any]])?.first?["attributes"] as? [String: Any])?["username"] as! String
            let target = try await send(.GET, url(s, "/agents/\(agentId == 1 ? 2 : 1).json"), headers: auth)
            let to = ((target.object["data"] as? [[String: Any]])?.first?["attributes"] as? [String: Any])?["username"] as! String
            let chatId = rows[0]["id"] as! Int
            let transfer = try await send(.GET, url(s, "/chats/transfer/\(chatId).json?agent_username_from=\(from)&agent_username_to=\(to)"), headers: auth)
            #expect(transfer.status == 200)
            #expect(transfer.object["success"] as? String == "Sent Transfer Action")
            let after = try await send(.GET, url(s, "/chats/\(chatId).json"), headers: auth)
            #expect((resource(after)["attributes"] as? [String: Any])?["transfer_to_agent_id"] as? Int == (agentId == 1 ? 2 : 1))
            let failed = try await send(.GET, url(s, "/chats/transfer/\(chatId).json?agent_username_from=nobody&agent_username_to=\(to)"), headers: auth)
            #expect(failed.status == 400)
            #expect(failed.object["error"] as? String == "Invalid usernames or authentication.")
        }
    }

    @Test func groups() async throws {
        try await withSandbox { (s) async throws in
            let all = try await send(.GET, url(s, "/groups.json"), headers: auth)
            #expect(all.status == 200)
            let rows = list(all)
            #expect(rows.first?["id"] as? Int == 10204)
            expectKeys(rows[0]["attributes"], Self.groupKeys, "group in list")
            let one = try await send(.GET, url(s, "/groups/10204.json"), headers: auth)
            expectKeys(resource(one)["attributes"], Self.groupKeys + ["group_type"], "group")
            #expect((resource(one)["attributes"] as? [String: Any])?["group_type"] as? String == "CUSTOM")
            #expect((resource(one)["attributes"] as? [String: Any])?["visitor_phone_matches"] as? String == "[\"123\"]")

            let add = try await send(
                .POST, url(s, "/groups.json"), headers: auth,
                body: #"{"data": {"type": "groups", "attributes": {"group_name": "New Group", "visitor_phone_matches": "[\"312-555-9323\"]"}}}"#)
            #expect(add.status == 200)
            let newId = try #require(resource(add)["id"] as? Int)
            let edit = try await send(
                .PATCH, url(s, "/groups/\(newId).json"), headers: auth, body: #"{"data": {"type": "groups", "attributes": {"group_name": "Renamed"}}}"#)
            #expect((resource(edit)["attributes"] as? [String: Any])?["group_name"] as? String == "Renamed")
            let editNoName = try await send(
                .PATCH, url(s, "/groups/\(newId).json"), headers: auth,
                body: #"{"data": {"type": "groups", "attributes": {"visitor_zip_matches": "[\"55401\"]"}}}"#)
            #expect(editNoName.status == 400)
            let badMatches = try await send(
                .POST, url(s, "/groups.json"), headers: auth,
                body: #"{"data": {"type": "groups", "attributes": {"group_name": "X", "visitor_zip_matches": ["55401"]}}}"#)
            #expect(badMatches.status == 400)
            let remove = try await send(.DELETE, url(s, "/groups/\(newId).json"), headers: auth)
            #expect(remove.object["success"] as? String == "Deleted")
            #expect(try await send(.GET, url(s, "/groups/\(newId).json"), headers: auth).status == 404)
        }
    }

    @Test func messagesAndTasks() async throws {
        try await withSandbox { (s) async throws in
            let m = try await send(.GET, url(s, "/messages.json?chat_id=1&include_admin=false"), headers: auth)
            #expect(m.status == 200)
            #expect(list(m).count == 4)
            #expect(list(m)[0]["type"] as? String == "messages")
            expectKeys(list(m)[0]["attributes"], Self.messageKeys, "message")
            let admin = try await send(.GET, url(s, "/messages.json?chat_id=1&include_admin=true"), headers: auth)
            #expect(list(admin).count == 5)
            #expect(try await send(.GET, url(s, "/messages.json?chat_id=1"), headers: auth).status == 400)
            #expect(try await send(.GET, url(s, "/messages.json?include_admin=false"), headers: auth).status == 400)

            // Paging to the end with `after`.
            var seen = Set<Int>()
            var after = 0
            while true {
                let page = try await send(.GET, url(s, "/q_tasks.json?after=\(after)&task_type=operational&is_resolved=0"), headers: auth)
                #expect(page.status == 200)
                let rows = list(page)
                if rows.isEmpty { break }
                if let first = rows.first { expectKeys(first["attributes"], Self.taskKeys, "task") }
                for r in rows { seen.insert(r["id"] as! Int) }
                after += rows.count
                #expect(after < 10_000)
            }
            #expect(!seen.isEmpty)
            #expect(try await send(.GET, url(s, "/q_tasks.json?task_type=operational&is_resolved=0"), headers: auth).status == 400)

            let taskId = seen.min()!
            let resolve = try await send(.GET, url(s, "/q_tasks/operational/\(taskId)/1.json"), headers: auth)
            #expect(resolve.status == 200)
            #expect((resource(resolve)["attributes"] as? [String: Any])?["is_complete"] as? Bool == true)
            let resolved = try await send(.GET, url(s, "/q_tasks.json?after=0&task_type=operational&is_resolved=1"), headers: auth)
            #expect(list(resolved).contains { $0["id"] as? Int == taskId })
        }
    }

    @Test func visitors() async throws {
        try await withSandbox { (s) async throws in
            let all = try await send(.GET, url(s, "/visitors.json"), headers: auth)
            #expect(all.status == 200)
            let rows = list(all)
            #expect(rows.count == 40)
            expectKeys(rows[0]["attributes"], Self.visitorKeys, "visitor")
            let username = (rows[0]["attributes"] as! [String: Any])["xmpp_username"] as! String
            let one = try await send(.GET, url(s, "/visitors.json?visitor_username=\(username)"), headers: auth)
            #expect(one.status == 200)
            expectKeys(resource(one)["attributes"], Self.visitorKeys + ["trmnt_ind"], "visitor by username")
            #expect(try await send(.GET, url(s, "/visitors.json?visitor_username=nobody"), headers: auth).status == 404)

            let add = try await send(
                .POST, url(s, "/visitors.json"), headers: auth,
                body: #"{"data": {"type": "visitors", "attributes": {"company_name": "New Company", "phone": "(312) 555-9323"}}}"#)
            #expect(add.status == 200)
            let added = resource(add)
            let attrs = added["attributes"] as! [String: Any]
            #expect(attrs["phone"] as? String == "3125559323")
            #expect((attrs["xmpp_username"] as? String)?.count == 36)
            let id = added["id"] as! Int
            let edit = try await send(
                .PATCH, url(s, "/visitors/\(id).json"), headers: auth,
                body: #"{"data": {"type": "visitors", "attributes": {"company_name": "Different Company name"}}}"#)
            #expect((resource(edit)["attributes"] as? [String: Any])?["company_name"] as? String == "Different Company name")
            let filtered = try await send(.GET, url(s, "/visitors.json?company_name=Different%20Company%20name"), headers: auth)
            #expect(list(filtered).count == 1)
            #expect(try await send(.PATCH, url(s, "/visitors/9999.json"), headers: auth, body: #"{"data": {"type": "visitors", "attributes": {}}}"#).status == 404)
        }
    }
}
