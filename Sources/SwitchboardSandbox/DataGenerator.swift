import Foundation

/// Deterministic data for the emulators. Every value is a pure function of the seed and an
/// index (no sequential random stream), so generating 100,000 agents is one cheap pass and a
/// record can be recomputed anywhere without storing it.
///
/// Timestamps are relative to `anchor` (the start of the current UTC hour when the sandbox
/// started), so "the last 7 days" and "the last 24 hours" always hold data; everything else
/// (ids, names, statuses, memberships) depends only on the seed.
struct DataGenerator: Sendable {
    let seed: UInt64
    /// Seconds since 1970, start of the UTC hour the sandbox started in.
    let anchor: Int

    init(seed: UInt64, now: Date = Date()) {
        self.seed = seed
        let secs = Int(now.timeIntervalSince1970)
        self.anchor = secs - secs % 3600
    }

    /// A well-mixed 64-bit value for (seed, salt, index): SplitMix64's finalizer.
    func hash(_ salt: UInt64, _ index: Int) -> UInt64 {
        var z = seed &* 0x9E37_79B9_7F4A_7C15 &+ salt &* 0xBF58_476D_1CE4_E5B9 &+ UInt64(bitPattern: Int64(index))
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<n for (salt, index).
    func pick(_ salt: UInt64, _ index: Int, _ n: Int) -> Int {
        n <= 1 ? 0 : Int(hash(salt, index) % UInt64(n))
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// A deterministic version-4-shaped UUID string, built in one buffer (it is on the hot
    /// path of generating 100,000-agent sandboxes).
    func uuid(_ salt: UInt64, _ index: Int) -> String {
        let a = hash(salt, index)
        let b = hash(salt &+ 0x5555, index)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var n = 0
            for k in 0..<32 {
                if k == 8 || k == 12 || k == 16 || k == 20 {
                    buffer[n] = UInt8(ascii: "-")
                    n += 1
                }
                let word = k < 16 ? a : b
                var nibble = Int((word >> UInt64(60 - 4 * (k % 16))) & 0xF)
                if k == 12 { nibble = 4 }  // version 4
                if k == 16 { nibble = 8 | (nibble & 3) }  // RFC 4122 variant
                buffer[n] = DataGenerator.hexDigits[nibble]
                n += 1
            }
            return n
        }
    }

    static let firstNames = [
        "Ada", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kira", "Liam",
        "Maya", "Noah", "Olga", "Paul", "Qin", "Rosa", "Sam", "Tara", "Umar", "Vera", "Wes", "Xena", "Yuki", "Zoe",
    ]
    static let lastNames = [
        "Smith", "Jones", "Garcia", "Chen", "Novak", "Okafor", "Silva", "Kim", "Muller", "Rossi", "Dubois",
        "Larsen", "Haddad", "Ivanova", "Patel", "Schmidt", "Tanaka", "Walsh", "Young", "Zhang",
    ]
    /// `first.last` in lower case, for every name pair (computed once, not per person).
    static let handles: [[String]] = firstNames.map { f in lastNames.map { l in (f + "." + l).lowercased() } }
    static let cities = ["Minneapolis", "Austin", "Denver", "Boston", "Seattle", "Chicago", "Portland"]
    static let states = ["MN", "TX", "CO", "MA", "WA", "IL", "OR"]
    static let companies = ["New Co", "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"]

    /// Person `index` (1-based): the same person on every vendor for a given seed.
    func person(_ index: Int) -> Person {
        let f = pick(1, index, Self.firstNames.count)
        let l = pick(2, index, Self.lastNames.count)
        return Person(first: Self.firstNames[f], last: Self.lastNames[l], index: index, handle: Self.handles[f][l])
    }

    /// Customer `index` (1-based), from a different name stream than agents.
    func customer(_ index: Int) -> Person {
        let f = pick(3, index, Self.firstNames.count)
        let l = pick(4, index, Self.lastNames.count)
        return Person(
            first: Self.firstNames[f], last: Self.lastNames[l], index: index, handle: Self.handles[f][l],
            domain: "customer.example.com")
    }

    /// A phone number with digits only.
    func phone(_ salt: UInt64, _ index: Int) -> String {
        "1612555" + String(1000 + pick(salt, index, 9000))
    }

    /// Presence for agent `index`: about a third available, the rest busy, away or offline.
    func presence(_ index: Int) -> Presence {
        switch pick(9, index, 6) {
        case 0, 1: return .available
        case 2: return .busy
        case 3: return .away
        default: return .offline
        }
    }
}

/// A generated person.
struct Person: Sendable {
    let first: String
    let last: String
    let index: Int
    /// `first.last` in lower case.
    let handle: String
    var domain = "sandbox.example.com"

