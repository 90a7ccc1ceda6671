import Foundation
import Synchronization

/// ChatrHub emulator (seed: `chatrhub-api.md`, notes: vendor-notes.md §2.2, §4.1).
///
/// Wire format as documented: paths under `/api/v1` ending in `.json`, `Authorization: Bearer KEY`,
/// `{"data": {type, id, attributes}}` envelopes, write bodies `{"data": {"type", "attributes"}}`,
/// response dates `2018-06-21T01:50:49+00:00`, chats window in epoch ms, activity and report
/// windows as `YYYY-MM-DD`, Get Agent and Assign Agent to Group answer `data` as a list,
/// `frendly_rating`, stringified JSON in `visitor_*_matches`, `variables_` and
/// `assign_operational_task_values`, `trmnt_ind` 0 on agents and false elsewhere.
///
/// Sandbox policy where the vendor documents none:
/// - Errors are `{"error": "<message>"}`: 401 for a missing or wrong key, 404 for unknown ids
///   or paths, 405 for a known path under another method, 400 for a missing or invalid
///   parameter or body (the message names it), 413 for bodies over 8 MiB.
/// - Both report paths are served: `/chats/report.json` and `/agents/report.json`. `/chat/<id>.json`
///   (the curl typo) is not served.
/// - Literal paths are routed before captures: `/agents/invite.json`, `/agents/report.json`
///   before `/agents/<id>.json`; `/chats/report.json` before `/chats/<id>.json`.
/// - Nested `agent`, `group`, `visitor`, `from_agent`, `message` objects are full resource
///   objects `{type, id, attributes}`, or null when the id is null.
/// - Get Agent Group Assignment with no row for a known agent and group: 200 `{"data": null}`.
///   Remove Agent From Group with no row: 404.
/// - Assign Agent to Group: body `agent_id` must equal the path's agent id (else 400).
/// - Agent activity: 5-minute snapshots over the last 24 hours before the sandbox anchor,
///   clipped to the requested days; the latest snapshot is the agent's current status
///   (`is_taking_chats` true -> available, else unavailable, or offline for offline agents).
///   Ids are unique.
/// - Tasks page 50 at a time from offset `after`; past the end the list is empty.
/// - Transfer checks that the chat exists, `agent_username_from` is the chat's agent and
///   `agent_username_to` exists; otherwise 400 `{"error": "Invalid usernames or authentication."}`.
///   On success it sets `transfer_to_agent_id` (the "target replies" step is immediate).
/// - Messages: four per chat (visitor, agent, visitor, agent); `include_admin=true` adds one
///   admin message. Ids are `chat_id * 10 + n`.
///
/// Data: agents 1...N (agent 1 owns the API key), groups 10204... (max(3, N/10) of them, 10204
/// is "Sales"), visitors 1...N, chats 1...N over the last 30 days, tasks 1...max(10, N/2).
struct ChatrHub: VendorEmulator {
    static let apiKey = "sbx-chatrhub-key"
    let name = "chatrhub"
    static let credentials = ["api_key": ChatrHub.apiKey]
    let routes: RouteTable
    let store: Store

    init(generator: DataGenerator, agents: Int) {
        let store = Store(generator: generator, agentCount: agents)
        self.store = store
        let p = "/api/v1"
        routes = RouteTable(routes: [
            Route("GET", p + "/agent_activities/agent_id/{agent_id}.json") { r, a in store.activities(r, a) },
            Route("GET", p + "/agent_groups/agent_id/{agent_id}/group_id/{group_id}.json") { _, a in store.assignment(a) },
            Route("DELETE", p + "/agent_groups/agent_id/{agent_id}/group_id/{group_id}.json") { _, a in store.unassign(a) },
            Route("GET", p + "/agent_groups/{agent_id}.json") { _, a in store.agentGroups(a) },
            Route("POST", p + "/agent_groups/{agent_id}.json") { r, a in store.assign(r, a) },
            Route("GET", p + "/agents.json") { r, _ in store.listAgents(r) },
            Route("POST", p + "/agents/invite.json") { r, _ in store.invite(r) },
            Route("GET", p + "/agents/report.json") { r, _ in store.report(r) },
            Route("GET", p + "/agents/{agent_id}.json") { _, a in store.getAgent(a) },
            Route("PATCH", p + "/agents/{agent_id}.json") { r, a in store.updateAgent(r, a) },
            Route("GET", p + "/chats.json") { r, _ in store.listChats(r) },
            Route("GET", p + "/chats/report.json") { r, _ in store.report(r) },
            Route("GET", p + "/chats/transfer/{chat_id}.json") { r, a in store.transfer(r, a) },
            Route("GET", p + "/chats/{chat_id}.json") { _, a in store.getChat(a) },
            Route("PATCH", p + "/chats/{chat_id}.json") { r, a in store.tagChat(r, a) },
            Route("GET", p + "/groups.json") { _, _ in store.listGroups() },
            Route("POST", p + "/groups.json") { r, _ in store.addGroup(r) },
            Route("GET", p + "/groups/{group_id}.json") { _, a in store.getGroup(a) },
            Route("PATCH", p + "/groups/{group_id}.json") { r, a in store.editGroup(r, a) },
            Route("DELETE", p + "/groups/{group_id}.json") { _, a in store.removeGroup(a) },
            Route("GET", p + "/messages.json") { r, _ in store.messages(r) },
            Route("GET", p + "/q_tasks.json") { r, _ in store.listTasks(r) },
            Route("GET", p + "/q_tasks/machine_learning/{task_id}/{intent_id}.json") { _, a in store.mlTask(a) },
            Route("GET", p + "/q_tasks/operational/{task_id}/{is_complete}.json") { _, a in store.operationalTask(a) },
            Route("GET", p + "/visitors.json") { r, _ in store.visitors(r) },
            Route("POST", p + "/visitors.json") { r, _ in store.addVisitor(r) },
            Route("PATCH", p + "/visitors/{visitor_id}.json") { r, a in store.editVisitor(r, a) },
        ])
    }

    func authorized(_ request: VendorRequest) -> Bool {
        request.header("authorization") == "Bearer " + ChatrHub.apiKey
    }

    func error(_ status: Int, _ message: String) -> VendorReply {
        ChatrHub.error(status, message)
    }

    static func error(_ status: Int, _ message: String) -> VendorReply {
        .json(status, .object([("error", .string(message))]))
    }
}

