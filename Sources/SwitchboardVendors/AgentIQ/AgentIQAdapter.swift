import Foundation
import SwitchboardCore

/// Agent IQ: read-only exports (`x-api-key`), JSON arrays, plus the CSV import.
/// Every path can be overridden in config (`paths.agents = "/api/exports/agents"`).
public final class AgentIQAdapter: VendorAdapter {
    public static let type = "agentiq"
    public let client: VendorClient
    let agentKind, conversationKind, customerKind, messageKind, feedbackKind, activityKind, assignmentKind: ObjectKind
    let actions: ActionTable

    static let defaultPaths = [
        "conversations": "/api/exports/conversations", "customers": "/api/exports/customers", "agents": "/api/exports/agents",
        "feedback": "/api/exports/feedback", "agent_availability": "/api/exports/agent_availability",
        "agent_assignments": "/api/exports/agent_assignments", "agent": "/api/agents", "import": "/api/imports/csv",
    ]

    public init(client: VendorClient) {
        self.client = client
        let v = client.vendor
        agentKind = ObjectKind("agent", vendor: v, fields: Fields.agent)
        conversationKind = ObjectKind("conversation", vendor: v, fields: Fields.conversation)
        customerKind = ObjectKind("customer", vendor: v, fields: Fields.customer)
        messageKind = ObjectKind("message", vendor: v, fields: Fields.message)
        feedbackKind = ObjectKind("feedback", vendor: v, fields: ["type", "value", "customer_id", "primary_agent_id", "sender_id", "comments", "time_stamp"])
        activityKind = ObjectKind("activity", vendor: v, fields: ["agent_id", "event_name", "status", "created_at", "executor_id"])
        assignmentKind = ObjectKind("assignment", vendor: v, fields: ["action_type", "action_time", "agent_id", "conversation_id", "agent_availability", "agent_capacity", "load", "actor_id"])
        actions = ActionTable(vendor: v, supported: ["import": ["agent", "customer"]], fallback: "its API is read-only")
    }

    public static func authorize(_ request: inout HTTPRequest, _ c: VendorConnection) throws {
        guard let key = c.credentials["api_key"], !key.isEmpty else {
            throw ConfigError("\(c.name): no API key configured (set api_key_env in [vendors.\(c.name)])")
        }
        request.headers.append(("x-api-key", key))
    }

    func path(_ name: String) -> String { client.connection.options["paths." + name] ?? Self.defaultPaths[name]! }

    static func status(_ event: String?) -> Value {
        switch event?.lowercased() {
        case "available": "available"
        case "unavailable", "busy": "busy"
        case "away": "away"
        case "offline": "offline"
        default: "unknown"
        }
    }

    func agent(_ r: Value, status: Value) -> Value {
        let first = r["first_name"].text ?? r["profile"]["first_name"].text ?? ""
        let last = r["last_name"].text ?? r["profile"]["last_name"].text ?? ""
        let name = [first, last].filter { !$0.isEmpty }.joined(separator: " ")
        return agentKind.make(id: r["id"], [name.isEmpty ? .null : .string(name), r["email"], status, r["created_at"].asDate, r["teams"], .null, .null, r["roles"]], raw: r)
    }

    func conversation(_ r: Value) -> Value {
        conversationKind.make(id: r["conversation_id"], [.null, .null, r["customer_id"], r["agents"].list.first ?? .null, .null, .null, .null, r["created_at"].asDate, r["updated_at"].asDate], raw: r)
    }

    func messages(of conversation: Value) -> [Value] {
        let id = conversation["conversation_id"]
        return conversation["chat_transcript"].list.map { m in
            messageKind.make(id: m["message_id"], [id, m["sender_id"], m["type"].text == "agent" ? "out" : "in", m["content"], m["time_stamp"].asDate], raw: m)
        }
    }

    func window(_ q: ResourceQuery, _ query: inout [(String, String)]) {
        if let s = q.date("since") { query.append(("start_date", QueryDate.seconds(s))) }
        if let u = q.date("until") { query.append(("end_date", QueryDate.seconds(u))) }
    }

