import Foundation

/// Parsing and printing of dates: every format the vendors send, read as UTC when no zone is given.
public enum DateParsing {
    /// `2024-03-11`, `2024-03-11T16:39:30Z`, `2018-06-21T01:50:49+00:00`, `2022-10-11T04:06:41.286Z`,
    /// `2021-12-01T10:23:11.581Z[GMT]`, `2021-12-01T10:23:11` (UTC), a space instead of `T`.
    public static func parse(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func num(_ i: Int, _ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in i..<i + n {
                let c = b[k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let mo = num(5, 2), b[7] == UInt8(ascii: "-"),
              let d = num(8, 2), (1...12).contains(mo), (1...31).contains(d), d <= daysIn(month: mo, year: y) else { return nil }
        var h = 0, mi = 0, s = 0
        var frac = 0.0
        var offset = 0
        var i = 10
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " "), let hh = num(i + 1, 2), b.count > i + 3, b[i + 3] == UInt8(ascii: ":"),
                  let mm = num(i + 4, 2) else { return nil }
            h = hh; mi = mm
            i += 6
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let ss = num(i + 1, 2) else { return nil }
                s = ss
                i += 3
            }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                var j = i + 1
                var scale = 0.1
                while j < b.count, b[j] >= 0x30, b[j] <= 0x39 {
                    frac += Double(b[j] - 0x30) * scale
                    scale /= 10
                    j += 1
                }
                guard j > i + 1 else { return nil }
                i = j
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                    guard let oh = num(i + 1, 2) else { return nil }
                    var om = 0
                    var j = i + 3
                    if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
                    if let m = num(j, 2) { om = m; j += 2 }
                    offset = sign * (oh * 3600 + om * 60)
                    i = j
                }
                // Dixa sometimes appends a zone name: `...Z[GMT]`.
                if i < b.count, b[i] == UInt8(ascii: "["), b.last == UInt8(ascii: "]") { i = b.count }
                guard i == b.count else { return nil }
            }
            guard h < 24, mi < 60, s < 61 else { return nil }
        }
        let days = daysFromCivil(y, mo, d)
        return Double(days * 86400 + h * 3600 + mi * 60 + s - offset) + frac
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// RFC 3339 in UTC: `2024-03-11T16:39:30Z`, with milliseconds when they are not zero.
    public static func format(_ t: Double) -> String {
        let whole = t.rounded(.down)
        let secs = Int(whole)
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        let ms = Int(((t - whole) * 1000).rounded())
        func p2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var s = "\(y)-\(p2(m))-\(p2(d))T\(p2(rem / 3600)):\(p2(rem % 3600 / 60)):\(p2(rem % 60))"
        if ms > 0 && ms < 1000 {
            let t = String(ms)
            s += "." + String(repeating: "0", count: 3 - t.count) + t
        }
        return s + "Z"
    }

    /// `YYYY-MM-DD` of an instant (UTC).
    public static func formatDay(_ t: Double) -> String { String(format(t).prefix(10)) }
}

/// Printing of durations: `1h 30min`, `250ms`, `7d`.
public enum DurationFormat {
    public static func format(_ ns: Int) -> String {
        if ns == 0 { return "0s" }
        var rest = ns.magnitude
        var parts: [String] = []
        let units: [(UInt, String)] = [(604_800_000_000_000, "w"), (86_400_000_000_000, "d"), (3_600_000_000_000, "h"),
                                       (60_000_000_000, "min"), (1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us"), (1, "ns")]
        for (size, name) in units where rest >= size {
            parts.append("\(rest / size)\(name)")
            rest %= size
        }
        return (ns < 0 ? "-" : "") + parts.joined(separator: " ")
    }
}
