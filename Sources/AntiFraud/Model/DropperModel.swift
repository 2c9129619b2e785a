import AqylKit
import AqylML
import Foundation

/// Errors of the dropper model.
public struct DropperModelError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// One plain-word reason behind a score.
public struct DropperReason: Sendable, Codable, Equatable {
    public var feature: String
    public var label: String
    public var value: Float
    /// TreeSHAP contribution to the dropper probability (before calibration); positive raises the score.
    public var contribution: Double

    public var text: String { "\(label): \(FeatureLabels.format(value))" }
}

/// The dropper (money-mule) model: a random forest over `DropperFeatures`, isotonic calibration on out-of-bag votes,
/// a threshold with the best out-of-bag F1, and a generated model card. A score is a recommendation for an
/// investigator, never a decision.
public struct DropperModel: Sendable {
    public static let format = "aqyl-dropper-model"
    public static let formatVersion = 1

    public var version: String
    public var featureConfig: DropperFeatureConfig
    public var forest: ForestModel
    /// Calibrated score at or above which an account is flagged for review.
    public var threshold: Double
    public var card: DropperModelCard

    public struct Options: Sendable {
        public var trees = 300
        public var seed: UInt64 = 42
        public var minLeaf = 1
        public var maxFeatures: MaxFeatures = .sqrt
        public var balanced = false
        /// When not empty, each (min leaf, features per split, balanced) setting is fitted and the one with the best
        /// out-of-bag PR-AUC on the training graphs is kept; no other graph is looked at.
        public var select: [Setting] = []
        public var threads = defaultThreadCount()
        public var featureConfig = DropperFeatureConfig()
        public init() {}

        public struct Setting: Sendable, Equatable, CustomStringConvertible {
            public var minLeaf: Int
            public var maxFeatures: MaxFeatures
            public var balanced: Bool
            public init(minLeaf: Int, maxFeatures: MaxFeatures, balanced: Bool) {
                self.minLeaf = minLeaf; self.maxFeatures = maxFeatures; self.balanced = balanced
            }
            public var description: String {
                let mf: String = switch maxFeatures {
                case .sqrt: "sqrt"
                case .log2: "log2"
                case .all: "all"
                case .count(let c): "\(c)"
                case .fraction(let f): String(format: "%.0f%%", f * 100)
                }
                return "min leaf \(minLeaf), \(mf) features per split, \(balanced ? "balanced" : "unweighted") classes"
            }
        }

        /// The settings `--select` tries. Balanced class weights are not among them: their bootstrap draws put nearly every
        /// dropper into every tree, so out-of-bag figures cannot judge them.
        public static let selectionGrid: [Setting] = [1, 3, 5].flatMap { leaf in
            [MaxFeatures.sqrt, .fraction(0.3)].map { Setting(minLeaf: leaf, maxFeatures: $0, balanced: false) }
        }
    }

    // MARK: training