extension ChatrHub {
    struct Agent {
        var id: Int
        var username: String
        var fullName: String
        var email: String
        var authorizationLevel: Int
        var isBot: Bool
        var isTakingChats: Bool
        var offline: Bool
        var createDt: Int
        var updtDt: Int?
        var updtBy: Int?
        var isAssignTrainingTasks = false
        var isAssignOperationalTaskByVariable = false
        var isAssignTrainingTaskSendEmail = false
        var isAssignOperationalTasks = false
        var isAssignOperationalTaskSendEmail = false
        var isAgentSetup = true
        var isUnsubscribe = false
        var assignOperationalTaskVariable: String?
        var assignOperationalTaskValues = "[]"
        var displayName: String?
        var xmppPassword: String
    }

    struct Group {
        var id: Int
        var name: String
        var createDt: Int
        var updtDt: Int?
        var updtBy: Int?
        var systemGroup: Bool
        var matches: [String: String]
    }

    struct Assignment {
        var id: Int
        var agentId: Int
        var groupId: Int
        var isAssigned: Bool
        var createDt: Int
        var updtDt: Int?
        var updtBy: Int?
    }

    struct Visitor {
        var id: Int
        var fields: VisitorFields
        var groupId: Int?
        var createDt: Int
        var updtDt: Int?
        var updtBy: Int?
    }

    /// A visitor's string fields by name, stored in a fixed-size array (cheaper than a
    /// dictionary per visitor when generating 100,000 of them).
    struct VisitorFields: ExpressibleByDictionaryLiteral {
        static let keys = ChatrHub.visitorFields + ["xmpp_username", "xmpp_password", "ip_address", "current_url", "referrer_url"]
        var values: [String?]

        init(dictionaryLiteral elements: (String, String)...) {
            values = Array(repeating: nil, count: VisitorFields.keys.count)
            for (key, value) in elements { self[key] = value }
        }

        subscript(key: String) -> String? {
            get { VisitorFields.keys.firstIndex(of: key).flatMap { values[$0] } }
            set { if let i = VisitorFields.keys.firstIndex(of: key) { values[i] = newValue } }
        }
    }

    struct Chat {
        var id: Int
        var agentId: Int
        var visitorId: Int
        var groupId: Int?
        var tag: String?
        var isEnded: Bool
        var isMissed: Bool?
        var overall: Int?
        var frendly: Int?
        var responsive: Int?
        var knowledge: Int?
        var feedback: String?
        var createDt: Int
        var updtDt: Int
        var duration: Int?
        var responseDelay: Int?
        var transferTo: Int?
    }

    struct QTask {
        var id: Int
        var type: String
        var nodeName: String?
        var messageId: Int?
        var assignedAgentId: Int
        var isComplete: Bool
        var createDt: Int
        var updtDt: Int?
        var updtBy: Int?
        var intentId: String?
    }

    struct State {
        var agents: [Agent]
        var groups: [Int: Group]
        var groupOrder: [Int]
        var nextGroupId: Int
        var assignments: [Int: [Assignment]]
        var nextAssignmentId: Int
        var visitors: [Visitor]
        var chats: [Chat]
        var tasks: [QTask]
    }

    static let visitorFields = [
        "name", "company_name", "street_address_1", "street_address_2", "city", "state", "zip_code", "country",
        "phone", "email",
    ]
    static let matchFields = [
        "visitor_phone_matches", "visitor_email_matches", "visitor_referrer_url_matches", "visitor_company_matches",
        "visitor_state_matches", "visitor_zip_matches", "visitor_city_matches", "visitor_country_matches",
        "visitor_current_url_matches",
    ]
    static let groupNames = ["Sales", "Support", "Billing", "Onboarding", "Retention", "VIP"]
    static let tags = ["billing", "refund", "shipping", "sales lead", "complaint"]
    static let taskPageSize = 50

    final class Store: Sendable {
        let gen: DataGenerator
        let state: Mutex<State>

        init(generator g: DataGenerator, agentCount n: Int) {
            gen = g
            let groupCount = max(3, n / 10)
            let now = g.anchor
            var agents: [Agent] = []
            agents.reserveCapacity(n)
            var assignments: [Int: [Assignment]] = [:]
            assignments.reserveCapacity(n)
            for i in 1...n {
                let person = g.person(i)
                let presence = g.presence(i)
                let created = now - 86400 * (30 + g.pick(10, i, 700))
                agents.append(
                    Agent(
                        id: i, username: person.username, fullName: person.full, email: person.email,
                        authorizationLevel: i == 1 ? 5 : (g.pick(11, i, 10) == 0 ? 3 : 1), isBot: g.pick(12, i, 20) == 0,
                        isTakingChats: presence == .available, offline: presence == .offline, createDt: created,
                        xmppPassword: String(g.hash(13, i), radix: 36)))
                let groupId = 10204 + g.pick(14, i, groupCount)
                assignments[i] = [
                    Assignment(id: i, agentId: i, groupId: groupId, isAssigned: true, createDt: created + 3600)
                ]
            }
            var groups: [Int: Group] = [:]
            for k in 0..<groupCount {
                let name = k < ChatrHub.groupNames.count ? ChatrHub.groupNames[k] : "Group \(k + 1)"
                var matches: [String: String] = [:]
                for f in ChatrHub.matchFields { matches[f] = "[\"\"]" }
                if k == 0 { matches["visitor_phone_matches"] = "[\"123\"]" }
                groups[10204 + k] = Group(
                    id: 10204 + k, name: name, createDt: now - 86400 * 800 + k * 60, systemGroup: k == 0 && false,
                    matches: matches)
            }
            var visitors: [Visitor] = []
            visitors.reserveCapacity(n)
            for i in 1...n {
                let c = g.customer(i)
                let city = g.pick(20, i, DataGenerator.cities.count)
                visitors.append(
                    Visitor(
                        id: i,
                        fields: [
                            "name": c.full, "company_name": DataGenerator.companies[g.pick(21, i, 7)],
                            "street_address_1": "\(100 + g.pick(22, i, 900)) Main St", "city": DataGenerator.cities[city],
                            "state": DataGenerator.states[city], "zip_code": String(10000 + g.pick(23, i, 89999)),
                            "country": "US", "phone": g.phone(24, i), "email": c.email,
                            "xmpp_username": String(g.hash(25, i), radix: 36) + String(g.hash(26, i), radix: 36),
                            "xmpp_password": String(g.hash(27, i), radix: 36), "ip_address": "127.0.0.1",
                        ], createDt: now - 86400 * (1 + g.pick(28, i, 400))))
            }
            var chats: [Chat] = []
            chats.reserveCapacity(n)
            for i in 1...n {
                let created = now - g.pick(30, i, 30 * 86400)
                let ended = created < now - 3600 || g.pick(31, i, 2) == 0
                let rated = ended && g.pick(32, i, 3) == 0
                let r = { (salt: UInt64) -> Int? in rated ? 1 + g.pick(salt, i, 3) : nil }
                chats.append(
                    Chat(
                        id: i, agentId: 1 + g.pick(33, i, n), visitorId: 1 + g.pick(34, i, n),
                        groupId: g.pick(35, i, 2) == 0 ? 10204 + g.pick(36, i, groupCount) : nil,
                        tag: g.pick(37, i, 3) == 0 ? ChatrHub.tags[g.pick(38, i, ChatrHub.tags.count)] : nil,
                        isEnded: ended, isMissed: ended ? g.pick(39, i, 10) == 0 : nil, overall: r(40), frendly: r(41),
                        responsive: r(42), knowledge: r(43), feedback: rated ? "Thanks for the help" : nil,
                        createDt: created, updtDt: created + 60 + g.pick(44, i, 1800),
                        duration: ended ? 60 + g.pick(45, i, 1800) : nil, responseDelay: 1 + g.pick(46, i, 90)))
            }
            let taskCount = max(10, n / 2)
            var tasks: [QTask] = []
            tasks.reserveCapacity(taskCount)
            for i in 1...taskCount {
                let ml = g.pick(50, i, 3) == 0
                tasks.append(
                    QTask(
                        id: i, type: ml ? "machine_learning" : "operational", nodeName: ml ? nil : "Schedule Service",
                        messageId: ml ? (1 + g.pick(51, i, n)) * 10 : nil, assignedAgentId: 1 + g.pick(52, i, n),
                        isComplete: g.pick(53, i, 4) == 0, createDt: now - g.pick(54, i, 14 * 86400)))
            }
            state = Mutex(
                State(
                    agents: agents, groups: groups, groupOrder: Array(10204..<(10204 + groupCount)),
                    nextGroupId: 10204 + groupCount, assignments: assignments, nextAssignmentId: n + 1,
                    visitors: visitors, chats: chats, tasks: tasks))
        }

