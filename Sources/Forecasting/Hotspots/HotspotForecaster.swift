import AqylKit
import AqylML
import Foundation

/// The forecasting methods. `auto` picks one of the other three by rolling-origin evaluation on past data.
public enum HotspotMethod: String, Sendable, Codable, CaseIterable {
    /// The hottest cells of the past: incident counts per cell over the whole history (ties: the cell with the more
    /// recent incident first, then the lower cell index).
    case naive
    /// Gaussian kernel density integrated over each cell, bandwidth (and an optional exponential time decay) chosen
    /// by rolling-origin evaluation on past data.
    case kde
    /// Self-exciting point process (background + near-repeat triggering) fitted by EM; see `SelfExcitingFit`.
    case sepp
    case auto
}

/// One concrete forecasting configuration.
public struct MethodSpec: Sendable, Codable, Equatable, CustomStringConvertible {
    public var method: HotspotMethod
    /// Kernel bandwidth (KDE) or background bandwidth (SEPP), metres.
    public var bandwidthMetres: Double?
    /// Exponential time-decay half-life of the KDE weights, days; nil = no decay.
    public var halfLifeDays: Double?
    /// KDE only: weight α of the point mass in the kernel α·[same cell] + (1 − α)·Gaussian, so that α = 1 is the
    /// (decayed) cell count and α near 1 a count with the Gaussian as tie-break; nil = 0.
    public var pointMass: Double?

    public init(method: HotspotMethod, bandwidthMetres: Double? = nil, halfLifeDays: Double? = nil, pointMass: Double? = nil) {
        self.method = method
        self.bandwidthMetres = bandwidthMetres
        self.halfLifeDays = halfLifeDays
        self.pointMass = pointMass
    }

    public var description: String {
        switch method {
        case .naive, .auto: return method.rawValue
        case .kde:
            let h = bandwidthMetres.map { String(format: "h=%.0fm", $0) } ?? "h=?"
            let a = (pointMass ?? 0) > 0 ? String(format: ", point mass %.2f", pointMass!) : ""
            return "kde(\(h)\(halfLifeDays.map { String(format: ", half-life %.0fd", $0) } ?? "")\(a))"
        case .sepp:
            return "sepp(background h=\(bandwidthMetres.map { String(format: "%.0fm", $0) } ?? "?"))"
        }
    }
}

public struct HotspotOptions: Sendable {
    /// `ALL` or a code of `OffenceTaxonomy` (a parent covers its children).
    public var category: String
    /// First day of the forecast window; only incidents whose interval ends on or before it are used.
    public var fromDay: Int
    /// Length of the forecast window in days.
    public var days: Int
    /// Side of a grid cell, metres.
    public var cellMetres: Double
    /// Upper bound on the total area of the chosen cells, square metres.
    public var areaSquareMetres: Double
    public var method: HotspotMethod = .auto
    /// Weight of an incident the police discovered themselves (1 = counted as any other, 0 = ignored). Policy,
    /// not tuned: Ensign et al. 2018 show that counting them in full lets a forecast confirm itself.
    public var discoveredWeight: Double = 0.5
    /// Candidate KDE bandwidths, in cells (for the whole history; a rolling origin with fewer incidents uses
    /// h·(n / n_origin)^{1/6}, the rate of the optimal bandwidth in two dimensions).
    public var bandwidthCells: [Double] = [0.25, 0.5, 1, 2, 4]
    /// Candidate point-mass weights α of the KDE kernel (see `MethodSpec.pointMass`).
    public var pointMasses: [Double] = [0, 0.5, 0.8, 0.95]
    /// Candidate KDE half-lives as multiples of the window length `days` (nil = no decay); only for daily data.
    public var halfLifeWindows: [Double?] = [nil, 3, 1]
    /// At most this many rolling origins.
    public var maxOrigins: Int = 3
    /// Seed of the split-half fallback.
    public var seed: UInt64 = 1
    public var threads: Int = defaultThreadCount()
    /// A given configuration instead of a selection (it is still scored on the held-back folds for the card).
    public var fixed: MethodSpec?

    public init(category: String, fromDay: Int, days: Int, cellMetres: Double, areaSquareMetres: Double,
                method: HotspotMethod = .auto) {
        self.category = category
        self.fromDay = fromDay
        self.days = days
        self.cellMetres = cellMetres
        self.areaSquareMetres = areaSquareMetres
        self.method = method
    }
}

