import Foundation
import Synchronization

/// Fault injection for one vendor's server: latency, 5xx error rate, rate limit, dropped
/// connections. Decisions come from a PRNG seeded from the sandbox seed and the vendor, so a
/// given sequence of requests meets the same faults on every run.
final class Faults: Sendable {
    let latency: Duration
    let errorRate: Double
    let dropRate: Double
    let rateLimit: Double?

    private struct State {
        var rng: UInt64
        var tokens: Double
        var lastRefill: ContinuousClock.Instant
    }
    private let state: Mutex<State>

    init(options: SandboxOptions, vendorIndex: Int) {
        latency = options.latency
        errorRate = Faults.clampRate(options.errorRate)
        dropRate = Faults.clampRate(options.dropRate)
        rateLimit = options.rateLimit.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let start = options.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(vendorIndex + 1) &* 0x9E37_79B9_7F4A_7C15
        state = Mutex(State(rng: start, tokens: max(1, rateLimit ?? 1), lastRefill: .now))
    }

    static func clampRate(_ r: Double) -> Double {
        r.isFinite ? min(max(r, 0), 1) : 0
    }

    /// Nil when the request may go ahead; otherwise the seconds to put in `Retry-After`.
    /// A token bucket holding one second's worth of requests.
    func rateLimited() -> Int? {
        guard let rate = rateLimit else { return nil }
        return state.withLock { s -> Int? in
            let now = ContinuousClock.now
            let elapsed = now - s.lastRefill
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            s.tokens = min(max(1, rate), s.tokens + seconds * rate)
            s.lastRefill = now
            if s.tokens >= 1 {
                s.tokens -= 1
                return nil
            }
            return max(1, Int(min(86400, ((1 - s.tokens) / rate).rounded(.up))))
        }
    }

    /// True with probability `errorRate`.
    func shouldFail() -> Bool { errorRate > 0 && roll() < errorRate }

    /// True with probability `dropRate`.
    func shouldDrop() -> Bool { dropRate > 0 && roll() < dropRate }

    /// A uniform value in [0, 1) from SplitMix64.
    private func roll() -> Double {
        state.withLock { s in
            s.rng &+= 0x9E37_79B9_7F4A_7C15
            var z = s.rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
    }
}
