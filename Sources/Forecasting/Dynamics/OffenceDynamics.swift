import AqylML
import Foundation

public enum PeriodUnit: String, Sendable, Codable, CaseIterable {
    case day, week, month

    /// Period index of a day (days since 1970, Monday-based weeks, months since 1970-01).
    public func period(_ day: Int) -> Int {
        switch self {
        case .day: return day
        case .week: return CivilDay.week(day)
        case .month: return CivilDay.month(day)
        }
    }

    public func firstDay(_ period: Int) -> Int {
        switch self {
        case .day: return period
        case .week: return CivilDay.firstDay(ofWeek: period)
        case .month: return CivilDay.firstDay(ofMonth: period)
        }
    }

    public func label(_ period: Int) -> String {
        switch self {
        case .day: return CivilDay.string(period)
        case .week: return "week of " + CivilDay.string(CivilDay.firstDay(ofWeek: period))
        case .month: return CivilDay.monthString(period)
        }
    }

    /// Periods in a year (for year-on-year comparison).
    public var perYear: Int? {
        switch self {
        case .day, .week: return nil
        case .month: return 12
        }
    }
}

/// Counts of one region × category by period. Periods the data does not cover have exposure 0 (no data, not
/// zero incidents); a period the data covers only in part has its covered days as exposure.
public struct CountSeries: Sendable, Codable, Equatable {
    public var region: String
    public var category: String
    public var unit: PeriodUnit
    /// Period index of `counts[0]`.
    public var firstPeriod: Int
    public var counts: [Int]
    /// Days of each period covered by the data.
    public var exposureDays: [Int]

    public func label(_ k: Int) -> String { unit.label(firstPeriod + k) }
}

/// Trend of a series: a Poisson regression with a log-linear time term (and day-of-week effects for daily series
/// with at least three weeks), covered days as exposure.
public struct SeriesTrend: Sendable, Codable, Equatable {
    /// Multiplicative change per period, exp(β).
    public var ratePerPeriod: Double
    /// Two-sided Wald p-value of β (with the Pearson dispersion).
    public var pValue: Double
    /// Day-of-week rate relative to the mean day (Monday first), daily series only.
    public var weekday: [Double]?
    public var dispersion: Double
    public var periods: Int
}

public struct YearOnYear: Sendable, Codable, Equatable {
    public var region: String
    public var category: String
    public var period: String
    public var previousPeriod: String
    public var count: Int
    public var previous: Int
    /// (count − previous) / previous; nil when previous is 0.
    public var change: Double?
}

public enum OffenceDynamics {
    public struct Options: Sendable {
        public var unit: PeriodUnit
        /// Split by the incidents' district field (else one region, "ALL").
        public var byDistrict = false
        /// Count top-level taxonomy codes (`theft`), or the full codes (`theft.vehicle`).
        public var topLevel = true
        /// Also a series for all categories together.
        public var includeAll = true
        public init(unit: PeriodUnit) { self.unit = unit }
    }

