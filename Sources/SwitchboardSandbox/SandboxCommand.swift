import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif

/// Usage text for `swb sandbox`.
let sandboxUsage = """
    usage: swb sandbox [--port P] [--seed N] [--agents N] [--latency 20ms] [--error-rate 0.05]
                       [--rate-limit 50/s] [--drop-rate 0.05] [--log FILE]

    Serves ChatrHub, Agent IQ, SmartAssist and Dixa on 127.0.0.1 (ports P, P+1, P+2, P+3, or free
    ports), prints a config.toml that points swb at them, and runs until Ctrl-C or SIGTERM.
    """

/// Parses `swb sandbox` arguments. Throws `SandboxError.invalidOption` with a message for bad usage.
func parseSandboxArguments(_ arguments: [String]) throws -> SandboxOptions {
    var options = SandboxOptions()
    var rest = arguments[...]
    func value(_ flag: String) throws -> String {
        guard let v = rest.popFirst() else { throw SandboxError.invalidOption("\(flag) needs a value") }
        return v
    }
    while let arg = rest.popFirst() {
        var flag = arg
        if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
            flag = String(arg[..<eq])
            rest.insert(String(arg[arg.index(after: eq)...]), at: rest.startIndex)
        }
        switch flag {
        case "--port":
            let text = try value(flag)
            guard let p = Int(text), (1...65532).contains(p) else {
                throw SandboxError.invalidOption("--port must be a number from 1 to 65532, got \(text)")
            }
            options.port = p
        case "--seed":
            let text = try value(flag)
            guard let s = UInt64(text) else { throw SandboxError.invalidOption("--seed must be a non-negative integer, got \(text)") }
            options.seed = s
        case "--agents":
            let text = try value(flag)
            guard let n = Int(text), (1...1_000_000).contains(n) else {
                throw SandboxError.invalidOption("--agents must be a number from 1 to 1000000, got \(text)")
            }
            options.agents = n
        case "--latency":
            let text = try value(flag)
            guard let d = parseDuration(text) else {
                throw SandboxError.invalidOption("--latency must look like 20ms, 1.5s or 0, got \(text)")
            }
            options.latency = d
        case "--error-rate", "--drop-rate":
            let text = try value(flag)
            guard let r = Double(text), r.isFinite, (0...1).contains(r) else {
                throw SandboxError.invalidOption("\(flag) must be a fraction from 0 to 1, got \(text)")
            }
            if flag == "--error-rate" { options.errorRate = r } else { options.dropRate = r }
        case "--rate-limit":
            let text = try value(flag)
            let number = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
            guard let r = Double(number), r.isFinite, r > 0 else {
                throw SandboxError.invalidOption("--rate-limit must look like 50/s, got \(text)")
            }
            options.rateLimit = r
        case "--log":
            let text = try value(flag)
            guard !text.isEmpty else { throw SandboxError.invalidOption("--log needs a file name") }
            options.logPath = text
        default:
            throw SandboxError.invalidOption("unknown argument: \(arg)")
        }
    }
    return options
}

/// `20ms`, `1.5s`, `250us`, `0` -> Duration.
func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("s", 1), ("m", 60)]
    if text == "0" { return .zero }
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        guard let v = Double(text.dropLast(suffix.count)), v.isFinite, v >= 0, v * scale <= 3600 else { return nil }
        return .nanoseconds(Int64((v * scale * 1e9).rounded()))
    }
    return nil
}

/// Waits for SIGINT or SIGTERM. The signals' default action (terminate) is turned off and
/// Dispatch signal sources report them instead.
private func waitForTerminationSignal() async {
    let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { continuation.yield(number) }
        source.resume()
        sources.append(source)
    }
    var iterator = signals.makeAsyncIterator()
    _ = await iterator.next()
    for source in sources { source.cancel() }
}

/// `swb sandbox [--port P] [--seed N] [--agents N] [--latency 20ms] [--error-rate 0.05]
/// [--rate-limit 50/s] [--drop-rate 0.05] [--log FILE]`: starts the sandbox, prints the config
/// snippet and the ports, and serves until SIGINT or SIGTERM. Returns 0 after a clean stop,
/// 2 for bad usage, 1 when the servers cannot start.
public func runSandboxCommand(arguments: [String]) async -> Int32 {
    if arguments.contains("--help") || arguments.contains("-h") {
        print(sandboxUsage)
        return 0
    }
    let options: SandboxOptions
    do {
        options = try parseSandboxArguments(arguments)
    } catch {
        FileHandle.standardError.write(Data("swb sandbox: \(error)\n\(sandboxUsage)\n".utf8))
        return 2
    }
    let sandbox: Sandbox
    do {
        sandbox = try await Sandbox.start(options)
    } catch {
        FileHandle.standardError.write(Data("swb sandbox: \(error)\n".utf8))
        return 1
    }
    for vendor in sandbox.vendors {
        print("\(vendor.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(vendor.baseURL)")
    }
    print("\n# config.toml for this sandbox (the keys are the sandbox's own fake credentials):\n")
    print(sandbox.configTOML())
    print("Serving \(options.agents) agents per vendor, seed \(options.seed). Press Ctrl-C to stop.")
    fflush(nil)
    await waitForTerminationSignal()
    await sandbox.shutdown()
    return 0
}
