import Foundation

/// Settings of one binary L2-regularised logistic regression trained by L-BFGS.
///
/// Objective: `C · Σ_i c_i · [softplus(z_i) − t_i · z_i] + ½‖w‖²` with `z_i = w·x_i + b`; the
/// bias `b` is not regularised; `t_i ∈ [0, 1]` (soft targets allowed); `c_i` the class weight.
public struct TextLogisticOptions: Sendable, Codable, Equatable {
    /// Inverse regularisation strength, as scikit-learn's `C` (default 5).
    public var c: Double
    /// Maximum L-BFGS iterations (default 300).
    public var maxIterations: Int
    /// Stop when ‖gradient‖₂ ≤ tolerance · ‖initial gradient‖₂ (default 1e-4).
    public var tolerance: Double
    /// L-BFGS history length (default 10).
    public var memory: Int
    /// Weight positives by `n / (2 · positives)` and negatives by `n / (2 · negatives)`
    /// (scikit-learn's `class_weight="balanced"`), default false.
    public var balancedClassWeight: Bool
    /// NB-LR (Wang & Manning 2012, "NBSVM"): scale each feature by its naive-Bayes log-count
    /// ratio `r_j = ln[(Σ_pos x_ij + α)/(n_pos + α)] − ln[(Σ_neg x_ij + α)/(n_neg + α)]` before
    /// fitting; the stored weights are the effective ones (w ⊙ r), so prediction is unchanged.
    /// 0 disables; Wang & Manning use α = 1 on binary features; default 0.1 (tuned for
    /// L2-normalised TF-IDF values).
    public var naiveBayesAlpha: Double

    public init(
        c: Double = 5, maxIterations: Int = 300, tolerance: Double = 1e-4, memory: Int = 10,
        balancedClassWeight: Bool = false, naiveBayesAlpha: Double = 0.1
    ) {
        self.naiveBayesAlpha = naiveBayesAlpha
        self.c = c
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.memory = memory
        self.balancedClassWeight = balancedClassWeight
    }
}

/// A trained binary linear model over sparse features.
public struct TextLinearModel: Sendable {
    public var weights: [Float]
    public var bias: Float
    public var iterations: Int

    @inline(__always)
    public func decision(_ x: TextSparseVector) -> Float {
        var z = bias
        for (i, v) in zip(x.indices, x.values) { z += weights[Int(i)] * v }
        return z
    }

    public func decisions(_ m: TextSparseMatrix) -> [Float] {
        (0..<m.rowCount).map { r in
            var z = bias
            for k in m.rowPointers[r]..<m.rowPointers[r + 1] { z += weights[Int(m.columns[k])] * m.values[k] }
            return z
        }
    }
}

/// L-BFGS trainer for `TextLinearModel`. Deterministic: starts from zero and uses no randomness.
public enum TextLogisticRegression {
    /// `sampleWeights` (optional, one per row) multiply each row's loss.
    public static func fit(
        _ x0: TextSparseMatrix, targets: [Float], sampleWeights: [Float]? = nil, options o: TextLogisticOptions,
        naiveBayesColumns: Int? = nil
    ) -> TextLinearModel {
        guard o.naiveBayesAlpha > 0 else { return fitScaled(x0, targets: targets, sampleWeights: sampleWeights, options: o) }
        var r = naiveBayesRatios(x0, targets: targets, alpha: o.naiveBayesAlpha)
        // Dense columns (word vectors, signed values) are not count-like: no NB scaling for them.
        if let limit = naiveBayesColumns { for j in limit..<r.count { r[j] = 1 } }
        let x = x0.scalingColumns(r)
        var m = fitScaled(x, targets: targets, sampleWeights: sampleWeights, options: o)
        for j in m.weights.indices { m.weights[j] *= r[j] }
        return m
    }

    /// Per-feature naive-Bayes log-count ratios (see `TextLogisticOptions.naiveBayesAlpha`).
    public static func naiveBayesRatios(_ x: TextSparseMatrix, targets: [Float], alpha: Double) -> [Float] {
        var p = [Double](repeating: alpha, count: x.columnCount)
        var q = p
        var np = alpha, nq = alpha
        for i in 0..<x.rowCount {
            let t = Double(targets[i])
            np += t
            nq += 1 - t
            for k in x.rowPointers[i]..<x.rowPointers[i + 1] {
                let v = Double(x.values[k])
                p[Int(x.columns[k])] += t * v
                q[Int(x.columns[k])] += (1 - t) * v
            }
        }
        // Meant for non-negative features; a non-positive sum gets no scaling (ratio 1).
        return (0..<x.columnCount).map { j in
            p[j] > 0 && q[j] > 0 ? Float(log((p[j] / np) / (q[j] / nq))) : 1
        }
    }

