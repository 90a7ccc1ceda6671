import Foundation
import Synchronization

/// Agent IQ emulator (seed: `agentiq-api.txt`, notes: vendor-notes.md §2.1, §4.4).
///
/// Paths are the ones VENDORS.md §2 fixes (only the first two are confirmed by the vendor):
/// `GET /api/exports/{conversations,customers,agents,feedback,agent_availability,agent_assignments}`,
/// `GET /api/agents/{id|me}`, `POST /api/imports/csv` (multipart, field `file`).
/// Auth is `x-api-key: KEY`. Exports return JSON arrays of the documented objects, filtered by
/// the documented query parameters; date filters are `YYYY-MM-DDTHH:MM:SSZ` exactly.
///
/// Sandbox policy where the vendor documents none:
/// - Errors are `{"error": "<message>"}`: 401 missing or wrong key (also on `/api/agents` and the
///   import), 404 unknown agent id or path, 405 wrong method, 400 for a malformed filter or body.
/// - Response timestamps use the query format, `2024-01-31T12:00:00Z`; `deleted_at`,
///   `deactivated_at` are null.
/// - `chat_transcript` and `entities` are arrays (the sample shows one element of each).
/// - `GET /api/agents/me` is agent 1; `GET /api/agents/{id}` answers `models: [agent]`;
///   `GET /api/agents` lists with `query` (name or email substring), `limit` (default 50,
///   max 1000), `offset`, `exclude[]`; `pagination.rowCount` is the total matching,
///   `pageCount` the number of pages.
/// - The email filter (its name is lost in the seed) is `email`.
/// - Agent availability: three events per agent in the 24 hours before the sandbox anchor; the
///   latest is the agent's status (`available` for about a third, else `unavailable`, `away`
///   or `offline`). `profile.availability` on `/api/agents` is that status.
/// - CSV import: a header row with the seed's column names; a row with `Banker Email` creates an
///   agent, a row with `CustomerMapID` creates a customer; banker or customer details without
///   those keys fail that row. Response: `{"total": [rows], "success": [ok rows],
///   "failure": [{"row": n, "error": text}], "summary": {"agents_created", "customers_created"}}`.
///
/// Data: agents 1...N, customers 1...N, conversations 1...N over the last 30 days, feedback for
/// about a third of the conversations, one assignment per conversation.
struct AgentIQ: VendorEmulator {
    static let apiKey = "sbx-agentiq-key"
    let name = "agentiq"
    static let credentials = ["api_key": AgentIQ.apiKey]
    let routes: RouteTable

    init(generator: DataGenerator, agents: Int) {
        let store = Store(generator: generator, agentCount: agents)
        routes = RouteTable(routes: [
            Route("GET", "/api/exports/conversations") { r, _ in store.conversations(r) },
            Route("GET", "/api/exports/customers") { r, _ in store.customers(r) },
            Route("GET", "/api/exports/agents") { r, _ in store.agents(r) },
            Route("GET", "/api/exports/feedback") { r, _ in store.feedback(r) },
            Route("GET", "/api/exports/agent_availability") { r, _ in store.availability(r) },
            Route("GET", "/api/exports/agent_assignments") { r, _ in store.assignments(r) },
            Route("GET", "/api/agents") { r, _ in store.lookup(r, id: nil) },
            Route("GET", "/api/agents/{id}") { r, a in store.lookup(r, id: a["id"]) },
            Route("POST", "/api/imports/csv") { r, _ in store.importCSV(r) },
        ])
    }

    func authorized(_ request: VendorRequest) -> Bool {
        request.header("x-api-key") == AgentIQ.apiKey
    }

    func error(_ status: Int, _ message: String) -> VendorReply { AgentIQ.error(status, message) }

    static func error(_ status: Int, _ message: String) -> VendorReply {
        .json(status, .object([("error", .string(message))]))
    }
}

extension AgentIQ {
    struct Agent {
        var id: Int
        var first: String
        var last: String
        var email: String
        var phone: String
        var created: Int
        var updated: Int
        var teams: [String]
        var externalId: String
        var status: String
    }

    struct Customer {
        var id: Int
        var first: String
        var last: String
        var email: String
        var phone: String
        var created: Int
        var updated: Int
        var primaryAgent: Int
        var externalId: String
        var segment: String
    }

    struct State {
        var agents: [Agent]
        var customers: [Customer]
        let conversationCount: Int
    }

