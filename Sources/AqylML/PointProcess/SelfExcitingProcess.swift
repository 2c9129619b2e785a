import AqylKit
import Foundation

/// Weighted events in space and time (x, y in one planar unit, t in one time unit).
public struct SpaceTimePoints: Sendable, Equatable {
    public var x: [Double]
    public var y: [Double]
    public var t: [Double]
    /// Observation weight of each event (1 = a full event). Weighted events count as fractions both as
    /// observations and as triggers.
    public var weight: [Double]

    public init(x: [Double], y: [Double], t: [Double], weight: [Double]? = nil) {
        precondition(x.count == y.count && y.count == t.count, "x, y and t must have the same length")
        self.x = x
        self.y = y
        self.t = t
        self.weight = weight ?? [Double](repeating: 1, count: x.count)
    }

    public var count: Int { x.count }
}

/// Options of the self-exciting fit. Distances are in the points' planar unit, lags in their time unit.
public struct SelfExcitingOptions: Sendable, Equatable {
    /// Bandwidth h of the Gaussian kernel that smooths the background.
    public var backgroundBandwidth: Double
    /// Start and end of the observation window [start, end).
    public var windowStart: Double
    public var windowEnd: Double
    /// An event can trigger another only when it is at least this much earlier (e.g. 1 day when times are
    /// known only to the day, so same-day order is unknown). Always > 0.
    public var minimumLag: Double = 1e-9
    /// Pairs further apart in time are ignored (their trigger term is below e^(−ω·maximumLag)).
    public var maximumLag: Double = 90
    /// Bounds for the trigger's spatial standard deviation σ; pairs further apart than
    /// `radiusInSigmas`·σ_max are ignored.
    public var sigmaRange: ClosedRange<Double>
    public var radiusInSigmas: Double = 4
    /// Background kernels are truncated at this many bandwidths (mass beyond 3h is 1.1 %, beyond 4h 0.03 %).
    public var backgroundRadiusInBandwidths: Double = 4
    public var initialBranching: Double = 0.2
    public var initialDecay: Double = 0.1
    public var initialSigma: Double? = nil
    public var maxIterations: Int = 200
    /// Stop when every parameter's relative change is below this.
    public var tolerance: Double = 1e-5
    public var threads: Int = 1

    public init(backgroundBandwidth: Double, windowStart: Double, windowEnd: Double, sigmaRange: ClosedRange<Double>) {
        self.backgroundBandwidth = backgroundBandwidth
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.sigmaRange = sigmaRange
    }
}

/// A fitted self-exciting (Hawkes / ETAS-type) space–time point process
///
///     λ(x, t) = μ(x) + Σ_{t_j < t} w_j · θ ω e^{−ω (t − t_j)} · N(x − x_j; 0, σ² I)
///     μ(x)    = (1/T) Σ_k w_k p_k · N(x − x_k; 0, h² I)
///
/// background μ a kernel density of the events weighted by their probability of being background (Zhuang, Ogata &
/// Vere-Jones 2002, "Stochastic declustering of space-time earthquake occurrences", JASA 97; as used for crime by
/// Mohler, Short, Brantingham, Schoenberg & Tita 2011, "Self-exciting point process modeling of crime", JASA 106),
/// triggering separable in an exponential lag and a Gaussian displacement (the parametric form of Mohler 2014,
/// "Marked point process hotspot maps for homicide and gun crime prediction in Chicago", IJF 30), fitted by
/// expectation–maximisation (Veen & Schoenberg 2008).
public struct SelfExcitingFit: Sendable, Equatable, Codable {
    /// θ: expected number of direct offspring per event (the branching ratio).
    public var branchingRatio: Double
    /// ω: decay rate of the triggering (1/ω is the mean lag).
    public var decayRate: Double
    /// σ: standard deviation of an offspring's displacement per axis.
    public var triggerSigma: Double
    public var backgroundBandwidth: Double
    public var windowStart: Double
    public var windowEnd: Double
    /// p_k: probability that event k is a background event (one per input event).
    public var backgroundProbability: [Double]
    public var iterations: Int
    public var converged: Bool
    public var logLikelihood: Double
    /// Candidate (trigger → event) pairs considered.
    public var pairs: Int

