import Testing
@testable import LineEditor

@Suite struct CompletionActionTests {
    func action(_ line: String, _ cursor: Int? = nil, from: Int, _ candidates: [String],
                space: Bool = true) -> CompletionAction {
        completionAction(line: line, cursor: cursor ?? line.utf8.count,
                         completion: Completion(replaceFrom: from, candidates: candidates, appendSpace: space))
    }

    @Test func uniqueCandidateInsertsRestAndSpace() {
        #expect(action("so", from: 0, ["sort"]) == .edit(deleteScalars: 0, insert: "rt "))
        #expect(action("so", from: 0, ["sort"], space: false) == .edit(deleteScalars: 0, insert: "rt"))
    }

    @Test func wordInTheMiddleOfTheLine() {
        // "ls | wh|ere x": cursor after "wh", word starts at byte 5.
        #expect(action("ls | wh x", 7, from: 5, ["where"]) == .edit(deleteScalars: 0, insert: "ere "))
    }

    @Test func longerCommonPrefixIsInserted() {
        #expect(action("so", from: 0, ["sort", "sort-by"]) == .edit(deleteScalars: 0, insert: "rt"))
    }

    @Test func noLongerPrefixLists() {
        #expect(action("sort", from: 0, ["sort", "sort-by"]) == .list(["sort", "sort-by"]))
        #expect(action("", from: 0, ["where", "select"]) == .list(["where", "select"]))
    }

    @Test func nothingToCompleteBeeps() {
        #expect(completionAction(line: "x", cursor: 1, completion: nil) == .beep)
        #expect(action("x", from: 0, []) == .beep)
        #expect(action("x", from: 0, [""]) == .beep)
        // Already complete and no space wanted: nothing would change.
        #expect(action("src/", from: 0, ["src/"], space: false) == .beep)
        #expect(action("sort", from: 0, ["sort"]) == .edit(deleteScalars: 0, insert: " "))
    }

    @Test func candidateThatDoesNotExtendTheWordReplacesIt() {
        #expect(action("ls | SO", from: 5, ["sort"]) == .edit(deleteScalars: 2, insert: "sort "))
        // Several that do not extend the word: list rather than lose what was typed.
        #expect(action("SO", from: 0, ["sort", "sort-by"]) == .list(["sort", "sort-by"]))
    }

    @Test func duplicatesAndEmptyCandidatesAreDropped() {
        #expect(action("so", from: 0, ["sort", "", "sort"]) == .edit(deleteScalars: 0, insert: "rt "))
        #expect(action("s", from: 0, ["sort", "select", "sort"]) == .list(["sort", "select"]))
    }

    @Test func nonASCIIWordsCountScalarsNotBytes() {
        #expect(action("print caf", from: 6, ["café"]) == .edit(deleteScalars: 0, insert: "é "))
        #expect(action("é", from: 0, ["écoute"]) == .edit(deleteScalars: 0, insert: "coute "))
        // "É" is 2 bytes but one scalar for libedit's el_deletestr.
        #expect(action("É", from: 0, ["école"]) == .edit(deleteScalars: 1, insert: "école "))
    }

    @Test func completionThatDoesNotFitTheLineBeeps() {
        #expect(action("abc", 2, from: 3, ["x"]) == .beep)     // replaceFrom after cursor
        #expect(action("abc", from: -1, ["x"]) == .beep)
        #expect(action("abc", 4, from: 0, ["x"]) == .beep)     // cursor past the end
        #expect(action("abc", -1, from: 0, ["x"]) == .beep)
        #expect(action("é", 1, from: 0, ["x"]) == .beep)       // cursor inside "é"
        #expect(action("éa", from: 1, ["x"]) == .beep)         // word starts inside "é"
    }
}

@Suite struct CommonPrefixTests {
    @Test func prefixes() {
        #expect(commonPrefix([]) == "")
        #expect(commonPrefix(["sort"]) == "sort")
        #expect(commonPrefix(["sort", "sort-by", "sorted"]) == "sort")
        #expect(commonPrefix(["where", "select"]) == "")
        #expect(commonPrefix(["café", "cafè"]) == "caf")
        #expect(commonPrefix(["ab", ""]) == "")
    }
}

@Suite struct ColumnLayoutTests {
    @Test func fillsColumnsTopToBottom() {
        // Widest item 3 + gap 2 = 5 per column; (12 + 2) / 5 = 2 columns, 3 rows.
        #expect(columnLayout(["a", "bb", "ccc", "dd", "e"], width: 12) == [
            "a    dd",
            "bb   e",
            "ccc",
        ])
    }

    @Test func everythingOnOneLineWhenItFits() {
        #expect(columnLayout(["sort", "sort-by"], width: 80) == ["sort     sort-by"])
    }

    @Test func narrowOrBrokenWidthGivesOneColumn() {
        #expect(columnLayout(["alpha", "beta"], width: 3) == ["alpha", "beta"])
        #expect(columnLayout(["alpha", "beta"], width: 0) == ["alpha", "beta"])
        #expect(columnLayout(["alpha", "beta"], width: -7) == ["alpha", "beta"])
        #expect(columnLayout([], width: 80) == [])
    }

    // Items are 5 to 12 characters wide.
    @Test(arguments: [12, 20, 33, 80, 200])
    func linesFitTheWidthAndKeepEveryItem(width: Int) {
        let items = (1...37).map { "item" + String(repeating: "x", count: $0 % 7) + "\($0)" }
        let lines = columnLayout(items, width: width)
        #expect(lines.allSatisfy { $0.count <= width })
        let columns = (width + 2) / 14   // widest item + gap of 2
        #expect(lines.count == (37 + columns - 1) / columns)
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
        let listed = lines.flatMap { $0.split(separator: " ").map(String.init) }
        #expect(listed.sorted() == items.sorted())
    }

    @Test func longListsAreCut() {
        #expect(columnLayout(["a", "b", "c", "d", "e"], width: 1, limit: 3) == ["a", "b", "c", "… 2 more"])
    }

    @Test func controlCharactersAreNotSentToTheTerminal() {
        #expect(columnLayout(["a\u{1B}[2Jb", "x\ny"], width: 80) == ["a?[2Jb  x?y"])
    }
}
