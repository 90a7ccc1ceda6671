import Foundation
import SwitchboardCore

/// Per-interpreter vendor state: the registry and the current vendor (`use`).
public final class VendorSession {
    public let registry: VendorRegistry
    /// Set by `use NAME`; nil means the registry's default.
    public var current: String?
    unowned let interpreter: Interpreter

    init(registry: VendorRegistry, interpreter: Interpreter) {
        self.registry = registry
        self.interpreter = interpreter
    }

    public static func of(_ interpreter: Interpreter) -> VendorSession? {
        interpreter.services[ObjectIdentifier(VendorSession.self)] as? VendorSession
    }

    var cancelled: @Sendable () -> Bool {
        let check = interpreter.configuration.isCancelled
        nonisolated(unsafe) let c = check
        return { c() }
    }

    func io(_ adapter: any VendorAdapter) -> IO { IO(client: adapter.client, cancelled: cancelled) }

    /// The connections a command runs on: `--vendor NAME`, `--vendor all`, or the current one.
    func vendors(_ ctx: CallContext) throws -> [String] {
        if let v = try ctx.flagString("vendor") {
            if v == "all" { return registry.names }
            guard registry.connection(v) != nil else {
                throw SwitchboardError.unknown("vendor", v, candidates: registry.names + ["all"], span: ctx.args.flagSpans["vendor"] ?? ctx.span)
            }
            return [v]
        }
        guard let name = current ?? registry.defaultVendor else {
            throw ctx.error(.name, "no vendor is configured", label: nil)
        }
        return [name]
    }

    func requireNetwork(_ ctx: CallContext) throws {
        if interpreter.configuration.capabilities.contains(.noNetwork) {
            throw ctx.error(.vendor, "\(ctx.signature.name): vendor requests are not allowed here (no network access)")
        }
    }

    var dryRunSetting: Bool { interpreter.settings["dry-run"]?.asBool == true }
}

/// Registers the vendor commands (resources, actions, `vendors`, `use`, `http`, `set`).
public func installVendors(into interpreter: Interpreter, registry: VendorRegistry) {
    let session = VendorSession(registry: registry, interpreter: interpreter)
    interpreter.services[ObjectIdentifier(VendorSession.self)] = session
    interpreter.useHandler = { [unowned session] name, span in
        guard registry.connection(name) != nil else {
            throw SwitchboardError.unknown("vendor", name, candidates: registry.names, span: span,
                                           suffix: registry.names.isEmpty ? "" : " (configured: \(registry.names.joined(separator: ", ")))")
        }
        session.current = name
    }
    for c in ResourceCommands.all() + ActionCommands.all() + ShellCommands.all() { interpreter.register(c) }
}

/// A vendor or HTTP error as a language error (message already names vendor, method, path, status).
func languageError(_ error: Error, _ ctx: CallContext, secrets: [String]) -> Error {
    if error is SwitchboardError { return (error as! SwitchboardError).at(ctx.span) }
    let text = Redaction.scrub(String(describing: error), secrets: secrets)
    switch error {
    case let e as VendorHTTPError:
        return SwitchboardError(.vendor, text, span: ctx.span, payload: .record(["vendor": .string(e.vendor), "method": .string(e.method), "path": .string(e.path), "status": .int(e.status), "message": .string(Redaction.scrub(e.message, secrets: secrets))]))
    case is Unsupported: return SwitchboardError(.vendor, text, span: ctx.span)
    case is ConfigError: return SwitchboardError(.vendor, text, span: ctx.span)
    default: return SwitchboardError(.vendor, text, span: ctx.span)
    }
}

extension VendorSession {
    /// Runs `body`, turning vendor errors into language errors pointed at the call.
    func guarded<T>(_ ctx: CallContext, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw languageError(error, ctx, secrets: registry.secrets) }
    }

    /// A stream whose errors are language errors.
    func guardedStream(_ ctx: CallContext, _ s: ValueStream) -> ValueStream {
        let secrets = registry.secrets
        return ValueStream(next: {
            do { return try s.next() } catch { throw languageError(error, ctx, secrets: secrets) }
        }, onClose: { s.close() })
    }
}
