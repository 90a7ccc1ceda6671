import Synchronization
import Testing
@testable import LineEditor

/// A clock the test moves, and everything the bar wrote.
final class FakeTerminal: Sendable {
    let now = Mutex(0.0)
    let written = Mutex<[String]>([])

    func bar(width: Int = 80, colors: Bool = false) -> ProgressBar {
        ProgressBar(colors: colors, delay: 0.5, interval: nil, width: { width },
                    clock: { self.now.withLock { $0 } }, write: { text in self.written.withLock { $0.append(text) } })
    }

    func at(_ t: Double) { now.withLock { $0 = t } }

    /// What was written since the last call.
    func take() -> [String] { written.withLock { w in defer { w.removeAll() }; return w } }
}

@Suite struct ProgressBarTests {
    let full = "█", empty = "░"

    func line(_ label: String, _ done: Int, _ total: Int?, _ elapsed: Double, width: Int = 80, colors: Bool = false) -> String {
        ProgressBar.line(label: label, done: done, total: total, elapsed: elapsed, width: width, colors: colors)
    }

    @Test func theLineFitsTheWidth() {
        let bar30 = String(repeating: full, count: 18) + String(repeating: empty, count: 12)
        #expect(line("assign group 10204", 1234, 2000, 3.14) == "assign group 10204  \(bar30)  1,234/2,000   61%   3.1s")
        // The bar shrinks, then goes, then the label is shortened; one column is always left free.
        #expect(line("assign group 10204", 1234, 2000, 3.14, width: 53) == "assign group 10204  ███░░░  1,234/2,000   61%   3.1s")
        #expect(line("assign group 10204", 1234, 2000, 3.14, width: 50) == "assign group 10204  1,234/2,000   61%   3.1s")
        #expect(line("assign group 10204", 1234, 2000, 3.14, width: 45) == "assign group 10204  1,234/2,000   61%   3.1s")
        #expect(line("assign group 10204", 1234, 2000, 3.14, width: 36) == "assign g…  1,234/2,000   61%   3.1s")
        #expect(line("assign group 10204", 1234, 2000, 3.14, width: 20) == "1,234/2,000   61%…")
        for width in [1, 20, 36, 45, 50, 53, 80, 200] {
            #expect(line("assign group 10204", 1234, 2000, 3.14, width: width).count <= max(width - 1, 10))
        }
    }

    @Test func endsAndUnknownTotals() {
        // Padded numbers: the bar keeps its size from start to end.
        #expect(line("close", 0, 12, 0.5) == "close  " + String(repeating: empty, count: 30) + "   0/12    0%   0.5s")
        #expect(line("close", 12, 12, 61) == "close  " + String(repeating: full, count: 30) + "  12/12  100%  1m01s")
        #expect(line("close", 15, 12, 1) == "close  " + String(repeating: full, count: 30) + "  12/12  100%   1.0s")
        #expect(line("agents", 1_234_567, nil, 75) == "agents  1,234,567 fetched  1m15s")
        #expect(line("agents", 0, 0, 0.5) == "agents  0 fetched  0.5s")
        // A label cannot break the line.
        #expect(line("set note \"a\nb\"", 0, nil, 1) == "set note \"ab\"  0 fetched  1.0s")
    }

    @Test func colorsOnlyWhenAsked() {
        let colored = line("tag vip", 1, 2, 1, colors: true)
        #expect(colored == "tag vip  \u{1B}[36m" + String(repeating: full, count: 15) + "\u{1B}[0m\u{1B}[2m"
                + String(repeating: empty, count: 15) + "\u{1B}[0m  1/2   50%   1.0s")
        #expect(!line("tag vip", 1, 2, 1).contains("\u{1B}"))
    }

    @Test func durationsAndNumbers() {
        #expect(ProgressBar.duration(0.04) == "0.0s")
        #expect(ProgressBar.duration(59.96) == "59.9s")
        #expect(ProgressBar.duration(65) == "1m05s")
        #expect(ProgressBar.duration(7380) == "2h03m")
        #expect(ProgressBar.duration(-1) == "0.0s")
        #expect(ProgressBar.grouped(0) == "0")
        #expect(ProgressBar.grouped(999) == "999")
        #expect(ProgressBar.grouped(1000) == "1,000")
        #expect(ProgressBar.grouped(-1234) == "-1,234")
    }

    @Test func shortWorkShowsNothing() {
        let term = FakeTerminal()
        let bar = term.bar()
        let id = bar.start("close", total: 3)
        term.at(0.2); bar.advance(id); bar.tick()
        term.at(0.4); bar.advance(id, by: 2); bar.tick()
        bar.finish(id)
        #expect(term.take() == [])
    }

    @Test func longWorkIsDrawnInPlaceThenErased() {
        let term = FakeTerminal()
        let bar = term.bar(width: 40)
        let id = bar.start("close", total: 4)
        term.at(0.6); bar.advance(id); bar.tick()
        #expect(term.take() == ["\rclose  ███░░░░░░░░░░░  1/4   25%   0.6s\u{1B}[K"])
        bar.tick()   // nothing changed: nothing written
        #expect(term.take() == [])
        term.at(0.7); bar.advance(id, by: 3); bar.tick()
        #expect(term.take() == ["\rclose  ██████████████  4/4  100%   0.7s\u{1B}[K"])
        bar.finish(id)
        #expect(term.take() == ["\r\u{1B}[K"])
        bar.finish(id)   // twice: nothing more
        bar.tick()
        #expect(term.take() == [])
    }

    @Test func otherOutputErasesTheLineUntilTheNextTick() {
        let term = FakeTerminal()
        let bar = term.bar(width: 30)
        let id = bar.start("agents", total: nil)
        term.at(1); bar.advance(id, by: 100); bar.tick()
        #expect(term.take() == ["\ragents  100 fetched  1.0s\u{1B}[K"])
        bar.clear()
        bar.clear()   // already clear: nothing written
        #expect(term.take() == ["\r\u{1B}[K"])
        bar.tick()
        #expect(term.take() == ["\ragents  100 fetched  1.0s\u{1B}[K"])
        #expect(bar.finishAll())
        #expect(term.take() == ["\r\u{1B}[K"])
        #expect(!bar.finishAll())
    }

    @Test func pausedForAQuestion() {
        let term = FakeTerminal()
        let bar = term.bar(width: 30)
        let id = bar.start("agents", total: nil)
        term.at(1); bar.tick()
        _ = term.take()
        let answer = bar.paused { () -> Bool in
            bar.tick()
            return true
        }
        #expect(answer)
        #expect(term.take() == ["\r\u{1B}[K"])
        bar.tick()
        #expect(term.take() == ["\ragents  0 fetched  1.0s\u{1B}[K"])
        bar.finish(id)
    }

    @Test func theNewestTaskIsShownOnceTheOldestIsDue() {
        let term = FakeTerminal()
        let bar = term.bar(width: 40)
        let outer = bar.start("conversations", total: nil)
        bar.advance(outer, by: 5)
        term.at(0.55)
        let inner = bar.start("messages", total: nil)
        bar.advance(inner, by: 7)
        term.at(0.6); bar.tick()
        #expect(term.take() == ["\rmessages  7 fetched  0.0s\u{1B}[K"])
        bar.finish(inner)   // the outer task is still running: the line stays until redrawn
        #expect(term.take() == [])
        bar.tick()
        #expect(term.take() == ["\rconversations  5 fetched  0.6s\u{1B}[K"])
        bar.finish(outer)
        #expect(term.take() == ["\r\u{1B}[K"])
    }
}