    /// Weighted share of events attributed to the background.
    public func backgroundShare(weights: [Double]) -> Double {
        var a = 0.0, b = 0.0
        for i in weights.indices { a += weights[i] * backgroundProbability[i]; b += weights[i] }
        return b > 0 ? a / b : 1
    }
}

public enum SelfExcitingProcess {
    /// Fits the model by EM. With no candidate pairs (e.g. every event in one time interval) the triggering is not
    /// identifiable: the fit returns θ = 0 and every event as background.
    public static func fit(_ points: SpaceTimePoints, options o: SelfExcitingOptions) -> SelfExcitingFit {
        let n = points.count
        let h = o.backgroundBandwidth
        let duration = max(o.windowEnd - o.windowStart, 1e-9)
        let sigmaMax = o.sigmaRange.upperBound
        let w = points.weight
        var p = [Double](repeating: 1 - o.initialBranching, count: n)
        guard n > 0 else {
            return SelfExcitingFit(branchingRatio: 0, decayRate: o.initialDecay, triggerSigma: o.initialSigma ?? sigmaMax,
                                   backgroundBandwidth: h, windowStart: o.windowStart, windowEnd: o.windowEnd,
                                   backgroundProbability: [], iterations: 0, converged: true, logLikelihood: 0, pairs: 0)
        }
        let background = PairList.spatial(points, radius: o.backgroundRadiusInBandwidths * h, threads: o.threads)
        let kernelNorm = 1 / (2 * Double.pi * h * h)
        let kernel = background.d2.map { Float(kernelNorm * exp(-Double($0) / (2 * h * h))) }
        // Trigger pairs within radiusInSigmas·cap, the cap starting at twice the initial σ: the list is rebuilt
        // wider when σ reaches the cap (up to σ_max) and pruned when σ shrinks well inside it.
        let sigmaStart = min(max(o.initialSigma ?? (o.sigmaRange.lowerBound + sigmaMax) / 2, o.sigmaRange.lowerBound), sigmaMax)
        var sigmaCap = min(sigmaMax, 2 * sigmaStart)
        func causalPairs(_ cap: Double) -> PairList {
            PairList.causal(points, radius: o.radiusInSigmas * cap, minimumLag: max(o.minimumLag, 1e-9),
                            maximumLag: o.maximumLag, threads: o.threads)
        }
        var trigger = causalPairs(sigmaCap)
        if trigger.j.isEmpty && sigmaCap < sigmaMax {
            sigmaCap = sigmaMax
            trigger = causalPairs(sigmaCap)
        }
        var totalPairs = trigger.j.count
        let wf = w.map { Float($0) }
        if trigger.j.isEmpty {
            p = [Double](repeating: 1, count: n)
            let ll = logLikelihoodBackgroundOnly(points, p: p, background: background, kernel: kernel,
                                                 selfKernel: kernelNorm, duration: duration)
            return SelfExcitingFit(branchingRatio: 0, decayRate: o.initialDecay, triggerSigma: o.initialSigma ?? sigmaMax,
                                   backgroundBandwidth: h, windowStart: o.windowStart, windowEnd: o.windowEnd,
                                   backgroundProbability: p, iterations: 0, converged: true, logLikelihood: ll, pairs: 0)
        }
        var theta = o.initialBranching
        var omega = o.initialDecay
        var sigma = sigmaStart
        // Time each event has left in the window to trigger offspring (capped at the lag horizon).
        let remaining = points.t.map { min(max(o.windowEnd - $0, 0), o.maximumLag) }
        var iterations = 0
        var converged = false
        var logL = -Double.infinity
        var bg = [Double](repeating: 0, count: n)
        let threads = max(1, o.threads)
        let chunkCount = min(threads * 4, max(1, n / 500))
        let per = (n + chunkCount - 1) / chunkCount
        while iterations < o.maxIterations {
            iterations += 1
            // Background density at each event (self term included, as in Zhuang et al. 2002).
            let q = (0..<n).map { Float(w[$0] * p[$0]) }
            var acc = [Float](repeating: 0, count: n)
            q.withUnsafeBufferPointer { qb in
                acc.withUnsafeMutableBufferPointer { ab in
                    background.i.withUnsafeBufferPointer { ib in
                        background.j.withUnsafeBufferPointer { jb in
                            kernel.withUnsafeBufferPointer { kb in
                                // Pairs come in runs of one i: keep that run's sum in a register.
                                var k = 0
                                let m = kb.count
                                while k < m {
                                    let a = Int(ib[k])
                                    let qa = qb[a]
                                    var sum: Float = 0
                                    while k < m && Int(ib[k]) == a {
                                        let b = Int(jb[k]), kv = kb[k]
                                        sum += qb[b] * kv
                                        ab[b] += qa * kv
                                        k += 1
                                    }
                                    ab[a] += sum
                                }
                            }
                        }
                    }
                }
            }
            for i in 0..<n { bg[i] = (w[i] * p[i] * kernelNorm + Double(acc[i])) / duration }
            // E-step and sufficient statistics, in chunks (each chunk's sums added in chunk order). One exponential
            // per pair: the pair's trigger value is kept for its responsibility.
            let twoSigma2 = 2 * sigma * sigma
            let spatialNorm = 1 / (Double.pi * twoSigma2)
            let amplitude = theta * omega * spatialNorm
            let stats = Slots<(Double, Double, Double, Double, [Double])>(count: chunkCount)
            let pointer = trigger
            let fOmega = Float(omega), fInv2s2 = Float(1 / twoSigma2)
            parallelFor(chunkCount, threads: threads) { c in
                let lo = c * per, hi = min(n, lo + per)
                var s = 0.0, sdt = 0.0, sd2 = 0.0, ll = 0.0
                var pLocal = [Double](repeating: 0, count: max(0, hi - lo))
                var g = [Float](repeating: 0, count: 64)
                if lo < hi {
                    for i in lo..<hi {
                        let start = Int(pointer.start[i]), end = Int(pointer.start[i + 1])
                        if end - start > g.count { g = [Float](repeating: 0, count: end - start) }
                        var trig: Float = 0
                        for k in start..<end {
                            let v = wf[Int(pointer.j[k])] * exp(-fOmega * pointer.dt[k] - pointer.d2[k] * fInv2s2)
                            g[k - start] = v
                            trig += v
                        }
                        let trigger = Double(trig) * amplitude
                        let lambda = max(bg[i] + trigger, 1e-300)
                        ll += w[i] * log(lambda)
                        pLocal[i - lo] = bg[i] / lambda
                        if trigger > 0 {
                            let scale = w[i] * amplitude / lambda
                            var ps: Float = 0, pdt: Float = 0, pd2: Float = 0
                            for k in start..<end {
                                let v = g[k - start]
                                ps += v
                                pdt += v * pointer.dt[k]
                                pd2 += v * pointer.d2[k]
                            }
                            s += scale * Double(ps)
                            sdt += scale * Double(pdt)
                            sd2 += scale * Double(pd2)
                        }
                    }
                }
                stats.set(c, (s, sdt, sd2, ll, pLocal))
            }
            var s = 0.0, sdt = 0.0, sd2 = 0.0, ll = 0.0
            var backgroundMass = 0.0
            for i in 0..<n { backgroundMass += w[i] * p[i] }
            for (c, v) in stats.values().enumerated() {
                s += v.0; sdt += v.1; sd2 += v.2; ll += v.3
                let lo = c * per
                for (k, value) in v.4.enumerated() { p[lo + k] = value }
            }
            // Log-likelihood at the parameters used in this E-step.
            var offspringExposure = 0.0
            for i in 0..<n { offspringExposure += w[i] * (1 - exp(-omega * remaining[i])) }
            let current = ll - backgroundMass - theta * offspringExposure
            // M-step.
            let newOmega = sdt > 0 ? min(max(s / sdt, 1 / (10 * o.maximumLag)), 1e6) : omega
            var exposure = 0.0
            for i in 0..<n { exposure += w[i] * (1 - exp(-newOmega * remaining[i])) }
            let newTheta = exposure > 0 ? min(s / exposure, 0.99) : 0
            let newSigma = s > 0 ? min(max((sd2 / (2 * s)).squareRoot(), o.sigmaRange.lowerBound), sigmaCap) : sigma
            var change = max(relativeChange(theta, newTheta), relativeChange(omega, newOmega), relativeChange(sigma, newSigma))
            if newSigma >= 0.98 * sigmaCap && sigmaCap < sigmaMax {
                // σ is held by the pair radius, not the data: widen and go on.
                sigmaCap = min(sigmaMax, 2 * sigmaCap)
                trigger = causalPairs(sigmaCap)
                totalPairs = max(totalPairs, trigger.j.count)
                change = .infinity
            } else if 1.5 * newSigma < 0.67 * sigmaCap {
                // σ has shrunk well inside: keep the pairs within 1.5× the radius it needs.
                sigmaCap = 1.5 * newSigma
                let radius = o.radiusInSigmas * sigmaCap
                trigger = trigger.pruned(maxD2: Float(radius * radius))
            }
            theta = newTheta
            omega = newOmega
            sigma = newSigma
            logL = current
            if change < o.tolerance || theta < 1e-6 { converged = true; break }
        }
        return SelfExcitingFit(branchingRatio: theta, decayRate: omega, triggerSigma: sigma, backgroundBandwidth: h,
                               windowStart: o.windowStart, windowEnd: o.windowEnd, backgroundProbability: p,
                               iterations: iterations, converged: converged, logLikelihood: logL, pairs: totalPairs)
    }

