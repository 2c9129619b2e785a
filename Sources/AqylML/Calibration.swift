import AqylKit
import Foundation

/// Isotonic-regression probability calibration (one-vs-rest per class, then renormalised).
/// Fit it on held-out data, never on the training rows.
public struct IsotonicCalibrator: Sendable, Codable, Equatable {
    /// Per class: ascending input thresholds and the calibrated values at them (piecewise linear in between).
    public var x: [[Double]]
    public var y: [[Double]]

    /// Pool-adjacent-violators fit of `labels == class` against the predicted probability of each class.
    public static func fit(probabilities p: ProbabilityMatrix, labels: [Int]) -> IsotonicCalibrator {
        let K = p.classCount
        var xs: [[Double]] = [], ys: [[Double]] = []
        let classesToFit = K == 2 ? [1] : Array(0..<K)
        for c in classesToFit {
            let pairs = (0..<p.rowCount).map { (p[$0, c], labels[$0] == c ? 1.0 : 0.0) }.sorted { $0.0 < $1.0 }
            // blocks: value, weight, x-min, x-max
            var vals: [Double] = [], wts: [Double] = [], lo: [Double] = [], hi: [Double] = []
            for (xv, yv) in pairs {
                vals.append(yv); wts.append(1); lo.append(xv); hi.append(xv)
                while vals.count > 1 && vals[vals.count - 2] >= vals[vals.count - 1] {
                    let w = wts[wts.count - 2] + wts[wts.count - 1]
                    let v = (vals[vals.count - 2] * wts[wts.count - 2] + vals[vals.count - 1] * wts[wts.count - 1]) / w
                    vals.removeLast(); wts.removeLast(); let h = hi.removeLast(); lo.removeLast()
                    vals[vals.count - 1] = v; wts[wts.count - 1] = w; hi[hi.count - 1] = h
                }
            }
            var cx: [Double] = [], cy: [Double] = []
            for i in 0..<vals.count {
                cx.append(lo[i]); cy.append(vals[i])
                if hi[i] > lo[i] { cx.append(hi[i]); cy.append(vals[i]) }
            }
            xs.append(cx); ys.append(cy)
        }
        return IsotonicCalibrator(x: xs, y: ys)
    }

    static func interpolate(_ x: [Double], _ y: [Double], _ v: Double) -> Double {
        guard let first = x.first, let last = x.last else { return v }
        if v <= first { return y[0] }
        if v >= last { return y[y.count - 1] }
        var lo = 0, hi = x.count - 1
        while hi - lo > 1 { let m = (lo + hi) / 2; if x[m] <= v { lo = m } else { hi = m } }
        let t = x[hi] > x[lo] ? (v - x[lo]) / (x[hi] - x[lo]) : 0
        return y[lo] + t * (y[hi] - y[lo])
    }

    /// Applies the calibration map to a probability matrix.
    public func apply(_ p: ProbabilityMatrix) -> ProbabilityMatrix {
        var out = p
        let K = p.classCount
        for r in 0..<p.rowCount {
            if K == 2 {
                let q = IsotonicCalibrator.interpolate(x[0], y[0], p[r, 1])
                out.values[r * 2] = 1 - q; out.values[r * 2 + 1] = q
            } else {
                var s = 0.0
                for k in 0..<K {
                    let q = IsotonicCalibrator.interpolate(x[k], y[k], p[r, k])
                    out.values[r * K + k] = q; s += q
                }
                for k in 0..<K { out.values[r * K + k] = s > 0 ? out.values[r * K + k] / s : 1 / Double(K) }
            }
        }
        return out
    }
}

/// Per-class precision, recall, F1 and support.
public struct ClassMetrics: Sendable, Codable, Equatable {
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var support: Int
}

/// Classification metrics for a set of predictions.
public struct ClassificationReport: Sendable, Codable, Equatable {
    public var n: Int
    public var accuracy: Double
    public var macroF1: Double
    public var classes: [String: ClassMetrics]

