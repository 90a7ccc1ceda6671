import Foundation

/// String commands share the `str-` prefix so completion lists them together
/// (Nushell spells these `str upcase`; our command names are single words).
extension Builtins {
    static func strings() -> [Command] {
        func stringMap(_ name: String, _ description: String, example: Example, _ f: @escaping (String) -> String) -> Command {
            Command(Signature(name, input: "string | list<string>", output: "string | list<string>"),
                    description: description, category: "strings", examples: [example]) { ctx in
                func apply(_ v: Value) throws -> Value {
                    switch v {
                    case .string(let s): return .string(f(s))
                    case .null: return .null
                    default: throw ctx.error(.type, "\(name) needs a string, not \(article(v.typeName))")
                    }
                }
                if ctx.input.isSequence { return ctx.mapRows { try apply($0) } }
                return try apply(ctx.input)
            }
        }
        return [
            stringMap("str-upcase", "Upper-case a string.", example: Example("upper-case", #""Ann" | str-upcase"#, result: #""ANN""#)) { $0.uppercased() },
            stringMap("str-downcase", "Lower-case a string.", example: Example("lower-case", #""Ann" | str-downcase"#, result: #""ann""#)) { $0.lowercased() },
            stringMap("str-trim", "Remove white space at both ends.", example: Example("trim", #""  a b  " | str-trim"#, result: #""a b""#)) {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            },
            Command(Signature("str-split", positionals: [Parameter("separator", .string, "where to split")], input: "string", output: "list<string>"),
                    description: "Split a string into a list.", category: "strings",
                    examples: [Example("split on commas", #""a,b,c" | str-split ",""#, result: #"["a","b","c"]"#)]) { ctx in
                guard case .string(let s) = ctx.input else { throw ctx.error(.type, "str-split needs a string input, not \(article(ctx.input.typeName))") }
                let sep = try ctx.string(0)
                guard !sep.isEmpty else { return .list(s.map { .string(String($0)) }) }
                return .list(s.components(separatedBy: sep).map { .string($0) })
            },
            Command(Signature("str-join", positionals: [Parameter("separator", .string, "put between items", default: .string(""))], input: "list<any>", output: "string"),
                    description: "Join items into one string.", category: "strings",
                    examples: [Example("join with a comma", #"["a", "b"] | str-join ", ""#, result: #""a, b""#)]) { ctx in
                let sep = try ctx.string(0)
                return .string(try ctx.input.items().map(Formatter.plain).joined(separator: sep))
            },
            Command(Signature("str-replace", positionals: [Parameter("find", .string, "a regular expression"), Parameter("replacement", .string, "the new text")],
                                input: "string", output: "string"),
                    description: "Replace every match of a regular expression.", category: "strings",
                    examples: [Example("replace digits", ##""a1b22" | str-replace '\d+' "-""##, result: #""a-b-""#)]) { ctx in
                guard case .string(let s) = ctx.input else { throw ctx.error(.type, "str-replace needs a string input") }
                let re = try ctx.interpreter.regex(try ctx.string(0), span: ctx.args.span(0))
                return .string(re.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: try ctx.string(1)))
            },
        ]
    }
}
