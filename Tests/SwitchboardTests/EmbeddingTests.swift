import Foundation
import Testing
import Switchboard

/// The embedding API, each test pairing host code with a script (as Wren's test/api does).
struct EmbeddingTests {
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func add(_ s: String) { lock.withLock { text += s } }
        var value: String { lock.withLock { text } }
    }

    func shell(_ configure: (inout ShellConfiguration) -> Void = { _ in }) throws -> (Shell, Sink) {
        let out = Sink()
        var config = ShellConfiguration()
        config.output = out.add
        config.diagnostics = { _ in }
        configure(&config)
        return (try Shell(config), out)
    }

    @Test func hostCommandTakesAndGivesStreams() throws {
        let (shell, out) = try shell()
        shell.register(Command(
            Signature("tickets", positionals: [Parameter("n", .int, "how many")], output: "stream<record>"),
            description: "The host's open tickets.",
            examples: [Example("three tickets", "tickets 3 | count", result: "3")]
        ) { ctx in
            let n = try ctx.int(0)
            var i = 0
            return .stream(ValueStream(next: {
                defer { i += 1 }
                return i < n ? .record(["id": .int(i), "priority": .string(i % 2 == 0 ? "high" : "low")]) : nil
            }))
        })
        shell.register(Command(Signature("shout", input: "stream<string>", output: "stream<string>"),
                               description: "Upper-case each item.") { ctx in
            ctx.mapRows { v in .string((v.asString ?? "").uppercased() + "!") }
        })
        #expect(try shell.evaluate("tickets 1000000 | where priority == \"high\" | first 2 | get id").decode([Int].self) == [0, 2])
        #expect(try shell.evaluate(#"["a", "b"] | shout"#).decode([String].self) == ["A!", "B!"])
        // The host command shows up in help and completion like a built-in.
        try shell.run("help tickets")
        #expect(out.value.contains("The host's open tickets."))
    }

    struct Agent: Codable, Equatable {
        var name: String
        var load: Int
        var since: Date
    }

    @Test func valuesConvertToAndFromCodable() throws {
        let (shell, _) = try shell()
        let ann = Agent(name: "Ann", load: 2, since: Date(timeIntervalSince1970: 1_710_174_370))
        shell.interpreter.setVariable("team", try Value(encoding: [ann, Agent(name: "Bob", load: 5, since: ann.since)]))
        let busy = try shell.evaluate("$team | where load > 3", as: [Agent].self)
        #expect(busy.map(\.name) == ["Bob"])
        #expect(try shell.evaluate("$team.0", as: Agent.self) == ann)
        #expect(try shell.evaluate("$team.0.since | describe", as: String.self) == "string")
        // Decoding into the wrong type is an error that says where.
        #expect(throws: ShellError.self) { try shell.evaluate("$team", as: [Int].self) }
    }

    @Test func errorsComeBackWithSpans() throws {
        let (shell, _) = try shell()
        do {
            try shell.run("let x = [{status: 1}]\n$x | where stauts == 1 | count\n$x.nope", name: "job.swb")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .name)
            #expect(error.file == "job.swb")
            #expect(error.line == 3)
            #expect(error.rendered.contains("job.swb:3:"))
        }
        do {
            _ = try shell.evaluate("let = 1\nprint (1 +)")
            Issue.record("expected parse errors")
        } catch {
            #expect(error.all.count == 2)
        }
    }

    @Test func stepLimitStopsARunawayLoop() throws {
        let (shell, _) = try shell { $0.limits.maxSteps = 10_000 }
        #expect { try shell.evaluate("while true { }") } throws: { ($0 as? ShellError)?.message.contains("step limit") == true }
    }

    @Test func timeLimitStopsASlowScript() throws {
        let (shell, _) = try shell { $0.limits.timeLimit = .milliseconds(200) }
        let start = Date()
        #expect { try shell.evaluate("sleep 10s") } throws: { ($0 as? ShellError)?.message.contains("time limit") == true }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func outputLimitStopsAChattyScript() throws {
        let (shell, out) = try shell { $0.limits.maxOutputBytes = 1000 }
        #expect { try shell.run("for i in 1..100000 { print \"line \\($i)\" }") } throws: {
            ($0 as? ShellError)?.message.contains("output limit") == true
        }
        #expect(out.value.utf8.count < 1100)
    }

    @Test func recursionLimitIsAnErrorNotACrash() throws {
        let (shell, _) = try shell { $0.limits.maxCallDepth = 200 }
        #expect { try shell.evaluate("fn f(n) { f ($n + 1) }; f 0") } throws: {
            ($0 as? ShellError)?.message.contains("recursion is too deep") == true
        }
        // The default limit (1000) is reachable on the shell's own large stack.
        let (deep, _) = try self.shell()
        #expect(try deep.evaluate("fn d(n) { if $n == 0 { 0 } else { 1 + (d ($n - 1)) } }; d 900", as: Int.self) == 900)
    }

    @Test func noFileSystemRefusesFiles() throws {
        let (shell, _) = try shell { $0.capabilities = [.noFileSystem] }
        #expect { try shell.evaluate("open /etc/hostname") } throws: { ($0 as? ShellError)?.message.contains("file access") == true }
        #expect { try shell.evaluate("source \"x.swb\"") } throws: { ($0 as? ShellError) != nil }
        #expect { try shell.evaluate("[1] | save /tmp/swb-nofs.json") } throws: { ($0 as? ShellError) != nil }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/swb-nofs.json"))
    }

    @Test func cancelFromAnotherThread() throws {
        let (shell, _) = try shell()
        // A plain thread, not a task: the evaluator blocks its caller, and on a 2-core
        // machine blocked tasks can starve the cooperative pool.
        let canceller = Thread {
            Thread.sleep(forTimeInterval: 0.15)
            shell.cancel()
        }
        canceller.start()
        #expect { try shell.evaluate("while true { }") } throws: { ($0 as? ShellError)?.kind == .cancelled }
        // The shell works again after a cancel.
        #expect(try shell.evaluate("1 + 1", as: Int.self) == 2)
    }

    @Test func twoShellsRunAtOnce() throws {
        let script = "fn fib(n) { if $n < 2 { $n } else { (fib ($n - 1)) + (fib ($n - 2)) } }; fib 16"
        let results = Sink()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let (s, _) = try self.shell()
                results.add(String(try s.evaluate(script, as: Int.self)) + ",")
            } catch {
                results.add("error: \(error),")
            }
        }
        #expect(results.value == "987,987,987,987,")
    }

    @Test func readOnlySendsNoWrite() throws {
        var config = ShellConfiguration()
        config.output = { _ in }
        config.diagnostics = { _ in }
        config.capabilities = [.readOnly]
        let (shell, sandbox) = try Shell.sandboxed(config)
        // Reads work...
        #expect(try shell.evaluate("agents | length", as: Int.self) == 40)
        // ...every action is refused before any request.
        for script in ["agents | first 3 | assign group 10204", "agents --vendor dixa | first 1 | set name X",
                       "groups | first 1 | delete --yes", "conversations --vendor dixa --query x | close"] {
            #expect(throws: ShellError.self, "\(script)") { try shell.evaluate(script) }
        }
        let writes = sandbox.requests.filter { $0.method != "GET" }
        #expect(writes.isEmpty, "writes reached the sandbox: \(writes.map { "\($0.method) \($0.path)" })")
    }

    @Test func noNetworkSendsNothing() throws {
        var config = ShellConfiguration()
        config.output = { _ in }
        config.diagnostics = { _ in }
        config.capabilities = [.noNetwork]
        let (shell, sandbox) = try Shell.sandboxed(config)
        #expect(throws: ShellError.self) { try shell.evaluate("agents | length") }
        #expect(throws: ShellError.self) { try shell.evaluate("http GET /api/v1/agents.json") }
        #expect(sandbox.requests.isEmpty)
    }

    @Test func environmentIsTheHostsChoice() throws {
        let (shell, _) = try shell { $0.environment = ["TEAM": "blue"] }
        #expect(try shell.evaluate("env TEAM", as: String.self) == "blue")
        #expect(try shell.evaluate("env HOME").isNull)
    }

    // MARK: A host's own vendor type (issue #6)

    /// Starts a sandbox from a plain (test) thread.
    func startSandbox() throws -> Sandbox {
        final class Box: @unchecked Sendable { var result: Result<Sandbox, Error>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await Sandbox.start()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    func stop(_ sandbox: Sandbox) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await sandbox.shutdown()
            done.signal()
        }
        done.wait()
    }

    @Test func hostRegistersItsOwnVendorType() throws {
        let sandbox = try startSandbox()
        defer { stop(sandbox) }
        let chatrhub = sandbox.vendor("chatrhub")!
        // The host's vendor: a staff roster served (here) by the sandbox's ChatrHub API.
        let (shell, _) = try shell { config in
            config.adapterTypes = [RosterAdapter.self]
            config.vendors = DefaultSandbox.connections(sandbox)
                + [VendorConnection(name: "staff", type: "roster", baseURL: chatrhub.baseURL, credentials: chatrhub.credentials)]
        }
        #expect(shell.vendors?.knownTypes == ["chatrhub", "agentiq", "smartassist", "dixa", "roster"])
        #expect(try shell.evaluate(#"vendors | where type == "roster" | get name"#, as: [String].self) == ["staff"])

        // Rows come from the host adapter's own requests, with its own fields.
        let before = sandbox.requests.count
        #expect(try shell.evaluate("agents --vendor staff | count", as: Int.self) == 40)
        #expect(sandbox.requests.dropFirst(before).map(\.path) == ["/api/v1/agents.json"])
        let available = try shell.evaluate(#"agents --vendor staff | where status == "available" | count"#, as: Int.self)
        #expect(available > 0 && available < 40)
        #expect(available == (try shell.evaluate(#"agents --vendor chatrhub | where status == "available" | count"#, as: Int.self)))
        struct Row: Decodable, Equatable { var vendor, kind, level: String }
        #expect(try shell.evaluate("agents --vendor staff | first | select vendor kind level", as: Row.self) == Row(vendor: "staff", kind: "agent", level: "admin"))
        #expect(try shell.evaluate("use staff; agents | where level == \"admin\" | get id", as: [Int].self) == [1])
        #expect(try shell.evaluate(#"agents --vendor all | where vendor == "staff" | count"#, as: Int.self) == 40)

        // Actions go through the host's plan; what it cannot do is refused before any request.
        let supervisors = try shell.evaluate(#"agents --vendor staff | where level == "supervisor" | get id"#, as: [Int].self)
        #expect(!supervisors.isEmpty)
        let start = sandbox.requests.count
        #expect(try shell.evaluate("agents --vendor staff | first 1 | assign group 10205 --dry-run | get url", as: [String].self) == ["/api/v1/agent_groups/1.json"])
        #expect(sandbox.requests.dropFirst(start).allSatisfy { $0.method == "GET" })
        let ok = try shell.evaluate(#"agents --vendor staff | where level == "supervisor" | assign group 10205 | get ok"#, as: [Bool].self)
        #expect(ok == supervisors.map { _ in true })
        let writes = sandbox.requests.dropFirst(start).filter { $0.method != "GET" }
        #expect(writes.map { "\($0.method) \($0.path)" } == supervisors.map { "POST /api/v1/agent_groups/\($0).json" })
        #expect(try shell.evaluate("http GET /api/v1/agent_groups/agent_id/\(supervisors[0])/group_id/10205.json --vendor chatrhub | get data.attributes.is_assigned", as: Bool.self))
        let mark = sandbox.requests.count
        #expect { try shell.evaluate(#"agents --vendor staff | first | set name "X""#) } throws: {
            ($0 as? ShellError)?.message.contains("staff cannot set: a roster only assigns groups") == true
        }
        #expect { try shell.evaluate("queues --vendor staff") } throws: {
            ($0 as? ShellError)?.message.contains("staff cannot list queues") == true
        }
        #expect(sandbox.requests.dropFirst(mark).allSatisfy { $0.method == "GET" })
    }

    @Test func unknownVendorTypeNamesTheKnownOnes() throws {
        do {
            _ = try shell { config in
                config.adapterTypes = [RosterAdapter.self]
                config.vendors = [VendorConnection(name: "hr", type: "workday", baseURL: "https://hr.example.com")]
            }
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "vendor `hr` has unknown type `workday`; use one of chatrhub, agentiq, smartassist, dixa, roster")
        }
        // Without the host's type, its connection is unknown too.
        #expect { _ = try shell { $0.vendors = [VendorConnection(name: "staff", type: "roster", baseURL: "https://hr.example.com")] } } throws: {
            "\($0)".hasSuffix("use one of chatrhub, agentiq, smartassist, dixa")
        }
        // A config file read by the host accepts the host's types when told them.
        let toml = "[vendors.staff]\ntype = \"roster\"\nbase_url = \"https://hr.example.com\"\n"
        #expect(throws: ConfigError.self) { try VendorConfig.parse(toml) }
        let registry = try VendorRegistry(connections: [], adapterTypes: [RosterAdapter.self])
        let config = try VendorConfig.parse(toml, types: registry.knownTypes)
        #expect(config.connections.map(\.type) == ["roster"])
    }
}

