import AqylKit
import Foundation

/// How many features are drawn at each split.
public enum MaxFeatures: Sendable, Equatable {
    /// floor(sqrt(nFeatures)) (the default, as in scikit-learn).
    case sqrt
    /// floor(log2(nFeatures)).
    case log2
    /// Every feature (bagged trees).
    case all
    case count(Int)
    /// Fraction of the features, rounded down, at least one.
    case fraction(Double)

    func resolve(_ n: Int) -> Int {
        let v: Int
        switch self {
        case .sqrt: v = Int(Double(n).squareRoot())
        case .log2: v = Int(Foundation.log2(Double(max(n, 1))))
        case .all: v = n
        case .count(let c): v = c
        case .fraction(let f): v = Int(f * Double(n))
        }
        return max(1, min(n, v))
    }
}

/// Class weighting.
public enum ClassWeight: Sendable, Equatable {
    /// Every class weighs 1 (default).
    case none
    /// `n / (nClasses * count(class))`, computed on the full training labels (scikit-learn's "balanced").
    case balanced
    /// Explicit weight per class label; missing labels weigh 1.
    case custom([String: Double])
}

/// Random forest classifier in the scikit-learn mould: set hyper-parameters, `fit`, then `predict` /
/// `predictProbabilities`. Binary and multi-class; missing values (NaN) and categorical columns are native.
public struct RandomForestClassifier: Sendable {
    /// Number of trees. Default 100.
    public var treeCount: Int = 100
    /// Features considered per split. Default `.sqrt`.
    public var maxFeatures: MaxFeatures = .sqrt
    /// Maximum tree depth; nil = unlimited (default).
    public var maxDepth: Int? = nil
    /// Minimum number of (distinct, in-bag) training rows in a leaf. Default 1.
    public var minSamplesLeaf: Int = 1
    /// Minimum number of rows a node needs to be split. Default 2.
    public var minSamplesSplit: Int = 2
    /// Split criterion. Default `.gini`.
    public var criterion: Criterion = .gini
    /// Draw a bootstrap sample (with replacement, n rows) per tree. Default true.
    public var bootstrap: Bool = true
    /// Class weights. Default `.none`.
    public var classWeight: ClassWeight = .none
    /// Compute the out-of-bag accuracy after fitting (needs `bootstrap`). Default true.
    public var oobScore: Bool = true
    /// Out-of-bag class probabilities of the training rows after `fit` (NaN where no tree left a row out).
    public private(set) var oobProbabilities: ProbabilityMatrix?
    /// Maximum number of value bins per numeric feature (2...255); one more bin is reserved for missing. Default 255.
    public var maxBins: Int = 255
    /// Random seed; the fitted forest depends only on the seed and the data, not on `threads`. Default 0.
    public var seed: UInt64 = 0
    /// Worker threads (trees are built in parallel). Default: all cores.
    public var threads: Int = defaultThreadCount()

    /// The fitted model (nil before `fit`).
    public private(set) var model: ForestModel?

    public init(treeCount: Int = 100, maxFeatures: MaxFeatures = .sqrt, maxDepth: Int? = nil, minSamplesLeaf: Int = 1,
                minSamplesSplit: Int = 2, criterion: Criterion = .gini, bootstrap: Bool = true,
                classWeight: ClassWeight = .none, oobScore: Bool = true, maxBins: Int = 255, seed: UInt64 = 0,
                threads: Int = defaultThreadCount()) {
        self.treeCount = treeCount; self.maxFeatures = maxFeatures; self.maxDepth = maxDepth
        self.minSamplesLeaf = minSamplesLeaf; self.minSamplesSplit = minSamplesSplit; self.criterion = criterion
        self.bootstrap = bootstrap; self.classWeight = classWeight; self.oobScore = oobScore; self.maxBins = maxBins
        self.seed = seed; self.threads = threads
    }

    /// Sorted class labels: numerically when every label is a number, else lexicographically.
    static func sortedClasses(_ labels: [String]) -> [String] {
        let uniq = Array(Set(labels))
        let nums = uniq.compactMap { Double($0) }
        if nums.count == uniq.count { return uniq.sorted { Double($0)! < Double($1)! } }
        return uniq.sorted()
    }

