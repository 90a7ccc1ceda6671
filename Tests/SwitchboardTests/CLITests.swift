import Foundation
import Testing

/// The `swb` executable as a user runs it: exit codes, options, stdin, scripts.
struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built `swb`. `stdin: nil` gives it /dev/null; `keepStdinOpen` gives it a pipe
    /// that nobody writes to or closes, as cron and ssh often do. A run is killed after 60 s.
    func swb(_ args: [String], stdin: String? = nil, keepStdinOpen: Bool = false, files: [String: String] = [:]) throws -> Run {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swb")
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build swb first (swift build)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let p = Process()
        p.executableURL = bin
        p.arguments = args
        p.currentDirectoryURL = dir
        p.environment = ["HOME": dir.path, "XDG_CONFIG_HOME": dir.path, "XDG_STATE_HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin == nil && !keepStdinOpen ? FileHandle.nullDevice : input
        try p.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { if p.isRunning { p.terminate() } }
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? input.fileHandleForWriting.close()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func runsALine() throws {
        let r = try swb(["-c", "[3, 1, 2] | sort-by | to json"])
        #expect(r.status == 0)
        #expect(r.stdout == "[1,2,3]\n")
    }

    @Test func outputFormats() throws {
        #expect(try swb(["-o", "ndjson", "-c", "[{a: 1}, {a: 2}]"]).stdout == "{\"a\":1}\n{\"a\":2}\n")
        #expect(try swb(["-o", "csv", "-c", "[{a: 1, b: \"x,y\"}]"]).stdout == "a,b\n1,\"x,y\"\n")
        #expect(try swb(["-c", "{a: 1}"]).stdout == "{\n  \"a\": 1\n}\n")   // json, pretty, when not a terminal
        #expect(try swb(["-o", "table", "-c", "[{a: 1}]"]).stdout.contains("│ 0 │ 1 │"))
        let bad = try swb(["-o", "xml", "-c", "1"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("table, json, ndjson, csv"))
    }

    @Test func theBuiltInSandboxStartsOnTheFirstVendorCommand() throws {
        // Nothing vendor-related: no sandbox, no note.
        let plain = try swb(["-c", "print (1 + 1)"])
        #expect(plain.stdout == "2\n" && plain.stderr.isEmpty)
        // `vendors` knows the URLs before the servers run; the first request starts them.
        let r = try swb(["-c", "print (vendors | get base_url | first); agents --vendor dixa | count"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("http://127.0.0.1:") && r.stdout.hasSuffix("\n40\n"))
        #expect(r.stderr.contains("no vendors configured") && r.stderr.components(separatedBy: "\n").count == 2)
    }

    @Test func stdinIsTheInputOfTheFirstStage() throws {
        let r = try swb(["-c", "from json | where load > 1 | length"], stdin: #"[{"load": 1}, {"load": 3}]"#)
        #expect(r.stdout == "1\n")
    }

    @Test func aLineThatTakesNoInputDoesNotWaitForStdin() throws {
        let r = try swb(["-c", "print (1 + 1)"], keepStdinOpen: true)
        #expect(r.status == 0 && r.stdout == "2\n", "\(r)")
        let values = try swb(["-c", "[1, 2] | length"], keepStdinOpen: true)
        #expect(values.stdout == "2\n", "\(values)")
    }

    @Test func scriptsGetTheirArguments() throws {
        let r = try swb(["greet.swb", "Ann", "Bob"], files: ["greet.swb": "#!/usr/bin/env swb\nfor n in $args { print \"hi \\($n)\" }\n"])
        #expect(r.status == 0)
        #expect(r.stdout == "hi Ann\nhi Bob\n")
    }

    @Test func exitCodes() throws {
        #expect(try swb(["-c", "1"]).status == 0)
        let runtime = try swb(["-c", "error \"boom\""])
        #expect(runtime.status == 1)
        #expect(runtime.stderr.contains("error: boom"))
        let parse = try swb(["-c", "let = 1"])
        #expect(parse.status == 2)
        #expect(parse.stderr.contains("<command line>:1:5"))
        let missing = try swb(["nope.swb"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read `nope.swb`: no such file"))
        let directory = try swb(["."])
        #expect(directory.status == 2)
        #expect(directory.stderr.contains("cannot read `.`: it is a directory"))
        #expect(try swb(["--frobnicate"]).status == 2)
        let exited = try swb(["-c", "print before; try { exit 3 } catch $e { print caught }; print after"])
        #expect(exited.status == 3)
        #expect(exited.stdout == "before\n")
    }

    @Test func aFailedActionRowExitsOne() throws {
        // Agent 999999 does not exist on the sandbox: the action reports a failed row.
        let r = try swb(["-c", "[{id: 999999, vendor: \"chatrhub\", kind: \"agent\"}] | assign group 10204"])
        #expect(r.status == 1, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
    }

    @Test func aTypoInAResourceFieldIsAnError() throws {
        for line in ["agents | sort-by lod", "agents | count-by stauts", "agents | get nmae"] {
            let r = try swb(["-c", line])
            #expect(r.status == 1, "\(line)")
            #expect(r.stderr.contains("did you mean"), "\(line): \(r.stderr)")
        }
        // A plain record's missing field still reads as null.
        #expect(try swb(["-c", "[{a: 1}, {b: 2}] | sort-by a | length"]).stdout == "2\n")
    }

    @Test func checkParsesWithoutRunning() throws {
        let ok = try swb(["check", "job.swb"], files: ["job.swb": "error \"would fail if run\"\n"])
        #expect(ok.status == 0)
        let bad = try swb(["check", "bad.swb"], files: ["bad.swb": "let = 1\nprint (1 +)\n"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.swb:1:") && bad.stderr.contains("bad.swb:2:"))
        // It also finds commands and variables that nothing defines, without sending anything.
        let typos = try swb(["check", "t.swb"], files: ["t.swb": "let days = 3\nagnets | where load > $dyas\nfn f(x) { [1] | each { |y| $y + $x } }\nf 1 | each { a }\n"])
        #expect(typos.status == 2)
        #expect(typos.stderr.contains("unknown command `agnets`") && typos.stderr.contains("did you mean `agents`?"))
        #expect(typos.stderr.contains("t.swb:2:23") && typos.stderr.contains("did you mean `$days`?"))
        #expect(!typos.stderr.contains("no vendors configured"), "check starts no sandbox")
        for script in ["close-stale.swb", "rebalance-groups.swb", "weekly-report.swb", "capacity.swb", "tag-vip.swb", "export-to-agentiq.swb"] {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/\(script)").standardized.path
            let r = try swb(["check", path])
            #expect(r.status == 0, "\(script): \(r.stderr)")
        }
    }

    @Test func versionAndHelp() throws {
        #expect(try swb(["--version"]).stdout.hasPrefix("swb "))
        // Keywords are not commands, but `help` knows them.
        let use = try swb(["-c", "help use"])
        #expect(use.status == 0 && use.stdout.hasPrefix("use VENDOR\n"), "\(use)")
        #expect(try swb(["-c", "help"]).stdout.contains("keywords (`help NAME` for each):\n  break continue fn for if let"))
        let help = try swb(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("swb -c 'PIPELINE'"))
    }
}
