import Foundation
import Synchronization

/// Control flow that unwinds through Swift frames.
enum ControlFlow: Error {
    case breakLoop(SourceSpan)
    case continueLoop(SourceSpan)
    case returnValue(Value)
}

/// One Switchboard interpreter: its commands, global scope, settings and host hooks.
/// Not thread-safe: use one interpreter per thread (separate interpreters run concurrently).
///
/// ```swift
/// let interp = Interpreter()
/// let v = try interp.evaluate("[3, 1, 2] | sort-by | first")   // .int(1)
/// ```
public final class Interpreter {
    /// Unchecked exclusivity: read on every call (limits), never mutated while borrowed.
    @exclusivity(unchecked) public var configuration: InterpreterConfiguration
    public let sources = SourceMap()
    let globals = Environment(parent: nil)
    private var registry: [String: Command] = [:]
    /// Settings changed with `set NAME VALUE` (`dry-run`, ...).
    public var settings: [String: Value] = [:]
    /// Services that other modules attach (the vendor registry, for instance).
    public var services: [ObjectIdentifier: AnyObject] = [:]
    /// Called by `use NAME`; the vendors module installs it.
    public var useHandler: ((String, SourceSpan) throws -> Void)?
    /// Script arguments (`$args`).
    public var scriptArguments: [String] = []
    /// Action result rows with `ok: false` so far; `swb` exits 1 when any failed.
    public var failedActionRows = 0

    /// Rows per page when a stream prints as a table.
    static let tablePageSize = 50
    @exclusivity(unchecked) var callDepth = 0
    /// The stack of the thread running the script (checked with the other limits).
    var stack = StackGuard()
    /// Bumped whenever a global `fn` or a registered command changes (see `resolve`).
    @exclusivity(unchecked) var commandGeneration = 0
    /// How many `fn` declarations ran in a scope other than the globals (see `resolve`).
    @exclusivity(unchecked) var localFunctionScopes = 0
    @exclusivity(unchecked) var steps = 0
    var outputBytes = 0
    var deadline: ContinuousClock.Instant?
    var currentDirectory: [String?] = [nil]
    var regexCache: [String: NSRegularExpression] = [:]

    public init(configuration: InterpreterConfiguration = InterpreterConfiguration()) {
        self.configuration = configuration
        for c in Builtins.all() { register(c) }
        if configuration.loadPrelude { loadPrelude() }
    }

    // MARK: - Commands

    /// Adds (or replaces) a command.
    public func register(_ command: Command) {
        registry[command.name] = command
        commandsChanged()
    }

    /// Invalidates the commands cached on call nodes. Generations come from one process-wide
    /// counter, so a node never mistakes another interpreter's generation for its own.
    func commandsChanged() {
        commandGeneration = Interpreter.generations.add(1, ordering: .relaxed).newValue
    }
    private static let generations = Atomic<Int>(0)

    /// A command by name: `fn`s in scope first, then registered commands.
    public func command(named name: String) -> Command? {
        globals.command(name) ?? registry[name]
    }

    /// Every command, sorted by name.
    public var commands: [Command] {
        var all = registry
        for name in globals.visibleCommands { all[name] = globals.command(name) }
        return all.values.sorted { $0.name < $1.name }
    }

    /// Names of the global variables (for completion).
    public var variableNames: [String] { globals.visibleNames }

    /// The value of a global variable.
    public func variable(_ name: String) -> Value? { globals.lookup(name) }

    /// Sets a global variable.
    public func setVariable(_ name: String, _ value: Value) { globals.declare(name, value) }