/// A host's vendor adapter: the agents of a staff roster, read over HTTP through the
/// `VendorClient` (the tests point it at the sandbox's ChatrHub API), with a `level` field;
/// it can assign agents to groups and nothing else.
final class RosterAdapter: VendorAdapter {
    static let type = "roster"
    let client: VendorClient
    let agentKind: ObjectKind

    init(client: VendorClient) {
        self.client = client
        agentKind = ObjectKind("agent", vendor: client.vendor, fields: ["name", "email", "status", "level"])
    }

    static func authorize(_ request: inout HTTPRequest, _ c: VendorConnection) throws {
        guard let key = c.credentials["api_key"] else { throw ConfigError("\(c.name): no api_key") }
        request.headers.append(("Authorization", "Bearer " + key))
    }

    func list(_ resource: Resource, _ q: ResourceQuery, _ io: IO) throws -> ValueStream {
        guard resource == .agents else { throw Unsupported(client.vendor, "list \(resource.rawValue)", "a roster has only agents") }
        var rows: [Value]? = nil
        return ValueStream(next: { [self] in
            if rows == nil { rows = (try io.get("/api/v1/agents.json")["data"].asList ?? []).reversed() }
            guard let a = rows!.popLast() else { return nil }
            let attrs = a["attributes"]
            let level: Value = switch attrs["authorization_level"].asInt { case 5: "admin"; case 3: "supervisor"; default: "agent" }
            let status: Value = attrs["is_taking_chats"].asBool == true ? "available" : "busy"
            let id: Value = a["id"].asString.flatMap(Int.init).map(Value.int) ?? a["id"]
            return agentKind.make(id: id, [attrs["full_name"], attrs["email"], status, level], raw: a)
        })
    }

    func check(_ action: VendorAction, kind: String?) throws {
        guard case .assignGroup = action else { throw Unsupported(client.vendor, action.verb, "a roster only assigns groups") }
    }

    func plan(_ action: VendorAction, object: Record?, _ io: IO) throws -> [PlannedRequest] {
        guard case .assignGroup(let group) = action, let agent = object?["id"]?.asInt, let groupId = Int(group) else {
            throw SwitchboardError(.value, "\(client.vendor): agent and group ids are numbers")
        }
        let body: Value = .record(["data": .record(["type": "agent_groups", "attributes": .record(["agent_id": .int(agent), "group_id": .int(groupId), "is_assigned": true])])])
        return [PlannedRequest(client.request("POST", "/api/v1/agent_groups/\(agent).json", json: body))]
    }
}
