import Foundation
import OpenAPIKit30
import Yams

/// A JSON value decoded independently of the sandbox's own JSON code.
indirect enum JValue: Decodable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JValue])
    case object([String: JValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) { self = .double(d) } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JValue].self) { self = .array(a) } else { self = .object(try c.decode([String: JValue].self)) }
    }
}

/// Validates response bodies against the operations of the Dixa OpenAPI document, by walking
/// OpenAPIKit's `JSONSchema`: `$ref`s through the components, `type`, `required`, properties,
/// `additionalProperties`, array items, `enum`, `nullable`, `format` (uuid, date-time, int32),
/// `allOf`/`anyOf`/`oneOf`/`not`.
///
/// Two readings of this spec's conventions, both needed to accept its own examples:
/// - Enumerations are written in descriptions as `values: [A, B, C]`; a string with such a
///   description must be one of the listed values.
/// - `oneOf` has no discriminator and its variants overlap (every chat conversation is also a
///   valid "generic" conversation), so `oneOf` is checked as "matches at least one". A `oneOf`
///   whose members are all property-less objects is Tapir's encoding of case objects; the
///   wire value is the member's title as a string (the spec's example
///   `entityType: ConversationAnonymizationType` shows it), so such a string must be one of
///   the titles.
struct SpecValidator {
    let document: OpenAPI.Document

    /// Dixa's official OpenAPI file, a copy of shared/specs/dixa-api-beta.openapi.yaml kept
    /// beside the tests so a clone tests on its own.
    static func specURL(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/dixa-api-beta.openapi.yaml")
    }

    static let shared: Result<SpecValidator, any Error> = Result {
        let text = try String(contentsOf: specURL(), encoding: .utf8)
        return SpecValidator(document: try YAMLDecoder().decode(OpenAPI.Document.self, from: text))
    }

    /// Problems with `body` as the `status` response of `method path` (path as in the spec, `/beta/...`).
    func problems(method: String, path: String, status: Int, body: [UInt8]) -> [String] {
        guard let item = document.paths[OpenAPI.Path(rawValue: path)]?.pathItemValue else { return ["no path \(path) in the spec"] }
        guard let verb = OpenAPI.BuiltinHttpMethod(rawValue: method.uppercased()), let operation = item.for(verb) else {
            return ["no \(method) \(path) in the spec"]
        }
        guard let response = operation.responses.first(where: { $0.key.rawValue == String(status) })?.value else {
            return ["status \(status) is not documented for \(method) \(path)"]
        }
        let resolved: OpenAPI.Response
        do { resolved = try document.components.lookup(response) } catch { return ["cannot resolve response: \(error)"] }
        guard let schemaRef = resolved.content[.json]?.schema else {
            return body.isEmpty ? [] : ["\(method) \(path) \(status) documents no body, got \(body.count) bytes"]
        }
        guard let value = try? JSONDecoder().decode(JValue.self, from: Data(body)) else { return ["body is not JSON"] }
        let schema: JSONSchema
        do { schema = try document.components.lookup(schemaRef) } catch { return ["cannot resolve schema: \(error)"] }
        var errors: [String] = []
        validate(value, schema, at: "$", errors: &errors, depth: 0)
        return errors
    }

    func resolve(_ schema: JSONSchema) -> JSONSchema? {
        guard case .reference(let ref, _) = schema.value else { return schema }
        return try? document.components.lookup(ref)
    }

    /// Titles when every member is a property-less object (a case-object enumeration).
    func caseObjectTitles(_ members: [JSONSchema]) -> [String]? {
        var titles: [String] = []
        for member in members {
            guard let m = resolve(member), case .object(let core, let ctx) = m.value, ctx.properties.isEmpty, let title = core.title ?? member.title
            else { return nil }
            titles.append(title)
        }
        return titles.isEmpty ? nil : titles
    }

