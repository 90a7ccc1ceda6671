import Crypto
import Foundation
import Synchronization

/// Kore.ai SmartAssist emulator (seed: `smartassist-update-agent.txt`, notes: vendor-notes.md
/// §2.3, §4.2; other paths from VENDORS.md §2, prefix `/agentassist/api/v1/public/{streamId}`).
///
/// Auth: header `auth: JWT` (HS256, signed with the sandbox client secret, payload `appId` equal
/// to the sandbox client id) plus `accountId: ID` (header names are case-insensitive, so
/// `accountid` works too). Plain objects; lists are `{"results": [...], "page", "limit",
/// "hasMore", "totalPages", "totalResults"}` (agent groups use `skip` instead of `page`, as
/// documented). Dates `2022-10-11T04:06:41.286Z`.
///
/// Served: `GET/POST agents`, `GET/PUT/DELETE agents/{agentId}` (PUT takes `?groupId=`),
/// `GET/POST agent-groups`, `PUT/POST/DELETE agent-groups/{id}`, `GET queues`.
///
/// Sandbox policy where the vendor documents none:
/// - Errors are `{"error": "<message>"}`: 401 for a missing, malformed, wrongly signed JWT, a
///   JWT for another appId, or a missing or wrong accountId; 404 for an unknown stream, agent or
///   group; 405 wrong method; 400 for an invalid body (the message names the field).
/// - Paging: `page` is 1-based (default 1), `limit` defaults to 10 (the samples' value), at
///   most 100; a page past the end has empty `results` and `hasMore: false`. Agent groups take
///   `skip` and `limit` the same way.
/// - PUT agent is a full replace of the documented body fields. Required: `emailId` (the
///   seed's `emaiId` typo is accepted too), `firstName`, `lastName` (each at most 50
///   characters), `phoneNumber` (a string), `chatLanguageSupport`, `voiceLanguageSupport`
///   (items need `language`, and `proficiency` in expert/novice/average/good) and `skills`
///   (items need `skillId`, `proficiencyLevel`). `?groupId=` or `agentGroupId` adds the agent to
///   that group (404 if unknown); other memberships stay.
/// - POST agents requires `emailId`, `firstName`, `lastName`; answers 200 with the agent.
/// - DELETE agent removes it and answers the agent object; DELETE group answers
///   `{id, name, description, managers}`; deleting a group removes it from its agents.
/// - `onlineStatusType` is AVAILABLE (about a third of agents), BUSY, AWAY or OFFLINE, with
///   `onlineStatus` Available, Busy, Away or Offline.
///
/// Data: stream `st-sbx-0001`, agents `a-…` 1...N (userId `u-…`), agent groups `ag-10204`,
/// `ag-10205`, ... (max(3, N/10); `ag-10204` is "Default Group"), queues `qu-…` (max(2, N/20)).
struct SmartAssist: VendorEmulator {
    static let clientId = "cs-sbx-smartassist"
    static let clientSecret = "sbx-smartassist-secret"
    static let accountId = "sbx-account-0001"
    static let streamId = "st-sbx-0001"

    let name = "smartassist"
    /// `mintJWT(clientId: clientId, secret: clientSecret)`, written out: signing it costs a
    /// crypto start-up on every `swb` run, which reads these credentials even when no vendor is
    /// called (a test checks that the two agree).
    static let sandboxJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBJZCI6ImNzLXNieC1zbWFydGFzc2lzdCJ9._iZ-UfayI7exUCgRkbsWkw7ER1Ynep09lzf4fiTF1z8"

    static let credentials: [String: String] = [
        "jwt": SmartAssist.sandboxJWT,
        "account_id": SmartAssist.accountId, "stream_id": SmartAssist.streamId, "client_id": SmartAssist.clientId,
        "client_secret": SmartAssist.clientSecret,
    ]
    let routes: RouteTable

