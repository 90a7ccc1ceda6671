import Foundation
import Testing
@testable import SwitchboardCore

/// Runs every `Tests/Conformance/*.swb` script and checks its output against the
/// `# expect: TEXT` lines (one line of stdout each, in order) and `# expect error: TEXT`
/// (the run fails with an error whose message contains TEXT). Top-level results print as NDJSON.
struct ConformanceTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Conformance")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".swb") }.sorted()
    }

    @Test func thereAreConformanceFiles() {
        #expect(Self.files.count >= 10)
    }

    @Test(arguments: files)
    func conformance(_ name: String) throws {
        let url = Self.directory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        var expected: [String] = []
        var expectedError: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = line.range(of: "# expect error: ") {
                expectedError = String(line[r.upperBound...])
            } else if let r = line.range(of: "# expect: ") {
                expected.append(String(line[r.upperBound...]))
            }
        }
        let output = Output()
        var config = InterpreterConfiguration(write: { output.text += $0 }, writeError: { output.errors += $0 })
        config.outputFormat = .ndjson
        config.workingDirectory = Self.directory.path
        let interp = Interpreter(configuration: config)
        var failure: Error?
        do {
            try interp.run(text, name: name, directory: Self.directory.path)
        } catch {
            failure = error
        }
        var lines = output.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        #expect(lines == expected, "stdout of \(name)")
        if let expectedError {
            let rendered = failure.map { interp.render($0) } ?? "(no error)"
            #expect(failure != nil && rendered.contains(expectedError), "\(name): expected an error containing «\(expectedError)», got: \(rendered)")
        } else if let failure {
            Issue.record("\(name) failed: \(interp.render(failure))")
        }
    }
}

final class Output: @unchecked Sendable {
    var text = ""
    var errors = ""
}