    static func fitScaled(
        _ x: TextSparseMatrix, targets: [Float], sampleWeights: [Float]?, options o: TextLogisticOptions
    ) -> TextLinearModel {
        let n = x.rowCount
        let d = x.columnCount
        precondition(targets.count == n && (sampleWeights?.count ?? n) == n)
        var sampleWeight = [Double](repeating: 1, count: n)
        if o.balancedClassWeight {
            let pos = targets.reduce(0) { $0 + Double($1) }
            let neg = Double(n) - pos
            if pos > 0 && neg > 0 {
                for i in 0..<n {
                    let t = Double(targets[i])
                    sampleWeight[i] = t * Double(n) / (2 * pos) + (1 - t) * Double(n) / (2 * neg)
                }
            }
        }
        if let sampleWeights { for i in 0..<n { sampleWeight[i] *= Double(sampleWeights[i]) } }
        let t = targets.map(Double.init)
        var z = [Double](repeating: 0, count: n)
        var r = [Double](repeating: 0, count: n)

        // Objective and gradient at `w` (last entry is the bias).
        func evaluate(_ w: [Double], _ g: inout [Double]) -> Double {
            let b = w[d]
            x.columns.withUnsafeBufferPointer { cols in
                x.values.withUnsafeBufferPointer { vals in
                    w.withUnsafeBufferPointer { wp in
                        for i in 0..<n {
                            var s = b
                            for k in x.rowPointers[i]..<x.rowPointers[i + 1] {
                                s += wp[Int(cols[k])] * Double(vals[k])
                            }
                            z[i] = s
                        }
                    }
                }
            }
            var f = 0.0
            var gb = 0.0
            for i in 0..<n {
                let zi = z[i]
                let softplus = zi > 0 ? zi + log1p(exp(-zi)) : log1p(exp(zi))
                f += sampleWeight[i] * (softplus - t[i] * zi)
                let p = zi >= 0 ? 1 / (1 + exp(-zi)) : exp(zi) / (1 + exp(zi))
                r[i] = o.c * sampleWeight[i] * (p - t[i])
                gb += r[i]
            }
            f *= o.c
            var reg = 0.0
            for j in 0..<d {
                g[j] = w[j]
                reg += w[j] * w[j]
            }
            g[d] = gb
            x.columns.withUnsafeBufferPointer { cols in
                x.values.withUnsafeBufferPointer { vals in
                    g.withUnsafeMutableBufferPointer { gp in
                        for i in 0..<n where r[i] != 0 {
                            let ri = r[i]
                            for k in x.rowPointers[i]..<x.rowPointers[i + 1] {
                                gp[Int(cols[k])] += ri * Double(vals[k])
                            }
                        }
                    }
                }
            }
            return f + 0.5 * reg
        }

        let dim = d + 1
        var w = [Double](repeating: 0, count: dim)
        var g = [Double](repeating: 0, count: dim)
        var f = evaluate(w, &g)
        let g0 = norm(g)
        var sHist: [[Double]] = []
        var yHist: [[Double]] = []
        var rhoHist: [Double] = []
        var iterations = 0
        var wNew = w
        var gNew = g
        var dir = [Double](repeating: 0, count: dim)
        var alpha = [Double](repeating: 0, count: o.memory)
        while iterations < o.maxIterations && norm(g) > o.tolerance * max(g0, 1e-12) {
            iterations += 1
            // Two-loop recursion: dir = −H·g.
            for j in 0..<dim { dir[j] = -g[j] }
            let m = sHist.count
            if m > 0 {
                for k in stride(from: m - 1, through: 0, by: -1) {
                    alpha[k] = rhoHist[k] * dot(sHist[k], dir)
                    axpy(-alpha[k], yHist[k], &dir)
                }
                let gamma = dot(sHist[m - 1], yHist[m - 1]) / dot(yHist[m - 1], yHist[m - 1])
                for j in 0..<dim { dir[j] *= gamma }
                for k in 0..<m {
                    let beta = rhoHist[k] * dot(yHist[k], dir)
                    axpy(alpha[k] - beta, sHist[k], &dir)
                }
            } else {
                let scale = 1 / max(norm(g), 1e-12)
                for j in 0..<dim { dir[j] *= scale }
            }
            var slope = dot(g, dir)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                sHist.removeAll()
                yHist.removeAll()
                rhoHist.removeAll()
                let scale = 1 / max(norm(g), 1e-12)
                for j in 0..<dim { dir[j] = -g[j] * scale }
                slope = dot(g, dir)
            }
            // Backtracking Armijo line search.
            var step = 1.0
            var fNew = f
            var accepted = false
            for _ in 0..<40 {
                for j in 0..<dim { wNew[j] = w[j] + step * dir[j] }
                fNew = evaluate(wNew, &gNew)
                if fNew <= f + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            if !accepted { break }
            var s = [Double](repeating: 0, count: dim)
            var y = [Double](repeating: 0, count: dim)
            for j in 0..<dim {
                s[j] = wNew[j] - w[j]
                y[j] = gNew[j] - g[j]
            }
            let sy = dot(s, y)
            swap(&w, &wNew)
            swap(&g, &gNew)
            let fPrev = f
            f = fNew
            if sy > 1e-10 {
                if sHist.count == o.memory {
                    sHist.removeFirst()
                    yHist.removeFirst()
                    rhoHist.removeFirst()
                }
                sHist.append(s)
                yHist.append(y)
                rhoHist.append(1 / sy)
            }
            if abs(fPrev - f) <= 1e-10 * max(abs(f), 1) { break }
        }
        return TextLinearModel(weights: w[0..<d].map { Float($0) }, bias: Float(w[d]), iterations: iterations)
    }