    init(generator: DataGenerator, agents: Int) {
        let store = Store(generator: generator, agentCount: agents)
        let p = "/agentassist/api/v1/public/{streamId}"
        func inStream(_ handler: @escaping @Sendable (VendorRequest, PathParams) -> VendorReply) -> @Sendable (VendorRequest, PathParams) -> VendorReply {
            { r, a in
                a["streamId"] == SmartAssist.streamId ? handler(r, a) : SmartAssist.error(404, "Stream \(a["streamId"] ?? "") not found")
            }
        }
        routes = RouteTable(routes: [
            Route("GET", p + "/agents", inStream { r, _ in store.listAgents(r) }),
            Route("POST", p + "/agents", inStream { r, _ in store.createAgent(r) }),
            Route("GET", p + "/agents/{agentId}", inStream { _, a in store.getAgent(a["agentId"] ?? "") }),
            Route("PUT", p + "/agents/{agentId}", inStream { r, a in store.updateAgent(r, a["agentId"] ?? "") }),
            Route("DELETE", p + "/agents/{agentId}", inStream { _, a in store.deleteAgent(a["agentId"] ?? "") }),
            Route("GET", p + "/agent-groups", inStream { r, _ in store.listGroups(r) }),
            Route("POST", p + "/agent-groups", inStream { r, _ in store.createGroup(r) }),
            Route("PUT", p + "/agent-groups/{id}", inStream { r, a in store.updateGroup(r, a["id"] ?? "") }),
            Route("POST", p + "/agent-groups/{id}", inStream { r, a in store.updateGroup(r, a["id"] ?? "") }),
            Route("DELETE", p + "/agent-groups/{id}", inStream { _, a in store.deleteGroup(a["id"] ?? "") }),
            Route("GET", p + "/queues", inStream { r, _ in store.listQueues(r) }),
        ])
    }

    /// Tokens whose signature already verified (they carry no expiry, so the answer cannot
    /// change); saves an HMAC and two JSON parses per request.
    let verifiedTokens = TokenCache()

    func authorized(_ request: VendorRequest) -> Bool {
        guard let token = request.header("auth"), request.header("accountid") == SmartAssist.accountId else { return false }
        if verifiedTokens.contains(token) { return true }
        guard SmartAssist.verifyJWT(token, clientId: SmartAssist.clientId, secret: SmartAssist.clientSecret) else { return false }
        verifiedTokens.insert(token)
        return true
    }

    final class TokenCache: Sendable {
        private let tokens = Mutex<Set<String>>([])

        func contains(_ token: String) -> Bool { tokens.withLock { $0.contains(token) } }

        func insert(_ token: String) {
            tokens.withLock { set in
                if set.count >= 1024 { set.removeAll() }
                set.insert(token)
            }
        }
    }

    func error(_ status: Int, _ message: String) -> VendorReply { SmartAssist.error(status, message) }

    static func error(_ status: Int, _ message: String) -> VendorReply {
        .json(status, .object([("error", .string(message))]))
    }

    // MARK: JWT

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }

    /// An HS256 JWT with payload `{"appId": clientId}`, as the vendor's docs describe.
    static func mintJWT(clientId: String, secret: String) -> String {
        let header = base64URL(JSON.object([("alg", .string("HS256")), ("typ", .string("JWT"))]).bytes)
        let payload = base64URL(JSON.object([("appId", .string(clientId))]).bytes)
        let signingInput = header + "." + payload
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return signingInput + "." + base64URL(Array(mac))
    }

    /// True for a well-formed HS256 JWT signed with `secret` whose payload has `appId == clientId`.
    static func verifyJWT(_ token: String, clientId: String, secret: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = base64URLDecode(parts[0]), let payloadBytes = base64URLDecode(parts[1]),
            let signature = base64URLDecode(parts[2]), let header = JSON.parse(headerBytes), header["alg"]?.stringValue == "HS256",
            let payload = JSON.parse(payloadBytes)
        else { return false }
        let signingInput = Array((parts[0] + "." + parts[1]).utf8)
        guard
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: SymmetricKey(data: Array(secret.utf8)))
        else { return false }
        return payload["appId"]?.stringValue == clientId
    }
}

extension SmartAssist {
    struct Agent {
        var id: String
        var userId: String
        var emailId: String
        var firstName: String
        var lastName: String
        var nickName: String
        var phoneNumber: String
        var profImage = "no-avatar"
        var status = "ACTIVE"
        var onlineStatusType: String
        var canSupportChat = true
        var canSupportVoice = false
        var maxChatSupport = 5
        var roleId = "6344eb107b65bd738aa698b1"
        var role = "Agent"
        var chatLanguageSupport: JSON
        var voiceLanguageSupport: JSON
        var skills: JSON
        var desktopLayouts: JSON
        var groups: [String]
        var queues: [String]
        var createdAt: Int
        var updatedAt: Int
        var lastOnlineAt: Int
    }

