#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibEdit
import Dispatch
import Synchronization

/// Whether a progress line is on screen, for the SIGINT handler of `eraseOnInterrupt()`.
private let lineOnScreen = Atomic<Bool>(false)

/// `\r`, clear to the end of the line: one write(2), safe in a signal handler.
private func eraseLineFromSignalHandler() {
    let erase: StaticString = "\r\u{1B}[K"
    _ = write(STDERR_FILENO, erase.utf8Start, erase.utf8CodeUnitCount)
}

/// A progress line on a terminal, redrawn in place with `\r`:
///
///     assign group 10204  █████████████████░░░░░░░░░░░░░  1,234/2,000  61%  3.1s
///     agents  1,234 fetched  3.1s                            (when the total is unknown)
///
/// Work reports `start`/`advance`/`finish`; a timer redraws at most `1 / interval` times a
/// second, and only once the work has run for `delay` seconds, so short work shows nothing.
/// The line is erased when the last task finishes, and by `clear()` before other output is
/// written (it comes back on the next tick, below that output). Tasks nest: the newest one
/// is shown (`conversations | messages` shows the messages), the oldest one's age decides
/// whether anything is shown.
public final class ProgressBar: @unchecked Sendable {
    struct Task {
        let id: Int
        let label: String
        let total: Int?
        var done = 0
        let started: Double
    }

    struct State {
        var tasks: [Task] = []
        var nextID = 1
        /// The text on screen; nil when the line is clear.
        var drawn: String?
        var paused = false
    }

    private let state = Mutex(State())
    /// Runs while there are tasks; read and written only inside `state.withLock`.
    private nonisolated(unsafe) var timer: DispatchSourceTimer?
    let colors: Bool
    let delay: Double
    let interval: Double?
    let width: @Sendable () -> Int
    let clock: @Sendable () -> Double
    let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - interval: seconds between redraws; nil for no timer (tests call `tick()`).
    ///   - width: the terminal's columns; the line uses one less, so it never wraps.
    ///   - clock: seconds, monotonic.
    ///   - write: writes to the terminal, unbuffered.
    init(colors: Bool, delay: Double = 0.5, interval: Double? = 0.1, width: @escaping @Sendable () -> Int,
         clock: @escaping @Sendable () -> Double = ProgressBar.monotonicSeconds, write: @escaping @Sendable (String) -> Void) {
        self.colors = colors
        self.delay = delay
        self.interval = interval
        self.width = width
        self.clock = clock
        self.write = write
    }

