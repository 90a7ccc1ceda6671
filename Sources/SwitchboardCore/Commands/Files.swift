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
        guard let data = FileManager.default.contents(atPath: full) else {
            throw ctx.error(.io, "open: cannot read `\(path)` (permission denied?)", arg: 0)
        }
        let format = ctx.args.has("raw") ? nil : DataFormat(extension: (path as NSString).pathExtension)
        do {
            switch format {
            case .json: return try JSON.decode(bytes: [UInt8](data))
            case .some(let f): return try f.decode(String(decoding: data, as: UTF8.self))
            case nil: return .string(String(decoding: data, as: UTF8.self))
            }
        } catch let e as SwitchboardError {
            throw ctx.error(.value, "open `\(path)`: \(e.message)", arg: 0)
        }
    } }

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
        var text: String
        do {
            switch format {
            case .json:
                if append && exists {
                    throw ctx.error(.usage, "save: --append cannot add to a .json file (the result would not be valid JSON)", flag: "append")
                        .withHint("use a .ndjson file for records added over time")
                }
                text = try JSON.encode(ctx.input, pretty: true) + "\n"
            case .csv:
                text = try DataFormat.csv.encode(ctx.input)
                // Appending rows to a CSV file that already has its header.
                if append && exists, (try? fm.attributesOfItem(atPath: full)[.size] as? Int) ?? 0 > 0,
                   let nl = text.firstIndex(of: "\n") {
                    text = String(text[text.index(after: nl)...])
                }
            case .ndjson:
                text = try DataFormat.ndjson.encode(ctx.input)
            case nil:
                text = try plainText(ctx.input)
            }
        } catch let e as SwitchboardError where !e.span.isKnown {
            throw ctx.error(e.kind, "save `\(path)`: \(e.message)", arg: 0)
        }
        let data = Data(text.utf8)

        if append && exists {
            guard let handle = FileHandle(forWritingAtPath: full) else {
                throw ctx.error(.io, "save: cannot open `\(path)` for writing", arg: 0)
            }
            defer { try? handle.close() }
            do {
                try handle.seekToEnd()
                try handle.write(contentsOf: data)
            } catch {
                throw ctx.error(.io, "save: writing `\(path)` failed: \(error.localizedDescription)", arg: 0)
            }
            return .null
        }
        // Write a temporary file next to the target, then rename it over: never a half-written file.
        let name = (full as NSString).lastPathComponent
        let tmp = (dir as NSString).appendingPathComponent(".\(name).swb-\(UUID().uuidString.prefix(8)).tmp")
        guard fm.createFile(atPath: tmp, contents: data) else {
            throw ctx.error(.io, "save: cannot write in `\(dir)` (permission denied?)", arg: 0)
        }
        if renameFile(tmp, full) != 0 {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: tmp)
            throw ctx.error(.io, "save: cannot write `\(path)`: \(reason)", arg: 0)
        }
        return .null
    } }

    /// Text for a file without a data format: strings as they are, the items of a list one per line.
    static func plainText(_ v: Value) throws -> String {
        switch v {
        case .string(let s): return s
        case .list, .stream, .range:
            var out = ""
            var it = v.iterate()
            defer { it.close() }
            while let item = try it.next() {
                out += Formatter.plain(item)
                out += "\n"
            }
            return out
        default: return Formatter.plain(v) + "\n"
        }
    }
}

/// POSIX rename: atomic replacement of the target (a free function, so `rename` is not the command).
private func renameFile(_ from: String, _ to: String) -> Int32 { rename(from, to) }