/// A chosen cell, in the data's own coordinates.
public struct ForecastCell: Sendable, Codable, Equatable {
    public var xMin: Double
    public var yMin: Double
    public var xMax: Double
    public var yMax: Double
    /// The method's score: expected incidents in the window (kde, sepp) or past count (naive).
    public var score: Double
    /// True area, square metres.
    public var area: Double
}

public struct ForecastError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String?
    public var message: String
    public init(field: String? = nil, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { (field.map { "\($0): " } ?? "") + message }
}

public struct HotspotForecast: Sendable {
    public var cells: [ForecastCell]
    public var card: ForecastModelCard
}

/// Place-based hotspot forecasts on a square grid. It forecasts places and times, never people.
public enum ForecastEngine {
    public static func hotspots(incidents set: IncidentSet, options o: HotspotOptions) throws(ForecastError) -> HotspotForecast {
        let started = Date()
        guard o.days >= 1 else { throw ForecastError(field: "days", "must be at least 1") }
        guard o.cellMetres > 0, o.cellMetres.isFinite else { throw ForecastError(field: "cell", "must be a positive number of metres") }
        guard o.areaSquareMetres.isFinite, o.areaSquareMetres > 0 else { throw ForecastError(field: "area", "must be a positive number of square metres") }
        if let problem = OffenceTaxonomy.validateQuery(o.category) { throw ForecastError(field: "category", problem) }
        guard o.discoveredWeight >= 0 && o.discoveredWeight <= 1 else {
            throw ForecastError(field: "discovered-weight", "must be between 0 and 1")
        }
        let data = try Prepared(set: set, options: o)
        let prepared = Date()
        guard o.areaSquareMetres >= data.minCellArea * (1 - 1e-9) else {
            throw ForecastError(field: "area", String(format: "%.0f m² is smaller than one %.0f m cell (%.0f m²)",
                                                      o.areaSquareMetres, o.cellMetres, data.minCellArea))
        }
        guard !data.category.isEmpty else {
            throw ForecastError(field: "category", "no incidents of '\(o.category)' before \(CivilDay.string(o.fromDay))")
        }
        let folds = data.folds()
        let candidates = data.candidates()
        // Rolling-origin (or split-half) evaluation of every candidate on past data only.
        var evaluations: [CandidateEvaluation] = []
        if let fixed = o.fixed {
            // A given configuration: evaluated on the folds for its card, nothing selected.
            guard fixed.method != .auto else { throw ForecastError(field: "method", "a fixed configuration needs naive, kde or sepp") }
            if !folds.isEmpty { evaluations = data.evaluate([MethodSpec(method: .naive), fixed].uniqued(), folds: folds) }
        } else if !folds.isEmpty {
            // naive alone for --method naive; otherwise naive and every KDE configuration (the SEPP takes its
            // background bandwidth from the best KDE).
            evaluations = data.evaluate(o.method == .naive ? [MethodSpec(method: .naive)] : candidates, folds: folds)
        }
        // The best KDE configuration; the best one without a point mass gives the SEPP its background bandwidth.
        let kdeEvaluations = evaluations.filter { $0.spec.method == .kde }
        let fallbackKDE = MethodSpec(method: .kde, bandwidthMetres: data.defaultBandwidthMetres, halfLifeDays: nil)
        let bestKDE = kdeEvaluations.max { CandidateEvaluation.worse($0, $1) }?.spec ?? fallbackKDE
        let bestSmooth = kdeEvaluations.filter { $0.spec.pointMass == nil && $0.spec.halfLifeDays == nil }
            .max { CandidateEvaluation.worse($0, $1) }?.spec ?? fallbackKDE
        let seppSpec = MethodSpec(method: .sepp, bandwidthMetres: bestSmooth.bandwidthMetres, halfLifeDays: nil)
        if o.fixed == nil && (o.method == .auto || o.method == .sepp) && !folds.isEmpty {
            evaluations += data.evaluate([seppSpec], folds: folds)
        }
        let selectedAt = Date()
        let chosen: MethodSpec
        if let fixed = o.fixed { chosen = fixed } else {
        switch o.method {
        case .naive: chosen = MethodSpec(method: .naive)
        case .kde: chosen = bestKDE
        case .sepp: chosen = seppSpec
        case .auto:
            let finalists = evaluations.filter { e in
                e.spec.method == .naive || e.spec == bestKDE || e.spec == seppSpec
            }
            chosen = finalists.max { CandidateEvaluation.worse($0, $1) }?.spec ?? bestKDE
        }
        }
        let final = data.forecast(chosen, train: data.category, originDay: o.fromDay)
        let selected = data.select(final.scores, train: data.category)
        let cells = selected.map { k -> ForecastCell in
            let b = data.grid.bounds(k)
            let lo = data.frame.inverse(b.xMin, b.yMin), hi = data.frame.inverse(b.xMax, b.yMax)
            return ForecastCell(xMin: lo.x, yMin: lo.y, xMax: hi.x, yMax: hi.y, score: final.scores[k], area: data.cellArea(k))
        }
        let card = ForecastModelCard.make(data: data, options: o, folds: folds, evaluations: evaluations, chosen: chosen,
                                          bestKDE: bestKDE, seppSpec: seppSpec, final: final, selected: selected,
                                          timing: .init(prepare: prepared.timeIntervalSince(started),
                                                        selection: selectedAt.timeIntervalSince(prepared),
                                                        forecast: Date().timeIntervalSince(selectedAt),
                                                        total: Date().timeIntervalSince(started)))
        return HotspotForecast(cells: cells, card: card)
    }
}

