import Foundation
import SwitchboardCore
import SwitchboardSandbox
import Testing

@testable import SwitchboardVendors

/// Mistakes in settings, flags and action arguments are errors before any request, pointed at
/// the argument, with "did you mean" for a near miss (issue #4's review); dry runs list every
/// object; `--vendor all` says which vendors it skipped.
@Suite("Arguments", .serialized)
final class ArgumentTests {
    let h: Harness
    init() async throws { h = try await Harness() }
    deinit { let h = h; Task { await h.stop() } }

    /// The error of `r`, the source text its caret points at, and its "did you mean" label.
    func caret(_ r: Run, _ script: String) -> (message: String, at: String, label: String?, hint: String?) {
        guard let e = r.error as? SwitchboardError else { return (r.message, "", nil, nil) }
        let bytes = Array(script.utf8)
        let s = Int(e.span.start), t = Int(e.span.end)
        let at = e.span.isKnown && s >= 0 && t <= bytes.count && s <= t ? String(decoding: bytes[s..<t], as: UTF8.self) : ""
        return (e.message, at, e.label, e.hint)
    }

    // 1. `set dryrun true` used to be accepted and leave dry-run off.

    @Test func unknownSettingIsAnErrorAndDryRunStaysAsItWas() async {
        for script in ["set dryrun true", "set dry_run true", "set dryRun true"] {
            let r = await h.run(script + "\nagents 1 --vendor chatrhub | assign group 10205")
            let c = caret(r, script)
            #expect(c.message == "unknown setting `\(script.split(separator: " ")[1])`", "\(script): \(c.message)")
            #expect(c.at == String(script.split(separator: " ")[1]), "\(script): \(c.at)")
            #expect(c.label == "did you mean `dry-run`?")
            #expect(r.writes.isEmpty, "\(script): the action after the bad setting must not run")
        }
        let typo = await h.run("set nmae x")
        #expect(caret(typo, "set nmae x").hint?.contains("agents 4 | set name") == true)
    }

