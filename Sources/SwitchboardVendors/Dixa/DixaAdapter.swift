import Foundation
import SwitchboardCore

/// Dixa: `Authorization: KEY`, `{"data": ...}` with `meta.next` paging links, 204 actions.
public final class DixaAdapter: VendorAdapter {
    public static let type = "dixa"
    public let client: VendorClient
    let agentKind, teamKind, queueKind, conversationKind, customerKind, messageKind, noteKind, tagKind, ratingKind, activityKind: ObjectKind
    let actions: ActionTable
    let tagIds = Cache<String, String>()

    public init(client: VendorClient) {
        self.client = client
        let v = client.vendor
        agentKind = ObjectKind("agent", vendor: v, fields: Fields.agent)
        teamKind = ObjectKind("group", vendor: v, fields: Fields.group)
        queueKind = ObjectKind("group", vendor: v, fields: Fields.group)
        conversationKind = ObjectKind("conversation", vendor: v, fields: Fields.conversation)
        customerKind = ObjectKind("customer", vendor: v, fields: Fields.customer)
        messageKind = ObjectKind("message", vendor: v, fields: Fields.message)
        noteKind = ObjectKind("note", vendor: v, fields: ["conversation_id", "author_id", "text", "created_at"])
        tagKind = ObjectKind("tag", vendor: v, fields: ["name", "state", "color"])
        ratingKind = ObjectKind("rating", vendor: v, fields: ["conversation_id", "score", "rating_type", "comment", "status", "agent_id", "customer_id"])
        activityKind = ObjectKind("activity", vendor: v, fields: ["conversation_id", "activity_type", "author_id", "author_name", "created_at"])
        actions = ActionTable(vendor: v, supported: [
            "assign group": ["agent"], "unassign group": ["agent"], "assign queue": ["agent"], "set": ["agent", "customer"],
            "create": ["agent", "group", "customer"], "delete": ["group"], "assign agent": ["conversation"],
            "transfer queue": ["conversation"], "close": ["conversation"], "reopen": ["conversation"],
            "anonymize": ["conversation"], "tag": ["conversation"], "untag": ["conversation"], "note": ["conversation"],
        ], reasons: [
            "transfer agent": "it transfers conversations to queues; assign an agent with `assign agent ID`",
            "resolve": "it has no tasks", "unresolve": "it has no tasks",
        ], settable: [
            // PatchAgentInput and PatchEndUserInput; `name` and `phone` are the normalized names.
            "agent": ["name", "phone", "displayName", "phoneNumber", "firstName", "lastName", "middleNames", "avatarUrl", "additionalEmails", "additionalPhoneNumbers"],
            "customer": ["name", "phone", "email", "displayName", "phoneNumber", "firstName", "lastName", "middleNames", "avatarUrl", "externalId",
                         "additionalEmails", "additionalPhoneNumbers"],
        ], creatable: [
            "agent": ["name", "phone", "email", "displayName", "phoneNumber", "firstName", "lastName", "middleNames", "avatarUrl", "additionalEmails", "additionalPhoneNumbers"],
            "group": ["name"],
        ])
    }

    public static func authorize(_ request: inout HTTPRequest, _ c: VendorConnection) throws {
        guard let key = c.credentials["api_key"], !key.isEmpty else {
            throw ConfigError("\(c.name): no API key configured (set api_key_env in [vendors.\(c.name)])")
        }
        request.headers.append(("Authorization", key))
    }

    // MARK: Normalizing

    static func presence(_ p: Value) -> Value {
        if p.isNull { return "unknown" }
        if p["connectionStatus"].text == "Offline" { return "offline" }
        switch p["presenceStatus"].text {
        case "Working": return "available"
        case "Away": return "away"
        default: return "unknown"
        }
    }

    func agent(_ r: Value, status: Value) -> Value {
        agentKind.make(id: r["id"], [r["displayName"], r["email"], status, r["createdAt"].asDate, .null, .null, .null, r["roles"]], raw: r)
    }

    static func state(_ s: String?) -> Value {
        switch s {
        case "Open": "open"
        case "Pending", "AwaitingPending": "pending"
        case "Closed": "closed"
        default: s.map(Value.string) ?? .null
        }
    }

