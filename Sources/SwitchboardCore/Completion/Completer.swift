import Foundation

/// What Tab should offer at a cursor position.
public struct CompletionResult: Equatable, Sendable {
    /// UTF-8 byte offset where the word being completed starts.
    public var replaceFrom: Int
    /// Full words that may replace it.
    public var candidates: [String]
    /// Add a space after a unique candidate (not after a directory).
    public var appendSpace: Bool

    public init(replaceFrom: Int, candidates: [String], appendSpace: Bool = true) {
        self.replaceFrom = replaceFrom
        self.candidates = candidates
        self.appendSpace = appendSpace
    }
}

/// Tab completion from the tokens of the line: command names, flags of the command under
/// the cursor, vendor names after `--vendor` and `use`, variables after `$`, field names
/// after `where`/`select`/`sort-by`/`get`/`count-by` (from the previous stage), and paths
/// after `open`/`save`/`source`. Works on partial and broken input.
public struct Completer {
    let interpreter: Interpreter
    /// Vendor connection names (installed by the vendors module).
    public var vendorNames: () -> [String]

    public init(interpreter: Interpreter, vendorNames: @escaping () -> [String] = { [] }) {
        self.interpreter = interpreter
        self.vendorNames = vendorNames
    }

    static let fieldCommands: Set<String> = ["where", "select", "reject", "sort-by", "get", "count-by", "group-by", "uniq",
                                             "sum", "avg", "min", "max", "update", "rename", "insert", "chart", "find"]
    static let pathCommands: Set<String> = ["open", "save", "source"]
    static let keywords = ["let", "fn", "if", "for", "while", "try", "use", "source", "return", "break", "continue"]

    public func complete(line: String, cursor: Int) -> CompletionResult? {
        let bytes = Array(line.utf8.prefix(cursor))
        // The partial word: back over characters that can be part of a name, flag, variable or path.
        var start = bytes.count
        while start > 0 {
            let b = bytes[start - 1]
            let isWordByte = Lexer.isIdent(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "$") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "/") || b == UInt8(ascii: "~") || b >= 0x80
            guard isWordByte else { break }
            start -= 1
        }
        let partial = String(decoding: bytes[start...], as: UTF8.self)
        let before = String(decoding: bytes[..<start], as: UTF8.self)
        let stage = currentStage(before)

        func result(_ all: [String], appendSpace: Bool = true, prefix: String = partial) -> CompletionResult? {
            let matches = Array(Set(all.filter { $0.hasPrefix(prefix) })).sorted()
            return matches.isEmpty ? nil : CompletionResult(replaceFrom: start, candidates: matches, appendSpace: appendSpace)
        }