    @inline(__always)
    private static func relativeChange(_ a: Double, _ b: Double) -> Double {
        abs(a - b) / max(abs(a), 1e-12)
    }

    private static func logLikelihoodBackgroundOnly(_ points: SpaceTimePoints, p: [Double], background: PairList,
                                                    kernel: [Float], selfKernel: Double, duration: Double) -> Double {
        let n = points.count
        let w = points.weight
        var bg = (0..<n).map { w[$0] * p[$0] * selfKernel }
        for k in 0..<background.j.count {
            let a = Int(background.i[k]), b = Int(background.j[k])
            bg[a] += w[b] * p[b] * Double(kernel[k])
            bg[b] += w[a] * p[a] * Double(kernel[k])
        }
        var ll = 0.0, mass = 0.0
        for i in 0..<n { ll += w[i] * log(max(bg[i] / duration, 1e-300)); mass += w[i] * p[i] }
        return ll - mass
    }

    /// Expected (weighted) number of events per grid cell in [from, from + length): the background rate times the
    /// length plus each past event's remaining offspring, θ·(e^{−ω(from − t_j)} − e^{−ω(from + length − t_j)}),
    /// spread by its Gaussian displacement (first generation only; offspring of offspring inside the window are
    /// left out).
    public static func expectedCounts(_ fit: SelfExcitingFit, points: SpaceTimePoints, grid: RegularGrid,
                                      from: Double, length: Double, threads: Int = 1) -> [Double] {
        let duration = max(fit.windowEnd - fit.windowStart, 1e-9)
        let bgWeights = points.weight.indices.map { points.weight[$0] * fit.backgroundProbability[$0] * length / duration }
        var out = GridDensity.gaussianCellMass(grid: grid, x: points.x, y: points.y, weights: bgWeights,
                                               bandwidth: fit.backgroundBandwidth, threads: threads)
        guard fit.branchingRatio > 0 else { return out }
        var tx: [Double] = [], ty: [Double] = [], tw: [Double] = []
        for i in 0..<points.count {
            let lag = from - points.t[i]
            guard lag >= 0 else { continue }
            let v = points.weight[i] * fit.branchingRatio * (exp(-fit.decayRate * lag) - exp(-fit.decayRate * (lag + length)))
            if v > 1e-9 { tx.append(points.x[i]); ty.append(points.y[i]); tw.append(v) }
        }
        if !tw.isEmpty {
            let trig = GridDensity.gaussianCellMass(grid: grid, x: tx, y: ty, weights: tw, bandwidth: fit.triggerSigma,
                                                    threads: threads)
            for k in 0..<out.count { out[k] += trig[k] }
        }
        return out
    }

