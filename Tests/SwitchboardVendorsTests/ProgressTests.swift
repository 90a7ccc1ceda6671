import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardVendors

/// Every call a reporter got, as text: `start agents ?`, `advance 1 +1`, `finish 1`.
final class RecordingReporter: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var next = 1
    private(set) var calls: [String] = []

    func start(_ label: String, total: Int?) -> Int {
        lock.lock(); defer { lock.unlock() }
        let id = next
        next += 1
        calls.append("start \(id) \(label) \(total.map(String.init) ?? "?")")
        return id
    }

    func advance(_ id: Int, by steps: Int) { record("advance \(id) +\(steps)") }
    func finish(_ id: Int) { record("finish \(id)") }

    private func record(_ s: String) { lock.lock(); calls.append(s); lock.unlock() }

    func take() -> [String] {
        lock.lock(); defer { lock.unlock(); calls = [] }
        return calls
    }
}

/// The hooks `swb` draws its progress bar from, against the sandbox.
@Suite("Progress", .serialized)
final class ProgressTests {
    let h: Harness
    let reporter = RecordingReporter()
    init() async throws {
        h = try await Harness()
        h.registry.progress = reporter
    }
    deinit { let h = h; Task { await h.stop() } }

    @Test func anActionReportsEachObjectOnce() async {
        let r = await h.run("agents --vendor chatrhub | first 13 | assign group 10206 --yes --parallel 4")
        #expect(r.rows.count == 13, "\(r.message)")
        let all = reporter.take()
        #expect(all.first == "start 1 agents ?")   // task 1: the listing the objects came from
        #expect(all.contains("finish 1"))
        let action = all.filter { $0.split(separator: " ")[1] == "2" }
        #expect(action == ["start 2 assign group 10206 13"] + Array(repeating: "advance 2 +1", count: 13) + ["finish 2"])
    }

    @Test func aListingReportsEachObjectAndFinishes() async {
        let r = await h.run("agents --vendor chatrhub | count")
        let n = r.value?.asInt ?? 0
        #expect(n > 20)
        let calls = reporter.take()
        #expect(calls.first == "start 1 agents ?")
        #expect(calls.filter { $0 == "advance 1 +1" }.count == n)
        #expect(calls.last == "finish 1")
    }

    @Test func anAbandonedListingFinishes() async {
        _ = await h.run("agents --vendor chatrhub | first 3 | count")
        let calls = reporter.take()
        #expect(calls.first == "start 1 agents ?")
        #expect(calls.filter { $0.hasPrefix("finish 1") }.count == 1)
    }

    @Test func aDryRunAndAFailingListingReportNoAction() async {
        let dry = await h.run("agents --vendor chatrhub | first 1 | assign group 10206 --dry-run")
        #expect(dry.rows.count == 1)
        #expect(reporter.take() == ["start 1 agents ?", "advance 1 +1", "finish 1"])
        let bad = await h.run("agents --vendor chatrhub --since 2024-01-01")
        #expect(bad.error != nil)
        #expect(reporter.take() == [])
        // One object by id is one request, not a listing: no progress line.
        let one = await h.run("agents 999999 --vendor chatrhub")
        #expect(one.error != nil)
        #expect(reporter.take() == [])
    }
}
