import Foundation
import SwitchboardCore

/// Shared adapter helpers: which actions a vendor supports, ids, field renames.
struct ActionTable {
    let vendor: String
    /// verb -> object kinds it works on.
    let supported: [String: Set<String>]
    /// verb -> why not (default: "its API has no such operation").
    var reasons: [String: String] = [:]
    var fallback = "its API has no such operation"
    /// kind -> the fields `set` can change (normalized names and the vendor's own); a kind
    /// missing here is not checked.
    var settable: [String: [String]] = [:]
    /// kind -> the fields `create` takes (defaults to `settable`).
    var creatable: [String: [String]] = [:]
    /// `kind.field` -> the values `set` takes for it.
    var values: [String: [String]] = [:]

    func check(_ action: VendorAction, kind: String?) throws {
        let verb: String
        switch action {
        case .create: verb = "create"
        default: verb = action.verb
        }
        guard let kinds = supported[verb] else {
            throw Unsupported(vendor, action.verb, reasons[verb] ?? fallback)
        }
        if case .create(let k, let fields) = action {
            guard kinds.contains(k) else { throw Unsupported(vendor, "create \(k)", reasons[verb] ?? fallback) }
            if let accepted = creatable[k] ?? settable[k] {
                for (name, _) in fields.fields where !accepted.contains(name) {
                    throw BadArgument("\(vendor) cannot create \(article(k)) with field `\(name)`", argument: 1, name: name, accepted: accepted)
                }
            }
            return
        }
        if let kind, !kinds.contains(kind) {
            throw Unsupported(vendor, "\(action.verb) \(kind)s", "only \(kinds.sorted().map { $0 + "s" }.joined(separator: ", "))")
        }
        // `set`: argument 2k is the k-th field name, 2k + 1 its value.
        if case .set(let pairs) = action, let kind, let accepted = settable[kind] {
            for (k, (name, value)) in pairs.enumerated() {
                guard accepted.contains(name) else {
                    throw BadArgument("\(vendor) \(kind)s have no field `\(name)` that `set` can change", argument: 2 * k, name: name, accepted: accepted)
                }
                if let allowed = values[kind + "." + name], !(value.text.map(allowed.contains) ?? false) {
                    let shown = value.text.map { "`\($0)`" } ?? value.typeName
                    throw BadArgument("\(vendor) \(kind) \(name) can be set to \(allowed.joined(separator: " or ")), not \(shown)", argument: 2 * k + 1,
                                      name: value.text ?? "", accepted: allowed)
                }
            }
        }
    }

    func article(_ word: String) -> String { ("aeiou".contains(word.first ?? "x") ? "an " : "a ") + word }
}

enum Ids {
    /// The object's id as text, or an error naming the object.
    static func of(_ object: Record?, _ vendor: String) throws -> String {
        guard let object, let id = object.text("id"), !id.isEmpty else {
            throw SwitchboardError(.value, "\(vendor): the input object has no id")
        }
        return id
    }

    static func int(_ text: String, _ vendor: String, _ what: String) throws -> Int {
        guard let n = Int(text) else { throw SwitchboardError(.value, "\(vendor) \(what) ids are numbers, not `\(text)`") }
        return n
    }

    static func pathSafe(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension Record {
    /// The object's kind: from its `kind` field, else from its tag `agent@vendor`.
    var objectKind: String? {
        if case .string(let k)? = self["kind"] { return k }
        return tag.map { String($0.split(separator: "@").first ?? "") }
    }

    var objectVendor: String? {
        if case .string(let v)? = self["vendor"] { return v }
        return tag.flatMap { $0.split(separator: "@", maxSplits: 1).dropFirst().first.map(String.init) }
    }

    var raw: Value { self["raw"] ?? .null }
}

/// Renames normalized field names to a vendor's for `set` and `create`.
func renamed(_ pairs: [(String, Value)], _ map: [String: String]) -> [(String, Value)] {
    pairs.map { (map[$0.0] ?? $0.0, $0.1) }
}

func recordValue(_ pairs: [(String, Value)]) -> Value {
    .record(Record(fields: pairs))
}
