import AqylML
import Foundation

/// A count far above its expected value, with the model that expected it.
public struct AnomalyAlert: Sendable, Codable, Equatable {
    public var region: String
    public var category: String
    public var period: String
    public var observed: Int
    public var expected: Double
    /// P(Y ≥ observed) under the stated model.
    public var pValue: Double
    /// Benjamini–Hochberg adjusted over every count tested in the same call.
    public var qValue: Double
    /// True when qValue ≤ alpha.
    public var alert: Bool
    public var model: String
    /// Variance / mean of the model (1 = Poisson).
    public var dispersion: Double
}

public enum Anomalies {
    public struct Options: Sendable {
        /// False discovery rate at which a tested count becomes an alert.
        public var alpha = 0.05
        /// How many final covered periods of each series are tested (each against the periods before it).
        public var testPeriods = 1
        /// Fewest earlier covered periods needed to fit the model.
        public var minimumHistory = 6
        /// Series whose expected count is below this are tested but never alert (too little to tell).
        public var minimumExpected = 1.0
        public init() {}
    }

    /// Temporal model, per series and tested period t: a Poisson regression on the covered periods before t,
    ///
    ///     log μ_s = log(covered days_s) + α + β·s  (+ day-of-week effects for daily series with ≥ 21 days),
    ///
    /// extrapolated to t; over-dispersion φ = Pearson χ² / (n − p), at least 1, turns it into a negative binomial
    /// with mean μ_t and variance φ·μ_t (size μ_t / (φ − 1)). p = P(Y ≥ observed). The uncertainty of μ_t itself
    /// is not added, so p-values are somewhat small where the history is short.
    public static func detect(series: [CountSeries], options o: Options = Options()) -> [AnomalyAlert] {
        var tested: [AnomalyAlert] = []
        for s in series {
            let covered = s.counts.indices.filter { s.exposureDays[$0] > 0 }
            guard covered.count > o.minimumHistory else { continue }
            for t in covered.suffix(o.testPeriods) {
                let history = covered.filter { $0 < t }
                guard history.count >= o.minimumHistory else { continue }
                let weekly = s.unit == .day && history.count >= 21
                func row(_ k: Int) -> [Double] {
                    var r = [1, Double(k - t)]
                    if weekly {
                        let dow = ((s.firstPeriod + k) % 7 + 10) % 7
                        for d in 1..<7 { r.append(dow == d ? 1 : 0) }
                    }
                    return r
                }
                guard let fit = try? PoissonRegression.fit(design: history.map(row), counts: history.map { Double(s.counts[$0]) },
                                                           offsets: history.map { log(Double(s.exposureDays[$0])) }) else { continue }
                let mu = fit.mean(row: row(t), offset: log(Double(s.exposureDays[t])))
                let y = s.counts[t]
                let phi = fit.dispersion
                let p = phi > 1 + 1e-9 ? CountTail.negativeBinomialUpper(observed: y, mean: mu, size: mu / (phi - 1))
                                       : CountTail.poissonUpper(observed: y, mean: mu)
                let model = "Poisson regression on \(history.count) earlier \(s.unit.rawValue)s (log-linear trend\(weekly ? ", day of week" : ""), covered days as exposure), "
                    + (phi > 1 + 1e-9 ? String(format: "negative binomial with variance %.2f × mean", phi) : "Poisson variance")
                tested.append(AnomalyAlert(region: s.region, category: s.category, period: s.label(t), observed: y, expected: mu,
                                           pValue: p, qValue: 1, alert: false, model: model, dispersion: phi))
            }
        }
        return finish(tested, options: o)
    }

    /// Cross-sectional model for two periods (e.g. July 2017 against July 2016), per category over regions: a
    /// region is expected to keep its share of the previous period against the other regions,
    ///
    ///     E[current_r] = previous_r · Σ_{s≠r} current_s / Σ_{s≠r} previous_s,
    ///
    /// with a negative-binomial variance φ·E, φ the Pearson dispersion of the other regions about the same model
    /// (at least 1). Leaving the tested region out keeps one outlier from hiding itself in φ. Regions with no
    /// previous count are not tested (no expectation); a category needs four regions.
    public static func shareShift(current: [CountSeries], currentIndex: Int, previousIndex: Int,
                                  options o: Options = Options()) -> [AnomalyAlert] {
        var byCategory: [String: [CountSeries]] = [:]
        for s in current where s.region != "ALL" { byCategory[s.category, default: []].append(s) }
        var tested: [AnomalyAlert] = []
        for (category, list) in byCategory.sorted(by: { $0.key < $1.key }) {
            let rows = list.filter { currentIndex < $0.counts.count && previousIndex < $0.counts.count && $0.counts[previousIndex] > 0 }
            guard rows.count >= 4 else { continue }
            let now = rows.map { Double($0.counts[currentIndex]) }, then = rows.map { Double($0.counts[previousIndex]) }
            let totalNow = now.reduce(0, +), totalThen = then.reduce(0, +)
            for (r, s) in rows.enumerated() {
                let ratio = (totalNow - now[r]) / (totalThen - then[r])
                var pearson = 0.0
                for k in rows.indices where k != r {
                    let e = then[k] * ratio
                    pearson += (now[k] - e) * (now[k] - e) / max(e, 1e-9)
                }
                let phi = max(1, pearson / Double(rows.count - 2))
                let e = then[r] * ratio
                let y = s.counts[currentIndex]
                let p = phi > 1 + 1e-9 ? CountTail.negativeBinomialUpper(observed: y, mean: e, size: e / (phi - 1))
                                       : CountTail.poissonUpper(observed: y, mean: e)
                let model = String(format: "same share as in %@ against the other %d regions (their ratio %.3f), negative binomial with variance %.2f × mean",
                                   s.label(previousIndex), rows.count - 1, ratio, phi)
                tested.append(AnomalyAlert(region: s.region, category: category, period: s.label(currentIndex), observed: y,
                                           expected: e, pValue: p, qValue: 1, alert: false, model: model, dispersion: phi))
            }
        }
        return finish(tested, options: o)
    }

    static func finish(_ tested: [AnomalyAlert], options o: Options) -> [AnomalyAlert] {
        let q = CountTail.benjaminiHochberg(tested.map(\.pValue))
        var out = tested
        for i in out.indices {
            out[i].qValue = q[i]
            out[i].alert = q[i] <= o.alpha && out[i].expected >= o.minimumExpected && Double(out[i].observed) > out[i].expected
        }
        return out.sorted { $0.pValue != $1.pValue ? $0.pValue < $1.pValue : ($0.region, $0.category) < ($1.region, $1.category) }
    }
}
