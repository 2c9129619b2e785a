import AqylKit
import Foundation

/// How per-label decision thresholds are chosen on out-of-fold training predictions.
public enum TextThresholdObjective: String, Sendable, Codable, CaseIterable {
    /// 0.5 on the calibrated probability for every label.
    case fixed
    /// Each label's threshold maximises that label's F1.
    case labelF1 = "label-f1"
    /// Thresholds jointly maximise micro-F1 (coordinate ascent started from the label-F1 ones).
    case microF1 = "micro-f1"
}

/// Training settings of `TextClassifier`. Every field has a documented default.
public struct TextClassifierOptions: Sendable, Codable, Equatable {
    /// Text normalisation (default `TextNormalizer()`).
    public var normalizer: TextNormalizer
    /// Feature extraction (default `TextFeatureOptions()`).
    public var features: TextFeatureOptions
    /// The per-label logistic regression (default `TextLogisticOptions()`).
    public var logistic: TextLogisticOptions
    /// Folds of the training data used to produce out-of-fold scores for Platt calibration and
    /// threshold tuning (default 3). `0` skips calibration: thresholds 0.5 on the raw sigmoid.
    public var calibrationFolds: Int
    /// Threshold objective (default `.microF1`).
    public var thresholdObjective: TextThresholdObjective
    /// Thresholds are kept inside this range (defaults 0.05 and 0.95).
    public var minThreshold: Float
    public var maxThreshold: Float
    /// A target ≥ this counts as a positive label (default 0.5).
    public var labelThreshold: Float
    /// Train on the target scores themselves (cross-entropy with soft targets) instead of the
    /// binarised labels (default false).
    public var softTargets: Bool
    /// Seed for the fold assignment (default 42). Training is otherwise deterministic.
    public var seed: UInt64
    /// Stacking (needs `calibrationFolds >= 2`): a second logistic regression per label over the
    /// out-of-fold first-stage logits of all labels, so correlated labels inform each other.
    /// `0` disables; otherwise its C (default 0).
    public var stackingC: Double
    /// Extra per-label logistic regressions trained beside `logistic`; the label's model is the
    /// average of all of them (an average of linear models is one linear model, so prediction
    /// cost and file size do not grow). Default none.
    public var blend: [TextLogisticOptions]
    /// Two-view ensemble (needs word and character features enabled): per label, one model is
    /// fitted on the character features only and one on the word features only, and the label's
    /// model is `(1 − v)·char + v·word` with `v = wordViewWeight` — still one linear model.
    /// `0` (default) fits a single model on all features.
    public var wordViewWeight: Float
    /// Weight each row's loss for a label by the confidence of its score, `|2·score − 1|` (so
    /// 0/1 rows weigh 1 and a 0.5 row nothing). Default false.
    public var confidenceWeighting: Bool
    /// "At least one label": when no label reaches its threshold, predict the most probable
    /// label if its probability reaches a fallback threshold tuned for micro-F1 on the
    /// out-of-fold predictions (after the per-label thresholds). Needs calibration folds; the
    /// rule is dropped when no fallback threshold improves the out-of-fold micro-F1. Default false.
    public var fallbackLabel: Bool

    public init(
        normalizer: TextNormalizer = TextNormalizer(), features: TextFeatureOptions = TextFeatureOptions(),
        logistic: TextLogisticOptions = TextLogisticOptions(), calibrationFolds: Int = 3,
        thresholdObjective: TextThresholdObjective = .microF1, minThreshold: Float = 0.05, maxThreshold: Float = 0.95,
        labelThreshold: Float = 0.5, softTargets: Bool = false, seed: UInt64 = 42, stackingC: Double = 0,
        blend: [TextLogisticOptions] = [], wordViewWeight: Float = 0, confidenceWeighting: Bool = false,
        fallbackLabel: Bool = false
    ) {
        self.fallbackLabel = fallbackLabel
        self.confidenceWeighting = confidenceWeighting
        self.wordViewWeight = wordViewWeight
        self.blend = blend
        self.stackingC = stackingC
        self.normalizer = normalizer
        self.features = features
        self.logistic = logistic
        self.calibrationFolds = calibrationFolds
        self.thresholdObjective = thresholdObjective
        self.minThreshold = minThreshold
        self.maxThreshold = maxThreshold
        self.labelThreshold = labelThreshold
        self.softTargets = softTargets
        self.seed = seed
    }
}

