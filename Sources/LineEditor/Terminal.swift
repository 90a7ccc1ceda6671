#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibEdit

public enum Terminal {
    /// Columns of the terminal on stdout (TIOCGWINSZ), else `$COLUMNS`, else 80.
    public static var width: Int {
        resolveWidth(
            terminalColumns: Int(clibedit_terminal_columns(STDOUT_FILENO)),
            columnsVariable: getenv("COLUMNS").map { String(cString: $0) })
    }

    /// True when both stdin and stdout are terminals: a person is typing and reading.
    public static var isInteractive: Bool {
        isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0
    }

    /// Colors only on a terminal, never when `NO_COLOR` is set to a non-empty value
    /// (https://no-color.org) or when `TERM=dumb`.
    public static func colorsEnabled(isTTY: Bool) -> Bool {
        colorsEnabled(isTTY: isTTY, environment: { name in getenv(name).map { String(cString: $0) } })
    }

    static func colorsEnabled(isTTY: Bool, environment: (String) -> String?) -> Bool {
        if let noColor = environment("NO_COLOR"), !noColor.isEmpty { return false }
        if environment("TERM") == "dumb" { return false }
        return isTTY
    }

    static func resolveWidth(terminalColumns: Int, columnsVariable: String?) -> Int {
        if terminalColumns > 0 { return terminalColumns }
        if let text = columnsVariable, let columns = Int(text.trimmingSpaces), columns > 0 {
            return columns
        }
        return 80
    }
}

private extension String {
    var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? endIndex
        return start < end ? self[start..<end] : ""
    }
}

/// libedit decodes keystrokes with the locale's multibyte rules, and Swift never calls
/// setlocale, so the process runs in the "C" locale where non-ASCII input is silently
/// dropped. Use the user's locale, and C.UTF-8 when that is plain C/POSIX.
public func ensureUTF8Locale() {
    guard let current = setlocale(LC_CTYPE, "") else {
        setlocale(LC_CTYPE, "C.UTF-8")
        return
    }
    let name = String(cString: current)
    if name == "C" || name == "POSIX" {
        setlocale(LC_CTYPE, "C.UTF-8")
    }
}

/// The character that brackets non-printing text in a libedit prompt (EL_PROMPT_ESC).
let promptLiteralMarker: Character = "\u{1}"

/// Brackets every ANSI escape sequence (ESC [ ... final byte, or ESC + one character) in
/// `promptLiteralMarker`, so libedit does not count it in the prompt width. Marker
/// characters already in the prompt are removed first.
func markPromptEscapes(_ prompt: String) -> String {
    let scalars = Array(prompt.unicodeScalars.filter { $0 != "\u{1}" })
    var out = String.UnicodeScalarView()
    var i = 0
    while i < scalars.count {
        guard scalars[i] == "\u{1B}" else {
            out.append(scalars[i])
            i += 1
            continue
        }
        var end = i + 1   // exclusive
        if end < scalars.count && scalars[end] == "[" {
            end += 1
            // Parameter and intermediate bytes 0x20-0x3F, then one final byte 0x40-0x7E.
            while end < scalars.count && (0x20...0x3F).contains(scalars[end].value) { end += 1 }
            if end < scalars.count && (0x40...0x7E).contains(scalars[end].value) { end += 1 }
        } else if end < scalars.count {
            end += 1
        }
        out.append("\u{1}")
        out.append(contentsOf: scalars[i..<end])
        out.append("\u{1}")
        i = end
    }
    return String(out)
}