    static let statuses = ["available", "unavailable", "away", "offline"]
    static let teams = ["Retail Banking", "Wealth", "Mortgages", "Small Business"]

    final class Store: Sendable {
        let gen: DataGenerator
        let state: Mutex<State>

        init(generator g: DataGenerator, agentCount n: Int) {
            gen = g
            let now = g.anchor
            var agents: [Agent] = []
            agents.reserveCapacity(n)
            for i in 1...n {
                let p = g.person(i)
                let created = now - 86400 * (30 + g.pick(100, i, 700))
                let status: String
                switch g.presence(i) {
                case .available: status = "available"
                case .busy: status = "unavailable"
                case .away: status = "away"
                case .offline: status = "offline"
                }
                agents.append(
                    Agent(
                        id: i, first: p.first, last: p.last, email: p.email, phone: g.phone(101, i), created: created,
                        updated: created + g.pick(102, i, 86400 * 20), teams: [AgentIQ.teams[g.pick(103, i, 4)]],
                        externalId: "EMP" + String(10000 + i), status: status))
            }
            var customers: [Customer] = []
            customers.reserveCapacity(n)
            for i in 1...n {
                let c = g.customer(i)
                let created = now - 86400 * (1 + g.pick(110, i, 900))
                customers.append(
                    Customer(
                        id: i, first: c.first, last: c.last, email: c.email, phone: g.phone(111, i), created: created,
                        updated: created + g.pick(112, i, 86400 * 30), primaryAgent: 1 + g.pick(113, i, n),
                        externalId: "CUST" + String(100_000 + i), segment: ["retail", "premier", "business"][g.pick(114, i, 3)]))
            }
            state = Mutex(State(agents: agents, customers: customers, conversationCount: n))
        }

        static func date(_ secs: Int?) -> JSON { secs.map { .string(Timestamp.format($0, .z)) } ?? .null }

        // MARK: Filters

        /// Parsed filters shared by the exports; `problem` is a 400 reply for a malformed one.
        struct Filters {
            var start: Int?
            var end: Int?
            var updatedStart: Int?
            var updatedEnd: Int?
            var ints: [String: Int] = [:]
            var strings: [String: String] = [:]
            var problem: VendorReply?

            func inWindow(_ created: Int, _ updated: Int) -> Bool {
                if let start, created < start { return false }
                if let end, created > end { return false }
                if let updatedStart, updated < updatedStart { return false }
                if let updatedEnd, updated > updatedEnd { return false }
                return true
            }

            func matches(_ key: String, _ value: Int) -> Bool { ints[key].map { $0 == value } ?? true }
        }

        static func filters(_ r: VendorRequest, ints: [String], strings: [String] = []) -> Filters {
            var f = Filters()
            func date(_ key: String) -> Int? {
                guard let text = r.query(key) else { return nil }
                guard let secs = Timestamp.parseDateTime(text, strictZ: true) else {
                    f.problem = AgentIQ.error(400, "\(key) must be a timestamp with format YYYY-MM-DDTHH:MM:SSZ")
                    return nil
                }
                return secs
            }
            f.start = date("start_date")
            f.end = date("end_date")
            f.updatedStart = date("updated_start_date")
            f.updatedEnd = date("updated_end_date")
            for key in ints {
                guard let text = r.query(key) else { continue }
                guard let value = Int(text) else {
                    f.problem = AgentIQ.error(400, "\(key) must be an integer")
                    continue
                }
                f.ints[key] = value
            }
            for key in strings { f.strings[key] = r.query(key) }
            return f
        }

        // MARK: Exports