    /// Fits the forest. `progress(done, total)` is called (from worker threads) as trees complete.
    @discardableResult
    public mutating func fit(_ table: DataTable, labels: [String],
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ForestModel {
        guard labels.count == table.rowCount else {
            throw DataError.invalidLabels("\(labels.count) labels for \(table.rowCount) rows")
        }
        guard table.rowCount > 0 else { throw DataError.invalidLabels("empty training table") }
        guard treeCount >= 1 else { throw DataError.invalidParameter("treeCount must be >= 1") }
        guard minSamplesLeaf >= 1, minSamplesSplit >= 2 else {
            throw DataError.invalidParameter("minSamplesLeaf must be >= 1 and minSamplesSplit >= 2")
        }
        guard (2...255).contains(maxBins) else { throw DataError.invalidParameter("maxBins must be in 2...255") }
        if let d = maxDepth, d < 1 { throw DataError.invalidParameter("maxDepth must be >= 1") }
        let classes = RandomForestClassifier.sortedClasses(labels)
        var classIndex: [String: Int32] = [:]
        for (i, c) in classes.enumerated() { classIndex[c] = Int32(i) }
        let y = labels.map { classIndex[$0]! }
        let K = classes.count
        let n = table.rowCount

        // class weights
        var cw = [Double](repeating: 1, count: K)
        let cwName: String
        switch classWeight {
        case .none: cwName = "none"
        case .balanced:
            cwName = "balanced"
            var counts = [Int](repeating: 0, count: K)
            for v in y { counts[Int(v)] += 1 }
            for k in 0..<K { cw[k] = Double(n) / (Double(K) * Double(counts[k])) }
        case .custom(let m):
            cwName = "custom"
            for (i, c) in classes.enumerated() { cw[i] = m[c] ?? 1 }
        }

        // binning
        let threads = max(1, self.threads)
        let maxBins = self.maxBins
        let infoSlots = Slots<FeatureInfo>(count: table.columnCount)
        parallelFor(table.columnCount, threads: threads) { f in
            let c = table.columns[f]
            let edges = c.kind.isCategorical ? [] : FeatureInfo.computeEdges(c.values, maxBins: maxBins)
            infoSlots.set(f, FeatureInfo(name: c.name, kind: c.kind, edges: edges))
        }
        let features = infoSlots.values()
        let binned = BinnedData(table: table, features: features, threads: threads)

        let params = TrainingParameters(
            treeCount: treeCount, maxFeatures: maxFeatures.resolve(features.count), maxDepth: maxDepth,
            minSamplesLeaf: minSamplesLeaf, minSamplesSplit: minSamplesSplit, criterion: criterion,
            bootstrap: bootstrap, classWeight: cwName, resolvedClassWeights: cw, seed: seed, maxBins: maxBins)
        let grower = TreeGrower(
            data: binned, labels: y, classWeight: cw, features: features,
            settings: TreeSettings(classCount: K, maxFeatures: params.maxFeatures, maxDepth: maxDepth ?? Int.max,
                                   minSamplesLeaf: minSamplesLeaf, minSamplesSplit: minSamplesSplit,
                                   criterion: criterion, bootstrap: bootstrap))
        let slots = Slots<BuiltTree>(count: treeCount)
        let done = WorkCounter(limit: Int.max)
        let total = treeCount
        let seed = self.seed
        parallelFor(treeCount, threads: threads) { t in
            slots.set(t, grower.grow(seed: SeededGenerator.derive(seed, t)))
            if let progress, let d = done.take() { progress(d + 1, total) }
        }
        let trees = slots.values()

        // flatten
        var roots: [Int32] = [], feature: [Int32] = [], binThr: [UInt8] = [], thr: [Float] = [], left: [Int32] = []
        var missL: [UInt8] = [], catIdx: [Int32] = [], words: [UInt64] = [], value: [Float] = [], cover: [Float] = []
        var importance = [Double](repeating: 0, count: features.count)
        for tr in trees {
            let off = Int32(feature.count), catOff = Int32(words.count / 4)
            roots.append(off)
            feature += tr.feature; binThr += tr.binThreshold; thr += tr.threshold
            left += tr.left.map { $0 < 0 ? -1 : $0 + off }
            missL += tr.missingLeft.map { $0 ? 1 : 0 }
            catIdx += tr.catIndex.map { $0 < 0 ? -1 : $0 + catOff }
            words += tr.catWords; value += tr.value; cover += tr.cover
            let s = tr.importance.reduce(0, +)
            if s > 0 { for f in 0..<features.count { importance[f] += tr.importance[f] / s } }
        }
        let impSum = importance.reduce(0, +)
        if impSum > 0 { importance = importance.map { $0 / impSum } }

        var model = ForestModel(
            features: features, classes: classes, parameters: params,
            metadata: ModelMetadata(trainingDataDigest: RandomForestClassifier.digest(table, labels),
                                    trainingRowCount: n, oobScore: nil, featureImportances: importance),
            calibrator: nil, treeRoots: roots, feature: feature, binThreshold: binThr, threshold: thr, left: left,
            missingLeft: missL, catIndex: catIdx, catWords: words, value: value, cover: cover)

        if oobScore && bootstrap {
            let (score, probs) = RandomForestClassifier.oob(model: model, binned: binned, trees: trees, y: y, threads: threads)
            model.metadata.oobScore = score
            oobProbabilities = probs
        }
        self.model = model
        return model
    }

    /// Out-of-bag accuracy and probabilities: each row is predicted by the trees that did not see it
    /// (a row no tree left out gets NaN probabilities).
    static func oob(model: ForestModel, binned: BinnedData, trees: [BuiltTree], y: [Int32], threads: Int) -> (Double?, ProbabilityMatrix) {
        let n = binned.rowCount, K = model.classCount
        let chunk = 4096
        let chunks = (n + chunk - 1) / chunk
        let counts = Slots<(Int, Int)>(count: chunks)
        let rowProbs = Slots<[Double]>(count: chunks)
        binned.bins.withUnsafeBufferPointer { bb in
            let bins = SharedPointer(base: UnsafeMutablePointer(mutating: bb.baseAddress!))
            parallelFor(chunks, threads: threads) { c in
                var correct = 0, scored = 0
                var acc = [Double](repeating: 0, count: K)
                var probs: [Double] = []
                probs.reserveCapacity(chunk * K)
                for r in (c * chunk)..<min(n, (c + 1) * chunk) {
                    for k in 0..<K { acc[k] = 0 }
                    var used = 0
                    for (t, tr) in trees.enumerated() where tr.inBag[r] == 0 {
                        used += 1
                        let l = model.binnedLeaf(root: Int(model.treeRoots[t]), bins: bins.base, rowCount: n, row: r)
                        for k in 0..<K { acc[k] += Double(model.value[l * K + k]) }
                    }
                    for k in 0..<K { probs.append(used == 0 ? .nan : acc[k] / Double(used)) }
                    if used == 0 { continue }
                    scored += 1
                    var best = 0
                    for k in 1..<K where acc[k] > acc[best] { best = k }
                    if best == Int(y[r]) { correct += 1 }
                }
                counts.set(c, (correct, scored))
                rowProbs.set(c, probs)
            }
        }
        let all = counts.values()
        let scored = all.reduce(0) { $0 + $1.1 }
        let matrix = ProbabilityMatrix(rowCount: n, classCount: K, values: rowProbs.values().flatMap { $0 })
        return (scored == 0 ? nil : Double(all.reduce(0) { $0 + $1.0 }) / Double(scored), matrix)
    }

    /// SHA-256 over column names, kinds, values and labels.
    static func digest(_ table: DataTable, _ labels: [String]) -> String {
        var h = SHA256Digest()
        for c in table.columns {
            h.update(string: c.name + "\u{1}")
            if case .categorical(let levels) = c.kind { h.update(string: "cat:" + levels.joined(separator: "\u{2}") + "\u{1}") }
            c.values.withUnsafeBytes { h.update(data: $0) }
        }
        h.update(string: labels.joined(separator: "\u{1}"))
        return h.finalizeHex()
    }

    private func fitted() throws -> ForestModel {
        guard let model else { throw DataError.notFitted }
        return model
    }

    /// Predicted class labels.
    public func predict(_ table: DataTable) throws -> [String] { try fitted().predict(table, threads: threads) }

    /// Class probabilities (columns in `model.classes` order).
    public func predictProbabilities(_ table: DataTable) throws -> ProbabilityMatrix {
        try fitted().predictProbabilities(table, threads: threads)
    }
}