    func loadPrelude() {
        guard let dir = Interpreter.preludeDirectory,
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for f in files.sorted() where f.hasSuffix(".swb") {
            guard let text = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8) else { continue }
            do {
                let block = try parse(text, name: "stdlib/\(f)")
                _ = try execTopLevel(block, print: false, category: "prelude")
            } catch {
                configuration.writeError("warning: the prelude file stdlib/\(f) failed to load: \(error)\n")
            }
        }
    }

    /// The directory of the prelude's files. On Linux, SwiftPM installs the resources as
    /// `<package>_SwitchboardCore.resources` beside the executable, which is where `Bundle.module`
    /// looks first; finding it directly skips setting up `Bundle.main`, which scans the
    /// executable's whole directory (about a third of the start-up's instructions when run
    /// from a build directory). Anything else goes through `Bundle.module`.
    static let preludeDirectory: String? = {
        #if os(Linux)
        var path = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &path, 4096)
        if n > 0 {
            let dir = (String(decoding: path[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) as NSString).deletingLastPathComponent
            if let d = opendir(dir) {
                defer { closedir(d) }
                var found: [String] = []
                while let e = readdir(d) {
                    let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                    if name.hasSuffix("_SwitchboardCore.resources") { found.append(name) }
                }
                var isDir: ObjCBool = false
                if found.count == 1, case let prelude = dir + "/" + found[0] + "/Prelude",
                   FileManager.default.fileExists(atPath: prelude, isDirectory: &isDir), isDir.boolValue {
                    return prelude
                }
            }
        }
        #endif
        return Bundle.module.url(forResource: "Prelude", withExtension: nil)?.path
    }()

    // MARK: - Running

    /// Parses source text. Throws every parse error found.
    public func parse(_ text: String, name: String) throws(ParseErrors) -> Block {
        let file = SourceFile(name: name, text: text)
        let id = sources.add(file)
        return try Parser.parse(file, source: id, lookup: { [unowned self] n in self.command(named: n)?.signature })
    }

    /// Parses source text and checks it without running it (`swb check`): every parse error,
    /// and every command and variable that nothing in the script defines.
    public func check(_ text: String, name: String) throws(ParseErrors) {
        let block = try parse(text, name: name)
        let errors = Checker.check(block, globals: globals.visibleNames, commandNames: commands.map(\.name),
                                   isCommand: { [unowned self] in self.command(named: $0) != nil })
        if !errors.isEmpty { throw ParseErrors(errors) }
    }

    /// Runs source text as a script: each top-level statement's value is printed with the
    /// configured output format. Returns the last statement's value.
    @discardableResult
    public func run(_ text: String, name: String = "<input>", input: Value = .null, directory: String? = nil) throws -> Value {
        let block: Block
        do { block = try parse(text, name: name) } catch { throw error }
        return try withRunState(directory: directory) {
            try execTopLevel(block, print: true, input: input)
        }
    }

    /// `run`, with an input that is produced only when the first pipeline takes input (its first
    /// command reads input, or the text uses `$in`). `swb -c` reads standard input this way, so
    /// `swb -c 'agents'` does not wait for a stdin that is open but never written to.
    @discardableResult
    public func run(_ text: String, name: String = "<input>", directory: String? = nil, input: () throws -> Value) throws -> Value {
        let block: Block
        do { block = try parse(text, name: name) } catch { throw error }
        var value = Value.null
        if case .pipeline(let p)? = block.statements.first, let stage = p.stages.first {
            switch stage {
            case .command(let call):
                var reads = true
                if let signature = command(named: call.name)?.signature {
                    let argumentInstead = signature.positionals.first?.standsForInput == true
                        && call.arguments.contains { if case .positional = $0 { true } else { false } }
                    reads = signature.input != "nothing" && !argumentInstead
                }
                if reads { value = try input() }
            case .expr:
                if text.contains("$in") { value = try input() }
            }
        }
        return try withRunState(directory: directory) {
            try execTopLevel(block, print: true, input: value)
        }
    }

    /// Evaluates source text and returns its value without printing it (streams are collected).
    public func evaluate(_ text: String, name: String = "<input>", input: Value = .null) throws -> Value {
        let block: Block
        do { block = try parse(text, name: name) } catch { throw error }
        return try withRunState(directory: nil) {
            try execTopLevel(block, print: false, input: input).collected()
        }
    }

    func withRunState<T>(directory: String?, _ body: () throws -> T) throws -> T {
        steps = 0
        callDepth = 0
        stack = StackGuard()
        if let t = configuration.limits.timeLimit { deadline = .now + t } else { deadline = nil }
        currentDirectory.append(directory)
        defer { currentDirectory.removeLast() }
        do {
            return try body()
        } catch let flow as ControlFlow {
            switch flow {
            case .breakLoop(let s): throw SwitchboardError(.parse, "`break` outside of a loop", span: s)
            case .continueLoop(let s): throw SwitchboardError(.parse, "`continue` outside of a loop", span: s)
            case .returnValue: throw SwitchboardError(.parse, "`return` outside of a function")
            }
        }
    }

    /// Executes top-level statements, printing each result when `print` is set.
    func execTopLevel(_ block: Block, print: Bool, input: Value = .null, category: String = "user") throws -> Value {
        var last = Value.null
        var first = true
        for stmt in block.statements {
            var v: Value
            var stop = false
            do {
                if first, case .pipeline(let p) = stmt {
                    v = try evalPipeline(p, env: globals, input: input)
                } else {
                    v = try exec(stmt, env: globals, category: category)
                }
            } catch ControlFlow.returnValue(let r) {
                // `return` at the top level ends the script with that value.
                v = r
                stop = true
            }
            first = false
            if print {
                try printResult(v)
                last = .null
            } else {
                if case .stream = last { try drain(last) }
                last = v
            }
            if stop { break }
        }
        return last
    }

    /// Prints a top-level result in the configured output format.
    public func printResult(_ value: Value) throws {
        switch value {
        case .null: return
        case .string(let s):
            // Text prints as itself in every format, so `swb -c '... | to csv' > out.csv` works.
            try write(s.hasSuffix("\n") ? s : s + "\n")
        case .stream(let s):
            switch configuration.outputFormat {
            case .ndjson:
                while let v = try s.next() { try write(JSON.encode(v, pretty: false) + "\n") }
            case .table:
                // Print in pages, so rows show before the last page of a slow stream arrives.
                var page: [Value] = []
                var printed = 0
                var onlyRecords = true
                while let v = try s.next() {
                    if case .record = v {} else { onlyRecords = false }
                    page.append(v)
                    if page.count == Interpreter.tablePageSize, onlyRecords {
                        try write(Formatter.table(.list(page), width: configuration.terminalWidth, firstIndex: printed))
                        printed += page.count
                        page.removeAll(keepingCapacity: true)
                    }
                }
                if !page.isEmpty || printed == 0 {
                    try write(Formatter.table(.list(page), width: configuration.terminalWidth, firstIndex: printed))
                }
            default:
                try printResult(value.collected())
            }
        default:
            try write(Formatter.render(value, format: configuration.outputFormat, width: configuration.terminalWidth))
        }
    }

    /// Writes to the output sink, enforcing the output limit.
    public func write(_ text: String) throws {
        outputBytes += text.utf8.count
        if let max = configuration.limits.maxOutputBytes, outputBytes > max {
            throw SwitchboardError(.limit, "output limit of \(max) bytes reached")
        }
        configuration.write(text)
    }

    /// Consumes a stream whose values nobody reads, so its actions still happen.
    func drain(_ v: Value) throws {
        if case .stream(let s) = v {
            while try s.next() != nil { try tick() }
        }
    }

    /// Counts one evaluation step and checks limits and cancellation.
    @inline(__always)
    func tick() throws {
        steps &+= 1
        if steps & 1023 == 0 { try checkLimits() }
    }

    /// Throws if the host cancelled or a limit was reached. Commands doing long work call it.
    public func checkLimits() throws {
        if configuration.isCancelled() { throw SwitchboardError(.cancelled, "interrupted") }
        if stack.exhausted() {
            throw SwitchboardError(.limit, "recursion is too deep (the stack is nearly full)",
                                   hint: "a function that calls itself through `each` or another lazy stream counts too")
        }
        if let max = configuration.limits.maxSteps, steps > max {
            throw SwitchboardError(.limit, "step limit of \(max) evaluation steps reached")
        }
        if let d = deadline, ContinuousClock.now > d {
            throw SwitchboardError(.limit, "time limit of \(configuration.limits.timeLimit!) reached")
        }
    }

    /// Renders an error as `error: ...` with file, line, column, the source line and a caret.
    public func render(_ error: Error) -> String {
        Diagnostic.render(error, sources: sources)
    }

    /// The directory of the running script, for relative paths.
    public var scriptDirectory: String? { currentDirectory.last ?? nil }

    func regex(_ pattern: String, span: SourceSpan) throws -> NSRegularExpression {
        if let r = regexCache[pattern] { return r }
        do {
            let r = try NSRegularExpression(pattern: pattern)
            regexCache[pattern] = r
            return r
        } catch {
            throw SwitchboardError(.value, "invalid regular expression `\(pattern)`", span: span)
        }
    }

    /// Resolves a path against the working directory.
    public func resolvePath(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return (configuration.workingDirectory as NSString).appendingPathComponent(expanded)
    }
}
