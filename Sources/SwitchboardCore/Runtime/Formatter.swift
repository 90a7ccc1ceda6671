import Foundation

/// How values look when printed: plain text, tables, JSON, NDJSON and CSV.
public enum Formatter {
    /// Strings raw; numbers, dates and durations in their literal form; null empty;
    /// lists and records as compact JSON. Used by `print` and string interpolation.
    public static func plain(_ v: Value) -> String {
        switch v {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .float(let d): return d.isFinite ? JSON.formatFloat(d) : (d.isNaN ? "NaN" : (d > 0 ? "inf" : "-inf"))
        case .string(let s): return s
        case .date(let t): return DateParsing.format(t)
        case .duration(let d): return DurationFormat.format(d)
        case .closure(let c): return "<closure at \(c.span.start)>"
        case .error(let e): return "error: \(e.error.message)"
        case .range(let r): return "\(r.lower)\(r.inclusive ? ".." : "..<")\(r.upper)"
        case .list, .record, .stream:
            return (try? JSON.encode(v)) ?? "<unprintable>"
        }
    }

    /// The full printed form of a top-level result, ending with a newline.
    public static func render(_ v: Value, format: OutputFormat, width: Int?) throws -> String {
        let v = try v.collected()
        switch format {
        case .json:
            return try JSON.encode(v, pretty: true) + "\n"
        case .ndjson:
            if case .list(let items) = v { return try items.map { try JSON.encode($0) + "\n" }.joined() }
            return try JSON.encode(v) + "\n"
        case .csv:
            return try CSV.encode(v)
        case .table:
            return table(v, width: width)
        }
    }

    /// A human view: tables for records and lists of records, plain text for scalars.
    public static func table(_ v: Value, width: Int?, firstIndex: Int = 0) -> String {
        switch v {
        case .list(let items):
            if items.isEmpty { return firstIndex == 0 ? "(empty list)\n" : "" }
            if items.allSatisfy({ if case .record = $0 { true } else { false } }) {
                return renderTable(items.map { $0.asRecord! }, width: width, index: true, firstIndex: firstIndex)
            }
            return items.enumerated().map { "\($0.offset + firstIndex) │ \(cell($0.element))" }.joined(separator: "\n") + "\n"
        case .record(let r):
            if r.isEmpty { return "(empty record)\n" }
            let rows = r.fields.map { Record(["field": .string($0.0), "value": $0.1]) }
            return renderTable(rows, width: width, index: false, header: false)
        default:
            return plain(v) + "\n"
        }
    }

    /// One table cell: scalars plainly, nested values summarized.
    static func cell(_ v: Value) -> String {
        switch v {
        case .record(let r): return "{\(r.count) field\(r.count == 1 ? "" : "s")}"
        case .list(let l):
            if l.allSatisfy({ !$0.isSequence && $0.asRecord == nil }) && l.count <= 5 {
                return l.map(plain).joined(separator: ", ")
            }
            return "[\(l.count) item\(l.count == 1 ? "" : "s")]"
        case .string(let s): return s.replacingOccurrences(of: "\n", with: "⏎")
        default: return plain(v)
        }
    }

    /// Terminal columns a string takes: CJK, Hangul, fullwidth forms and emoji take two.
    static func displayWidth(_ s: String) -> Int {
        var w = 0
        for ch in s { w += width(of: ch) }
        return w
    }

    static func width(of ch: Character) -> Int {
        guard let u = ch.unicodeScalars.first else { return 0 }
        let v = u.value
        if v < 0x1100 { return v < 0x20 || (0x7F..<0xA0).contains(v) ? 0 : 1 }
        if u.properties.isEmojiPresentation || ch.unicodeScalars.contains("\u{FE0F}") { return 2 }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// `s` cut to `w` columns, ending in `…` when cut.
    static func truncate(_ s: String, to w: Int) -> String {
        if displayWidth(s) <= w { return s }
        guard w >= 1 else { return "" }
        var out = ""
        var used = 0
        for ch in s {
            let cw = width(of: ch)
            if used + cw > w - 1 { break }
            out.append(ch)
            used += cw
        }
        return out + "…"
    }

    static func renderTable(_ rows: [Record], width: Int?, index: Bool, header: Bool = true, firstIndex: Int = 0) -> String {
        var columns: [String] = []
        var seen = Set<String>()
        for r in rows { for k in r.keys where seen.insert(k).inserted { columns.append(k) } }
        var cells: [[String]] = rows.enumerated().map { (n, r) in
            (index ? [String(n + firstIndex)] : []) + columns.map { r[$0].map(cell) ?? "" }
        }
        var heads = (index ? ["#"] : []) + columns
        var widths = heads.indices.map { c in max(header ? displayWidth(heads[c]) : 0, cells.map { displayWidth($0[c]) }.max() ?? 0) }
        if let width {
            // Shrink the widest columns until the table fits; drop columns that cannot fit at all.
            let overhead = { (n: Int) in 3 * n + 1 }
            while widths.reduce(0, +) + overhead(widths.count) > width {
                let maxW = widths.max() ?? 0
                if maxW > 8, let k = widths.firstIndex(of: maxW) {
                    widths[k] -= 1
                    continue
                }
                guard widths.count > 2 else { break }
                widths.removeLast()
                heads.removeLast()
                cells = cells.map { Array($0.dropLast()) }
            }
            if heads.count < (index ? 1 : 0) + columns.count {
                // Say that columns were left out, in a last column of its own that also fits.
                while widths.count > 2, widths.reduce(0, +) + 1 + overhead(widths.count + 1) > width {
                    widths.removeLast()
                    heads.removeLast()
                    cells = cells.map { Array($0.dropLast()) }
                }
                widths.append(1)
                heads.append("…")
                cells = cells.map { $0 + ["…"] }
            }
        }
        func line(_ l: String, _ m: String, _ r: String) -> String {
            l + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: m) + r + "\n"
        }
        func row(_ vals: [String]) -> String {
            "│" + zip(vals, widths).map { v, w in
                let t = truncate(v, to: w)
                return " " + t + String(repeating: " ", count: max(0, w - displayWidth(t))) + " "
            }.joined(separator: "│") + "│\n"
        }
        var out = line("╭", "┬", "╮")
        if header {
            out += row(heads)
            out += line("├", "┼", "┤")
        }
        for c in cells { out += row(c) }
        out += line("╰", "┴", "╯")
        return out
    }

