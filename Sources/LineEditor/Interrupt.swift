#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Set by the SIGINT handler. Atomic is lock-free and Sendable: safe in a signal handler
/// and accepted by Swift 6 as a global.
private let interruptFlag = Atomic<Bool>(false)

/// The thread blocked in the line editor's read (0: none). The kernel hands SIGINT to any
/// thread, usually the main one; a read on another thread (the REPL's confirmation question
/// runs on the evaluating thread) only returns if the signal reaches that thread.
private let readingThread = Atomic<UInt>(0)

private func currentThread() -> UInt {
    #if canImport(Glibc)
    UInt(pthread_self())
    #else
    UInt(bitPattern: pthread_self())
    #endif
}

/// In the handler: pass the signal on to the reading thread if this is another one.
private func forwardToReader() {
    let reader = readingThread.load(ordering: .relaxed)
    guard reader != 0, reader != currentThread() else { return }
    #if canImport(Glibc)
    pthread_kill(pthread_t(reader), SIGINT)
    #else
    if let t = pthread_t(bitPattern: reader) { pthread_kill(t, SIGINT) }
    #endif
}

/// Ctrl-C as a flag. The handler only stores `true`; the line editor and the evaluator poll it.
public enum Interrupt {
    /// Installs the SIGINT handler. Call it before the first `read(prompt:)`: libedit saves
    /// the current handler while reading and passes SIGINT on to it. No SA_RESTART, so a
    /// blocked read fails with EINTR and the line editor returns `.interrupted`.
    public static func install() {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in interruptFlag.store(true, ordering: .relaxed); forwardToReader() }
        #else
        action.__sigaction_u.__sa_handler = { _ in interruptFlag.store(true, ordering: .relaxed); forwardToReader() }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// True if Ctrl-C was pressed since the last call; clears the flag.
    public static func consume() -> Bool {
        interruptFlag.exchange(false, ordering: .relaxed)
    }

    /// True if Ctrl-C was pressed and not yet consumed; leaves the flag as it is.
    public static var pending: Bool {
        interruptFlag.load(ordering: .relaxed)
    }

    public static func reset() {
        interruptFlag.store(false, ordering: .relaxed)
    }

    /// Runs `read` (a blocking terminal read) so that Ctrl-C interrupts it whichever thread
    /// it runs on.
    static func whileReading<T>(_ read: () -> T) -> T {
        readingThread.store(currentThread(), ordering: .relaxed)
        defer { readingThread.store(0, ordering: .relaxed) }
        return read()
    }
}