        if partial.hasPrefix("$") {
            var names = interpreter.variableNames + ["env", "args"]
            if !stage.previousStages.isEmpty || stage.insideClosure { names += ["it", "in"] }
            // `$var.fi` completes fields of the variable's value.
            if let dot = partial.lastIndex(of: ".") {
                let path = partial[partial.index(after: partial.startIndex)..<dot]
                let fields = fieldNames(of: variablePath(String(path)))
                return result(fields.map { String(partial[...dot]) + $0 })
            }
            return result(names.map { "$" + $0 })
        }
        guard let command = stage.words.first else {
            // First word of a stage: a command (or a keyword at the start of a statement).
            var names = interpreter.commands.map(\.name)
            if stage.previousStages.isEmpty { names += Completer.keywords }
            return result(names)
        }
        if partial.hasPrefix("-"), let sig = interpreter.command(named: command)?.signature {
            return result(sig.flags.map { "--" + $0.name })
        }
        if stage.lastWord == "--vendor" || (command == "use" && stage.words.count == 1) {
            var names = vendorNames()
            if stage.lastWord == "--vendor" { names.append("all") }
            return result(names)
        }
        if Completer.pathCommands.contains(command) || (stage.words.count == 1 && stage.isStatementStart && command == "source") {
            return paths(partial, start: start)
        }
        if Completer.fieldCommands.contains(command) {
            return result(previousFields(stage.previousStages[...]))
        }
        return nil
    }

    struct StageInfo {
        var words: [String]
        var lastWord: String?
        var previousStages: [[Token]]
        var isStatementStart: Bool
        var insideClosure: Bool
    }

    /// The words of the stage under the cursor and the stages before it in the same pipeline.
    func currentStage(_ text: String) -> StageInfo {
        let file = SourceFile(name: "<completion>", text: text)
        let (tokens, _) = Lexer.tokenize(file, source: -1)
        var stages: [[Token]] = [[]]
        var statementStart = true
        var depthStack: [String] = []
        for t in tokens {
            switch t.kind {
            case .eof: break
            case .newline, .op(";"):
                stages = [[]]
                statementStart = true
            case .op("|"):
                stages.append([])
                statementStart = false
            case .op(let o) where o == "(" || o == "{" || o == "[":
                depthStack.append(o)
                stages = [[]]
                statementStart = true
            case .op(")"), .op("}"), .op("]"):
                _ = depthStack.popLast()
                stages = [[]]
            default:
                stages[stages.count - 1].append(t)
            }
        }
        let current = stages.last ?? []
        let words = current.map { file.text(of: SourceSpan(source: -1, start: $0.start, end: $0.end)) }
        return StageInfo(words: words, lastWord: words.last, previousStages: Array(stages.dropLast()),
                         isStatementStart: statementStart && stages.count == 1, insideClosure: depthStack.contains("{"))
    }

    /// Commands whose output rows have the fields of their input rows.
    static let keepFields: Set<String> = ["where", "sort-by", "first", "last", "skip", "take", "skip-while", "take-while",
                                          "reverse", "uniq", "find", "update"]

    /// Field names of what the stages before the cursor emit: a resource command's declared
    /// output fields or the keys of a variable's records, followed through the stages that
    /// keep, pick, add, drop or rename fields.
    func previousFields(_ stages: ArraySlice<[Token]>) -> [String] {
        guard let stage = stages.last, let first = stage.first else { return [] }
        let text = { (t: Token) -> String? in if case .word(let w) = t.kind { w } else { nil } }
        let args = stage.dropFirst().compactMap(text).filter { !$0.hasPrefix("-") }
        switch first.kind {
        case .word(let name):
            let before = { self.previousFields(stages.dropLast()) }
            switch name {
            case _ where Completer.keepFields.contains(name): return before()
            case "select": return args
            case "reject": return before().filter { !args.contains($0) }
            case "insert": return before() + args.prefix(1)
            case "rename" where args.count == 2: return before().map { $0 == args[0] ? args[1] : $0 }
            case "count-by": return (args.first.map { [$0] } ?? ["value"]) + ["count"]
            default: return interpreter.command(named: name)?.signature.outputFields ?? []
            }
        case .variable(let name):
            return fieldNames(of: interpreter.variable(name))
        default:
            return []
        }
    }

    func variablePath(_ path: String) -> Value? {
        let parts = path.split(separator: ".").map(String.init)
        guard let first = parts.first, var v = interpreter.variable(first) else { return nil }
        for p in parts.dropFirst() {
            guard case .record(let r) = v, let next = r[p] else { return nil }
            v = next
        }
        return v
    }

    func fieldNames(of value: Value?) -> [String] {
        switch value {
        case .record(let r)?: return r.keys
        case .list(let l)?:
            var seen = Set<String>()
            var out: [String] = []
            for item in l.prefix(50) { if case .record(let r) = item { for k in r.keys where seen.insert(k).inserted { out.append(k) } } }
            return out
        default: return []
        }
    }

    func paths(_ partial: String, start: Int) -> CompletionResult? {
        let expanded = (partial as NSString).expandingTildeInPath
        let dirPart = partial.hasSuffix("/") ? partial : (partial as NSString).deletingLastPathComponent
        let dir = expanded.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
        let prefix = partial.hasSuffix("/") ? "" : (partial as NSString).lastPathComponent
        let base = dir.isEmpty ? interpreter.configuration.workingDirectory : interpreter.resolvePath(dir)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return nil }
        var out: [String] = []
        for n in names.sorted() where n.hasPrefix(prefix) && (prefix.hasPrefix(".") || !n.hasPrefix(".")) {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (base as NSString).appendingPathComponent(n), isDirectory: &isDir)
            let shown = (dirPart.isEmpty ? "" : (dirPart.hasSuffix("/") ? dirPart : dirPart + "/")) + n + (isDir.boolValue ? "/" : "")
            out.append(shown)
        }
        guard !out.isEmpty else { return nil }
        return CompletionResult(replaceFrom: start, candidates: out, appendSpace: !(out.count == 1 && out[0].hasSuffix("/")))
    }
}
