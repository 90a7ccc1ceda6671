import Foundation
import LineEditor
import Switchboard

/// The interactive shell: libedit line editing, completion, history, multi-line input
/// decided by the parser (as Lua's `lua.c` does), Ctrl-C to clear a line or stop a pipeline.
final class REPL {
    let interpreter: Interpreter
    let reader: LineReader
    let completer: Completer
    /// The prompt's label: the current vendor, or `sandbox`.
    let label: () -> String
    let colors: Bool
    /// The progress line on stderr (nil when stderr is not a terminal).
    let progress: ProgressBar?

    init(interpreter: Interpreter, completer: Completer, label: @escaping () -> String, progress: ProgressBar?) {
        self.interpreter = interpreter
        self.completer = completer
        self.label = label
        self.progress = progress
        self.colors = Terminal.colorsEnabled(isTTY: isatty(2) == 1)
        let completer = completer
        reader = makeLineReader(name: "swb", history: HistoryOptions(path: defaultHistoryPath(), maxEntries: 1000)) { line, cursor in
            guard let r = completer.complete(line: line, cursor: cursor) else { return nil }
            return Completion(replaceFrom: r.replaceFrom, candidates: r.candidates, appendSpace: r.appendSpace)
        }
    }

    func run(banner: String) -> Int32 {
        Interrupt.install()
        interpreter.configuration.isCancelled = { Interrupt.pending }
        interpreter.configuration.write = { [progress] text in
            progress?.clear()
            FileHandleOutput.stdout.write(text)
            FileHandleOutput.stdout.flush()
        }
        FileHandleOutput.stderr.write(banner)
        var pending = ""
        while true {
            interpreter.configuration.terminalWidth = Terminal.width
            let prompt = pending.isEmpty ? "swb[\(label())]> " : String(repeating: " ", count: label().count + 3) + "... "
            switch reader.read(prompt: prompt) {
            case .eof:
                if !pending.isEmpty {
                    pending = ""
                    FileHandleOutput.stdout.write("\n")
                    continue
                }
                FileHandleOutput.stdout.write("\n")
                FileHandleOutput.stdout.flush()
                reader.saveHistory()
                return 0
            case .interrupted:
                pending = ""
                FileHandleOutput.stdout.write("^C\n")
                FileHandleOutput.stdout.flush()
                continue
            case .line(let line):
                pending += pending.isEmpty ? line : "\n" + line
            }
            if pending.trimmingCharacters(in: .whitespaces).isEmpty {
                pending = ""
                continue
            }
            // Ask for more lines while the statement is unfinished.
            do {
                _ = try interpreter.parse(pending, name: "<repl>")
            } catch {
                if error.isIncomplete { continue }
            }
            reader.addHistory(pending)
            reader.saveHistory()
            let text = pending
            pending = ""
            evaluate(text)
        }
    }

    /// Asks before a bulk action: `assign group 10204 to 37 agents on chatrhub? [y/N] `.
    /// Anything but y or yes, Ctrl-C and Ctrl-D say no.
    func confirm(_ question: String) -> Bool {
        FileHandleOutput.stdout.flush()
        let read = { self.reader.read(prompt: question + " [y/N] ") }
        switch progress?.paused(read) ?? read() {
        case .line(let answer):
            return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
        case .interrupted:
            FileHandleOutput.stderr.write("^C\n")
            return false
        case .eof:
            FileHandleOutput.stderr.write("\n")
            return false
        }
    }

    func evaluate(_ text: String) {
        Interrupt.reset()
        var erased = false   // the progress line was on screen (and the terminal's `^C` with it)
        do {
            defer { erased = progress?.finishAll() ?? false }   // erased before any message below
            let interpreter = self.interpreter
            try CLI.onBigStack { try interpreter.run(text, name: "<repl>") }
        } catch let e as ExitRequest {
            reader.saveHistory()
            FileHandleOutput.stdout.flush()
            exit(e.code)
        } catch let e as SwitchboardError where e.kind == .cancelled {
            FileHandleOutput.stdout.flush()
            // Ctrl-C while running (after the terminal's `^C`), or a "no" to a confirmation.
            FileHandleOutput.stderr.write(e.message != "interrupted" ? e.message + "\n" : erased ? "interrupted\n" : "\ninterrupted\n")
        } catch {
            FileHandleOutput.stdout.flush()
            var rendered = interpreter.render(error)
            if colors { rendered = rendered.replacingOccurrences(of: "error:", with: "\u{1B}[31merror:\u{1B}[0m") }
            FileHandleOutput.stderr.write(rendered)
        }
        Interrupt.reset()
        FileHandleOutput.stdout.flush()
    }
}
