import Foundation
import SwitchboardCore

/// `agents`, `groups`, `conversations`, ... (VENDORS.md §4, first table).
enum ResourceCommands {
    static let vendorFlag = Flag("vendor", .string, "the connection to use, or `all` for every configured one")
    static let since = Flag("since", .date, "start of the time window")
    static let until = Flag("until", .date, "end of the time window (default now)")

    struct Spec {
        let name: String
        let resource: Resource
        let takesId: Bool
        /// Input objects of these kinds make it list per object (`conversations 42 | messages`).
        let inputKinds: Set<String>
        let flags: [Flag]
        let description: String
        let examples: [Example]
    }

    static let specs: [Spec] = [
        Spec(name: "agents", resource: .agents, takesId: true, inputKinds: [],
             flags: [Flag("username", .string, "chatrhub: filter by agent_username"), Flag("email", .string, "filter by email (agentiq, dixa)"), Flag("name", .string, "agentiq: filter by name")],
             description: "List the agents of the current vendor (or get one agent by id: the record itself), with name, email, status, created_at, groups and raw.",
             examples: [
                Example("agents available right now", #"agents | where status == "available""#),
                Example("one agent by id: the record itself (sandbox seed 1)", "(agents 4 --vendor chatrhub).name", result: #""Umar Young""#),
                Example("every vendor at once", "agents --vendor all | first 3"),
             ]),
        Spec(name: "groups", resource: .groups, takesId: true, inputKinds: [], flags: [],
             description: "List groups: chatrhub groups, dixa teams, smartassist agent groups.",
             examples: [Example("the first chatrhub group", "groups --vendor chatrhub | first | get name", result: #""Sales""#)]),
        Spec(name: "queues", resource: .queues, takesId: true, inputKinds: [], flags: [],
             description: "List queues (dixa, smartassist).",
             examples: [Example("dixa queues", "queues --vendor dixa | get name | first", result: #""Default queue""#)]),
        Spec(name: "conversations", resource: .conversations, takesId: true, inputKinds: [],
             flags: [since, until, Flag("agent", .any, "filter by agent id"), Flag("customer", .any, "filter by customer id"), Flag("group", .any, "chatrhub: filter by group id"),
                     Flag("tag", .string, "chatrhub: filter by tag"), Flag("query", .string, "dixa: full-text search"), Flag("state", .string, "keep only open, pending or closed ones"),
                     Flag("rating", .string, "chatrhub: poor_chats, ok_chats or great_chats"), Flag("missed", .string, "chatrhub: missed_chats or serviced_chats")],
             description: "List conversations (chats): by id, or by window (chatrhub, default the last 7 days), search or customer (dixa).",
             examples: [
                Example("one chat by id", "conversations 1 --vendor chatrhub | get id", result: "1"),
                Example("dixa search", #"conversations --vendor dixa --query "refund" | first 2"#),
             ]),
        Spec(name: "customers", resource: .customers, takesId: true, inputKinds: [],
             flags: [Flag("email", .string, "filter by email"), Flag("name", .string, "filter by name"), Flag("phone", .string, "filter by phone"), Flag("external", .string, "dixa: filter by externalId")],
             description: "List customers: chatrhub visitors, dixa end users, agentiq customers.",
             examples: [Example("a visitor by id", "customers 1 --vendor chatrhub | get id", result: "1")]),
        Spec(name: "messages", resource: .messages, takesId: false, inputKinds: ["conversation"],
             flags: [Flag("chat", .any, "the conversation id, when there is no input"), Flag("include-admin", nil, "chatrhub: include admin messages")],
             description: "The messages of the input conversations (or of --chat ID).",
             examples: [Example("the messages of chat 1", "conversations 1 --vendor chatrhub | messages | get text", result: #"["Hi\n","Hello! How can I help?","I have a question about my order.","Let me check that for you."]"#)]),
        Spec(name: "notes", resource: .notes, takesId: false, inputKinds: ["conversation"], flags: [],
             description: "The internal notes of the input conversations (dixa).",
             examples: [Example("notes of a dixa conversation", "conversations 1001 --vendor dixa | notes")]),
        Spec(name: "tags", resource: .tags, takesId: false, inputKinds: ["conversation"], flags: [Flag("all", nil, "dixa: include deactivated tags")],
             description: "The tags of the input conversations, or every tag (dixa).",
             examples: [Example("every dixa tag", "tags --vendor dixa | get name", result: #"["billing","refund","shipping","vip","complaint"]"#)]),
        Spec(name: "ratings", resource: .ratings, takesId: false, inputKinds: ["conversation"], flags: [],
             description: "The ratings of the input conversations (dixa).",
             examples: [Example("ratings of a dixa conversation", "conversations 1001 --vendor dixa | ratings")]),
        Spec(name: "tasks", resource: .tasks, takesId: false, inputKinds: [],
             flags: [Flag("type", .string, "operational (default) or machine_learning"), Flag("resolved", nil, "resolved tasks instead of open ones")],
             description: "List chatrhub tasks (paged lazily).",
             examples: [Example("open operational tasks", "tasks --vendor chatrhub | first 3")]),
        Spec(name: "feedback", resource: .feedback, takesId: false, inputKinds: [],
             flags: [since, until, Flag("type", .string, "csat or nps"), Flag("customer", .any, "filter by customer"), Flag("agent", .any, "filter by primary agent")],
             description: "List customer feedback (agentiq).",
             examples: [Example("CSAT feedback", "feedback --vendor agentiq --type csat | first 3")]),
        Spec(name: "activity", resource: .activity, takesId: false, inputKinds: ["agent", "conversation"],
             flags: [since, until, Flag("agent", .any, "the agent, when there is no input")],
             description: "Agent activity: status history of the input agents (chatrhub, agentiq) or activity log (dixa).",
             examples: [Example("status history of agent 1", "agents 1 --vendor chatrhub | activity | first 2")]),
        Spec(name: "assignments", resource: .assignments, takesId: false, inputKinds: [],
             flags: [since, until, Flag("agent", .any, "filter by agent"), Flag("conversation", .any, "filter by conversation"), Flag("type", .string, "assignment, lock or unlock")],
             description: "Agent assignments, locks, capacity and load (agentiq).",
             examples: [Example("assignments of agent 1", "assignments --vendor agentiq --agent 1 | first 3")]),
        Spec(name: "report", resource: .report, takesId: false, inputKinds: [],
             flags: [since, until, Flag("agent", .any, "one agent"), Flag("group", .any, "one group")],
             description: "The chat report for a window (chatrhub; default the last 7 days).",
             examples: [Example("last week's chat report", "report --vendor chatrhub | get total_chats")]),
    ]

    /// Flags that take one of a fixed set of values, per resource command.
    static let choices: [String: [String: [String]]] = [
        "conversations": ["state": ["open", "pending", "closed"], "rating": ["poor_chats", "ok_chats", "great_chats"], "missed": ["missed_chats", "serviced_chats"]],
        "tasks": ["type": ["operational", "machine_learning"]],
        "feedback": ["type": ["csat", "nps"]],
        "assignments": ["type": ["assignment", "lock", "unlock"]],
    ]

    static let dateFormats = "a date like 2024-03-11, a time like 2024-03-11T16:39:30Z, a date value (`days-ago 7`) or epoch seconds or milliseconds"

    /// A flag value the API would not understand is an error naming the flag, the value and
    /// what it takes, before any request (a silently dropped `--since` lists the wrong window).
    static func checkFlags(_ spec: Spec, _ ctx: CallContext) throws {
        for flag in spec.flags {
            guard let v = ctx.args.flags[flag.name], !v.isNull else { continue }
            if flag.type == .date {
                switch v {
                case .date, .int: continue
                case .string(let text) where DateParsing.parse(text) != nil: continue
                default:
                    let shown = v.text.map { "`\($0)`" } ?? v.typeName
                    var e = ctx.error(.value, "\(spec.name) --\(flag.name): \(shown) is not a date", flag: flag.name)
                    e.hint = "--\(flag.name) takes " + dateFormats
                    throw e
                }
            }
            if let accepted = choices[spec.name]?[flag.name] {
                guard let text = v.text, accepted.contains(text) else {
                    let shown = v.text.map { "`\($0)`" } ?? v.typeName
                    let options = v.text.map { Suggest.closest(to: $0, in: accepted) } ?? []
                    var e = ctx.error(.value, "\(spec.name) --\(flag.name): \(shown) is not one of \(accepted.joined(separator: ", "))", flag: flag.name)
                    if let best = options.first { e.label = "did you mean `\(best)`?" }
                    e.options = options
                    throw e
                }
            }
        }
    }

    /// Normalized fields per resource command, for completion after `where`, `select`, ...
    static let outputFields: [String: [String]] = [
        "agents": Fields.agent, "groups": Fields.group, "queues": Fields.group,
        "conversations": Fields.conversation, "customers": Fields.customer, "messages": Fields.message,
    ]

    static func all() -> [Command] {
        var out: [Command] = []
        for spec in specs {
            out.append(command(spec, name: spec.name))
            if spec.name == "conversations" { out.append(command(spec, name: "chats")) }
            if spec.name == "customers" { out.append(command(spec, name: "visitors")) }
        }
        return out
    }

    static func command(_ spec: Spec, name: String) -> Command {
        let positionals = spec.takesId ? [Parameter("id", .any, "one object by id", optional: true)] : []
        let sig = Signature(name, positionals: positionals, flags: spec.flags + [vendorFlag],
                            input: spec.inputKinds.isEmpty ? "nothing" : "stream<record>", output: "stream<record>",
                            outputFields: outputFields[spec.name].map { ["id", "vendor", "kind"] + $0 + ["raw"] } ?? [])
        let desc = name == spec.name ? spec.description : spec.description + " (`\(name)` is `\(spec.name)`.)"
        let examples = name == spec.name ? spec.examples : []
        return Command(sig, description: desc, category: "vendor", examples: examples) { ctx in
            try run(spec, ctx)
        }
    }

    static func run(_ spec: Spec, _ ctx: CallContext) throws -> Value {
        guard let session = VendorSession.of(ctx.interpreter) else { throw ctx.error(.name, "no vendors are installed") }
        try session.requireNetwork(ctx)
        try checkFlags(spec, ctx)
        var flags = ctx.args.flags
        flags["vendor"] = nil
        let stateFilter = flags.removeValue(forKey: "state").flatMap { $0.text }
        let id = spec.takesId ? try ctx.optionalString(0) : nil
        let registry = session.registry
        var stream: ValueStream
        // `agents 42` on one vendor is the record itself, as `kubectl get NAME` answers one object.
        var single = false

        if !spec.inputKinds.isEmpty, !ctx.input.isNull, ctx.args.flags["chat"] == nil {
            // One listing per input object, on the object's own vendor, pulled lazily.
            var it = ctx.input.iterate()
            stream = chained {
                while let v = try it.next() {
                    guard case .record(let r) = v, let kind = r.objectKind, let vendor = r.objectVendor else {
                        throw ctx.error(.type, "\(spec.name): the input must be vendor objects (\(spec.inputKinds.sorted().joined(separator: ", "))), not \(v.typeName)")
                    }
                    guard spec.inputKinds.contains(kind) else {
                        throw ctx.error(.type, "\(spec.name): takes \(spec.inputKinds.sorted().map { $0 + "s" }.joined(separator: " or ")), not \(kind)s")
                    }
                    let adapter = try registry.adapter(vendor)
                    return try adapter.list(spec.resource, ResourceQuery(id: nil, flags: flags, parent: r), session.io(adapter))
                }
                return nil
            }
            let closeInput = it
            stream = ValueStream(next: { [stream] in try stream.next() }, onClose: { [stream] in stream.close(); closeInput.close() })
        } else {
            let names = try session.vendors(ctx)
            let all = ctx.args.flags["vendor"]?.text == "all"
            single = id != nil && !all
            var streams: [ValueStream] = []
            for name in names {
                do {
                    let adapter = try registry.adapter(name)
                    let listing = try adapter.list(spec.resource, ResourceQuery(id: id, flags: flags), session.io(adapter))
                    streams.append(all ? skippingFirstFailure(listing, vendor: name, byId: id != nil, ctx, secrets: registry.secrets) : listing)
                } catch let e as Unsupported where all {
                    // `--vendor all` lists what each vendor has, and says which it skipped.
                    ctx.interpreter.configuration.writeError("\(ctx.signature.name) --vendor all: skipped \(name), which cannot \(e.reason)\n")
                } catch let e as ConfigError where all {
                    let why = e.message.hasPrefix(name + ": ") ? String(e.message.dropFirst(name.count + 2)) : e.message
                    ctx.interpreter.configuration.writeError("\(ctx.signature.name) --vendor all: skipped \(name): \(Redaction.scrub(why, secrets: registry.secrets))\n")
                } catch {
                    throw languageError(error, ctx, secrets: registry.secrets)
                }
            }
            var index = 0
            stream = chained {
                guard index < streams.count else { return nil }
                defer { index += 1 }
                return streams[index]
            }
        }
        if let stateFilter {
            let inner = stream
            stream = ValueStream(next: {
                while let v = try inner.next() { if v["state"].text == stateFilter { return v } }
                return nil
            }, onClose: { inner.close() })
        }
        if single, let id {
            let s = session.guardedStream(ctx, stream)
            defer { s.close() }
            guard let record = try s.next() else {
                let what = spec.name.hasSuffix("s") ? String(spec.name.dropLast()) : spec.name
                let vendor = (try? session.vendors(ctx).first) ?? nil
                throw ctx.error(.vendor, "\(vendor ?? "the vendor") has no \(what) with id `\(id)`\(stateFilter.map { " that is \($0)" } ?? "")", arg: 0)
            }
            return record
        }
        stream = reportingProgress(stream, label: ctx.signature.name, to: registry.progress)
        return .stream(session.guardedStream(ctx, stream))
    }

    /// With `--vendor all`, a vendor whose first request fails (a wrong key, a vendor that is
    /// down) is skipped with a line on stderr, like one that cannot serve the resource, and
    /// the others still list; the run then exits 1. Looking up one id, a vendor's 404 only
    /// means it has no such object. A failure after a vendor's first records still stops the
    /// listing: it would otherwise be cut short unseen.
    static func skippingFirstFailure(_ listing: ValueStream, vendor: String, byId: Bool, _ ctx: CallContext, secrets: [String]) -> ValueStream {
        var started = false
        return ValueStream(next: {
            if started { return try listing.next() }
            do {
                let v = try listing.next()
                started = true
                return v
            } catch {
                let e = languageError(error, ctx, secrets: secrets)
                started = true
                if let s = e as? SwitchboardError, s.kind == .cancelled || s.kind == .limit { throw e }
                if byId, case .int(404)? = (e as? SwitchboardError)?.payload?["status"] { return nil }
                var message = (e as? SwitchboardError)?.message ?? "\(e)"
                if message.hasPrefix(vendor + ": ") { message.removeFirst(vendor.count + 2) }
                ctx.interpreter.configuration.writeError("\(ctx.signature.name) --vendor all: skipped \(vendor): \(message)\n")
                ctx.interpreter.failedActionRows += 1
                return nil
            }
        }, onClose: { listing.close() })
    }
}