    func conversation(_ r: Value) -> Value {
        conversationKind.make(id: r["id"], [Self.state(r["state"].text), r["channel"], r["requesterId"], r["assignment"]["agentId"], r["queue"]["id"], .null, .null, r["createdAt"].asDate, r["stateUpdatedAt"].asDate], raw: r)
    }

    func customer(_ r: Value) -> Value {
        customerKind.make(id: r["id"], [r["displayName"], r["email"], r["phoneNumber"], r["createdAt"].asDate], raw: r)
    }

    /// Follows `meta.next` links.
    func paged(_ path: String, _ query: [(String, String)], _ io: IO, _ make: @escaping (Value) -> Value?) -> ValueStream {
        let c = client
        return pagedStream { cursor in
            let v: Value
            if let cursor { v = try io.fetch(try c.request(absolute: cursor)) } else { v = try io.get(path, query + [("pageLimit", "100")]) }
            let next = v["meta"]["next"].text
            return (v["data"].list.compactMap(make), (next?.isEmpty ?? true) ? nil : next)
        }
    }

    /// Agent statuses by id: 17 bytes an agent for UUID ids (Dixa's), so 100,000 agents take
    /// about 2 MB where their presence answer is 25 MB of JSON.
    final class StatusIndex: @unchecked Sendable {
        static let names: [Value] = ["available", "away", "offline", "unknown"]
        private var uuids: [UUID: UInt8] = [:]
        private var others: [String: UInt8] = [:]

        func set(_ id: String?, _ status: Value) {
            guard let id else { return }
            let code: UInt8 = switch status.text { case "available": 0; case "away": 1; case "offline": 2; default: 3 }
            if let u = UUID(uuidString: id) { uuids[u] = code } else { others[id] = code }
        }

        func get(_ id: String?) -> Value {
            guard let id else { return "unknown" }
            let code = UUID(uuidString: id).map { uuids[$0] } ?? others[id]
            return code.map { Self.names[Int($0)] } ?? "unknown"
        }
    }

    // MARK: Resources