/// One candidate's figures at each fold.
struct CandidateEvaluation: Sendable {
    var spec: MethodSpec
    var scores: [HotspotScore]
    var selections: [[Int]]

    var meanPAI: Double {
        let v = scores.compactMap(\.pai)
        return v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
    }
    var meanPEI: Double {
        let v = scores.compactMap(\.pei)
        return v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
    }

    /// Ordering for `max`: by mean PAI; on a tie the simpler method (naive < kde < sepp), then the wider bandwidth.
    static func worse(_ a: CandidateEvaluation, _ b: CandidateEvaluation) -> Bool {
        if abs(a.meanPAI - b.meanPAI) > 1e-12 { return a.meanPAI < b.meanPAI }
        let rank: [HotspotMethod: Int] = [.naive: 0, .kde: 1, .sepp: 2, .auto: 3]
        if a.spec.method != b.spec.method { return rank[a.spec.method]! > rank[b.spec.method]! }
        return (a.spec.bandwidthMetres ?? 0) < (b.spec.bandwidthMetres ?? 0)
    }
}

/// A held-back period of past data: train on `train`, score against `test`.
struct Fold: Sendable {
    var label: String
    var originDay: Int
    var train: [Int]
    var test: [Int]
}

struct MethodOutput: Sendable {
    var scores: [Double]
    var sepp: SelfExcitingFit?
}

/// The history projected onto the grid, shared by every candidate.
struct Prepared: Sendable {
    let options: HotspotOptions
    let crs: CoordinateSystem
    let frame: PlanarFrame
    let grid: RegularGrid
    let history: [Incident]
    let px: [Double]
    let py: [Double]
    let cellOf: [Int]
    /// Indices (into history) of the requested category.
    let category: [Int]
    let weight: [Double]
    let resolutionDays: Int
    let firstDay: Int
    let rowArea: [Double]
    let activeCells: Int
    let studyArea: Double
    let minCellArea: Double
    let cellUnits: Double
    let projectionError: Double?
    let set: IncidentSet

