import Foundation
import Testing

@testable import SwitchboardSandbox

/// SmartAssist endpoints over real HTTP, checked against smartassist-update-agent.txt and vendor-notes §2.3.
@Suite struct SmartAssistTests {
    static let agentKeys = [
        "status", "agentAffinity", "canSupportChat", "maxChatSupport", "roleId", "chatLanguageSupport", "canSupportVoice",
        "voiceLanguageSupport", "desktopLayouts", "userId", "accountId", "createdBy", "orgId", "agentGroups", "lastOnlineAt",
        "createdAt", "updatedAt", "onlineStatus", "onlineStatusType", "id", "emailId", "firstName", "lastName", "nickName",
        "phoneNumber", "profImage", "sipURI", "skills", "queues",
    ]

    var auth: [(String, String)] {
        [("auth", testJWT(appId: SmartAssist.clientId, secret: SmartAssist.clientSecret)), ("accountId", SmartAssist.accountId)]
    }

    func url(_ s: Sandbox, _ path: String) -> String {
        s.vendor("smartassist")!.baseURL + "/agentassist/api/v1/public/" + SmartAssist.streamId + path
    }

    static let updateBody = """
        {"emailId": "amanda@example.com", "firstName": "Amanda", "lastName": "Jones", "nickName": "Amanda", "phoneNumber": "13456782000",
         "canSupportChat": true, "maxChatSupport": 5, "canSupportVoice": true, "roleId": "6ff2331231245454",
         "chatLanguageSupport": [{"language": "en", "proficiency": "expert", "isActive": true}],
         "voiceLanguageSupport": [{"language": "es", "proficiency": "expert", "isActive": true}],
         "skills": [{"skillId": "s-21223123", "proficiencyLevel": "expert"}]}
        """

    @Test func theWrittenOutSandboxJWTIsTheMintedOne() {
        #expect(SmartAssist.sandboxJWT == SmartAssist.mintJWT(clientId: SmartAssist.clientId, secret: SmartAssist.clientSecret))
        #expect(SmartAssist.verifyJWT(SmartAssist.sandboxJWT, clientId: SmartAssist.clientId, secret: SmartAssist.clientSecret))
    }

    @Test func agentsPagingToTheEnd() async throws {
        try await withSandbox { (s) async throws in
            var page = 1
            var ids: [String] = []
            var available = 0
            while true {
                let answer = try await send(.GET, url(s, "/agents?page=\(page)"), headers: auth)
                #expect(answer.status == 200)
                expectKeys(answer.object, ["results", "page", "limit", "hasMore", "totalPages", "totalResults"], "agent list")
                let results = (answer.object["results"] as? [[String: Any]]) ?? []
                if let first = results.first {
                    expectKeys(first, Self.agentKeys + ["hoursOfOperationId", "attachmentsEnabled", "emojisEnabled", "isAccountOwner", "role"], "listed agent")
                    #expect(isMillisZ(first["createdAt"]))
                    expectKeys((first["agentGroups"] as? [Any])?.first, ["groupId", "accessLevel", "role", "groupName"], "listed agent group")
                }
                ids += results.map { $0["id"] as! String }
                available += results.filter { $0["onlineStatusType"] as? String == "AVAILABLE" }.count
                if answer.object["hasMore"] as? Bool != true { break }
                page += 1
            }
            #expect(ids.count == 40 && Set(ids).count == 40)
            #expect(page == 4)
            #expect(ids.allSatisfy { $0.hasPrefix("a-") })
            #expect(available >= 8 && available <= 22)
            #expect(try await send(.GET, url(s, "/agents?page=0"), headers: auth).status == 400)
        }
    }

