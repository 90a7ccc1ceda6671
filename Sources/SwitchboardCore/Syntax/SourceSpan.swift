import Foundation

/// A range of bytes in one source file. `source` indexes the interpreter's `SourceMap`.
public struct SourceSpan: Sendable, Hashable {
    public var source: Int32
    public var start: Int32
    public var end: Int32

    public init(source: Int32, start: Int32, end: Int32) {
        self.source = source
        self.start = start
        self.end = end
    }

    public init(source: Int32, start: Int, end: Int) {
        self.init(source: source, start: Int32(start), end: Int32(end))
    }

    /// A span that points nowhere (values made by commands, not by literals).
    public static let unknown = SourceSpan(source: -1, start: 0, end: 0)

    public var isKnown: Bool { source >= 0 }

    /// The smallest span covering both.
    public func to(_ other: SourceSpan) -> SourceSpan {
        guard isKnown else { return other }
        guard other.isKnown, other.source == source else { return self }
        return SourceSpan(source: source, start: min(start, other.start), end: max(end, other.end))
    }
}

/// One file (or `-c` line, or REPL entry) of source text.
public final class SourceFile: Sendable {
    public let name: String
    public let text: String
    public let bytes: [UInt8]
    /// Byte offsets where each line starts.
    public let lineStarts: [Int]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        let bytes = Array(text.utf8)
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let end = min(max(offset, start), bytes.count)
        let column = String(decoding: bytes[start..<end], as: UTF8.self).count + 1
        return (lo + 1, column)
    }

    /// The text of a 1-based line, without its newline.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
        if end > start, end <= bytes.count, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    public func text(of span: SourceSpan) -> String {
        let s = max(0, min(Int(span.start), bytes.count)), e = max(s, min(Int(span.end), bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}

/// Every source the interpreter has seen, so spans can be rendered later.
public final class SourceMap: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [SourceFile] = []

    public init() {}

    public func add(_ file: SourceFile) -> Int32 {
        lock.lock(); defer { lock.unlock() }
        files.append(file)
        return Int32(files.count - 1)
    }

    public func file(_ id: Int32) -> SourceFile? {
        lock.lock(); defer { lock.unlock() }
        guard id >= 0, Int(id) < files.count else { return nil }
        return files[Int(id)]
    }
}