        func conversationJSON(_ i: Int, _ s: State) -> (JSON, created: Int, updated: Int, customer: Int, agent: Int) {
            let n = s.conversationCount
            let created = gen.anchor - gen.pick(120, i, 30 * 86400)
            let updated = created + 60 + gen.pick(121, i, 3600)
            let customer = 1 + gen.pick(122, i, n)
            let agent = 1 + gen.pick(123, i, n)
            let a = s.agents[agent - 1]
            let c = s.customers[customer - 1]
            let lines = ["Hi, I need help with my account.", "Happy to help. What do you need?", "Can you raise my card limit?"]
            var transcript: [JSON] = []
            for k in 0..<3 {
                let fromAgent = k == 1
                transcript.append(
                    .object([
                        ("type", .string(fromAgent ? "agent" : "customer")),
                        ("first_name", .string(fromAgent ? a.first : c.first)),
                        ("last_name", .string(fromAgent ? a.last : c.last)),
                        ("sender_id", .int(fromAgent ? agent : customer)), ("message_id", .int(i * 10 + k)),
                        ("external_id", .string("msg-\(i)-\(k)")), ("content", .string(lines[k])),
                        ("action", .string("message")), ("time_stamp", Store.date(created + k * 30)),
                        ("message_referer_url", .string("https://bank.example.com/help")),
                    ]))
            }
            let json: JSON = .object([
                ("conversation_id", .int(i)), ("customer_id", .int(customer)),
                ("conversation_referer_url", .string("https://bank.example.com/help")), ("created_at", Store.date(created)),
                ("updated_at", Store.date(updated)), ("agents", .array([.int(agent)])),
                (
                    "entities",
                    .array([
                        .object([
                            ("name", .string("intent")), ("resolved_value", .string("card_limit")), ("extras", .object([])),
                        ])
                    ])
                ),
                ("chat_transcript", .array(transcript)),
            ])
            return (json, created, updated, customer, agent)
        }

        func conversations(_ r: VendorRequest) -> VendorReply {
            let f = Store.filters(r, ints: ["customer_id", "agent_id"])
            if let problem = f.problem { return problem }
            return state.withLock { s in
                var out: [JSON] = []
                for i in 1...max(1, s.conversationCount) {
                    let c = conversationJSON(i, s)
                    guard f.inWindow(c.created, c.updated), f.matches("customer_id", c.customer), f.matches("agent_id", c.agent)
                    else { continue }
                    out.append(c.0)
                }
                return .ok(.array(out))
            }
        }

        static func customerJSON(_ c: Customer, _ s: State) -> JSON {
            let banker = s.agents.indices.contains(c.primaryAgent - 1) ? s.agents[c.primaryAgent - 1] : nil
            let bankerName: JSON = banker.map { .string($0.first + " " + $0.last) } ?? .null
            return .object([
                ("id", .int(c.id)), ("first_name", .string(c.first)), ("last_name", .string(c.last)),
                ("email", .string(c.email)), ("phone", .string(c.phone)), ("created_at", date(c.created)),
                ("updated_at", date(c.updated)), ("first_message", date(c.created + 120)),
                ("last_message", date(c.updated)), ("last_login", date(c.updated)), ("first_banker_chosen", bankerName),
                ("last_banker_chosen", bankerName), ("primary_agent", .int(c.primaryAgent)), ("profile", .object([])),
                ("external_id", .string(c.externalId)), ("customer_segment", .string(c.segment)),
            ])
        }

        func customers(_ r: VendorRequest) -> VendorReply {
            let f = Store.filters(r, ints: ["customer_id", "primary_agent_id"], strings: ["external_id", "name", "email"])
            if let problem = f.problem { return problem }
            let name = f.strings["name"]?.lowercased()
            return state.withLock { s in
                let list = s.customers.filter { c in
                    guard f.inWindow(c.created, c.updated), f.matches("customer_id", c.id),
                        f.matches("primary_agent_id", c.primaryAgent)
                    else { return false }
                    if let e = f.strings["external_id"], c.externalId != e { return false }
                    if let e = f.strings["email"], c.email.lowercased() != e.lowercased() { return false }
                    if let name, !(c.first + " " + c.last).lowercased().contains(name) { return false }
                    return true
                }
                return .ok(.array(list.map { Store.customerJSON($0, s) }))
            }
        }

        static func agentJSON(_ a: Agent) -> JSON {
            .object([
                ("id", .int(a.id)), ("first_name", .string(a.first)), ("last_name", .string(a.last)),
                ("email", .string(a.email)), ("phone", .string(a.phone)), ("created_at", date(a.created)),
                ("updated_at", date(a.updated)), ("deleted_at", .null), ("deactivated_at", .null), ("profile", .object([])),
                ("roles", .array([.string("agent")])), ("teams", .array(a.teams.map(JSON.string))),
                ("watcher_teams", .array([])), ("external_id", .string(a.externalId)), ("agent_segment", .string("banker")),
            ])
        }

