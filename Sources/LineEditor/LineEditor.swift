#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibEdit

/// A terminal line editor over libedit's native API (el_gets): emacs keys, history on the
/// arrow keys and Ctrl-R, Tab calling the completer. Callbacks find `self` through
/// EL_CLIENTDATA, so there is no global state besides the SIGINT flag (see `Interrupt`).
public final class LineEditor: LineReader {
    private let el: OpaquePointer?
    private let history: EditHistory
    private let completer: (_ line: String, _ cursorByteOffset: Int) -> Completion?
    private var promptBuffer: UnsafeMutablePointer<CChar>? = strdup("")

    /// - Parameters:
    ///   - name: program name, used by ~/.editrc for program-specific bindings.
    ///   - completer: called on Tab with the line and the cursor's UTF-8 byte offset.
    public init(
        name: String,
        history options: HistoryOptions,
        completer: @escaping (_ line: String, _ cursorByteOffset: Int) -> Completion?
    ) {
        self.completer = completer
        history = EditHistory(options)
        ensureUTF8Locale()   // before el_init, or non-ASCII keystrokes are dropped
        el = clibedit_init(name)
        guard let el else { return }

        clibedit_set_editor(el, "emacs")
        clibedit_set_signal(el, 1)   // libedit restores the tty on SIGINT, SIGTSTP, SIGWINCH
        clibedit_set_history(el, history.handle)
        clibedit_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        // Non-capturing closures convert to C function pointers.
        clibedit_set_prompt(el, { el in
            guard let el, let editor = LineEditor.from(el) else { return nil }
            return editor.promptBuffer
        }, CChar(1))
        clibedit_add_function(el, "switchboard-complete", "Complete the word at the cursor") { el, _ in
            guard let el, let editor = LineEditor.from(el) else { return UInt8(CC_ERROR) }
            return editor.complete(el)
        }
        clibedit_bind(el, "^I", "switchboard-complete")
        clibedit_bind(el, "^R", "em-inc-search-prev")
        clibedit_bind(el, "^W", "ed-delete-prev-word")
        el_source(el, nil)   // ~/.editrc, after our defaults so the user can change them
    }

    deinit {
        if let el { el_end(el) }
        free(promptBuffer)
    }

    private static func from(_ el: OpaquePointer) -> LineEditor? {
        guard let raw = clibedit_get_clientdata(el) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(raw).takeUnretainedValue()
    }

    /// The prompt may contain ANSI color sequences; they are not counted in its width.
    public func read(prompt: String) -> LineReadResult {
        guard let el else { return PlainLineReader().read(prompt: prompt) }
        free(promptBuffer)
        promptBuffer = strdup(markPromptEscapes(prompt))
        Interrupt.reset()
        var count: Int32 = 0
        guard let text = Interrupt.whileReading({ el_gets(el, &count) }), count > 0 else {
            return Interrupt.consume() ? .interrupted : .eof
        }
        var line = String(cString: text)   // owned by libedit: copied, not freed
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    public func addHistory(_ line: String) {
        history.add(line)
    }

    public func saveHistory() {
        history.save()
    }

    /// The Tab handler (EL_ADDFN).
    private func complete(_ el: OpaquePointer) -> UInt8 {
        guard let info = el_line(el)?.pointee, let buffer = info.buffer,
              let cursor = info.cursor, let last = info.lastchar
        else { return UInt8(CC_ERROR) }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: max(buffer.distance(to: last), 0))
        let line = String(decoding: bytes, as: UTF8.self)
        let cursorOffset = min(max(buffer.distance(to: cursor), 0), bytes.count)

        switch completionAction(line: line, cursor: cursorOffset, completion: completer(line, cursorOffset)) {
        case .beep:
            return UInt8(CC_REFRESH_BEEP)
        case .edit(let deleteScalars, let insert):
            if deleteScalars > 0 { el_deletestr(el, Int32(clamping: deleteScalars)) }
            if !insert.isEmpty && el_insertstr(el, insert) != 0 { return UInt8(CC_REFRESH_BEEP) }
            return UInt8(CC_REFRESH)
        case .list(let candidates):
            let lines = columnLayout(candidates, width: Terminal.width)
            clibedit_write_stdout("\n" + lines.joined(separator: "\n") + "\n")
            return UInt8(CC_REDISPLAY)
        }
    }
}
