import Foundation
import LineEditor
import Switchboard

/// `swb` command-line handling: REPL, scripts, `-c`, `check`, `sandbox`.
enum CLI {
    static let version = "0.1.0"

    static let usage = """
    swb: a shell for contact-center platforms

    usage:
      swb                          open the REPL
      swb FILE.swb [ARGS...]       run a script ($args holds ARGS)
      swb -c 'PIPELINE'            run one line (stdin, if not a terminal, is its input)
      swb check FILE.swb           parse and check a script without running it
      swb sandbox [OPTIONS]        serve the local vendor emulators (swb sandbox --help)

    options:
      -o, --output FORMAT          table, json, ndjson or csv (default: table on a terminal, else json)
      --version                    print the version
      -h, --help                   print this help

    exit status: 0 ok, 1 runtime error or failed action, 2 parse error or bad usage
    """

    static func main(_ argv: [String]) -> Int32 {
        if argv.first == "sandbox" { return sandbox(Array(argv.dropFirst())) }
        var args = argv[...]
        var format: OutputFormat?
        var command: String?
        var file: String?
        var checkOnly = false
        while let a = args.first {
            if file != nil || command != nil && !a.hasPrefix("-") { break }
            args = args.dropFirst()
            switch a {
            case "-h", "--help":
                print(usage)
                return 0
            case "--version":
                print("swb \(version)")
                return 0
            case "-o", "--output":
                guard let f = args.first, let fmt = OutputFormat(rawValue: f) else {
                    return usageError("`\(a)` needs one of: table, json, ndjson, csv")
                }
                format = fmt
                args = args.dropFirst()
            case "-c":
                guard let c = args.first else { return usageError("`-c` needs a pipeline, e.g. swb -c 'now'") }
                command = c
                args = args.dropFirst()
            case "check" where file == nil && command == nil && !checkOnly:
                checkOnly = true
            default:
                if a.hasPrefix("-") && a != "-" { return usageError("unknown option `\(a)`") }
                file = a
            }
        }
        let isTTY = isatty(1) == 1
        let outputFormat = format ?? (isTTY ? .table : .json)
        // Setup and line reading stay on the main thread, which is where Linux delivers
        // Ctrl-C (so libedit's read is interrupted); evaluation runs on a big-stack thread.
        return run(file: file, command: command, checkOnly: checkOnly, scriptArgs: Array(args), format: outputFormat)
    }

    /// The in-process sandbox must live as long as the interpreter uses it.
    nonisolated(unsafe) static var sandboxKeepAlive: AnyObject?

    /// `swb sandbox ...`: serve the emulators until Ctrl-C.
    static func sandbox(_ arguments: [String]) -> Int32 {
        nonisolated(unsafe) var status: Int32 = 0
        let done = DispatchSemaphore(value: 0)
        Task {
            status = await runSandboxCommand(arguments: arguments)
            done.signal()
        }
        done.wait()
        return status
    }

    /// Vendor work reports to `bar`; output erases the bar first so the two never share a line
    /// (stdout only when it is the same terminal: piped output cannot collide with it).
    static func showProgress(_ bar: ProgressBar, registry: VendorRegistry, interp: Interpreter) {
        registry.progress = bar
        ProgressBar.eraseOnInterrupt()   // scripts die on Ctrl-C; the REPL installs its own handler
        let write = interp.configuration.write, writeError = interp.configuration.writeError
        if isatty(1) == 1 {
            interp.configuration.write = { text in
                bar.clear()
                write(text)
                FileHandleOutput.stdout.flush()
            }
        }
        interp.configuration.writeError = { text in
            bar.clear()
            writeError(text)
        }
    }

    static func usageError(_ message: String) -> Int32 {
        FileHandleOutput.stderr.write("swb: \(message)\n(run `swb --help` for usage)\n")
        return 2
    }

