import Foundation
import NIOHTTP1
import Testing

@testable import SwitchboardSandbox

/// Dixa endpoints over real HTTP. Every answer is validated against its operation in
/// ../shared/specs/dixa-api-beta.openapi.yaml (`/v1/...` served, `/beta/...` in the spec).
@Suite struct DixaTests {
    let auth = [("Authorization", Dixa.apiKey)]

    /// Sends `method path` and checks the answer against the spec operation `specPath`.
    func call(
        _ s: Sandbox, _ method: HTTPMethod, _ path: String, spec specPath: String, body: String? = nil,
        headers: [(String, String)]? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Answer {
        let answer = try await send(method, s.vendor("dixa")!.baseURL + path, headers: headers ?? auth, body: body)
        let validator = try SpecValidator.shared.get()
        let problems = validator.problems(method: method.rawValue, path: specPath, status: answer.status, body: answer.body)
        #expect(problems.isEmpty, "\(method) \(path) -> \(answer.status): \(problems.prefix(5)) body: \(answer.text.prefix(300))", sourceLocation: sourceLocation)
        return answer
    }

    func data(_ a: Answer) -> [String: Any] { (a.object["data"] as? [String: Any]) ?? [:] }
    func items(_ a: Answer) -> [[String: Any]] { (a.object["data"] as? [[String: Any]]) ?? [] }

    @Test func validatorCanFail() throws {
        let v = try SpecValidator.shared.get()
        let good = #"{"data": {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "name": "Sales"}}"#
        #expect(v.problems(method: "GET", path: "/beta/teams/{teamId}", status: 200, body: Array(good.utf8)).isEmpty)
        let missing = #"{"data": {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}}"#
        #expect(!v.problems(method: "GET", path: "/beta/teams/{teamId}", status: 200, body: Array(missing.utf8)).isEmpty)
        let wrongType = #"{"data": [{"id": 5, "name": "Sales"}]}"#
        #expect(!v.problems(method: "GET", path: "/beta/teams", status: 200, body: Array(wrongType.utf8)).isEmpty)
        let badEnum = #"[{"userId": "x", "requestTime": "2021-12-01T12:46:35.935", "connectionStatus": "Sleeping"}]"#
        #expect(!v.problems(method: "GET", path: "/beta/agents/presence", status: 200, body: Array(badEnum.utf8)).isEmpty)
        let badCaseObject = #"{"data": {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "entityType": "Nope", "_type": "Conversation", "initiatedAt": "2021-12-01T12:46:36.581Z[GMT]", "targetEntityId": "1", "requestedBy": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}}"#
        #expect(!v.problems(method: "PATCH", path: "/beta/conversations/{conversationId}/anonymize", status: 202, body: Array(badCaseObject.utf8)).isEmpty)
        #expect(!v.problems(method: "PUT", path: "/beta/conversations/{conversationId}/close", status: 200, body: []).isEmpty, "undocumented status")
        #expect(!v.problems(method: "PUT", path: "/beta/conversations/{conversationId}/close", status: 204, body: Array("{}".utf8)).isEmpty, "204 has no body")
    }

    @Test func agentsPresenceAndPagingToTheEnd() async throws {
        try await withSandbox(.init(agents: 120)) { (s) async throws in
            var next: String? = s.vendor("dixa")!.baseURL + "/v1/agents?pageLimit=50"
            var ids: [String] = []
            while let url = next {
                let path = String(url.dropFirst(s.vendor("dixa")!.baseURL.count))
                let page = try await call(s, .GET, path, spec: "/beta/agents")
                #expect(page.status == 200)
                ids += items(page).map { $0["id"] as! String }
                next = (page.object["meta"] as? [String: Any])?["next"] as? String
                #expect(ids.count <= 120)
            }
            #expect(ids.count == 120 && Set(ids).count == 120)

            let presence = try await call(s, .GET, "/v1/agents/presence", spec: "/beta/agents/presence")
            #expect(presence.array.count == 120, "a bare array")
            let working = presence.array.compactMap { $0 as? [String: Any] }.filter {
                $0["connectionStatus"] as? String == "Online" && $0["presenceStatus"] as? String == "Working"
            }
            #expect(working.count > 25 && working.count < 60, "about a third available, got \(working.count)")
            let requestTime = (presence.array.first as? [String: Any])?["requestTime"] as? String
            #expect(requestTime?.hasSuffix("Z") == false, "presence times have no zone")

            let id = ids[0]
            let agent = try await call(s, .GET, "/v1/agents/\(id)", spec: "/beta/agents/{agentId}")
            #expect(data(agent)["id"] as? String == id)
            _ = try await call(s, .GET, "/v1/agents/\(id)/presence", spec: "/beta/agents/{agentId}/presence")
            let teams = try await call(s, .GET, "/v1/agents/\(id)/teams", spec: "/beta/agents/{agentId}/teams")
            #expect(items(teams).count == 1)
            let email = data(agent)["email"] as! String
            let byEmail = try await call(s, .GET, "/v1/agents?email=\(email)", spec: "/beta/agents")
            #expect(items(byEmail).count == 1)
            let notFound = try await call(s, .GET, "/v1/agents/00000000-0000-4000-a000-000000000000", spec: "/beta/agents/{agentId}")
            #expect(notFound.status == 404)
            #expect(notFound.object["message"] as? String == "The requested resource could not be found")
            let badLimit = try await call(s, .GET, "/v1/agents?pageLimit=0", spec: "/beta/agents")
            #expect(badLimit.status == 400)
            let badKey = try await call(s, .GET, "/v1/agents?pageKey=@@@", spec: "/beta/agents")
            #expect(badKey.status == 400)
        }
    }

    @Test func agentWrites() async throws {
        try await withSandbox { (s) async throws in
            let created = try await call(s, .POST, "/v1/agents", spec: "/beta/agents", body: #"{"displayName": "Dale Cooper", "email": "dc@example.com"}"#)
            #expect(created.status == 201)
            let id = data(created)["id"] as! String
            let patched = try await call(s, .PATCH, "/v1/agents/\(id)", spec: "/beta/agents/{agentId}", body: #"{"phoneNumber": "+4534343434"}"#)
            #expect(data(patched)["phoneNumber"] as? String == "+4534343434")
            #expect(data(patched)["displayName"] as? String == "Dale Cooper")
            let put = try await call(s, .PUT, "/v1/agents/\(id)", spec: "/beta/agents/{agentId}", body: #"{"displayName": "Agent Cooper"}"#)
            #expect(data(put)["displayName"] as? String == "Agent Cooper")
            #expect(data(put)["phoneNumber"] == nil, "PUT replaces")
            let badPut = try await call(s, .PUT, "/v1/agents/\(id)", spec: "/beta/agents/{agentId}", body: #"{"phoneNumber": "1"}"#)
            #expect(badPut.status == 400)
            #expect(badPut.object["message"] as? String == "Invalid value for: body")
            let garbage = try await call(s, .POST, "/v1/agents", spec: "/beta/agents", body: "{oops")
            #expect(garbage.status == 400)
            #expect(garbage.object["message"] as? String == "Decoding failure in request")
            let noEmail = try await call(s, .POST, "/v1/agents", spec: "/beta/agents", body: #"{"displayName": "X"}"#)
            #expect(noEmail.status == 400)
            let deleted = try await call(s, .DELETE, "/v1/agents/\(id)", spec: "/beta/agents/{agentId}")
            #expect(deleted.status == 204 && deleted.body.isEmpty)
            #expect(try await call(s, .GET, "/v1/agents/\(id)", spec: "/beta/agents/{agentId}").status == 404)
        }
    }

    @Test func teamsAndQueues() async throws {
        try await withSandbox { (s) async throws in
            let teams = try await call(s, .GET, "/v1/teams", spec: "/beta/teams")
            #expect(teams.object["meta"] == nil, "unpaged list")
            let created = try await call(s, .POST, "/v1/teams", spec: "/beta/teams", body: #"{"name": "Night shift"}"#)
            #expect(created.status == 201)
            let team = data(created)["id"] as! String
            _ = try await call(s, .GET, "/v1/teams/\(team)", spec: "/beta/teams/{teamId}")
            let agents = items(try await call(s, .GET, "/v1/agents?pageLimit=3", spec: "/beta/agents")).map { $0["id"] as! String }
            let body = #"{"agentIds": ["\#(agents[0])", "\#(agents[1])"]}"#
            let add = try await call(s, .PATCH, "/v1/teams/\(team)/agents", spec: "/beta/teams/{teamId}/agents", body: body)
            #expect(add.status == 200)
            let members = try await call(s, .GET, "/v1/teams/\(team)/agents", spec: "/beta/teams/{teamId}/agents")
            #expect(Set(items(members).map { $0["id"] as! String }) == Set(agents.prefix(2)))
            let presence = try await call(s, .GET, "/v1/teams/\(team)/presence?pageLimit=1", spec: "/beta/teams/{teamId}/presence")
            #expect(items(presence).count == 1)
            #expect((presence.object["meta"] as? [String: Any])?["next"] is String)
            let agentTeams = try await call(s, .GET, "/v1/agents/\(agents[0])/teams", spec: "/beta/agents/{agentId}/teams")
            #expect(items(agentTeams).contains { $0["id"] as? String == team })
            let remove = try await call(s, .DELETE, "/v1/teams/\(team)/agents", spec: "/beta/teams/{teamId}/agents", body: #"{"agentIds": ["\#(agents[0])"]}"#)
            #expect(remove.status == 204)
            #expect(items(try await call(s, .GET, "/v1/teams/\(team)/agents", spec: "/beta/teams/{teamId}/agents")).count == 1)
            let badIds = try await call(s, .PATCH, "/v1/teams/\(team)/agents", spec: "/beta/teams/{teamId}/agents", body: #"{"agentIds": [1]}"#)
            #expect(badIds.status == 400)
            #expect(try await call(s, .DELETE, "/v1/teams/\(team)", spec: "/beta/teams/{teamId}").status == 204)

            let queues = try await call(s, .GET, "/v1/queues", spec: "/beta/queues")
            let queue = items(queues)[0]["id"] as! String
            _ = try await call(s, .GET, "/v1/queues/\(queue)", spec: "/beta/queues/{queueId}")
            let assign = try await call(
                s, .PATCH, "/v1/queues/\(queue)/members", spec: "/beta/queues/{queueId}/members",
                body: #"{"agentIds": ["\#(agents[2])", "00000000-0000-4000-a000-000000000000"]}"#)
            #expect(assign.status == 200)
            #expect(items(assign).map { $0["_type"] as? String } == ["BulkActionSuccess", "BulkActionFailure"])
            let members2 = try await call(s, .GET, "/v1/queues/\(queue)/members", spec: "/beta/queues/{queueId}/members")
            #expect(items(members2).contains { $0["agentId"] as? String == agents[2] })
            let tooMany = "[" + (0..<11).map { _ in "\"\(agents[0])\"" }.joined(separator: ",") + "]"
            #expect(try await call(s, .PATCH, "/v1/queues/\(queue)/members", spec: "/beta/queues/{queueId}/members", body: #"{"agentIds": \#(tooMany)}"#).status == 400)
            let unassign = try await call(s, .DELETE, "/v1/queues/\(queue)/members", spec: "/beta/queues/{queueId}/members", body: #"{"agentIds": ["\#(agents[2])"]}"#)
            #expect(unassign.status == 204)
            #expect(try await call(s, .GET, "/v1/queues/nope", spec: "/beta/queues/{queueId}").status == 404)
        }
    }

    @Test func tags() async throws {
        try await withSandbox { (s) async throws in
            let active = items(try await call(s, .GET, "/v1/tags", spec: "/beta/tags"))
            let all = items(try await call(s, .GET, "/v1/tags?includeDeactivated=true", spec: "/beta/tags"))
            #expect(all.count == active.count + 1)
            let created = try await call(s, .POST, "/v1/tags", spec: "/beta/tags", body: ##"{"name": "escalated", "color": "#FF0000"}"##)
            #expect(created.status == 200)
            let again = try await call(s, .POST, "/v1/tags", spec: "/beta/tags", body: #"{"name": "escalated"}"#)
            #expect(data(again)["id"] as? String == data(created)["id"] as? String, "idempotent by name")
            let id = data(created)["id"] as! String
            #expect(try await call(s, .PATCH, "/v1/tags/\(id)/deactivate", spec: "/beta/tags/{tagId}/deactivate").status == 204)
            #expect(data(try await call(s, .GET, "/v1/tags/\(id)", spec: "/beta/tags/{tagId}"))["state"] as? String == "Inactive")
            #expect(try await call(s, .PATCH, "/v1/tags/\(id)/activate", spec: "/beta/tags/{tagId}/activate").status == 204)
            #expect(try await call(s, .POST, "/v1/tags", spec: "/beta/tags", body: ##"{"color": "#000"}"##).status == 400)
        }
    }

    @Test func endUsers() async throws {
        try await withSandbox { (s) async throws in
            var next: String? = "/v1/endusers?pageLimit=15"
            var count = 0
            while let path = next {
                let page = try await call(s, .GET, path, spec: "/beta/endusers")
                count += items(page).count
                next = ((page.object["meta"] as? [String: Any])?["next"] as? String).map { String($0.dropFirst(s.vendor("dixa")!.baseURL.count)) }
            }
            #expect(count == 40)
            let created = try await call(s, .POST, "/v1/endusers", spec: "/beta/endusers", body: #"{"displayName": "Laura Palmer", "email": "laura@example.com", "externalId": "tp-1"}"#)
            #expect(created.status == 201)
            let id = data(created)["id"] as! String
            let patched = try await call(s, .PATCH, "/v1/endusers/\(id)", spec: "/beta/endusers/{userId}", body: #"{"phoneNumber": "+4511111111"}"#)
            #expect(data(patched)["phoneNumber"] as? String == "+4511111111")
            _ = try await call(s, .PUT, "/v1/endusers/\(id)", spec: "/beta/endusers/{userId}", body: #"{"displayName": "L. Palmer"}"#)
            let byExternal = try await call(s, .GET, "/v1/endusers?externalId=tp-1", spec: "/beta/endusers")
            #expect(items(byExternal).isEmpty, "PUT replaced externalId")
            let got = try await call(s, .GET, "/v1/endusers/\(id)", spec: "/beta/endusers/{userId}")
            #expect(data(got)["displayName"] as? String == "L. Palmer")
            #expect(try await call(s, .PATCH, "/v1/endusers/\(id)", spec: "/beta/endusers/{userId}", body: #"{"email": 5}"#).status == 400)
            #expect(try await call(s, .GET, "/v1/endusers/nope", spec: "/beta/endusers/{userId}").status == 404)

            let conv = try await call(s, .GET, "/v1/conversations/1001", spec: "/beta/conversations/{conversationId}")
            let requester = data(conv)["requesterId"] as! String
            let theirs = try await call(s, .GET, "/v1/endusers/\(requester)/conversations", spec: "/beta/endusers/{userId}/conversations")
            #expect(items(theirs).contains { $0["id"] as? Int == 1001 })
        }
    }

    @Test func conversationReadsAndActions() async throws {
        try await withSandbox { (s) async throws in
            let c = "/v1/conversations/1001"
            let spec = "/beta/conversations/{conversationId}"
            let conv = try await call(s, .GET, c, spec: spec)
            #expect(conv.status == 200)
            #expect((data(conv)["createdAt"] as? String)?.hasSuffix("Z") == true)
            let messages = try await call(s, .GET, c + "/messages", spec: spec + "/messages")
            #expect(items(messages).count == 3)
            #expect((items(messages)[0]["createdAt"] as? String)?.hasSuffix("Z[GMT]") == true)
            _ = try await call(s, .GET, c + "/ratings", spec: spec + "/ratings")
            _ = try await call(s, .GET, c + "/rating", spec: spec + "/rating")
            _ = try await call(s, .GET, c + "/activitylog", spec: spec + "/activitylog")

            let note = try await call(s, .POST, c + "/notes", spec: spec + "/notes", body: #"{"message": "A sample note"}"#)
            #expect(note.status == 200)
            #expect(data(note)["csid"] as? Int == 1001)
            #expect((data(note)["createdAt"] as? String)?.hasSuffix("Z[GMT]") == true)
            let notes = try await call(s, .GET, c + "/notes", spec: spec + "/notes")
            #expect(items(notes).count == 1)
            #expect(try await call(s, .POST, c + "/notes", spec: spec + "/notes", body: #"{"agentId": "x"}"#).status == 400)
            let badDate = try await call(s, .POST, c + "/notes", spec: spec + "/notes", body: #"{"message": "m", "createdAt": "yesterday"}"#)
            #expect(badDate.object["message"] as? String == "Invalid date format")

            let tags = items(try await call(s, .GET, "/v1/tags?includeDeactivated=true", spec: "/beta/tags"))
            let vip = tags.first { $0["name"] as? String == "vip" }!["id"] as! String
            let legacy = tags.first { $0["name"] as? String == "legacy" }!["id"] as! String
            #expect(try await call(s, .PUT, c + "/tags/\(vip)", spec: spec + "/tags/{tagId}").status == 204)
            #expect(items(try await call(s, .GET, c + "/tags", spec: spec + "/tags")).contains { $0["id"] as? String == vip })
            #expect(try await call(s, .PUT, c + "/tags/\(legacy)", spec: spec + "/tags/{tagId}").status == 400)
            #expect(try await call(s, .DELETE, c + "/tags/\(vip)", spec: spec + "/tags/{tagId}").status == 204)
            #expect(!items(try await call(s, .GET, c + "/tags", spec: spec + "/tags")).contains { $0["id"] as? String == vip })

            let agents = items(try await call(s, .GET, "/v1/agents?pageLimit=2", spec: "/beta/agents")).map { $0["id"] as! String }
            #expect(try await call(s, .PUT, c + "/claim", spec: spec + "/claim", body: #"{"agentId": "\#(agents[0])", "force": true}"#).status == 204)
            let taken = try await call(s, .PUT, c + "/claim", spec: spec + "/claim", body: #"{"agentId": "\#(agents[1])"}"#)
            #expect(taken.status == 409)
            #expect(((data(try await call(s, .GET, c, spec: spec))["assignment"] as? [String: Any])?["agentId"] as? String) == agents[0])
            #expect(try await call(s, .PUT, c + "/claim", spec: spec + "/claim", body: "{}").status == 400)

            let queues = items(try await call(s, .GET, "/v1/queues", spec: "/beta/queues"))
            let queue = queues.last!["id"] as! String
            #expect(try await call(s, .PUT, c + "/transfer/queue", spec: spec + "/transfer/queue", body: #"{"queueId": "\#(queue)"}"#).status == 204)
            #expect(((data(try await call(s, .GET, c, spec: spec))["queue"] as? [String: Any])?["id"] as? String) == queue)
            let noQueue = try await call(s, .PUT, c + "/transfer/queue", spec: spec + "/transfer/queue", body: #"{"queueId": "00000000-0000-4000-a000-000000000000"}"#)
            #expect(noQueue.object["message"] as? String == "Queue does not exist")

            #expect(try await call(s, .PUT, c + "/close", spec: spec + "/close").status == 204)
            #expect(data(try await call(s, .GET, c, spec: spec))["state"] as? String == "Closed")
            #expect(try await call(s, .PUT, c + "/reopen", spec: spec + "/reopen").status == 204)
            #expect(data(try await call(s, .GET, c, spec: spec))["state"] as? String == "Open")
            #expect(try await call(s, .PUT, c + "/close", spec: spec + "/close", body: #"{"userId": "00000000-0000-4000-a000-000000000000"}"#).status == 400)

            let refused = try await call(s, .PATCH, c + "/anonymize", spec: spec + "/anonymize")
            #expect(refused.status == 409)
            let anonymized = try await call(s, .PATCH, c + "/anonymize?force=true", spec: spec + "/anonymize")
            #expect(anonymized.status == 202)
            #expect(data(anonymized)["entityType"] as? String == "ConversationAnonymizationType")
            #expect(data(anonymized)["targetEntityId"] as? String == "1001")
            let after = try await call(s, .GET, c, spec: spec)
            #expect(data(after)["anonymizedAt"] is String)

            #expect(try await call(s, .GET, "/v1/conversations/99999", spec: spec).status == 404)
            let badId = try await call(s, .GET, "/v1/conversations/abc", spec: spec)
            #expect(badId.status == 400)
            #expect(badId.object["message"] as? String == "Invalid value for: path parameter conversationId")
        }
    }

    @Test func activityLogAndSearchPaging() async throws {
        try await withSandbox { (s) async throws in
            var next: String? = "/v1/conversations/activitylog?pageLimit=25"
            var entries = 0
            while let path = next {
                let page = try await call(s, .GET, path, spec: "/beta/conversations/activitylog")
                entries += items(page).count
                next = ((page.object["meta"] as? [String: Any])?["next"] as? String).map { String($0.dropFirst(s.vendor("dixa")!.baseURL.count)) }
            }
            #expect(entries >= 40)
            let future = try await call(s, .GET, "/v1/conversations/activitylog?fromDatetime=2999-01-01T00:00:00Z", spec: "/beta/conversations/activitylog")
            #expect(items(future).isEmpty)

            let search = try await call(s, .GET, "/v1/search/conversations?query=refund&pageLimit=2", spec: "/beta/search/conversations")
            #expect(search.status == 200)
            var total = items(search).count
            var link = (search.object["meta"] as? [String: Any])?["next"] as? String
            while let url = link {
                #expect(url.contains("query=refund"), "next keeps the query")
                let page = try await call(s, .GET, String(url.dropFirst(s.vendor("dixa")!.baseURL.count)), spec: "/beta/search/conversations")
                total += items(page).count
                link = (page.object["meta"] as? [String: Any])?["next"] as? String
            }
            #expect(total > 0)
            #expect(try await call(s, .GET, "/v1/search/conversations?query=", spec: "/beta/search/conversations").status == 400)
        }
    }

    @Test func authRejection() async throws {
        try await withSandbox { (s) async throws in
            let none = try await call(s, .GET, "/v1/agents", spec: "/beta/search/conversations", headers: [])
            #expect(none.status == 401)
            #expect(none.object["message"] as? String == "User is unauthorized to perform an underlying operation")
            let bearer = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/agents", headers: [("Authorization", "Bearer " + Dixa.apiKey)])
            #expect(bearer.status == 401)
        }
    }
}