        // MARK: Rendering

        static func date(_ secs: Int?) -> JSON { secs.map { .string(Timestamp.format($0, .offset)) } ?? .null }

        static func resource(_ type: String, _ id: Int, _ attributes: [(String, JSON)]) -> JSON {
            .object([("type", .string(type)), ("id", .int(id)), ("attributes", .object(attributes))])
        }

        static func agentAttributes(_ a: Agent, extended: Bool = false) -> [(String, JSON)] {
            var attrs: [(String, JSON)] = [
                ("username", .string(a.username)),
                ("is_assign_training_tasks", .bool(a.isAssignTrainingTasks)),
                ("is_assign_operational_task_by_variable", .bool(a.isAssignOperationalTaskByVariable)),
                ("client_id", .int(1)),
                ("create_dt", date(a.createDt)),
                ("updt_dt", date(a.updtDt)),
                ("updt_by", .num(a.updtBy)),
                ("is_assign_training_task_send_email", .bool(a.isAssignTrainingTaskSendEmail)),
                ("trmnt_ind", .int(0)),
                ("create_by", .int(1)),
                ("assign_operational_task_variable", .str(a.assignOperationalTaskVariable)),
                ("is_bot", .bool(a.isBot)),
                ("is_assign_operational_tasks", .bool(a.isAssignOperationalTasks)),
                ("is_taking_chats", .bool(a.isTakingChats)),
                ("full_name", .string(a.fullName)),
                ("is_agent_setup", .bool(a.isAgentSetup)),
                ("assign_operational_task_values", .string(a.assignOperationalTaskValues)),
                ("agent_id", .string(String(a.id))),
                ("is_unsubscribe", .bool(a.isUnsubscribe)),
                ("authorization_level", .int(a.authorizationLevel)),
                ("xmpp_password", .string(a.xmppPassword)),
                ("email", .string(a.email)),
                ("is_assign_operational_task_send_email", .bool(a.isAssignOperationalTaskSendEmail)),
            ]
            if extended {
                attrs.append(("avatar_img", .string("no-avatar.png")))
                attrs.append(("display_name", .string(a.displayName ?? a.fullName)))
                attrs.append(("is_temp_login", .bool(false)))
            }
            return attrs
        }

        static func agentJSON(_ a: Agent, extended: Bool = false) -> JSON {
            resource("agents", a.id, agentAttributes(a, extended: extended))
        }

        static func groupJSON(_ g: Group, withType: Bool) -> JSON {
            var attrs: [(String, JSON)] = []
            if withType { attrs.append(("group_type", .string(g.systemGroup ? "SYSTEM" : "CUSTOM"))) }
            attrs += [
                ("group_name", .string(g.name)), ("create_by", .int(1)), ("client_id", .int(1)),
                ("updt_by", .num(g.updtBy)), ("updt_dt", date(g.updtDt)), ("trmnt_ind", .bool(false)),
                ("create_dt", date(g.createDt)), ("system_group", .bool(g.systemGroup)),
            ]
            for f in ChatrHub.matchFields { attrs.append((f, .string(g.matches[f] ?? "[\"\"]"))) }
            return resource("groups", g.id, attrs)
        }

        static func visitorJSON(_ v: Visitor, withTrmnt: Bool) -> JSON {
            var attrs: [(String, JSON)] = ChatrHub.visitorFields.map { ($0, .str(v.fields[$0])) }
            attrs += [
                ("group_id", .num(v.groupId)), ("xmpp_password", .str(v.fields["xmpp_password"])),
                ("xmpp_username", .str(v.fields["xmpp_username"])), ("client_id", .int(1)), ("create_by", .int(1)),
                ("create_dt", date(v.createDt)), ("updt_by", .num(v.updtBy)), ("updt_dt", date(v.updtDt)),
                ("current_url", .str(v.fields["current_url"])), ("referrer_url", .str(v.fields["referrer_url"])),
                ("ip_address", .str(v.fields["ip_address"])),
            ]
            if withTrmnt { attrs.append(("trmnt_ind", .bool(false))) }
            return resource("visitors", v.id, attrs)
        }

        static func assignmentJSON(_ row: Assignment, _ s: State) -> JSON {
            let group = s.groups[row.groupId].map { groupJSON($0, withType: true) } ?? .null
            let agent = s.agents.indices.contains(row.agentId - 1) ? agentJSON(s.agents[row.agentId - 1]) : .null
            return resource(
                "agent_groups", row.id,
                [
                    ("group", group), ("updt_by", .num(row.updtBy)), ("trmnt_ind", .bool(false)), ("agent", agent),
                    ("group_id", .int(row.groupId)), ("updt_dt", date(row.updtDt)), ("create_by", .int(1)),
                    ("create_dt", date(row.createDt)), ("is_assigned", .bool(row.isAssigned)), ("client_id", .int(1)),
                    ("agent_id", .int(row.agentId)),
                ])
        }