extension TextClassifierOptions {
    /// Fields missing from older model files take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TextClassifierOptions()
        self.init(
            normalizer: try c.decodeIfPresent(TextNormalizer.self, forKey: .normalizer) ?? d.normalizer,
            features: try c.decodeIfPresent(TextFeatureOptions.self, forKey: .features) ?? d.features,
            logistic: try c.decodeIfPresent(TextLogisticOptions.self, forKey: .logistic) ?? d.logistic,
            calibrationFolds: try c.decodeIfPresent(Int.self, forKey: .calibrationFolds) ?? d.calibrationFolds,
            thresholdObjective: try c.decodeIfPresent(TextThresholdObjective.self, forKey: .thresholdObjective)
                ?? d.thresholdObjective,
            minThreshold: try c.decodeIfPresent(Float.self, forKey: .minThreshold) ?? d.minThreshold,
            maxThreshold: try c.decodeIfPresent(Float.self, forKey: .maxThreshold) ?? d.maxThreshold,
            labelThreshold: try c.decodeIfPresent(Float.self, forKey: .labelThreshold) ?? d.labelThreshold,
            softTargets: try c.decodeIfPresent(Bool.self, forKey: .softTargets) ?? d.softTargets,
            seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed,
            stackingC: try c.decodeIfPresent(Double.self, forKey: .stackingC) ?? d.stackingC,
            blend: try c.decodeIfPresent([TextLogisticOptions].self, forKey: .blend) ?? d.blend,
            wordViewWeight: try c.decodeIfPresent(Float.self, forKey: .wordViewWeight) ?? d.wordViewWeight,
            confidenceWeighting: try c.decodeIfPresent(Bool.self, forKey: .confidenceWeighting) ?? d.confidenceWeighting,
            fallbackLabel: try c.decodeIfPresent(Bool.self, forKey: .fallbackLabel) ?? false)
    }
}

/// What the model file records about its training run.
public struct TextTrainingInfo: Sendable, Codable, Equatable {
    public var options: TextClassifierOptions
    public var rows: Int
    public var dataSHA256: String
    public var dataFile: String?
    public var textColumn: String
    public var positives: [String: Int]
    public var featureCount: Int
    /// Scores of the out-of-fold predictions with the tuned thresholds. Optimistic: the
    /// thresholds were chosen on these same predictions.
    public var outOfFold: TextMultiLabelScores?
    public var trainingSeconds: Double
}

/// Top contributing n-grams of one label for one text.
public struct TextExplanation: Sendable, Codable, Equatable {
    public struct Term: Sendable, Codable, Equatable {
        /// `w:` word n-gram or `c:` character n-gram (spaces mark word edges); `v:word vectors` is
        /// the word-vector block as a whole.
        public var ngram: String
        /// weight × feature value, in logit units.
        public var contribution: Double
    }
    public var label: String
    public var probability: Double
    public var threshold: Double
    /// Top n-grams by contribution.
    public var terms: [Term]
    /// Top words: each word's share of the contributions of the n-grams it contains (an n-gram
    /// found in several words is split between them equally).
    public var words: [Term]
}

/// Multi-label one-vs-rest logistic regression over hashed word + character TF-IDF features,
/// with Platt calibration and per-label thresholds tuned on out-of-fold training predictions.
public struct TextClassifier: Sendable {
    public static let formatName = "aqyl.text-classifier"
    /// 2 added `fallbackThreshold` (and feature options that default to version 1's behaviour
    /// when absent); 3 added word vectors. Older files still load.
    public static let formatVersion = 3

