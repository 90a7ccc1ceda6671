import Foundation
import Testing
import SwitchboardCore

/// Edge cases of the data commands that a user would hit.
struct DataCommandTests {
    /// Evaluates `code` and returns the result as compact JSON.
    func json(_ code: String, in interp: Interpreter = Interpreter(configuration: ExampleSandbox.configuration(directory: "/"))) throws -> String {
        try JSON.encode(interp.evaluate(code))
    }

    /// The message of the error `code` raises (nil when it does not fail).
    func errorMessage(_ code: String, in interp: Interpreter = Interpreter(configuration: ExampleSandbox.configuration(directory: "/"))) -> String? {
        do {
            _ = try interp.evaluate(code)
            return nil
        } catch let e as SwitchboardError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    // MARK: sort-by

    @Test func sortByIsStable() throws {
        let rows = (0..<200).map { "{k: \($0 % 3), i: \($0)}" }.joined(separator: ", ")
        let out = try Interpreter().evaluate("[\(rows)] | sort-by k")
        let pairs = try out.items().map { ($0.asRecord!["k"]!.asInt!, $0.asRecord!["i"]!.asInt!) }
        for (a, b) in zip(pairs, pairs.dropFirst()) {
            #expect(a.0 < b.0 || (a.0 == b.0 && a.1 < b.1))
        }
    }

    @Test func sortByReverseKeepsTiesInInputOrder() throws {
        #expect(try json(#"[{n: "a", l: 1}, {n: "b", l: 2}, {n: "c", l: 1}, {n: "d", l: 2}] | sort-by l --reverse | get n"#)
            == #"["b","d","a","c"]"#)
    }

    @Test func sortByPutsNullsLastBothWays() throws {
        #expect(try json("[{v: 2}, {v: null}, {x: 1}, {v: 1}] | sort-by v | get v") == "[1,2,null,null]")
        #expect(try json("[{v: 2}, {v: null}, {x: 1}, {v: 1}] | sort-by v --reverse | get v") == "[2,1,null,null]")
        #expect(try json("[3, null, 1] | sort-by") == "[1,3,null]")
    }

    @Test func sortByMixesIntsAndFloats() throws {
        #expect(try json("[2.5, 1, 3] | sort-by") == "[1,2.5,3]")
    }

    @Test func sortByRefusesUnrelatedTypes() {
        let m = errorMessage(#"[{v: 1}, {v: "a"}] | sort-by v"#)
        #expect(m?.contains("sort-by: cannot compare") == true)
        #expect(m?.contains("`v`") == true)
    }

    // MARK: count-by, group-by, uniq

    @Test func countByMostFrequentFirstTiesInFirstSeenOrder() throws {
        #expect(try json(#"["c", "a", "b", "a", "b", "d"] | count-by"#)
            == #"[{"value":"a","count":2},{"value":"b","count":2},{"value":"c","count":1},{"value":"d","count":1}]"#)
        #expect(try json(#"[{s: "x"}, {s: null}, {t: 1}, {s: "x"}] | count-by s"#)
            == #"[{"s":"x","count":2},{"s":null,"count":2}]"#)
    }

    @Test func countByCountsIntAndFloatAsOneValue() throws {
        #expect(try json("[1, 1.0, 2] | count-by") == #"[{"value":1,"count":2},{"value":2,"count":1}]"#)
    }

    // MARK: join

    @Test func joinIsAnInnerJoinWithEveryMatch() throws {
        let code = """
        let agents = [{id: 1, name: "Ann"}, {id: 2, name: "Bo"}, {id: null, name: "Nil"}]
        let chats = [{agent: 2, c: "x"}, {agent: 1, c: "y"}, {agent: 2, c: "z"}, {agent: 3, c: "w"}, {agent: null, c: "n"}]
        $chats | join $agents --on agent --right-on id | each { $it.c + ":" + $it.name }
        """
        #expect(try json(code) == #"["x:Bo","y:Ann","z:Bo"]"#)
    }

    @Test func joinAcceptsAStreamOnTheRightAndNeedsOn() throws {
        #expect(try json("[{k: 1}] | join (1..3 | each { {k: $it, sq: ($it * $it)} }) --on k") == #"[{"k":1,"sq":1}]"#)
        #expect(errorMessage("[{k: 1}] | join [{k: 1}]")?.contains("--on") == true)
        #expect(errorMessage("[{k: 1}] | join 5 --on k")?.contains("OTHER must be a list") == true)
    }

    // MARK: reduce, aggregates

    @Test func reduceWithoutInitOnAnEmptyListIsAClearError() {
        let m = errorMessage("[] | reduce {|acc, x| $acc + $x }")
        #expect(m == "reduce: the input is empty and there is no --init value to start from")
        #expect((try? json("[] | reduce --init 0 {|acc, x| $acc + $x }")) == "0")
    }

    @Test func sumOverflowAndTypeErrors() {
        #expect(errorMessage("[9223372036854775807, 1] | sum")?.contains("overflow") == true)
        #expect(errorMessage(#"[1, "two"] | sum"#)?.contains("cannot add a string") == true)
        #expect((try? json("[] | sum")) == "0")
        #expect((try? json("[] | min")) == "null")
    }

    // MARK: laziness

    @Test func firstOnAnEndlessRangeReturnsAtOnce() throws {
        let start = ContinuousClock.now
        #expect(try json("1..9223372036854775807 | where $it % 2 == 0 | first 3") == "[2,4,6]")
        #expect(try json("1..9223372036854775807 | each { $it * 10 } | skip 1 | take 2") == "[20,30]")
        #expect(try json("1..9223372036854775807 | enumerate | take-while index < 2 | get item") == "[1,2]")
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func takeAndFirstCloseTheirInput() throws {
        for code in ["take 2", "first 2", "take-while $it < 3", "first"] {
            final class Probe: @unchecked Sendable { var pulled = 0; var closed = false }
            let probe = Probe()
            let source = ValueStream(next: { probe.pulled += 1; return .int(probe.pulled) }, onClose: { probe.closed = true })
            let interp = Interpreter()
            _ = try interp.evaluate(code, input: .stream(source))
            #expect(probe.closed, "\(code) did not close its input")
            #expect(probe.pulled <= 3, "\(code) pulled \(probe.pulled) items")
        }
    }

    // MARK: formats and files

    @Test func fromCSVHandlesQuotesCommasAndNewlines() throws {
        let csv = "name,note,n\n\"Lee, Ann\",\"said \"\"hi\"\"\nthen left\",3\nBo,,x\n"
        let v = try Interpreter().evaluate("from csv", input: .string(csv))
        #expect(try JSON.encode(v) == #"[{"name":"Lee, Ann","note":"said \"hi\"\nthen left","n":3},{"name":"Bo","note":null,"n":"x"}]"#)
    }

    @Test func fromReportsBadInput() {
        #expect(errorMessage(#""[1," | from json"#)?.hasPrefix("from json: invalid JSON") == true)
        #expect(errorMessage(#""a,b\n\"x" | from csv"#)?.contains("never closed") == true)
        #expect(errorMessage(#""x" | from yaml"#)?.contains("unknown format `yaml`") == true)
    }

    @Test func saveAndOpenRoundTripJSONAndCSV() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: box.directory))
        let data = #"[{name: "Lee, Ann", note: "said \"hi\"", load: 2, ok: true}, {name: "Bo", note: "", load: 3.5, ok: false}]"#
        #expect(try json("\(data) | save t.json; open t.json", in: interp) == JSON.encode(interp.evaluate(data)))
        #expect(try json("\(data) | save t.csv; open t.csv", in: interp)
            == #"[{"name":"Lee, Ann","note":"said \"hi\"","load":2,"ok":true},{"name":"Bo","note":null,"load":3.5,"ok":false}]"#)
        #expect(try json("\(data) | save t.ndjson; open t.ndjson", in: interp) == JSON.encode(interp.evaluate(data)))
        #expect(try json("[{a: 1}] | save x.jsonl; [{a: 2}] | save --append x.jsonl; open x.jsonl", in: interp) == #"[{"a":1},{"a":2}]"#)
        #expect(try json("[{a: 1}] | save x.csv; [{a: 2}] | save --append x.csv; open x.csv", in: interp) == #"[{"a":1},{"a":2}]"#)
        #expect(try json(#""plain\ntext" | save notes.txt; open notes.txt"#, in: interp) == #""plain\ntext""#)
        // No temporary files are left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: box.directory).filter { $0.hasPrefix(".") }
        #expect(left.isEmpty)
    }

