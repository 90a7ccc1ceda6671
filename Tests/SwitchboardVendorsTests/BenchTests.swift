import Foundation
import SwitchboardCore
import SwitchboardSandbox
import Testing

@testable import SwitchboardVendors

/// Measurements, not assertions: run with `SWB_BENCH=1` (scripts/dev/bench-vendors.sh).
@Suite("Bench", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SWB_BENCH"] == "1"))
struct BenchTests {
    static func rssMB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8), let pages = Double(s.split(separator: " ")[1]) else { return 0 }
        return pages * 4096 / 1_048_576
    }

    /// Peak RSS while `body` runs, sampled every 5 ms.
    static func peak<T: Sendable>(_ body: () async -> T) async -> (T, Double) {
        let stop = Lines()
        let peak = Lines()
        let sampler = Thread {
            var m = 0.0
            while stop.value.isEmpty { m = max(m, rssMB()); usleep(5000) }
            peak.add(String(m))
        }
        sampler.start()
        let v = await body()
        stop.add("x")
        while peak.value.isEmpty { usleep(1000) }
        return (v, Double(peak.value) ?? 0)
    }

    @Test func assignOverTwoThousandAgents() async throws {
        let n = Int(ProcessInfo.processInfo.environment["SWB_BENCH_AGENTS"] ?? "2000") ?? 2000
        let h = try await Harness(SandboxOptions(agents: n, latency: .milliseconds(Int64(ProcessInfo.processInfo.environment["SWB_BENCH_LATENCY_MS"] ?? "20") ?? 20)))
        defer { Task { await h.stop() } }
        _ = await h.run("agents 1 --vendor chatrhub")  // warm the connection pool
        let t0 = ContinuousClock.now
        let r = await h.run("agents --vendor chatrhub | assign group 10204 --parallel 16")
        let t = ContinuousClock.now - t0
        let ideal = Double(n) * 0.020 / 16
        print("BENCH assign: \(n) agents, latency 20ms, --parallel 16: \(t) (ideal \(ideal) s, ratio \(String(format: "%.2f", (Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18) / ideal))); \(r.errors.trimmingCharacters(in: .newlines)); requests \(r.requests.count)")
    }

    @Test func countDixaAgents() async throws {
        let n = Int(ProcessInfo.processInfo.environment["SWB_BENCH_DIXA"] ?? "100000") ?? 100_000
        let h = try await Harness(SandboxOptions(agents: n))
        defer { Task { await h.stop() } }
        let base = Self.rssMB()
        let t0 = ContinuousClock.now
        let (r, peak) = await Self.peak { await h.run("agents --vendor dixa | length") }
        let t = ContinuousClock.now - t0
        let secs = Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18
        print("BENCH dixa count: \(r.json) agents in \(String(format: "%.2f", secs)) s = \(Int(Double(n) / secs)) records/s; RSS before \(Int(base)) MB (sandbox included), peak \(Int(peak)) MB, growth \(Int(peak - base)) MB; requests \(r.requests.count)")
    }
}
