import Foundation
import Testing
@testable import LineEditor

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "lineeditor-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func permissions(_ path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
}

@Suite struct HistoryTests {
    @Test func roundTripThroughTheFile() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let file = dir.path + "/history"
        let history = EditHistory(HistoryOptions(path: file))
        for line in ["ls", " secret token", "", "   ", "map (x\n  y)", "print \"café ü\"", "a\tb\\c"] {
            history.add(line)
        }
        #expect(history.save())

        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("_HiStOrY_V2_\n"))
        #expect(!text.contains("secret"))
        #expect(text.split(separator: "\n").count == 5)   // header + 4 entries, one line each
        #expect(try permissions(file) == 0o600)

        let loaded = EditHistory(HistoryOptions(path: file))
        #expect(loaded.entries == ["ls", "map (x\n  y)", "print \"café ü\"", "a\tb\\c"])
    }

    @Test func sizeLimitIsEnforcedInMemoryOnSaveAndOnLoad() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let file = dir.path + "/history"
        let history = EditHistory(HistoryOptions(path: file, maxEntries: 3))
        for line in ["a", "b", "c", "d", "e"] { history.add(line) }
        #expect(history.entries == ["c", "d", "e"])
        #expect(history.save())

        #expect(EditHistory(HistoryOptions(path: file, maxEntries: 100)).entries == ["c", "d", "e"])
        #expect(EditHistory(HistoryOptions(path: file, maxEntries: 2)).entries == ["d", "e"])
    }

    @Test func zeroMaxEntriesKeepsNothing() {
        let history = EditHistory(HistoryOptions(path: nil, maxEntries: 0))
        history.add("ls")
        #expect(history.entries == [])
        #expect(EditHistory(HistoryOptions(path: nil, maxEntries: -5)).entries == [])
    }

    @Test func consecutiveDuplicatesAreStoredOnce() {
        let history = EditHistory(HistoryOptions(path: nil))
        for line in ["ls", "ls", "pwd", "ls"] { history.add(line) }
        #expect(history.entries == ["ls", "pwd", "ls"])
    }

    @Test func missingOrGarbageFilesLoadAsEmpty() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        #expect(EditHistory(HistoryOptions(path: dir.path + "/nope")).entries == [])
        #expect(EditHistory(HistoryOptions(path: dir.path)).entries == [])   // a directory

        let garbage = dir.path + "/garbage"
        try Data([0xFF, 0xFE, 0x00, 0x0A, 0x5C, 0x5C, 0x0A]).write(to: URL(fileURLWithPath: garbage))
        #expect(EditHistory(HistoryOptions(path: garbage)).entries == [])

        // Right header, odd escapes and bytes: loads without crashing.
        let odd = dir.path + "/odd"
        try Data("_HiStOrY_V2_\nok\n\\\n\\777\u{FF}\n".utf8).write(to: URL(fileURLWithPath: odd))
        #expect(EditHistory(HistoryOptions(path: odd)).entries.first == "ok")
    }

    @Test func saveFailsWithoutAPathOrADirectory() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let noPath = EditHistory(HistoryOptions(path: nil))
        noPath.add("ls")
        #expect(!noPath.save())
        let missingDir = EditHistory(HistoryOptions(path: dir.path + "/no/such/dir/history"))
        missingDir.add("ls")
        #expect(!missingDir.save())
    }

    @Test func lineEditorSavesItsHistory() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let file = dir.path + "/history"
        try Data("_HiStOrY_V2_\nold\n".utf8).write(to: URL(fileURLWithPath: file))
        let editor = LineEditor(name: "lineeditor-tests", history: HistoryOptions(path: file)) { _, _ in nil }
        editor.addHistory("new entry")
        editor.addHistory(" hidden")
        editor.saveHistory()
        #expect(EditHistory(HistoryOptions(path: file)).entries == ["old", "new entry"])
    }

    @Test func recordableLines() {
        #expect(EditHistory.isRecordable("ls"))
        #expect(EditHistory.isRecordable("map (x\n)"))
        #expect(!EditHistory.isRecordable(""))
        #expect(!EditHistory.isRecordable(" ls"))
        #expect(!EditHistory.isRecordable("\t\n"))
    }
}

@Suite struct DefaultHistoryPathTests {
    @Test func usesXDGStateHomeAndCreatesPrivateDirectories() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let env = ["XDG_STATE_HOME": dir.path + "/state/", "HOME": dir.path + "/home"]
        let path = defaultHistoryPath(environment: { env[$0] })
        #expect(path == dir.path + "/state/switchboard/history")
        #expect(try permissions(dir.path + "/state/switchboard") == 0o700)
        #expect(try permissions(dir.path + "/state") == 0o700)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/home"))
    }

    @Test func fallsBackToHomeWhenXDGStateHomeIsUnsetOrRelative() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        for state in [nil, "", "relative/state"] {
            let env = ["XDG_STATE_HOME": state, "HOME": dir.path]
            let path = defaultHistoryPath(environment: { env[$0] ?? nil })
            #expect(path == dir.path + "/.local/state/switchboard/history")
        }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dir.path + "/.local/state/switchboard", isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
    }
}