    init(set: IncidentSet, options o: HotspotOptions) throws(ForecastError) {
        self.options = o
        self.set = set
        crs = set.crs
        let history = set.incidents.filter { $0.endDay <= o.fromDay }
        self.history = history
        guard !history.isEmpty else {
            throw ForecastError(field: "from", "no incidents end on or before \(CivilDay.string(o.fromDay))")
        }
        let frame = PlanarFrame.frame(for: set.crs, incidents: history)
        self.frame = frame
        var xs = [Double](repeating: 0, count: history.count), ys = xs
        for (i, inc) in history.enumerated() {
            let p = frame.forward(inc.x, inc.y)
            xs[i] = p.x; ys[i] = p.y
        }
        px = xs; py = ys
        cellUnits = o.cellMetres / frame.metresPerUnit
        guard let g = RegularGrid.covering(x: xs, y: ys, cell: cellUnits, maxCells: 20_000_000) else {
            throw ForecastError(field: "cell", "a \(o.cellMetres) m grid over these incidents would exceed 20 million cells")
        }
        grid = g
        let cellOf = (0..<history.count).map { g.index(x: xs[$0], y: ys[$0]) ?? -1 }
        self.cellOf = cellOf
        category = history.indices.filter { OffenceTaxonomy.matches(history[$0].category, query: o.category) }
        weight = history.map { $0.origin == .policeDiscovered ? o.discoveredWeight : 1 }
        resolutionDays = max(1, set.resolutionDays)
        firstDay = history.map(\.day).min()!
        var areas = [Double](repeating: 0, count: g.rows)
        for r in 0..<g.rows {
            let b = g.bounds(r * g.columns)
            let lo = frame.inverse(b.xMin, b.yMin), hi = frame.inverse(b.xMax, b.yMax)
            areas[r] = frame.area(xMin: lo.x, yMin: lo.y, xMax: hi.x, yMax: hi.y)
        }
        rowArea = areas
        minCellArea = areas.min() ?? 0
        var active = Set<Int>()
        for c in cellOf where c >= 0 { active.insert(c) }
        activeCells = active.count
        studyArea = active.reduce(0.0) { $0 + areas[$1 / g.columns] }
        if let p = frame.projection {
            let lats = history.map(\.y)
            projectionError = p.scaleError(latitudes: lats.min()!...lats.max()!)
        } else {
            projectionError = nil
        }
    }

    func cellArea(_ k: Int) -> Double { rowArea[k / grid.columns] }

    var defaultBandwidthMetres: Double { options.cellMetres }

    /// Candidate configurations: naive, KDE bandwidths × half-lives (half-lives only for daily data).
    func candidates() -> [MethodSpec] {
        var out = [MethodSpec(method: .naive)]
        let halfLives: [Double?] = resolutionDays == 1 ? options.halfLifeWindows.map { $0.map { $0 * Double(options.days) } } : [nil]
        for b in options.bandwidthCells {
            for hl in halfLives {
                for a in options.pointMasses {
                    out.append(MethodSpec(method: .kde, bandwidthMetres: b * options.cellMetres, halfLifeDays: hl, pointMass: a > 0 ? a : nil))
                }
            }
        }
        return out
    }

    /// Rolling origins o = from − days − k·stride, stride = days/4 (daily data) or the distinct interval starts (coarser data), each
    /// training on what ended by o and scored on the category's incidents that start in [o, o + days); when none
    /// exists (e.g. one month of monthly data), a seeded split of the history into two halves, each scored against
    /// the other.
    func folds() -> [Fold] {
        var out: [Fold] = []
        let d = options.days
        var origins: [Int] = []
        if resolutionDays == 1 {
            // Whole test windows only: the latest origin is `days` before the forecast.
            let stride = max(1, d / 4)
            var o = options.fromDay - d
            while origins.count < options.maxOrigins && o - firstDay >= max(1, d / 2) {
                origins.append(o)
                o -= stride
            }
        } else {
            let starts = Set(history.map(\.day)).filter { $0 < options.fromDay }.sorted(by: >)
            origins = Array(starts.prefix(options.maxOrigins * 2))
        }
        for o in origins {
            let train = category.filter { history[$0].endDay <= o }
            let test = category.filter { history[$0].day >= o && history[$0].day < o + d && history[$0].endDay <= options.fromDay }
            if train.count >= 2 && !test.isEmpty {
                out.append(Fold(label: "origin \(CivilDay.string(o))", originDay: o, train: train, test: test))
            }
            if out.count >= options.maxOrigins { break }
        }
        if out.isEmpty && category.count >= 4 {
            var rng = SeededGenerator(seed: options.seed)
            var a: [Int] = [], b: [Int] = []
            for i in category { if rng.next() & 1 == 0 { a.append(i) } else { b.append(i) } }
            if !a.isEmpty && !b.isEmpty {
                out.append(Fold(label: "split-half A→B", originDay: options.fromDay, train: a, test: b))
                out.append(Fold(label: "split-half B→A", originDay: options.fromDay, train: b, test: a))
            }
        }
        return out
    }

