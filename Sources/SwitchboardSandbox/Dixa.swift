import Foundation
import Synchronization

/// Dixa emulator (seed: `dixa-conversations-api.txt`, spec: `specs/dixa-api-beta.openapi.yaml`
/// with `/beta` served as `/v1`; notes: vendor-notes.md §2.4, §3.1, §4.3).
///
/// Auth `Authorization: KEY` (no scheme word; `Bearer KEY` is refused). Bodies `{"data": ...}`;
/// paged lists add `"meta": {"previous", "next"}` (absolute URLs; absent keys are omitted);
/// errors `{"message": ...}` with the documented texts; actions answer 204 with no body. Dates
/// per endpoint: `...Z` (agents, end users, conversations, ratings), `...581Z[GMT]` (notes,
/// messages, activity logs, anonymization), no zone (presence). `GET /v1/agents/presence` is a
/// bare array. Every 2xx body validates against the spec (see the tests).
///
/// Served (`/v1/...`): agents (list, create, get, put, patch, delete, presence, agent presence,
/// agent teams); teams (list, create, get, delete, members get/patch/delete, presence);
/// queues (list, get, members get/patch/delete); tags (list, create, get, activate,
/// deactivate); endusers (list, create, get, put, patch, their conversations); conversations
/// (get, messages, notes get/post, tags get, tag put/delete, ratings and rating, claim, close,
/// reopen, transfer/queue, anonymize, activity log); org activity log; search.
///
/// Sandbox policy where the vendor documents none:
/// - Paging: `pageLimit` default 100, 1...1000; `pageKey` is base64 of `offset=N`. A bad
///   value is 400 "Invalid value for: query parameter pageLimit" (or pageKey).
/// - 400 texts: body that is not JSON: "Decoding failure in request"; missing or mistyped
///   field: "Invalid value for: body"; non-integer conversation id: "Invalid value for: path
///   parameter conversationId"; plus "Agent was not found", "User not found", "Queue does not
///   exist", "Invalid date format" where the seed lists them. 401: "User is unauthorized to
///   perform an underlying operation". 404: "The requested resource could not be found". 500:
///   "There was an internal server error while processing the request". 405 and 429 (policy)
///   use the same shape.
/// - Claim: `force` defaults to false; a conversation assigned to another agent without force
///   is 409 "Conversation is already assigned to another agent".
/// - Anonymize a conversation that is not closed, without `force=true`: 409. With force it is
///   closed first. After it, GET answers the anonymized shape (with `anonymizedAt`).
/// - Tagging needs an active tag (400 "Tag is not active" otherwise); untag accepts any tag.
/// - Queue member PATCH takes at most 10 `agentIds` (400 otherwise) and answers per-agent
///   `BulkActionSuccess`/`BulkActionFailure` (`NotFound`) at 200; team member PATCH answers
///   200 with no body, DELETE 204.
/// - Creating an agent or end user with an email that exists: 400 "Invalid value for: body".
///   `POST /v1/tags` with an existing name returns that tag (200), as documented.
/// - DELETE agent removes it from agents, teams and queues (the real API downgrades it to an
///   end user).
///
/// Data: agents (N, UUIDs), presence about a third Online+Working, the rest Online+Away or
/// Offline; teams max(3, N/10) (first "Sales"); queues max(2, N/20) (first is default); six tags
/// ("billing" ... ; "legacy" inactive); end users N; conversations 1001...1000+N (WidgetChat)
/// with three messages each, ratings on a third. The API key belongs to agent 1.
struct Dixa: VendorEmulator {
    static let apiKey = "sbx-dixa-key"
    let name = "dixa"
    static let credentials = ["api_key": Dixa.apiKey]
    let routes: RouteTable