        func agents(_ r: VendorRequest) -> VendorReply {
            let f = Store.filters(r, ints: ["agent_id"], strings: ["external_id", "name", "email"])
            if let problem = f.problem { return problem }
            let name = f.strings["name"]?.lowercased()
            return state.withLock { s in
                let list = s.agents.filter { a in
                    guard f.inWindow(a.created, a.updated), f.matches("agent_id", a.id) else { return false }
                    if let e = f.strings["external_id"], a.externalId != e { return false }
                    if let e = f.strings["email"], a.email.lowercased() != e.lowercased() { return false }
                    if let name, !(a.first + " " + a.last).lowercased().contains(name) { return false }
                    return true
                }
                return .ok(.array(list.map(Store.agentJSON)))
            }
        }

        func feedback(_ r: VendorRequest) -> VendorReply {
            let f = Store.filters(r, ints: ["customer_id", "primary_agent_id", "sender_id"], strings: ["type"])
            if let problem = f.problem { return problem }
            if let t = f.strings["type"], t != "csat" && t != "nps" {
                return AgentIQ.error(400, "type must be \"csat\" or \"nps\"")
            }
            return state.withLock { s in
                var out: [JSON] = []
                for i in 1...max(1, s.conversationCount) where gen.pick(130, i, 3) == 0 {
                    let c = conversationJSON(i, s)
                    let type = gen.pick(131, i, 2) == 0 ? "csat" : "nps"
                    let time = c.updated + 300
                    guard f.inWindow(time, time), f.matches("customer_id", c.customer), f.matches("primary_agent_id", c.agent),
                        f.matches("sender_id", c.agent)
                    else { continue }
                    if let t = f.strings["type"], t != type { continue }
                    out.append(
                        .object([
                            ("id", .int(i)), ("type", .string(type)), ("customer_id", .int(c.customer)),
                            ("primary_agent_id", .int(c.agent)), ("sender_id", .int(c.agent)), ("time_stamp", Store.date(time)),
                            ("value", .int(type == "csat" ? 1 + gen.pick(132, i, 5) : gen.pick(133, i, 11))),
                            (
                                "content",
                                .object([
                                    ("comments", .string("Quick and friendly")),
                                    ("description", .string(type == "csat" ? "How satisfied were you?" : "How likely are you to recommend us?")),
                                ])
                            ),
                        ]))
                }
                return .ok(.array(out))
            }
        }

        /// Three events per agent: at -20h, -8h and -1h from the anchor; the last is the status.
        func events(_ a: Agent) -> [(time: Int, name: String, id: Int)] {
            let base = a.id * 3
            return [
                (gen.anchor - 20 * 3600, AgentIQ.statuses[gen.pick(140, base, 4)], base),
                (gen.anchor - 8 * 3600, AgentIQ.statuses[gen.pick(140, base + 1, 4)], base + 1),
                (gen.anchor - 3600, a.status, base + 2),
            ]
        }

        func availability(_ r: VendorRequest) -> VendorReply {
            let f = Store.filters(r, ints: ["agent_id", "event_id", "executor_id"], strings: ["event_name"])
            if let problem = f.problem { return problem }
            return state.withLock { s in
                var out: [JSON] = []
                for a in s.agents where f.matches("agent_id", a.id) {
                    for e in events(a) {
                        guard f.inWindow(e.time, e.time), f.matches("event_id", e.id), f.matches("executor_id", a.id) else { continue }
                        if let name = f.strings["event_name"], name != e.name { continue }
                        out.append(
                            .object([
                                ("created_at", Store.date(e.time)), ("event_name", .string(e.name)), ("agent_id", .int(a.id)),
                                ("event_id", .int(e.id)), ("executor_id", .int(a.id)),
                            ]))
                    }
                }
                return .ok(.array(out))
            }
        }

        func assignments(_ r: VendorRequest) -> VendorReply {
            let f = Store.filters(r, ints: ["agent_id", "conversation_id", "action_id"], strings: ["action_type"])
            if let problem = f.problem { return problem }
            if let t = f.strings["action_type"], !["assignment", "lock", "unlock"].contains(t) {
                return AgentIQ.error(400, "action_type must be \"assignment\", \"lock\" or \"unlock\"")
            }
            return state.withLock { s in
                var out: [JSON] = []
                for i in 1...max(1, s.conversationCount) {
                    let c = conversationJSON(i, s)
                    let type = ["assignment", "assignment", "lock", "unlock"][gen.pick(150, i, 4)]
                    guard f.inWindow(c.created, c.created), f.matches("agent_id", c.agent), f.matches("conversation_id", i),
                        f.matches("action_id", i)
                    else { continue }
                    if let t = f.strings["action_type"], t != type { continue }
                    let agent = s.agents[c.agent - 1]
                    out.append(
                        .object([
                            ("action_id", .int(i)), ("action_type", .string(type)), ("action_time", Store.date(c.created + 5)),
                            ("agent_availability", .string(agent.status)), ("agent_capacity", .int(5)),
                            ("agent_id", .int(c.agent)), ("actor_id", .int(c.agent)), ("load", .int(gen.pick(151, i, 6))),
                            ("conversation_id", .int(i)),
                        ]))
                }
                return .ok(.array(out))
            }
        }

