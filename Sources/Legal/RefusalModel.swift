import Foundation

/// What the confidence is computed from; none of it looks at the question's wording, only at how well the
/// retrieved law covers it.
public struct RefusalFeatures: Sendable, Codable, Equatable {
    /// idf-weighted share of the question's terms present in the best chunk.
    public var coverage: Double
    /// Best such share among the first five chunks.
    public var bestCoverage: Double
    /// Cosine of question and best chunk (0 when the index has no vectors).
    public var cosine: Double
    public var hasDense: Bool

    public init(coverage: Double, bestCoverage: Double, cosine: Double, hasDense: Bool) {
        self.coverage = coverage
        self.bestCoverage = bestCoverage
        self.cosine = cosine
        self.hasDense = hasDense
    }

    public init(_ r: RetrievalResult) {
        self.init(coverage: r.coverage, bestCoverage: r.bestCoverage, cosine: r.bestCosine ?? 0, hasDense: r.bestCosine != nil)
    }

    var vector: [Double] { hasDense ? [coverage, bestCoverage, cosine] : [coverage, bestCoverage, 0] }
}

/// A calibrated confidence that the best retrieved chunk answers the question: a logistic regression on
/// `RefusalFeatures`, fitted (L2-penalised, deterministic gradient descent) on dev questions labelled 1 when
/// the first chunk is a hit by the benchmark rule and 0 otherwise (unanswerable questions are all 0). An
/// answer is given when the confidence is at least `threshold`; below it the agent refuses and offers a
/// human lawyer.
public struct RefusalModel: Sendable, Codable, Equatable {
    public var weights: [Double]
    public var bias: Double
    public var threshold: Double
    /// How the weights and threshold were chosen (for the model card).
    public var provenance: String

    /// Untuned hand-set default, used for an index that `aqyl legal tune` has not fitted (the fitted model is
    /// written to `INDEX.tuned.json` beside the index and stated on the model card the same command writes).
    public static let standard = RefusalModel(weights: [6, 2, 0], bias: -4.5, threshold: 0.5, provenance: "untuned default")

    public init(weights: [Double], bias: Double, threshold: Double, provenance: String) {
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.provenance = provenance
    }

    public func confidence(_ f: RefusalFeatures) -> Double {
        let x = f.vector
        var z = bias
        for (w, v) in zip(weights, x) { z += w * v }
        return 1 / (1 + exp(-z))
    }

    public func refuses(_ f: RefusalFeatures) -> Bool { confidence(f) < threshold }

    /// Logistic regression by gradient descent (fixed steps, so deterministic).
    public static func fit(_ xs: [RefusalFeatures], labels: [Bool], l2: Double = 0.01, steps: Int = 4000, rate: Double = 0.5) -> (weights: [Double], bias: Double) {
        let dim = 3
        var w = [Double](repeating: 0, count: dim)
        var b = 0.0
        let n = Double(max(xs.count, 1))
        let vs = xs.map(\.vector)
        for _ in 0..<steps {
            var gw = [Double](repeating: 0, count: dim)
            var gb = 0.0
            for (x, y) in zip(vs, labels) {
                var z = b
                for j in 0..<dim { z += w[j] * x[j] }
                let p = 1 / (1 + exp(-z))
                let e = p - (y ? 1 : 0)
                for j in 0..<dim { gw[j] += e * x[j] }
                gb += e
            }
            for j in 0..<dim { w[j] -= rate * (gw[j] / n + l2 * w[j]) }
            b -= rate * gb / n
        }
        return (w, b)
    }

    /// The threshold that refuses the most unanswerable questions while refusing at most `maxRefusedAnswerable`
    /// of the answerable ones (candidates: midpoints between sorted confidences).
    public static func chooseThreshold(answerable: [Double], unanswerable: [Double], maxRefusedAnswerable: Double = 0.10) -> Double {
        let all = Array(Set(answerable + unanswerable)).sorted()
        var cands: [Double] = [0]
        for i in 0..<all.count { cands.append(i + 1 < all.count ? (all[i] + all[i + 1]) / 2 : all[i] + 1e-9) }
        var best = 0.0
        var bestRefused = -1.0
        for t in cands {
            let ra = answerable.isEmpty ? 0 : Double(answerable.filter { $0 < t }.count) / Double(answerable.count)
            guard ra <= maxRefusedAnswerable + 1e-12 else { continue }
            let ru = unanswerable.isEmpty ? 0 : Double(unanswerable.filter { $0 < t }.count) / Double(unanswerable.count)
            if ru > bestRefused + 1e-12 { best = t; bestRefused = ru }
        }
        return best
    }
}