    public let labels: [String]
    public let vectorizer: TextVectorizer
    public let models: [TextLinearModel]
    /// Optional second stage: per label, weights over all labels' first-stage logits.
    public let stacker: [TextLinearModel]?
    public let calibration: [TextPlattScaling]
    public var thresholds: [Float]
    /// See `TextClassifierOptions.fallbackLabel`: a row with no label at its threshold gets its
    /// most probable label when that probability is at least this; `nil` = no fallback.
    public var fallbackThreshold: Float?
    public var info: TextTrainingInfo

    public init(
        labels: [String], vectorizer: TextVectorizer, models: [TextLinearModel], stacker: [TextLinearModel]? = nil,
        calibration: [TextPlattScaling], thresholds: [Float], fallbackThreshold: Float? = nil, info: TextTrainingInfo
    ) throws {
        self.fallbackThreshold = fallbackThreshold
        if let stacker {
            guard stacker.count == labels.count, stacker.allSatisfy({ $0.weights.count == labels.count }) else {
                throw TextError.invalidModel("stacker shape does not match the label count")
            }
        }
        self.stacker = stacker
        guard models.count == labels.count, calibration.count == labels.count, thresholds.count == labels.count else {
            throw TextError.invalidModel("per-label arrays do not match the label count")
        }
        guard models.allSatisfy({ $0.weights.count == vectorizer.featureCount }) else {
            throw TextError.invalidModel("weight length does not match the feature count")
        }
        self.labels = labels
        self.vectorizer = vectorizer
        self.models = models
        self.calibration = calibration
        self.thresholds = thresholds
        self.info = info
    }

    // MARK: Training