        // MARK: Agent lookup

        func modelJSON(_ a: Agent, _ s: State) -> JSON {
            .object([
                ("id", .int(a.id)), ("email", .string(a.email)),
                (
                    "profile",
                    .object([
                        ("first_name", .string(a.first)), ("last_name", .string(a.last)), ("position", .string("Banker")),
                        ("tagline", .string("Here to help")), ("expertise", .string(a.teams.first ?? "")),
                        ("intro", .string("Hi, I am \(a.first).")), ("location", .string("Minneapolis, MN")),
                        ("about", .string("")), ("availability", .string(a.status)), ("background_file_id", .int(0)),
                        ("phone", .string(a.phone)),
                    ])
                ),
                ("totalPrimaryCustomers", .int(gen.pick(160, a.id, 200))), ("totalLogins", .int(gen.pick(161, a.id, 900))),
                (
                    "busy_status",
                    .object([
                        ("status", .string(a.status == "unavailable" ? "busy" : "")),
                        ("vacation", .object([("message_to_customer", .string(""))])),
                    ])
                ),
            ])
        }

        func lookup(_ r: VendorRequest, id: String?) -> VendorReply {
            let limitText = r.query("limit") ?? "50"
            let offsetText = r.query("offset") ?? "0"
            guard let limit = Int(limitText), (1...1000).contains(limit) else {
                return AgentIQ.error(400, "limit must be an integer from 1 to 1000")
            }
            guard let offset = Int(offsetText), offset >= 0, offset <= 1 << 40 else { return AgentIQ.error(400, "offset must be a non-negative integer") }
            var excluded = Set<Int>()
            for text in r.queryAll("exclude[]") + r.queryAll("exclude") {
                guard let v = Int(text) else { return AgentIQ.error(400, "exclude[] must be integers") }
                excluded.insert(v)
            }
            let query = r.query("query")?.lowercased()
            return state.withLock { s in
                var matching: [Agent]
                if let id {
                    let agentId = id == "me" ? 1 : Int(id).flatMap { (1...Int(Int32.max)).contains($0) ? $0 : nil }
                    guard let agentId, s.agents.indices.contains(agentId - 1) else {
                        return AgentIQ.error(404, "Agent \(id) not found")
                    }
                    matching = [s.agents[agentId - 1]]
                } else {
                    matching = s.agents.filter { a in
                        guard !excluded.contains(a.id) else { return false }
                        guard let query, !query.isEmpty else { return true }
                        return (a.first + " " + a.last).lowercased().contains(query) || a.email.lowercased().contains(query)
                    }
                }
                let page = matching.dropFirst(offset).prefix(limit)
                return .ok(
                    .object([
                        ("models", .array(page.map { modelJSON($0, s) })),
                        (
                            "pagination",
                            .object([
                                ("limit", .int(limit)), ("offset", .int(offset)), ("rowCount", .int(matching.count)),
                                ("pageCount", .int((matching.count + limit - 1) / limit)),
                            ])
                        ),
                    ]))
            }
        }

        // MARK: CSV import

