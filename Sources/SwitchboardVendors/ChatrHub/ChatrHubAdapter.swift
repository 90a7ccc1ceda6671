import Foundation
import SwitchboardCore

/// ChatrHub: `/api/v1/*.json`, `Authorization: Bearer KEY`, `{"data": {type, id, attributes}}`.
public final class ChatrHubAdapter: VendorAdapter {
    public static let type = "chatrhub"
    public let client: VendorClient
    let p = "/api/v1"
    let agentKind, groupKind, chatKind, visitorKind, messageKind, taskKind, activityKind, reportKind: ObjectKind
    let actions: ActionTable
    /// Agent usernames seen in the agent list (`transfer agent NAME` checks the name first).
    let usernames = Cache<String, Bool>()

    public init(client: VendorClient) {
        self.client = client
        let v = client.vendor
        agentKind = ObjectKind("agent", vendor: v, fields: Fields.agent)
        groupKind = ObjectKind("group", vendor: v, fields: Fields.group)
        chatKind = ObjectKind("conversation", vendor: v, fields: Fields.conversation)
        visitorKind = ObjectKind("customer", vendor: v, fields: Fields.customer)
        messageKind = ObjectKind("message", vendor: v, fields: Fields.message)
        taskKind = ObjectKind("task", vendor: v, fields: ["type", "assigned_agent_id", "is_complete", "node_name", "intent_id", "message_id", "variables", "created_at", "updated_at"])
        activityKind = ObjectKind("activity", vendor: v, fields: ["agent_id", "status", "created_at"])
        reportKind = ObjectKind("report", vendor: v, fields: ["total_chats", "missed_chats", "total_ratings", "average_rating", "overall_rating", "frendly_rating", "responsive_rating", "knowledge_rating", "great_chats_count", "ok_chats_count", "poor_chats_count", "average_duration", "average_response_delay", "since", "until"])
        actions = ActionTable(vendor: v, supported: [
            "assign group": ["agent"], "unassign group": ["agent"], "set": ["agent", "group", "customer", "conversation"],
            "create": ["agent", "group", "customer"], "delete": ["group"], "transfer agent": ["conversation"],
            "tag": ["conversation"], "resolve": ["task"], "unresolve": ["task"],
        ], reasons: [
            "transfer queue": "it transfers chats to agents by username only (use `transfer agent NAME`)",
            "untag": "a chat has one free-text tag; set another with `tag NAME`",
            "assign agent": "it has no claim; use `transfer agent USERNAME`",
        ], settable: [
            "agent": ["name", "status"] + Self.agentAttributes,
            "group": ["name", "group_name"] + Self.groupMatches,
            "customer": Self.visitorAttributes,
            "conversation": ["tags", "tag"],
        ], creatable: [
            "agent": ["name", "full_name", "email", "authorization_level", "is_assign_training_tasks", "is_assign_training_task_send_email",
                      "is_assign_operational_tasks", "is_assign_operational_task_by_variable", "assign_operational_task_variable", "assign_operational_task_values"],
        ], values: ["agent.status": ["available", "busy"]])
    }

    /// The documented attributes of Update Agent (C8), Edit Group (C18) and Edit Visitor (C27).
    static let agentAttributes = [
        "full_name", "email", "authorization_level", "is_taking_chats", "is_bot", "is_agent_setup", "is_unsubscribe", "is_assign_training_tasks",
        "is_assign_operational_tasks", "is_assign_operational_task_by_variable", "assign_operational_task_variable", "assign_operational_task_values",
        "is_assign_training_task_send_email", "is_assign_operational_task_send_email",
    ]
    static let groupMatches = [
        "visitor_phone_matches", "visitor_email_matches", "visitor_referrer_url_matches", "visitor_company_matches", "visitor_state_matches",
        "visitor_zip_matches", "visitor_city_matches", "visitor_country_matches", "visitor_current_url_matches",
    ]
    static let visitorAttributes = [
        "name", "email", "phone", "company_name", "street_address_1", "street_address_2", "city", "state", "zip_code", "country", "group_id",
    ]

    public static func authorize(_ request: inout HTTPRequest, _ c: VendorConnection) throws {
        guard let key = c.credentials["api_key"], !key.isEmpty else {
            throw ConfigError("\(c.name): no API key configured (set api_key_env in [vendors.\(c.name)])")
        }
        request.headers.append(("Authorization", "Bearer " + key))
    }

    // MARK: Normalizing