    init(generator: DataGenerator, agents: Int) {
        let s = Store(generator: generator, agentCount: agents)
        func conv(_ handler: @escaping @Sendable (VendorRequest, Int) -> VendorReply) -> @Sendable (VendorRequest, PathParams) -> VendorReply {
            { r, a in
                guard let id = a["conversationId"].flatMap({ Int($0) }) else {
                    return Dixa.message(400, "Invalid value for: path parameter conversationId")
                }
                return handler(r, id)
            }
        }
        let c = "/v1/conversations/{conversationId}"
        routes = RouteTable(routes: [
            Route("GET", "/v1/agents") { r, _ in s.listAgents(r) },
            Route("POST", "/v1/agents") { r, _ in s.createAgent(r) },
            Route("GET", "/v1/agents/presence") { _, _ in s.presenceList() },
            Route("GET", "/v1/agents/{agentId}") { _, a in s.getAgent(a["agentId"] ?? "") },
            Route("PUT", "/v1/agents/{agentId}") { r, a in s.updateAgent(r, a["agentId"] ?? "", replace: true) },
            Route("PATCH", "/v1/agents/{agentId}") { r, a in s.updateAgent(r, a["agentId"] ?? "", replace: false) },
            Route("DELETE", "/v1/agents/{agentId}") { _, a in s.deleteAgent(a["agentId"] ?? "") },
            Route("GET", "/v1/agents/{agentId}/presence") { _, a in s.agentPresence(a["agentId"] ?? "") },
            Route("GET", "/v1/agents/{agentId}/teams") { _, a in s.agentTeams(a["agentId"] ?? "") },
            Route("GET", "/v1/teams") { _, _ in s.listTeams() },
            Route("POST", "/v1/teams") { r, _ in s.createTeam(r) },
            Route("GET", "/v1/teams/{teamId}") { _, a in s.getTeam(a["teamId"] ?? "") },
            Route("DELETE", "/v1/teams/{teamId}") { _, a in s.deleteTeam(a["teamId"] ?? "") },
            Route("GET", "/v1/teams/{teamId}/agents") { _, a in s.teamMembers(a["teamId"] ?? "") },
            Route("PATCH", "/v1/teams/{teamId}/agents") { r, a in s.changeTeam(r, a["teamId"] ?? "", add: true) },
            Route("DELETE", "/v1/teams/{teamId}/agents") { r, a in s.changeTeam(r, a["teamId"] ?? "", add: false) },
            Route("GET", "/v1/teams/{teamId}/presence") { r, a in s.teamPresence(r, a["teamId"] ?? "") },
            Route("GET", "/v1/queues") { _, _ in s.listQueues() },
            Route("GET", "/v1/queues/{queueId}") { _, a in s.getQueue(a["queueId"] ?? "") },
            Route("GET", "/v1/queues/{queueId}/members") { _, a in s.queueMembers(a["queueId"] ?? "") },
            Route("PATCH", "/v1/queues/{queueId}/members") { r, a in s.addQueueMembers(r, a["queueId"] ?? "") },
            Route("DELETE", "/v1/queues/{queueId}/members") { r, a in s.removeQueueMembers(r, a["queueId"] ?? "") },
            Route("GET", "/v1/tags") { r, _ in s.listTags(r) },
            Route("POST", "/v1/tags") { r, _ in s.createTag(r) },
            Route("GET", "/v1/tags/{tagId}") { _, a in s.getTag(a["tagId"] ?? "") },
            Route("PATCH", "/v1/tags/{tagId}/activate") { _, a in s.setTag(a["tagId"] ?? "", active: true) },
            Route("PATCH", "/v1/tags/{tagId}/deactivate") { _, a in s.setTag(a["tagId"] ?? "", active: false) },
            Route("GET", "/v1/endusers") { r, _ in s.listEndUsers(r) },
            Route("POST", "/v1/endusers") { r, _ in s.createEndUser(r) },
            Route("GET", "/v1/endusers/{userId}") { _, a in s.getEndUser(a["userId"] ?? "") },
            Route("PUT", "/v1/endusers/{userId}") { r, a in s.updateEndUser(r, a["userId"] ?? "", replace: true) },
            Route("PATCH", "/v1/endusers/{userId}") { r, a in s.updateEndUser(r, a["userId"] ?? "", replace: false) },
            Route("GET", "/v1/endusers/{userId}/conversations") { r, a in s.endUserConversations(r, a["userId"] ?? "") },
            Route("GET", "/v1/conversations/activitylog") { r, _ in s.orgActivityLog(r) },
            Route("GET", c, conv { _, id in s.getConversation(id) }),
            Route("GET", c + "/messages", conv { _, id in s.messages(id) }),
            Route("GET", c + "/notes", conv { _, id in s.notes(id) }),
            Route("POST", c + "/notes", conv { r, id in s.addNote(r, id) }),
            Route("GET", c + "/tags", conv { _, id in s.conversationTags(id) }),
            Route("PUT", c + "/tags/{tagId}", conv { r, id in s.tag(id, r.path, add: true) }),
            Route("DELETE", c + "/tags/{tagId}", conv { r, id in s.tag(id, r.path, add: false) }),
            Route("GET", c + "/ratings", conv { _, id in s.ratings(id) }),
            Route("GET", c + "/rating", conv { _, id in s.ratings(id) }),
            Route("GET", c + "/activitylog", conv { _, id in s.conversationActivityLog(id) }),
            Route("PUT", c + "/claim", conv { r, id in s.claim(r, id) }),
            Route("PUT", c + "/close", conv { r, id in s.setState(r, id, to: "Closed") }),
            Route("PUT", c + "/reopen", conv { r, id in s.setState(r, id, to: "Open") }),
            Route("PUT", c + "/transfer/queue", conv { r, id in s.transfer(r, id) }),
            Route("PATCH", c + "/anonymize", conv { r, id in s.anonymize(r, id) }),
            Route("GET", "/v1/search/conversations") { r, _ in s.search(r) },
        ])
    }

    func authorized(_ request: VendorRequest) -> Bool {
        request.header("authorization") == Dixa.apiKey
    }

    func error(_ status: Int, _ message: String) -> VendorReply {
        switch status {
        case 401: return Dixa.message(401, "User is unauthorized to perform an underlying operation")
        case 404: return Dixa.message(404, "The requested resource could not be found")
        case 500: return Dixa.message(500, "There was an internal server error while processing the request")
        default: return Dixa.message(status, message)
        }
    }

    static func message(_ status: Int, _ text: String) -> VendorReply {
        .json(status, .object([("message", .string(text))]))
    }

    static let notFound = message(404, "The requested resource could not be found")
    static let badBody = message(400, "Invalid value for: body")
    static let undecodable = message(400, "Decoding failure in request")
}

extension Dixa {
    struct Agent {
        var id: String
        var createdAt: Int
        var displayName: String
        var email: String
        var phoneNumber: String?
        var firstName: String?
        var lastName: String?
        var avatarUrl: String?
        var roles: [String]
        var presence: Presence
    }

    struct Team {
        var id: String
        var name: String
        var members: [String]
    }

    struct Queue {
        var id: String
        var name: String
        var isDefault: Bool
        var members: [String]
    }

    struct Tag {
        var id: String
        var name: String
        var color: String?
        var active: Bool
    }

    struct EndUser {
        var id: String
        var createdAt: Int
        var displayName: String?
        var email: String?
        var phoneNumber: String?
        var firstName: String?
        var lastName: String?
        var avatarUrl: String?
        var externalId: String?
    }

    struct Note {
        var id: String
        var authorId: String
        var createdAt: Int
        var message: String
    }

    struct Conversation {
        var id: Int
        var requesterId: String
        var createdAt: Int
        var state: String
        var stateUpdatedAt: Int
        var agentId: String?
        var assignedAt: Int?
        var queueId: String?
        var topic: Int
        var tags: [String]
        var notes: [Note]
        var anonymizedAt: Int?
    }

    struct State {
        var agents: [Agent]
        var agentIndex: [String: Int]
        var teams: [Team]
        var queues: [Queue]
        var tags: [Tag]
        var endUsers: [EndUser]
        var endUserIndex: [String: Int]
        var conversations: [Conversation]
        var created: Int
    }

    /// Shared by generated agents (one buffer, not one per agent).
    static let agentRole = ["Agent"]
    static let topics = ["refund", "delivery", "invoice", "password", "upgrade"]
    static let tagNames = ["billing", "refund", "shipping", "vip", "complaint", "legacy"]
    static let firstConversation = 1001

    final class Store: Sendable {
        let gen: DataGenerator
        let state: Mutex<State>

