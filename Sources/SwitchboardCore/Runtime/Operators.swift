import Foundation

/// Arithmetic, comparison and membership, with overflow and type errors.
enum Operators {
    static func apply(_ op: BinaryOp, _ l: Value, _ r: Value, span: SourceSpan, interpreter: Interpreter) throws -> Value {
        switch op {
        case .eq: return .bool(l.equals(r))
        case .ne: return .bool(!l.equals(r))
        case .lt, .le, .gt, .ge:
            guard let c = l.compare(r), !(l.isNull && r.isNull) else {
                // Missing fields compare as false in row conditions instead of failing the whole pipeline.
                if l.isNull || r.isNull { return .bool(false) }
                throw SwitchboardError(.type, "cannot compare \(article(l.typeName)) with \(article(r.typeName)) using `\(op.rawValue)`", span: span)
            }
            switch op {
            case .lt: return .bool(c < 0)
            case .le: return .bool(c <= 0)
            case .gt: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case .add: return try add(l, r, span)
        case .sub: return try sub(l, r, span)
        case .mul: return try mul(l, r, span)
        case .div: return try div(l, r, span)
        case .mod:
            switch (l, r) {
            case let (.int(a), .int(b)):
                guard b != 0 else { throw SwitchboardError(.value, "division by zero", span: span) }
                // `Int.min % -1` overflows in the machine instruction; the remainder is 0.
                return .int(b == -1 ? 0 : a % b)
            case (.float, .float), (.int, .float), (.float, .int):
                let a = l.asDouble!, b = r.asDouble!
                return .float(a.truncatingRemainder(dividingBy: b))
            default: throw mismatch("%", l, r, span)
            }
        case .match, .notMatch:
            guard case .string(let s) = l, case .string(let p) = r else {
                if l.isNull { return .bool(op == .notMatch) }
                throw mismatch(op.rawValue, l, r, span)
            }
            let re = try interpreter.regex(p, span: span)
            let found = re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            return .bool(found == (op == .match))
        case .in, .notIn:
            let found = try contains(r, l, span)
            return .bool(found == (op == .in))
        case .startsWith, .endsWith:
            guard case .string(let s) = l, case .string(let p) = r else {
                if l.isNull { return .bool(false) }
                throw mismatch(op.rawValue, l, r, span)
            }
            return .bool(op == .startsWith ? s.hasPrefix(p) : s.hasSuffix(p))
        case .and, .or, .coalesce:
            fatalError("short-circuit operators are evaluated by the evaluator")
        }
    }

    static func contains(_ container: Value, _ item: Value, _ span: SourceSpan) throws -> Bool {
        switch container {
        case .list(let l): return l.contains { $0.equals(item) }
        case .string(let s):
            guard case .string(let sub) = item else { throw mismatch("in", item, container, span) }
            return s.contains(sub)
        case .record(let r):
            guard case .string(let k) = item else { throw mismatch("in", item, container, span) }
            return r[k] != nil
        case .range(let rg):
            guard case .int(let n) = item else { return false }
            let lo = min(rg.lower, rg.last ?? rg.lower), hi = max(rg.lower, rg.last ?? rg.lower)
            return rg.last != nil && n >= lo && n <= hi
        case .stream: return try contains(try container.collected(), item, span)
        case .null: return false
        default: throw mismatch("in", item, container, span)
        }
    }

    static func mismatch(_ op: String, _ l: Value, _ r: Value, _ span: SourceSpan) -> SwitchboardError {
        SwitchboardError(.type, "`\(op)` does not work on \(article(l.typeName)) and \(article(r.typeName))", span: span)
    }

    static func overflow(_ span: SourceSpan) -> SwitchboardError {
        SwitchboardError(.value, "integer overflow", span: span, hint: "ints are 64-bit; use a float (e.g. 1.0 * x) for larger numbers")
    }

    /// A float number of nanoseconds as a duration, or an error when it does not fit.
    static func nanoseconds(_ ns: Double, _ span: SourceSpan) throws -> Int {
        guard ns.isFinite, abs(ns) < 9.2e18 else {
            throw SwitchboardError(.value, "duration out of range", span: span, hint: "durations span about ±292 years")
        }
        return Int(ns.rounded())
    }

    /// Seconds since 1970 as a date, or an error past the years 0001-9999.
    static func date(_ t: Double, _ span: SourceSpan) throws -> Double {
        guard t.isFinite, t >= -62_135_596_800, t < 253_402_300_800 else {
            throw SwitchboardError(.value, "date out of range", span: span, hint: "dates run from year 1 to year 9999")
        }
        return t
    }

    static func add(_ l: Value, _ r: Value, _ span: SourceSpan) throws -> Value {
        switch (l, r) {
        case let (.int(a), .int(b)):
            let (s, o) = a.addingReportingOverflow(b)
            if o { throw overflow(span) }
            return .int(s)
        case let (.float(a), .float(b)): return .float(a + b)
        case let (.int(a), .float(b)): return .float(Double(a) + b)
        case let (.float(a), .int(b)): return .float(a + Double(b))
        case let (.string(a), .string(b)): return .string(a + b)
        case let (.list(a), .list(b)): return .list(a + b)
        case let (.record(a), .record(b)):
            var m = a
            for (k, v) in b.fields { m[k] = v }
            return .record(m)
        case let (.date(d), .duration(n)), let (.duration(n), .date(d)): return .date(try date(d + Double(n) / 1e9, span))
        case let (.duration(a), .duration(b)):
            let (s, o) = a.addingReportingOverflow(b)
            if o { throw overflow(span) }
            return .duration(s)
        case (.list(let a), _): return .list(a + [r])
        default: throw mismatch("+", l, r, span)
        }
    }

    static func sub(_ l: Value, _ r: Value, _ span: SourceSpan) throws -> Value {
        switch (l, r) {
        case let (.int(a), .int(b)):
            let (s, o) = a.subtractingReportingOverflow(b)
            if o { throw overflow(span) }
            return .int(s)
        case let (.float(a), .float(b)): return .float(a - b)
        case let (.int(a), .float(b)): return .float(Double(a) - b)
        case let (.float(a), .int(b)): return .float(a - Double(b))
        case let (.date(a), .duration(n)): return .date(try date(a - Double(n) / 1e9, span))
        case let (.date(a), .date(b)): return .duration(try nanoseconds((a - b) * 1e9, span))
        case let (.duration(a), .duration(b)):
            let (s, o) = a.subtractingReportingOverflow(b)
            if o { throw overflow(span) }
            return .duration(s)
        default: throw mismatch("-", l, r, span)
        }
    }

    static func mul(_ l: Value, _ r: Value, _ span: SourceSpan) throws -> Value {
        switch (l, r) {
        case let (.int(a), .int(b)):
            let (s, o) = a.multipliedReportingOverflow(by: b)
            if o { throw overflow(span) }
            return .int(s)
        case let (.float(a), .float(b)): return .float(a * b)
        case let (.int(a), .float(b)): return .float(Double(a) * b)
        case let (.float(a), .int(b)): return .float(a * Double(b))
        case let (.duration(d), .int(n)), let (.int(n), .duration(d)):
            let (s, o) = d.multipliedReportingOverflow(by: n)
            if o { throw overflow(span) }
            return .duration(s)
        case let (.duration(d), .float(f)), let (.float(f), .duration(d)):
            return .duration(try nanoseconds(Double(d) * f, span))
        case let (.string(s), .int(n)):
            guard n >= 0, n <= 1_000_000 else { throw SwitchboardError(.value, "cannot repeat a string \(n) times", span: span) }
            return .string(String(repeating: s, count: n))
        default: throw mismatch("*", l, r, span)
        }
    }

    static func div(_ l: Value, _ r: Value, _ span: SourceSpan) throws -> Value {
        switch (l, r) {
        case let (.int(a), .int(b)):
            guard b != 0 else { throw SwitchboardError(.value, "division by zero", span: span) }
            let (q, o) = a.dividedReportingOverflow(by: b)
            if o { throw overflow(span) }
            if q.multipliedReportingOverflow(by: b).partialValue == a { return .int(q) }
            return .float(Double(a) / Double(b))
        case (.int, .float), (.float, .int), (.float, .float):
            let b = r.asDouble!
            guard b != 0 else { throw SwitchboardError(.value, "division by zero", span: span) }
            return .float(l.asDouble! / b)
        case let (.duration(d), .int(n)):
            guard n != 0 else { throw SwitchboardError(.value, "division by zero", span: span) }
            let (q, o) = d.dividedReportingOverflow(by: n)
            if o { throw overflow(span) }
            return .duration(q)
        case let (.duration(a), .duration(b)):
            guard b != 0 else { throw SwitchboardError(.value, "division by zero", span: span) }
            return .float(Double(a) / Double(b))
        default: throw mismatch("/", l, r, span)
        }
    }
}
