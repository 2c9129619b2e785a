import Foundation

/// Calendar days as integers: days since 1970-01-01 in the proleptic Gregorian calendar (no time zone: a
/// record's date is taken as written). Conversion by the days-from-civil arithmetic (era of 400 years = 146,097
/// days), without Foundation's locale-dependent formatters.
public enum CivilDay {
    /// Day number of a calendar date; nil for an impossible date (e.g. 2016-02-30).
    public static func day(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), day >= 1, day <= daysIn(year: year, month: month) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// (year, month, day) of a day number.
    public static func date(_ n: Int) -> (year: Int, month: Int, day: Int) {
        let z = n + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// "YYYY-MM-DD" of a day number.
    public static func string(_ n: Int) -> String {
        let d = date(n)
        return String(format: "%04d-%02d-%02d", d.year, d.month, d.day)
    }

    /// Parses "YYYY-MM-DD" strictly (four-digit year, two-digit month and day, a real date).
    public static func parse(_ s: String) -> Int? {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
              let y = digits(b[0..<4]), let m = digits(b[5..<7]), let d = digits(b[8..<10]) else { return nil }
        return day(year: y, month: m, day: d)
    }

    /// Parses "YYYY-MM" strictly: the month's first day and its length in days.
    public static func parseMonth(_ s: String) -> (first: Int, days: Int)? {
        let b = Array(s.utf8)
        guard b.count == 7, b[4] == 0x2D, let y = digits(b[0..<4]), let m = digits(b[5..<7]),
              let first = day(year: y, month: m, day: 1) else { return nil }
        return (first, daysIn(year: y, month: m))
    }

    /// Day number of a moment (UTC).
    public static func day(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// Monday-based week number: week 0 runs from Monday 1969-12-29 to Sunday 1970-01-04.
    public static func week(_ n: Int) -> Int { Int((Double(n + 3) / 7).rounded(.down)) }
    public static func firstDay(ofWeek w: Int) -> Int { w * 7 - 3 }

    /// Months since January 1970 (0 = 1970-01).
    public static func month(_ n: Int) -> Int {
        let d = date(n)
        return (d.year - 1970) * 12 + (d.month - 1)
    }

    public static func firstDay(ofMonth m: Int) -> Int {
        let y = 1970 + Int((Double(m) / 12).rounded(.down))
        let mo = m - (y - 1970) * 12 + 1
        return day(year: y, month: mo, day: 1)!
    }

    public static func monthString(_ m: Int) -> String {
        let d = date(firstDay(ofMonth: m))
        return String(format: "%04d-%02d", d.year, d.month)
    }

    private static func digits(_ s: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for c in s {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }
}
