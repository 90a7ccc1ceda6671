#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibEdit

public struct HistoryOptions: Sendable, Equatable {
    /// File to load at start and write on `saveHistory()`; nil keeps history in memory only.
    public var path: String?
    /// Oldest entries are dropped beyond this, in memory and in the file.
    public var maxEntries: Int

    public init(path: String?, maxEntries: Int = 1000) {
        self.path = path
        self.maxEntries = maxEntries
    }
}

/// libedit's history list (H_ENTER, H_LOAD, H_SAVE). The file format is libedit's:
/// `_HiStOrY_V2_`, then one strvis-encoded entry a line, so multi-line entries stay one entry.
final class EditHistory {
    let handle: OpaquePointer
    let options: HistoryOptions

    init(_ options: HistoryOptions) {
        self.options = options
        handle = history_init()
        clibedit_history_setsize(handle, Int32(clamping: max(options.maxEntries, 0)))
        clibedit_history_setunique(handle, 1)   // no consecutive duplicates
        if let path = options.path {
            _ = clibedit_history_load(handle, path)   // -1 when missing or unreadable: start empty
        }
    }

    deinit {
        history_end(handle)
    }

    /// Entries that are never recorded: empty or blank lines, and lines starting with a space.
    static func isRecordable(_ line: String) -> Bool {
        !line.hasPrefix(" ") && !line.allSatisfy(\.isWhitespace)
    }

    func add(_ line: String) {
        guard options.maxEntries > 0, Self.isRecordable(line) else { return }
        _ = clibedit_history_enter(handle, line)
    }

    /// Writes the file (mode 0600). False if there is no path or writing failed.
    @discardableResult
    func save() -> Bool {
        guard let path = options.path else { return false }
        guard clibedit_history_save(handle, path) >= 0 else { return false }
        chmod(path, 0o600)
        return true
    }

    /// Oldest first.
    var entries: [String] {
        var result: [String] = []
        var entry = clibedit_history_step(handle, H_FIRST)   // newest
        while let current = entry {
            result.append(String(cString: current))
            entry = clibedit_history_step(handle, H_NEXT)
        }
        return result.reversed()
    }
}

/// `$XDG_STATE_HOME/switchboard/history`, or `~/.local/state/switchboard/history`.
/// Creates the missing directories with mode 0700. The file itself is written by
/// `saveHistory()` with mode 0600.
public func defaultHistoryPath() -> String {
    defaultHistoryPath(environment: { name in getenv(name).map { String(cString: $0) } })
}

func defaultHistoryPath(environment: (String) -> String?) -> String {
    var base: String
    // The XDG spec says relative paths are to be ignored.
    if let state = environment("XDG_STATE_HOME"), state.hasPrefix("/") {
        base = state
    } else {
        base = (environment("HOME").flatMap { $0.hasPrefix("/") ? $0 : nil } ?? homeFromPasswd() ?? "/tmp")
            + "/.local/state"
    }
    while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
    let directory = base + "/switchboard"
    makeDirectories(directory)
    return directory + "/history"
}

private func homeFromPasswd() -> String? {
    guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
    let home = String(cString: dir)
    return home.isEmpty ? nil : home
}

/// `mkdir -p` with mode 0700 for the directories it creates. Errors are ignored: the
/// history is then simply not saved.
private func makeDirectories(_ path: String) {
    var partial = ""
    for component in path.split(separator: "/") {
        partial += "/" + component
        _ = mkdir(partial, 0o700)
    }
}
