/// What a completer returns for the word under the cursor.
public struct Completion: Sendable, Equatable {
    /// UTF-8 byte offset in the line where the word being completed starts (≤ cursor).
    public var replaceFrom: Int
    /// Full replacement words for the bytes `replaceFrom..<cursor`.
    public var candidates: [String]
    /// Append a space after a unique completion (false for e.g. directories ending in "/").
    public var appendSpace: Bool

    public init(replaceFrom: Int, candidates: [String], appendSpace: Bool = true) {
        self.replaceFrom = replaceFrom
        self.candidates = candidates
        self.appendSpace = appendSpace
    }
}

/// What Tab does to the line.
enum CompletionAction: Equatable, Sendable {
    /// Delete this many Unicode scalars left of the cursor, then insert the text.
    /// (libedit counts `el_deletestr` in wide characters, i.e. scalars.)
    case edit(deleteScalars: Int, insert: String)
    /// Show these candidates below the line and redraw it.
    case list([String])
    /// Nothing to do.
    case beep
}

/// Decides what Tab does. Pure: no terminal, no libedit.
/// - One candidate: it replaces the word (only the missing rest is inserted when the
///   candidate extends the word), plus a space if `appendSpace`.
/// - Several, whose common prefix extends the word: insert the common prefix.
/// - Several otherwise: list them.
/// - None, or a completion that does not fit the line: beep.
func completionAction(line: String, cursor: Int, completion: Completion?) -> CompletionAction {
    guard let completion else { return .beep }
    let bytes = Array(line.utf8)
    let from = completion.replaceFrom
    guard cursor >= 0, cursor <= bytes.count, from >= 0, from <= cursor,
          isScalarBoundary(bytes, cursor), isScalarBoundary(bytes, from)
    else { return .beep }
    let word = String(decoding: bytes[from..<cursor], as: UTF8.self)

    var seen = Set<String>()
    let candidates = completion.candidates.filter { !$0.isEmpty && seen.insert($0).inserted }
    if candidates.isEmpty { return .beep }

    if candidates.count == 1 {
        let replacement = candidates[0] + (completion.appendSpace ? " " : "")
        return edit(word: word, into: replacement) ?? .beep
    }
    let prefix = commonPrefix(candidates)
    if prefix.unicodeScalars.count > word.unicodeScalars.count,
       prefix.unicodeScalars.starts(with: word.unicodeScalars),
       let action = edit(word: word, into: prefix) {
        return action
    }
    return .list(candidates)
}

/// The edit that turns `word` into `replacement`, or nil if there is nothing to change.
private func edit(word: String, into replacement: String) -> CompletionAction? {
    let wordScalars = word.unicodeScalars
    let newScalars = replacement.unicodeScalars
    if newScalars.starts(with: wordScalars) {
        let rest = String(String.UnicodeScalarView(newScalars.dropFirst(wordScalars.count)))
        return rest.isEmpty ? nil : .edit(deleteScalars: 0, insert: rest)
    }
    return .edit(deleteScalars: wordScalars.count, insert: replacement)
}

/// False if `offset` points into the middle of a UTF-8 sequence.
private func isScalarBoundary(_ bytes: [UInt8], _ offset: Int) -> Bool {
    offset == bytes.count || bytes[offset] & 0xC0 != 0x80
}

/// Longest common prefix, compared by Unicode scalars.
func commonPrefix(_ words: [String]) -> String {
    guard let first = words.first else { return "" }
    var prefix = Array(first.unicodeScalars)
    for word in words.dropFirst() {
        var count = 0
        for (a, b) in zip(prefix, word.unicodeScalars) {
            if a != b { break }
            count += 1
        }
        prefix.removeLast(prefix.count - count)
    }
    var view = String.UnicodeScalarView()
    view.append(contentsOf: prefix)
    return String(view)
}

/// Lays out candidates in columns, filled top to bottom like `ls`, within `width`
/// characters. Control characters are shown as "?". Lists longer than `limit` are cut,
/// with a last line saying how many were left out. Lines carry no trailing spaces.
func columnLayout(_ items: [String], width: Int, limit: Int = 500) -> [String] {
    let shown = items.prefix(max(limit, 0)).map(displayable)
    guard !shown.isEmpty else { return [] }
    let gap = 2
    let columnWidth = shown.map(\.count).max()! + gap
    let columns = max(1, (max(width, 1) + gap) / columnWidth)
    let rows = (shown.count + columns - 1) / columns

    var lines: [String] = []
    for row in 0..<rows {
        var line = ""
        for column in 0..<columns {
            let index = column * rows + row
            guard index < shown.count else { break }
            let item = shown[index]
            line += item
            let isLast = index + rows >= shown.count || column == columns - 1
            if !isLast { line += String(repeating: " ", count: columnWidth - item.count) }
        }
        lines.append(line)
    }
    if items.count > shown.count {
        lines.append("… \(items.count - shown.count) more")
    }
    return lines
}

private func displayable(_ s: String) -> String {
    String(String.UnicodeScalarView(s.unicodeScalars.map { scalar in
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) ? "?" : scalar
    }))
}
