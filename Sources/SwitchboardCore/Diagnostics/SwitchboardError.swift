/// What went wrong, in broad strokes. Scripts can read it as `$e.kind`.
public enum ErrorKind: String, Sendable {
    case parse          // the source does not parse
    case incomplete     // the source ends in the middle of a statement (the REPL asks for more)
    case name           // unknown variable, command, field or flag
    case type           // a value of the wrong type
    case value          // a value out of range, overflow, bad format
    case io             // files
    case vendor         // a vendor API said no
    case limit          // recursion, steps, time, output
    case cancelled      // Ctrl-C or the host cancelled
    case usage          // bad command-line usage
    case user           // `error "message"`
}

/// Every error the language reports: a message, a kind, where it happened, and
/// optionally a hint and "did you mean" options. Rendered by `Diagnostic`.
public struct SwitchboardError: Error, Sendable, CustomStringConvertible {
    public var kind: ErrorKind
    public var message: String
    public var span: SourceSpan
    /// A short label written under the caret, e.g. "did you mean `status`?".
    public var label: String?
    /// A longer note written after the snippet.
    public var hint: String?
    /// Names the user may have meant.
    public var options: [String]
    /// A value attached by `error` (or the vendor's response), readable in `catch`.
    public var payload: Value?

    public init(_ kind: ErrorKind, _ message: String, span: SourceSpan = .unknown,
                label: String? = nil, hint: String? = nil, options: [String] = [], payload: Value? = nil) {
        self.kind = kind
        self.message = message
        self.span = span
        self.label = label
        self.hint = hint
        self.options = options
        self.payload = payload
    }

    public var description: String { message }

    /// The same error, pointed at `span` if it has no position yet.
    public func at(_ span: SourceSpan) -> SwitchboardError {
        guard !self.span.isKnown else { return self }
        var copy = self
        copy.span = span
        return copy
    }

    /// An "unknown NAME" error with suggestions from `candidates`.
    public static func unknown(_ what: String, _ name: String, candidates: some Sequence<String>,
                               span: SourceSpan, suffix: String = "") -> SwitchboardError {
        let options = Suggest.closest(to: name, in: candidates)
        var label: String? = nil
        if let best = options.first { label = "did you mean `\(best)`?" }
        return SwitchboardError(.name, "unknown \(what) `\(name)`\(suffix)", span: span, label: label, options: options)
    }
}

/// Several parse errors found in one pass.
public struct ParseErrors: Error, Sendable {
    public var errors: [SwitchboardError]
    public init(_ errors: [SwitchboardError]) { self.errors = errors }
    /// True when the only problem is that the input ended too early.
    public var isIncomplete: Bool { !errors.isEmpty && errors.allSatisfy { $0.kind == .incomplete } }
}

/// Did-you-mean suggestions by edit distance.
public enum Suggest {
    public static func closest(to name: String, in candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let lowered = name.lowercased()
        var scored: [(Int, String)] = []
        var seen = Set<String>()
        for c in candidates where seen.insert(c).inserted {
            let d = distance(lowered, c.lowercased())
            let allowed = c.count <= 2 ? 0 : max(1, min(3, c.count / 3))   // no guesses for one- and two-letter names
            if d <= allowed || (lowered.count >= 3 && c.lowercased().hasPrefix(lowered)) { scored.append((d, c)) }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map(\.1)
    }

    /// Damerau-Levenshtein (optimal string alignment) distance.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { cur[j] = min(cur[j], prev2[j - 2] + 1) }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}

/// Thrown by `exit N`: not an error, so `try`/`catch` in scripts does not stop it.
public struct ExitRequest: Error, Sendable {
    public let code: Int32
    public init(code: Int32) { self.code = code }
}