    struct Group {
        var id: String
        var name: String
        var description: String
        var managers: JSON
        var createdAt: Int
        var updatedAt: Int
        var isDefault: Bool
    }

    struct Queue {
        var id: String
        var name: String
        var description: String
        var isDefault: Bool
    }

    struct State {
        var agents: [Agent]
        var index: [String: Int]
        var groups: [Group] {
            didSet { groupIndex = State.index(groups.map(\.id)) }
        }
        var groupIndex: [String: Int]
        var groupCounts: [String: Int]
        let queues: [Queue]
        let queueIndex: [String: Int]

        static func index(_ ids: [String]) -> [String: Int] {
            Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }

        func group(_ id: String) -> Group? { groupIndex[id].map { groups[$0] } }
        func queue(_ id: String) -> Queue? { queueIndex[id].map { queues[$0] } }
        var nextAgent: Int
        var nextGroup: Int
    }

    static let onlineStatus = ["AVAILABLE": "Available", "BUSY": "Busy", "AWAY": "Away", "OFFLINE": "Offline"]
    static let orgId = "o-sbx-0001"
    static let proficiencies: Set<String> = ["expert", "novice", "average", "good"]

    static func languages(_ code: String) -> JSON {
        .array([.object([("isActive", .bool(true)), ("language", .string(code)), ("proficiency", .string("expert"))])])
    }

    /// Shared by generated agents (one buffer, not one per agent).
    static let english = languages("en")

    static let defaultLayouts: JSON = .array([
        .object([("isDefault", .bool(true)), ("name", .string("Default Layout")), ("id", .string("ly-59736ed-eaac-40d6-8c5b-db294b100672"))])
    ])

    final class Store: Sendable {
        let gen: DataGenerator
        let state: Mutex<State>

        init(generator g: DataGenerator, agentCount n: Int) {
            gen = g
            let now = g.anchor
            let groupCount = max(3, n / 10)
            let queueCount = max(2, n / 20)
            var groups: [Group] = []
            for k in 0..<groupCount {
                groups.append(
                    Group(
                        id: "ag-" + String(10204 + k), name: k == 0 ? "Default Group" : "Agent Group \(k + 1)",
                        description: k == 0 ? "Default agent group" : "Sandbox agent group \(k + 1)", managers: .array([]),
                        createdAt: now - 86400 * 600 + k, updatedAt: now - 86400 * 300 + k, isDefault: k == 0))
            }
            var queues: [Queue] = []
            for k in 0..<queueCount {
                queues.append(
                    Queue(
                        id: "qu-" + g.uuid(200, k), name: k == 0 ? "Default Queue" : "Queue \(k + 1)",
                        description: "queue description", isDefault: k == 0))
            }
            var agents: [Agent] = []
            agents.reserveCapacity(n)
            var index: [String: Int] = [:]
            index.reserveCapacity(n)
            var counts: [String: Int] = [:]
            for i in 1...n {
                let p = g.person(i)
                let status: String
                switch g.presence(i) {
                case .available: status = "AVAILABLE"
                case .busy: status = "BUSY"
                case .away: status = "AWAY"
                case .offline: status = "OFFLINE"
                }
                let group = groups[g.pick(201, i, groupCount)].id
                counts[group, default: 0] += 1
                let created = now - 86400 * (30 + g.pick(202, i, 700))
                let agent = Agent(
                    id: "a-" + g.uuid(203, i), userId: "u-" + g.uuid(204, i), emailId: p.email, firstName: p.first,
                    lastName: p.last, nickName: p.first, phoneNumber: g.phone(205, i), onlineStatusType: status,
                    chatLanguageSupport: SmartAssist.english, voiceLanguageSupport: SmartAssist.english,
                    skills: .array([]), desktopLayouts: SmartAssist.defaultLayouts, groups: [group],
                    queues: [queues[g.pick(206, i, queueCount)].id], createdAt: created,
                    updatedAt: created + g.pick(207, i, 86400 * 20), lastOnlineAt: now - g.pick(208, i, 86400 * 3))
                index[agent.id] = agents.count
                agents.append(agent)
            }
            state = Mutex(
                State(
                    agents: agents, index: index, groups: groups, groupIndex: State.index(groups.map(\.id)), groupCounts: counts,
                    queues: queues, queueIndex: State.index(queues.map(\.id)), nextAgent: n + 1,
                    nextGroup: 10204 + groupCount))
        }