    @inline(__always)
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                for j in 0..<ap.count { s += ap[j] * bp[j] }
            }
        }
        return s
    }

    @inline(__always)
    static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                for j in 0..<xp.count { yp[j] += a * xp[j] }
            }
        }
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}

/// Platt scaling `p = σ(a · score + b)` fitted by Newton's method on held-out scores with
/// Platt's smoothed targets (Lin, Lin & Weng 2007).
public struct TextPlattScaling: Sendable, Codable, Equatable {
    public var a: Double
    public var b: Double

    public init(a: Double = 1, b: Double = 0) {
        self.a = a
        self.b = b
    }

    @inline(__always)
    public func probability(_ score: Float) -> Float {
        let z = a * Double(score) + b
        return Float(z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)))
    }

    public static func fit(scores: [Float], labels: [Bool]) -> TextPlattScaling {
        let pos = Double(labels.filter { $0 }.count)
        let neg = Double(labels.count) - pos
        if pos == 0 || neg == 0 { return TextPlattScaling() }
        let hi = (pos + 1) / (pos + 2)
        let lo = 1 / (neg + 2)
        let t = labels.map { $0 ? hi : lo }
        let s = scores.map(Double.init)
        var a = 0.0
        var b = log((neg + 1) / (pos + 1)) * -1
        func loss(_ a: Double, _ b: Double) -> Double {
            var f = 0.0
            for i in s.indices {
                let z = a * s[i] + b
                let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
                f += softplus - t[i] * z
            }
            return f
        }
        var f = loss(a, b)
        for _ in 0..<100 {
            var ga = 0.0, gb = 0.0, haa = 1e-12, hab = 0.0, hbb = 1e-12
            for i in s.indices {
                let z = a * s[i] + b
                let p = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                let d = p - t[i]
                let w = p * (1 - p)
                ga += d * s[i]
                gb += d
                haa += w * s[i] * s[i]
                hab += w * s[i]
                hbb += w
            }
            if abs(ga) < 1e-7 && abs(gb) < 1e-7 { break }
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = -(hbb * ga - hab * gb) / det
            let db = -(-hab * ga + haa * gb) / det
            var step = 1.0
            var improved = false
            while step > 1e-10 {
                let fn = loss(a + step * da, b + step * db)
                if fn < f + 1e-4 * step * (ga * da + gb * db) {
                    a += step * da
                    b += step * db
                    f = fn
                    improved = true
                    break
                }
                step *= 0.5
            }
            if !improved { break }
        }
        return TextPlattScaling(a: a, b: b)
    }
}

/// Decision-threshold search on held-out probabilities.
public enum TextThresholds {
    /// Candidate cut points: midpoints between consecutive distinct probabilities, with the
    /// confusion counts of predicting positive above each cut. Sorted by decreasing threshold.
    static func cuts(_ probs: [Float], _ labels: [Bool]) -> [(threshold: Float, tp: Int, fp: Int)] {
        let clean = probs.map { $0.isNaN ? 0 : $0 }
        let order = clean.indices.sorted { clean[$0] > clean[$1] }
        var out: [(Float, Int, Int)] = [(1.0, 0, 0)]
        var tp = 0, fp = 0
        var k = 0
        while k < order.count {
            let p = clean[order[k]]
            while k < order.count && clean[order[k]] == p {
                if labels[order[k]] { tp += 1 } else { fp += 1 }
                k += 1
            }
            let next = k < order.count ? clean[order[k]] : 0
            out.append(((p + next) / 2, tp, fp))
        }
        return out
    }