    /// Simulates the process on [0, width) × [0, height) × [0, duration) with a uniform background of
    /// `backgroundRate` events per unit area per unit time, by branching: background events, then each event's
    /// Poisson(θ) offspring at Exp(ω) lags and N(0, σ²) displacements per axis (offspring may fall outside the
    /// rectangle; those after `duration` are dropped). Sorted by time. Deterministic for a seed.
    public static func simulate(backgroundRate: Double, width: Double, height: Double, duration: Double,
                                branchingRatio theta: Double, decayRate omega: Double, sigma: Double,
                                seed: UInt64) -> SpaceTimePoints {
        var rng = SeededGenerator(seed: seed)
        func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) * 0x1p-53 }
        func gaussian() -> Double {
            let u1 = uniform(), u2 = uniform()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        func poisson(_ mean: Double) -> Int {
            let limit = exp(-mean)
            var k = 0
            var prod = uniform()
            while prod > limit { k += 1; prod *= uniform() }
            return k
        }
        var events: [(Double, Double, Double)] = []
        let rate = backgroundRate * width * height
        var t = 0.0
        while true {
            t += -log(uniform()) / rate
            if t >= duration { break }
            events.append((uniform() * width, uniform() * height, t))
        }
        var queue = events
        while let parent = queue.popLast() {
            for _ in 0..<poisson(theta) {
                let ct = parent.2 - log(uniform()) / omega
                if ct >= duration { continue }
                let child = (parent.0 + sigma * gaussian(), parent.1 + sigma * gaussian(), ct)
                events.append(child)
                queue.append(child)
            }
        }
        events.sort { $0.2 < $1.2 }
        return SpaceTimePoints(x: events.map { $0.0 }, y: events.map { $0.1 }, t: events.map { $0.2 })
    }
}