    var full: String { first + " " + last }
    var username: String { handle + String(index) }
    var email: String { username + "@" + domain }
}

enum Presence: Sendable {
    case available, busy, away, offline
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

// MARK: - Dates

/// Timestamp formatting and parsing without DateFormatter (fast, thread-safe, exact).
enum Timestamp {
    enum Style {
        /// `2018-06-21T01:50:49+00:00` (ChatrHub)
        case offset
        /// `2020-12-16T09:41:43Z`
        case z
        /// `2022-10-11T04:06:41.286Z`
        case millisZ
        /// `2021-12-01T12:46:36.581Z[GMT]` (Dixa notes, messages, activity logs)
        case millisZGMT
        /// `2021-12-01T12:46:35.935` (Dixa presence: no zone)
        case millisNoZone
        /// `2018-06-21`
        case date
    }

    /// Formats seconds since 1970 (UTC). Milliseconds come from `millis` (0..<1000).
    static func format(_ secs: Int, _ style: Style, millis: Int = 0) -> String {
        let days = Int((Double(secs) / 86400).rounded(.down))
        let rem = secs - days * 86400
        let (y, m, d) = civil(days)
        let date = String(y).leftPadded(4) + "-" + String(m).leftPadded(2) + "-" + String(d).leftPadded(2)
        if style == .date { return date }
        let time = String(rem / 3600).leftPadded(2) + ":" + String(rem % 3600 / 60).leftPadded(2) + ":"
            + String(rem % 60).leftPadded(2)
        let ms = "." + String(((millis % 1000) + 1000) % 1000).leftPadded(3)
        switch style {
        case .offset: return date + "T" + time + "+00:00"
        case .z: return date + "T" + time + "Z"
        case .millisZ: return date + "T" + time + ms + "Z"
        case .millisZGMT: return date + "T" + time + ms + "Z[GMT]"
        case .millisNoZone: return date + "T" + time + ms
        case .date: return date
        }
    }

    /// Days since 1970-01-01 to (year, month, day); Howard Hinnant's algorithm.
    static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// (year, month, day) to days since 1970-01-01.
    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y2 = m <= 2 ? y - 1 : y
        let era = (y2 >= 0 ? y2 : y2 - 399) / 400
        let yoe = y2 - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DD` to seconds at midnight UTC.
    static func parseDate(_ s: String) -> Int? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return days(y, m, d) * 86400
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` followed by an optional fraction and an optional zone
    /// (`Z`, `+00:00`, `Z[GMT]`). With `strictZ`, only the exact `YYYY-MM-DDTHH:MM:SSZ` form.
    static func parseDateTime(_ s: String, strictZ: Bool = false) -> Int? {
        let chars = Array(s.utf8)
        guard chars.count >= 19, chars[10] == UInt8(ascii: "T"),
            let day = parseDate(String(decoding: chars[0..<10], as: UTF8.self)),
            chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            let h = Int(String(decoding: chars[11..<13], as: UTF8.self)),
            let mi = Int(String(decoding: chars[14..<16], as: UTF8.self)),
            let se = Int(String(decoding: chars[17..<19], as: UTF8.self)),
            h < 24, mi < 60, se < 61
        else { return nil }
        var rest = String(decoding: chars[19...], as: UTF8.self)
        if strictZ { return rest == "Z" ? day + h * 3600 + mi * 60 + se : nil }
        if rest.hasPrefix(".") {
            rest = String(rest.drop(while: { $0 == "." || $0.isNumber }))
        }
        var offset = 0
        switch rest {
        case "", "Z", "Z[GMT]", "Z[UTC]", "+00:00": offset = 0
        default:
            let r = Array(rest.utf8)
            guard r.count == 6, r[0] == UInt8(ascii: "+") || r[0] == UInt8(ascii: "-"), r[3] == UInt8(ascii: ":"),
                let oh = Int(String(decoding: r[1..<3], as: UTF8.self)),
                let om = Int(String(decoding: r[4..<6], as: UTF8.self))
            else { return nil }
            offset = (oh * 3600 + om * 60) * (r[0] == UInt8(ascii: "-") ? -1 : 1)
        }
        return day + h * 3600 + mi * 60 + se - offset
    }
}