        static func date(_ secs: Int) -> JSON { .string(Timestamp.format(secs, .millisZ, millis: secs % 997)) }

        /// `style`: "update" (K1 response), "get" (K3) or "list" (K2).
        static func agentJSON(_ a: Agent, _ s: State, style: String) -> JSON {
            var pairs: [(String, JSON)] = [
                ("status", .string(a.status)), ("agentAffinity", .bool(false)), ("canSupportChat", .bool(a.canSupportChat)),
                ("maxChatSupport", .int(a.maxChatSupport)), ("roleId", .string(a.roleId)),
                ("chatLanguageSupport", a.chatLanguageSupport), ("canSupportVoice", .bool(a.canSupportVoice)),
                ("voiceLanguageSupport", a.voiceLanguageSupport), ("desktopLayouts", a.desktopLayouts),
                ("userId", .string(a.userId)), ("accountId", .string(SmartAssist.accountId)),
                ("createdBy", .string("u-sbx-admin")), ("orgId", .string(SmartAssist.orgId)),
            ]
            let groups = a.groups.compactMap { s.group($0) }
            let groupItems: [JSON] = groups.map { g in
                switch style {
                case "list":
                    return .object([
                        ("groupId", .string(g.id)), ("accessLevel", .string("view")), ("role", .string("agent")),
                        ("groupName", .string(g.name)),
                    ])
                case "get":
                    return .object([("groupId", .string(g.id)), ("role", .string("agent")), ("name", .string(g.name))])
                default:
                    return .object([("groupId", .string(g.id)), ("role", .string("agent"))])
                }
            }
            pairs += [
                ("agentGroups", .array(groupItems)), ("lastOnlineAt", date(a.lastOnlineAt)), ("createdAt", date(a.createdAt)),
                ("updatedAt", date(a.updatedAt)), ("onlineStatus", .string(SmartAssist.onlineStatus[a.onlineStatusType] ?? "Offline")),
                ("onlineStatusType", .string(a.onlineStatusType)), ("id", .string(a.id)), ("emailId", .string(a.emailId)),
                ("firstName", .string(a.firstName)), ("lastName", .string(a.lastName)), ("nickName", .string(a.nickName)),
                ("phoneNumber", .string(a.phoneNumber)), ("profImage", .string(a.profImage)),
                ("sipURI", .string("sip:\(a.userId)@127.0.0.1:5060")), ("skills", a.skills),
            ]
            let queues: [JSON] = a.queues.compactMap { s.queue($0) }.map { q in
                .object([
                    ("id", .string(q.id)), ("name", .string(q.name)), ("description", .string(q.description)),
                    ("isPreferredAgent", .bool(false)),
                ])
            }
            pairs.append(("queues", .array(queues)))
            if style == "get" || style == "list" {
                pairs += [
                    ("isAccountOwner", .bool(false)), ("attachmentsEnabled", .bool(true)), ("emojisEnabled", .bool(true)),
                    ("role", .string(a.role)),
                ]
            }
            if style == "list" { pairs.append(("hoursOfOperationId", .string("ho-sbx-default"))) }
            if style == "get" {
                pairs += [
                    ("customId", .string("")), ("fullName", .string(a.firstName + " " + a.lastName)),
                    ("lFullName", .string((a.firstName + " " + a.lastName).lowercased())),
                ]
            }
            return .object(pairs)
        }

        static func groupJSON(_ g: Group, _ s: State) -> JSON {
            .object([
                ("isDefault", .bool(g.isDefault)), ("isUnassigned", .bool(false)), ("status", .string("ACTIVE")),
                ("name", .string(g.name)), ("description", .string(g.description)), ("iId", .string(SmartAssist.streamId)),
                ("createdBy", .string("u-sbx-admin")), ("orgId", .string(SmartAssist.orgId)), ("lname", .string(g.name.lowercased())),
                ("createdByAId", .string("a-sbx-admin")), ("createdAt", date(g.createdAt)), ("updatedAt", date(g.updatedAt)),
                ("id", .string(g.id)), ("totalAgents", .int(s.groupCounts[g.id] ?? 0)), ("managers", g.managers),
            ])
        }

