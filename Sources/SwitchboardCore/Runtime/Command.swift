/// The kind of value a parameter takes. It decides how the parser reads the argument
/// (`rowCondition` takes the rest of the stage as one condition) and how `help` shows it.
public enum ParameterType: String, Sendable {
    case any, string, int, number, bool, duration, date, list, record, closure
    /// A field name or dotted path (`raw.email`), written as a bareword.
    case field
    /// The rest of the stage, read as a condition on the current row: `where status == "x"`.
    case rowCondition = "condition"
    /// A file path, written as a bareword or string.
    case path
}

extension ParameterType {
    /// Whether a value passes a `fn` parameter's declared type (null always does: it is
    /// what an absent argument reads as).
    public func accepts(_ v: Value) -> Bool {
        switch (self, v) {
        case (_, .null), (.any, _), (.field, _), (.rowCondition, _), (.path, .string): true
        case (.string, .string), (.int, .int), (.bool, .bool), (.duration, .duration), (.date, .date),
             (.record, .record), (.closure, .closure): true
        case (.number, .int), (.number, .float): true
        case (.list, .list), (.list, .stream), (.list, .range): true
        default: false
        }
    }
}

/// A positional parameter of a command.
public struct Parameter: Sendable {
    public var name: String
    public var type: ParameterType
    public var description: String
    public var optional: Bool
    public var defaultValue: Value?
    /// An optional argument that, when given, is used instead of the input (`print x`, `len x`):
    /// a call with it reads no input.
    public var standsForInput: Bool

    public init(_ name: String, _ type: ParameterType = .any, _ description: String = "",
                optional: Bool = false, default defaultValue: Value? = nil, standsForInput: Bool = false) {
        self.name = name
        self.standsForInput = standsForInput
        self.type = type
        self.description = description
        self.optional = optional || defaultValue != nil
        self.defaultValue = defaultValue
    }
}

/// A `--flag`: a switch when `type` is nil, otherwise it takes a value.
public struct Flag: Sendable {
    public var name: String
    public var short: Character?
    public var type: ParameterType?
    public var description: String

    public init(_ name: String, short: Character? = nil, _ type: ParameterType? = nil, _ description: String = "") {
        self.name = name
        self.short = short
        self.type = type
        self.description = description
    }

    public var isSwitch: Bool { type == nil }
}

/// What a command takes and gives.
public struct Signature: Sendable {
    public var name: String
    public var positionals: [Parameter]
    /// `...rest`: any further positional arguments, as a list.
    public var rest: Parameter?
    public var flags: [Flag]
    /// Input and output types, as shown by `help` (`list<record>`, `any`, `nothing`).
    public var input: String
    public var output: String
    /// Field names of the records this command emits (vendor resources), for completion.
    public var outputFields: [String]

    public init(_ name: String, positionals: [Parameter] = [], rest: Parameter? = nil, flags: [Flag] = [],
                input: String = "any", output: String = "any", outputFields: [String] = []) {
        self.name = name
        self.positionals = positionals
        self.rest = rest
        self.flags = flags
        self.input = input
        self.output = output
        self.outputFields = outputFields
    }

    public func flag(named name: String) -> Flag? { flags.first { $0.name == name } }
    public func flag(short: Character) -> Flag? { flags.first { $0.short == short } }

    /// `where <condition>` / `first [n]` / `select ...fields [--flag <type>]`
    public var usage: String {
        var parts = [name]
        for p in positionals { parts.append(p.optional ? "[\(p.name)]" : "<\(p.name)>") }
        if let rest { parts.append("...\(rest.name)") }
        for f in flags { parts.append(f.isSwitch ? "[--\(f.name)]" : "[--\(f.name) <\(f.type!.rawValue)>]") }
        return parts.joined(separator: " ")
    }
}

/// A runnable example: `help` shows it and the test suite runs it.
/// `result` is the expected value written as compact JSON (what `to json` prints),
/// or nil when the example's effect is its output or an action.
public struct Example: Sendable {
    public var code: String
    public var description: String
    public var result: String?

    public init(_ description: String, _ code: String, result: String? = nil) {
        self.code = code
        self.description = description
        self.result = result
    }
}

/// The arguments of one call, bound to the command's signature.
public struct Arguments {
    /// One slot per signature positional; missing optional ones hold their default or null.
    public var positional: [Value]
    public var rest: [Value]
    /// Given flags by long name; a switch holds `true`.
    public var flags: [String: Value]
    /// Where each positional argument was written (for error carets).
    public var positionalSpans: [SourceSpan]
    public var flagSpans: [String: SourceSpan]

