import Foundation

/// Parsers for the values of a feed: strict, allocation-free, and fast enough for ten million rows.
public enum FeedValues {
    public enum TimeError: Error, Equatable, CustomStringConvertible {
        case empty, malformed, noZone, outOfRange
        public var description: String {
            switch self {
            case .empty: return "the time is empty"
            case .malformed: return "not a time: expected ISO 8601 (2025-03-01T14:05:00Z, ...+05:00) or Unix seconds"
            case .noZone: return "the time has no zone (add Z or an offset such as +05:00); it is not guessed"
            case .outOfRange: return "the time is out of range"
            }
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z from ISO 8601 (`YYYY-MM-DD[(T| )hh:mm[:ss[.fff]](Z|±hh:mm|±hhmm)]`) or Unix
    /// seconds (digits with an optional fraction). A date without a time is midnight UTC when `dateOnly` is allowed;
    /// a time of day without a zone is refused.
    public static func parseTime(_ s: String, allowDateOnly: Bool = false) -> Result<Double, TimeError> {
        var s = s
        return s.withUTF8 { parseTime(utf8: $0, allowDateOnly: allowDateOnly) }
    }

    public static func parseTime(utf8 u: UnsafeBufferPointer<UInt8>, allowDateOnly: Bool) -> Result<Double, TimeError> {
        var lo = 0, hi = u.count
        while lo < hi && u[lo] == 0x20 { lo += 1 }
        while hi > lo && u[hi - 1] == 0x20 { hi -= 1 }
        if lo == hi { return .failure(.empty) }
        func digit(_ i: Int) -> Int? {
            guard i < hi else { return nil }
            let c = u[i]
            return c >= 0x30 && c <= 0x39 ? Int(c - 0x30) : nil
        }
        func number(_ i: Int, _ len: Int) -> Int? {
            var v = 0
            for k in 0..<len { guard let d = digit(i + k) else { return nil }; v = v * 10 + d }
            return v
        }
        // Unix seconds: only digits and at most one dot, and no dash at position 4.
        if !(hi - lo >= 10 && u[lo + 4] == 0x2D) {
            var v = 0.0, frac = 0.0, scale = 1.0, seenDot = false, any = false
            for i in lo..<hi {
                let c = u[i]
                if c == 0x2E && !seenDot { seenDot = true; continue }
                guard c >= 0x30 && c <= 0x39 else { return .failure(.malformed) }
                any = true
                if seenDot { scale /= 10; frac += Double(c - 0x30) * scale } else { v = v * 10 + Double(c - 0x30) }
            }
            guard any else { return .failure(.malformed) }
            let t = v + frac
            return t < 1e11 ? .success(t) : .failure(.outOfRange)
        }
        guard let y = number(lo, 4), lo + 10 <= hi, u[lo + 4] == 0x2D, let mo = number(lo + 5, 2), u[lo + 7] == 0x2D,
              let d = number(lo + 8, 2) else { return .failure(.malformed) }
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo) else { return .failure(.outOfRange) }
        var t = Double(daysFromCivil(y, mo, d)) * 86400
        var i = lo + 10
        if i == hi { return allowDateOnly ? .success(t) : .failure(.noZone) }
        guard u[i] == 0x54 || u[i] == 0x20 || u[i] == 0x74 else { return .failure(.malformed) }
        i += 1
        guard let hh = number(i, 2), i + 2 < hi, u[i + 2] == 0x3A, let mm = number(i + 3, 2) else { return .failure(.malformed) }
        guard hh < 24, mm < 60 else { return .failure(.outOfRange) }
        i += 5
        var ss = 0.0
        if i < hi && u[i] == 0x3A {
            guard let sec = number(i + 1, 2), sec < 61 else { return .failure(.malformed) }
            ss = Double(sec)
            i += 3
            if i < hi && (u[i] == 0x2E || u[i] == 0x2C) {
                i += 1
                var scale = 0.1, any = false
                while let dg = digit(i) { ss += Double(dg) * scale; scale /= 10; i += 1; any = true }
                guard any else { return .failure(.malformed) }
            }
        }
        t += Double(hh * 3600 + mm * 60) + ss
        guard i < hi else { return .failure(.noZone) }
        if u[i] == 0x5A || u[i] == 0x7A { return i + 1 == hi ? .success(t) : .failure(.malformed) }
        guard u[i] == 0x2B || u[i] == 0x2D else { return .failure(.malformed) }
        let sign = u[i] == 0x2B ? 1.0 : -1.0
        i += 1
        guard let oh = number(i, 2) else { return .failure(.malformed) }
        i += 2
        if i < hi && u[i] == 0x3A { i += 1 }
        guard let om = number(i, 2), i + 2 == hi, oh < 24, om < 60 else { return .failure(.malformed) }
        return .success(t - sign * Double(oh * 3600 + om * 60))
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// ISO 8601 UTC text of Unix seconds (whole seconds).
    public static func isoTime(_ t: Double) -> String {
        guard t.isFinite else { return "" }
        let secs = Int(t.rounded(.down))
        var days = secs / 86400, rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        // civil_from_days
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
    }

    public enum AmountError: Error, Equatable, CustomStringConvertible {
        case empty, notANumber, notPositive
        public var description: String {
            switch self {
            case .empty: return "the amount is empty"
            case .notANumber: return "not a number (use a dot for decimals, no thousands separators)"
            case .notPositive: return "the amount must be greater than zero"
            }
        }
    }

    /// A positive, finite decimal amount ("1500", "1500.25"); no grouping, no currency sign.
    public static func parseAmount(_ s: String) -> Result<Double, AmountError> {
        let t = s.trimmed
        if t.isEmpty { return .failure(.empty) }
        guard t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 }),
              let v = Double(t), v.isFinite else { return .failure(.notANumber) }
        return v > 0 ? .success(v) : .failure(.notPositive)
    }

    /// 0/1 label: `0`, `1`, `true`, `false` (any case).
    public static func parseFlag(_ s: String) -> Int8? {
        switch s.trimmed.lowercased() {
        case "1", "true": return 1
        case "0", "false": return 0
        default: return nil
        }
    }
}