    static func describedEnum(_ description: String?) -> [String]? {
        guard let d = description, let open = d.range(of: "values: ["), let close = d[open.upperBound...].firstIndex(of: "]") else {
            return nil
        }
        return d[open.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func isDateTime(_ s: String) -> Bool {
        s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|Z\[[A-Za-z/_]+\]|[+-]\d{2}:\d{2})?$"#, options: .regularExpression) != nil
    }

    static func isUUID(_ s: String) -> Bool {
        s.range(of: #"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#, options: .regularExpression) != nil
    }

    func validate(_ value: JValue, _ schema: JSONSchema, at path: String, errors: inout [String], depth: Int) {
        guard depth < 64 else { errors.append("\(path): schema nesting too deep"); return }
        if case .null = value {
            if schema.nullable { return }
            if case .reference = schema.value {} else if case .fragment = schema.value { return } else {
                errors.append("\(path): null is not allowed")
                return
            }
        }
        switch schema.value {
        case .reference(let ref, _):
            guard let target = try? document.components.lookup(ref) else {
                errors.append("\(path): cannot resolve \(ref.absoluteString)")
                return
            }
            validate(value, target, at: path, errors: &errors, depth: depth + 1)
        case .boolean:
            if case .bool = value {} else { errors.append("\(path): expected boolean") }
        case .integer(let core, _):
            guard case .int(let i) = value else { errors.append("\(path): expected integer"); return }
            if core.format.rawValue == "int32" && (i < Int64(Int32.min) || i > Int64(Int32.max)) {
                errors.append("\(path): \(i) is out of int32 range")
            }
        case .number:
            switch value {
            case .int, .double: break
            default: errors.append("\(path): expected number")
            }
        case .string(let core, _):
            guard case .string(let s) = value else { errors.append("\(path): expected string"); return }
            if let allowed = schema.allowedValues, !allowed.contains(where: { ($0.value as? String) == s }) {
                errors.append("\(path): \"\(s)\" is not one of the enum values")
            }
            if let listed = SpecValidator.describedEnum(core.description), !listed.contains(s) {
                errors.append("\(path): \"\(s)\" is not one of \(listed)")
            }
            switch core.format.rawValue {
            case "uuid": if !SpecValidator.isUUID(s) { errors.append("\(path): \"\(s)\" is not a uuid") }
            case "date-time": if !SpecValidator.isDateTime(s) { errors.append("\(path): \"\(s)\" is not a date-time") }
            default: break
            }
        case .object(_, let ctx):
            guard case .object(let dict) = value else { errors.append("\(path): expected object"); return }
            for name in ctx.requiredProperties where dict[name] == nil {
                errors.append("\(path): missing required property \(name)")
            }
            for (key, item) in dict {
                if let property = ctx.properties[key] {
                    validate(item, property, at: path + "." + key, errors: &errors, depth: depth + 1)
                } else if let additional = ctx.additionalProperties {
                    switch additional {
                    case .a(let allowed): if !allowed { errors.append("\(path): property \(key) is not allowed") }
                    case .b(let extra): validate(item, extra, at: path + "." + key, errors: &errors, depth: depth + 1)
                    }
                }
            }
        case .array(_, let ctx):
            guard case .array(let items) = value else { errors.append("\(path): expected array"); return }
            if let itemSchema = ctx.items {
                for (i, item) in items.enumerated() {
                    validate(item, itemSchema, at: "\(path)[\(i)]", errors: &errors, depth: depth + 1)
                }
            }
        case .all(let members, _):
            for m in members { validate(value, m, at: path, errors: &errors, depth: depth + 1) }
        case .one(let members, _), .any(let members, _):
            if case .string(let s) = value, let titles = caseObjectTitles(members) {
                if !titles.contains(s) { errors.append("\(path): \"\(s)\" is not one of \(titles)") }
                return
            }
            var best: [String]? = nil
            for m in members {
                var sub: [String] = []
                validate(value, m, at: path, errors: &sub, depth: depth + 1)
                if sub.isEmpty { return }
                if best == nil || sub.count < best!.count { best = sub }
            }
            errors.append("\(path): matches none of the \(members.count) alternatives; closest: \(best ?? [])")
        case .not(let inner, _):
            var sub: [String] = []
            validate(value, inner, at: path, errors: &sub, depth: depth + 1)
            if sub.isEmpty { errors.append("\(path): must not match the `not` schema") }
        case .fragment:
            break
        }
    }
}