    static func run(file: String?, command: String?, checkOnly: Bool, scriptArgs: [String], format: OutputFormat) -> Int32 {
        var config = InterpreterConfiguration()
        config.outputFormat = format
        config.terminalWidth = isatty(1) == 1 ? terminalColumns() : nil
        let interp = Interpreter(configuration: config)
        interp.scriptArguments = scriptArgs
        var onSandbox = false
        // Long actions and listings draw a progress line when stderr is a terminal.
        let progress = checkOnly ? nil : ProgressBar.onStandardError(write: { FileHandleOutput.stderr.write($0) })
        do {
            // The REPL's banner already says where it is connected. `check` needs the vendor
            // commands' names, and sends nothing.
            let interactive = file == nil && command == nil && isatty(0) == 1
            let (registry, sandbox) = try DefaultSandbox.load(note: { interactive ? () : FileHandleOutput.stderr.write($0) })
            installVendors(into: interp, registry: registry)
            if let progress { showProgress(progress, registry: registry, interp: interp) }
            onSandbox = sandbox != nil
            sandboxKeepAlive = sandbox
        } catch {
            FileHandleOutput.stderr.write("swb: \(error)\n")
            return 2
        }
        if let command {
            // Standard input is read only if the line takes input (see `Interpreter.run(input:)`).
            let input = { () -> Value in
                guard isatty(0) == 0, let data = try? FileHandle.standardInput.readToEnd(), !data.isEmpty else { return .null }
                return .string(String(decoding: data, as: UTF8.self))
            }
            return execute(interp, text: command, name: "<command line>", input: input, directory: nil, checkOnly: false, progress: progress)
        }
        guard let file else {
            if checkOnly { return usageError("`check` needs a file: swb check FILE.swb") }
            if isatty(0) == 0 {
                // `swb < script.swb`: run standard input as a script.
                let data = (try? FileHandle.standardInput.readToEnd()) ?? Data()
                return execute(interp, text: String(decoding: data, as: UTF8.self), name: "<stdin>", directory: nil, checkOnly: false, progress: progress)
            }
            let session = VendorSession.of(interp)
            let label = { () -> String in
                let vendor = session?.current ?? session?.registry.defaultVendor ?? "no vendor"
                return onSandbox ? "sandbox:\(vendor)" : vendor
            }
            let completer = Completer(interpreter: interp, vendorNames: { session?.registry.names ?? [] })
            let repl = REPL(interpreter: interp, completer: completer, label: label, progress: progress)
            session?.registry.confirm = { question in repl.confirm(question) }
            let where_ = onSandbox ? "the built-in sandbox (chatrhub, agentiq, smartassist, dixa; `use NAME` to switch)"
                : "vendors \(session?.registry.names.joined(separator: ", ") ?? "none")"
            return repl.run(banner: "Switchboard \(version), connected to \(where_).\nType `help` for commands, Tab to complete, Ctrl-D to leave.\n")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDir)
            let reason = !exists ? "no such file" : isDir.boolValue ? "it is a directory" : "permission denied"
            return usageError("cannot read `\(file)`: \(reason)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let dir = (file as NSString).deletingLastPathComponent
        return execute(interp, text: text, name: file, directory: dir.isEmpty ? nil : dir, checkOnly: checkOnly, progress: progress)
    }

    static func execute(_ interp: Interpreter, text: String, name: String, input: @escaping () -> Value = { .null },
                        directory: String?, checkOnly: Bool, progress: ProgressBar? = nil) -> Int32 {
        if checkOnly {
            do {
                try interp.check(text, name: name)
                return 0
            } catch {
                FileHandleOutput.stderr.write(interp.render(error))
                return 2
            }
        }
        do {
            defer { progress?.finishAll() }   // erased before any message below
            try onBigStack { try interp.run(text, name: name, directory: directory, input: input) }
            return interp.failedActionRows > 0 ? 1 : 0
        } catch let e as ExitRequest {
            return e.code
        } catch let e as ParseErrors {
            FileHandleOutput.stderr.write(interp.render(e))
            return 2
        } catch {
            FileHandleOutput.stderr.write(interp.render(error))
            return 1
        }
    }

    static func terminalColumns() -> Int {
        var w = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 { return Int(w.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    }

    /// Runs `body` on a thread with a 512 MiB stack (deep recursion in scripts needs more
    /// than the main thread's 8 MiB) and waits for it.
    @discardableResult
    static func onBigStack<T>(_ body: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let body = body
        nonisolated(unsafe) var result: Result<T, Error>?
        let t = Thread {
            result = Result { try body() }
            done.signal()
        }
        t.stackSize = 512 << 20
        t.start()
        done.wait()
        return try result!.get()
    }
}

/// The vendor layer reports actions and paging to the bar.
extension ProgressBar: ProgressReporter {}