    @Test func getUpdateCreateDeleteAgent() async throws {
        try await withSandbox { (s) async throws in
            let list = try await send(.GET, url(s, "/agents"), headers: auth)
            let id = ((list.object["results"] as? [[String: Any]])?.first?["id"] as? String)!
            let one = try await send(.GET, url(s, "/agents/\(id)"), headers: auth)
            #expect(one.status == 200)
            expectKeys(
                one.object,
                Self.agentKeys + ["isAccountOwner", "attachmentsEnabled", "emojisEnabled", "customId", "fullName", "lFullName", "role"],
                "agent")

            let update = try await send(.PUT, url(s, "/agents/\(id)?groupId=ag-10205"), headers: auth, body: Self.updateBody)
            #expect(update.status == 200)
            expectKeys(update.object, Self.agentKeys, "updated agent")
            #expect(update.object["emailId"] as? String == "amanda@example.com")
            let groups = (update.object["agentGroups"] as? [[String: Any]])?.map { $0["groupId"] as? String } ?? []
            #expect(groups.contains("ag-10205"))
            let reread = try await send(.GET, url(s, "/agents/\(id)"), headers: auth)
            #expect(reread.object["firstName"] as? String == "Amanda")

            let typo = Self.updateBody.replacingOccurrences(of: "\"emailId\"", with: "\"emaiId\"")
            #expect(try await send(.PUT, url(s, "/agents/\(id)"), headers: auth, body: typo).status == 200)
            let missing = Self.updateBody.replacingOccurrences(of: "\"skills\"", with: "\"skillz\"")
            let bad = try await send(.PUT, url(s, "/agents/\(id)"), headers: auth, body: missing)
            #expect(bad.status == 400)
            #expect((bad.object["error"] as? String)?.contains("skills") == true)
            #expect(try await send(.PUT, url(s, "/agents/\(id)?groupId=ag-1"), headers: auth, body: Self.updateBody).status == 404)
            #expect(try await send(.PUT, url(s, "/agents/a-nope"), headers: auth, body: Self.updateBody).status == 404)

            let created = try await send(
                .POST, url(s, "/agents"), headers: auth, body: #"{"emailId": "new@example.com", "firstName": "New", "lastName": "Agent"}"#)
            #expect(created.status == 200)
            let newId = try #require(created.object["id"] as? String)
            let deleted = try await send(.DELETE, url(s, "/agents/\(newId)"), headers: auth)
            #expect(deleted.status == 200)
            #expect(deleted.object["id"] as? String == newId)
            #expect(try await send(.GET, url(s, "/agents/\(newId)"), headers: auth).status == 404)
        }
    }

    @Test func groupsAndQueues() async throws {
        try await withSandbox { (s) async throws in
            let groups = try await send(.GET, url(s, "/agent-groups"), headers: auth)
            #expect(groups.status == 200)
            expectKeys(groups.object, ["results", "skip", "limit", "hasMore", "totalPages", "totalResults"], "group list")
            let first = (groups.object["results"] as? [[String: Any]])?.first
            expectKeys(
                first,
                ["isDefault", "isUnassigned", "status", "name", "description", "iId", "createdBy", "orgId", "lname", "createdByAId", "createdAt",
                 "updatedAt", "id", "totalAgents", "managers"],
                "group")
            #expect(first?["id"] as? String == "ag-10204")

            let created = try await send(.POST, url(s, "/agent-groups"), headers: auth, body: #"{"name": "Night shift", "description": "After hours"}"#)
            #expect(created.status == 200)
            let gid = try #require(created.object["id"] as? String)
            let updated = try await send(
                .PUT, url(s, "/agent-groups/\(gid)"), headers: auth,
                body: #"{"name": "Night", "description": "After hours", "managers": [{"userId": "u-1", "accessLevel": "full"}]}"#)
            #expect(updated.object["name"] as? String == "Night")
            let badManagers = try await send(
                .PUT, url(s, "/agent-groups/\(gid)"), headers: auth, body: #"{"name": "Night", "description": "x", "managers": [{"userId": "u-1", "accessLevel": "root"}]}"#)
            #expect(badManagers.status == 400)
            let deleted = try await send(.DELETE, url(s, "/agent-groups/\(gid)"), headers: auth)
            expectKeys(deleted.object, ["id", "name", "description", "managers"], "deleted group")
            #expect(try await send(.DELETE, url(s, "/agent-groups/\(gid)"), headers: auth).status == 404)
            #expect(try await send(.POST, url(s, "/agent-groups"), headers: auth, body: #"{"name": "x"}"#).status == 400)

            let queues = try await send(.GET, url(s, "/queues"), headers: auth)
            expectKeys(queues.object, ["results", "page", "limit", "hasMore", "totalPages", "totalResults"], "queue list")
            expectKeys(
                (queues.object["results"] as? [Any])?.first,
                ["isActive", "isDefault", "name", "isAdvancedRoutingEnabled", "description", "orgId", "createdBy", "id", "hoursOfOperation",
                 "agents", "skills", "agentGroups", "sourceAgentGroups", "advancedSettings"],
                "queue")
        }
    }

    @Test func authRejections() async throws {
        try await withSandbox { (s) async throws in
            let target = url(s, "/agents")
            #expect(try await send(.GET, target).status == 401)
            let jwt = testJWT(appId: SmartAssist.clientId, secret: SmartAssist.clientSecret)
            #expect(try await send(.GET, target, headers: [("auth", jwt)]).status == 401, "accountId is required")
            #expect(try await send(.GET, target, headers: [("auth", jwt), ("accountId", "other")]).status == 401)
            let wrongSecret = testJWT(appId: SmartAssist.clientId, secret: "guess")
            #expect(try await send(.GET, target, headers: [("auth", wrongSecret), ("accountId", SmartAssist.accountId)]).status == 401)
            let wrongApp = testJWT(appId: "cs-other", secret: SmartAssist.clientSecret)
            #expect(try await send(.GET, target, headers: [("auth", wrongApp), ("accountId", SmartAssist.accountId)]).status == 401)
            #expect(try await send(.GET, target, headers: [("auth", "a.b.c"), ("accountId", SmartAssist.accountId)]).status == 401)
            #expect(try await send(.GET, target, headers: [("auth", jwt), ("accountid", SmartAssist.accountId)]).status == 200)
            let otherStream = s.vendor("smartassist")!.baseURL + "/agentassist/api/v1/public/st-other/agents"
            #expect(try await send(.GET, otherStream, headers: auth).status == 404)
            // The credentials the sandbox hands out work as they are.
            let creds = s.vendor("smartassist")!.credentials
            #expect(try await send(.GET, target, headers: [("auth", creds["jwt"]!), ("accountId", creds["account_id"]!)]).status == 200)
        }
    }
}