        /// (offset, limit) from `page`/`skip` and `limit`, or a 400 reply.
        static func paging(_ r: VendorRequest, skip: Bool) throws(ReplyError) -> (Int, Int) {
            let limitText = r.query("limit") ?? "10"
            guard let limit = Int(limitText), (1...100).contains(limit) else {
                throw ReplyError(SmartAssist.error(400, "limit must be an integer from 1 to 100"))
            }
            if skip {
                guard let s = Int(r.query("skip") ?? "0"), s >= 0, s <= 1 << 40 else {
                    throw ReplyError(SmartAssist.error(400, "skip must be a non-negative integer"))
                }
                return (s, limit)
            }
            guard let page = Int(r.query("page") ?? "1"), page >= 1, page <= 1_000_000_000 else {
                throw ReplyError(SmartAssist.error(400, "page must be an integer starting at 1"))
            }
            return ((page - 1) * limit, limit)
        }

        static func envelope(_ items: [JSON], total: Int, offset: Int, limit: Int, skip: Bool) -> JSON {
            let first: (String, JSON) = skip ? ("skip", .int(offset)) : ("page", .int(offset / limit + 1))
            return .object([
                ("results", .array(items)), first, ("limit", .int(limit)), ("hasMore", .bool(offset + items.count < total)),
                ("totalPages", .int((total + limit - 1) / limit)), ("totalResults", .int(total)),
            ])
        }

        // MARK: Agents

        func listAgents(_ r: VendorRequest) -> VendorReply {
            let offset: Int, limit: Int
            do { (offset, limit) = try Store.paging(r, skip: false) } catch { return error.reply }
            return state.withLock { s in
                let page = s.agents.dropFirst(offset).prefix(limit).map { Store.agentJSON($0, s, style: "list") }
                return .ok(Store.envelope(Array(page), total: s.agents.count, offset: offset, limit: limit, skip: false))
            }
        }

        func getAgent(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.index[id] else { return SmartAssist.error(404, "Agent \(id) not found") }
                return .ok(Store.agentJSON(s.agents[i], s, style: "get"))
            }
        }

        static func requireString(_ body: JSON, _ key: String, max: Int? = nil) throws(ReplyError) -> String {
            guard let value = body[key]?.stringValue, !value.isEmpty else {
                throw ReplyError(SmartAssist.error(400, "\(key) is required and must be a string"))
            }
            if let max, value.count > max {
                throw ReplyError(SmartAssist.error(400, "\(key) must be at most \(max) characters"))
            }
            return value
        }

        static func languageList(_ body: JSON, _ key: String) throws(ReplyError) -> JSON {
            guard let items = body[key]?.arrayValue else {
                throw ReplyError(SmartAssist.error(400, "\(key) is required and must be an array"))
            }
            for item in items {
                guard item["language"]?.stringValue != nil, let p = item["proficiency"]?.stringValue, proficiencies.contains(p) else {
                    throw ReplyError(SmartAssist.error(400, "\(key) items need language and proficiency (expert, novice, average, good)"))
                }
                if let active = item["isActive"], active.boolValue == nil {
                    throw ReplyError(SmartAssist.error(400, "\(key).isActive must be a boolean"))
                }
            }
            return .array(items)
        }