    /// Trains on `texts` with `targets[row][label]` in [0, 1]. `progress` receives short status
    /// lines (it may be called from worker threads). Word vectors named in `options.features` are found with
    /// `TextWordVectors.named(_:searching: wordVectorDirectories)`.
    public static func train(
        texts: [String], targets: [[Float]], labels: [String], options: TextClassifierOptions = TextClassifierOptions(),
        textColumn: String = "text", dataSHA256: String = "", dataFile: String? = nil,
        wordVectorDirectories: [String] = [],
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> TextClassifier {
        let start = Date()
        guard !texts.isEmpty else { throw TextError.emptyInput("no training rows") }
        guard targets.count == texts.count, targets.allSatisfy({ $0.count == labels.count }) else {
            throw TextError.invalidOption("targets must have one row per text and one value per label")
        }
        guard options.calibrationFolds == 0 || (options.calibrationFolds >= 2 && options.calibrationFolds <= texts.count)
        else { throw TextError.invalidOption("calibrationFolds must be 0 or in 2...rows") }
        guard options.minThreshold > 0, options.minThreshold <= options.maxThreshold, options.maxThreshold < 1 else {
            throw TextError.invalidOption("thresholds must satisfy 0 < min <= max < 1")
        }
        let n = texts.count
        let L = labels.count
        progress("features: extracting from \(n) texts")
        let (vectorizer, x, isWord) = try TextVectorizer.fitWithBlocks(
            texts: texts, normalizer: options.normalizer, options: options.features,
            wordVectorDirectories: wordVectorDirectories)
        let twoViews = options.wordViewWeight > 0
        if twoViews && (options.features.wordMaxN == 0 || options.features.charMaxN == 0) {
            throw TextError.invalidOption("wordViewWeight needs both word and character features")
        }
        progress("features: \(vectorizer.featureCount) kept, \(x.nonZeroCount) non-zeros")

        let binary = targets.map { $0.map { $0 >= options.labelThreshold } }
        let trainTargets: [[Float]] = (0..<L).map { l in
            (0..<n).map { i in options.softTargets ? targets[i][l] : (binary[i][l] ? 1 : 0) }
        }

        // Folds: a seeded shuffle dealt round-robin.
        let k = options.calibrationFolds
        var order = Array(0..<n)
        var rng = SplitMix64(seed: options.seed)
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        var foldOf = [Int](repeating: 0, count: n)
        for (pos, i) in order.enumerated() { foldOf[i] = k > 0 ? pos % k : 0 }
        let foldTrainRows: [[Int]] = (0..<k).map { f in (0..<n).filter { foldOf[$0] != f } }
        let foldTestRows: [[Int]] = (0..<k).map { f in (0..<n).filter { foldOf[$0] == f } }
        let foldTrain = foldTrainRows.map { x.selecting(rows: $0) }
        // Per view (0 = all features, or 0 = char and 1 = word with two views), per fold (k = all rows).
        let isChar = isWord.map { !$0 }
        let views: [[TextSparseMatrix]] = twoViews
            ? [(foldTrain + [x]).map { $0.keepingColumns(isChar) }, (foldTrain + [x]).map { $0.keepingColumns(isWord) }]
            : [foldTrain + [x]]
        let foldTest = foldTestRows.map { x.selecting(rows: $0) }

        // Jobs: label l on all rows (fold == k), then label l on fold f's training rows.
        struct Job: Sendable { var label: Int; var fold: Int }
        var jobs: [Job] = (0..<L).map { Job(label: $0, fold: k) }
        for f in 0..<k { for l in 0..<L { jobs.append(Job(label: l, fold: f)) } }
        let done = SharedCounter()
        let total = jobs.count
        let nbColumns = vectorizer.sparseFeatureCount
        let results: [TextLinearModel] = textParallelMap(count: total) { j in
            let job = jobs[j]
            var m: TextLinearModel
            let rows = job.fold == k ? Array(0..<n) : foldTrainRows[job.fold]
            let t = rows.map { trainTargets[job.label][$0] }
            let sw: [Float]? = options.confidenceWeighting ? rows.map { abs(2 * targets[$0][job.label] - 1) } : nil
            let data = views[0][job.fold]
            m = TextLogisticRegression.fit(data, targets: t, sampleWeights: sw, options: options.logistic, naiveBayesColumns: nbColumns)
            if twoViews {
                let w = TextLogisticRegression.fit(views[1][job.fold], targets: t, sampleWeights: sw, options: options.logistic, naiveBayesColumns: nbColumns)
                let v = options.wordViewWeight
                for j in m.weights.indices { m.weights[j] = (1 - v) * m.weights[j] + v * w.weights[j] }
                m.bias = (1 - v) * m.bias + v * w.bias
                m.iterations += w.iterations
            }
            if !options.blend.isEmpty {
                for o in options.blend {
                    let extra = TextLogisticRegression.fit(data, targets: t, sampleWeights: sw, options: o, naiveBayesColumns: nbColumns)
                    for j in m.weights.indices { m.weights[j] += extra.weights[j] }
                    m.bias += extra.bias
                    m.iterations += extra.iterations
                }
                let scale = 1 / Float(options.blend.count + 1)
                for j in m.weights.indices { m.weights[j] *= scale }
                m.bias *= scale
            }
            let c = done.increment()
            let which = job.fold == k ? "all rows" : "fold \(job.fold + 1)/\(k)"
            progress("train: \(c)/\(total) \(labels[job.label]) (\(which), \(m.iterations) iterations)")
            return m
        }
        let finalModels = Array(results[0..<L])

        var calibration = [TextPlattScaling](repeating: TextPlattScaling(), count: L)
        var stacker: [TextLinearModel]? = nil
        var thresholds = [Float](repeating: 0.5, count: L)
        var fallbackThreshold: Float? = nil
        var outOfFold: TextMultiLabelScores? = nil
        if k > 0 {
            var oofScores = [[Float]](repeating: [Float](repeating: 0, count: n), count: L)
            for f in 0..<k {
                for l in 0..<L {
                    let scores = results[L + f * L + l].decisions(foldTest[f])
                    for (pos, i) in foldTestRows[f].enumerated() { oofScores[l][i] = scores[pos] }
                }
            }
            let truth: [[Bool]] = (0..<L).map { l in (0..<n).map { binary[$0][l] } }
            if options.stackingC > 0 {
                var z = TextSparseMatrix(columnCount: L)
                let allLabels = (0..<L).map { Int32($0) }
                for i in 0..<n { z.append(TextSparseVector(indices: allLabels, values: (0..<L).map { Self.clip(oofScores[$0][i]) })) }
                let stackOptions = TextLogisticOptions(c: options.stackingC, maxIterations: 500, naiveBayesAlpha: 0)
                let stage2 = textParallelMap(count: L) { l in
                    TextLogisticRegression.fit(z, targets: trainTargets[l], options: stackOptions)
                }
                for l in 0..<L { oofScores[l] = stage2[l].decisions(z) }
                stacker = stage2
                progress("stacking: second stage fitted on out-of-fold logits")
            }
            var probs: [[Float]] = []
            for l in 0..<L {
                calibration[l] = TextPlattScaling.fit(scores: oofScores[l], labels: truth[l])
                probs.append(oofScores[l].map { calibration[l].probability($0) })
            }
            let range = options.minThreshold...options.maxThreshold
            switch options.thresholdObjective {
            case .fixed:
                thresholds = [Float](repeating: min(max(0.5, options.minThreshold), options.maxThreshold), count: L)
            case .labelF1, .microF1:
                thresholds = (0..<L).map { TextThresholds.bestF1(probs: probs[$0], labels: truth[$0], range: range) }
                if options.thresholdObjective == .microF1 {
                    thresholds = TextThresholds.bestMicroF1(
                        probs: probs, labels: truth, initial: thresholds, range: range)
                }
            }
            if options.fallbackLabel {
                fallbackThreshold = TextThresholds.bestFallback(probs: probs, labels: truth, thresholds: thresholds)
                progress("fallback: " + (fallbackThreshold.map { String(format: "most probable label when none passes, if p >= %.3f", $0) }
                    ?? "none improves the out-of-fold micro-F1"))
            }
            let predicted = (0..<n).map { i in
                Self.decide(probabilities: (0..<L).map { probs[$0][i] }, thresholds: thresholds, fallback: fallbackThreshold)
            }
            outOfFold = TextMultiLabelScores(labelNames: labels, truth: binary, predicted: predicted)
            progress(String(format: "calibration: out-of-fold micro-F1 %.4f macro-F1 %.4f (thresholds tuned on them)",
                            outOfFold!.microF1, outOfFold!.macroF1))
        }
        var positives: [String: Int] = [:]
        for (l, name) in labels.enumerated() { positives[name] = binary.filter { $0[l] }.count }
        let info = TextTrainingInfo(
            options: options, rows: n, dataSHA256: dataSHA256, dataFile: dataFile, textColumn: textColumn,
            positives: positives, featureCount: vectorizer.featureCount, outOfFold: outOfFold,
            trainingSeconds: Date().timeIntervalSince(start))
        return try TextClassifier(
            labels: labels, vectorizer: vectorizer, models: finalModels, stacker: stacker, calibration: calibration,
            thresholds: thresholds, fallbackThreshold: fallbackThreshold, info: info)
    }

    // MARK: Prediction

    /// Labels on (`true`) for one row of probabilities: each label at or above its threshold,
    /// or, when none is and a fallback threshold is set, the most probable label if its
    /// probability reaches the fallback.
    public static func decide(probabilities p: [Float], thresholds: [Float], fallback: Float?) -> [Bool] {
        var on = p.indices.map { p[$0] >= thresholds[$0] }
        if let fallback, !on.contains(true), let best = p.indices.max(by: { p[$0] < p[$1] }), p[best] >= fallback {
            on[best] = true
        }
        return on
    }

    /// Labels on (`true`) for one row of this model's probabilities.
    public func decide(probabilities p: [Float]) -> [Bool] {
        Self.decide(probabilities: p, thresholds: thresholds, fallback: fallbackThreshold)
    }

    /// Calibrated probability per label.
    public func probabilities(_ text: String) -> [Float] {
        probabilities(vector: vectorizer.transform(text))
    }

    public func probabilities(vector x: TextSparseVector) -> [Float] {
        let first = models.map { $0.decision(x) }
        guard let stacker else { return (0..<labels.count).map { calibration[$0].probability(first[$0]) } }
        let z = TextSparseVector(indices: (0..<labels.count).map { Int32($0) }, values: first.map(Self.clip))
        return (0..<labels.count).map { calibration[$0].probability(stacker[$0].decision(z)) }
    }

    /// First-stage logits fed to the stacker are clipped to ±20.
    static func clip(_ v: Float) -> Float { min(max(v, -20), 20) }

    /// Calibrated probabilities for many texts (parallel), `[row][label]`.
    public func probabilities(_ texts: [String]) -> [[Float]] {
        textParallelMap(count: texts.count) { probabilities(texts[$0]) }
    }

    /// Labels whose probability reaches their threshold.
    public func predict(_ text: String) -> [String] {
        let on = decide(probabilities: probabilities(text))
        return labels.indices.filter { on[$0] }.map { labels[$0] }
    }

    /// Binary predictions `[row][label]` from probabilities.
    public func decide(_ probabilities: [[Float]]) -> [[Bool]] {
        probabilities.map { decide(probabilities: $0) }
    }

    /// Top `top` positive n-gram contributions for each predicted label (or for `only` labels).
    public func explain(_ text: String, top: Int = 10, only: [String]? = nil) -> [TextExplanation] {
        let x = vectorizer.transform(text)
        let names = vectorizer.featureNames(in: text)
        let perWord = vectorizer.wordFeatures(in: text)
        var owners: [Int32: Int] = [:]
        for w in perWord { for f in w.features { owners[f, default: 0] += 1 } }
        let p = probabilities(vector: x)
        let on = decide(probabilities: p)
        var out: [TextExplanation] = []
        for l in labels.indices {
            if let only { if !only.contains(labels[l]) { continue } } else if !on[l] { continue }
            var terms: [TextExplanation.Term] = []
            var contribution: [Int32: Double] = [:]
            var vectorContribution = 0.0
            for (i, v) in zip(x.indices, x.values) {
                let c = Double(models[l].weights[Int(i)] * v)
                if Int(i) >= vectorizer.sparseFeatureCount {
                    vectorContribution += c
                    continue
                }
                contribution[i] = c
                if c > 0 { terms.append(.init(ngram: names[i] ?? "#\(i)", contribution: c)) }
            }
            // The word-vector block is one term: the meaning of the text's words as a whole.
            if vectorContribution > 0 { terms.append(.init(ngram: "v:word vectors", contribution: vectorContribution)) }
            var wordScores: [String: Double] = [:]
            for w in perWord {
                var s = 0.0
                for f in w.features { s += (contribution[f] ?? 0) / Double(owners[f] ?? 1) }
                wordScores[w.word, default: 0] += s
            }
            var words = wordScores.filter { $0.value > 0 }.map { TextExplanation.Term(ngram: $0.key, contribution: $0.value) }
            let order: (TextExplanation.Term, TextExplanation.Term) -> Bool = {
                $0.contribution > $1.contribution || ($0.contribution == $1.contribution && $0.ngram < $1.ngram)
            }
            terms.sort(by: order)
            words.sort(by: order)
            out.append(TextExplanation(
                label: labels[l], probability: Double(p[l]),
                threshold: Double(on[l] && p[l] < thresholds[l] ? fallbackThreshold ?? thresholds[l] : thresholds[l]),
                terms: Array(terms.prefix(top)), words: Array(words.prefix(top))))
        }
        return out
    }

    /// Scores on a labelled table whose label columns include this model's labels.
    public func evaluate(texts: [String], truth: [[Bool]]) -> TextMultiLabelScores {
        TextMultiLabelScores(labelNames: labels, truth: truth, predicted: decide(probabilities(texts)))
    }
}