    /// Scores every spec at every fold. KDE specs that differ only in their point mass share one density.
    func evaluate(_ specs: [MethodSpec], folds: [Fold]) -> [CandidateEvaluation] {
        var families: [[Int]] = []
        var familyOf: [String: Int] = [:]
        for (k, spec) in specs.enumerated() {
            var base = spec
            base.pointMass = nil
            let key = spec.method == .kde ? base.description : "\(k)"
            if let f = familyOf[key] { families[f].append(k) } else { familyOf[key] = families.count; families.append([k]) }
        }
        let groups = families
        let jobs = groups.count * folds.count
        let threadsInside = max(1, options.threads / max(1, min(options.threads, jobs)))
        let results: [[(HotspotScore, [Int])]] = parallelMap(jobs, threads: options.threads) { job in
            let family = groups[job / folds.count], fold = folds[job % folds.count]
            if specs[family[0]].method == .kde {
                let parts = kdeParts(specs[family[0]], train: fold.train, originDay: fold.originDay, threads: threadsInside)
                let last = lastDays(fold.train)
                return family.map { k in
                    let chosen = select(mix(parts, pointMass: specs[k].pointMass), lastDay: last)
                    return (score(chosen, against: fold.test), chosen)
                }
            }
            let out = forecast(specs[family[0]], train: fold.train, originDay: fold.originDay, threads: threadsInside)
            let chosen = select(out.scores, train: fold.train)
            return [(score(chosen, against: fold.test), chosen)]
        }
        var out: [CandidateEvaluation?] = Array(repeating: nil, count: specs.count)
        for (f, family) in families.enumerated() {
            for (m, k) in family.enumerated() {
                let rows = (0..<folds.count).map { results[f * folds.count + $0][m] }
                out[k] = CandidateEvaluation(spec: specs[k], scores: rows.map(\.0), selections: rows.map(\.1))
            }
        }
        return out.map { $0! }
    }

    /// Bandwidth in working units for a training set of `n` incidents: the spec's bandwidth is for the whole
    /// history of the category and grows as (n_history / n)^{1/6} for smaller sets.
    func bandwidthUnits(_ metres: Double?, trainCount n: Int) -> Double {
        let h = (metres ?? options.cellMetres) / frame.metresPerUnit
        guard n > 0, category.count > n else { return h }
        return h * pow(Double(category.count) / Double(n), 1.0 / 6.0)
    }

    /// The (decayed, weighted) Gaussian cell masses and cell counts of a KDE spec, both scaled to the window.
    func kdeParts(_ spec: MethodSpec, train: [Int], originDay: Int, threads: Int) -> (gauss: [Double], counts: [Double]) {
        let span = Double(max(1, originDay - firstDay))
        let h = bandwidthUnits(spec.bandwidthMetres, trainCount: train.count)
        var w = train.map { weight[$0] }
        if let hl = spec.halfLifeDays, hl > 0 {
            for (k, i) in train.enumerated() { w[k] *= pow(0.5, (Double(originDay) - history[i].midpoint) / hl) }
        }
        let scale = Double(options.days) / span
        for k in w.indices { w[k] *= scale }
        let mass = GridDensity.gaussianCellMass(grid: grid, x: train.map { px[$0] }, y: train.map { py[$0] },
                                                weights: w, bandwidth: h, threads: threads)
        var counts = [Double](repeating: 0, count: grid.count)
        for (k, i) in train.enumerated() where cellOf[i] >= 0 { counts[cellOf[i]] += w[k] }
        return (mass, counts)
    }

    func mix(_ parts: (gauss: [Double], counts: [Double]), pointMass: Double?) -> [Double] {
        let a = pointMass ?? 0
        guard a > 0 else { return parts.gauss }
        return (0..<parts.gauss.count).map { (1 - a) * parts.gauss[$0] + a * parts.counts[$0] }
    }

    func score(_ chosen: [Int], against test: [Int]) -> HotspotScore {
        var counts = [Int](repeating: 0, count: grid.count)
        for i in test where cellOf[i] >= 0 { counts[cellOf[i]] += 1 }
        let area = chosen.reduce(0.0) { $0 + cellArea($1) }
        return HotspotMetrics.score(selected: chosen, counts: counts, total: test.count, area: area, studyArea: studyArea)
    }

