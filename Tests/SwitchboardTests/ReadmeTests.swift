import Foundation
import Testing

/// Every `$ swb ...` line in the README runs, and every output line the README shows under it
/// appears in what it printed (stdout and stderr), so the README cannot drift from the product.
/// Lines with `...` (elided) or the sandbox's port are not compared; `swb scripts/...` runs
/// are ScriptTests' job.
struct ReadmeTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var command: String
        var expected: [String]
        var testDescription: String { command }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var examples: [Example] {
        guard let text = try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8) else { return [] }
        var out: [Example] = []
        var inBlock = false
        var current: Int?
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                inBlock.toggle()
                current = nil
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") {
                out.append(Example(command: String(line.dropFirst(2)), expected: []))
                current = out.count - 1
            } else if let k = current, !line.isEmpty, !line.contains("..."), !line.contains("127.0.0.1") {
                out[k].expected.append(line)
            }
        }
        // Only `swb` lines run here; the saved scripts' runs (dates relative to today) are
        // checked by ScriptTests with the same arguments.
        return out.filter { $0.command.hasPrefix("swb ") && !$0.command.hasPrefix("swb scripts/") }
    }

    @Test func theReadmeHasExamples() {
        #expect(Self.examples.count >= 8)
    }

    @Test(arguments: examples)
    func readmeExample(_ example: Example) throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let swb = bin.appendingPathComponent("swb")
        try #require(FileManager.default.isExecutableFile(atPath: swb.path), "build swb first (swift build)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("swb-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", example.command]
        p.environment = ["PATH": bin.path + ":/usr/bin:/bin", "HOME": home.path, "XDG_CONFIG_HOME": home.path, "XDG_STATE_HOME": home.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        let expectsError = example.expected.contains { $0.hasPrefix("error:") }
        #expect((p.terminationStatus != 0) == expectsError, "exit status \(p.terminationStatus) of `\(example.command)`:\n\(output)")
        for line in example.expected {
            #expect(output.contains(line.replacingOccurrences(of: "~/.config", with: home.path)),
                    "`\(example.command)` did not print:\n\(line)\n--- it printed:\n\(output)")
        }
    }
}