        init(generator g: DataGenerator, agentCount n: Int) {
            gen = g
            let now = g.anchor
            var agents: [Agent] = []
            agents.reserveCapacity(n)
            var index: [String: Int] = [:]
            index.reserveCapacity(n)
            for i in 1...n {
                let p = g.person(i)
                let a = Agent(
                    id: g.uuid(300, i), createdAt: now - 86400 * (30 + g.pick(301, i, 700)), displayName: p.full, email: p.email,
                    phoneNumber: "+" + g.phone(302, i), firstName: p.first, lastName: p.last, avatarUrl: nil,
                    roles: i == 1 ? ["Admin", "Agent"] : Dixa.agentRole, presence: g.presence(i))
                index[a.id] = agents.count
                agents.append(a)
            }
            let teamCount = max(3, n / 10)
            var teams = (0..<teamCount).map { k in
                Team(id: g.uuid(310, k), name: k == 0 ? "Sales" : k == 1 ? "Support" : "Team \(k + 1)", members: [])
            }
            let queueCount = max(2, n / 20)
            var queues = (0..<queueCount).map { k in
                Queue(id: g.uuid(320, k), name: k == 0 ? "Default queue" : "Queue \(k + 1)", isDefault: k == 0, members: [])
            }
            for (i, a) in agents.enumerated() {
                teams[g.pick(311, i, teamCount)].members.append(a.id)
                queues[g.pick(321, i, queueCount)].members.append(a.id)
            }
            let colors = ["#FF0000", "#00AA00", "#0000FF", "#FFAA00", "#AA00AA", "#777777"]
            let tags = Dixa.tagNames.enumerated().map { k, name in
                Tag(id: g.uuid(330, k), name: name, color: colors[k], active: name != "legacy")
            }
            var users: [EndUser] = []
            users.reserveCapacity(n)
            var userIndex: [String: Int] = [:]
            userIndex.reserveCapacity(n)
            for i in 1...n {
                let c = g.customer(i)
                let u = EndUser(
                    id: g.uuid(340, i), createdAt: now - 86400 * (1 + g.pick(341, i, 900)), displayName: c.full, email: c.email,
                    phoneNumber: "+" + g.phone(342, i), firstName: c.first, lastName: c.last, avatarUrl: nil,
                    externalId: "ext-" + String(i))
                userIndex[u.id] = users.count
                users.append(u)
            }
            var conversations: [Conversation] = []
            conversations.reserveCapacity(n)
            let states = ["Open", "Pending", "Closed", "Closed"]
            for i in 0..<n {
                let created = now - g.pick(350, i, 30 * 86400)
                let state = states[g.pick(351, i, 4)]
                let assigned = state != "Pending" || g.pick(352, i, 2) == 0
                let tagged = g.pick(353, i, 3) == 0
                conversations.append(
                    Conversation(
                        id: Dixa.firstConversation + i, requesterId: users[g.pick(354, i, n)].id, createdAt: created,
                        state: state, stateUpdatedAt: created + 60 + g.pick(355, i, 7200),
                        agentId: assigned ? agents[g.pick(356, i, n)].id : nil, assignedAt: assigned ? created + 30 : nil,
                        queueId: queues[g.pick(357, i, queueCount)].id, topic: g.pick(358, i, Dixa.topics.count),
                        tags: tagged ? [tags[g.pick(359, i, 5)].id] : [], notes: [], anonymizedAt: nil))
            }
            state = Mutex(
                State(
                    agents: agents, agentIndex: index, teams: teams, queues: queues, tags: tags, endUsers: users,
                    endUserIndex: userIndex, conversations: conversations, created: 0))
        }

        static func z(_ secs: Int) -> JSON { .string(Timestamp.format(secs, .z)) }
        static func gmt(_ secs: Int) -> JSON { .string(Timestamp.format(secs, .millisZGMT, millis: secs % 997)) }
        static func data(_ value: JSON) -> JSON { .object([("data", value)]) }

        /// Appends `key: value` when value is non-nil (the spec has optional, non-nullable fields).
        static func opt(_ pairs: inout [(String, JSON)], _ key: String, _ value: String?) {
            if let value { pairs.append((key, .string(value))) }
        }

        // MARK: Paging

        struct Page {
            let offset: Int
            let limit: Int
        }

        static func page(_ r: VendorRequest) throws(ReplyError) -> Page {
            var limit = 100
            if let text = r.query("pageLimit") {
                guard let v = Int(text), (1...1000).contains(v) else {
                    throw ReplyError(Dixa.message(400, "Invalid value for: query parameter pageLimit"))
                }
                limit = v
            }
            var offset = 0
            if let key = r.query("pageKey") {
                guard let decoded = Data(base64Encoded: key).map({ String(decoding: $0, as: UTF8.self) }), decoded.hasPrefix("offset="),
                    let v = Int(decoded.dropFirst(7)), v >= 0, v <= 1 << 40
                else {
                    throw ReplyError(Dixa.message(400, "Invalid value for: query parameter pageKey"))
                }
                offset = v
            }
            return Page(offset: offset, limit: limit)
        }

        /// `{"data": items, "meta": {"previous"?, "next"?}}` with absolute links that keep the
        /// request's other query parameters.
        static func paged(_ items: [JSON], total: Int, page: Page, request r: VendorRequest) -> VendorReply {
            let keep = r.queryItems.filter { $0.0 != "pageKey" && $0.0 != "pageLimit" }
            func link(_ offset: Int) -> JSON {
                var query = keep.map { k, v in k + "=" + (v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v) }
                query.append("pageLimit=\(page.limit)")
                query.append("pageKey=" + Data("offset=\(offset)".utf8).base64EncodedString())
                return .string("http://\(r.host)\(r.path)?" + query.joined(separator: "&"))
            }
            var meta: [(String, JSON)] = []
            if page.offset > 0 { meta.append(("previous", link(max(0, page.offset - page.limit)))) }
            if page.offset + page.limit < total { meta.append(("next", link(page.offset + page.limit))) }
            return .ok(.object([("data", .array(items)), ("meta", .object(meta))]))
        }

        /// The JSON object body, or the documented 400.
        static func body(_ r: VendorRequest) throws(ReplyError) -> JSON {
            guard let json = r.json else { throw ReplyError(Dixa.undecodable) }
            guard json.isObject else { throw ReplyError(Dixa.badBody) }
            return json
        }

        static func uuidList(_ body: JSON) -> [String]? {
            guard let items = body["agentIds"]?.arrayValue else { return nil }
            let ids = items.compactMap(\.stringValue)
            return ids.count == items.count ? ids : nil
        }

        // MARK: Agents