    @Test func setRefusesUnknownSettingsAndValues() {
        // The core `set` (an interpreter without vendors) checks like the vendor layer's.
        #expect(errorMessage("set dryrun true") == "unknown setting `dryrun`")
        #expect(errorMessage("set dry-run yes") == "set dry-run: takes true or false, not `yes`")
        #expect(errorMessage("set dry-run true") == nil)
    }

    @Test func appendingToACSVFileFollowsItsHeader() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: box.directory))
        _ = try interp.evaluate(#"[{name: "Ann", load: 2}] | save a.csv"#)
        // Fields in another order, and one missing: each lands under its own column.
        _ = try interp.evaluate(#"[{load: 5, name: "Bo"}, {name: "Cy"}] | save --append a.csv"#)
        #expect(try json("open a.csv", in: interp) == #"[{"name":"Ann","load":2},{"name":"Bo","load":5},{"name":"Cy","load":null}]"#)
        // A field the file has no column for is refused, and the file is left as it was.
        let m = errorMessage(#"[{name: "Di", email: "d@x"}] | save --append a.csv"#, in: interp)
        #expect(m?.contains("the field `email` is not a column of the file (its header is name,load)") == true, "\(m ?? "")")
        #expect(try json("open a.csv | length", in: interp) == "3")
    }

    @Test func tablesMeasureWideCharactersInColumns() throws {
        var config = ExampleSandbox.configuration(directory: "/")
        config.terminalWidth = 40
        let interp = Interpreter(configuration: config)
        let text = try #require(try interp.evaluate(#"[{city: "東京都千代田区丸の内一丁目一番一号", n: 1}, {city: "Oslo", n: 2}] | to table"#).asString)
        // CJK ideographs take two columns each: every line of the table is as wide as the next.
        let columns = { (line: Substring) in line.unicodeScalars.reduce(0) { $0 + ((0x3000...0x9FFF).contains($1.value) ? 2 : 1) } }
        let widths = Set(text.split(separator: "\n").map(columns))
        #expect(widths.count == 1 && widths.first! <= 40, "\(text)")
        #expect(text.contains("…"))
    }

    @Test func openStreamsNDJSONAndJSONArrays() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: box.directory))
        // 3 MiB of NDJSON crosses the 1 MiB read chunks; a record split between chunks survives.
        _ = try interp.evaluate(#"0..<40000 | each { |i| {id: $i, note: "agent number \($i) of the big file"} } | save big.ndjson"#)
        #expect(try json("open big.ndjson | count", in: interp) == "40000")
        #expect(try json("open big.ndjson | where id % 9999 == 0 | get id", in: interp) == "[0,9999,19998,29997,39996]")
        #expect(try json("open big.ndjson | first 2 | get id", in: interp) == "[0,1]")
        _ = try interp.evaluate("0..<30000 | each { |i| {id: $i} } | save big.json")
        #expect(try json("open big.json | last | get id", in: interp) == "29999")
        #expect(try json("open big.json | first 3 | get id", in: interp) == "[0,1,2]")
        // A record is not an array: it is read whole.
        _ = try interp.evaluate("{a: [1, 2]} | save one.json")
        #expect(try json("open one.json | get a", in: interp) == "[1,2]")
        _ = try interp.evaluate("[] | save none.json")
        #expect(try json("open none.json | count", in: interp) == "0")
    }

    @Test func openReportsTheLineOfABadRecordDeepInAFile() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: box.directory))
        // Line 30001 is broken, well past the first 1 MiB chunk.
        _ = try interp.evaluate(#"0..<30000 | each { |i| {id: $i, pad: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"} } | save a.ndjson"#)
        _ = try interp.evaluate(#""{\"id\": oops}\n" | save --append --raw a.ndjson"#)
        #expect(errorMessage("open a.ndjson | count", in: interp)?.hasPrefix("open `a.ndjson`: invalid JSON at line 30001, column 8") == true)
        _ = try interp.evaluate(#""[{\"id\": 1},\n {\"id\": 2}\n {\"id\": 3}]" | save --raw b.json"#)
        #expect(errorMessage("open b.json | count", in: interp) == "open `b.json`: invalid JSON at line 3, column 2: expected `,` or `]` in an array")
        // Streaming: what is not pulled is not read, so the broken part is never reached.
        #expect(try json("open a.ndjson | first 2 | get id", in: interp) == "[0,1]")
        #expect(try json("open b.json | first 2 | get id", in: interp) == "[1,2]")
    }

    @Test func saveWritesNothingWhenItsInputFailsHalfway() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: box.directory))
        _ = try interp.evaluate("[{n: 1}] | save keep.ndjson")
        // The stream fails at its 50,001st item, after 50,000 were written to the temporary file.
        let failing = "0..60000 | each { |i| if $i > 50000 { error \"bad row\" } else { {n: $i} } }"
        for cmd in ["save --force keep.ndjson", "save --append keep.ndjson", "save --force keep.json", "save --force keep.txt"] {
            #expect(errorMessage("\(failing) | \(cmd)", in: interp) != nil, "\(cmd)")
        }
        #expect(try json("open keep.ndjson", in: interp) == #"[{"n":1}]"#)
        #expect(!FileManager.default.fileExists(atPath: box.directory + "/keep.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.directory).filter { $0.hasPrefix(".") }.isEmpty)
        // Streamed JSON is the same text as the whole-value encoder's.
        _ = try interp.evaluate(#"[{a: 1, b: [1, {c: 2}]}, "x", []] | save s.json"#)
        let text = try String(contentsOfFile: box.directory + "/s.json", encoding: .utf8)
        #expect(text == (try JSON.encode(interp.evaluate(#"[{a: 1, b: [1, {c: 2}]}, "x", []]"#), pretty: true)) + "\n")
    }

    @Test func saveRefusesToOverwriteWithoutForce() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: box.directory))
        _ = try interp.evaluate("[1] | save keep.json")
        let m = errorMessage("[2] | save keep.json", in: interp)
        #expect(m == "save: `keep.json` already exists")
        #expect(try json("open keep.json", in: interp) == "[1]")
        _ = try interp.evaluate("[2] | save --force keep.json")
        #expect(try json("open keep.json", in: interp) == "[2]")
        #expect(errorMessage("[3] | save --append keep.json", in: interp)?.contains("not be valid JSON") == true)
    }

    @Test func fileErrorsAreClear() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: box.directory))
        #expect(errorMessage("open nope.json", in: interp) == "open: no such file `nope.json`")
        #expect(errorMessage("[1] | save no/such/dir/x.json", in: interp)?.contains("does not exist") == true)
        _ = try interp.evaluate(#""{oops" | save --raw bad.json"#)
        #expect(errorMessage("open bad.json", in: interp)?.hasPrefix("open `bad.json`: invalid JSON") == true)
        #expect(try json("open --raw bad.json", in: interp) == #""{oops""#)
    }

    @Test func noFileSystemRefusesBeforeTouchingDisk() throws {
        let box = try ExampleSandbox()
        defer { box.remove() }
        var config = ExampleSandbox.configuration(directory: box.directory)
        config.capabilities = [.noFileSystem]
        let interp = Interpreter(configuration: config)
        #expect(errorMessage("[1] | save x.json", in: interp)?.contains("file access is turned off") == true)
        #expect(errorMessage("open x.json", in: interp)?.contains("file access is turned off") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.directory).isEmpty)
    }

    // MARK: output and shell

    @Test func printWritesEachStreamItemOnItsOwnLine() throws {
        let out = CapturedOutput()
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: "/", output: out))
        _ = try interp.evaluate(#"1..2 | each { {n: $it} } | print; print "raw"; [1, "a"] | print; "done\n" | print"#)
        #expect(out.text == "{\"n\":1}\n{\"n\":2}\nraw\n[1,\"a\"]\ndone\n")
    }

    @Test func helpShowsACommandAndSuggestsNames() throws {
        let out = CapturedOutput()
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: "/", output: out))
        _ = try interp.evaluate("help count-by")
        #expect(out.text.hasPrefix("count-by [field]\n"))
        #expect(out.text.contains(#"[{"s":"open","count":2},{"s":"closed","count":1}]"#))
        do {
            _ = try interp.evaluate("help cuont-by")
            Issue.record("no error")
        } catch let e as SwitchboardError {
            #expect(e.message == "unknown command `cuont-by`")
            #expect(e.options.first == "count-by")
        }
    }

    @Test func setChangesASettingButRefusesInput() throws {
        let interp = Interpreter()
        _ = try interp.evaluate("set dry-run true")
        #expect(interp.settings["dry-run"]?.asBool == true)
        #expect(errorMessage("[{id: 1}] | set status open", in: interp)?.contains("vendor action") == true)
    }

    @Test func sleepStopsWhenCancelled() throws {
        var config = ExampleSandbox.configuration(directory: "/")
        config.isCancelled = { true }
        let start = ContinuousClock.now
        #expect(errorMessage("sleep 10s", in: Interpreter(configuration: config)) == "interrupted")
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func insertAndUpdateCheckTheField() {
        #expect(errorMessage("{a: 1} | insert a 2")?.contains("already has a field `a`") == true)
        #expect(errorMessage("{load: 1} | update laod 2") == "unknown field `laod` (update)")
        #expect(errorMessage("{a: 1} | get b")?.contains("unknown field `b`") == true)
    }

    @Test func selectAndRejectNestedPaths() throws {
        #expect(try json(#"[{id: 1, raw: {email: "a@x", tz: "UTC"}}] | select raw.email id"#) == #"[{"raw.email":"a@x","id":1}]"#)
        #expect(try json(#"[{id: 1, raw: {email: "a@x", tz: "UTC"}}] | reject raw.tz id"#) == #"[{"raw":{"email":"a@x"}}]"#)
        #expect(try json("[{a: 1, b: 2}, {b: 3, a: 4}] | rename a z") == #"[{"z":1,"b":2},{"b":3,"z":4}]"#)
    }

    @Test func dateAndLen() {
        #expect(errorMessage(#"date "2024-13-01""#)?.contains("cannot read `2024-13-01` as a date") == true)
        #expect((try? json("len(1..10)")) == "10")
        #expect(errorMessage("len(3)")?.contains("has no length") == true)
    }
}