/// Neighbour pairs found with a bucket grid of side `radius`.
struct PairList: Sendable {
    /// For spatial pairs: i < j. For causal pairs: CSR rows by the triggered event (start has n + 1 entries).
    var i: [Int32] = []
    var j: [Int32] = []
    var start: [Int32] = []
    var dt: [Float] = []
    var d2: [Float] = []

    /// The causal pairs closer than √maxD2 (CSR rebuilt).
    func pruned(maxD2: Float) -> PairList {
        var out = PairList()
        let n = start.count - 1
        out.start = [Int32](repeating: 0, count: n + 1)
        out.j.reserveCapacity(j.count / 2)
        var total: Int32 = 0
        for i in 0..<n {
            out.start[i] = total
            for k in Int(start[i])..<Int(start[i + 1]) where d2[k] < maxD2 {
                out.j.append(j[k]); out.dt.append(dt[k]); out.d2.append(d2[k])
                total += 1
            }
        }
        out.start[n] = total
        return out
    }

    private static func buckets(_ points: SpaceTimePoints, size: Double) -> (keys: [Int64], table: [Int64: [Int32]]) {
        var table: [Int64: [Int32]] = [:]
        var keys = [Int64](repeating: 0, count: points.count)
        for k in 0..<points.count {
            let bx = Int64((points.x[k] / size).rounded(.down)), by = Int64((points.y[k] / size).rounded(.down))
            let key = (bx << 32) ^ (by & 0xFFFF_FFFF)
            keys[k] = key
            table[key, default: []].append(Int32(k))
        }
        return (keys, table)
    }

