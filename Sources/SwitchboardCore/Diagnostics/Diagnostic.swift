/// Renders errors the way LANGUAGE.md §7 shows them:
/// ```
/// error: unknown field `stauts` on agent
///   --> rebalance.swb:3:16
///    |
///  3 | agents | where stauts == "available"
///    |                ^^^^^^ did you mean `status`?
/// ```
public enum Diagnostic {
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
            let text = file.line(line).replacingOccurrences(of: "\t", with: " ")
            let num = String(line)
            let pad = String(repeating: " ", count: num.count)
            out += "\(pad)--> \(file.name):\(line):\(col)\n"
            out += "\(pad) |\n"
            out += "\(num) | \(text)\n"
            let width = endLine == line ? max(1, endCol - col) : max(1, text.count - col + 1)
            out += "\(pad) | " + String(repeating: " ", count: col - 1) + String(repeating: "^", count: width)
            if let label = e.label { out += " " + label }
            out += "\n"
        } else if let label = e.label {
            out += "  = \(label)\n"
        }
        if let hint = e.hint { out += "  = hint: \(hint)\n" }
        return out
    }
}
