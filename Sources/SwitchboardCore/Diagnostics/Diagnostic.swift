/// Renders errors the way LANGUAGE.md §7 shows them:
/// ```
/// error: unknown field `stauts` on agent
///   --> rebalance.swb:3:16
///    |
///  3 | agents | where stauts == "available"
///    |                ^^^^^^ did you mean `status`?
/// ```
public enum Diagnostic {
    /// Characters of a source line shown; longer lines are cut around the error.
    static let maxLine = 120

    public static func render(_ error: Error, sources: SourceMap) -> String {
        switch error {
        case let e as ParseErrors:
            return e.errors.map { render($0, sources: sources) }.joined()
        case let e as SwitchboardError:
            return render(e, sources: sources)
        default:
            return "error: \(error)\n"
        }
    }

    public static func render(_ e: SwitchboardError, sources: SourceMap) -> String {
        var out = "error: \(e.message)\n"
        if let file = sources.file(e.span.source) {
            let (line, col) = file.location(of: Int(e.span.start))
            let (endLine, endCol) = file.location(of: max(Int(e.span.start), Int(e.span.end)))
            let full = Array(file.line(line).replacingOccurrences(of: "\t", with: " "))
            let num = String(line)
            let pad = String(repeating: " ", count: num.count)
            out += "\(pad)--> \(file.name):\(line):\(col)\n"
            out += "\(pad) |\n"
            // A long line is shown as a window around the span.
            var from = 0, to = full.count
            if full.count > maxLine {
                from = max(0, min(col - 1 - maxLine / 3, full.count - maxLine))
                to = min(full.count, from + maxLine)
            }
            let before = (from > 0 ? "…" : "") + String(full[from..<min(max(from, col - 1), to)])
            let text = (from > 0 ? "…" : "") + String(full[from..<to]) + (to < full.count ? "…" : "")
            out += "\(num) | \(text)\n"
            let last = endLine == line ? max(col, endCol - 1) : full.count
            let width = max(1, Formatter.displayWidth(String(full[min(col - 1, to)..<max(min(last, to), min(col - 1, to))])))
            out += "\(pad) | " + String(repeating: " ", count: Formatter.displayWidth(before)) + String(repeating: "^", count: width)
            if let label = e.label { out += " " + label }
            out += "\n"
        } else if let label = e.label {
            out += "  = \(label)\n"
        }
        if let hint = e.hint { out += "  = hint: \(hint)\n" }
        return out
    }
}