    /// Trains on every labelled account of `graphs` (their features computed graph by graph).
    public static func train(graphs: [LabeledGraph], options: Options = Options(),
                             progress: @Sendable (String) -> Void = { _ in }) throws -> DropperModel {
        guard !graphs.isEmpty else { throw DropperModelError("no training graph") }
        var parts: [FeatureMatrix] = [], labels: [String] = [], banks: [String?] = [], summaries: [GraphSummary] = []
        for lg in graphs {
            guard let lab = lg.labels else {
                throw DropperModelError("\(lg.graph.name) has no labels (AMLSim isFraud or the native feed's label column)")
            }
            let index = GraphIndex(lg.graph, threads: options.threads)
            let fm = DropperFeatures.compute(lg.graph, index: index, config: options.featureConfig, threads: options.threads)
            let rows = fm.accounts.indices.filter { lab[Int(fm.accounts[$0])] >= 0 }
            parts.append(fm.selecting(rows: rows))
            labels += rows.map { lab[Int(fm.accounts[$0])] == 1 ? "1" : "0" }
            banks += rows.map { lg.graph.bankName(ofAccount: Int(fm.accounts[$0])) }
            summaries.append(GraphSummary(name: lg.graph.name, layout: lg.graph.layout.rawValue, accounts: lg.graph.accountCount,
                                          transfers: lg.graph.transferCount, labeled: rows.count,
                                          droppers: rows.filter { lab[Int(fm.accounts[$0])] == 1 }.count))
            progress(String(format: "%@: %d accounts, %d labelled (%d droppers); index %.2f s, features %.2f s", lg.graph.name,
                            lg.graph.accountCount, rows.count, summaries.last!.droppers, index.buildSeconds, fm.seconds))
        }
        guard Set(labels).count == 2 else { throw DropperModelError("training needs both droppers and other accounts") }
        let fm = FeatureMatrix.stacking(parts)
        let table = fm.table()
        let truth = labels.map { $0 == "1" }

        let settings = options.select.isEmpty
            ? [Options.Setting(minLeaf: options.minLeaf, maxFeatures: options.maxFeatures, balanced: options.balanced)]
            : options.select
        var best: (ap: Double, rf: RandomForestClassifier, setting: Options.Setting)?
        var tried: [SelectionResult] = []
        for s in settings {
            var rf = RandomForestClassifier(treeCount: options.trees, maxFeatures: s.maxFeatures, minSamplesLeaf: s.minLeaf,
                                            classWeight: s.balanced ? .balanced : .none, seed: options.seed, threads: options.threads)
            try rf.fit(table, labels: labels)
            guard let oob = rf.oobProbabilities, let k = rf.model?.classes.firstIndex(of: "1") else {
                throw DropperModelError("out-of-bag probabilities are missing")
            }
            let rows = (0..<oob.rowCount).filter { !oob[$0, k].isNaN }
            let positives = truth.filter { $0 }.count, coveredPositives = rows.filter { truth[$0] }.count
            guard Double(coveredPositives) >= 0.8 * Double(positives), Double(rows.count) >= 0.8 * Double(truth.count) else {
                throw DropperModelError("with \(s) only \(coveredPositives) of \(positives) droppers have out-of-bag votes, so neither calibration nor the threshold can be fitted; use unweighted classes")
            }
            let ap = FraudMetrics.averagePrecision(scores: rows.map { oob[$0, k] }, truth: rows.map { truth[$0] })
            tried.append(SelectionResult(setting: s.description, outOfBagPRAUC: ap))
            if settings.count > 1 { progress(String(format: "selection: %@ → out-of-bag PR-AUC %.4f", s.description, ap)) }
            if best == nil || ap > best!.ap + 1e-12 { best = (ap, rf, s) }
        }
        guard let chosen = best, var forest = chosen.rf.model, let oob = chosen.rf.oobProbabilities else {
            throw DropperModelError("the forest did not fit")
        }
        let positive = forest.classes.firstIndex(of: "1")!
        // Calibrate on out-of-bag votes (rows no tree left out are skipped), then pick the threshold on them.
        forest = try forest.calibrated(probabilities: oob, labels: labels)
        let covered = (0..<oob.rowCount).filter { !oob[$0, positive].isNaN }
        let oobCovered = ProbabilityMatrix(rowCount: covered.count, classCount: oob.classCount, values: covered.flatMap { oob.row($0) })
        let oobScores = scores(oobCovered, positive: positive, forest.calibrator)
        let oobTruth = covered.map { truth[$0] }
        let threshold = FraudMetrics.bestF1Threshold(scores: oobScores, truth: oobTruth)
        var evaluation = DropperEvaluation.compute(graph: graphs.map(\.graph.name).joined(separator: "+") + " (out-of-bag)",
                                                   scores: oobScores, truth: oobTruth, threshold: threshold,
                                                   banks: covered.map { banks[$0] })
        evaluation.notes.append("out-of-bag: each training account scored only by the trees that did not see it (\(covered.count) of \(labels.count) accounts)")
        let importance = zip(forest.featureNames, forest.metadata.featureImportances).sorted { $0.1 > $1.1 }.prefix(15)
            .map { FeatureImportance(feature: $0.0, label: FeatureLabels.label($0.0), importance: $0.1) }
        let parameters = "random forest, \(options.trees) trees, \(chosen.setting), seed \(options.seed); isotonic calibration on out-of-bag votes; threshold = best out-of-bag F1"
        var card = DropperModelCard(
            model: "dropper", version: "", createdAt: Date(), trainingGraphs: summaries, features: fm.names,
            excluded: DropperModelCard.excludedInputs, parameters: parameters, selection: settings.count > 1 ? tried : [],
            threshold: threshold, outOfBag: evaluation, topFeatures: Array(importance), evaluations: [],
            limits: DropperModelCard.limits(summaries: summaries, hasBanks: banks.contains { $0 != nil }))
        let version = "1.0-" + String(SHA256Digest.hex(Array("\(forest.metadata.trainingDataDigest)|\(parameters)|\(threshold)".utf8)).prefix(12))
        card.version = version
        return DropperModel(version: version, featureConfig: options.featureConfig, forest: forest, threshold: threshold, card: card)
    }

    /// Calibrated scores of raw forest votes (class `k` of `p`): the isotonic map, with ties inside a calibration step
    /// broken by the raw vote (weight 0.0001), so the ranking keeps the forest's order.
    static func scores(_ p: ProbabilityMatrix, positive k: Int, _ calibrator: IsotonicCalibrator?) -> [Double] {
        guard let c = calibrator else { return (0..<p.rowCount).map { p[$0, k] } }
        let q = c.apply(p)
        return (0..<p.rowCount).map { min(1, max(0, q[$0, k] * (1 - 1e-4) + p[$0, k] * 1e-4)) }
    }

    // MARK: scoring

    var positive: Int { forest.classes.firstIndex(of: "1") ?? 1 }

    /// Column order of the model's features in `fm`.
    func featureOrder(_ fm: FeatureMatrix) throws -> [Int] {
        try forest.featureNames.map { name in
            guard let i = fm.names.firstIndex(of: name) else {
                throw DropperModelError("the features lack '\(name)' that the model was trained on (model feature version \(featureConfig.version))")
            }
            return i
        }
    }