    public func list(_ resource: Resource, _ q: ResourceQuery, _ io: IO) throws -> ValueStream {
        switch resource {
        case .agents:
            if let id = q.id {
                return singleFetch { [self] in
                    let v = try io.get(path("agent") + "/" + Ids.pathSafe(id))
                    return v["models"].list.map { m in agent(m, status: Self.status(m["profile"]["availability"].text)) }
                }
            }
            var query: [(String, String)] = []
            for f in ["email", "name", "external_id"] { if let v = q.string(f) { query.append((f, v)) } }
            return singleFetch { [self] in
                let agents = try io.get(path("agents"), query).list
                // Status: the latest availability event of the last 24 hours.
                let events = try io.get(path("agent_availability"), [("start_date", QueryDate.seconds(QueryDate.now - 86400))]).list
                var latest: [Int: (Double, String)] = [:]
                for e in events {
                    guard let a = e["agent_id"].asInt, case .date(let t) = e["created_at"].asDate, let name = e["event_name"].text else { continue }
                    if let cur = latest[a], cur.0 > t { continue }
                    latest[a] = (t, name)
                }
                return agents.map { r in agent(r, status: r["id"].asInt.flatMap { latest[$0] }.map { Self.status($0.1) } ?? "unknown") }
            }
        case .conversations:
            var query: [(String, String)] = []
            window(q, &query)
            if let c = q.string("customer") { query.append(("customer_id", c)) }
            if let a = q.string("agent") { query.append(("agent_id", a)) }
            let id = q.id
            return singleFetch { [self] in
                try io.get(path("conversations"), query).list.filter { id == nil || $0["conversation_id"].text == id }.map(conversation)
            }
        case .customers:
            var query: [(String, String)] = []
            if let id = q.id { query.append(("customer_id", id)) }
            for f in ["email", "name", "external_id"] { if let v = q.string(f) { query.append((f, v)) } }
            window(q, &query)
            return singleFetch { [self] in
                try io.get(path("customers"), query).list.map { r in
                    let name = [r["first_name"].text ?? "", r["last_name"].text ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
                    return customerKind.make(id: r["id"], [.string(name), r["email"], r["phone"], r["created_at"].asDate], raw: r)
                }
            }
        case .messages:
            if let parent = q.parent { return ValueStream(messages(of: parent.raw)) }
            guard let chat = q.string("chat") else { throw SwitchboardError(.usage, "messages needs conversations as input, or --chat ID") }
            return singleFetch { [self] in
                try io.get(path("conversations")).list.filter { $0["conversation_id"].text == chat }.flatMap(messages(of:))
            }
        case .feedback:
            var query: [(String, String)] = []
            window(q, &query)
            for (f, param) in [("type", "type"), ("customer", "customer_id"), ("agent", "primary_agent_id")] {
                if let v = q.string(f) { query.append((param, v)) }
            }
            return singleFetch { [self] in
                try io.get(path("feedback"), query).list.map { r in
                    feedbackKind.make(id: r["id"], [r["type"], r["value"], r["customer_id"], r["primary_agent_id"], r["sender_id"], r["content"]["comments"], r["time_stamp"].asDate], raw: r)
                }
            }
        case .activity:
            var query: [(String, String)] = []
            if let a = q.parent?.text("id") ?? q.string("agent") { query.append(("agent_id", a)) }
            query.append(("start_date", QueryDate.seconds(q.date("since") ?? QueryDate.now - 86400)))
            if let u = q.date("until") { query.append(("end_date", QueryDate.seconds(u))) }
            return singleFetch { [self] in
                try io.get(path("agent_availability"), query).list.map { r in
                    activityKind.make(id: r["event_id"], [r["agent_id"], r["event_name"], Self.status(r["event_name"].text), r["created_at"].asDate, r["executor_id"]], raw: r)
                }
            }
        case .assignments:
            var query: [(String, String)] = []
            window(q, &query)
            for (f, param) in [("agent", "agent_id"), ("conversation", "conversation_id"), ("type", "action_type")] {
                if let v = q.string(f) { query.append((param, v)) }
            }
            return singleFetch { [self] in
                try io.get(path("agent_assignments"), query).list.map { r in
                    assignmentKind.make(id: r["action_id"], [r["action_type"], r["action_time"].asDate, r["agent_id"], r["conversation_id"], r["agent_availability"], r["agent_capacity"], r["load"], r["actor_id"]], raw: r)
                }
            }
        case .groups, .queues, .notes, .tags, .ratings, .tasks, .report:
            throw Unsupported(client.vendor, "list \(resource.rawValue)", "its API has no \(resource.rawValue)")
        }
    }

    public func check(_ action: VendorAction, kind: String?) throws { try actions.check(action, kind: kind) }

    public func plan(_ action: VendorAction, object: Record?, _ io: IO) throws -> [PlannedRequest] {
        guard case .importCSV(_, let file, let content) = action else {
            try check(action, kind: object?.objectKind)
            return []
        }
        let boundary = "swb-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\((file as NSString).lastPathComponent)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += content
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        var req = client.request("POST", path("import"))
        req.headers.append(("Content-Type", "multipart/form-data; boundary=\(boundary)"))
        req.body = body
        return [PlannedRequest(req, judge: { v in
            let failures = v["failure"].list.filter { !$0.isNull }
            return failures.isEmpty ? nil : "\(failures.count) row(s) failed: " + ((try? JSON.encode(.list(Array(failures.prefix(3))))) ?? "")
        })]
    }
}
