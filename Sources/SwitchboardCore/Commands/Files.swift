import Foundation

extension Builtins {
    static func files() -> [Command] {
        [open, save]
    }

    /// Refuses file access when the host turned it off, before anything touches the disk.
    static func checkFileAccess(_ ctx: CallContext) throws {
        if ctx.interpreter.configuration.capabilities.contains(.noFileSystem) {
            throw ctx.error(.io, "\(ctx.signature.name): file access is turned off in this interpreter", arg: 0)
        }
    }

    static var open: Command { Command(
        Signature("open", positionals: [Parameter("path", .path, "the file; .json, .csv, .ndjson and .jsonl are parsed, anything else is text")],
                  flags: [Flag("raw", short: "r", nil, "give the text without parsing it")],
                  input: "nothing", output: "any"),
        description: "Read a file, parsed by its extension (json, csv, ndjson/jsonl) or as text.",
        category: "format",
        examples: [
            Example("read back a saved JSON file", "[{id: 1}] | save agents.json; open agents.json", result: #"[{"id":1}]"#),
            Example("a CSV file is parsed; --raw gives its text", "[{id: 1}] | save a.csv; open --raw a.csv", result: #""id\n1\n""#),
        ]
    ) { ctx in
        try checkFileAccess(ctx)
        let path = try ctx.string(0)
        let full = ctx.interpreter.resolvePath(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else {
            throw ctx.error(.io, "open: no such file `\(path)`", arg: 0)
        }
        if isDir.boolValue { throw ctx.error(.io, "open: `\(path)` is a directory, not a file", arg: 0) }
        let format = ctx.args.has("raw") ? nil : DataFormat(extension: (path as NSString).pathExtension)
        // Errors found later, while the stream is pulled, still name the file and the argument.
        let span = ctx.args.span(0)
        let located = { (e: SwitchboardError) in SwitchboardError(.value, "open `\(path)`: \(e.message)", span: span) }
        if format == .ndjson {
            guard let handle = FileHandle(forReadingAtPath: full) else {
                throw ctx.error(.io, "open: cannot read `\(path)` (permission denied?)", arg: 0)
            }
            let reader = NDJSONReader(handle)
            return .stream(ValueStream(next: {
                do { return try reader.next() } catch let e as SwitchboardError { throw located(e) }
            }, onClose: { try? handle.close() }))
        }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw ctx.error(.io, "open: cannot read `\(path)` (permission denied?)", arg: 0)
        }
        do {
            switch format {
            case .json:
                let value = try JSON.stream(bytes: [UInt8](data))
                guard case .stream(let elements) = value else { return value }
                return .stream(ValueStream(next: {
                    do { return try elements.next() } catch let e as SwitchboardError { throw located(e) }
                }))
            case .some(let f): return try f.decode(String(decoding: data, as: UTF8.self))
            case nil: return .string(String(decoding: data, as: UTF8.self))
            }
        } catch let e as SwitchboardError {
            throw located(e)
        }
    } }

    /// The columns of an existing CSV file (nil when it is empty).
    static func csvHeader(_ path: String) throws -> [String]? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        var line = Data()
        while line.count < 1 << 20, let chunk = try h.read(upToCount: 4096), !chunk.isEmpty {
            if let nl = chunk.firstIndex(of: UInt8(ascii: "\n")) { line += chunk[..<nl]; break }
            line += chunk
        }
        return try CSV.parse(String(decoding: line, as: UTF8.self)).first
    }

    static var save: Command { Command(
        Signature("save", positionals: [Parameter("path", .path, "the file; the extension (.json, .csv, .ndjson, .jsonl) picks the format, anything else is text")],
                  flags: [Flag("force", short: "f", nil, "overwrite the file if it exists"),
                          Flag("append", short: "a", nil, "add to the end of the file (csv: without repeating the header)"),
                          Flag("raw", short: "r", nil, "write the input as text, whatever the extension")],
                  input: "any", output: "nothing"),
        description: "Write the input to a file in the format of its extension; refuses to overwrite without --force.",
        category: "format",
        examples: [
            Example("save rows as CSV", #"[{name: "Ann", load: 2}] | save agents.csv; open agents.csv"#, result: #"[{"name":"Ann","load":2}]"#),
            Example("replace a file", "[1, 2] | save n.json; [3] | save --force n.json; open n.json", result: "[3]"),
            Example("add lines to a log", #"{e: "start"} | save -a log.ndjson; {e: "stop"} | save -a log.ndjson; open log.ndjson"#,
                    result: #"[{"e":"start"},{"e":"stop"}]"#),
        ]
    ) { ctx in
        try checkFileAccess(ctx)
        let path = try ctx.string(0)
        let full = ctx.interpreter.resolvePath(path)
        let fm = FileManager.default
        let append = ctx.args.has("append")
        var isDir: ObjCBool = false
        let exists = fm.fileExists(atPath: full, isDirectory: &isDir)
        if exists && isDir.boolValue { throw ctx.error(.io, "save: `\(path)` is a directory", arg: 0) }
        if exists && !append && !ctx.args.has("force") {
            throw ctx.error(.io, "save: `\(path)` already exists", arg: 0, label: "add --force to overwrite it, or --append to add to it")
        }
        let dir = (full as NSString).deletingLastPathComponent
        var dirIsDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &dirIsDir), dirIsDir.boolValue else {
            throw ctx.error(.io, "save: the directory `\(dir)` does not exist", arg: 0)
        }

        let format = ctx.args.has("raw") ? nil : DataFormat(extension: (path as NSString).pathExtension)
        if format == .json && append && exists {
            throw ctx.error(.usage, "save: --append cannot add to a .json file (the result would not be valid JSON)", flag: "append")
                .withHint("use a .ndjson file for records added over time")
        }
        // Everything goes to a temporary file next to the target first, item by item, so a
        // failure halfway (a bad value, a vendor error in the stream) leaves the target as it was.
        let name = (full as NSString).lastPathComponent
        let tmp = (dir as NSString).appendingPathComponent(".\(name).swb-\(UUID().uuidString.prefix(8)).tmp")
        guard fm.createFile(atPath: tmp, contents: nil), let out = FileHandle(forWritingAtPath: tmp) else {
            throw ctx.error(.io, "save: cannot write in `\(dir)` (permission denied?)", arg: 0)
        }
        var writer = FileWriter(out)
        do {
            defer { try? out.close() }
            switch format {
            case .json:
                try writer.writeJSON(ctx.input)
            case .csv:
                // Rows appended to a CSV file follow the columns of its header.
                let header = append && exists ? try csvHeader(full) : nil
                try writer.write(try CSV.encode(ctx.input.collected(), columns: header))
            case .ndjson:
                try writer.eachItem(ctx.input) { item, text in try JSON.write(item, into: &text, pretty: false, indent: 0) }
            case nil:
                if case .string(let s) = ctx.input { try writer.write(s) } else if ctx.input.isSequence {
                    try writer.eachItem(ctx.input) { item, text in text += Formatter.plain(item) }
                } else {
                    try writer.write(Formatter.plain(ctx.input) + "\n")
                }
            }
            try writer.flush()
        } catch {
            try? fm.removeItem(atPath: tmp)
            if let e = error as? SwitchboardError, !e.span.isKnown { throw ctx.error(e.kind, "save `\(path)`: \(e.message)", arg: 0) }
            if error is SwitchboardError { throw error }
            throw ctx.error(.io, "save: writing `\(path)` failed: \(error.localizedDescription)", arg: 0)
        }

        if append && exists {
            defer { try? fm.removeItem(atPath: tmp) }
            guard let target = FileHandle(forWritingAtPath: full), let source = FileHandle(forReadingAtPath: tmp) else {
                throw ctx.error(.io, "save: cannot open `\(path)` for writing", arg: 0)
            }
            defer { try? target.close(); try? source.close() }
            do {
                try target.seekToEnd()
                while let chunk = try source.read(upToCount: 1 << 20), !chunk.isEmpty { try target.write(contentsOf: chunk) }
            } catch {
                throw ctx.error(.io, "save: writing `\(path)` failed: \(error.localizedDescription)", arg: 0)
            }
            return .null
        }
        if renameFile(tmp, full) != 0 {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: tmp)
            throw ctx.error(.io, "save: cannot write `\(path)`: \(reason)", arg: 0)
        }
        return .null
    } }
}

/// POSIX rename: atomic replacement of the target (a free function, so `rename` is not the command).
private func renameFile(_ from: String, _ to: String) -> Int32 { rename(from, to) }

/// Buffered writes to a file, flushed every 256 KiB, so `save` streams its input.
struct FileWriter {
    let handle: FileHandle
    var buffer = ""

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func write(_ text: String) throws {
        buffer += text
        if buffer.utf8.count >= 1 << 18 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    /// Each item of `value` rendered by `render`, one per line.
    mutating func eachItem(_ value: Value, _ render: (Value, inout String) throws -> Void) throws {
        var it = value.iterate()
        defer { it.close() }
        while let item = try it.next() {
            try render(item, &buffer)
            buffer += "\n"
            if buffer.utf8.count >= 1 << 18 { try flush() }
        }
    }

    /// `value` as indented JSON; a list or stream is written item by item (the same text as
    /// `JSON.encode(value, pretty: true)`).
    mutating func writeJSON(_ value: Value) throws {
        guard value.isSequence else { return try write(JSON.encode(value, pretty: true) + "\n") }
        var it = value.iterate()
        defer { it.close() }
        var count = 0
        while let item = try it.next() {
            buffer += count == 0 ? "[\n  " : ",\n  "
            try JSON.write(item, into: &buffer, pretty: true, indent: 1)
            count += 1
            if buffer.utf8.count >= 1 << 18 { try flush() }
        }
        buffer += count == 0 ? "[]\n" : "\n]\n"
    }
}

/// One JSON value per line of a file, read in 1 MiB chunks and parsed as they are pulled.
final class NDJSONReader {
    private let handle: FileHandle
    private var parser = JSONParser([])
    private var carry: [UInt8] = []
    private var eof = false

    init(_ handle: FileHandle) { self.handle = handle }

    func next() throws -> Value? {
        while true {
            parser.skipWhitespace()
            if !parser.atEnd { return try parser.parseValue(depth: 0) }
            if eof { return nil }
            try refill()
        }
    }

    /// The next chunk up to its last newline (the rest waits for the following chunk).
    private func refill() throws {
        var bytes = carry
        if let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            bytes.append(contentsOf: chunk)
            if let nl = bytes.lastIndex(of: 0x0A) {
                carry = Array(bytes[(nl + 1)...])
                bytes.removeSubrange((nl + 1)...)
            } else {
                carry = bytes
                bytes = []
            }
        } else {
            eof = true
            carry = []
        }
        var next = JSONParser(bytes)
        next.firstLine = parser.firstLine + parser.b.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        next.lastShapes = parser.lastShapes
        parser = next
    }
}
