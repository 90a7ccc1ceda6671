#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibEdit

public enum LineReadResult: Equatable, Sendable {
    case line(String)   // without the trailing newline
    case interrupted    // Ctrl-C: drop any pending multi-line input and prompt again
    case eof            // Ctrl-D on an empty line, or end of piped input
}

public protocol LineReader: AnyObject {
    /// Reads one line. A continuation prompt is just another prompt string.
    func read(prompt: String) -> LineReadResult
    /// Remembers a (possibly multi-line) entry; empty and space-prefixed lines are ignored.
    func addHistory(_ line: String)
    func saveHistory()
}

/// libedit when stdin and stdout are terminals; otherwise plain reading with no prompt,
/// no escape sequences and no history file.
public func makeLineReader(
    name: String,
    history: HistoryOptions,
    completer: @escaping (_ line: String, _ cursorByteOffset: Int) -> Completion?
) -> LineReader {
    if Terminal.isInteractive {
        return LineEditor(name: name, history: history, completer: completer)
    }
    return PlainLineReader()
}

/// Fallback for pipes and files (`swb < script`, CI): reads lines, prints no prompt.
public final class PlainLineReader: LineReader {
    private let nextLine: () -> String?

    public init() {
        nextLine = { Swift.readLine(strippingNewline: true) }
    }

    /// For tests: lines come from `nextLine` instead of stdin.
    init(nextLine: @escaping () -> String?) {
        self.nextLine = nextLine
    }

    public func read(prompt: String) -> LineReadResult {
        if let line = nextLine() { return .line(line) }
        // A SIGINT handler without SA_RESTART makes the blocked read fail with EINTR.
        if Interrupt.consume() {
            clibedit_clearerr_stdin()
            return .interrupted
        }
        return .eof
    }

    public func addHistory(_ line: String) {}
    public func saveHistory() {}
}