    /// Unordered pairs (i < j) closer than `radius`.
    static func spatial(_ points: SpaceTimePoints, radius: Double, threads: Int) -> PairList {
        let n = points.count
        guard n > 1, radius > 0 else { return PairList() }
        let (_, table) = buckets(points, size: radius)
        let r2 = radius * radius
        let chunks = max(1, min(threads * 4, n / 1000 + 1))
        let per = (n + chunks - 1) / chunks
        let slots = Slots<([Int32], [Int32], [Float])>(count: chunks)
        parallelFor(chunks, threads: threads) { c in
            var ai: [Int32] = [], aj: [Int32] = [], ad: [Float] = []
            let lo = c * per, hi = min(n, lo + per)
            if lo < hi {
                for a in lo..<hi {
                    let xa = points.x[a], ya = points.y[a]
                    let bx = Int64((xa / radius).rounded(.down)), by = Int64((ya / radius).rounded(.down))
                    for dx in -1...1 {
                        for dy in -1...1 {
                            guard let list = table[((bx + Int64(dx)) << 32) ^ ((by + Int64(dy)) & 0xFFFF_FFFF)] else { continue }
                            for b32 in list {
                                let b = Int(b32)
                                if b <= a { continue }
                                let ex = points.x[b] - xa, ey = points.y[b] - ya
                                let d2 = ex * ex + ey * ey
                                if d2 < r2 { ai.append(Int32(a)); aj.append(b32); ad.append(Float(d2)) }
                            }
                        }
                    }
                }
            }
            slots.set(c, (ai, aj, ad))
        }
        var out = PairList()
        for v in slots.values() { out.i += v.0; out.j += v.1; out.d2 += v.2 }
        return out
    }

    /// For each event i, the earlier events j with minimumLag ≤ t_i − t_j ≤ maximumLag closer than `radius`.
    static func causal(_ points: SpaceTimePoints, radius: Double, minimumLag: Double, maximumLag: Double,
                       threads: Int) -> PairList {
        let n = points.count
        var out = PairList()
        out.start = [Int32](repeating: 0, count: n + 1)
        guard n > 1, radius > 0 else { return out }
        let (_, table) = buckets(points, size: radius)
        let r2 = radius * radius
        let chunks = max(1, min(threads * 4, n / 1000 + 1))
        let per = (n + chunks - 1) / chunks
        let slots = Slots<([Int32], [Int32], [Float], [Float])>(count: chunks)
        parallelFor(chunks, threads: threads) { c in
            var counts: [Int32] = [], aj: [Int32] = [], adt: [Float] = [], ad2: [Float] = []
            let lo = c * per, hi = min(n, lo + per)
            if lo < hi {
                for a in lo..<hi {
                    let xa = points.x[a], ya = points.y[a], ta = points.t[a]
                    let bx = Int64((xa / radius).rounded(.down)), by = Int64((ya / radius).rounded(.down))
                    var found: Int32 = 0
                    for dx in -1...1 {
                        for dy in -1...1 {
                            guard let list = table[((bx + Int64(dx)) << 32) ^ ((by + Int64(dy)) & 0xFFFF_FFFF)] else { continue }
                            for b32 in list {
                                let b = Int(b32)
                                let lag = ta - points.t[b]
                                if lag < minimumLag || lag > maximumLag { continue }
                                let ex = points.x[b] - xa, ey = points.y[b] - ya
                                let d2 = ex * ex + ey * ey
                                if d2 < r2 {
                                    aj.append(b32); adt.append(Float(lag)); ad2.append(Float(d2))
                                    found += 1
                                }
                            }
                        }
                    }
                    counts.append(found)
                }
            }
            slots.set(c, (counts, aj, adt, ad2))
        }
        var row = 0
        var total: Int32 = 0
        for v in slots.values() {
            for cnt in v.0 { out.start[row] = total; total += cnt; row += 1 }
            out.j += v.1; out.dt += v.2; out.d2 += v.3
        }
        out.start[n] = total
        return out
    }
}
