import Foundation
import Testing
import SwitchboardCore

/// Runs every example of every command (built-ins and the prelude): the same examples that
/// `help NAME` shows. An example with a `result` must give exactly that value as compact JSON;
/// one without must at least run without an error.
struct CommandExamplesTests {
    /// "command/index" for every example, so each runs (and fails) on its own.
    static let exampleIDs: [String] = Interpreter(configuration: ExampleSandbox.configuration(directory: "/")).commands
        .flatMap { c in c.examples.indices.map { "\(c.name)/\($0)" } }

    @Test func everyCommandHasADescriptionAndExamples() {
        for c in Builtins.all() {
            #expect(!c.description.isEmpty, "\(c.name) has no description")
            #expect(!c.examples.isEmpty, "\(c.name) has no example")
        }
        #expect(Self.exampleIDs.count > 100)
    }

    @Test(arguments: exampleIDs)
    func example(_ id: String) throws {
        let slash = id.lastIndex(of: "/")!
        let name = String(id[..<slash]), index = Int(id[id.index(after: slash)...])!
        let sandbox = try ExampleSandbox()
        defer { sandbox.remove() }
        let interp = Interpreter(configuration: ExampleSandbox.configuration(directory: sandbox.directory, output: sandbox.output))
        let example = try #require(interp.command(named: name)?.examples[index])
        let value: Value
        do {
            value = try interp.evaluate(example.code, name: "example \(id)")
        } catch {
            Issue.record("`\(example.code)` failed:\n\(interp.render(error))")
            return
        }
        if let expected = example.result {
            #expect(try JSON.encode(value) == expected, "`\(example.code)`")
        }
    }
}

/// A temporary working directory and an output buffer, so examples that print or write files
/// touch nothing else.
final class ExampleSandbox: @unchecked Sendable {
    let directory: String
    let output = CapturedOutput()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("swb-example-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    static func configuration(directory: String, output: CapturedOutput = CapturedOutput()) -> InterpreterConfiguration {
        InterpreterConfiguration(write: { output.text += $0 }, writeError: { output.errors += $0 },
                                 environment: ["HOME": "/home/example", "LANG": "C"], workingDirectory: directory)
    }
}

final class CapturedOutput: @unchecked Sendable {
    var text = ""
    var errors = ""
}