    /// `describe`: `int`, `list<record>`, `record<agent@chatrhub>`, `stream`.
    public static func describe(_ v: Value) -> String {
        switch v {
        case .record(let r):
            if let tag = r.tag { return "record<\(tag)>" }
            return "record<" + r.fields.map { "\($0.0): \(describe($0.1))" }.joined(separator: ", ") + ">"
        case .list(let l):
            guard let first = l.first else { return "list<any>" }
            let t = describeShallow(first)
            return "list<\(l.allSatisfy { describeShallow($0) == t } ? t : "any")>"
        default: return v.typeName
        }
    }

    static func describeShallow(_ v: Value) -> String {
        if case .record(let r) = v, let tag = r.tag { return "record<\(tag)>" }
        return v.typeName
    }
}

/// CSV (RFC 4180) reading and writing.
public enum CSV {
    /// Rows as CSV with a header of every field in first-seen order. Given `columns` (the
    /// header of a file being appended to), the rows are written in that order without a
    /// header, and a field the header lacks is an error rather than a shifted column.
    public static func encode(_ v: Value, columns given: [String]? = nil) throws -> String {
        let rows: [Value]
        switch v {
        case .list(let l): rows = l
        case .record: rows = [v]
        default: throw SwitchboardError(.type, "CSV needs a list of records, not \(article(v.typeName))")
        }
        var columns: [String] = given ?? []
        var seen = Set<String>(columns)
        for r in rows {
            guard case .record(let rec) = r else { throw SwitchboardError(.type, "CSV needs a list of records; found \(article(r.typeName))") }
            for k in rec.keys where seen.insert(k).inserted {
                if let given {
                    throw SwitchboardError(.value, "the field `\(k)` is not a column of the file (its header is \(given.joined(separator: ",")))")
                }
                columns.append(k)
            }
        }
        var out = given == nil ? columns.map(field).joined(separator: ",") + "\n" : ""
        for r in rows {
            let rec = r.asRecord!
            out += columns.map { k in field(rec[k].map(Formatter.plain) ?? "") }.joined(separator: ",") + "\n"
        }
        return out
    }

    static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.hasPrefix(" ") || s.hasSuffix(" ") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Parses CSV with a header row into records; numbers stay strings unless `infer` is set.
    public static func decode(_ text: String, infer: Bool = true) throws -> [Value] {
        let rows = try parse(text)
        guard let header = rows.first else { return [] }
        let shape = Shape.of(header)
        return try rows.dropFirst().enumerated().map { (n, r) in
            guard r.count <= header.count else {
                throw SwitchboardError(.value, "invalid CSV: row \(n + 2) has \(r.count) fields but the header has \(header.count)")
            }
            let vals = header.indices.map { i -> Value in
                let s = i < r.count ? r[i] : ""
                return infer ? inferred(s) : .string(s)
            }
            return .record(Record(shape: shape, values: vals))
        }
    }

    /// The rows of CSV text as fields (blank lines dropped).
    public static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var it = Array(text.unicodeScalars)
        if it.first == "\u{FEFF}" { it.removeFirst() }
        var k = 0
        var line = 1
        while k < it.count {
            let c = it[k]
            if inQuotes {
                if c == "\"" {
                    if k + 1 < it.count, it[k + 1] == "\"" { field.unicodeScalars.append("\""); k += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"" where field.isEmpty: inQuotes = true
                case ",": row.append(field); field = ""
                case "\r": break
                case "\n":
                    row.append(field); field = ""
                    rows.append(row); row = []
                    line += 1
                default: field.unicodeScalars.append(c)
                }
            }
            k += 1
        }
        if inQuotes { throw SwitchboardError(.value, "invalid CSV: a quoted field starting before line \(line) is never closed") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        rows.removeAll { $0 == [""] }
        return rows
    }

    /// `42` → int, `3.5` → float, `true`/`false` → bool, empty → null, else the string.
    static func inferred(_ s: String) -> Value {
        if s.isEmpty { return .null }
        if let n = Int(s), !(s.hasPrefix("0") && s.count > 1) { return .int(n) }
        if s.contains("."), let d = Double(s), s.first?.isNumber == true || s.first == "-" { return .float(d) }
        if s == "true" { return .bool(true) }
        if s == "false" { return .bool(false) }
        return .string(s)
    }
}
