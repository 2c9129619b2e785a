import Foundation

/// Kazakhstan's civil time: one zone, UTC+5, since 1 March 2024. Every date Aqyl shows or groups by (days,
/// months, quarters, weeks of reports) is taken in it.
public enum KazakhstanTime {
    public static let offsetSeconds = 5 * 3600

    /// Gregorian calendar in UTC+5.
    public static var calendar: Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: offsetSeconds)!
        return cal
    }

    /// `YYYY-MM-DD` in UTC+5.
    public static func day(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// `YYYY-MM` in UTC+5.
    public static func month(_ date: Date) -> String { String(day(date).prefix(7)) }

    /// Parses `YYYY-MM-DD` as noon in UTC+5; a 400 naming `field` otherwise.
    public static func parseDay(_ s: String, field: String) throws(AqylError) -> Date {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.count == 10, p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (2000...2100).contains(y),
              let date = calendar.date(from: DateComponents(year: y, month: m, day: d, hour: 12)),
              day(date) == String(format: "%04d-%02d-%02d", y, m, d) else {
            throw .invalid(field, "\(field) must be a date like 2026-11-20")
        }
        return date
    }

    /// Checks `YYYY-MM` (a month of 2000–2100); a 400 naming `field` otherwise.
    public static func validateMonth(_ s: String, field: String) throws(AqylError) {
        guard s.count == 7, (try? parseDay(s + "-01", field: field)) != nil else {
            throw .invalid(field, "\(field) must look like 2026-11")
        }
    }
}
