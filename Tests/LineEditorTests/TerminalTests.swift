import Testing
@testable import LineEditor
#if canImport(Glibc)
import Glibc
#endif

@Suite struct TerminalTests {
    func colors(tty: Bool, _ env: [String: String]) -> Bool {
        Terminal.colorsEnabled(isTTY: tty, environment: { env[$0] })
    }

    @Test func colorsFollowNoColorAndTheTerminal() {
        #expect(colors(tty: true, [:]))
        #expect(!colors(tty: false, [:]))
        #expect(!colors(tty: true, ["NO_COLOR": "1"]))
        #expect(!colors(tty: true, ["NO_COLOR": "0"]))       // any non-empty value
        #expect(colors(tty: true, ["NO_COLOR": ""]))         // empty means unset
        #expect(!colors(tty: true, ["TERM": "dumb"]))
        #expect(colors(tty: true, ["TERM": "xterm-256color"]))
    }

    @Test func widthFromTheTerminalThenColumnsThen80() {
        #expect(Terminal.resolveWidth(terminalColumns: 120, columnsVariable: "90") == 120)
        #expect(Terminal.resolveWidth(terminalColumns: 0, columnsVariable: "90") == 90)
        #expect(Terminal.resolveWidth(terminalColumns: 0, columnsVariable: " 100 ") == 100)
        #expect(Terminal.resolveWidth(terminalColumns: 0, columnsVariable: "wide") == 80)
        #expect(Terminal.resolveWidth(terminalColumns: 0, columnsVariable: "-5") == 80)
        #expect(Terminal.resolveWidth(terminalColumns: 0, columnsVariable: "") == 80)
        #expect(Terminal.resolveWidth(terminalColumns: 0, columnsVariable: nil) == 80)
        #expect(Terminal.width > 0)
    }

    @Test func promptEscapesAreMarkedAsNonPrinting() {
        #expect(markPromptEscapes("swb> ") == "swb> ")
        #expect(markPromptEscapes("\u{1B}[1;32mswb\u{1B}[0m> ")
            == "\u{1}\u{1B}[1;32m\u{1}swb\u{1}\u{1B}[0m\u{1}> ")
        #expect(markPromptEscapes("a\u{1}b") == "ab")               // stray markers removed
        #expect(markPromptEscapes("x\u{1B}[") == "x\u{1}\u{1B}[\u{1}")   // cut-off sequence
        #expect(markPromptEscapes("x\u{1B}") == "x\u{1}\u{1B}\u{1}")
        #expect(markPromptEscapes("\u{1B}(Bok") == "\u{1}\u{1B}(\u{1}Bok")
    }

    @Test func utf8LocaleAfterEnsureUTF8Locale() throws {
        ensureUTF8Locale()
        let name = try #require(setlocale(LC_CTYPE, nil)).pointee
        #expect(name != 0)
        // A UTF-8 locale decodes "é" (C3 A9) as one character.
        var wide: wchar_t = 0
        let bytes: [CChar] = [CChar(bitPattern: 0xC3), CChar(bitPattern: 0xA9)]
        #expect(mbtowc(&wide, bytes, 2) == 2)
        #expect(wide == 0xE9)
    }
}

/// Sends SIGINT to the calling thread and returns after the handler ran. Test threads
/// (libdispatch workers) block SIGINT, so it is unblocked here for the duration: with the
/// signal unblocked, POSIX delivers it before raise() returns.
func raiseSIGINTOnThisThread() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    var old = sigset_t()
    pthread_sigmask(SIG_UNBLOCK, &set, &old)
    raise(SIGINT)
    pthread_sigmask(SIG_SETMASK, &old, nil)
}

/// Touches the process-wide SIGINT handler and flag, so these run one at a time.
@Suite(.serialized) struct InterruptTests {
    @Test func sigintSetsTheFlagInsteadOfKillingTheProcess() {
        var previous = sigaction()
        sigaction(SIGINT, nil, &previous)
        defer { sigaction(SIGINT, &previous, nil) }

        Interrupt.install()
        Interrupt.reset()
        #expect(!Interrupt.pending)
        raiseSIGINTOnThisThread()
        #expect(Interrupt.pending)
        #expect(Interrupt.consume())
        #expect(!Interrupt.consume())
        #expect(!Interrupt.pending)
    }

    @Test func plainReaderReturnsLinesThenEOF() {
        Interrupt.reset()
        var lines = ["first", "", "café"]
        let reader = PlainLineReader(nextLine: { lines.isEmpty ? nil : lines.removeFirst() })
        #expect(reader.read(prompt: "> ") == .line("first"))
        #expect(reader.read(prompt: "> ") == .line(""))
        #expect(reader.read(prompt: "...> ") == .line("café"))
        #expect(reader.read(prompt: "> ") == .eof)
    }

    @Test func plainReaderReportsCtrlCAsInterrupted() {
        var previous = sigaction()
        sigaction(SIGINT, nil, &previous)
        defer { sigaction(SIGINT, &previous, nil) }

        Interrupt.install()
        Interrupt.reset()
        // A blocked read ends with EINTR when Ctrl-C arrives: readLine gives nil, flag is set.
        let reader = PlainLineReader(nextLine: { raiseSIGINTOnThisThread(); return nil })
        #expect(reader.read(prompt: "> ") == .interrupted)
        #expect(!Interrupt.pending)
        #expect(reader.read(prompt: "> ") == .interrupted)
        let atEnd = PlainLineReader(nextLine: { nil })
        #expect(atEnd.read(prompt: "> ") == .eof)
    }
}