    /// The threshold in `range` maximising F1 of one label.
    public static func bestF1(probs: [Float], labels: [Bool], range: ClosedRange<Float> = 0.05...0.95) -> Float {
        let positives = labels.filter { $0 }.count
        if positives == 0 { return range.upperBound }
        var best: Float = -1
        var bestT: Float = 0.5
        for c in cuts(probs, labels) where range.contains(c.threshold) {
            let f1 = Float(2 * c.tp) / Float(c.tp + c.fp + positives)
            if f1 > best {
                best = f1
                bestT = c.threshold
            }
        }
        return bestT
    }

    /// Thresholds in `range` maximising micro-F1 over all labels by coordinate ascent, starting
    /// from `initial`. `probs[l][i]` is label l's probability for row i.
    public static func bestMicroF1(
        probs: [[Float]], labels: [[Bool]], initial: [Float], range: ClosedRange<Float> = 0.05...0.95, passes: Int = 4
    ) -> [Float] {
        var th = initial
        let L = probs.count
        func counts(_ l: Int, _ t: Float) -> (tp: Int, fp: Int, fn: Int) {
            var tp = 0, fp = 0, fn = 0
            for i in probs[l].indices {
                let p = probs[l][i] >= t
                if p && labels[l][i] { tp += 1 } else if p { fp += 1 } else if labels[l][i] { fn += 1 }
            }
            return (tp, fp, fn)
        }
        var per = (0..<L).map { counts($0, th[$0]) }
        for _ in 0..<passes {
            var changed = false
            for l in 0..<L {
                var TP = 0, FP = 0, FN = 0
                for k in 0..<L where k != l {
                    TP += per[k].tp
                    FP += per[k].fp
                    FN += per[k].fn
                }
                let positives = labels[l].filter { $0 }.count
                var best = -1.0
                var bestT = th[l]
                var bestC = per[l]
                for c in cuts(probs[l], labels[l]) where range.contains(c.threshold) {
                    let fn = positives - c.tp
                    let num = 2.0 * Double(TP + c.tp)
                    let f1 = num / max(num + Double(FP + c.fp + FN + fn), 1)
                    if f1 > best + 1e-12 {
                        best = f1
                        bestT = c.threshold
                        bestC = (c.tp, c.fp, fn)
                    }
                }
                if bestT != th[l] { changed = true }
                th[l] = bestT
                per[l] = bestC
            }
            if !changed { break }
        }
        return th
    }
    /// The "at least one label" rule: a row where no label reaches its threshold gets its most
    /// probable label when that probability reaches the returned value. Chosen to maximise
    /// micro-F1 over all labels given `thresholds`; `nil` when no value improves it.
    public static func bestFallback(probs: [[Float]], labels: [[Bool]], thresholds: [Float]) -> Float? {
        let L = probs.count
        guard L > 0 else { return nil }
        let n = probs[0].count
        var tp = 0, fp = 0, fn = 0
        var empty: [(p: Float, hit: Bool)] = []
        for i in 0..<n {
            var any = false
            var best = 0
            for l in 0..<L {
                let predicted = probs[l][i] >= thresholds[l]
                if predicted { any = true }
                if predicted && labels[l][i] { tp += 1 } else if predicted { fp += 1 } else if labels[l][i] { fn += 1 }
                if probs[l][i] > probs[best][i] { best = l }
            }
            if !any { empty.append((probs[best][i].isNaN ? 0 : probs[best][i], labels[best][i])) }
        }
        func f1(_ tp: Int, _ fp: Int, _ fn: Int) -> Double { tp == 0 ? 0 : 2.0 * Double(tp) / Double(2 * tp + fp + fn) }
        var bestF1 = f1(tp, fp, fn) + 1e-12
        var bestT: Float? = nil
        empty.sort { $0.p > $1.p }
        var k = 0
        while k < empty.count {
            let p = empty[k].p
            while k < empty.count && empty[k].p == p {
                if empty[k].hit { tp += 1; fn -= 1 } else { fp += 1 }
                k += 1
            }
            let next = k < empty.count ? empty[k].p : 0
            let score = f1(tp, fp, fn)
            if score > bestF1 {
                bestF1 = score
                bestT = (p + next) / 2
            }
        }
        return bestT
    }
}