    static let levels = [1: "agent", 3: "supervisor", 5: "admin"]

    func agent(_ r: Value) -> Value {
        let a = r["attributes"]
        let name = a["full_name"].text.flatMap { $0.isEmpty ? nil : $0 } ?? a["display_name"].text ?? a["username"].text
        let status: Value = a["is_taking_chats"].asBool == true ? "available" : (a["is_taking_chats"].isNull ? "unknown" : "busy")
        let role: Value = a["authorization_level"].asInt.flatMap { Self.levels[$0] }.map { .list([.string($0)]) } ?? .null
        return agentKind.make(id: r["id"].asIntValue, [name.map(Value.string) ?? .null, a["email"], status, a["create_dt"].asDate, .null, .null, .null, role], raw: r)
    }

    func group(_ r: Value) -> Value {
        groupKind.make(id: r["id"].asIntValue, [r["attributes"]["group_name"], "group"], raw: r)
    }

    func chat(_ r: Value) -> Value {
        let a = r["attributes"]
        let ended = a["is_ended"].asInt == 1 || a["is_ended"].asBool == true
        let tags: Value = a["tag"].text.map { .list([.string($0)]) } ?? .list([])
        return chatKind.make(id: r["id"].asIntValue, [ended ? "closed" : "open", "chat", a["visitor_id"], a["agent_id"], .null, a["group_id"], tags, a["create_dt"].asDate, a["updt_dt"].asDate], raw: r)
    }

    func visitor(_ r: Value) -> Value {
        let a = r["attributes"]
        return visitorKind.make(id: r["id"].asIntValue, [a["name"], a["email"], a["phone"], a["create_dt"].asDate], raw: r)
    }

    func message(_ r: Value) -> Value {
        let a = r["attributes"]
        let fromAgent = !a["from_agent_id"].isNull
        return messageKind.make(id: r["id"].asIntValue, [a["chat_id"], fromAgent ? a["from_agent_id"] : a["from_visitor_id"], fromAgent ? "out" : "in", a["body"], a["create_dt"].asDate], raw: r)
    }

    func task(_ r: Value) -> Value {
        let a = r["attributes"]
        var vars = a["variables_"]
        if case .string(let s) = vars, let parsed = try? JSON.decode(s) { vars = parsed }
        return taskKind.make(id: r["id"].asIntValue, [a["task_type"], a["assigned_agent_id"], a["is_complete"], a["node_name"], a["intent_id"], a["message_id"], vars, a["create_dt"].asDate, a["updt_dt"].asDate], raw: r)
    }

    func data(_ v: Value) -> [Value] {
        switch v["data"] {
        case .list(let l): l
        case .null: []
        case let one: [one]
        }
    }

    // MARK: Resources

