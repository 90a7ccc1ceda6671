import Foundation

/// Conversions between values and Swift `Codable` types, through JSON: dates travel as
/// RFC 3339 strings and read back with every format `DateParsing` knows.
extension Value {
    /// A value from any `Encodable` Swift value.
    ///
    /// ```swift
    /// struct Agent: Codable { var name: String; var load: Int }
    /// let v = try Value(encoding: Agent(name: "Ann", load: 2))   // {name: "Ann", load: 2}
    /// ```
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(DateParsing.format(date.timeIntervalSince1970))
        }
        self = try JSON.decode(bytes: Array(try encoder.encode(value)))
    }

    /// Decodes this value as a Swift type: `try value.decode([Agent].self)`.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { dec in
            let c = try dec.singleValueContainer()
            if let s = try? c.decode(String.self), let t = DateParsing.parse(s) { return Date(timeIntervalSince1970: t) }
            if let n = try? c.decode(Double.self) { return Date(timeIntervalSince1970: n) }
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a date")
        }
        let text = try JSON.encode(try collected())
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch let e as DecodingError {
            throw SwitchboardError(.type, "cannot convert the result to \(T.self): \(Value.describe(e))")
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [CodingKey]) -> String { c.isEmpty ? "the value" : c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch e {
        case .typeMismatch(let t, let ctx): return "\(path(ctx.codingPath)) is not \(t)"
        case .valueNotFound(let t, let ctx): return "\(path(ctx.codingPath)) is null, expected \(t)"
        case .keyNotFound(let k, let ctx): return "\(path(ctx.codingPath + [k])) is missing"
        case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