        static func agentJSON(_ a: Agent) -> JSON {
            var pairs: [(String, JSON)] = [
                ("id", .string(a.id)), ("createdAt", z(a.createdAt)), ("displayName", .string(a.displayName)),
                ("email", .string(a.email)),
            ]
            opt(&pairs, "avatarUrl", a.avatarUrl)
            opt(&pairs, "phoneNumber", a.phoneNumber)
            pairs.append(("additionalEmails", .array([])))
            pairs.append(("additionalPhoneNumbers", .array([])))
            opt(&pairs, "firstName", a.firstName)
            opt(&pairs, "lastName", a.lastName)
            pairs.append(("middleNames", .array([])))
            pairs.append(("roles", .array(a.roles.map(JSON.string))))
            return .object(pairs)
        }

        func listAgents(_ r: VendorRequest) -> VendorReply {
            let page: Page
            do { page = try Store.page(r) } catch { return error.reply }
            let email = r.query("email")?.lowercased()
            let phone = r.query("phone")
            return state.withLock { s in
                var list: ArraySlice<Agent> = s.agents[...]
                if email != nil || phone != nil {
                    list = s.agents.filter { a in
                        (email == nil || a.email.lowercased() == email) && (phone == nil || a.phoneNumber == phone)
                    }[...]
                }
                let items = list.dropFirst(page.offset).prefix(page.limit).map(Store.agentJSON)
                return Store.paged(Array(items), total: list.count, page: page, request: r)
            }
        }

        func getAgent(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.agentIndex[id] else { return Dixa.notFound }
                return .ok(Store.data(Store.agentJSON(s.agents[i])))
            }
        }

        /// Applies the writable agent fields; false when a field has the wrong type.
        static func apply(_ body: JSON, to a: inout Agent) -> Bool {
            if let value = body["displayName"] {
                guard let text = value.stringValue, !text.isEmpty else { return false }
                a.displayName = text
            }
            let optional: [(String, WritableKeyPath<Agent, String?>)] = [
                ("phoneNumber", \.phoneNumber), ("firstName", \.firstName), ("lastName", \.lastName), ("avatarUrl", \.avatarUrl),
            ]
            return applyStrings(body, optional, to: &a)
        }

        /// Sets the optional string fields present in `body` (null clears one) and checks the
        /// string-list fields agents and end users share; false when a field has the wrong type.
        static func applyStrings<T>(_ body: JSON, _ fields: [(String, WritableKeyPath<T, String?>)], to value: inout T) -> Bool {
            for (key, path) in fields {
                guard let field = body[key] else { continue }
                if field.isNull { value[keyPath: path] = nil; continue }
                guard let text = field.stringValue else { return false }
                value[keyPath: path] = text
            }
            for key in ["additionalEmails", "additionalPhoneNumbers", "middleNames"] {
                if let field = body[key], field.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true { return false }
            }
            return true
        }

