import Foundation
import Testing
@testable import SwitchboardCore

/// Tab completion on partial and broken lines, as the REPL calls it.
struct CompleterTests {
    func completer() -> Completer {
        let interp = Interpreter(configuration: InterpreterConfiguration(write: { _ in }, writeError: { _ in }))
        interp.register(Command(Signature("agents", flags: [Flag("vendor", .string, "which vendor")],
                                          outputFields: ["id", "name", "email", "status"]), description: "test agents") { _ in .null })
        interp.setVariable("team", .list([.record(["name": "Ann", "load": 2])]))
        return Completer(interpreter: interp, vendorNames: { ["chatrhub", "dixa"] })
    }

    func complete(_ line: String) -> [String] {
        completer().complete(line: line, cursor: line.utf8.count)?.candidates ?? []
    }

    @Test func commandNames() {
        #expect(complete("so") == ["sort-by", "source"])   // a command and a keyword
        #expect(complete("[1] | so") == ["sort-by"])        // no keywords after a pipe
        #expect(complete("agents | whe") == ["where"])
        #expect(complete("agents | fir").contains("first"))
    }

    @Test func flagsOfTheCommandUnderTheCursor() {
        #expect(complete("agents --ve") == ["--vendor"])
        #expect(complete("[1] | sort-by x --r") == ["--reverse"])
    }

    @Test func vendorNames() {
        #expect(complete("agents --vendor d") == ["dixa"])
        #expect(complete("agents --vendor ").contains("all"))
        #expect(complete("use ch") == ["chatrhub"])
    }

    @Test func variables() {
        #expect(complete("print $te") == ["$team"])
        #expect(complete("$team.0.") == [])   // list index paths are not completed
        #expect(complete("agents | each { $i") == ["$in", "$it"])
    }

    @Test func fieldsFromThePreviousStage() {
        #expect(complete("agents | where st") == ["status"])
        #expect(complete("agents | sort-by ") == ["email", "id", "name", "status"])
        #expect(complete("$team | select lo") == ["load"])
        // Followed through stages that keep, pick, drop, add or rename fields.
        #expect(complete("agents | where status == \"x\" | first 3 | count-by na") == ["name"])
        #expect(complete("agents | select id name | sort-by ") == ["id", "name"])
        #expect(complete("agents | reject email | get ") == ["id", "name", "status"])
        #expect(complete("agents | insert busy true | where b") == ["busy"])
        #expect(complete("agents | rename name who | get w") == ["who"])
        #expect(complete("agents | count-by status | sort-by c") == ["count"])
        #expect(complete("agents | each { $it.id } | sort-by ") == [])   // `each` can emit anything
    }

    @Test func brokenInputDoesNotCrash() {
        for line in ["agents | where (", "\"unterminated | so", "{ | | | ", "$", "--", "agents | | fi", "[[[[", "é | so"] {
            _ = completer().complete(line: line, cursor: line.utf8.count)
        }
        #expect(complete("\"unterminated | so") == [])
    }

    @Test func replaceFromPointsAtThePartialWord() {
        let r = completer().complete(line: "agents | whe", cursor: 12)
        #expect(r?.replaceFrom == 9)
    }

    @Test func paths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swb-complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("data/agents.csv").path, contents: Data())
        var config = InterpreterConfiguration(write: { _ in }, writeError: { _ in })
        config.workingDirectory = dir.path
        let c = Completer(interpreter: Interpreter(configuration: config))
        #expect(c.complete(line: "open da", cursor: 7)?.candidates == ["data/"])
        #expect(c.complete(line: "open data/a", cursor: 11)?.candidates == ["data/agents.csv"])
    }
}
