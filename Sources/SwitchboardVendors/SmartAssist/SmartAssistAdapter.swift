import Crypto
import Foundation
import SwitchboardCore

/// Kore.ai SmartAssist: `auth: JWT` + `accountId`, plain objects, `{"results": [...], "hasMore"}` lists.
public final class SmartAssistAdapter: VendorAdapter {
    public static let type = "smartassist"
    public let client: VendorClient
    let agentKind, groupKind, queueKind: ObjectKind
    let actions: ActionTable

    public init(client: VendorClient) {
        self.client = client
        let v = client.vendor
        agentKind = ObjectKind("agent", vendor: v, fields: Fields.agent)
        groupKind = ObjectKind("group", vendor: v, fields: Fields.group)
        queueKind = ObjectKind("group", vendor: v, fields: Fields.group)
        actions = ActionTable(vendor: v, supported: [
            "assign group": ["agent"], "set": ["agent", "group"], "create": ["agent", "group"], "delete": ["group"],
        ], reasons: ["unassign group": "its API can add an agent to a group but not remove one"],
           fallback: "its API has no such operation",
           settable: [
               // The documented body of PUT agent (K1) and of PUT agent group; `name`, `email`
               // and `capacity` are the normalized names.
               "agent": ["name", "email", "capacity"] + Self.agentBody,
               "group": ["name", "description", "managers"],
           ],
           creatable: ["agent": ["name", "email", "capacity"] + Self.agentBody])
    }

    static let agentBody = [
        "emailId", "firstName", "lastName", "nickName", "phoneNumber", "profImage", "canSupportChat", "canSupportVoice", "maxChatSupport", "roleId",
        "chatLanguageSupport", "voiceLanguageSupport", "skills", "desktopLayouts", "queues",
    ]

    var prefix: String { "/agentassist/api/v1/public/" + Ids.pathSafe(client.connection.value("stream_id") ?? "") }

    public static func authorize(_ request: inout HTTPRequest, _ c: VendorConnection) throws {
        guard let account = c.value("account_id"), !account.isEmpty else { throw ConfigError("\(c.name): account_id is not configured") }
        guard c.value("stream_id") != nil else { throw ConfigError("\(c.name): stream_id is not configured") }
        let token: String
        if let jwt = c.credentials["jwt"], !jwt.isEmpty {
            token = jwt
        } else if let id = c.credentials["client_id"], let secret = c.credentials["client_secret"], !secret.isEmpty {
            token = mintJWT(clientId: id, secret: secret)
        } else {
            throw ConfigError("\(c.name): set jwt_env, or client_id and client_secret_env, in [vendors.\(c.name)]")
        }
        request.headers.append(("auth", token))
        request.headers.append(("accountId", account))
    }

