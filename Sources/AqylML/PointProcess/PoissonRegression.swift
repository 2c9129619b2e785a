import Foundation

/// Poisson regression with a log link and an offset, fitted by iteratively reweighted least squares
/// (McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., §2.5), for small dense designs (a handful of
/// columns: intercept, trend, seasonal dummies). Over-dispersion is estimated afterwards by the Pearson
/// statistic φ = Σ (y − μ)² / μ / (n − p), floored at 1, which defines a quasi-Poisson / negative-binomial
/// variance φ·μ.
public struct PoissonRegression: Sendable {
    public var coefficients: [Double]
    /// Pearson dispersion, at least 1.
    public var dispersion: Double
    /// Fitted means of the training rows.
    public var fitted: [Double]
    /// (XᵀWX)⁻¹ at the solution times the dispersion: the coefficient covariance.
    public var covariance: [[Double]]
    public var iterations: Int
    public var converged: Bool

    /// Mean for one row: exp(xᵀβ + offset).
    public func mean(row: [Double], offset: Double = 0) -> Double {
        var eta = offset
        for k in 0..<coefficients.count { eta += row[k] * coefficients[k] }
        return exp(min(eta, 700))
    }

    /// Standard error of xᵀβ for one row (on the log scale).
    public func linearPredictorSE(row: [Double]) -> Double {
        var v = 0.0
        for a in 0..<coefficients.count {
            for b in 0..<coefficients.count { v += row[a] * covariance[a][b] * row[b] }
        }
        return max(0, v).squareRoot()
    }

    public enum FitError: Error, Equatable, CustomStringConvertible {
        case noRows
        case mismatchedLengths
        public var description: String {
            switch self {
            case .noRows: return "Poisson regression needs at least one row"
            case .mismatchedLengths: return "design, counts and offsets must have the same number of rows"
            }
        }
    }

    /// Fits log E[y] = Xβ + offset. `ridge` adds λ·I to XᵀWX (not to the intercept column 0) so that a seasonal
    /// level with no observations or an all-zero series stays finite.
    public static func fit(design: [[Double]], counts: [Double], offsets: [Double]? = nil,
                           ridge: Double = 1e-6, maxIterations: Int = 50, tolerance: Double = 1e-9) throws -> PoissonRegression {
        let n = design.count
        guard n > 0 else { throw FitError.noRows }
        guard counts.count == n, offsets == nil || offsets!.count == n else { throw FitError.mismatchedLengths }
        let p = design[0].count
        let off = offsets ?? [Double](repeating: 0, count: n)
        var beta = [Double](repeating: 0, count: p)
        // Start at the log of the mean rate in the intercept.
        let totalY = counts.reduce(0, +)
        let totalE = zip(off, counts).reduce(0.0) { $0 + exp($1.0) }
        beta[0] = log(max(totalY, 0.5) / max(totalE, 1e-12))
        var converged = false
        var iterations = 0
        var xtwxInverse = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for it in 1...maxIterations {
            iterations = it
            var xtwx = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            var xtwz = [Double](repeating: 0, count: p)
            for i in 0..<n {
                let row = design[i]
                var eta = off[i]
                for k in 0..<p { eta += row[k] * beta[k] }
                let mu = exp(min(eta, 700))
                let w = max(mu, 1e-10)
                let z = eta - off[i] + (counts[i] - mu) / w
                for a in 0..<p {
                    let wa = w * row[a]
                    if wa == 0 { continue }
                    xtwz[a] += wa * z
                    for b in a..<p { xtwx[a][b] += wa * row[b] }
                }
            }
            for a in 0..<p {
                for b in 0..<a { xtwx[a][b] = xtwx[b][a] }
                if a > 0 { xtwx[a][a] += ridge }
            }
            xtwx[0][0] += 1e-12
            guard let inv = invertSymmetric(xtwx) else { break }
            xtwxInverse = inv
            var next = [Double](repeating: 0, count: p)
            for a in 0..<p { for b in 0..<p { next[a] += inv[a][b] * xtwz[b] } }
            var change = 0.0
            for k in 0..<p { change = max(change, abs(next[k] - beta[k])) }
            beta = next
            if change < tolerance { converged = true; break }
        }
        var fitted = [Double](repeating: 0, count: n)
        var pearson = 0.0
        for i in 0..<n {
            var eta = off[i]
            for k in 0..<p { eta += design[i][k] * beta[k] }
            fitted[i] = exp(min(eta, 700))
            let r = counts[i] - fitted[i]
            pearson += r * r / max(fitted[i], 1e-10)
        }
        let dof = n - p
        let dispersion = dof > 0 ? max(1, pearson / Double(dof)) : 1
        let covariance = xtwxInverse.map { $0.map { $0 * dispersion } }
        return PoissonRegression(coefficients: beta, dispersion: dispersion, fitted: fitted, covariance: covariance,
                                 iterations: iterations, converged: converged)
    }

    /// Inverse of a symmetric positive-definite matrix by Cholesky decomposition; nil when not positive definite.
    static func invertSymmetric(_ a: [[Double]]) -> [[Double]]? {
        let p = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<p {
            for j in 0...i {
                var s = a[i][j]
                for k in 0..<j { s -= l[i][k] * l[j][k] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i][i] = s.squareRoot()
                } else {
                    l[i][j] = s / l[j][j]
                }
            }
        }
        // inv(L)
        var li = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<p {
            li[i][i] = 1 / l[i][i]
            for j in 0..<i {
                var s = 0.0
                for k in j..<i { s -= l[i][k] * li[k][j] }
                li[i][j] = s / l[i][i]
            }
        }
        var inv = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<p {
            for j in 0...i {
                var s = 0.0
                for k in i..<p { s += li[k][i] * li[k][j] }
                inv[i][j] = s
                inv[j][i] = s
            }
        }
        return inv
    }
}