    public func list(_ resource: Resource, _ q: ResourceQuery, _ io: IO) throws -> ValueStream {
        switch resource {
        case .agents:
            if let id = q.id {
                return singleFetch { [self] in
                    let a = try io.get("/v1/agents/\(Ids.pathSafe(id))")["data"]
                    let p = try io.get("/v1/agents/\(Ids.pathSafe(id))/presence")["data"]
                    return [agent(a, status: Self.presence(p))]
                }
            }
            var query: [(String, String)] = []
            for f in ["email", "phone"] { if let v = q.string(f) { query.append((f, v)) } }
            // Presence is one bare array for the whole organization (not paged): read once, on the
            // first page, element by element as it arrives, into a compact id -> status index.
            var statuses: StatusIndex? = nil
            return paged("/v1/agents", query, io) { [self] r in
                if statuses == nil {
                    let index = StatusIndex()
                    try? io.forEach("/v1/agents/presence") { p in index.set(p["userId"].text, Self.presence(p)) }
                    statuses = index
                }
                return agent(r, status: statuses!.get(r["id"].text))
            }
        case .groups:
            let make = { [self] (r: Value) in teamKind.make(id: r["id"], [r["name"], "team"], raw: r) }
            if let id = q.id { return singleFetch { [make] in [make(try io.get("/v1/teams/\(Ids.pathSafe(id))")["data"])] } }
            return singleFetch { try io.get("/v1/teams")["data"].list.map(make) }
        case .queues:
            let make = { [self] (r: Value) in queueKind.make(id: r["id"], [r["name"], "queue"], raw: r) }
            if let id = q.id { return singleFetch { [make] in [make(try io.get("/v1/queues/\(Ids.pathSafe(id))")["data"])] } }
            return singleFetch { try io.get("/v1/queues")["data"].list.map(make) }
        case .conversations:
            if let id = q.id { return singleFetch { [self] in [conversation(try io.get("/v1/conversations/\(Ids.pathSafe(id))")["data"])] } }
            if let customer = q.string("customer") {
                return paged("/v1/endusers/\(Ids.pathSafe(customer))/conversations", [], io) { [self] in conversation($0) }
            }
            if let text = q.string("query") {
                // Search answers hits; each hit is fetched as it is pulled.
                let hits = paged("/v1/search/conversations", [("query", text)], io) { $0 }
                return ValueStream(next: { [self] in
                    guard let hit = try hits.next(), let id = hit["id"].text else { return nil }
                    return conversation(try io.get("/v1/conversations/\(Ids.pathSafe(id))")["data"])
                }, onClose: { hits.close() })
            }
            throw Unsupported(client.vendor, "list all conversations", "its API has no such list; give an id, --query TEXT or --customer ID")
        case .customers:
            if let id = q.id { return singleFetch { [self] in [customer(try io.get("/v1/endusers/\(Ids.pathSafe(id))")["data"])] } }
            var query: [(String, String)] = []
            for (f, param) in [("email", "email"), ("phone", "phone"), ("external", "externalId")] { if let v = q.string(f) { query.append((param, v)) } }
            return paged("/v1/endusers", query, io) { [self] in customer($0) }
        case .messages, .notes, .ratings:
            guard let id = q.parent?.text("id") ?? q.string("chat") else {
                throw SwitchboardError(.usage, "\(resource.rawValue) needs conversations as input\(resource == .messages ? ", or --chat ID" : "")")
            }
            let conv: Value = Int(id).map(Value.int) ?? .string(id)
            return singleFetch { [self] in
                let items = try io.get("/v1/conversations/\(Ids.pathSafe(id))/\(resource.rawValue)")["data"].list
                switch resource {
                case .messages:
                    return items.map { m in
                        let a = m["attributes"]
                        let dir: Value = a["direction"].text == "Outbound" ? "out" : (a["direction"].text == "Inbound" ? "in" : a["direction"])
                        return messageKind.make(id: m["id"], [conv, m["authorId"], dir, a["content"]["value"], m["createdAt"].asDate], raw: m)
                    }
                case .notes:
                    return items.map { n in noteKind.make(id: n["id"], [n["csid"].isNull ? conv : n["csid"], n["authorId"], n["message"], n["createdAt"].asDate], raw: n) }
                default:
                    return items.map { r in ratingKind.make(id: r["id"], [conv, r["ratingScore"], r["ratingType"], r["ratingComment"], r["ratingStatus"], r["agentId"], r["userId"]], raw: r) }
                }
            }
        case .tags:
            let make = { [self] (t: Value) in tagKind.make(id: t["id"], [t["name"], t["state"].text.map { Value.string($0.lowercased()) } ?? .null, t["color"]], raw: t) }
            if let id = q.parent?.text("id") {
                return singleFetch { try io.get("/v1/conversations/\(Ids.pathSafe(id))/tags")["data"].list.map(make) }
            }
            let all = q.flags["all"]?.asBool == true
            return singleFetch { try io.get("/v1/tags", all ? [("includeDeactivated", "true")] : [])["data"].list.map(make) }
        case .activity:
            let make = { [self] (e: Value) in
                activityKind.make(id: e["id"], [e["conversationId"], e["activityType"], e["author"]["id"], e["author"]["name"], e["activityTimestamp"].asDate], raw: e)
            }
            if let parent = q.parent, parent.objectKind == "conversation", let id = parent.text("id") {
                return singleFetch { try io.get("/v1/conversations/\(Ids.pathSafe(id))/activitylog")["data"].list.map(make) }
            }
            var query: [(String, String)] = []
            if let s = q.date("since") { query.append(("fromDatetime", QueryDate.seconds(s))) }
            if let u = q.date("until") { query.append(("toDatetime", QueryDate.seconds(u))) }
            let agent = q.parent?.text("id") ?? q.string("agent")
            return paged("/v1/conversations/activitylog", query, io) { e in
                if let agent, e["author"]["id"].text != agent && e["attributes"]["agentId"].text != agent { return nil }
                return make(e)
            }
        case .tasks, .feedback, .assignments, .report:
            throw Unsupported(client.vendor, "list \(resource.rawValue)", "its API has no \(resource.rawValue)")
        }
    }

    // MARK: Actions

    public func check(_ action: VendorAction, kind: String?) throws { try actions.check(action, kind: kind) }