        static func chatJSON(_ c: Chat, _ s: State) -> JSON {
            let ratings = [c.overall, c.frendly, c.responsive, c.knowledge].compactMap { $0 }
            let average: JSON = ratings.isEmpty ? .null : .double(Double(ratings.reduce(0, +) * 100 / (ratings.count * 3)))
            let agent = s.agents.indices.contains(c.agentId - 1) ? agentJSON(s.agents[c.agentId - 1]) : .null
            let visitor = s.visitors.indices.contains(c.visitorId - 1) ? visitorJSON(s.visitors[c.visitorId - 1], withTrmnt: false) : .null
            let group = c.groupId.flatMap { s.groups[$0] }.map { groupJSON($0, withType: true) } ?? .null
            return .object([
                ("type", .string("chats")),
                ("id", .int(c.id)),
                (
                    "attributes",
                    .object([
                        ("is_billable", .int(c.isEnded ? 1 : 0)), ("is_missed", c.isMissed.map(JSON.bool) ?? .null),
                        ("tag", .str(c.tag)), ("overall_rating", .num(c.overall)), ("group_id", .num(c.groupId)),
                        ("group", group), ("is_beat_out", .int(0)), ("knowledge_rating", .num(c.knowledge)),
                        ("response_delay", .num(c.responseDelay)), ("create_dt", date(c.createDt)), ("create_by", .int(1)),
                        ("is_feedback_requested", .int(c.overall == nil ? 0 : 1)), ("client_id", .int(1)),
                        ("average_rating", average), ("agent_id_to", .null), ("is_ended", .int(c.isEnded ? 1 : 0)),
                        ("responsive_rating", .num(c.responsive)), ("agent_id", .int(c.agentId)), ("agent", agent),
                        ("duration", .num(c.duration)), ("ended_rsn_cd", c.isEnded ? .string("inactive") : .null),
                        ("updt_dt", date(c.updtDt)), ("visitor_id", .int(c.visitorId)), ("visitor", visitor),
                        ("trmnt_ind", .bool(false)), ("frendly_rating", .num(c.frendly)),
                        ("transfer_to_agent_id", .num(c.transferTo)), ("feedback", .str(c.feedback)), ("updt_by", .int(1)),
                    ])
                ),
            ])
        }

        static func taskJSON(_ t: QTask, _ s: State) -> JSON {
            var message: JSON = .null
            if let mid = t.messageId, let m = messageJSON(mid, s) { message = m }
            return resource(
                "q_tasks", t.id,
                [
                    ("node_name", .str(t.nodeName)), ("message", message), ("message_id", .num(t.messageId)),
                    ("client_id", .int(1)), ("assigned_agent_id", .int(t.assignedAgentId)),
                    ("is_complete", .bool(t.isComplete)), ("updt_dt", date(t.updtDt)), ("variables_", .string("{}")),
                    ("intent_id", .str(t.intentId)), ("create_by", .int(1)), ("updt_by", .num(t.updtBy)),
                    ("create_dt", date(t.createDt)), ("task_type", .string(t.type)),
                ])
        }

        /// Message `id` = chat * 10 + n; n in 0...3 are the dialogue, 4 is the admin message.
        static func messageJSON(_ id: Int, _ s: State) -> JSON? {
            let chatId = id / 10
            let n = id % 10
            guard n <= 4, s.chats.indices.contains(chatId - 1) else { return nil }
            let chat = s.chats[chatId - 1]
            let fromAgent = n == 1 || n == 3 || n == 4
            let bodies = ["Hi\n", "Hello! How can I help?", "I have a question about my order.", "Let me check that for you.", "Chat assigned by supervisor"]
            var attrs: [(String, JSON)] = []
            for k in 1...5 {
                attrs.append(("manual_user_id_\(k)", .null))
                attrs.append(("manual_intent_id_\(k)", .null))
            }
            let agent = s.agents.indices.contains(chat.agentId - 1) ? agentJSON(s.agents[chat.agentId - 1]) : .null
            attrs += [
                ("to_visitor_id", fromAgent && n != 4 ? .int(chat.visitorId) : .null),
                ("final_manual_intent_id", .null), ("from_agent", fromAgent ? agent : .null), ("batch_intent_id", .null),
                ("is_admin", .bool(n == 4)), ("is_interruption_blocked", .bool(false)),
                ("create_dt", date(chat.createDt + n * 20)), ("from_agent_id", fromAgent ? .int(chat.agentId) : .null),
                ("body", .string(bodies[n])), ("client_id", .int(1)), ("batch_intent_probability", .null),
                ("chat_id", .int(chatId)), ("to_agent_id", fromAgent ? .null : .int(chat.agentId)),
                ("from_visitor_id", fromAgent ? .null : .int(chat.visitorId)),
            ]
            return resource("messages", id, attrs)
        }

        // MARK: Helpers

        /// The `data.attributes` object of a write body, or a 400 reply.
        static func attributes(_ r: VendorRequest, type: String) throws(ReplyError) -> JSON {
            guard let body = r.json else {
                throw ReplyError(ChatrHub.error(400, "Request body must be JSON: {\"data\": {\"type\": \"\(type)\", \"attributes\": {...}}}"))
            }
            guard let data = body["data"], data.isObject, let attrs = data["attributes"], attrs.isObject else {
                throw ReplyError(ChatrHub.error(400, "Request body must be {\"data\": {\"type\": \"\(type)\", \"attributes\": {...}}}"))
            }
            if let t = data["type"], t.stringValue != type {
                throw ReplyError(ChatrHub.error(400, "data.type must be \"\(type)\""))
            }
            return attrs
        }

        /// A positive id from the path; nil for anything else (so `id - 1` cannot overflow).
        static func intParam(_ a: PathParams, _ key: String) -> Int? { a[key].flatMap(positiveId) }

        static func positiveId(_ text: String) -> Int? {
            guard let v = Int(text), v >= 1, v <= Int(Int32.max) else { return nil }
            return v
        }

        static func notFound(_ what: String, _ id: String?) -> VendorReply {
            ChatrHub.error(404, "\(what) \(id ?? "") not found")
        }

        static func badValue(_ key: String, _ expected: String) -> VendorReply {
            ChatrHub.error(400, "Invalid value for \(key): expected \(expected)")
        }

        /// Applies a JSON value to a Bool/String/Int field, or names the problem.
        static func setBool(_ v: JSON, _ key: String, _ target: inout Bool) -> VendorReply? {
            if let b = v.boolValue { target = b; return nil }
            if let i = v.intValue, i == 0 || i == 1 { target = i == 1; return nil }
            return badValue(key, "a boolean")
        }

