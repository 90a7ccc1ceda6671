import Foundation
import SwitchboardCore

/// The actions (VENDORS.md §4, second table): each emits one row per object
/// `{vendor, kind, id, action, ok, status, error}` and a summary line on stderr.
enum ActionCommands {
    static let common: [Flag] = [
        Flag("dry-run", nil, "list the requests instead of sending them"),
        Flag("parallel", .int, "how many objects at once (default 8)"),
        Flag("yes", short: "y", nil, "do not ask for confirmation"),
    ]
    static let vendorFlag = Flag("vendor", .string, "the connection (for actions without input objects)")
    static let rowShape = Shape.of(["vendor", "kind", "id", "action", "ok", "status", "error"])
    static let dryShape = Shape.of(["vendor", "kind", "id", "action", "method", "url", "body"])
    /// A dry-run row of an object whose requests cannot be built: what a real run's row would say.
    static let dryFailedShape = Shape.of(["vendor", "kind", "id", "action", "method", "url", "body", "ok", "error"])

    static func all() -> [Command] {
        [
            action("assign", [Parameter("what", .string, "group, queue or agent"), Parameter("target", .any, "its id")], flags: [Flag("force", nil, "dixa claim: take over from another agent")],
                   description: "Assign agents to a group or queue, or a conversation to an agent (claim).",
                   examples: [
                    Example("the mission", #"agents | where status == "available" | assign group 10204"#),
                    Example("preview the requests", "agents 1 --vendor chatrhub | assign group 10205 --dry-run | get method", result: #"["POST"]"#),
                   ]) { ctx in
                let what = try choice(ctx, 0, ["group", "queue", "agent"]), target = try ctx.string(1)
                switch what {
                case "group": return .assignGroup(target)
                case "queue": return .assignQueue(target)
                default: return .assignAgent(target, force: ctx.args.has("force"))
                }
            },
            action("unassign", [Parameter("what", .string, "group"), Parameter("target", .any, "the group id")],
                   description: "Remove agents from a group (team).",
                   examples: [Example("preview", "agents 1 --vendor chatrhub | unassign group 10204 --dry-run | get method", result: #"["DELETE"]"#)]) { ctx in
                _ = try choice(ctx, 0, ["group"])
                return .unassignGroup(try ctx.string(1))
            },
            action("transfer", [Parameter("what", .string, "queue or agent"), Parameter("target", .any, "queue id or agent username")],
                   description: "Transfer conversations to a queue (dixa) or to an agent by username (chatrhub).",
                   examples: [Example("preview", "conversations 1 --vendor chatrhub | transfer agent hugo.patel2 --dry-run | get method", result: #"["GET"]"#)]) { ctx in
                let what = try choice(ctx, 0, ["queue", "agent"]), target = try ctx.string(1)
                return what == "queue" ? .transferQueue(target) : .transferAgent(target)
            },
            action("close", [], description: "Close conversations (dixa).", examples: [Example("preview", "conversations 1001 --vendor dixa | close --dry-run | get method", result: #"["PUT"]"#)]) { _ in .close },
            action("reopen", [], description: "Reopen conversations (dixa).", examples: []) { _ in .reopen },
            action("anonymize", [], flags: [Flag("force", nil, "close open conversations first")], description: "Anonymize conversations (dixa).", examples: []) { ctx in
                .anonymize(force: ctx.args.has("force"))
            },
            action("tag", [Parameter("tag", .string, "tag name (or dixa tag id)")], description: "Tag conversations.", examples: []) { ctx in .tag(try ctx.string(0)) },
            action("untag", [Parameter("tag", .string, "tag name (or dixa tag id)")], description: "Untag conversations (dixa).", examples: []) { ctx in .untag(try ctx.string(0)) },
            action("note", [Parameter("text", .string, "the note")], description: "Add an internal note to conversations (dixa).", examples: []) { ctx in .note(try ctx.string(0)) },
            action("resolve", [], description: "Mark tasks resolved (chatrhub operational tasks).", examples: []) { _ in .resolve },
            action("unresolve", [], description: "Mark tasks unresolved (chatrhub operational tasks).", examples: []) { _ in .unresolve },
            action("delete", [], description: "Delete groups (chatrhub groups, smartassist agent groups, dixa teams).", examples: []) { _ in .delete },
            action("invite", [Parameter("agent", .record, "the agent: {name, email, ...}")], flags: [vendorFlag], description: "Invite (create) an agent.",
                   examples: [Example("preview", #"invite {name: "Ann Lee", email: "ann@example.com"} --vendor chatrhub --dry-run | get method"#, result: #"["POST"]"#)], input: false,
                   argSpans: [0, 0]) { ctx in  // `create`'s fields (its argument 1) are invite's argument 0
                guard case .record(let r) = ctx.args[0] else { throw ctx.error(.type, "invite: expects a record like {name: \"Ann\", email: \"ann@example.com\"}", arg: 0) }
                return .create(kind: "agent", fields: r)
            },
            action("create", [Parameter("kind", .string, "agent, group or customer"), Parameter("fields", .record, "the object's fields")], flags: [vendorFlag],
                   description: "Create an agent, group or customer.",
                   examples: [Example("preview", #"create group {name: "Night shift"} --vendor dixa --dry-run | get url"#, result: #"["/v1/teams"]"#)], input: false) { ctx in
                let kind = try choice(ctx, 0, ["agent", "group", "customer"])
                guard case .record(let r) = ctx.args[1] else { throw ctx.error(.type, "create: expects a record of fields", arg: 1) }
                return .create(kind: kind, fields: r)
            },
            action("import", [Parameter("kind", .string, "customers or agents (optional)"), Parameter("path", .path, "the CSV file", optional: true)], flags: [vendorFlag],
                   description: "Import a CSV file (agentiq).", examples: [], input: false) { ctx in
                let kinds = ["customers", "agents"]
                let kind: String, path: String, pathArg: Int
                if let p = try ctx.optionalString(1) {
                    kind = try choice(ctx, 0, kinds)
                    (path, pathArg) = (p, 1)
                } else {
                    (kind, path, pathArg) = ("customers", try ctx.string(0), 0)
                    // `import custmers`: the file is missing, not the kind.
                    if kinds.contains(path) || !Suggest.closest(to: path, in: kinds).isEmpty, !path.contains(".") {
                        throw ctx.error(.usage, "import: needs a CSV file, like `import customers FILE.csv`", arg: 0, label: "no file given")
                    }
                }
                let full = ctx.interpreter.resolvePath(path)
                if ctx.interpreter.configuration.capabilities.contains(.noFileSystem) { throw ctx.error(.io, "import: no file system access here") }
                guard let data = FileManager.default.contents(atPath: full) else { throw ctx.error(.io, "import: cannot read `\(path)`", arg: pathArg) }
                return .importCSV(kind: kind, path: path, content: Array(data))
            },
            setCommand(),
        ]
    }

    /// Argument `i`, which must be one of `accepted`: else an error at it, with "did you mean".
    static func choice(_ ctx: CallContext, _ i: Int, _ accepted: [String]) throws -> String {
        let given = try ctx.string(i)
        guard accepted.contains(given) else {
            let options = Suggest.closest(to: given, in: accepted)
            let list = accepted.count == 1 ? "`\(accepted[0])`" : accepted.dropLast().map { "`\($0)`" }.joined(separator: ", ") + " or `\(accepted.last!)`"
            var e = ctx.error(.value, "\(ctx.signature.name): expected \(list), not `\(given)`", arg: i, label: options.first.map { "did you mean `\($0)`?" })
            e.options = options
            e.hint = "usage: \(ctx.signature.usage)"
            throw e
        }
        return given
    }

    static func action(_ name: String, _ positionals: [Parameter], flags: [Flag] = [], description: String, examples: [Example], input: Bool = true,
                       argSpans: [Int]? = nil, _ make: @escaping (CallContext) throws -> VendorAction) -> Command {
        let sig = Signature(name, positionals: positionals, flags: flags + common, input: input ? "stream<record>" : "nothing", output: "list<record>")
        return Command(sig, description: description + " Emits one result row per object.", category: "action", examples: examples) { ctx in
            try run(ctx, try make(ctx), input: input, argSpans: argSpans)
        }
    }

    /// `set NAME VALUE` without input changes a setting (`set dry-run true`); with input objects
    /// it updates them: `agents 4 | set name "Ann"`.
    static func setCommand() -> Command {
        let sig = Signature("set", rest: Parameter("pairs", .any, "field value ... (or a setting name and value)"), flags: common, input: "any", output: "list<record>")
        return Command(sig, description: "Update fields of the input objects (agents, groups, customers, conversations); without input, change a setting: `dry-run` (true or false).",
                       category: "action",
                       examples: [
                        Example("turn on dry-run for the session", "set dry-run true"),
                        Example("rename an agent (preview)", #"agents 1 --vendor chatrhub | set name "Ann Lee" --dry-run | get method"#, result: #"["PATCH"]"#),
                       ]) { ctx in
            var pairs: [(String, Value)] = []
            // Where each field name and value was written (the record form has one span for all).
            var argSpans: [Int] = []
            let rest = ctx.args.positional.count
            if ctx.args.rest.count == 1, case .record(let r) = ctx.args.rest[0] {
                pairs = Array(r.fields)
                argSpans = Array(repeating: rest, count: 2 * pairs.count)
            } else {
                guard ctx.args.rest.count >= 2, ctx.args.rest.count % 2 == 0 else {
                    throw ctx.error(.usage, "set: expected field value pairs, like `set name \"Ann\"` (or `set dry-run true`)")
                }
                var i = 0
                while i < ctx.args.rest.count {
                    guard let k = ctx.args.rest[i].text else {
                        throw ctx.error(.type, "set: a field name must be a word, not \(ctx.args.rest[i].typeName)", arg: rest + i)
                    }
                    pairs.append((k, ctx.args.rest[i + 1]))
                    argSpans += [rest + i, rest + i + 1]
                    i += 2
                }
            }
            if ctx.input.isNull {
                guard pairs.count == 1 else { throw ctx.error(.usage, "set: a setting takes one name and one value, like `set dry-run true`") }
                try Builtins.checkSetting(pairs[0].0, pairs[0].1, ctx, nameArg: argSpans[0], valueArg: argSpans[1])
                ctx.interpreter.settings[pairs[0].0] = pairs[0].1
                return .null
            }
            return try run(ctx, .set(pairs), input: true, argSpans: argSpans)
        }
    }

    struct Item {
        let vendor: String
        let kind: String
        let id: Value
        let object: Record?
    }

    /// `argSpans` maps a `BadArgument`'s argument to the argument written in the call (for
    /// `set`, where each pair's field name is); by default argument i is positional i.
    static func run(_ ctx: CallContext, _ action: VendorAction, input: Bool, argSpans: [Int]? = nil) throws -> Value {
        guard let session = VendorSession.of(ctx.interpreter) else { throw ctx.error(.name, "no vendors are installed") }
        let interp = ctx.interpreter
        let registry = session.registry
        let name = ctx.signature.name
        if interp.configuration.capabilities.contains(.readOnly) {
            throw ctx.error(.vendor, "\(name): actions are not allowed here (read-only)")
        }
        func argumentError(_ e: BadArgument) -> SwitchboardError {
            let i = argSpans.map { e.argument < $0.count ? $0[e.argument] : -1 } ?? e.argument
            var err = ctx.error(.value, Redaction.scrub(e.message, secrets: registry.secrets), arg: i >= 0 ? i : nil,
                                label: e.options.first.map { "did you mean `\($0)`?" })
            err.options = e.options
            err.hint = e.hint
            return err
        }
        let dryRun = ctx.args.has("dry-run") || session.dryRunSetting
        if !dryRun { try session.requireNetwork(ctx) }
        let parallel = try ctx.flagInt("parallel") ?? 8
        guard (1...1024).contains(parallel) else { throw ctx.error(.value, "--parallel must be between 1 and 1024", flag: "parallel") }

        // 1. The objects (all of them: the count decides confirmation). What a vendor cannot do
        // is an error before any request, or for input objects as soon as the first object of
        // that vendor and kind arrives: before the rest of the listing is pulled.
        var checked = Set<String>()
        func check(_ item: Item) throws {
            guard checked.insert(item.vendor + "\u{0}" + item.kind).inserted else { return }
            do {
                let adapter = try registry.adapter(item.vendor)
                try adapter.check(action, kind: input ? item.kind : nil)
                if let kinds = action.inputKinds, !kinds.contains(item.kind) {
                    throw Unsupported(item.vendor, "\(action.verb) \(item.kind)s", "it takes \(kinds.sorted().map { $0 + "s" }.joined(separator: " or "))")
                }
            } catch let e as BadArgument {
                throw argumentError(e)
            } catch { throw languageError(error, ctx, secrets: registry.secrets) }
        }
        var items: [Item] = []
        if input {
            var it = ctx.input.iterate()
            defer { it.close() }
            while let v = try it.next() {
                try interp.checkLimits()
                guard case .record(let r) = v, let kind = r.objectKind, let vendor = r.objectVendor, registry.connection(vendor) != nil else {
                    throw ctx.error(.type, "\(action.verb): the input must be vendor objects (\(action.inputKinds?.sorted().map { $0 + "s" }.joined(separator: ", ") ?? "")), not \(describe(v))")
                }
                let item = Item(vendor: vendor, kind: kind, id: r["id"] ?? .null, object: r)
                try check(item)
                items.append(item)
            }
        } else {
            for vendor in try session.vendors(ctx) {
                let item = Item(vendor: vendor, kind: kindOf(action), id: .null, object: nil)
                try check(item)
                items.append(item)
            }
        }

        // 2. No objects: nothing to do.
        if items.isEmpty {
            interp.configuration.writeError("\(action.label): no objects\n")
            return .list([])
        }

        // 3. Confirmation (the REPL's hook; scripts have none).
        if !dryRun, !ctx.args.has("yes"), let confirm = registry.confirm, items.count > registry.confirmThreshold {
            guard confirm(confirmationQuestion(action, items)) else {
                throw ctx.error(.cancelled, "\(action.label): cancelled, nothing was sent")
            }
        }

        // 4. Plans (may read, e.g. a tag name lookup; never write).
        var plans: [Result<[PlannedRequest], Error>] = []
        plans.reserveCapacity(items.count)
        for item in items {
            do {
                let adapter = try registry.adapter(item.vendor)
                plans.append(.success(try adapter.plan(action, object: item.object, session.io(adapter))))
            } catch let e as Unsupported {
                throw languageError(e, ctx, secrets: registry.secrets)
            } catch let e as BadArgument {
                throw argumentError(e)
            } catch {
                plans.append(.failure(error))
            }
        }

        // 5. Dry run: the requests, not sent, never with a secret (auth is added only when sending).
        // An object whose requests cannot be built is a failed row with the reason, as in a real run.
        if dryRun {
            var rows: [Value] = []
            var failed: [String: Int] = [:]
            for (item, plan) in zip(items, plans) {
                let requests: [PlannedRequest]
                switch plan {
                case .success(let r): requests = r
                case .failure(let e):
                    failed[item.vendor, default: 0] += 1
                    interp.failedActionRows += 1
                    let reason = Redaction.scrub(String(describing: e), secrets: registry.secrets)
                    rows.append(.record(Record(shape: dryFailedShape, values: [.string(item.vendor), .string(item.kind), item.id, .string(action.label), .null, .null, .null, .bool(false), .string(reason)])))
                    continue
                }
                for p in requests {
                    let body: Value = p.request.body.map { b in (try? JSON.decode(bytes: b)) ?? .string(String(decoding: b, as: UTF8.self)) } ?? .null
                    let scrubbed = Redaction.scrub(p.request.target, secrets: registry.secrets)
                    rows.append(.record(Record(shape: dryShape, values: [.string(item.vendor), .string(item.kind), item.id, .string(action.label), .string(p.request.method), .string(scrubbed), body])))
                }
            }
            for vendor in orderedVendors(items) {
                let n = zip(items, plans).filter { $0.0.vendor == vendor }.reduce(0) { acc, pair in
                    if case .success(let r) = pair.1 { return acc + r.filter(\.isWrite).count }
                    return acc
                }
                let f = failed[vendor].map { ", \($0) object\($0 == 1 ? "" : "s") would fail" } ?? ""
                interp.configuration.writeError("\(action.label): dry run, \(n) request\(n == 1 ? "" : "s") not sent\(f) (\(vendor))\n")
            }
            return .list(rows)
        }

        // 6. Send, `parallel` objects at a time.
        let jobs: [(Int, String, [PlannedRequest])] = zip(items.indices, plans).compactMap { i, plan in
            if case .success(let r) = plan { return (i, items[i].vendor, r) }
            return nil
        }
        var clients: [String: VendorClient] = [:]
        for vendor in Set(items.map(\.vendor)) { clients[vendor] = try registry.adapter(vendor).client }
        let frozen = clients
        let secrets = registry.secrets
        let progress = registry.progress
        let task = progress?.start(action.label, total: jobs.count)
        defer { if let task { progress?.finish(task) } }
        let results: [Int: StepResult] = try Blocking.run(cancelled: session.cancelled) {
            try await withThrowingTaskGroup(of: (Int, StepResult).self) { group in
                var out: [Int: StepResult] = [:]
                var next = 0
                func add(_ k: Int, _ group: inout ThrowingTaskGroup<(Int, StepResult), Error>) {
                    let (i, vendor, steps) = jobs[k]
                    let client = frozen[vendor]!
                    group.addTask { (i, await perform(steps, client: client, secrets: secrets)) }
                }
                while next < min(parallel, jobs.count) { add(next, &group); next += 1 }
                while let (i, r) = try await group.next() {
                    out[i] = r
                    if let task { progress?.advance(task, by: 1) }
                    if next < jobs.count { add(next, &group); next += 1 }
                }
                return out
            }
        }

        // 7. Rows in input order, and the summary.
        var rows: [Value] = []
        rows.reserveCapacity(items.count)
        var ok: [String: Int] = [:], failed: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let r: StepResult
            if case .failure(let e) = plans[i] { r = StepResult(ok: false, status: nil, error: Redaction.scrub(String(describing: e), secrets: secrets)) } else { r = results[i]! }
            if r.ok { ok[item.vendor, default: 0] += 1 } else { failed[item.vendor, default: 0] += 1; interp.failedActionRows += 1 }
            rows.append(.record(Record(shape: rowShape, values: [.string(item.vendor), .string(item.kind), item.id, .string(action.label), .bool(r.ok),
                                                                  r.status.map(Value.int) ?? .null, r.error.map(Value.string) ?? .null])))
        }
        for vendor in orderedVendors(items) {
            interp.configuration.writeError("\(action.label): \(ok[vendor] ?? 0) ok, \(failed[vendor] ?? 0) failed (\(vendor))\n")
        }
        return .list(rows)
    }

    struct StepResult: Sendable {
        var ok: Bool
        var status: Int?
        var error: String?
    }

    /// One object's requests, in order; a read's answer feeds the next write's `build`.
    static func perform(_ steps: [PlannedRequest], client: VendorClient, secrets: [String]) async -> StepResult {
        var previous: Value = .null
        var last = StepResult(ok: true, status: nil, error: nil)
        for (k, step) in steps.enumerated() {
            var request = step.request
            // Decode the answer only when something reads it (a judge, or the next step's build).
            let reads = step.judge != nil || (k + 1 < steps.count && steps[k + 1].build != nil)
            do {
                if let build = step.build, !previous.isNull { request = try build(previous) }
                let outcome = try await client.send(request, kind: step.kind, verify: step.verify)
                if !outcome.ok {
                    return StepResult(ok: false, status: outcome.response.status, error: client.httpError(outcome.response, request).description)
                }
                let value = !reads || outcome.bodyLost || outcome.verified ? .null : ((try? client.decode(outcome.response, request)) ?? .null)
                if let judge = step.judge, !value.isNull, let problem = judge(value) {
                    return StepResult(ok: false, status: outcome.response.status, error: "\(client.vendor): \(request.method) \(request.path): \(problem)")
                }
                previous = value
                last = StepResult(ok: true, status: outcome.response.status, error: nil)
            } catch {
                return StepResult(ok: false, status: nil, error: Redaction.scrub(String(describing: error), secrets: secrets))
            }
        }
        return last
    }

    static func orderedVendors(_ items: [Item]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for i in items where seen.insert(i.vendor).inserted { out.append(i.vendor) }
        return out
    }

    static func kindOf(_ action: VendorAction) -> String {
        switch action {
        case .create(let kind, _): kind
        case .importCSV(let kind, _, _): kind.hasSuffix("s") ? String(kind.dropLast()) : kind
        default: "object"
        }
    }

    static func describe(_ v: Value) -> String {
        if case .record(let r) = v { return r.tag.map { "record<\($0)>" } ?? "a plain record" }
        return v.typeName
    }
}
