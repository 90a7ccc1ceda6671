#if canImport(Glibc)
import Glibc

/// glibc has it, but its header hides it behind _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("pthread_getattr_np")
private func pthread_getattr_np(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#elseif canImport(Darwin)
import Darwin
#endif

/// The native stack of the thread that runs a script. Recursion that the call-depth limit
/// does not see (a `fn` that returns a lazy stream whose items call it again, formatting
/// values nested thousands deep) is stopped here, before it overflows the stack.
struct StackGuard {
    /// The lowest address the evaluator may use; 0 when unknown (no check).
    private(set) var limit: UInt = 0

    /// Reads the bounds of the current thread's stack and keeps a margin for the code that
    /// runs between two checks: 1/8 of the stack, at least 4 MiB or half of a small stack.
    init() {
        #if os(Linux)
        var attr = pthread_attr_t()
        guard pthread_getattr_np(pthread_self(), &attr) == 0 else { return }
        defer { pthread_attr_destroy(&attr) }
        var base: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attr, &base, &size) == 0, let base else { return }
        limit = UInt(bitPattern: base) + UInt(Self.margin(size))
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        let size = pthread_get_stacksize_np(pthread_self())
        limit = top - UInt(size) + UInt(Self.margin(size))
        #endif
    }

    static func margin(_ size: Int) -> Int { max(size / 8, min(size / 2, 4 << 20)) }

    /// Whether the stack is nearly full at the caller.
    @inline(__always)
    func exhausted() -> Bool {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) } < limit
    }
}
