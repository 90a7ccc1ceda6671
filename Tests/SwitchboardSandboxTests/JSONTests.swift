import Foundation
import Testing

@testable import SwitchboardSandbox

/// The sandbox's own JSON parser (request bodies) and its streamed answers.
@Suite struct JSONTests {
    func parse(_ text: String) -> JSON? { JSON.parse(Array(text.utf8)) }

    @Test func parsesEveryKindOfValueAndKeepsKeyOrder() throws {
        let v = try #require(parse(#" {"b": 1, "a": [true, false, null, -0.5, 1e3, 12, "x\"\\\/\b\f\n\r\tß\u00e9\ud83d\ude00"], "c": {}} "#))
        guard case .object(let pairs) = v else { Issue.record("not an object"); return }
        // The order the client wrote (the Decodable path sorted keys).
        #expect(pairs.map(\.0) == ["b", "a", "c"])
        #expect(v["b"]?.intValue == 1)
        let list = try #require(v["a"]?.arrayValue)
        #expect(list.count == 7)
        #expect(list[0].boolValue == true && list[1].boolValue == false && list[2].isNull)
        if case .double(let d) = list[3] { #expect(d == -0.5) } else { Issue.record("\(list[3])") }
        if case .double(let d) = list[4] { #expect(d == 1000) } else { Issue.record("\(list[4])") }
        if case .int(let n) = list[5] { #expect(n == 12) } else { Issue.record("\(list[5])") }
        #expect(list[6].stringValue == "x\"\\/\u{8}\u{c}\n\r\tßé😀")
        #expect(parse("9223372036854775807")?.intValue == Int.max)
        if case .double? = parse("92233720368547758070") {} else { Issue.record("a too large int is a double") }
        // What it writes, it reads back the same.
        #expect(parse(v.text)?.text == v.text)
    }

    @Test func rejectsWhatIsNotJSONWithoutCrashing() {
        for bad in ["", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "[1 2]",
                    "{\"a\" 1}", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"a\nb\"", "1 2", "[] x", "NaN", "1e400",
                    String(repeating: "[", count: 100_000), String(repeating: "{\"a\":", count: 100_000)] {
            #expect(parse(bad) == nil, "\(bad.prefix(20))")
        }
        #expect(JSON.parse([0x22, 0xFF, 0x22]) == nil, "invalid UTF-8")
        #expect(parse(String(repeating: "[", count: 500) + String(repeating: "]", count: 500)) != nil)
    }

    /// The presence of every Dixa agent is one bare array: it goes out in pieces as it is made
    /// (chunked, no Content-Length), so the sandbox never holds all of it.
    @Test func dixaPresenceIsStreamed() async throws {
        try await withSandbox(.init(agents: 20_000)) { (s) async throws in
            let answer = try await send(.GET, s.vendor("dixa")!.baseURL + "/v1/agents/presence", headers: [("Authorization", Dixa.apiKey)])
            #expect(answer.status == 200)
            #expect(answer.headers["content-length"].isEmpty)
            #expect(answer.headers["transfer-encoding"] == ["chunked"])
            #expect(answer.array.count == 20_000)
            #expect(answer.headers["content-type"] == ["application/json"])
        }
    }
}