        func updateAgent(_ r: VendorRequest, _ id: String) -> VendorReply {
            guard let body = r.json, body.isObject else { return SmartAssist.error(400, "Request body must be a JSON object") }
            var email: String, first: String, last: String, phone: String, chat: JSON, voice: JSON
            do {
                email = try Store.requireString(body, body["emailId"] != nil ? "emailId" : "emaiId")
                first = try Store.requireString(body, "firstName", max: 50)
                last = try Store.requireString(body, "lastName", max: 50)
                phone = try Store.requireString(body, "phoneNumber")
                chat = try Store.languageList(body, "chatLanguageSupport")
                voice = try Store.languageList(body, "voiceLanguageSupport")
            } catch {
                return error.reply
            }
            guard let skills = body["skills"]?.arrayValue else { return SmartAssist.error(400, "skills is required and must be an array") }
            for skill in skills where skill["skillId"]?.stringValue == nil || skill["proficiencyLevel"]?.stringValue == nil {
                return SmartAssist.error(400, "skills items need skillId and proficiencyLevel")
            }
            if let nick = body["nickName"], nick.stringValue.map({ $0.count > 50 }) ?? true {
                return SmartAssist.error(400, "nickName must be a string of at most 50 characters")
            }
            for key in ["canSupportChat", "canSupportVoice"] where body[key] != nil && body[key]?.boolValue == nil {
                return SmartAssist.error(400, "\(key) must be a boolean")
            }
            if let max = body["maxChatSupport"], max.intValue == nil { return SmartAssist.error(400, "maxChatSupport must be a number") }
            let groupId = r.query("groupId") ?? body["agentGroupId"]?.stringValue
            let now = Int(Date().timeIntervalSince1970)
            return state.withLock { s in
                guard let i = s.index[id] else { return SmartAssist.error(404, "Agent \(id) not found") }
                if let groupId, s.group(groupId) == nil {
                    return SmartAssist.error(404, "Agent group \(groupId) not found")
                }
                var a = s.agents[i]
                a.emailId = email
                a.firstName = first
                a.lastName = last
                a.phoneNumber = phone
                a.chatLanguageSupport = chat
                a.voiceLanguageSupport = voice
                a.skills = .array(skills)
                a.nickName = body["nickName"]?.stringValue ?? ""
                a.profImage = body["profImage"]?.stringValue ?? "no-avatar"
                a.canSupportChat = body["canSupportChat"]?.boolValue ?? a.canSupportChat
                a.canSupportVoice = body["canSupportVoice"]?.boolValue ?? a.canSupportVoice
                a.maxChatSupport = body["maxChatSupport"]?.intValue ?? a.maxChatSupport
                a.roleId = body["roleId"]?.stringValue ?? a.roleId
                if let layouts = body["desktopLayouts"]?.arrayValue { a.desktopLayouts = .array(layouts) }
                if let queues = body["queues"]?.arrayValue {
                    a.queues = queues.compactMap { $0["id"]?.stringValue }.filter { s.queue($0) != nil }
                }
                if let groupId, !a.groups.contains(groupId) {
                    a.groups.append(groupId)
                    s.groupCounts[groupId, default: 0] += 1
                }
                a.updatedAt = now
                s.agents[i] = a
                return .ok(Store.agentJSON(a, s, style: "update"))
            }
        }

        func createAgent(_ r: VendorRequest) -> VendorReply {
            guard let body = r.json, body.isObject else { return SmartAssist.error(400, "Request body must be a JSON object") }
            let email: String, first: String, last: String
            do {
                email = try Store.requireString(body, "emailId")
                first = try Store.requireString(body, "firstName", max: 50)
                last = try Store.requireString(body, "lastName", max: 50)
            } catch {
                return error.reply
            }
            let now = Int(Date().timeIntervalSince1970)
            return state.withLock { s in
                if s.agents.contains(where: { $0.emailId.lowercased() == email.lowercased() }) {
                    return SmartAssist.error(400, "An agent with emailId \(email) already exists")
                }
                let n = s.nextAgent
                s.nextAgent += 1
                let agent = Agent(
                    id: "a-" + gen.uuid(203, n), userId: "u-" + gen.uuid(204, n), emailId: email, firstName: first,
                    lastName: last, nickName: body["nickName"]?.stringValue ?? first, phoneNumber: body["phoneNumber"]?.stringValue ?? "",
                    onlineStatusType: "OFFLINE", chatLanguageSupport: SmartAssist.languages("en"),
                    voiceLanguageSupport: SmartAssist.languages("en"), skills: .array([]), desktopLayouts: SmartAssist.defaultLayouts,
                    groups: [], queues: [], createdAt: now, updatedAt: now, lastOnlineAt: now)
                s.index[agent.id] = s.agents.count
                s.agents.append(agent)
                return .ok(Store.agentJSON(agent, s, style: "get"))
            }
        }

