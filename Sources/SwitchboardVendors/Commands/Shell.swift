import Foundation
import SwitchboardCore

/// `vendors` and `http`.
enum ShellCommands {
    static func all() -> [Command] {
        [
            Command(Signature("vendors", input: "nothing", output: "list<record>"),
                    description: "The configured vendor connections: name, type, base_url, and which one is current (no secrets).",
                    category: "shell",
                    examples: [Example("the names", "vendors | get name")]) { ctx in
                guard let session = VendorSession.of(ctx.interpreter) else { return .list([]) }
                let current = session.current ?? session.registry.defaultVendor
                return .list(session.registry.connections.map { c in
                    .record(["name": .string(c.name), "type": .string(c.type), "base_url": .string(c.baseURL),
                             "current": .bool(c.name == current), "ready": .bool(c.problem == nil)])
                })
            },
            Command(Signature("http", positionals: [Parameter("method", .string, "GET, POST, PUT, PATCH or DELETE"), Parameter("path", .string, "the path after the base URL, with query")],
                              flags: [Flag("body", .any, "the JSON body"), Flag("vendor", .string, "the connection"), Flag("dry-run", nil, "show the request instead of sending it")],
                              input: "nothing", output: "any"),
                    description: "Send one request with the vendor's auth; answers the decoded JSON. An escape hatch for what no command covers.",
                    category: "shell",
                    examples: [Example("raw chatrhub groups", "http GET /api/v1/groups.json --vendor chatrhub | get data | first | get id", result: "10204")]) { ctx in
                try http(ctx)
            },
        ]
    }

    static func http(_ ctx: CallContext) throws -> Value {
        guard let session = VendorSession.of(ctx.interpreter) else { throw ctx.error(.name, "no vendors are installed") }
        let method = try ctx.string(0).uppercased()
        guard ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].contains(method) else {
            throw ctx.error(.value, "http: unknown method `\(method)`", arg: 0)
        }
        var path = try ctx.string(1)
        if !path.hasPrefix("/") { path = "/" + path }
        let names = try session.vendors(ctx)
        guard names.count == 1 else { throw ctx.error(.usage, "http: name one vendor with --vendor NAME", flag: "vendor") }
        let write = method != "GET" && method != "HEAD"
        let dryRun = ctx.args.has("dry-run") || (write && session.dryRunSetting)
        if write, ctx.interpreter.configuration.capabilities.contains(.readOnly) {
            throw ctx.error(.vendor, "http: \(method) is not allowed here (read-only)")
        }
        if !dryRun { try session.requireNetwork(ctx) }
        return try session.guarded(ctx) {
            let adapter = try session.registry.adapter(names[0])
            let client = adapter.client
            var request = client.request(method, "/")
            request.url = client.connection.baseURL + path
            if let body = ctx.args.flags["body"] {
                request.headers.append(("Content-Type", "application/json"))
                request.body = Array(try JSON.encode(body).utf8)
            }
            if dryRun {
                ctx.interpreter.configuration.writeError("http: dry run, 1 request not sent (\(names[0]))\n")
                return .record(["vendor": .string(names[0]), "method": .string(method), "url": .string(client.scrub(request.target)),
                                "body": ctx.args.flags["body"] ?? .null])
            }
            let kind: RequestKind = write ? .write(idempotent: method != "POST" && method != "PATCH") : .read
            let req = request
            let outcome = try Blocking.run(cancelled: session.cancelled) { try await client.send(req, kind: kind) }
            try client.check(outcome, request)
            return try client.decode(outcome.response, request)
        }
    }
}
