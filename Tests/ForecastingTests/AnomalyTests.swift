import AqylKit
import AqylML
import Foundation
import Testing
@testable import Forecasting

@Suite struct AnomalyTests {
    /// 56 days around 20 a day (weekends 30), then a day far above and a day at the usual level.
    func series(lastCount: Int) -> CountSeries {
        var rng = SeededGenerator(seed: 11)
        let first = CivilDay.parse("2020-01-06")!          // a Monday
        var counts: [Int] = []
        for d in 0..<56 {
            let mean = (d % 7 >= 5) ? 30.0 : 20.0
            // Poisson draw by inversion.
            var k = 0, p = exp(-mean), cdf = p
            let u = Double(rng.next() >> 11) * 0x1p-53
            while u > cdf && k < 200 { k += 1; p *= mean / Double(k); cdf += p }
            counts.append(k)
        }
        counts.append(lastCount)                           // day 57: a Monday
        return CountSeries(region: "R1", category: "burglary", unit: .day, firstPeriod: first, counts: counts,
                           exposureDays: [Int](repeating: 1, count: counts.count))
    }

    @Test func alertsOnACountFarAboveExpectation() {
        let alerts = Anomalies.detect(series: [series(lastCount: 60)])
        #expect(alerts.count == 1)
        let a = alerts[0]
        #expect(a.alert)
        #expect(a.observed == 60)
        #expect(a.expected > 16 && a.expected < 25, "expected \(a.expected) on a weekday")
        #expect(a.pValue < 1e-6)
        #expect(a.period == "2020-03-02")
        #expect(a.model.contains("day of week"))
    }

    @Test func noAlertAtTheUsualLevel() {
        let alerts = Anomalies.detect(series: [series(lastCount: 22)])
        #expect(alerts.count == 1 && !alerts[0].alert && alerts[0].pValue > 0.1)
    }

    @Test func shareShiftFlagsTheRegionThatGrewAgainstTheOthers() {
        let previous = [100, 200, 300, 400, 500], current = [110, 220, 660, 440, 550]
        let s = zip(previous, current).enumerated().map { k, pc in
            CountSeries(region: "R\(k)", category: "theft", unit: .month, firstPeriod: 0, counts: [pc.0] + [Int](repeating: 0, count: 11) + [pc.1],
                        exposureDays: [31] + [Int](repeating: 0, count: 11) + [31])
        }
        let alerts = Anomalies.shareShift(current: s, currentIndex: 12, previousIndex: 0)
        #expect(alerts.filter(\.alert).map(\.region) == ["R2"])
    }

    @Test func tailProbabilities() {
        // P(Y ≥ 3 | Poisson 1) = 1 − e⁻¹(1 + 1 + 1/2).
        #expect(abs(CountTail.poissonUpper(observed: 3, mean: 1) - (1 - 2.5 * exp(-1))) < 1e-12)
        #expect(CountTail.poissonUpper(observed: 0, mean: 5) == 1)
        // Negative binomial of size 1 is geometric: P(Y ≥ y) = (μ / (1 + μ))^y.
        #expect(abs(CountTail.negativeBinomialUpper(observed: 3, mean: 2, size: 1) - pow(2.0 / 3.0, 3)) < 1e-12)
        // A huge size is Poisson.
        #expect(abs(CountTail.negativeBinomialUpper(observed: 7, mean: 4, size: 1e9) - CountTail.poissonUpper(observed: 7, mean: 4)) < 1e-6)
        let q = CountTail.benjaminiHochberg([0.01, 0.04, 0.03, 0.5])
        #expect(abs(q[0] - 0.04) < 1e-12 && abs(q[1] - 0.16 / 3) < 1e-12 && abs(q[2] - 0.16 / 3) < 1e-12 && q[3] == 0.5)
    }

    @Test func poissonRegressionRecoversALogLinearTrend() throws {
        let t = (0..<20).map(Double.init)
        let y = t.map { exp(1 + 0.1 * $0) }
        let fit = try PoissonRegression.fit(design: t.map { [1, $0] }, counts: y)
        #expect(abs(fit.coefficients[0] - 1) < 1e-6 && abs(fit.coefficients[1] - 0.1) < 1e-6)
    }

    @Test func seriesTrendAndYearOnYear() throws {
        let incidents = [
            Incident(day: CivilDay.parse("2016-07-01")!, days: 31, x: 0, y: 0, category: "theft.vehicle", district: "Leeds"),
            Incident(day: CivilDay.parse("2016-07-01")!, days: 31, x: 0, y: 0, category: "theft.vehicle", district: "Leeds"),
            Incident(day: CivilDay.parse("2017-07-01")!, days: 31, x: 0, y: 0, category: "theft.other", district: "Leeds"),
        ]
        var o = OffenceDynamics.Options(unit: .month)
        o.byDistrict = true
        let series = try OffenceDynamics.series(incidents, options: o)
        let leedsTheft = series.first { $0.region == "Leeds" && $0.category == "theft" }!
        #expect(leedsTheft.counts.count == 13 && leedsTheft.counts[0] == 2 && leedsTheft.counts[12] == 1)
        #expect(leedsTheft.exposureDays[1] == 0)             // August 2016 is not covered: no data, not zero
        let yoy = OffenceDynamics.yearOnYear(leedsTheft)
        #expect(yoy.count == 1 && yoy[0].period == "2017-07" && yoy[0].previous == 2 && yoy[0].change == -0.5)
        #expect(throws: OffenceDynamics.UnitError.self) { _ = try OffenceDynamics.series(incidents, options: .init(unit: .week)) }
    }
}