    public struct UnitError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Counts per region × category × period over the days the data covers: from the first incident's day to
    /// the last incident's interval end. Incidents known only to the month cannot be counted by day or week.
    public static func series(_ incidents: [Incident], options o: Options) throws(UnitError) -> [CountSeries] {
        guard !incidents.isEmpty else { return [] }
        let coarse = incidents.map(\.days).max()!
        if coarse > 1 && o.unit != .month {
            throw UnitError(message: "the incidents are known only to the month (\(coarse)-day intervals): count them by month, not by \(o.unit.rawValue)")
        }
        // Coverage: the union of the incidents' intervals, by day (monthly files cover their months).
        var covered = Set<Int>()
        if coarse > 1 {
            for inc in incidents where !covered.contains(inc.day) { for d in inc.day..<inc.endDay { covered.insert(d) } }
        } else {
            let first = incidents.map(\.day).min()!, last = incidents.map(\.day).max()!
            for d in first...last { covered.insert(d) }
        }
        let firstPeriod = o.unit.period(covered.min()!), lastPeriod = o.unit.period(covered.max()!)
        let width = lastPeriod - firstPeriod + 1
        var exposure = [Int](repeating: 0, count: width)
        for d in covered { exposure[o.unit.period(d) - firstPeriod] += 1 }
        var table: [String: [Int]] = [:]
        func add(_ region: String, _ category: String, _ k: Int) {
            let key = region + "\u{1F}" + category
            if table[key] == nil { table[key] = [Int](repeating: 0, count: width) }
            table[key]![k] += 1
        }
        for inc in incidents {
            let k = o.unit.period(inc.day) - firstPeriod
            let category = o.topLevel ? String(inc.category.split(separator: ".").first ?? "") : inc.category
            let regions = o.byDistrict ? ["ALL", inc.district ?? "(none)"] : ["ALL"]
            for r in regions {
                add(r, category, k)
                if o.includeAll { add(r, "ALL", k) }
            }
        }
        return table.keys.sorted().map { key in
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            return CountSeries(region: parts[0], category: parts[1], unit: o.unit, firstPeriod: firstPeriod,
                               counts: table[key]!, exposureDays: exposure)
        }
    }

    /// Log-linear trend (and weekday pattern) of the covered periods; nil with fewer than three covered periods.
    public static func trend(_ s: CountSeries) -> SeriesTrend? {
        let rows = s.counts.indices.filter { s.exposureDays[$0] > 0 }
        guard rows.count >= 3 else { return nil }
        let weekly = s.unit == .day && rows.count >= 21
        let design = rows.map { k -> [Double] in
            var r = [1, Double(k)]
            if weekly {
                let dow = ((s.firstPeriod + k) % 7 + 7 + 3) % 7   // 0 = Monday (day 0 of 1970 was a Thursday)
                for d in 1..<7 { r.append(dow == d ? 1 : 0) }
            }
            return r
        }
        guard let fit = try? PoissonRegression.fit(design: design, counts: rows.map { Double(s.counts[$0]) },
                                                   offsets: rows.map { log(Double(s.exposureDays[$0])) }) else { return nil }
        let se = fit.covariance[1][1].squareRoot()
        let z = se > 0 ? fit.coefficients[1] / se : 0
        let p = 2 * (1 - SpecialFunctions.normalCDF(abs(z)))
        var weekday: [Double]?
        if weekly {
            let effects = [0.0] + fit.coefficients[2...].map { $0 }
            let mean = effects.map(exp).reduce(0, +) / 7
            weekday = effects.map { exp($0) / mean }
        }
        return SeriesTrend(ratePerPeriod: exp(fit.coefficients[1]), pValue: p, weekday: weekday, dispersion: fit.dispersion,
                           periods: rows.count)
    }

    /// Each covered period against the same period a year earlier, where both are fully covered.
    public static func yearOnYear(_ s: CountSeries) -> [YearOnYear] {
        guard let perYear = s.unit.perYear else { return [] }
        var out: [YearOnYear] = []
        for k in s.counts.indices where k >= perYear {
            let j = k - perYear
            let full = s.exposureDays[k] > 0 && s.exposureDays[j] > 0
                && s.exposureDays[k] >= daysIn(s, k) && s.exposureDays[j] >= daysIn(s, j)
            guard full else { continue }
            let prev = s.counts[j], cur = s.counts[k]
            out.append(YearOnYear(region: s.region, category: s.category, period: s.label(k), previousPeriod: s.label(j),
                                  count: cur, previous: prev, change: prev > 0 ? Double(cur - prev) / Double(prev) : nil))
        }
        return out
    }

    static func daysIn(_ s: CountSeries, _ k: Int) -> Int {
        let p = s.firstPeriod + k
        return s.unit.firstDay(p + 1) - s.unit.firstDay(p)
    }
}
