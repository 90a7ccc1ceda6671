import Testing
import SwitchboardCore

/// How errors look: the caret sits under the span, whatever the line holds.
struct DiagnosticTests {
    /// The rendered error of `code`, split into lines.
    func rendered(_ code: String) -> [String] {
        let interp = Interpreter()
        do {
            _ = try interp.evaluate(code)
            return []
        } catch {
            return interp.render(error).split(separator: "\n").map(String.init)
        }
    }

    @Test func aLongLineIsCutAroundTheError() {
        let code = "let x = [" + (0..<400).map(String.init).joined(separator: ", ") + "] + $nope"
        let lines = rendered(code)
        let source = try! #require(lines.first { $0.hasPrefix("1 | ") })
        let caret = try! #require(lines.first { $0.contains("^") })
        #expect(source.count < 140 && source.hasPrefix("1 | …"))
        // The caret points at `$nope` in the shown window.
        let at = caret.firstIndex(of: "^")!.utf16Offset(in: caret)
        #expect(source.dropFirst(at).hasPrefix("$nope"), "\(source)\n\(caret)")
    }

    @Test func theCaretCountsWideCharactersAsTwoColumns() {
        let lines = rendered(#"print "東京" | nope"#)
        // "print "東京" | " takes 15 columns (each ideograph two), so the caret is under `nope`.
        let caret = try! #require(lines.first { $0.contains("^") })
        #expect(caret.hasPrefix("  | " + String(repeating: " ", count: 15) + "^^^^"), "\(lines)")
    }

    @Test func habitsFromOtherShellsGetPointedErrors() {
        #expect(rendered("[{a: 1}] | where a = 1").contains("  |                    ^ use `==` to compare"))
        #expect(rendered("[{a: 1}] | where a -gt 0").first == "error: `-gt` is not an operator here")
        #expect(rendered("[{a: 1}] | where a -gt 0").contains { $0.hasSuffix("^^^ use `>`") })
        let comma = rendered("[{a: 1, b: 2}] | select a, b")
        #expect(comma.first == "error: unexpected `,`")
        #expect(comma.contains { $0.contains("write `select id email`, not `select id, email`") })
    }
}