        func deleteAgent(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.index[id] else { return SmartAssist.error(404, "Agent \(id) not found") }
                let agent = s.agents.remove(at: i)
                let json = Store.agentJSON(agent, s, style: "get")
                for g in agent.groups { s.groupCounts[g, default: 1] -= 1 }
                s.index[id] = nil
                for k in i..<s.agents.count { s.index[s.agents[k].id] = k }
                return .ok(json)
            }
        }

        // MARK: Agent groups

        func listGroups(_ r: VendorRequest) -> VendorReply {
            let offset: Int, limit: Int
            do { (offset, limit) = try Store.paging(r, skip: true) } catch { return error.reply }
            return state.withLock { s in
                let page = s.groups.dropFirst(offset).prefix(limit).map { Store.groupJSON($0, s) }
                return .ok(Store.envelope(Array(page), total: s.groups.count, offset: offset, limit: limit, skip: true))
            }
        }

        static func managers(_ body: JSON) throws(ReplyError) -> JSON? {
            guard let value = body["managers"] else { return nil }
            guard let items = value.arrayValue else {
                throw ReplyError(SmartAssist.error(400, "managers must be an array"))
            }
            for m in items {
                guard m["userId"]?.stringValue != nil, let level = m["accessLevel"]?.stringValue, level == "full" || level == "view" else {
                    throw ReplyError(SmartAssist.error(400, "managers items need userId and accessLevel (full or view)"))
                }
            }
            return .array(items)
        }

        static func echo(_ g: Group) -> JSON {
            .object([
                ("id", .string(g.id)), ("name", .string(g.name)), ("description", .string(g.description)), ("managers", g.managers),
            ])
        }

        func createGroup(_ r: VendorRequest) -> VendorReply {
            guard let body = r.json, body.isObject else { return SmartAssist.error(400, "Request body must be a JSON object") }
            let name: String, description: String, managers: JSON?
            do {
                name = try Store.requireString(body, "name", max: 50)
                description = try Store.requireString(body, "description", max: 50)
                managers = try Store.managers(body)
            } catch {
                return error.reply
            }
            let now = Int(Date().timeIntervalSince1970)
            return state.withLock { s in
                let g = Group(
                    id: "ag-" + String(s.nextGroup), name: name, description: description, managers: managers ?? .array([]),
                    createdAt: now, updatedAt: now, isDefault: false)
                s.nextGroup += 1
                s.groups.append(g)
                return .ok(Store.echo(g))
            }
        }

        func updateGroup(_ r: VendorRequest, _ id: String) -> VendorReply {
            guard let body = r.json, body.isObject else { return SmartAssist.error(400, "Request body must be a JSON object") }
            let name: String, description: String, managers: JSON?
            do {
                name = try Store.requireString(body, "name", max: 50)
                description = try Store.requireString(body, "description", max: 50)
                managers = try Store.managers(body)
            } catch {
                return error.reply
            }
            return state.withLock { s in
                guard let i = s.groupIndex[id] else { return SmartAssist.error(404, "Agent group \(id) not found") }
                s.groups[i].name = name
                s.groups[i].description = description
                if let managers { s.groups[i].managers = managers }
                s.groups[i].updatedAt = Int(Date().timeIntervalSince1970)
                return .ok(Store.echo(s.groups[i]))
            }
        }

        func deleteGroup(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.groupIndex[id] else { return SmartAssist.error(404, "Agent group \(id) not found") }
                let g = s.groups.remove(at: i)
                if s.groupCounts[id, default: 0] > 0 {
                    for k in s.agents.indices where s.agents[k].groups.contains(id) { s.agents[k].groups.removeAll { $0 == id } }
                }
                s.groupCounts[id] = nil
                return .ok(Store.echo(g))
            }
        }

        // MARK: Queues

        func listQueues(_ r: VendorRequest) -> VendorReply {
            let offset: Int, limit: Int
            do { (offset, limit) = try Store.paging(r, skip: false) } catch { return error.reply }
            return state.withLock { s in
                let page = s.queues.dropFirst(offset).prefix(limit).map { q -> JSON in
                    let members: [JSON] = s.agents.filter { $0.queues.contains(q.id) }.map { a in
                        .object([
                            ("userId", .string(a.userId)), ("name", .string(a.firstName + " " + a.lastName)),
                            ("isPreferredAgent", .bool(false)), ("hoursOfOperation", .null), ("skills", a.skills),
                        ])
                    }
                    return .object([
                        ("isActive", .bool(true)), ("isDefault", .bool(q.isDefault)), ("name", .string(q.name)),
                        ("isAdvancedRoutingEnabled", .bool(false)), ("description", .string(q.description)),
                        ("orgId", .string(SmartAssist.orgId)), ("createdBy", .string("u-sbx-admin")), ("id", .string(q.id)),
                        ("hoursOfOperation", .null), ("agents", .array(members)), ("skills", .array([])),
                        ("agentGroups", .array([])), ("sourceAgentGroups", .array([])), ("advancedSettings", .object([])),
                    ])
                }
                return .ok(Store.envelope(Array(page), total: s.queues.count, offset: offset, limit: limit, skip: false))
            }
        }
    }
}