    enum CodingKeys: String, CodingKey {
        case n, accuracy, macroF1 = "macro_f1", classes
    }

    /// Computes the report; classes are those in `labels` plus those in `truth`.
    public init(truth: [String], predicted: [String], labels: [String] = []) {
        var all = labels
        for t in Set(truth).union(predicted).sorted() where !all.contains(t) { all.append(t) }
        var tp: [String: Int] = [:], fp: [String: Int] = [:], fn: [String: Int] = [:], sup: [String: Int] = [:]
        var correct = 0
        for (t, p) in zip(truth, predicted) {
            sup[t, default: 0] += 1
            if t == p { correct += 1; tp[t, default: 0] += 1 } else { fp[p, default: 0] += 1; fn[t, default: 0] += 1 }
        }
        n = truth.count
        accuracy = n == 0 ? 0 : Double(correct) / Double(n)
        var cm: [String: ClassMetrics] = [:]
        var f1s: [Double] = []
        for c in all {
            let m = Self.metrics(tp: tp[c] ?? 0, fp: fp[c] ?? 0, fn: fn[c] ?? 0)
            cm[c] = ClassMetrics(precision: m.precision, recall: m.recall, f1: m.f1, support: sup[c] ?? 0)
            if (sup[c] ?? 0) > 0 || (fp[c] ?? 0) > 0 { f1s.append(m.f1) }
        }
        classes = cm
        macroF1 = f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count)
    }

    static func metrics(tp: Int, fp: Int, fn: Int) -> (precision: Double, recall: Double, f1: Double) {
        let t = Double(tp), fpos = Double(fp), fneg = Double(fn)
        let prec = t + fpos > 0 ? t / (t + fpos) : 0
        let rec = t + fneg > 0 ? t / (t + fneg) : 0
        return (prec, rec, prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0)
    }

    /// Percentile bootstrap interval of macro-F1: the rows are resampled with replacement `resamples` times (fewer on
    /// very large sets, never under 100) and each resample's macro-F1 is computed as `init` does, counting a class only
    /// where it occurs in the resample's truth or predictions. Seeded, so a model card shows the same interval every
    /// time. Nil for fewer than 2 rows or mismatched lengths.
    public static func macroF1Interval(truth: [String], predicted: [String], level: Double = 0.95, resamples: Int = 1000,
                                       seed: UInt64 = 1) -> ClosedRange<Double>? {
        let n = truth.count
        guard n >= 2, predicted.count == n, level > 0, level < 1 else { return nil }
        let labels = Set(truth).union(predicted).sorted()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let t = truth.map { index[$0]! }, p = predicted.map { index[$0]! }
        let rounds = max(100, min(resamples, 5_000_000 / n))
        var rng = SplitMix64(seed: seed)
        var tp = [Int](repeating: 0, count: labels.count), fp = tp, fn = tp
        var scores = [Double]()
        scores.reserveCapacity(rounds)
        for _ in 0..<rounds {
            for c in labels.indices { tp[c] = 0; fp[c] = 0; fn[c] = 0 }
            for _ in 0..<n {
                let i = Int.random(in: 0..<n, using: &rng)
                if t[i] == p[i] { tp[t[i]] += 1 } else { fp[p[i]] += 1; fn[t[i]] += 1 }
            }
            var sum = 0.0, present = 0
            for c in labels.indices where tp[c] + fn[c] > 0 || fp[c] > 0 {
                sum += metrics(tp: tp[c], fp: fp[c], fn: fn[c]).f1
                present += 1
            }
            scores.append(present == 0 ? 0 : sum / Double(present))
        }
        scores.sort()
        let lo = Int((Double(rounds) * (1 - level) / 2).rounded(.down))
        let hi = min(rounds - 1, Int((Double(rounds) * (1 + level) / 2).rounded(.down)))
        return scores[lo]...scores[hi]
    }
}
