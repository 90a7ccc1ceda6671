import Foundation

/// How results of top-level statements are printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, ndjson, csv
}

/// Limits that stop a runaway script with a clear error.
public struct Limits: Sendable {
    /// Nested calls of `fn`s and closures.
    public var maxCallDepth: Int = 1000
    /// Evaluation steps (statements, calls and loop iterations); nil for no limit.
    public var maxSteps: Int? = nil
    /// Wall-clock time for one `run`; nil for no limit.
    public var timeLimit: Duration? = nil
    /// Bytes written to the output sink; nil for no limit.
    public var maxOutputBytes: Int? = nil

    public init(maxCallDepth: Int = 1000, maxSteps: Int? = nil, timeLimit: Duration? = nil, maxOutputBytes: Int? = nil) {
        self.maxCallDepth = maxCallDepth
        self.maxSteps = maxSteps
        self.timeLimit = timeLimit
        self.maxOutputBytes = maxOutputBytes
    }
}

/// What an interpreter may touch.
public struct Capabilities: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Every vendor action is refused before any request.
    public static let readOnly = Capabilities(rawValue: 1)
    /// No vendor request or `http` at all.
    public static let noNetwork = Capabilities(rawValue: 2)
    /// No `open`, `save` or `source` from disk.
    public static let noFileSystem = Capabilities(rawValue: 4)
}

/// How an interpreter talks to its host, in the spirit of Wren's `WrenConfiguration`.
public struct InterpreterConfiguration {
    /// Standard output: printed results and `print`.
    public var write: (String) -> Void
    /// Diagnostics, warnings and action summaries (stderr in `swb`).
    public var writeError: (String) -> Void
    /// Reads the file named by `source` (the path as written, and the directory of the
    /// file that sources it). Returns the name to show in errors and the text.
    public var loadModule: (_ path: String, _ relativeTo: String?) throws -> (name: String, text: String)
    public var limits: Limits
    public var capabilities: Capabilities
    /// Polled during evaluation; return true to stop the running script (Ctrl-C, host cancel).
    public var isCancelled: () -> Bool
    /// How top-level results are printed.
    public var outputFormat: OutputFormat
    /// Terminal width for tables; nil means not a terminal.
    public var terminalWidth: Int?
    /// The process environment as `$env` sees it.
    public var environment: [String: String]
    /// The working directory for relative paths of `open`, `save` and `source`.
    public var workingDirectory: String
    /// Load the prelude (`stdlib/*.swb`).
    public var loadPrelude: Bool

    public init(write: @escaping (String) -> Void = { FileHandleOutput.stdout.write($0) },
                writeError: @escaping (String) -> Void = { FileHandleOutput.stderr.write($0) },
                loadModule: ((_ path: String, _ relativeTo: String?) throws -> (name: String, text: String))? = nil,
                limits: Limits = Limits(),
                capabilities: Capabilities = [],
                isCancelled: @escaping () -> Bool = { false },
                outputFormat: OutputFormat = .json,
                terminalWidth: Int? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: String = FileManager.default.currentDirectoryPath,
                loadPrelude: Bool = true) {
        self.write = write
        self.writeError = writeError
        self.loadModule = loadModule ?? InterpreterConfiguration.fileLoader
        self.limits = limits
        self.capabilities = capabilities
        self.isCancelled = isCancelled
        self.outputFormat = outputFormat
        self.terminalWidth = terminalWidth
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.loadPrelude = loadPrelude
    }

    /// Reads `source` paths from disk, relative to the sourcing file's directory.
    public static func fileLoader(_ path: String, _ relativeTo: String?) throws -> (name: String, text: String) {
        var full = (path as NSString).expandingTildeInPath
        if !full.hasPrefix("/"), let base = relativeTo { full = (base as NSString).appendingPathComponent(full) }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw SwitchboardError(.io, "cannot read `\(path)`: no such file")
        }
        return (path, String(decoding: data, as: UTF8.self))
    }
}

/// Unbuffered-enough writes to stdout/stderr without touching C globals (Swift 6).
public final class FileHandleOutput: @unchecked Sendable {
    public static let stdout = FileHandleOutput(fd: 1)
    public static let stderr = FileHandleOutput(fd: 2)
    let fd: Int32
    private let lock = NSLock()
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    public func write(_ s: String) {
        if fd == 2 { FileHandleOutput.stdout.flush() }   // keep stdout and stderr in order
        lock.lock()
        buffer.append(contentsOf: s.utf8)
        let flushNow = buffer.count > 64 * 1024 || fd == 2 || s.hasSuffix("\n") && buffer.count > 8 * 1024
        lock.unlock()
        if flushNow { flush() }
    }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { p in Foundation.write(fd, p.baseAddress! + off, buffer.count - off) }
            if n <= 0 { break }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