    /// A tag id from a name (looked up once in /v1/tags) or an id.
    func tagId(_ nameOrId: String, _ io: IO) throws -> String {
        if nameOrId.count == 36, nameOrId.filter({ $0 == "-" }).count == 4 { return nameOrId }
        if let id = tagIds.get(nameOrId.lowercased()) { return id }
        let tags = try io.get("/v1/tags", [("includeDeactivated", "true")])["data"].list
        for t in tags { if let n = t["name"].text, let id = t["id"].text { tagIds.set(n.lowercased(), id) } }
        guard let id = tagIds.get(nameOrId.lowercased()) else {
            throw BadArgument("\(client.vendor) has no tag named `\(nameOrId)`", name: nameOrId, accepted: tags.compactMap { $0["name"].text })
        }
        return id
    }

    public func plan(_ action: VendorAction, object: Record?, _ io: IO) throws -> [PlannedRequest] {
        let c = client
        func conv() throws -> String { "/v1/conversations/" + Ids.pathSafe(try Ids.of(object, c.vendor)) }
        switch action {
        case .assignGroup(let t), .unassignGroup(let t):
            let a = try Ids.of(object, c.vendor)
            let path = "/v1/teams/\(Ids.pathSafe(t))/agents"
            let add: Bool = if case .assignGroup = action { true } else { false }
            let members = c.request("GET", path)
            return [PlannedRequest(c.request(add ? "PATCH" : "DELETE", path, json: .record(["agentIds": .list([.string(a)])])),
                                   kind: .write(idempotent: true),
                                   verify: { try await c.getJSON(members)["data"].list.contains { $0["id"].text == a } == add })]
        case .assignQueue(let q):
            let a = try Ids.of(object, c.vendor)
            return [PlannedRequest(c.request("PATCH", "/v1/queues/\(Ids.pathSafe(q))/members", json: .record(["agentIds": .list([.string(a)])])),
                                   kind: .write(idempotent: true),
                                   judge: { v in
                                       v["data"].list.first { $0["_type"].text == "BulkActionFailure" }.map { $0["error"]["message"].text ?? "failed" }
                                   })]
        case .set(let pairs):
            let id = try Ids.of(object, c.vendor)
            let kind = object?.objectKind
            let body = recordValue(renamed(pairs, ["name": "displayName", "phone": "phoneNumber"]))
            let path = kind == "customer" ? "/v1/endusers/\(Ids.pathSafe(id))" : "/v1/agents/\(Ids.pathSafe(id))"
            return [PlannedRequest(c.request("PATCH", path, json: body), kind: .write(idempotent: true))]
        case .create(let kind, let fields):
            let pairs = renamed(Array(fields.fields), kind == "group" ? [:] : ["name": "displayName", "phone": "phoneNumber"])
            let path = kind == "agent" ? "/v1/agents" : kind == "group" ? "/v1/teams" : "/v1/endusers"
            return [PlannedRequest(c.request("POST", path, json: recordValue(pairs)))]
        case .delete:
            return [PlannedRequest(c.request("DELETE", "/v1/teams/\(Ids.pathSafe(try Ids.of(object, c.vendor)))"))]
        case .assignAgent(let a, let force):
            return [PlannedRequest(c.request("PUT", try conv() + "/claim", json: .record(["agentId": .string(a), "force": .bool(force)])))]
        case .transferQueue(let q):
            return [PlannedRequest(c.request("PUT", try conv() + "/transfer/queue", json: .record(["queueId": .string(q)])))]
        case .close:
            return [PlannedRequest(c.request("PUT", try conv() + "/close"))]
        case .reopen:
            return [PlannedRequest(c.request("PUT", try conv() + "/reopen"))]
        case .anonymize(let force):
            return [PlannedRequest(c.request("PATCH", try conv() + "/anonymize", query: [("force", force ? "true" : "false")]), kind: .write(idempotent: true))]
        case .tag(let t), .untag(let t):
            let id = try tagId(t, io)
            let add: Bool = if case .tag = action { true } else { false }
            return [PlannedRequest(c.request(add ? "PUT" : "DELETE", try conv() + "/tags/" + Ids.pathSafe(id)))]
        case .note(let text):
            let path = try conv() + "/notes"
            let list = c.request("GET", path)
            return [PlannedRequest(c.request("POST", path, json: .record(["message": .string(text)])),
                                   verify: { try await c.getJSON(list)["data"].list.contains { $0["message"].text == text } })]
        default:
            try check(action, kind: object?.objectKind)
            return []
        }
    }
}