    /// A bar on stderr, or nil when stderr is not a terminal (or `TERM=dumb`, which cannot
    /// erase a line). Colors follow `NO_COLOR`. `write` should send text to stderr at once
    /// (flushing any buffered stdout first, so the two stay in order).
    public static func onStandardError(write: @escaping @Sendable (String) -> Void) -> ProgressBar? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return nil }
        return ProgressBar(colors: Terminal.colorsEnabled(isTTY: true), width: {
            Terminal.resolveWidth(terminalColumns: Int(clibedit_terminal_columns(STDERR_FILENO)),
                                  columnsVariable: getenv("COLUMNS").map { String(cString: $0) })
        }, write: write)
    }

    public static let monotonicSeconds: @Sendable () -> Double = {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Begins a task of `total` steps (nil: unknown, e.g. paging). Returns its id.
    public func start(_ label: String, total: Int?) -> Int {
        let now = clock()
        let id = state.withLock { s -> Int in
            let id = s.nextID
            s.nextID += 1
            s.tasks.append(Task(id: id, label: label, total: total, started: now))
            if timer == nil, let interval {
                let t = DispatchSource.makeTimerSource(queue: .global())
                t.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(20))
                t.setEventHandler { [weak self] in self?.tick() }
                t.resume()
                timer = t
            }
            return id
        }
        return id
    }

    public func advance(_ id: Int, by steps: Int = 1) {
        state.withLock { s in
            if let i = s.tasks.lastIndex(where: { $0.id == id }) { s.tasks[i].done += steps }
        }
    }

    /// Ends a task (done, failed or interrupted). After the last one the line is erased.
    /// Finishing an unknown or already finished task does nothing.
    public func finish(_ id: Int) {
        state.withLock { s in
            s.tasks.removeAll { $0.id == id }
            guard s.tasks.isEmpty else { return }
            erase(&s)
            stopTimer()
        }
    }

    /// Ends every task and erases the line (after a statement, whatever happened in it).
    /// Returns true if a line was erased: the cursor is then at the start of an empty line.
    @discardableResult
    public func finishAll() -> Bool {
        state.withLock { s in
            let drawn = s.drawn != nil
            s.tasks.removeAll()
            erase(&s)
            stopTimer()
            return drawn
        }
    }

    /// Erases the line before other output; the next tick draws it again.
    public func clear() {
        state.withLock { s in erase(&s) }
    }

    /// Runs `body` (a question to the user, say) with the line erased and not redrawn.
    public func paused<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { s in
            erase(&s)
            s.paused = true
        }
        defer { state.withLock { s in s.paused = false } }
        return try body()
    }

    /// Draws the newest task, if the oldest has run for `delay` and the text changed.
    func tick() {
        let now = clock()
        state.withLock { s in
            guard !s.paused, let oldest = s.tasks.first, let top = s.tasks.last, now - oldest.started >= delay else { return }
            let text = ProgressBar.line(label: top.label, done: top.done, total: top.total, elapsed: now - top.started,
                                        width: width(), colors: colors)
            guard text != s.drawn else { return }
            write("\r" + text + "\u{1B}[K")
            s.drawn = text
            lineOnScreen.store(true, ordering: .relaxed)
        }
    }

    /// Inside `state.withLock`. A tick already waiting for the lock finds no task and returns.
    private func stopTimer() {
        timer?.cancel()
        timer = nil
    }

    private func erase(_ s: inout State) {
        guard s.drawn != nil else { return }
        write("\r\u{1B}[K")
        s.drawn = nil
        lineOnScreen.store(false, ordering: .relaxed)
    }

    /// For scripts, which Ctrl-C ends at once: SIGINT erases the line (if one is drawn), then
    /// ends the process as SIGINT always did. The REPL handles Ctrl-C itself (`Interrupt`).
    public static func eraseOnInterrupt() {
        var action = sigaction()
        let handler: @convention(c) (Int32) -> Void = { signo in
            if lineOnScreen.load(ordering: .relaxed) { eraseLineFromSignalHandler() }
            signal(signo, SIG_DFL)
            raise(signo)
        }
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    // MARK: - The line

    /// The most cells the bar itself takes.
    static let maxBarCells = 30
    static let minBarCells = 5

    /// `label  ███░░░  done/total  pct%  time`, fitted into `width - 1` columns: the bar
    /// shrinks first, then goes, then the label is shortened with `…`. The numbers are padded
    /// to their widest, so the bar keeps its size while they grow.
    static func line(label: String, done: Int, total: Int?, elapsed: Double, width: Int, colors: Bool) -> String {
        let room = max(width - 1, 10)
        let time = duration(elapsed)
        let tail: String
        var fraction: Double?
        if let total, total > 0 {
            let d = min(max(done, 0), total)
            fraction = Double(d) / Double(total)
            let all = grouped(total)
            tail = padded(grouped(d), all.count) + "/" + all + "  " + padded("\(d * 100 / total)%", 4) + "  " + padded(time, 5)
        } else {
            tail = "\(grouped(max(done, 0))) fetched  \(time)"
        }
        let label = label.filter { !$0.isNewline && $0 != "\u{1B}" && $0 != "\r" }
        if let fraction {
            let cells = min(maxBarCells, room - label.count - 2 - 2 - tail.count)
            if cells >= minBarCells {
                let filled = Int(fraction * Double(cells))
                var full = String(repeating: "█", count: filled), empty = String(repeating: "░", count: cells - filled)
                if colors {
                    full = "\u{1B}[36m" + full + "\u{1B}[0m"
                    if !empty.isEmpty { empty = "\u{1B}[2m" + empty + "\u{1B}[0m" }
                }
                return label + "  " + full + empty + "  " + tail
            }
        }
        let labelRoom = room - 2 - tail.count
        if labelRoom >= 4 { return shortened(label, to: labelRoom) + "  " + tail }
        return shortened(tail, to: room)
    }

    static func shortened(_ text: String, to n: Int) -> String {
        guard text.count > n else { return text }
        var kept = text.prefix(n - 1)
        while kept.last == " " { kept.removeLast() }
        return kept + "…"
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(width - text.count, 0)) + text
    }

    /// `0.4s`, `59.9s`, `1m05s`, `2h03m`.
    static func duration(_ seconds: Double) -> String {
        let s = max(seconds, 0)
        if s < 60 {
            let tenths = Int(s * 10)
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let whole = Int(s)
        if whole < 3600 { return "\(whole / 60)m" + twoDigits(whole % 60) + "s" }
        return "\(whole / 3600)h" + twoDigits(whole % 3600 / 60) + "m"
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}