    /// HS256 JWT with payload `{"appId": clientId}`, signed with the client secret.
    public static func mintJWT(clientId: String, secret: String) -> String {
        func b64(_ bytes: some Sequence<UInt8>) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = b64(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = b64(Array(((try? JSON.encode(.record(["appId": .string(clientId)]))) ?? "{}").utf8))
        let input = header + "." + payload
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return input + "." + b64(Array(mac))
    }

    static func status(_ s: String?) -> Value {
        switch s?.uppercased() {
        case "AVAILABLE": "available"
        case "BUSY": "busy"
        case "AWAY": "away"
        case "OFFLINE": "offline"
        default: "unknown"
        }
    }

    func agent(_ r: Value) -> Value {
        let name = r["fullName"].text ?? [r["firstName"].text ?? "", r["lastName"].text ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        let groups: Value = .list(r["agentGroups"].list.map { $0["groupId"] })
        let roles: Value = r["role"].text.map { .list([.string($0)]) } ?? .null
        return agentKind.make(id: r["id"], [.string(name), r["emailId"], Self.status(r["onlineStatusType"].text), r["createdAt"].asDate, groups, r["maxChatSupport"], .null, roles], raw: r)
    }

    func group(_ r: Value) -> Value { groupKind.make(id: r["id"], [r["name"], "agent_group"], raw: r) }
    func queue(_ r: Value) -> Value { queueKind.make(id: r["id"], [r["name"], "queue"], raw: r) }

    /// `page`-paged lists (agents, queues) or `skip`-paged (agent groups).
    func paged(_ path: String, skip: Bool, _ make: @escaping (Value) -> Value, _ io: IO) -> ValueStream {
        let limit = 100
        return pagedStream { cursor in
            let n = Int(cursor ?? (skip ? "0" : "1")) ?? 0
            let v = try io.get(path, [(skip ? "skip" : "page", String(n)), ("limit", String(limit))])
            let items = v["results"].list
            let more = v["hasMore"].asBool == true && !items.isEmpty
            return (items.map(make), more ? String(skip ? n + items.count : n + 1) : nil)
        }
    }

    public func list(_ resource: Resource, _ q: ResourceQuery, _ io: IO) throws -> ValueStream {
        switch resource {
        case .agents:
            if let id = q.id { return singleFetch { [self] in [agent(try io.get("\(prefix)/agents/\(Ids.pathSafe(id))"))] } }
            return paged("\(prefix)/agents", skip: false, agent, io)
        case .groups:
            let s = paged("\(prefix)/agent-groups", skip: true, group, io)
            guard let id = q.id else { return s }
            return ValueStream(next: { while let v = try s.next() { if v["id"].text == id { return v } }; return nil }, onClose: { s.close() })
        case .queues:
            return paged("\(prefix)/queues", skip: false, queue, io)
        default:
            throw Unsupported(client.vendor, "list \(resource.rawValue)", "its public API covers agents, agent groups and queues only")
        }
    }

    public func check(_ action: VendorAction, kind: String?) throws { try actions.check(action, kind: kind) }

    /// The documented full body of PUT agent, from a GET agent answer.
    static func fullBody(_ a: Value, changes: [(String, Value)]) -> Value {
        var r = Record()
        for key in ["emailId", "firstName", "lastName", "nickName", "phoneNumber", "profImage", "canSupportChat", "canSupportVoice", "maxChatSupport", "roleId"] {
            let v = a[key]
            if !v.isNull { r[key] = v }
        }
        if r["phoneNumber"] == nil { r["phoneNumber"] = "" }
        for key in ["chatLanguageSupport", "voiceLanguageSupport"] {
            r[key] = .list(a[key].list.map { l in .record(["language": l["language"], "proficiency": l["proficiency"], "isActive": l["isActive"].isNull ? true : l["isActive"]]) })
        }
        r["skills"] = .list(a["skills"].list.map { s in .record(["skillId": s["skillId"].isNull ? s["id"] : s["skillId"], "proficiencyLevel": s["proficiencyLevel"]]) })
        r["desktopLayouts"] = .list(a["desktopLayouts"].list.map { .record(["id": $0["id"]]) })
        r["queues"] = .list(a["queues"].list.map { .record(["id": $0["id"], "isPreferredAgent": $0["isPreferredAgent"].isNull ? false : $0["isPreferredAgent"]]) })
        for (k, v) in changes { r[k] = v }
        return .record(r)
    }

    public func plan(_ action: VendorAction, object: Record?, _ io: IO) throws -> [PlannedRequest] {
        let c = client
        let prefix = self.prefix
        switch action {
        case .assignGroup(let g):
            let id = try Ids.of(object, c.vendor)
            let path = "\(prefix)/agents/\(Ids.pathSafe(id))"
            let read = c.request("GET", path)
            let planned = c.request("PUT", path, query: [("groupId", g)], json: Self.fullBody(object?.raw ?? .null, changes: [("agentGroupId", .string(g))]))
            return [
                PlannedRequest(read, write: false),
                PlannedRequest(planned, build: { current in
                    c.request("PUT", path, query: [("groupId", g)], json: Self.fullBody(current, changes: [("agentGroupId", .string(g))]))
                }, verify: {
                    try await c.getJSON(read)["agentGroups"].list.contains { $0["groupId"].text == g }
                }),
            ]
        case .set(let pairs):
            let id = try Ids.of(object, c.vendor)
            if object?.objectKind == "group" {
                let path = "\(prefix)/agent-groups/\(Ids.pathSafe(id))"
                let raw = object?.raw ?? .null
                var r = Record(fields: [("name", raw["name"]), ("description", raw["description"]), ("managers", raw["managers"].isNull ? .list([]) : raw["managers"])])
                for (k, v) in pairs { r[k] = v }
                return [PlannedRequest(c.request("PUT", path, json: .record(r)))]
            }
            var changes: [(String, Value)] = []
            for (k, v) in renamed(pairs, ["email": "emailId", "capacity": "maxChatSupport"]) {
                if k == "name", let s = v.text {
                    let parts = s.split(separator: " ", maxSplits: 1).map(String.init)
                    changes.append(("firstName", .string(parts.first ?? s)))
                    changes.append(("lastName", .string(parts.count > 1 ? parts[1] : "")))
                } else {
                    changes.append((k, v))
                }
            }
            let path = "\(prefix)/agents/\(Ids.pathSafe(id))"
            let read = c.request("GET", path)
            let fixed = changes
            return [
                PlannedRequest(read, write: false),
                PlannedRequest(c.request("PUT", path, json: Self.fullBody(object?.raw ?? .null, changes: fixed)), build: { current in
                    c.request("PUT", path, json: Self.fullBody(current, changes: fixed))
                }),
            ]
        case .create(let kind, let fields):
            if kind == "group" {
                return [PlannedRequest(c.request("POST", "\(prefix)/agent-groups", json: .record(fields)))]
            }
            var pairs: [(String, Value)] = []
            for (k, v) in renamed(Array(fields.fields), ["email": "emailId", "capacity": "maxChatSupport"]) {
                if k == "name", let s = v.text {
                    let parts = s.split(separator: " ", maxSplits: 1).map(String.init)
                    pairs.append(("firstName", .string(parts.first ?? s)))
                    pairs.append(("lastName", .string(parts.count > 1 ? parts[1] : "")))
                } else { pairs.append((k, v)) }
            }
            return [PlannedRequest(c.request("POST", "\(prefix)/agents", json: recordValue(pairs)))]
        case .delete:
            let id = try Ids.of(object, c.vendor)
            return [PlannedRequest(c.request("DELETE", "\(prefix)/agent-groups/\(Ids.pathSafe(id))"))]
        default:
            try check(action, kind: object?.objectKind)
            return []
        }
    }
}