    /// Per-cell scores of one configuration trained on `train` for [originDay, originDay + days).
    func forecast(_ spec: MethodSpec, train: [Int], originDay: Int, threads: Int? = nil) -> MethodOutput {
        let threads = threads ?? options.threads
        let horizon = Double(options.days)
        switch spec.method {
        case .naive, .auto:
            var s = [Double](repeating: 0, count: grid.count)
            for i in train where cellOf[i] >= 0 { s[cellOf[i]] += weight[i] }
            return MethodOutput(scores: s, sepp: nil)
        case .kde:
            return MethodOutput(scores: mix(kdeParts(spec, train: train, originDay: originDay, threads: threads),
                                            pointMass: spec.pointMass), sepp: nil)
        case .sepp:
            let h = bandwidthUnits(spec.bandwidthMetres, trainCount: train.count)
            let points = SpaceTimePoints(x: train.map { px[$0] }, y: train.map { py[$0] }, t: train.map { history[$0].midpoint },
                                         weight: train.map { weight[$0] })
            var so = SelfExcitingOptions(backgroundBandwidth: h, windowStart: Double(firstDay), windowEnd: Double(originDay),
                                         sigmaRange: (cellUnits / 10)...cellUnits)
            so.minimumLag = Double(resolutionDays)
            so.maximumLag = min(30, max(1, Double(originDay - firstDay)))
            so.initialSigma = cellUnits / 4
            so.initialDecay = 0.2
            so.maxIterations = 60
            so.tolerance = 1e-4
            so.radiusInSigmas = 3.5
            so.backgroundRadiusInBandwidths = 3
            so.threads = threads
            let fit = SelfExcitingProcess.fit(points, options: so)
            let counts = SelfExcitingProcess.expectedCounts(fit, points: points, grid: grid, from: Double(originDay),
                                                            length: horizon, threads: threads)
            return MethodOutput(scores: counts, sepp: fit)
        }
    }

    /// Last day of a training incident per cell (Int.min where none): the tie-break of `select`.
    func lastDays(_ train: [Int]) -> [Int] {
        var last = [Int](repeating: Int.min, count: grid.count)
        for i in train where cellOf[i] >= 0 { last[cellOf[i]] = max(last[cellOf[i]], history[i].day) }
        return last
    }

    /// The best cells in score order until the next would take the total area over the limit. Ties: the cell with
    /// the more recent training incident, then the lower index; cells with no score fill up in index order.
    func select(_ scores: [Double], train: [Int]) -> [Int] { select(scores, lastDay: lastDays(train)) }

    func select(_ scores: [Double], lastDay last: [Int]) -> [Int] {
        let limit = options.areaSquareMetres * (1 + 1e-12)
        let most = max(1, Int((limit / minCellArea).rounded(.down)) + 1)
        // Only cells scoring at least the `most`-th best can be chosen: sort just those.
        var values = scores.filter { $0 > 0 }
        var threshold = 0.0
        if values.count > most { threshold = kthLargest(&values, most) }
        var positive = scores.indices.filter { scores[$0] > 0 && scores[$0] >= threshold }
        positive.sort { a, b in
            if scores[a] != scores[b] { return scores[a] > scores[b] }
            if last[a] != last[b] { return last[a] > last[b] }
            return a < b
        }
        var out: [Int] = []
        var total = 0.0
        func take(_ k: Int) -> Bool {
            let a = cellArea(k)
            if total + a > limit { return false }
            total += a
            out.append(k)
            return true
        }
        for k in positive {
            if !take(k) { return out }
        }
        for k in 0..<grid.count where scores[k] <= 0 {
            if !take(k) { break }
        }
        return out
    }
}

/// The k-th largest value (1-based) by quickselect; reorders `v`.
func kthLargest(_ v: inout [Double], _ k: Int) -> Double {
    var lo = 0, hi = v.count - 1
    let target = k - 1
    while lo < hi {
        let pivot = v[(lo + hi) / 2]
        var i = lo, j = hi
        while i <= j {
            while v[i] > pivot { i += 1 }
            while v[j] < pivot { j -= 1 }
            if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
        }
        if target <= j { hi = j } else if target >= i { lo = i } else { return v[target] }
    }
    return v[target]
}

extension Array where Element: Equatable {
    func uniqued() -> [Element] {
        var out: [Element] = []
        for e in self where !out.contains(e) { out.append(e) }
        return out
    }
}