        func createAgent(_ r: VendorRequest) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let name = body["displayName"]?.stringValue, !name.isEmpty, let email = body["email"]?.stringValue,
                email.contains("@")
            else { return Dixa.badBody }
            return state.withLock { s in
                if s.agents.contains(where: { $0.email.lowercased() == email.lowercased() }) { return Dixa.badBody }
                s.created += 1
                var a = Agent(
                    id: gen.uuid(390, s.created), createdAt: Int(Date().timeIntervalSince1970), displayName: name, email: email,
                    phoneNumber: nil, firstName: nil, lastName: nil, avatarUrl: nil, roles: ["Agent"], presence: .offline)
                guard Store.apply(body, to: &a) else { return Dixa.badBody }
                s.agentIndex[a.id] = s.agents.count
                s.agents.append(a)
                return .json(201, Store.data(Store.agentJSON(a)))
            }
        }

        func updateAgent(_ r: VendorRequest, _ id: String, replace: Bool) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            if replace && body["displayName"]?.stringValue == nil { return Dixa.badBody }
            return state.withLock { s in
                guard let i = s.agentIndex[id] else { return Dixa.notFound }
                var a = s.agents[i]
                if replace {
                    a.phoneNumber = nil
                    a.firstName = nil
                    a.lastName = nil
                    a.avatarUrl = nil
                }
                guard Store.apply(body, to: &a) else { return Dixa.badBody }
                s.agents[i] = a
                return .ok(Store.data(Store.agentJSON(a)))
            }
        }

        func deleteAgent(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.agentIndex[id] else { return Dixa.notFound }
                s.agents.remove(at: i)
                s.agentIndex[id] = nil
                for k in i..<s.agents.count { s.agentIndex[s.agents[k].id] = k }
                for t in s.teams.indices { s.teams[t].members.removeAll { $0 == id } }
                for q in s.queues.indices { s.queues[q].members.removeAll { $0 == id } }
                return .noContent
            }
        }

        func presenceJSON(_ a: Agent) -> JSON {
            let now = Int(Date().timeIntervalSince1970)
            let online = a.presence != .offline
            var pairs: [(String, JSON)] = [
                ("userId", .string(a.id)),
                ("requestTime", .string(Timestamp.format(now, .millisNoZone, millis: now % 1000))),
                ("lastSeen", .string(Timestamp.format(online ? now - 5 : gen.anchor - 3600 * 5, .millisNoZone, millis: 935))),
                ("presenceStatus", .string(a.presence == .available ? "Working" : "Away")),
                ("connectionStatus", .string(online ? "Online" : "Offline")),
            ]
            pairs.append(("activeChannels", .array(a.presence == .available ? [.string("WidgetChat"), .string("Email")] : [])))
            return .object(pairs)
        }

        func presenceList() -> VendorReply {
            // Streamed: at 100,000 agents the JSON tree of the whole answer took 494 MB.
            let agents = state.withLock { $0.agents }
            return .streamedArray(agents) { [self] in presenceJSON($0) }
        }

        func agentPresence(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.agentIndex[id] else { return Dixa.notFound }
                return .ok(Store.data(presenceJSON(s.agents[i])))
            }
        }

        func agentTeams(_ id: String) -> VendorReply {
            state.withLock { s in
                guard s.agentIndex[id] != nil else { return Dixa.notFound }
                let teams = s.teams.filter { $0.members.contains(id) }.map { JSON.object([("id", .string($0.id))]) }
                return .ok(Store.data(.array(teams)))
            }
        }

        // MARK: Teams

        static func teamJSON(_ t: Team) -> JSON { .object([("id", .string(t.id)), ("name", .string(t.name))]) }

        func listTeams() -> VendorReply {
            state.withLock { s in .ok(Store.data(.array(s.teams.map(Store.teamJSON)))) }
        }

        func createTeam(_ r: VendorRequest) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let name = body["name"]?.stringValue, !name.isEmpty else { return Dixa.badBody }
            return state.withLock { s in
                s.created += 1
                let t = Team(id: gen.uuid(391, s.created), name: name, members: [])
                s.teams.append(t)
                return .json(201, Store.data(Store.teamJSON(t)))
            }
        }

        func getTeam(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let t = s.teams.first(where: { $0.id == id }) else { return Dixa.notFound }
                return .ok(Store.data(Store.teamJSON(t)))
            }
        }

        func deleteTeam(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.teams.firstIndex(where: { $0.id == id }) else { return Dixa.notFound }
                s.teams.remove(at: i)
                return .noContent
            }
        }

        func teamMembers(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let t = s.teams.first(where: { $0.id == id }) else { return Dixa.notFound }
                let members: [JSON] = t.members.compactMap { s.agentIndex[$0] }.map { i in
                    let a = s.agents[i]
                    var pairs: [(String, JSON)] = [("id", .string(a.id)), ("name", .string(a.displayName)), ("email", .string(a.email))]
                    Store.opt(&pairs, "phoneNumber", a.phoneNumber)
                    return .object(pairs)
                }
                return .ok(Store.data(.array(members)))
            }
        }

        func changeTeam(_ r: VendorRequest, _ id: String, add: Bool) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let ids = Store.uuidList(body) else { return Dixa.badBody }
            return state.withLock { s in
                guard let t = s.teams.firstIndex(where: { $0.id == id }) else { return Dixa.notFound }
                guard ids.allSatisfy({ s.agentIndex[$0] != nil }) else { return Dixa.message(400, "Agent was not found") }
                if add {
                    for agent in ids where !s.teams[t].members.contains(agent) { s.teams[t].members.append(agent) }
                    return VendorReply(status: 200, body: nil)
                }
                s.teams[t].members.removeAll { ids.contains($0) }
                return .noContent
            }
        }

        func teamPresence(_ r: VendorRequest, _ id: String) -> VendorReply {
            let page: Page
            do { page = try Store.page(r) } catch { return error.reply }
            return state.withLock { s in
                guard let t = s.teams.first(where: { $0.id == id }) else { return Dixa.notFound }
                let members = t.members.compactMap { s.agentIndex[$0] }
                let items = members.dropFirst(page.offset).prefix(page.limit).map { presenceJSON(s.agents[$0]) }
                return Store.paged(Array(items), total: members.count, page: page, request: r)
            }
        }

        // MARK: Queues

        static func queueJSON(_ q: Queue) -> JSON {
            .object([
                ("id", .string(q.id)), ("name", .string(q.name)), ("isDefault", .bool(q.isDefault)),
                ("organizationId", .string("0f3d3c1e-5b2a-4c6e-9d8f-sandbox00001")),
                ("queueThresholds", .object([("SlaTimeLimit", .int(300)), ("WaitingConversations", .int(20))])),
                ("slaCalculationMethod", .string("AbandonedIgnored")), ("offerTimeout", .int(30)),
                ("offeringAlgorithm", .string("AllAtOnce")), ("memberListType", .string("Default")),
                ("wrapupTimeout", .int(0)), ("priority", .int(q.isDefault ? 0 : 1)), ("offerAbandonedConversations", .bool(false)),
                ("doNotOfferTimeouts", .object([])), ("isDoNotOfferEnabled", .bool(false)), ("isPreferredAgentEnabled", .bool(false)),
            ])
        }

        func listQueues() -> VendorReply {
            state.withLock { s in .ok(Store.data(.array(s.queues.map(Store.queueJSON)))) }
        }

        func getQueue(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let q = s.queues.first(where: { $0.id == id }) else { return Dixa.notFound }
                return .ok(Store.data(Store.queueJSON(q)))
            }
        }

        func queueMembers(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let q = s.queues.first(where: { $0.id == id }) else { return Dixa.notFound }
                let members = q.members.map { JSON.object([("agentId", .string($0)), ("priority", .int(1))]) }
                return .ok(Store.data(.array(members)))
            }
        }

        func addQueueMembers(_ r: VendorRequest, _ id: String) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let ids = Store.uuidList(body), !ids.isEmpty, ids.count <= 10 else { return Dixa.badBody }
            return state.withLock { s in
                guard let q = s.queues.firstIndex(where: { $0.id == id }) else { return Dixa.notFound }
                var outcomes: [JSON] = []
                for agent in ids {
                    if s.agentIndex[agent] == nil {
                        outcomes.append(
                            .object([
                                (
                                    "error",
                                    .object([
                                        ("id", .string(agent)), ("message", .string("Agent \(agent) was not found")),
                                        ("_type", .string("NotFound")),
                                    ])
                                ), ("_type", .string("BulkActionFailure")),
                            ]))
                        continue
                    }
                    if !s.queues[q].members.contains(agent) { s.queues[q].members.append(agent) }
                    outcomes.append(.object([("data", .string(agent)), ("_type", .string("BulkActionSuccess"))]))
                }
                return .ok(Store.data(.array(outcomes)))
            }
        }

        func removeQueueMembers(_ r: VendorRequest, _ id: String) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let ids = Store.uuidList(body), ids.count <= 10 else { return Dixa.badBody }
            return state.withLock { s in
                guard let q = s.queues.firstIndex(where: { $0.id == id }) else { return Dixa.notFound }
                s.queues[q].members.removeAll { ids.contains($0) }
                return .noContent
            }
        }

        // MARK: Tags

        static func tagJSON(_ t: Tag) -> JSON {
            var pairs: [(String, JSON)] = [("id", .string(t.id)), ("name", .string(t.name))]
            opt(&pairs, "color", t.color)
            pairs.append(("state", .string(t.active ? "Active" : "Inactive")))
            return .object(pairs)
        }

        func listTags(_ r: VendorRequest) -> VendorReply {
            let all = r.query("includeDeactivated") == "true"
            return state.withLock { s in
                .ok(Store.data(.array(s.tags.filter { all || $0.active }.map(Store.tagJSON))))
            }
        }

        func createTag(_ r: VendorRequest) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let name = body["name"]?.stringValue, !name.isEmpty else { return Dixa.badBody }
            if let color = body["color"], color.stringValue == nil { return Dixa.badBody }
            return state.withLock { s in
                if let existing = s.tags.first(where: { $0.name.lowercased() == name.lowercased() }) {
                    return .ok(Store.data(Store.tagJSON(existing)))
                }
                s.created += 1
                let t = Tag(id: gen.uuid(392, s.created), name: name, color: body["color"]?.stringValue, active: true)
                s.tags.append(t)
                return .ok(Store.data(Store.tagJSON(t)))
            }
        }

        func getTag(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let t = s.tags.first(where: { $0.id == id }) else { return Dixa.notFound }
                return .ok(Store.data(Store.tagJSON(t)))
            }
        }

        func setTag(_ id: String, active: Bool) -> VendorReply {
            state.withLock { s in
                guard let i = s.tags.firstIndex(where: { $0.id == id }) else { return Dixa.notFound }
                s.tags[i].active = active
                return .noContent
            }
        }

        // MARK: End users

        static func endUserJSON(_ u: EndUser) -> JSON {
            var pairs: [(String, JSON)] = [("id", .string(u.id)), ("createdAt", z(u.createdAt))]
            opt(&pairs, "displayName", u.displayName)
            opt(&pairs, "email", u.email)
            opt(&pairs, "phoneNumber", u.phoneNumber)
            pairs.append(("additionalEmails", .array([])))
            pairs.append(("additionalPhoneNumbers", .array([])))
            opt(&pairs, "firstName", u.firstName)
            opt(&pairs, "lastName", u.lastName)
            pairs.append(("middleNames", .array([])))
            opt(&pairs, "avatarUrl", u.avatarUrl)
            opt(&pairs, "externalId", u.externalId)
            pairs.append(("customAttributes", .array([])))
            return .object(pairs)
        }

        func listEndUsers(_ r: VendorRequest) -> VendorReply {
            let page: Page
            do { page = try Store.page(r) } catch { return error.reply }
            let email = r.query("email")?.lowercased()
            let phone = r.query("phone")
            let external = r.query("externalId")
            return state.withLock { s in
                var list: ArraySlice<EndUser> = s.endUsers[...]
                if email != nil || phone != nil || external != nil {
                    list = s.endUsers.filter { u in
                        (email == nil || u.email?.lowercased() == email) && (phone == nil || u.phoneNumber == phone)
                            && (external == nil || u.externalId == external)
                    }[...]
                }
                let items = list.dropFirst(page.offset).prefix(page.limit).map(Store.endUserJSON)
                return Store.paged(Array(items), total: list.count, page: page, request: r)
            }
        }

        func getEndUser(_ id: String) -> VendorReply {
            state.withLock { s in
                guard let i = s.endUserIndex[id] else { return Dixa.notFound }
                return .ok(Store.data(Store.endUserJSON(s.endUsers[i])))
            }
        }

        static func apply(_ body: JSON, to u: inout EndUser) -> Bool {
            let fields: [(String, WritableKeyPath<EndUser, String?>)] = [
                ("displayName", \.displayName), ("email", \.email), ("phoneNumber", \.phoneNumber), ("firstName", \.firstName),
                ("lastName", \.lastName), ("avatarUrl", \.avatarUrl), ("externalId", \.externalId),
            ]
            return applyStrings(body, fields, to: &u)
        }

        func createEndUser(_ r: VendorRequest) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            return state.withLock { s in
                s.created += 1
                var u = EndUser(id: gen.uuid(393, s.created), createdAt: Int(Date().timeIntervalSince1970))
                guard Store.apply(body, to: &u) else { return Dixa.badBody }
                if let email = u.email?.lowercased(), s.endUsers.contains(where: { $0.email?.lowercased() == email }) {
                    return Dixa.badBody
                }
                s.endUserIndex[u.id] = s.endUsers.count
                s.endUsers.append(u)
                return .json(201, Store.data(Store.endUserJSON(u)))
            }
        }

        func updateEndUser(_ r: VendorRequest, _ id: String, replace: Bool) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            return state.withLock { s in
                guard let i = s.endUserIndex[id] else { return Dixa.notFound }
                var u = replace ? EndUser(id: id, createdAt: s.endUsers[i].createdAt) : s.endUsers[i]
                guard Store.apply(body, to: &u) else { return Dixa.badBody }
                s.endUsers[i] = u
                return .ok(Store.data(Store.endUserJSON(u)))
            }
        }

        func endUserConversations(_ r: VendorRequest, _ id: String) -> VendorReply {
            let page: Page
            do { page = try Store.page(r) } catch { return error.reply }
            return state.withLock { s in
                guard s.endUserIndex[id] != nil else { return Dixa.notFound }
                let list = s.conversations.filter { $0.requesterId == id }
                let items = list.dropFirst(page.offset).prefix(page.limit).map(Store.conversationJSON)
                return Store.paged(Array(items), total: list.count, page: page, request: r)
            }
        }

        // MARK: Conversations

        static func conversationJSON(_ c: Conversation) -> JSON {
            var pairs: [(String, JSON)] = [
                ("id", .int(c.id)), ("requesterId", .string(c.requesterId)), ("channel", .string("WidgetChat")),
                ("createdAt", z(c.createdAt)), ("direction", .string("Inbound")), ("state", .string(c.state)),
                ("stateUpdatedAt", z(c.stateUpdatedAt)),
            ]
            if let anonymizedAt = c.anonymizedAt {
                pairs.append(("anonymizedAt", z(anonymizedAt)))
                pairs.append(("customAttributes", .array([])))
                pairs.append(("_type", .string("AnonymizedConversation")))
                return .object(pairs)
            }
            if let agent = c.agentId, let at = c.assignedAt {
                pairs.append(("assignment", .object([("agentId", .string(agent)), ("assignedAt", z(at))])))
            }
            if let queue = c.queueId {
                pairs.append(("queue", .object([("id", .string(queue)), ("queuedAt", z(c.createdAt + 5))])))
            }
            pairs += [
                (
                    "browserInfo",
                    .object([
                        ("name", .string("Chrome")), ("version", .string("120.0")), ("ipAddress", .string("127.0.0.1")),
                        ("originatingUrl", .string("https://shop.example.com/help")),
                    ])
                ),
                ("language", .string("en")), ("customAttributes", .array([])), ("_type", .string("ChatConversation")),
            ]
            return .object(pairs)
        }

        /// The conversation index for `id`, when it exists.
        static func index(_ id: Int, _ s: State) -> Int? {
            guard id >= Dixa.firstConversation else { return nil }
            let i = id - Dixa.firstConversation
            return s.conversations.indices.contains(i) ? i : nil
        }

        func getConversation(_ id: Int) -> VendorReply {
            state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                return .ok(Store.data(Store.conversationJSON(s.conversations[i])))
            }
        }

        static func messageTexts(_ c: Conversation) -> [String] {
            let topic = Dixa.topics[c.topic]
            return ["Hi, I have a question about my \(topic).", "Happy to help with your \(topic)!", "Thanks, that solved it."]
        }

        func messages(_ id: Int) -> VendorReply {
            state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                let c = s.conversations[i]
                let texts = c.anonymizedAt == nil ? Store.messageTexts(c) : ["", "", ""]
                let items: [JSON] = texts.enumerated().map { k, text in
                    let fromAgent = k == 1 && c.agentId != nil
                    return .object([
                        ("id", .string(gen.uuid(360, c.id * 4 + k))),
                        ("authorId", .string(fromAgent ? c.agentId! : c.requesterId)),
                        ("externalId", .string("ext-\(c.id)-\(k)")), ("createdAt", Store.gmt(c.createdAt + k * 40)),
                        (
                            "attributes",
                            .object([
                                ("content", .object([("value", .string(text)), ("_type", .string("Text"))])),
                                ("direction", .string(fromAgent ? "Outbound" : "Inbound")), ("attachments", .array([])),
                                ("isAutomated", .bool(false)), ("_type", .string("ChatAttributes")),
                            ])
                        ),
                    ])
                }
                return .ok(Store.data(.array(items)))
            }
        }

        static func noteJSON(_ n: Note, _ conversation: Int) -> JSON {
            .object([
                ("id", .string(n.id)), ("authorId", .string(n.authorId)), ("createdAt", gmt(n.createdAt)),
                ("csid", .int(conversation)), ("message", .string(n.message)),
            ])
        }

        func notes(_ id: Int) -> VendorReply {
            state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                return .ok(Store.data(.array(s.conversations[i].notes.map { Store.noteJSON($0, id) })))
            }
        }

        func addNote(_ r: VendorRequest, _ id: Int) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let message = body["message"]?.stringValue, !message.isEmpty else { return Dixa.badBody }
            var created = Int(Date().timeIntervalSince1970)
            if let value = body["createdAt"] {
                guard let text = value.stringValue, let secs = Timestamp.parseDateTime(text) else {
                    return Dixa.message(400, "Invalid date format")
                }
                created = secs
            }
            if let value = body["agentId"], value.stringValue == nil { return Dixa.badBody }
            return state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                let author = body["agentId"]?.stringValue ?? s.agents.first?.id ?? ""
                guard s.agentIndex[author] != nil else { return Dixa.message(400, "Agent was not found") }
                s.created += 1
                let note = Note(id: gen.uuid(394, s.created), authorId: author, createdAt: created, message: message)
                s.conversations[i].notes.append(note)
                return .ok(Store.data(Store.noteJSON(note, id)))
            }
        }

        func conversationTags(_ id: Int) -> VendorReply {
            state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                let tags = s.conversations[i].tags.compactMap { t in s.tags.first { $0.id == t } }.map(Store.tagJSON)
                return .ok(Store.data(.array(tags)))
            }
        }

        func tag(_ id: Int, _ path: String, add: Bool) -> VendorReply {
            let tagId = String(path.split(separator: "/").last ?? "")
            return state.withLock { s in
                guard let i = Store.index(id, s), let tag = s.tags.first(where: { $0.id == tagId }) else { return Dixa.notFound }
                if add {
                    guard tag.active else { return Dixa.message(400, "Tag is not active") }
                    if !s.conversations[i].tags.contains(tagId) { s.conversations[i].tags.append(tagId) }
                } else {
                    s.conversations[i].tags.removeAll { $0 == tagId }
                }
                return .noContent
            }
        }

        func ratings(_ id: Int) -> VendorReply {
            state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                let c = s.conversations[i]
                guard gen.pick(370, c.id, 3) == 0, let agent = c.agentId else { return .ok(Store.data(.array([]))) }
                let rating: JSON = .object([
                    ("id", .string(gen.uuid(371, c.id))), ("ratingScore", .int(1 + gen.pick(372, c.id, 5))),
                    ("ratingType", .string("Csat")), ("ratingComment", .string("Quick and helpful")),
                    ("conversationChannel", .string("WidgetChat")), ("agentId", .string(agent)), ("userId", .string(c.requesterId)),
                    ("ratingStatus", .string("Rated")), ("language", .string("English")),
                    (
                        "timestamps",
                        .object([
                            ("OfferedAt", Store.z(c.stateUpdatedAt + 10)), ("RatedAt", Store.z(c.stateUpdatedAt + 120)),
                        ])
                    ),
                ])
                return .ok(Store.data(.array([rating])))
            }
        }

        // MARK: Actions

        func claim(_ r: VendorRequest, _ id: Int) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let agent = body["agentId"]?.stringValue else { return Dixa.badBody }
            if let force = body["force"], force.boolValue == nil { return Dixa.badBody }
            let force = body["force"]?.boolValue ?? false
            return state.withLock { s in
                guard let i = Store.index(id, s), s.agentIndex[agent] != nil else { return Dixa.notFound }
                if let current = s.conversations[i].agentId, current != agent, !force {
                    return Dixa.message(409, "Conversation is already assigned to another agent")
                }
                let now = Int(Date().timeIntervalSince1970)
                s.conversations[i].agentId = agent
                s.conversations[i].assignedAt = now
                if s.conversations[i].state == "Pending" {
                    s.conversations[i].state = "Open"
                    s.conversations[i].stateUpdatedAt = now
                }
                return .noContent
            }
        }

        func setState(_ r: VendorRequest, _ id: Int, to newState: String) -> VendorReply {
            var userId: String?
            if !r.body.isEmpty {
                let body: JSON
                do { body = try Store.body(r) } catch { return error.reply }
                if let value = body["userId"] {
                    guard let text = value.stringValue else { return Dixa.badBody }
                    userId = text
                }
            }
            return state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                if let userId, s.agentIndex[userId] == nil { return Dixa.message(400, "User not found") }
                if newState == "Open" && s.conversations[i].anonymizedAt != nil { return Dixa.badBody }
                s.conversations[i].state = newState
                s.conversations[i].stateUpdatedAt = Int(Date().timeIntervalSince1970)
                if newState == "Open" && s.conversations[i].queueId == nil { s.conversations[i].queueId = s.queues.first?.id }
                return .noContent
            }
        }

        func transfer(_ r: VendorRequest, _ id: Int) -> VendorReply {
            let body: JSON
            do { body = try Store.body(r) } catch { return error.reply }
            guard let queue = body["queueId"]?.stringValue else { return Dixa.badBody }
            return state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                guard s.queues.contains(where: { $0.id == queue }) else { return Dixa.message(400, "Queue does not exist") }
                s.conversations[i].queueId = queue
                s.conversations[i].agentId = nil
                s.conversations[i].assignedAt = nil
                return .noContent
            }
        }

        func anonymize(_ r: VendorRequest, _ id: Int) -> VendorReply {
            let forceText = r.query("force") ?? "false"
            guard forceText == "true" || forceText == "false" else {
                return Dixa.message(400, "Invalid value for: query parameter force")
            }
            return state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                if s.conversations[i].state != "Closed" && forceText != "true" {
                    return Dixa.message(409, "Conversation is not closed; use force=true to close it first")
                }
                let now = Int(Date().timeIntervalSince1970)
                s.conversations[i].state = "Closed"
                s.conversations[i].anonymizedAt = now
                s.conversations[i].notes = []
                s.created += 1
                return .json(
                    202,
                    Store.data(
                        .object([
                            ("id", .string(gen.uuid(395, s.created))), ("entityType", .string("ConversationAnonymizationType")),
                            ("_type", .string("Conversation")), ("initiatedAt", Store.gmt(now)),
                            ("targetEntityId", .string(String(id))), ("requestedBy", .string(s.agents.first?.id ?? "")),
                        ])))
            }
        }

        // MARK: Activity log and search

        func activity(_ c: Conversation, _ s: State) -> [(time: Int, json: JSON)] {
            var entries: [(Int, JSON)] = []
            let requester = s.endUserIndex[c.requesterId].map { s.endUsers[$0] }
            var author: [(String, JSON)] = [("id", .string(c.requesterId))]
            Store.opt(&author, "name", requester?.displayName)
            Store.opt(&author, "email", requester?.email)
            entries.append(
                (
                    c.createdAt,
                    .object([
                        ("id", .string(gen.uuid(380, c.id * 2))), ("conversationId", .int(c.id)),
                        ("activityTimestamp", Store.gmt(c.createdAt)),
                        ("activityType", .string("ConversationCreatedByCustomerActivityType")),
                        ("_type", .string("ConversationCreatedByCustomer")), ("author", .object(author)),
                    ])
                ))
            if let agentId = c.agentId, let at = c.assignedAt, let a = s.agentIndex[agentId].map({ s.agents[$0] }) {
                entries.append(
                    (
                        at,
                        .object([
                            ("id", .string(gen.uuid(380, c.id * 2 + 1))), ("conversationId", .int(c.id)),
                            ("activityTimestamp", Store.gmt(at)), ("activityType", .string("ConversationAssignedActivityType")),
                            ("_type", .string("ConversationAssigned")),
                            ("author", .object([("id", .string(a.id)), ("name", .string(a.displayName)), ("email", .string(a.email))])),
                            ("attributes", .object([("agentId", .string(a.id)), ("agentName", .string(a.displayName))])),
                        ])
                    ))
            }
            return entries
        }

        func orgActivityLog(_ r: VendorRequest) -> VendorReply {
            let page: Page
            do { page = try Store.page(r) } catch { return error.reply }
            var from = Int.min, to = Int.max
            if let text = r.query("fromDatetime") {
                guard let v = Timestamp.parseDateTime(text) else { return Dixa.message(400, "Invalid value for: query parameter fromDatetime") }
                from = v
            }
            if let text = r.query("toDatetime") {
                guard let v = Timestamp.parseDateTime(text) else { return Dixa.message(400, "Invalid value for: query parameter toDatetime") }
                to = v
            }
            return state.withLock { s in
                var all: [JSON] = []
                for c in s.conversations {
                    for e in activity(c, s) where e.time >= from && e.time <= to { all.append(e.json) }
                }
                let items = all.dropFirst(page.offset).prefix(page.limit)
                return Store.paged(Array(items), total: all.count, page: page, request: r)
            }
        }

        func conversationActivityLog(_ id: Int) -> VendorReply {
            state.withLock { s in
                guard let i = Store.index(id, s) else { return Dixa.notFound }
                return .ok(Store.data(.array(activity(s.conversations[i], s).map(\.json))))
            }
        }

        func search(_ r: VendorRequest) -> VendorReply {
            let page: Page
            do { page = try Store.page(r) } catch { return error.reply }
            guard let query = r.query("query"), !query.trimmingCharacters(in: .whitespaces).isEmpty else {
                return Dixa.message(400, "Invalid value for: query parameter query")
            }
            let exact = r.query("exactMatch") == "true"
            let needle = query.lowercased()
            return state.withLock { s in
                var hits: [JSON] = []
                for c in s.conversations where c.anonymizedAt == nil {
                    let texts = Store.messageTexts(c)
                    let matched = texts.filter { text in
                        exact ? text.lowercased() == needle : text.lowercased().contains(needle)
                    }
                    guard let first = matched.first else { continue }
                    let highlighted = first.replacingOccurrences(of: query, with: "<em class=\"highlight\">\(query)</em>", options: .caseInsensitive)
                    hits.append(
                        .object([
                            ("id", .int(c.id)), ("highlights", .object([("text", .array([.string(highlighted)]))])),
                            ("_type", .string("ConversationSearchHit")),
                        ]))
                }
                let items = hits.dropFirst(page.offset).prefix(page.limit)
                return Store.paged(Array(items), total: hits.count, page: page, request: r)
            }
        }
    }
}