        static func setString(_ v: JSON, _ key: String, _ target: inout String) -> VendorReply? {
            guard let s = v.stringValue else { return badValue(key, "a string") }
            target = s
            return nil
        }

        // MARK: Agents

        func listAgents(_ r: VendorRequest) -> VendorReply {
            let username = r.query("agent_username")
            return state.withLock { s in
                let list = username.map { u in s.agents.filter { $0.username == u } } ?? s.agents
                return .ok(.object([("data", .array(list.map { Store.agentJSON($0) }))]))
            }
        }

        func getAgent(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "agent_id"), s.agents.indices.contains(id - 1) else {
                    return Store.notFound("Agent", a["agent_id"])
                }
                return .ok(.object([("data", .array([Store.agentJSON(s.agents[id - 1])]))]))
            }
        }

        /// Applies the writable agent attributes; nil on success.
        static func apply(_ attrs: JSON, to agent: inout Agent) -> VendorReply? {
            guard case .object(let pairs) = attrs else { return badValue("attributes", "an object") }
            for (key, v) in pairs {
                var problem: VendorReply?
                switch key {
                case "email": problem = setString(v, key, &agent.email)
                case "full_name": problem = setString(v, key, &agent.fullName)
                case "assign_operational_task_values": problem = setString(v, key, &agent.assignOperationalTaskValues)
                case "assign_operational_task_variable":
                    if v.isNull { agent.assignOperationalTaskVariable = nil } else {
                        var s = ""
                        problem = setString(v, key, &s)
                        agent.assignOperationalTaskVariable = s
                    }
                case "authorization_level":
                    guard let level = v.intValue, [1, 3, 5].contains(level) else { return badValue(key, "1, 3 or 5") }
                    agent.authorizationLevel = level
                case "is_assign_training_tasks": problem = setBool(v, key, &agent.isAssignTrainingTasks)
                case "is_assign_operational_task_by_variable": problem = setBool(v, key, &agent.isAssignOperationalTaskByVariable)
                case "is_assign_training_task_send_email": problem = setBool(v, key, &agent.isAssignTrainingTaskSendEmail)
                case "is_assign_operational_task_send_email": problem = setBool(v, key, &agent.isAssignOperationalTaskSendEmail)
                case "is_assign_operational_tasks": problem = setBool(v, key, &agent.isAssignOperationalTasks)
                case "is_bot": problem = setBool(v, key, &agent.isBot)
                case "is_taking_chats":
                    problem = setBool(v, key, &agent.isTakingChats)
                    if problem == nil { agent.offline = false }
                case "is_agent_setup": problem = setBool(v, key, &agent.isAgentSetup)
                case "is_unsubscribe": problem = setBool(v, key, &agent.isUnsubscribe)
                default: return ChatrHub.error(400, "Unknown or read-only agent attribute: \(key)")
                }
                if let problem { return problem }
            }
            return nil
        }

        func updateAgent(_ r: VendorRequest, _ a: PathParams) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "agents") } catch { return error.reply }
            let now = gen.anchor + 60
            return state.withLock { s in
                guard let id = Store.intParam(a, "agent_id"), s.agents.indices.contains(id - 1) else {
                    return Store.notFound("Agent", a["agent_id"])
                }
                var agent = s.agents[id - 1]
                if let problem = Store.apply(attrs, to: &agent) { return problem }
                agent.updtDt = max(now, Int(Date().timeIntervalSince1970))
                agent.updtBy = 1
                s.agents[id - 1] = agent
                return .ok(.object([("data", Store.agentJSON(agent, extended: true))]))
            }
        }

        func invite(_ r: VendorRequest) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "agents") } catch { return error.reply }
            for key in ["full_name", "authorization_level", "email"] where attrs[key] == nil || attrs[key]!.isNull {
                return ChatrHub.error(400, "Missing required attribute: \(key)")
            }
            guard let email = attrs["email"]?.stringValue, email.contains("@") else {
                return Store.badValue("email", "an email address")
            }
            return state.withLock { s in
                if s.agents.contains(where: { $0.email == email }) {
                    return ChatrHub.error(400, "An agent with email \(email) already exists")
                }
                let id = s.agents.count + 1
                var agent = Agent(
                    id: id, username: String(gen.hash(60, id), radix: 16), fullName: "", email: email,
                    authorizationLevel: 1, isBot: false, isTakingChats: false, offline: true,
                    createDt: Int(Date().timeIntervalSince1970), xmppPassword: String(gen.hash(61, id), radix: 36))
                agent.isAgentSetup = false
                if let problem = Store.apply(attrs, to: &agent) { return problem }
                s.agents.append(agent)
                return .ok(.object([("data", Store.agentJSON(agent))]))
            }
        }

        // MARK: Activity

        func activities(_ r: VendorRequest, _ a: PathParams) -> VendorReply {
            guard let startText = r.query("start_date"), let start = Timestamp.parseDate(startText) else {
                return ChatrHub.error(400, "start_date is required, format YYYY-MM-DD")
            }
            guard let endText = r.query("end_date"), let end = Timestamp.parseDate(endText) else {
                return ChatrHub.error(400, "end_date is required, format YYYY-MM-DD")
            }
            let anchor = gen.anchor
            return state.withLock { s in
                guard let id = Store.intParam(a, "agent_id"), s.agents.indices.contains(id - 1) else {
                    return Store.notFound("Agent", a["agent_id"])
                }
                let agent = s.agents[id - 1]
                let current = agent.offline ? "offline" : (agent.isTakingChats ? "available" : "unavailable")
                let statuses = ["available", "unavailable", "offline"]
                var rows: [JSON] = []
                // 288 snapshots: anchor - 24h + 5min ... anchor; the window's end day is inclusive.
                for k in 0..<288 {
                    let t = anchor - (287 - k) * 300
                    guard t >= start, t < end + 86400 else { continue }
                    let status = k == 287 ? current : statuses[gen.pick(62, id * 288 + k, 3)]
                    rows.append(
                        Store.resource(
                            "agent_activities", id * 1000 + k,
                            [
                                ("updt_dt", Store.date(t)), ("client_id", .int(1)), ("create_by", .int(1)),
                                ("agent_id", .int(id)), ("create_dt", Store.date(t)), ("trmnt_ind", .bool(false)),
                                ("updt_by", .int(1)), ("status", .string(status)),
                            ]))
                }
                return .ok(.object([("data", .array(rows))]))
            }
        }

        // MARK: Agent groups

        func agentGroups(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "agent_id"), s.agents.indices.contains(id - 1) else {
                    return Store.notFound("Agent", a["agent_id"])
                }
                let rows = s.assignments[id] ?? []
                return .ok(.object([("data", .array(rows.map { Store.assignmentJSON($0, s) }))]))
            }
        }

        func assignment(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "agent_id"), s.agents.indices.contains(id - 1) else {
                    return Store.notFound("Agent", a["agent_id"])
                }
                guard let gid = Store.intParam(a, "group_id"), s.groups[gid] != nil else {
                    return Store.notFound("Group", a["group_id"])
                }
                guard let row = s.assignments[id]?.first(where: { $0.groupId == gid }) else {
                    return .ok(.object([("data", .null)]))
                }
                return .ok(.object([("data", Store.assignmentJSON(row, s))]))
            }
        }

        func assign(_ r: VendorRequest, _ a: PathParams) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "agent_groups") } catch { return error.reply }
            guard let bodyAgent = attrs["agent_id"]?.intValue ?? attrs["agent_id"]?.stringValue.flatMap({ Int($0) }) else {
                return ChatrHub.error(400, "Missing required attribute: agent_id")
            }
            guard let gid = attrs["group_id"]?.intValue ?? attrs["group_id"]?.stringValue.flatMap({ Int($0) }) else {
                return ChatrHub.error(400, "Missing required attribute: group_id")
            }
            guard let assignedValue = attrs["is_assigned"] else {
                return ChatrHub.error(400, "Missing required attribute: is_assigned")
            }
            var assigned = false
            if let b = assignedValue.boolValue { assigned = b } else if let t = assignedValue.stringValue, t == "true" || t == "false" {
                assigned = t == "true"
            } else {
                return Store.badValue("is_assigned", "'true' or 'false'")
            }
            let now = Int(Date().timeIntervalSince1970)
            return state.withLock { s in
                guard let id = Store.intParam(a, "agent_id"), s.agents.indices.contains(id - 1) else {
                    return Store.notFound("Agent", a["agent_id"])
                }
                guard bodyAgent == id else { return ChatrHub.error(400, "agent_id in the body must match the path") }
                guard s.groups[gid] != nil else { return Store.notFound("Group", String(gid)) }
                var rows = s.assignments[id] ?? []
                let row: Assignment
                if let i = rows.firstIndex(where: { $0.groupId == gid }) {
                    rows[i].isAssigned = assigned
                    rows[i].updtDt = now
                    rows[i].updtBy = 1
                    row = rows[i]
                } else {
                    row = Assignment(id: s.nextAssignmentId, agentId: id, groupId: gid, isAssigned: assigned, createDt: now)
                    s.nextAssignmentId += 1
                    rows.append(row)
                }
                s.assignments[id] = rows
                return .ok(.object([("data", .array([Store.assignmentJSON(row, s)]))]))
            }
        }

        func unassign(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "agent_id"), s.agents.indices.contains(id - 1) else {
                    return Store.notFound("Agent", a["agent_id"])
                }
                guard let gid = Store.intParam(a, "group_id"), let i = s.assignments[id]?.firstIndex(where: { $0.groupId == gid })
                else { return Store.notFound("Agent group assignment for group", a["group_id"]) }
                s.assignments[id]?.remove(at: i)
                return .ok(.object([("success", .string("Deleted"))]))
            }
        }

        // MARK: Chats

        func listChats(_ r: VendorRequest) -> VendorReply {
            guard let startText = r.query("start_date"), let startMs = Int(startText) else {
                return ChatrHub.error(400, "start_date is required: epoch milliseconds")
            }
            guard let endText = r.query("end_date"), let endMs = Int(endText) else {
                return ChatrHub.error(400, "end_date is required: epoch milliseconds")
            }
            let agentId = r.query("agent_id").flatMap { Int($0) }
            let visitorId = r.query("visitor_id").flatMap { Int($0) }
            let groupId = r.query("group_id").flatMap { Int($0) }
            let tag = r.query("tag")
            let rating = r.query("rating")
            let missed = r.query("missed")
            if let rating, !["poor_chats", "ok_chats", "great_chats"].contains(rating) {
                return Store.badValue("rating", "'poor_chats', 'ok_chats' or 'great_chats'")
            }
            if let missed, !["missed_chats", "serviced_chats"].contains(missed) {
                return Store.badValue("missed", "'missed_chats' or 'serviced_chats'")
            }
            return state.withLock { s in
                var out: [JSON] = []
                for c in s.chats {
                    let ms = c.createDt * 1000
                    guard ms >= startMs, ms <= endMs else { continue }
                    if let agentId, c.agentId != agentId { continue }
                    if let visitorId, c.visitorId != visitorId { continue }
                    if let groupId, c.groupId != groupId { continue }
                    if let tag, c.tag != tag { continue }
                    if let rating {
                        guard let o = c.overall else { continue }
                        if rating == "poor_chats" && o != 1 || rating == "ok_chats" && o != 2 || rating == "great_chats" && o != 3 { continue }
                    }
                    if let missed, (c.isMissed == true) != (missed == "missed_chats") { continue }
                    out.append(Store.chatJSON(c, s))
                }
                return .ok(.object([("data", .array(out))]))
            }
        }

        func getChat(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "chat_id"), s.chats.indices.contains(id - 1) else {
                    return Store.notFound("Chat", a["chat_id"])
                }
                return .ok(.object([("data", Store.chatJSON(s.chats[id - 1], s))]))
            }
        }

        func tagChat(_ r: VendorRequest, _ a: PathParams) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "chats") } catch { return error.reply }
            guard let tagValue = attrs["tag"] else { return ChatrHub.error(400, "Missing required attribute: tag") }
            guard tagValue.isNull || tagValue.stringValue != nil else { return Store.badValue("tag", "a string or null") }
            return state.withLock { s in
                guard let id = Store.intParam(a, "chat_id"), s.chats.indices.contains(id - 1) else {
                    return Store.notFound("Chat", a["chat_id"])
                }
                s.chats[id - 1].tag = tagValue.stringValue
                s.chats[id - 1].updtDt = max(s.chats[id - 1].updtDt, Int(Date().timeIntervalSince1970))
                return .ok(.object([("data", Store.chatJSON(s.chats[id - 1], s))]))
            }
        }

        func report(_ r: VendorRequest) -> VendorReply {
            guard let startText = r.query("start_date"), let start = Timestamp.parseDate(startText) else {
                return ChatrHub.error(400, "start_date is required, format YYYY-MM-DD")
            }
            guard let endText = r.query("end_date"), let end = Timestamp.parseDate(endText) else {
                return ChatrHub.error(400, "end_date is required, format YYYY-MM-DD")
            }
            let agentId = r.query("agent_id").flatMap { Int($0) }
            let groupId = r.query("group_id").flatMap { Int($0) }
            return state.withLock { s in
                var total = 0, missed = 0, rated = 0, great = 0, ok = 0, poor = 0
                var sums = [0, 0, 0, 0], durationSum = 0, durations = 0, delaySum = 0, delays = 0
                for c in s.chats where c.createDt >= start && c.createDt < end + 86400 {
                    if let agentId, c.agentId != agentId { continue }
                    if let groupId, c.groupId != groupId { continue }
                    total += 1
                    if c.isMissed == true { missed += 1 }
                    if let d = c.duration { durationSum += d; durations += 1 }
                    if let d = c.responseDelay { delaySum += d; delays += 1 }
                    guard let o = c.overall, let f = c.frendly, let re = c.responsive, let k = c.knowledge else { continue }
                    rated += 1
                    sums[0] += o; sums[1] += f; sums[2] += re; sums[3] += k
                    if o == 3 { great += 1 } else if o == 2 { ok += 1 } else { poor += 1 }
                }
                func avg(_ sum: Int) -> JSON { rated == 0 ? .null : .int((sum + rated / 2) / rated) }
                let average: JSON = rated == 0 ? .null : .double(Double(sums.reduce(0, +) * 1000 / (rated * 12)) / 10)
                return .ok(
                    .object([
                        (
                            "data",
                            Store.resource(
                                "report", 1,
                                [
                                    ("missed_chats", .int(missed)), ("overall_rating", avg(sums[0])),
                                    ("knowledge_rating", avg(sums[3])),
                                    ("average_response_delay", delays == 0 ? .null : .int(delaySum / delays)),
                                    ("average_rating", average),
                                    ("average_duration", durations == 0 ? .null : .int(durationSum / durations)),
                                    ("responsive_rating", avg(sums[2])), ("ok_chats_count", .int(ok)),
                                    ("total_ratings", .int(rated)), ("total_chats", .int(total)),
                                    ("great_chats_count", .int(great)), ("frendly_rating", avg(sums[1])),
                                    ("poor_chats_count", .int(poor)),
                                ])
                        )
                    ]))
            }
        }

        func transfer(_ r: VendorRequest, _ a: PathParams) -> VendorReply {
            let failed = ChatrHub.error(400, "Invalid usernames or authentication.")
            guard let from = r.query("agent_username_from"), let to = r.query("agent_username_to") else { return failed }
            return state.withLock { s in
                guard let id = Store.intParam(a, "chat_id"), s.chats.indices.contains(id - 1) else { return failed }
                let chat = s.chats[id - 1]
                guard s.agents.indices.contains(chat.agentId - 1), s.agents[chat.agentId - 1].username == from,
                    let target = s.agents.first(where: { $0.username == to })
                else { return failed }
                s.chats[id - 1].transferTo = target.id
                return .ok(.object([("success", .string("Sent Transfer Action"))]))
            }
        }

        // MARK: Groups

        func listGroups() -> VendorReply {
            state.withLock { s in
                .ok(.object([("data", .array(s.groupOrder.compactMap { s.groups[$0] }.map { Store.groupJSON($0, withType: false) }))]))
            }
        }

        func getGroup(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "group_id"), let g = s.groups[id] else { return Store.notFound("Group", a["group_id"]) }
                return .ok(.object([("data", Store.groupJSON(g, withType: true))]))
            }
        }

        static func applyGroup(_ attrs: JSON, to g: inout Group) -> VendorReply? {
            guard case .object(let pairs) = attrs else { return badValue("attributes", "an object") }
            for (key, v) in pairs {
                if key == "group_name" {
                    guard let name = v.stringValue, !name.isEmpty else { return badValue(key, "a non-empty string") }
                    g.name = name
                } else if ChatrHub.matchFields.contains(key) {
                    guard let text = v.stringValue, case .array = JSON.parse(Array(text.utf8)) else {
                        return badValue(key, "a JSON stringified list")
                    }
                    g.matches[key] = text
                } else {
                    return ChatrHub.error(400, "Unknown group attribute: \(key)")
                }
            }
            return nil
        }

        func addGroup(_ r: VendorRequest) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "groups") } catch { return error.reply }
            guard attrs["group_name"] != nil else { return ChatrHub.error(400, "Missing required attribute: group_name") }
            return state.withLock { s in
                var g = Group(
                    id: s.nextGroupId, name: "", createDt: Int(Date().timeIntervalSince1970), systemGroup: false, matches: [:])
                if let problem = Store.applyGroup(attrs, to: &g) { return problem }
                s.nextGroupId += 1
                s.groups[g.id] = g
                s.groupOrder.append(g.id)
                return .ok(.object([("data", Store.groupJSON(g, withType: true))]))
            }
        }

        func editGroup(_ r: VendorRequest, _ a: PathParams) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "groups") } catch { return error.reply }
            guard attrs["group_name"] != nil else { return ChatrHub.error(400, "Missing required attribute: group_name") }
            return state.withLock { s in
                guard let id = Store.intParam(a, "group_id"), var g = s.groups[id] else { return Store.notFound("Group", a["group_id"]) }
                if let problem = Store.applyGroup(attrs, to: &g) { return problem }
                g.updtDt = Int(Date().timeIntervalSince1970)
                g.updtBy = 1
                s.groups[id] = g
                return .ok(.object([("data", Store.groupJSON(g, withType: true))]))
            }
        }

        func removeGroup(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "group_id"), s.groups[id] != nil else { return Store.notFound("Group", a["group_id"]) }
                s.groups[id] = nil
                s.groupOrder.removeAll { $0 == id }
                return .ok(.object([("success", .string("Deleted"))]))
            }
        }

        // MARK: Messages

        func messages(_ r: VendorRequest) -> VendorReply {
            guard let includeAdmin = r.query("include_admin"), includeAdmin == "true" || includeAdmin == "false" else {
                return ChatrHub.error(400, "include_admin is required: \"true\" or \"false\"")
            }
            let chatId = r.query("chat_id")
            let username = r.query("visitor_username")
            guard chatId != nil || username != nil else {
                return ChatrHub.error(400, "Either visitor_username or chat_id is required")
            }
            return state.withLock { s in
                var chatIds: [Int] = []
                if let chatId {
                    guard let id = Store.positiveId(chatId), s.chats.indices.contains(id - 1) else { return Store.notFound("Chat", chatId) }
                    chatIds = [id]
                } else if let username {
                    guard let v = s.visitors.first(where: { $0.fields["xmpp_username"] == username }) else {
                        return Store.notFound("Visitor", username)
                    }
                    chatIds = s.chats.filter { $0.visitorId == v.id }.map(\.id)
                }
                var out: [JSON] = []
                for id in chatIds {
                    for n in 0..<(includeAdmin == "true" ? 5 : 4) {
                        if let m = Store.messageJSON(id * 10 + n, s) { out.append(m) }
                    }
                }
                return .ok(.object([("data", .array(out))]))
            }
        }

        // MARK: Tasks

        func listTasks(_ r: VendorRequest) -> VendorReply {
            guard let afterText = r.query("after"), let after = Int(afterText), after >= 0 else {
                return ChatrHub.error(400, "after is required: an integer offset")
            }
            guard let type = r.query("task_type"), type == "operational" || type == "machine_learning" else {
                return ChatrHub.error(400, "task_type is required: 'operational' or 'machine_learning'")
            }
            guard let resolved = r.query("is_resolved"), resolved == "0" || resolved == "1" else {
                return ChatrHub.error(400, "is_resolved is required: '1' or '0'")
            }
            return state.withLock { s in
                let matching = s.tasks.filter { $0.type == type && $0.isComplete == (resolved == "1") }
                let page = matching.dropFirst(after).prefix(ChatrHub.taskPageSize)
                return .ok(.object([("data", .array(page.map { Store.taskJSON($0, s) }))]))
            }
        }

        func mlTask(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "task_id"), s.tasks.indices.contains(id - 1) else {
                    return Store.notFound("Task", a["task_id"])
                }
                guard s.tasks[id - 1].type == "machine_learning" else {
                    return ChatrHub.error(400, "Task \(id) is not a machine_learning task")
                }
                guard let intent = a["intent_id"], !intent.isEmpty else { return Store.badValue("intent_id", "an id") }
                s.tasks[id - 1].intentId = intent
                s.tasks[id - 1].isComplete = true
                s.tasks[id - 1].updtDt = Int(Date().timeIntervalSince1970)
                s.tasks[id - 1].updtBy = 1
                return .ok(.object([("data", Store.taskJSON(s.tasks[id - 1], s))]))
            }
        }

        func operationalTask(_ a: PathParams) -> VendorReply {
            state.withLock { s in
                guard let id = Store.intParam(a, "task_id"), s.tasks.indices.contains(id - 1) else {
                    return Store.notFound("Task", a["task_id"])
                }
                guard let flag = a["is_complete"], flag == "0" || flag == "1" else {
                    return Store.badValue("is_complete", "'1' or '0'")
                }
                guard s.tasks[id - 1].type == "operational" else {
                    return ChatrHub.error(400, "Task \(id) is not an operational task")
                }
                s.tasks[id - 1].isComplete = flag == "1"
                s.tasks[id - 1].updtDt = Int(Date().timeIntervalSince1970)
                s.tasks[id - 1].updtBy = 1
                return .ok(.object([("data", Store.taskJSON(s.tasks[id - 1], s))]))
            }
        }

        // MARK: Visitors

        func visitors(_ r: VendorRequest) -> VendorReply {
            if let username = r.query("visitor_username") {
                return state.withLock { s in
                    guard let v = s.visitors.first(where: { $0.fields["xmpp_username"] == username }) else {
                        return Store.notFound("Visitor", username)
                    }
                    return .ok(.object([("data", Store.visitorJSON(v, withTrmnt: true))]))
                }
            }
            let filters = ["name", "email", "phone", "company_name", "city", "state", "zip_code", "ip_address"].compactMap { key in
                r.query(key).map { (key, $0) }
            }
            let visitorId = r.query("visitor_id").flatMap { Int($0) }
            let hasPhone = r.query("has_phone_number").map { $0 == "true" || $0 == "1" }
            return state.withLock { s in
                let list = s.visitors.filter { v in
                    if let visitorId, v.id != visitorId { return false }
                    if let hasPhone, (v.fields["phone"] != nil) != hasPhone { return false }
                    return filters.allSatisfy { v.fields[$0.0] == $0.1 }
                }
                return .ok(.object([("data", .array(list.map { Store.visitorJSON($0, withTrmnt: false) }))]))
            }
        }

        static func applyVisitor(_ attrs: JSON, to v: inout Visitor) -> VendorReply? {
            guard case .object(let pairs) = attrs else { return badValue("attributes", "an object") }
            for (key, value) in pairs {
                if key == "group_id" {
                    if value.isNull { v.groupId = nil; continue }
                    guard let g = value.intValue else { return badValue(key, "an integer") }
                    v.groupId = g
                } else if ChatrHub.visitorFields.contains(key) {
                    if value.isNull { v.fields[key] = nil; continue }
                    guard var text = value.stringValue else { return badValue(key, "a string") }
                    if key == "phone" { text = String(text.filter(\.isNumber)) }
                    v.fields[key] = text
                } else {
                    return ChatrHub.error(400, "Unknown visitor attribute: \(key)")
                }
            }
            return nil
        }

        func addVisitor(_ r: VendorRequest) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "visitors") } catch { return error.reply }
            return state.withLock { s in
                let id = s.visitors.count + 1
                var v = Visitor(
                    id: id,
                    fields: ["xmpp_username": gen.uuid(70, id), "xmpp_password": gen.uuid(71, id)],
                    createDt: Int(Date().timeIntervalSince1970))
                if let problem = Store.applyVisitor(attrs, to: &v) { return problem }
                if let g = v.groupId, s.groups[g] == nil { return Store.notFound("Group", String(g)) }
                s.visitors.append(v)
                return .ok(.object([("data", Store.visitorJSON(v, withTrmnt: true))]))
            }
        }

        func editVisitor(_ r: VendorRequest, _ a: PathParams) -> VendorReply {
            let attrs: JSON
            do { attrs = try Store.attributes(r, type: "visitors") } catch { return error.reply }
            return state.withLock { s in
                guard let id = Store.intParam(a, "visitor_id"), s.visitors.indices.contains(id - 1) else {
                    return Store.notFound("Visitor", a["visitor_id"])
                }
                var v = s.visitors[id - 1]
                if let problem = Store.applyVisitor(attrs, to: &v) { return problem }
                if let g = v.groupId, s.groups[g] == nil { return Store.notFound("Group", String(g)) }
                v.updtDt = Int(Date().timeIntervalSince1970)
                v.updtBy = 1
                s.visitors[id - 1] = v
                return .ok(.object([("data", Store.visitorJSON(v, withTrmnt: true))]))
            }
        }
    }
}

/// A reply carried as an error value, for early exits in body validation.
struct ReplyError: Error {
    let reply: VendorReply
    init(_ reply: VendorReply) { self.reply = reply }
}