    public func list(_ resource: Resource, _ q: ResourceQuery, _ io: IO) throws -> ValueStream {
        switch resource {
        case .agents:
            if let id = q.id { return singleFetch { [self] in data(try io.get("\(p)/agents/\(Ids.pathSafe(id)).json")).map(agent) } }
            var query: [(String, String)] = []
            if let u = q.string("username") { query.append(("agent_username", u)) }
            return singleFetch { [self] in data(try io.get("\(p)/agents.json", query)).map(agent) }
        case .groups:
            if let id = q.id { return singleFetch { [self] in data(try io.get("\(p)/groups/\(Ids.pathSafe(id)).json")).map(group) } }
            return singleFetch { [self] in data(try io.get("\(p)/groups.json")).map(group) }
        case .conversations:
            if let id = q.id { return singleFetch { [self] in data(try io.get("\(p)/chats/\(Ids.pathSafe(id)).json")).map(chat) } }
            let until = q.date("until") ?? QueryDate.now
            let since = q.date("since") ?? until - 7 * 86400
            var query = [("start_date", QueryDate.epochMillis(since)), ("end_date", QueryDate.epochMillis(until))]
            for (flag, param) in [("agent", "agent_id"), ("customer", "visitor_id"), ("group", "group_id"), ("tag", "tag"), ("rating", "rating"), ("missed", "missed")] {
                if let v = q.string(flag) { query.append((param, v)) }
            }
            return singleFetch { [self] in data(try io.get("\(p)/chats.json", query)).map(chat) }
        case .customers:
            var query: [(String, String)] = []
            if let id = q.id { query.append(("visitor_id", id)) }
            for f in ["name", "email", "phone"] { if let v = q.string(f) { query.append((f, v)) } }
            return singleFetch { [self] in data(try io.get("\(p)/visitors.json", query)).map(visitor) }
        case .messages:
            guard let chatId = q.parent?.text("id") ?? q.string("chat") else {
                throw SwitchboardError(.usage, "messages needs conversations as input, or --chat ID")
            }
            let admin = q.flags["include-admin"]?.asBool == true ? "true" : "false"
            return singleFetch { [self] in data(try io.get("\(p)/messages.json", [("chat_id", chatId), ("include_admin", admin)])).map(message) }
        case .tasks:
            let type = q.string("type") ?? "operational"
            let resolved = q.flags["resolved"]?.asBool == true ? "1" : "0"
            return pagedStream { [self] cursor in
                let after = Int(cursor ?? "0") ?? 0
                let items = data(try io.get("\(p)/q_tasks.json", [("after", String(after)), ("task_type", type), ("is_resolved", resolved)]))
                return (items.map(task), items.isEmpty ? nil : String(after + items.count))
            }
        case .activity:
            guard let agentId = q.parent?.text("id") ?? q.string("agent") else {
                throw SwitchboardError(.usage, "activity needs agents as input, or --agent ID")
            }
            let until = q.date("until") ?? QueryDate.now
            let since = q.date("since") ?? until - 86400
            return singleFetch { [self] in
                data(try io.get("\(p)/agent_activities/agent_id/\(Ids.pathSafe(agentId)).json", [("start_date", QueryDate.day(since)), ("end_date", QueryDate.day(until))])).map { r in
                    let a = r["attributes"]
                    return activityKind.make(id: r["id"].asIntValue, [a["agent_id"].asIntValue, a["status"], a["create_dt"].asDate], raw: r)
                }
            }
        case .report:
            let until = q.date("until") ?? QueryDate.now
            let since = q.date("since") ?? until - 7 * 86400
            var query = [("start_date", QueryDate.day(since)), ("end_date", QueryDate.day(until))]
            if let a = q.string("agent") { query.append(("agent_id", a)) }
            if let g = q.string("group") { query.append(("group_id", g)) }
            return singleFetch { [self] in
                data(try io.get("\(p)/chats/report.json", query)).map { r in
                    let a = r["attributes"]
                    let values = reportKind.fields.dropLast(2).map { a[$0] } + [.string(QueryDate.day(since)), .string(QueryDate.day(until))]
                    return reportKind.make(id: r["id"].asIntValue, values, raw: r)
                }
            }
        case .queues: throw Unsupported(client.vendor, "list queues", "it has groups, not queues (use `groups`)")
        case .notes, .ratings: throw Unsupported(client.vendor, "list \(resource.rawValue)", "its API has no \(resource.rawValue); chats carry their ratings")
        case .tags: throw Unsupported(client.vendor, "list tags", "a chat's tag is a field of the chat (`conversations | get tags`)")
        case .feedback, .assignments: throw Unsupported(client.vendor, "list \(resource.rawValue)", "its API has no \(resource.rawValue)")
        }
    }

    // MARK: Actions

    public func check(_ action: VendorAction, kind: String?) throws { try actions.check(action, kind: kind) }

    func body(_ type: String, _ attrs: [(String, Value)]) -> Value {
        .record(["data": .record(["type": .string(type), "attributes": recordValue(attrs)])])
    }

    /// A transfer's target must be an agent's username: looked up once in the agent list, so a
    /// typo is one error with suggestions before any transfer, not a failure per chat.
    func checkUsername(_ name: String, _ io: IO) throws {
        if usernames.get(name) != nil { return }
        let names = data(try io.get("\(p)/agents.json")).compactMap { $0["attributes"]["username"].text }
        for n in names { usernames.set(n, true) }
        guard usernames.get(name) != nil else {
            throw BadArgument("\(client.vendor) has no agent with username `\(name)`", argument: 1, name: name, accepted: names)
        }
    }

