import Foundation
import Testing
import Switchboard

/// The saved scripts in `scripts/`, each run end to end against a fresh sandbox (seed 1): the
/// write requests the sandbox received (method, path, query, body) and what the script
/// printed; and each once with its dry-run option, which must send no write at all.
@Suite(.serialized)
struct ScriptTests {
    // MARK: Harness

    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func script(_ name: String) -> String { repo.appendingPathComponent("scripts/\(name)").path }
    static func fixture(_ name: String) -> String {
        repo.appendingPathComponent("Tests/SwitchboardTests/Fixtures/\(name)").path
    }

    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func add(_ s: String) { lock.withLock { text += s } }
        var value: String { lock.withLock { text } }
    }

    /// One run of a script: what it printed, its diagnostics, its error, the sandbox's log.
    struct Run {
        var output: String
        var diagnostics: String
        var error: ShellError?
        var requests: [SandboxRequest]
        /// Every request that is not a GET.
        var writes: [SandboxRequest] { requests.filter { $0.method != "GET" } }
        /// The shell, still connected to the sandbox, to check the state the script left.
        var shell: Shell
        var directory: String

        func evaluate(_ source: String) throws -> Value { try shell.evaluate(source) }
    }

    /// Runs `scripts/NAME` with ARGS on a new sandbox, in a new empty working directory.
    /// The sandbox is shut down when `check` returns.
    func run(_ name: String, _ arguments: [String] = [], check: (Run) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swb-scripts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = Sink(), err = Sink()
        var config = ShellConfiguration()
        config.output = out.add
        config.diagnostics = err.add
        config.workingDirectory = directory
        let (shell, sandbox) = try Shell.sandboxed(config, options: SandboxOptions(seed: 1))
        defer { Self.shutdown(sandbox) }
        var failure: ShellError?
        do { try shell.runFile(Self.script(name), arguments: arguments) } catch { failure = error }
        let result = Run(output: out.value, diagnostics: err.value, error: failure, requests: sandbox.requests,
                         shell: shell, directory: directory)
        try check(result)
    }

    static func shutdown(_ sandbox: Sandbox) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await sandbox.shutdown()
            done.signal()
        }
        done.wait()
    }

    /// The first integer after `prefix` in `text`.
    func number(after prefix: String, in text: String) -> Int? {
        guard let r = text.range(of: prefix) else { return nil }
        return Int(text[r.upperBound...].prefix { $0.isNumber })
    }

    func strings(_ v: Value) throws -> [String] { try v.decode([String].self) }

    // MARK: rebalance-groups.swb

    @Test func rebalanceGroupsMovesAvailableAgentsToTheBusierGroup() throws {
        try run("rebalance-groups.swb", ["Sales", "Support"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            // Seed 1: Sales (10204) has chats but no available agent; Support (10205) has four.
            let n = try #require(number(after: "moving ", in: r.output))
            #expect(n > 0)
            #expect(r.output.contains("available agents from Support to Sales"))
            let posts = r.writes.filter { $0.method == "POST" }
            let deletes = r.writes.filter { $0.method == "DELETE" }
            #expect(posts.count == n)
            #expect(deletes.count == n)
            #expect(r.writes.count == 2 * n)
            #expect(r.writes.allSatisfy { $0.vendor == "chatrhub" && $0.status == 200 })
            // Each mover is assigned to Sales (is_assigned), then unassigned from Support.
            var assigned: Set<String> = []
            for p in posts {
                let agent = p.path.replacingOccurrences(of: "/api/v1/agent_groups/", with: "").replacingOccurrences(of: ".json", with: "")
                assigned.insert(agent)
                #expect(p.body.contains("\"group_id\":10204"))
                #expect(p.body.contains("\"agent_id\":\(agent)"))
                #expect(p.body.contains("\"is_assigned\":true"))
            }
            let unassigned = Set(deletes.map { d -> String in
                #expect(d.path.hasSuffix("/group_id/10205.json"))
                return d.path.replacingOccurrences(of: "/api/v1/agent_groups/agent_id/", with: "")
                    .replacingOccurrences(of: "/group_id/10205.json", with: "")
            })
            #expect(assigned == unassigned)
            // Every assignment precedes the unassignment of the same agent.
            let lastPost = try #require(r.requests.lastIndex { $0.method == "POST" })
            let firstDelete = try #require(r.requests.firstIndex { $0.method == "DELETE" })
            #expect(lastPost < firstDelete)
            // The movers were available, and now sit in Sales only.
            for agent in assigned {
                #expect(try strings(r.evaluate("[(agents \(agent) --vendor chatrhub).status]")) == ["available"])
                let groups = try r.evaluate("http GET /api/v1/agent_groups/\(agent).json --vendor chatrhub | get data | each { $it.attributes.group_id }")
                #expect(try groups.decode([Int].self) == [10204])
            }
            #expect(r.output.contains("after the move:"))
            #expect(r.diagnostics.contains("assign group 10204: \(n) ok, 0 failed (chatrhub)"))
            #expect(r.diagnostics.contains("unassign group 10205: \(n) ok, 0 failed (chatrhub)"))
        }
    }

    @Test func rebalanceGroupsDryRunSendsNothing() throws {
        try run("rebalance-groups.swb", ["10204", "10205", "--dry-run"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            let n = try #require(number(after: "moving ", in: r.output))
            #expect(r.diagnostics.contains("assign group 10204: dry run, \(n) request\(n == 1 ? "" : "s") not sent"))
            #expect(r.output.contains("POST"))
            #expect(r.output.contains("/group_id/10205.json"))
            #expect(!r.output.contains("after the move"))
        }
    }

    @Test func rebalanceGroupsRefusesAnUnknownGroup() throws {
        try run("rebalance-groups.swb", ["Sales", "Nope"]) { r in
            let e = try #require(r.error)
            #expect(e.message.contains("no ChatrHub group `Nope`"))
            #expect(e.message.contains("Support"))
            #expect(r.writes.isEmpty)
        }
        try run("rebalance-groups.swb", ["Sales"]) { r in
            #expect(r.error?.message.contains("usage: swb scripts/rebalance-groups.swb GROUP_A GROUP_B") == true)
            #expect(r.requests.isEmpty)
        }
    }

    // MARK: close-stale.swb

    @Test func closeStaleNotesThenClosesOldDixaConversations() throws {
        try run("close-stale.swb", ["14"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            let notes = r.writes.filter { $0.method == "POST" }
            let closes = r.writes.filter { $0.method == "PUT" }
            #expect(r.writes.count == notes.count + closes.count)
            #expect(!notes.isEmpty)
            #expect(notes.count == closes.count)
            #expect(r.writes.allSatisfy { $0.vendor == "dixa" && $0.query.isEmpty })
            func id(_ req: SandboxRequest, _ suffix: String) -> String {
                req.path.replacingOccurrences(of: "/v1/conversations/", with: "").replacingOccurrences(of: suffix, with: "")
            }
            let noted = notes.map { id($0, "/notes") }
            let closed = closes.map { id($0, "/close") }
            #expect(Set(noted) == Set(closed))
            for n in notes {
                #expect(n.path.hasSuffix("/notes"))
                #expect(n.body == #"{"message":"Closed automatically: no activity for 14 days (scripts/close-stale.swb)."}"#)
            }
            for c in closes { #expect(c.path.hasSuffix("/close") && c.body.isEmpty) }
            // A note reaches each conversation before its close.
            for c in closed {
                let n = try #require(r.requests.firstIndex { $0.path == "/v1/conversations/\(c)/notes" })
                let k = try #require(r.requests.firstIndex { $0.path == "/v1/conversations/\(c)/close" })
                #expect(n < k)
            }
            // Seed 1: 1040 was last touched four weeks ago, 1024 yesterday, 1004 is already closed.
            #expect(closed.contains("1040"))
            #expect(!closed.contains("1024"))
            #expect(r.output.contains("\(closed.count) Dixa conversations untouched since"))
            #expect(r.output.contains("closed \(closed.count) of \(closed.count), each with a note"))
            #expect(try strings(r.evaluate("[(conversations 1040 --vendor dixa).state]")) == ["closed"])
            #expect(try strings(r.evaluate("[(conversations 1024 --vendor dixa).state]")) != ["closed"])
            let text = try strings(r.evaluate("conversations 1040 --vendor dixa | notes | get raw.message"))
            #expect(text.contains { $0.contains("no activity for 14 days") })
        }
    }

    @Test func closeStaleDryRunSendsNothing() throws {
        try run("close-stale.swb", ["14", "--dry-run"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            #expect(r.output.contains("/v1/conversations/1040/notes"))
            #expect(r.output.contains("/v1/conversations/1040/close"))
            #expect(r.diagnostics.contains("close: dry run"))
            #expect(!r.output.contains("each with a note"))
        }
    }

    @Test func closeStaleChecksItsArgument() throws {
        try run("close-stale.swb", ["two"]) { r in
            #expect(r.error?.message == "DAYS must be a whole number, not `two`")
            #expect(r.requests.isEmpty)
        }
        try run("close-stale.swb", ["400"]) { r in
            #expect(r.error == nil)
            #expect(r.output.contains("no open or pending Dixa conversation untouched for 400 days"))
            #expect(r.writes.isEmpty)
        }
    }

    // MARK: weekly-report.swb

    static let reportHeader = "agent,agent_id,chats,rated,avg_rating,great,ok,poor"

    @Test func weeklyReportPrintsATableAChartAndWritesCSV() throws {
        try run("weekly-report.swb", ["week.csv"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            let chatsRequest = try #require(r.requests.first { $0.path == "/api/v1/chats.json" })
            #expect(chatsRequest.query.contains("start_date=") && chatsRequest.query.contains("end_date="))
            let total = try #require(number(after: ": ", in: r.output))
            let agents = try #require(number(after: "rated, ", in: r.output))
            #expect(r.output.hasPrefix("ChatrHub chats from "))
            #expect(r.output.contains("│ agent "))
            #expect(r.output.contains("█"))
            #expect(r.output.contains("wrote week.csv"))
            let csv = try String(contentsOfFile: r.directory + "/week.csv", encoding: .utf8)
            let lines = csv.split(separator: "\n").map(String.init)
            #expect(lines.first == Self.reportHeader)
            #expect(lines.count == agents + 1)
            // The per-agent counts add up to the week's chats, and each row's ratings to its rated.
            let rows = try r.evaluate("open \"\(r.directory)/week.csv\"")
            struct Row: Decodable { var agent: String; var chats: Int; var rated: Int; var great: Int; var ok: Int; var poor: Int }
            let decoded = try rows.decode([Row].self)
            #expect(decoded.reduce(0) { $0 + $1.chats } == total)
            for row in decoded {
                #expect(row.great + row.ok + row.poor == row.rated)
                #expect(row.rated <= row.chats)
                #expect(!row.agent.isEmpty)
            }
            #expect(decoded.map(\.chats) == decoded.map(\.chats).sorted(by: >))
        }
    }

    @Test func weeklyReportNamesTheFileAfterTheWeek() throws {
        try run("weekly-report.swb") { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            let monday = try r.evaluate("last-week | get since | ymd").decode(String.self)
            #expect(r.output.contains("ChatrHub chats from \(monday) to "))
            #expect(r.output.contains("wrote weekly-report-\(monday).csv"))
            let csv = try String(contentsOfFile: r.directory + "/weekly-report-\(monday).csv", encoding: .utf8)
            #expect(csv.hasPrefix(Self.reportHeader + "\n"))
        }
    }

    @Test func weeklyReportDryRunWritesNoFile() throws {
        try run("weekly-report.swb", ["--dry-run"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            #expect(r.output.contains("dry run: weekly-report-"))
            let files = try FileManager.default.contentsOfDirectory(atPath: r.directory)
            #expect(files.isEmpty)
        }
    }

    // MARK: export-to-agentiq.swb

    /// The columns Agent IQ's import documents (shared/seeds/agentiq-api.txt), in its order.
    static let agentIQColumns = [
        "Banker First Name", "Banker Last Name", "Banker Email", "BankerMapID", "BankerTeam", "Customer First Name",
        "Customer Last Name", "CustomerMapID", "Customer Email", "Customer Group", "Date Added", "Customer Phone",
    ]

    @Test func exportToAgentIQWritesTheImportCSVAndImportsIt() throws {
        try run("export-to-agentiq.swb") { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.count == 1)
            let post = try #require(r.writes.first)
            #expect(post.vendor == "agentiq" && post.method == "POST" && post.path == "/api/imports/csv" && post.status == 200)
            #expect(post.body.contains("name=\"file\"; filename=\"agentiq-import.csv\""))
            #expect(post.body.contains(Self.agentIQColumns.joined(separator: ",") + "\r\n") || post.body.contains(Self.agentIQColumns.joined(separator: ",") + "\n"))
            let csv = try String(contentsOfFile: r.directory + "/agentiq-import.csv", encoding: .utf8)
            let lines = csv.split(separator: "\n").map(String.init)
            #expect(lines.first == Self.agentIQColumns.joined(separator: ","))
            #expect(lines.count == 41)
            // Seed 1: visitor 1 (Kira Zhang) last chatted with agent 39 (Liam Zhang, Onboarding).
            #expect(lines.contains { $0.hasPrefix("Liam,Zhang,liam.zhang39@sandbox.example.com,chatrhub-agent-39,") && $0.contains(",Kira,Zhang,chatrhub-visitor-1,kira.zhang1@customer.example.com,") })
            #expect(r.output.contains("wrote agentiq-import.csv: 40 visitors"))
            #expect(r.output.contains("Agent IQ now has 40 customers from ChatrHub"))
            #expect(r.diagnostics.contains("import customers agentiq-import.csv: 1 ok, 0 failed (agentiq)"))
            let segment = try strings(r.evaluate(#"customers --vendor agentiq | where raw.external_id == "chatrhub-visitor-1" | get email"#))
            #expect(segment == ["kira.zhang1@customer.example.com"])
        }
    }

    @Test func exportToAgentIQDryRunWritesTheFileButImportsNothing() throws {
        try run("export-to-agentiq.swb", ["out.csv", "--dry-run"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            #expect(!r.requests.contains { $0.vendor == "agentiq" })
            #expect(r.diagnostics.contains("import customers out.csv: dry run, 1 request not sent (agentiq)"))
            #expect(r.output.contains("/api/imports/csv"))
            let csv = try String(contentsOfFile: r.directory + "/out.csv", encoding: .utf8)
            #expect(csv.hasPrefix(Self.agentIQColumns.joined(separator: ",") + "\n"))
        }
    }

    // MARK: tag-vip.swb

    @Test func tagVIPTagsTheOpenConversationsOfListedCustomers() throws {
        try run("tag-vip.swb", [Self.fixture("vip.csv")]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            let vip = try strings(r.evaluate(#"tags --vendor dixa | where name == "vip" | get id"#))
            let tagID = try #require(vip.first)
            // Seed 1: Paul Silva has 1005 and 1023 open, Qin Rossi 1015 and 1017 pending, Kira Zhang 1019 open.
            let expected = ["1005", "1023", "1015", "1017", "1019"].map { "/v1/conversations/\($0)/tags/\(tagID)" }
            #expect(Set(r.writes.map(\.path)) == Set(expected))
            #expect(r.writes.count == 5)
            #expect(r.writes.allSatisfy { $0.vendor == "dixa" && $0.method == "PUT" })
            #expect(r.output.contains("3 of 4 customers found in Dixa, with 5 open conversations"))
            #expect(r.output.contains("tagged 5 conversations `vip`"))
            #expect(r.output.contains("not found in Dixa: nobody@nowhere.example.com"))
            // The customers were looked up by email, lower-cased.
            #expect(r.requests.contains { $0.path == "/v1/endusers" && $0.query.contains("email=qin.rossi14@customer.example.com") })
            #expect(try strings(r.evaluate("conversations 1005 --vendor dixa | tags | get name")).contains("vip"))
        }
    }

    @Test func tagVIPDryRunSendsNothing() throws {
        try run("tag-vip.swb", [Self.fixture("vip.csv"), "complaint", "--dry-run"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            #expect(r.diagnostics.contains("tag complaint: dry run, 5 requests not sent (dixa)"))
            #expect(r.output.contains("/v1/conversations/1005/tags/"))
        }
    }

    @Test func tagVIPNeedsAnEmailColumn() throws {
        try run("tag-vip.swb", [Self.fixture("vip-no-email.csv")]) { r in
            #expect(r.error?.message.contains("has no `email` column") == true)
            #expect(r.requests.isEmpty)
        }
    }

    // MARK: capacity.swb

    @Test func capacityRaisesLowAgentsOnlyWhenConfirmed() throws {
        try run("capacity.swb", ["6", "8", "--yes"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            // Seed 1: every SmartAssist agent takes 5 chats.
            #expect(r.writes.count == 40)
            for w in r.writes {
                #expect(w.vendor == "smartassist" && w.method == "PUT" && w.status == 200)
                #expect(w.path.contains("/agents/a-"))
                #expect(w.body.contains("\"maxChatSupport\":8"))
                #expect(w.body.contains("\"emailId\":"))   // SmartAssist takes the full body
            }
            #expect(Set(r.writes.map(\.path)).count == 40)
            #expect(r.output.contains("40 SmartAssist agents take fewer than 6 chats at once"))
            #expect(r.output.contains("raised maxChatSupport to 8 for 40 of 40 agents"))
            let after = try r.evaluate("agents --vendor smartassist | get capacity | uniq").decode([Int].self)
            #expect(after == [8])
        }
    }

    @Test func capacityWithoutConfirmationChangesNothing() throws {
        try run("capacity.swb", []) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            #expect(r.output.contains("nothing changed: run again with --yes to raise these 40 agents to 6"))
        }
        try run("capacity.swb", ["6", "8"]) { r in
            #expect(r.writes.isEmpty)
            #expect(r.output.contains("40 SmartAssist agents take fewer than 6 chats at once:"))
            #expect(r.output.contains("nothing changed: run again with --yes to raise these 40 agents to 8"))
        }
        try run("capacity.swb", ["5"]) { r in
            #expect(r.writes.isEmpty)
            #expect(r.output.contains("every SmartAssist agent can take at least 5 chats"))
        }
    }

    @Test func capacityDryRunSendsNothing() throws {
        try run("capacity.swb", ["6", "--dry-run", "--yes"]) { r in
            #expect(r.error == nil, "\(r.error?.rendered ?? "")")
            #expect(r.writes.isEmpty)
            #expect(r.diagnostics.contains("set maxChatSupport 6: dry run, 40 requests not sent (smartassist)"))
            #expect(r.output.contains("PUT"))
        }
    }

    // MARK: All scripts

    @Test func everyScriptHasAHeaderAndParses() throws {
        let dir = Self.repo.appendingPathComponent("scripts").path
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".swb") }.sorted()
        #expect(names.count >= 6)
        let (shell, sandbox) = try Shell.sandboxed(ShellConfiguration(), options: SandboxOptions(seed: 1))
        defer { Self.shutdown(sandbox) }
        for name in names {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first == "#!/usr/bin/env swb", "\(name)")
            #expect(lines.dropFirst().first?.hasPrefix("# \(name)") == true, "\(name): the second line names the script and its arguments")
            #expect(text.contains("# Vendors:"), "\(name)")
            #expect(text.contains("--dry-run"), "\(name)")
            do { _ = try shell.interpreter.parse(text, name: name) } catch { Issue.record("\(name) does not parse: \(error)") }
        }
    }
}
