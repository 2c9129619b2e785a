import Foundation

/// Special functions for count-model tail probabilities: the regularised incomplete gamma and beta functions
/// (series and Lentz continued fractions, as in Press et al., *Numerical Recipes*, 3rd ed., §6.2 and §6.4) and the
/// standard normal distribution function.
public enum SpecialFunctions {
    /// Φ(z), the standard normal distribution function.
    @inline(__always)
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// P(a, x) = γ(a, x) / Γ(a), the regularised lower incomplete gamma function (a > 0, x ≥ 0).
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "regularizedGammaP needs a > 0")
        if x <= 0 { return 0 }
        if x < a + 1 { return gammaSeries(a, x) }
        return 1 - gammaContinuedFraction(a, x)
    }

    /// Q(a, x) = 1 − P(a, x), computed without cancellation.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "regularizedGammaQ needs a > 0")
        if x <= 0 { return 1 }
        if x < a + 1 { return 1 - gammaSeries(a, x) }
        return gammaContinuedFraction(a, x)
    }

    private static func gammaSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a
        var sum = 1 / a
        var del = sum
        for _ in 0..<10_000 {
            ap += 1
            del *= x / ap
            sum += del
            if abs(del) < abs(sum) * 1e-15 { break }
        }
        return min(1, sum * exp(-x + a * log(x) - lgamma(a)))
    }

    private static func gammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
            i += 1
        }
        return min(1, exp(-x + a * log(x) - lgamma(a)) * h)
    }

    /// I_x(a, b), the regularised incomplete beta function (a, b > 0, 0 ≤ x ≤ 1).
    public static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        precondition(a > 0 && b > 0, "regularizedBeta needs a, b > 0")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) {
            return min(1, front * betaContinuedFraction(x, a, b) / a)
        }
        return max(0, 1 - front * betaContinuedFraction(1 - x, b, a) / b)
    }

    private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        var m = 1.0
        while m < 10_000 {
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
            m += 1
        }
        return h
    }
}

/// Upper-tail probabilities of count distributions and multiple-testing adjustment.
public enum CountTail {
    /// P(Y ≥ observed) for Y ~ Poisson(mean). Uses P(Y ≥ y) = P(y, mean), the regularised lower incomplete gamma.
    public static func poissonUpper(observed: Int, mean: Double) -> Double {
        if observed <= 0 { return 1 }
        if mean <= 0 { return 0 }
        return SpecialFunctions.regularizedGammaP(Double(observed), mean)
    }

    /// P(Y ≥ observed) for a negative binomial with the given mean and size k (variance mean + mean²/k).
    /// With success probability p = k / (k + mean): P(Y ≤ y) = I_p(k, y + 1), so P(Y ≥ y) = I_{1−p}(y, k).
    public static func negativeBinomialUpper(observed: Int, mean: Double, size: Double) -> Double {
        if observed <= 0 { return 1 }
        if mean <= 0 { return 0 }
        if !size.isFinite || size > 1e12 { return poissonUpper(observed: observed, mean: mean) }
        let q = mean / (size + mean)
        return SpecialFunctions.regularizedBeta(q, Double(observed), size)
    }

    /// Benjamini–Hochberg adjusted p-values (q-values), in the input order.
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        let m = p.count
        guard m > 0 else { return [] }
        let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 > $1 }
        var q = [Double](repeating: 1, count: m)
        var running = 1.0
        for (rankFromTop, i) in order.enumerated() {
            let rank = m - rankFromTop
            running = min(running, p[i] * Double(m) / Double(rank))
            q[i] = min(1, running)
        }
        return q
    }
}