    /// Row-major matrix in model feature order.
    func matrix(_ fm: FeatureMatrix) throws -> [Float] {
        let order = try featureOrder(fm)
        let F = order.count, n = fm.rowCount
        var m = [Float](repeating: .nan, count: n * F)
        for (f, c) in order.enumerated() {
            let col = fm.columns[c]
            for r in 0..<n { m[r * F + f] = col[r] }
        }
        return m
    }

    /// Calibrated dropper scores, one per row of `fm`.
    public func scores(_ fm: FeatureMatrix, threads: Int = defaultThreadCount()) throws -> [Double] {
        let p = forest.predictProbabilities(matrix: try matrix(fm), threads: threads)
        return DropperModel.scores(p, positive: positive, forest.calibrator)
    }

    /// Features of the graph's accounts (all when `accounts` is nil), as this model computes them.
    public func features(_ g: TransactionGraph, index: GraphIndex, accounts: [Int32]? = nil,
                         threads: Int = defaultThreadCount()) -> FeatureMatrix {
        DropperFeatures.compute(g, index: index, accounts: accounts, config: featureConfig, threads: threads)
    }

    public enum ExplanationMethod: String, Sendable, Codable {
        /// Exact TreeSHAP (Lundberg et al.): visits every node of every tree.
        case treeSHAP = "treeshap"
        /// Path attribution (Saabas): along each tree's decision path only; for bulk runs.
        case path
    }

    /// The `count` features that raised row `r`'s score most, in plain words.
    public func reasons(_ fm: FeatureMatrix, row r: Int, count: Int = 3, language: String = "en",
                        method: ExplanationMethod = .treeSHAP) throws -> [DropperReason] {
        let order = try featureOrder(fm)
        let x = order.map { fm.columns[$0][r] }
        let e = method == .treeSHAP ? forest.explain(row: x) : forest.explainPath(row: x)
        let k = positive
        let ranked = e.featureNames.indices.map { (i: $0, c: e.contributions[$0][k]) }.filter { $0.c > 0 }.sorted { $0.c > $1.c }
        return ranked.prefix(count).map { p in
            let name = e.featureNames[p.i]
            return DropperReason(feature: name, label: FeatureLabels.label(name, language: language), value: x[p.i], contribution: p.c)
        }
    }

    /// Figures on a labelled graph (accounts with a known label).
    public func evaluate(_ lg: LabeledGraph, threads: Int = defaultThreadCount()) throws -> DropperEvaluation {
        guard let lab = lg.labels else { throw DropperModelError("\(lg.graph.name) has no labels to evaluate against") }
        let index = GraphIndex(lg.graph, threads: threads)
        let fm = features(lg.graph, index: index, threads: threads)
        let s = try scores(fm, threads: threads)
        let rows = fm.accounts.indices.filter { lab[Int(fm.accounts[$0])] >= 0 }
        guard !rows.isEmpty else { throw DropperModelError("\(lg.graph.name) has no labelled account") }
        return DropperEvaluation.compute(graph: lg.graph.name, scores: rows.map { s[$0] }, truth: rows.map { lab[Int(fm.accounts[$0])] == 1 },
                                         threshold: threshold, banks: rows.map { lg.graph.bankName(ofAccount: Int(fm.accounts[$0])) })
    }

    // MARK: file

    struct Envelope: Codable {
        var format: String
        var formatVersion: Int
        var version: String
        var featureConfig: DropperFeatureConfig
        var threshold: Double
        var card: DropperModelCard
        var forest: String
    }

    public func serialized() throws -> Data {
        let env = Envelope(format: Self.format, formatVersion: Self.formatVersion, version: version, featureConfig: featureConfig,
                           threshold: threshold, card: card, forest: try forest.serialized().base64EncodedString())
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return try e.encode(env)
    }

    public func save(to path: String) throws { try serialized().write(to: URL(fileURLWithPath: path), options: .atomic) }

    public static func load(path: String) throws -> DropperModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw DropperModelError("cannot read model \(path)") }
        return try DropperModel(data: data, origin: path)
    }

    public init(data: Data, origin: String) throws {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        guard let env = try? d.decode(Envelope.self, from: data), env.format == Self.format else {
            throw DropperModelError("\(origin) is not an Aqyl dropper model")
        }
        guard env.formatVersion <= Self.formatVersion else {
            throw DropperModelError("\(origin) has format version \(env.formatVersion); this build reads up to \(Self.formatVersion)")
        }
        guard let raw = Data(base64Encoded: env.forest) else { throw DropperModelError("\(origin): the forest is damaged") }
        let forest = try ForestModel(serialized: raw, name: origin)
        self.init(version: env.version, featureConfig: env.featureConfig, forest: forest, threshold: env.threshold, card: env.card)
    }

    public init(version: String, featureConfig: DropperFeatureConfig, forest: ForestModel, threshold: Double, card: DropperModelCard) {
        self.version = version; self.featureConfig = featureConfig; self.forest = forest; self.threshold = threshold; self.card = card
    }
}