        func importCSV(_ r: VendorRequest) -> VendorReply {
            guard let contentType = r.header("content-type"), contentType.lowercased().hasPrefix("multipart/form-data"),
                let boundary = Multipart.boundary(contentType)
            else {
                return AgentIQ.error(400, "Expected multipart/form-data with a boundary")
            }
            guard let file = Multipart.part(named: "file", in: r.body, boundary: boundary) else {
                return AgentIQ.error(400, "Missing multipart field \"file\"")
            }
            let rows = CSV.parse(String(decoding: file, as: UTF8.self))
            guard let header = rows.first, !header.isEmpty else { return AgentIQ.error(400, "The CSV file is empty") }
            let known = [
                "Banker First Name", "Banker Last Name", "Banker Email", "BankerMapID", "BankerTeam", "Customer First Name",
                "Customer Last Name", "CustomerMapID", "Customer Email", "Customer Group", "Date Added", "Customer Phone",
            ]
            let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.contains(where: known.contains) else {
                return AgentIQ.error(400, "No known columns in the CSV header; expected some of: " + known.joined(separator: ", "))
            }
            let now = Int(Date().timeIntervalSince1970)
            return state.withLock { s in
                var ok = 0, agentsCreated = 0, customersCreated = 0
                var failures: [JSON] = []
                let body = rows.dropFirst().filter { !$0.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
                for (n, row) in body.enumerated() {
                    var field: [String: String] = [:]
                    for (i, column) in columns.enumerated() where i < row.count {
                        let value = row[i].trimmingCharacters(in: .whitespaces)
                        if !value.isEmpty { field[column] = value }
                    }
                    let hasBanker = known.prefix(5).contains { field[$0] != nil }
                    let hasCustomer = known.suffix(7).contains { field[$0] != nil }
                    if hasBanker && field["Banker Email"] == nil {
                        failures.append(.object([("row", .int(n + 1)), ("error", .string("Banker Email is required if banker info is provided"))]))
                        continue
                    }
                    if hasCustomer && field["CustomerMapID"] == nil {
                        failures.append(.object([("row", .int(n + 1)), ("error", .string("CustomerMapID is required if customer info is provided"))]))
                        continue
                    }
                    if !hasBanker && !hasCustomer {
                        failures.append(.object([("row", .int(n + 1)), ("error", .string("No banker or customer info"))]))
                        continue
                    }
                    var bankerId = 0
                    if let email = field["Banker Email"] {
                        if let existing = s.agents.first(where: { $0.email.lowercased() == email.lowercased() }) {
                            bankerId = existing.id
                        } else {
                            bankerId = s.agents.count + 1
                            s.agents.append(
                                Agent(
                                    id: bankerId, first: field["Banker First Name"] ?? "", last: field["Banker Last Name"] ?? "",
                                    email: email, phone: "", created: now, updated: now,
                                    teams: field["BankerTeam"].map { [$0] } ?? [], externalId: field["BankerMapID"] ?? "",
                                    status: "offline"))
                            agentsCreated += 1
                        }
                    }
                    if let mapId = field["CustomerMapID"] {
                        let created = field["Date Added"].flatMap { Timestamp.parseDate($0) ?? Timestamp.parseDateTime($0) } ?? now
                        s.customers.append(
                            Customer(
                                id: s.customers.count + 1, first: field["Customer First Name"] ?? "",
                                last: field["Customer Last Name"] ?? "", email: field["Customer Email"] ?? "",
                                phone: field["Customer Phone"] ?? "", created: created, updated: now,
                                primaryAgent: bankerId, externalId: mapId, segment: field["Customer Group"] ?? ""))
                        customersCreated += 1
                    }
                    ok += 1
                }
                return .ok(
                    .object([
                        ("total", .array([.int(body.count)])), ("success", .array([.int(ok)])), ("failure", .array(failures)),
                        (
                            "summary",
                            .object([("agents_created", .int(agentsCreated)), ("customers_created", .int(customersCreated))])
                        ),
                    ]))
            }
        }
    }
}

/// Just enough multipart/form-data to read one named part.
enum Multipart {
    static func boundary(_ contentType: String) -> String? {
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            let value = kv[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The content of the part whose Content-Disposition has `name="<name>"`.
    static func part(named name: String, in body: [UInt8], boundary: String) -> [UInt8]? {
        let delimiter = Array(("--" + boundary).utf8)
        var starts: [Int] = []
        var i = 0
        while let found = find(delimiter, in: body, from: i) {
            starts.append(found)
            i = found + delimiter.count
        }
        guard starts.count >= 2 else { return nil }
        for (a, b) in zip(starts, starts.dropFirst()) {
            let section = Array(body[(a + delimiter.count)..<b])
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: section, from: 0) else { continue }
            let headers = String(decoding: section[..<headerEnd], as: UTF8.self).lowercased()
            guard headers.contains("name=\"\(name.lowercased())\"") else { continue }
            var content = Array(section[(headerEnd + 4)...])
            if content.suffix(2) == [13, 10] { content.removeLast(2) }
            return content
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}

/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n", "\r":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