    public func plan(_ action: VendorAction, object: Record?, _ io: IO) throws -> [PlannedRequest] {
        let c = client
        let p = self.p
        switch action {
        case .assignGroup(let g), .unassignGroup(let g):
            let a = try Ids.of(object, c.vendor)
            let agentId = try Ids.int(a, c.vendor, "agent")
            let groupId = try Ids.int(g, c.vendor, "group")
            let check = c.request("GET", "\(p)/agent_groups/agent_id/\(agentId)/group_id/\(groupId).json")
            if case .unassignGroup = action {
                return [PlannedRequest(c.request("DELETE", "\(p)/agent_groups/agent_id/\(agentId)/group_id/\(groupId).json"))]
            }
            let req = c.request("POST", "\(p)/agent_groups/\(agentId).json",
                                json: body("agent_groups", [("agent_id", .int(agentId)), ("group_id", .int(groupId)), ("is_assigned", true)]))
            return [PlannedRequest(req, verify: {
                let v = try await c.getJSON(check)
                return v["data"]["attributes"]["is_assigned"].asBool == true
            })]
        case .set(let pairs):
            let id = try Ids.of(object, c.vendor)
            switch object?.objectKind {
            case "agent":
                let attrs = try renamed(pairs, ["name": "full_name"]).map { k, v -> (String, Value) in
                    if k == "status" {
                        guard let s = v.text, s == "available" || s == "busy" else {
                            throw SwitchboardError(.value, "chatrhub agent status can be set to available or busy (is_taking_chats)")
                        }
                        return ("is_taking_chats", .bool(s == "available"))
                    }
                    return (k, v)
                }
                return [PlannedRequest(c.request("PATCH", "\(p)/agents/\(Ids.pathSafe(id)).json", json: body("agents", attrs)), kind: .write(idempotent: true))]
            case "group":
                var attrs = renamed(pairs, ["name": "group_name"])
                if !attrs.contains(where: { $0.0 == "group_name" }), let name = object?.text("name") { attrs.insert(("group_name", .string(name)), at: 0) }
                return [PlannedRequest(c.request("PATCH", "\(p)/groups/\(Ids.pathSafe(id)).json", json: body("groups", attrs)), kind: .write(idempotent: true))]
            case "customer":
                return [PlannedRequest(c.request("PATCH", "\(p)/visitors/\(Ids.pathSafe(id)).json", json: body("visitors", pairs)), kind: .write(idempotent: true))]
            default:
                let attrs = renamed(pairs, ["tags": "tag"]).map { k, v in (k, k == "tag" ? (v.asList?.first ?? v) : v) }
                return [PlannedRequest(c.request("PATCH", "\(p)/chats/\(Ids.pathSafe(id)).json", json: body("chats", attrs)), kind: .write(idempotent: true))]
            }
        case .create(let kind, let fields):
            let pairs = Array(fields.fields)
            switch kind {
            case "agent":
                var attrs = renamed(pairs, ["name": "full_name"])
                if !attrs.contains(where: { $0.0 == "authorization_level" }) { attrs.append(("authorization_level", 1)) }
                return [PlannedRequest(c.request("POST", "\(p)/agents/invite.json", json: body("agents", attrs)))]
            case "group":
                return [PlannedRequest(c.request("POST", "\(p)/groups.json", json: body("groups", renamed(pairs, ["name": "group_name"]))))]
            default:
                return [PlannedRequest(c.request("POST", "\(p)/visitors.json", json: body("visitors", pairs)))]
            }
        case .delete:
            let id = try Ids.of(object, c.vendor)
            return [PlannedRequest(c.request("DELETE", "\(p)/groups/\(Ids.pathSafe(id)).json"))]
        case .transferAgent(let to):
            try checkUsername(to, io)
            let id = try Ids.of(object, c.vendor)
            guard let from = object?.raw["attributes"]["agent"]["attributes"]["username"].text else {
                throw SwitchboardError(.value, "chatrhub: conversation \(id) has no agent to transfer from")
            }
            let req = c.request("GET", "\(p)/chats/transfer/\(Ids.pathSafe(id)).json", query: [("agent_username_from", from), ("agent_username_to", to)])
            return [PlannedRequest(req, kind: .write(idempotent: true))]
        case .tag(let t):
            let id = try Ids.of(object, c.vendor)
            return [PlannedRequest(c.request("PATCH", "\(p)/chats/\(Ids.pathSafe(id)).json", json: body("chats", [("tag", .string(t))])), kind: .write(idempotent: true))]
        case .resolve, .unresolve:
            let id = try Ids.of(object, c.vendor)
            let flag = if case .resolve = action { "1" } else { "0" }
            return [PlannedRequest(c.request("GET", "\(p)/q_tasks/operational/\(Ids.pathSafe(id))/\(flag).json"), kind: .write(idempotent: true))]
        default:
            try check(action, kind: object?.objectKind)
            return []
        }
    }
}