    @Test func aSettingTakesTrueOrFalse() async {
        for (script, shown) in [("set dry-run yes", "`yes`"), (#"set dry-run "true""#, "`true`"), ("set dry-run 1", "`1`")] {
            let r = await h.run(script + "\nagents 1 --vendor chatrhub | assign group 10205")
            let c = caret(r, script)
            #expect(c.message == "set dry-run: takes true or false, not \(shown)", "\(script): \(c.message)")
            #expect(c.at == String(script.split(separator: " ", maxSplits: 2)[2]), "\(script): \(c.at)")
            #expect(r.writes.isEmpty)
        }
        // The real thing still works, both ways.
        let on = await h.run("set dry-run true\nagents 1 --vendor chatrhub | assign group 10205 | get method")
        #expect(on.json == #"["POST"]"#, "\(on.message)")
        #expect(on.writes.isEmpty)
        let off = await h.run("set dry-run true\nset dry-run false\nagents 1 --vendor chatrhub | assign group 10205 | get ok")
        #expect(off.json == "[true]", "\(off.message)")
        #expect(off.writes.count == 1)
    }

    // 2. Resource flags with values the API cannot take used to be dropped silently.

    @Test func badFlagValuesNameTheFlagTheValueAndWhatItTakes() async {
        let since = "conversations --vendor chatrhub --since garbage"
        let r = await h.run(since)
        let c = caret(r, since)
        #expect(c.message == "conversations --since: `garbage` is not a date", "\(c.message)")
        #expect(c.at == "--since garbage")
        #expect(c.hint?.contains("2024-03-11") == true)
        #expect(r.requests.isEmpty)

        for (script, message, label) in [
            ("conversations --vendor chatrhub --state opne", "conversations --state: `opne` is not one of open, pending, closed", "did you mean `open`?"),
            ("chats --vendor chatrhub --rating great", "conversations --rating: `great` is not one of poor_chats, ok_chats, great_chats", "did you mean `great_chats`?"),
            ("tasks --vendor chatrhub --type operationl", "tasks --type: `operationl` is not one of operational, machine_learning", "did you mean `operational`?"),
            ("feedback --vendor agentiq --type cast", "feedback --type: `cast` is not one of csat, nps", "did you mean `csat`?"),
            ("assignments --vendor agentiq --type locks", "assignments --type: `locks` is not one of assignment, lock, unlock", "did you mean `lock`?"),
        ] {
            let r = await h.run(script)
            let c = caret(r, script)
            #expect(c.message == message, "\(script): \(c.message)")
            #expect(c.label == label, "\(script)")
            #expect(c.at.hasPrefix("--"), "\(script): \(c.at)")
            #expect(r.requests.isEmpty, "\(script)")
        }
        // Good values still work: dates as text, date values, epoch numbers; a known state.
        for script in ["conversations --vendor chatrhub --since 2020-01-01 | length", "conversations --vendor chatrhub --since (days-ago 30) | length",
                       "conversations --vendor chatrhub --since 1577836800 --state closed | length"] {
            let ok = await h.run(script)
            #expect(ok.error == nil && (ok.value?.asInt ?? 0) > 0, "\(script): \(ok.message) \(ok.json)")
        }
    }

    // 3. Dry runs used to leave out the objects whose requests cannot be built.

    @Test func aDryRunListsEveryObjectAndWhichWouldFail() async {
        let script = #"[(agents 1 --vendor chatrhub), {vendor: "chatrhub", kind: "agent", id: null}, (agents 2 --vendor chatrhub)] | assign group 10205"#
        let dry = await h.run(script + " --dry-run")
        #expect(dry.error == nil, "\(dry.message)")
        #expect(dry.rows.count == 3, "\(dry.json)")
        #expect(dry.rows.map { $0["url"].text ?? "-" } == ["/api/v1/agent_groups/1.json", "-", "/api/v1/agent_groups/2.json"])
        #expect(dry.rows[1]["ok"].asBool == false)
        #expect(dry.rows[1]["error"].text == "chatrhub: the input object has no id")
        #expect(dry.errors.contains("assign group 10205: dry run, 2 requests not sent, 1 object would fail (chatrhub)"), "\(dry.errors)")
        #expect(dry.writes.isEmpty)
        // The real run reports the same object as failed, with the same reason.
        let real = await h.run(script)
        #expect(real.rows.map { $0["ok"].asBool } == [true, false, true])
        #expect(real.rows[1]["error"].text == dry.rows[1]["error"].text)
    }

    // 4. Argument typos used to go to the vendor.

    @Test func setChecksFieldNamesBeforeAnyRequest() async {
        for (script, message, at, label) in [
            (#"agents 4 --vendor chatrhub | set nmae "x""#, "chatrhub agents have no field `nmae` that `set` can change", "nmae", "did you mean `name`?"),
            (#"agents 4 --vendor chatrhub | set name "x" statsu busy"#, "chatrhub agents have no field `statsu` that `set` can change", "statsu", "did you mean `status`?"),
            (#"agents 4 --vendor chatrhub | set status availble"#, "chatrhub agent status can be set to available or busy, not `availble`", "availble", "did you mean `available`?"),
            (#"customers 3 --vendor chatrhub | set cty "Oslo""#, "chatrhub customers have no field `cty` that `set` can change", "cty", "did you mean `city`?"),
            (#"agents --vendor smartassist | first 1 | set capacty 3"#, "smartassist agents have no field `capacty` that `set` can change", "capacty", "did you mean `capacity`?"),
            (#"agents --vendor dixa | first 1 | set {displayname: "x"}"#, "dixa agents have no field `displayname` that `set` can change", #"{displayname: "x"}"#, "did you mean `displayName`?"),
        ] {
            for s in [script, script + " --dry-run"] {
                let r = await h.run(s)
                let c = caret(r, s)
                #expect(c.message == message, "\(s): \(c.message)")
                #expect(c.at == at, "\(s): \(c.at)")
                #expect(c.label == label, "\(s)")
                #expect(c.hint?.hasPrefix("accepted: ") == true, "\(s)")
                #expect(r.writes.isEmpty, "\(s)")
            }
        }
    }

    @Test func fixedNamesOfEveryActionSuggestTheRightOne() async throws {
        let path = NSTemporaryDirectory() + "swb-args-\(UUID().uuidString).csv"
        try "Banker First Name,Banker Last Name,Banker Email\nA,B,a@b.c\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (script, message, at, label) in [
            ("import custmers \"\(path)\" --vendor agentiq", "import: expected `customers` or `agents`, not `custmers`", "custmers", "did you mean `customers`?"),
            ("import custmers --vendor agentiq", "import: needs a CSV file, like `import customers FILE.csv`", "custmers", "no file given"),
            ("agents 1 --vendor chatrhub | assign gruop 10205", "assign: expected `group`, `queue` or `agent`, not `gruop`", "gruop", "did you mean `group`?"),
            ("agents 1 --vendor chatrhub | unassign grop 10205", "unassign: expected `group`, not `grop`", "grop", "did you mean `group`?"),
            ("conversations 1 --vendor chatrhub | transfer agnt x", "transfer: expected `queue` or `agent`, not `agnt`", "agnt", "did you mean `agent`?"),
            (#"create grop {name: "x"} --vendor dixa"#, "create: expected `agent`, `group` or `customer`, not `grop`", "grop", "did you mean `group`?"),
            (#"create customer {nmae: "x"} --vendor chatrhub"#, "chatrhub cannot create a customer with field `nmae`", #"{nmae: "x"}"#, "did you mean `name`?"),
            (#"invite {name: "A", emial: "a@b.c"} --vendor chatrhub"#, "chatrhub cannot create an agent with field `emial`", #"{name: "A", emial: "a@b.c"}"#, "did you mean `email`?"),
            ("conversations 1001 --vendor dixa | tag vpi", "dixa has no tag named `vpi`", "vpi", "did you mean `vip`?"),
            ("conversations 1 --vendor chatrhub | transfer agent hugo.patle2", "chatrhub has no agent with username `hugo.patle2`", "hugo.patle2", "did you mean `hugo.patel2`?"),
            ("conversations 1001 --vendor dixa | untag biling", "dixa has no tag named `biling`", "biling", "did you mean `billing`?"),
        ] {
            let r = await h.run(script)
            let c = caret(r, script)
            #expect(c.message == message, "\(script): \(c.message)")
            #expect(c.at == at, "\(script): \(c.at)")
            #expect(c.label == label, "\(script)")
            #expect(r.writes.isEmpty, "\(script)")
        }
    }

    // 6. `--vendor all` used to skip vendors without a word.

    @Test func vendorAllSaysWhichVendorsItSkipped() async {
        let r = await h.run("groups --vendor all | length")
        #expect(r.error == nil)
        #expect(r.errors == "groups --vendor all: skipped agentiq, which cannot list groups: its API has no groups\n", "\(r.errors)")
        let c = await h.run("conversations --vendor all --since 2020-01-01 | count-by vendor | get vendor")
        #expect(c.json == #"["chatrhub","agentiq"]"#, "\(c.json) \(c.message)")
        let lines = c.errors.split(separator: "\n")
        #expect(lines.count == 2, "\(c.errors)")
        #expect(lines.contains("conversations --vendor all: skipped smartassist, which cannot list conversations: its public API covers agents, agent groups and queues only"))
        #expect(lines.contains("conversations --vendor all: skipped dixa, which cannot list all conversations: its API has no such list; give an id, --query TEXT or --customer ID"))
        // Nothing skipped, nothing said.
        let agents = await h.run("agents --vendor all | length")
        #expect(agents.errors.isEmpty && agents.value?.asInt == 160)
    }

    @Test func vendorAllSkipsAVendorWhoseFirstRequestFailsAndSaysSo() async throws {
        // Agent IQ's key is wrong; the others list, the run is marked failed, no key is shown.
        let h = try await Harness(connections: { sb in
            sb.vendors.map { v in
                var credentials = v.credentials
                if v.name == "agentiq" { for k in credentials.keys { credentials[k] = "wrong-key-123" } }
                return VendorConnection(name: v.name, type: v.name, baseURL: v.baseURL, credentials: credentials)
            }
        })
        let r = await h.run("agents --vendor all | count-by vendor | get vendor")
        #expect(r.error == nil, "\(r.message)")
        #expect(r.json == #"["chatrhub","smartassist","dixa"]"#, "\(r.json)")
        #expect(r.errors.hasPrefix("agents --vendor all: skipped agentiq: GET /api/exports/agents failed with 401"), "\(r.errors)")
        #expect(!r.errors.contains("wrong-key-123"))
        // One id: a vendor that has no such object is not a failure and says nothing.
        let one = await h.run("agents 3 --vendor all | get vendor")
        #expect(one.json.contains("chatrhub") && !one.errors.contains("404"), "\(one.json) \(one.errors)")
        await h.stop()
    }
}
