import Foundation
import SwitchboardCore
import SwitchboardSandbox
import Testing

@testable import SwitchboardVendors

/// Answers read element by element as they arrive (Dixa's presence of every agent).
@Suite("Streaming", .serialized)
struct StreamingTests {
    final class Collected: @unchecked Sendable {
        var items: [Value] = []
    }

    /// Feeds `text` in pieces cut at `cuts` and returns the elements.
    func split(_ text: String, cuts: [Int]) throws -> [Value] {
        let got = Collected()
        let s = JSONArraySplitter { got.items.append($0) }
        let bytes = Array(text.utf8)
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            try bytes[start..<end].withUnsafeBytes { try s.feed($0) }
            start = end
        }
        try s.finish()
        return got.items
    }

    @Test func elementsCutAnywhereComeOutWhole() throws {
        let text = #" [ {"id": "a]\"{", "n": [1, {"x": [2]}]}, 7 , "s,]" ,true,null, -1.5e3, [], {} ] "#
        let want = try JSON.decode(text).asList!
        #expect(want.count == 8)
        for i in 0...text.utf8.count {
            let got = try split(text, cuts: [i])
            #expect(got.count == want.count && zip(got, want).allSatisfy { $0.equals($1) }, "cut at \(i)")
        }
        // One byte at a time.
        let bytewise = try split(text, cuts: Array(0...text.utf8.count))
        #expect(zip(bytewise, want).allSatisfy { $0.equals($1) } && bytewise.count == want.count)
        #expect(try split("[]", cuts: [1]).isEmpty)
    }

    @Test func malformedAnswersAreErrors() throws {
        for bad in ["", "[1, 2", #"[{"a": 1}"#, "[1] x", "[1, {]", #"{"a": 1}"#] {
            #expect(throws: (any Error).self, "\(bad)") { try split(bad, cuts: [bad.utf8.count / 2]) }
        }
        // An answer that is not an array at all, but a list after all, is taken whole.
        #expect(try split(" \n[1]", cuts: [1]).count == 1)
    }

    /// 5,000 Dixa agents: every status comes from the streamed presence answer, and agrees with
    /// the presence list read whole.
    @Test func dixaStatusesFromStreamedPresence() async throws {
        let h = try await Harness(SandboxOptions(agents: 5000))
        defer { Task { await h.stop() } }
        let counts = await h.run("agents --vendor dixa | count-by status")
        #expect(counts.error == nil, "\(counts.message)")
        let whole = await h.run("""
            http GET /v1/agents/presence --vendor dixa | each { if $in.connectionStatus == "Offline" { "offline" } else if $in.presenceStatus == "Working" { "available" } else { "away" } } | count-by
            """)
        #expect(whole.error == nil, "\(whole.message)")
        let got = counts.rows.map { "\($0["status"].text ?? "?") \($0["count"].text ?? "?")" }.sorted()
        let want = whole.rows.map { "\($0["value"].text ?? "?") \($0["count"].text ?? "?")" }.sorted()
        #expect(got.count == 3 && got == want, "\(got) vs \(want)")
        #expect(!counts.json.contains("unknown"))
    }

    /// A presence answer that breaks off halfway is sent again; statuses are still all there.
    @Test func droppedPresenceIsReadAgain() async throws {
        let h = try await Harness(SandboxOptions(agents: 300, dropRate: 0.3))
        defer { Task { await h.stop() } }
        let r = await h.run(#"agents --vendor dixa | where status == "unknown" | length"#)
        #expect(r.error == nil, "\(r.message)")
        #expect(r.json == "0")
    }
}