    public init(positional: [Value] = [], rest: [Value] = [], flags: [String: Value] = [:],
                positionalSpans: [SourceSpan] = [], flagSpans: [String: SourceSpan] = [:]) {
        self.positional = positional
        self.rest = rest
        self.flags = flags
        self.positionalSpans = positionalSpans
        self.flagSpans = flagSpans
    }

    public subscript(_ i: Int) -> Value { i < positional.count ? positional[i] : .null }
    public func has(_ flag: String) -> Bool {
        guard let v = flags[flag] else { return false }
        if case .bool(false) = v { return false }
        return true
    }
    public func flag(_ name: String) -> Value? { flags[name] }
    public func span(_ i: Int) -> SourceSpan { i < positionalSpans.count ? positionalSpans[i] : .unknown }
}

/// Everything a command sees when it runs.
public struct CallContext {
    public let interpreter: Interpreter
    public let command: Command
    public let args: Arguments
    /// The pipeline input (null for the first stage).
    public let input: Value
    /// The whole call, for errors.
    public let span: SourceSpan

    public var signature: Signature { command.signature }

    public init(interpreter: Interpreter, command: Command, args: Arguments, input: Value, span: SourceSpan) {
        self.interpreter = interpreter
        self.command = command
        self.args = args
        self.input = input
        self.span = span
    }

    /// An error pointed at positional argument `i` (or the call when it was not written).
    public func error(_ kind: ErrorKind, _ message: String, arg i: Int? = nil, label: String? = nil) -> SwitchboardError {
        var s = span
        if let i, args.span(i).isKnown { s = args.span(i) }
        return SwitchboardError(kind, message, span: s, label: label)
    }

    /// An error pointed at `--flag`.
    public func error(_ kind: ErrorKind, _ message: String, flag: String) -> SwitchboardError {
        SwitchboardError(kind, message, span: args.flagSpans[flag] ?? span)
    }

    // Typed accessors with errors that name the parameter.
    public func int(_ i: Int) throws -> Int {
        let v = args[i]
        if let n = v.asInt { return n }
        throw typeError(i, "an int", v)
    }
    public func optionalInt(_ i: Int) throws -> Int? { args[i].isNull ? nil : try int(i) }
    public func string(_ i: Int) throws -> String {
        switch args[i] {
        case .string(let s): return s
        case .int(let n): return String(n)
        case let v: throw typeError(i, "a string", v)
        }
    }
    public func optionalString(_ i: Int) throws -> String? { args[i].isNull ? nil : try string(i) }
    public func closure(_ i: Int) throws -> Closure {
        if case .closure(let c) = args[i] { return c }
        throw typeError(i, "a closure", args[i])
    }
    public func flagString(_ name: String) throws -> String? {
        guard let v = args.flags[name] else { return nil }
        switch v {
        case .string(let s): return s
        case .int(let n): return String(n)
        default: throw error(.type, "--\(name) takes a string, not \(v.typeName)", flag: name)
        }
    }
    public func flagInt(_ name: String) throws -> Int? {
        guard let v = args.flags[name] else { return nil }
        if let n = v.asInt { return n }
        throw error(.type, "--\(name) takes an int, not \(v.typeName)", flag: name)
    }

    private func typeError(_ i: Int, _ expected: String, _ v: Value) -> SwitchboardError {
        let name = i < signature.positionals.count ? signature.positionals[i].name : "argument \(i + 1)"
        return error(.type, "\(signature.name): `\(name)` must be \(expected), not \(v.typeName)", arg: i)
    }

    /// Calls a closure argument on one row: `$it` and the closure's first parameter are the row.
    public func call(_ closure: Closure, _ row: Value) throws -> Value {
        try interpreter.call(closure, argument: row, input: row)
    }
}

/// A command: built-in, from the prelude, from a vendor, or registered by a host.
/// Its signature drives parsing, `help` and completion; its examples run as tests.
/// A class, so the evaluator passes one reference per call instead of copying the signature.
public final class Command {
    public var signature: Signature
    public var description: String
    public var examples: [Example]
    /// `data`, `format`, `shell`, `vendor`, `action`, `prelude`, or a host's own.
    public var category: String
    public var run: (CallContext) throws -> Value
    /// Set for a user `fn`: the evaluator calls it directly, without building a `CallContext`.
    @exclusivity(unchecked) var userFunction: UserFunction?

    public init(_ signature: Signature, description: String, category: String = "data",
                examples: [Example] = [], run: @escaping (CallContext) throws -> Value) {
        self.signature = signature
        self.description = description
        self.examples = examples
        self.category = category
        self.run = run
    }

    public var name: String { signature.name }
}
