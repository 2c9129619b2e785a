import AqylCore
import AqylKit
import AqylML
import Foundation

/// The model's second opinion on ASP eligibility: a random forest over household rows built from member-level
/// data, with a calibrated probability, a decision threshold chosen on held-out training data, and a model card.
public struct EligibilityModel: Sendable {
    public static let formatVersion = 1
    public var name: String
    public var version: String
    public var schema: MemberSchema
    public var forest: ForestModel
    /// Probability of "eligible" at or above which the model recommends approval.
    public var threshold: Double
    public var card: ModelCard

    public var featureNames: [String] { forest.featureNames }

    /// Options for training. Defaults are what the Costa Rica figures in the README were made with.
    public struct Options: Sendable {
        public var trees = 300
        public var seed: UInt64 = 42
        /// 8 households: over 40 random splits of the Costa Rica training part (Benchmarks/assistance/cv_swift.sh) it beat
        /// out-of-bag selection and leaves of 2, 4 and 16, and tied with 12 within noise; smaller leaves overfit the
        /// probabilities the threshold rests on.
        public var minLeaf = 8
        public var maxDepth: Int?
        /// Share of households held out for the test metrics in the model card.
        public var testShare = 0.2
        /// Share of the training part held out for calibration and the threshold.
        public var calibrationShare = 0.2
        /// Where calibration and the threshold come from: `outOfBag` (default) fits the forest on the whole training
        /// part and uses each household's out-of-bag probability (trees that did not see it); `heldOut` keeps
        /// `calibrationShare` of the training part aside instead.
        public var calibration: Calibration = .outOfBag
        public enum Calibration: String, Sendable { case outOfBag = "out-of-bag", heldOut = "held-out" }
        /// When set (with out-of-bag calibration), each (min leaf, features per split) pair is fitted and the one with the
        /// best out-of-bag macro-F1 is kept; the test part is never looked at.
        public var selectFrom: [(minLeaf: Int, maxFeatures: MaxFeatures)] = []
        public init() {}
    }

    // MARK: training

    public static func train(households: HouseholdTable, schema: MemberSchema, options: Options = Options(),
                             dataDescription: String, progress: @Sendable (String) -> Void = { _ in }) throws -> EligibilityModel {
        guard let raw = households.target, let target = schema.target else {
            throw AqylError.invalid("schema", "training needs a target column")
        }
        let eligible = raw.map { target.eligible.contains($0) ? "1" : "0" }
        guard Set(eligible).count == 2 else {
            throw AqylError.invalid("data", "training needs both eligible and not eligible households")
        }
        let n = households.ids.count
        let (trainAll, test) = stratifiedSplit(labels: eligible, share: options.testShare, seed: options.seed)
        // Out-of-bag calibration needs out-of-bag probabilities for (nearly) every household of both classes; with a
        // rare class, balanced bootstrap draws can put its rows into every tree. Then a held-out part is used instead.
        func oobCovers(_ rf: RandomForestClassifier, _ labels: [String]) -> Bool {
            guard let oob = rf.oobProbabilities else { return false }
            for cls in ["0", "1"] {
                let rows = labels.indices.filter { labels[$0] == cls }
                let covered = rows.filter { !oob[$0, 0].isNaN }.count
                if rows.isEmpty || Double(covered) < 0.8 * Double(rows.count) { return false }
            }
            return true
        }
        var mode = options.calibration
        var fitIdx = trainAll, calIdx: [Int] = []
        var rf = RandomForestClassifier(treeCount: options.trees, maxDepth: options.maxDepth, minSamplesLeaf: options.minLeaf,
                                        classWeight: .balanced, seed: options.seed)
        var chosen = "min leaf \(options.minLeaf), sqrt features per split"
        if mode == .outOfBag {
            let fitTable = households.table.selecting(rows: fitIdx)
            let fitLabels = fitIdx.map { eligible[$0] }
            let candidates = options.selectFrom.isEmpty ? [(minLeaf: options.minLeaf, maxFeatures: MaxFeatures.sqrt)] : options.selectFrom
            var best: (f1: Double, rf: RandomForestClassifier, label: String)?
            for cand in candidates {
                var c = RandomForestClassifier(treeCount: options.trees, maxFeatures: cand.maxFeatures, maxDepth: options.maxDepth,
                                               minSamplesLeaf: cand.minLeaf, classWeight: .balanced, seed: options.seed)
                try c.fit(fitTable, labels: fitLabels)
                guard oobCovers(c, fitLabels), let oob = c.oobProbabilities, let k = c.model?.classes.firstIndex(of: "1") else {
                    progress("out-of-bag probabilities do not cover both classes (a rare class lands in nearly every tree); calibrating on a held-out part instead")
                    mode = .heldOut
                    best = nil
                    break
                }
                if candidates.count == 1 { best = (0, c, chosen); break }
                let rows = (0..<oob.rowCount).filter { !oob[$0, 0].isNaN }
                let probs = rows.map { oob[$0, k] }
                let truth = rows.map { fitLabels[$0] == "1" }
                let t = bestThreshold(probabilities: probs, truth: truth)
                let f1 = ClassificationReport(truth: truth.map { $0 ? "1" : "0" }, predicted: probs.map { $0 >= t ? "1" : "0" }).macroF1
                let label = "min leaf \(cand.minLeaf), \(cand.maxFeatures) features per split"
                progress(String(format: "selection: %@ → out-of-bag macro-F1 %.4f", label, f1))
                if best == nil || f1 > best!.f1 + 1e-12 { best = (f1, c, label + " (chosen by out-of-bag macro-F1)") }
            }
            if let best { rf = best.rf; chosen = best.label }
        }
        if mode == .heldOut {
            let (fitRows, calRows) = stratifiedSplit(labels: trainAll.map { eligible[$0] }, share: options.calibrationShare,
                                                     seed: options.seed &+ 1)
            fitIdx = fitRows.map { trainAll[$0] }
            calIdx = calRows.map { trainAll[$0] }
            try rf.fit(households.table.selecting(rows: fitIdx), labels: fitIdx.map { eligible[$0] })
        }
        progress("households: \(n) (fit \(fitIdx.count), \(mode == .heldOut ? "calibration \(calIdx.count)" : "calibration out-of-bag"), test \(test.count))")
        guard var forest = rf.model else { throw AqylError(.internalError, code: "not_fitted", "the forest did not fit") }
        progress("forest: \(options.trees) trees fitted, out-of-bag accuracy \(forest.metadata.oobScore.map { String(format: "%.3f", $0) } ?? "n/a")")
        let positive = try positiveIndex(forest)
        let threshold: Double
        if mode == .heldOut {
            forest = try forest.calibrated(on: households.table.selecting(rows: calIdx), labels: calIdx.map { eligible[$0] })
            let calProbs = try forest.predictCalibratedProbabilities(households.table.selecting(rows: calIdx))
            threshold = bestThreshold(probabilities: (0..<calIdx.count).map { calProbs[$0, positive] },
                                      truth: calIdx.map { eligible[$0] == "1" })
        } else {
            guard let oob = rf.oobProbabilities else { throw AqylError(.internalError, code: "no_oob", "out-of-bag probabilities are missing") }
            let labels = fitIdx.map { eligible[$0] }
            forest = try forest.calibrated(probabilities: oob, labels: labels)
            guard let cal = forest.calibrator else { throw AqylError(.internalError, code: "no_calibrator", "calibration failed") }
            let rows = (0..<oob.rowCount).filter { !oob[$0, 0].isNaN }
            let calibrated = cal.apply(ProbabilityMatrix(rowCount: rows.count, classCount: oob.classCount, values: rows.flatMap { oob.row($0) }))
            threshold = bestThreshold(probabilities: (0..<rows.count).map { calibrated[$0, positive] },
                                      truth: rows.map { labels[$0] == "1" })
        }
        progress("threshold chosen on the \(mode.rawValue) probabilities: \(String(format: "%.3f", threshold))")

        var model = EligibilityModel(name: "asp-eligibility-\(schema.name)", version: "", schema: schema, forest: forest,
                                     threshold: threshold, card: ModelCard.empty)
        let evaluation = try model.evaluate(households, rows: test)
        // Four-class figure for the card: a second forest on the same split, with the binary model's settings.
        var fourClass: Double?
        if Set(raw).count > 2 {
            var rf4 = RandomForestClassifier(treeCount: options.trees, maxFeatures: rf.maxFeatures, maxDepth: options.maxDepth,
                                             minSamplesLeaf: rf.minSamplesLeaf, classWeight: .balanced, seed: options.seed)
            try rf4.fit(households.table.selecting(rows: trainAll), labels: trainAll.map { raw[$0] })
            let predicted = try rf4.predict(households.table.selecting(rows: test))
            fourClass = ClassificationReport(truth: test.map { raw[$0] }, predicted: predicted).macroF1
        }
        let importance = zip(forest.featureNames, forest.metadata.featureImportances)
            .sorted { $0.1 > $1.1 }.prefix(15).map { FeatureWeight(feature: $0.0, importance: $0.1) }
        model.card = ModelCard(
            model: model.name, version: "", createdAt: Date(), data: dataDescription,
            households: n, split: "stratified by eligibility, seed \(options.seed): \(fitIdx.count) fit, \(mode == .heldOut ? "\(calIdx.count) calibration" : "calibration and threshold on out-of-bag probabilities"), \(test.count) test",
            parameters: "random forest, \(options.trees) trees, \(chosen), max depth \(options.maxDepth.map(String.init) ?? "none"), balanced class weights, isotonic calibration (\(mode.rawValue))",
            features: forest.featureNames.count, excludedAsProtected: schema.protected, fairnessOnly: schema.fairnessOnly,
            threshold: threshold, test: evaluation, fourClassMacroF1: fourClass, topFeatures: Array(importance),
            limits: ModelCard.standardLimits(schema: schema))
        // The version names this exact model: training data, parameters and threshold (two models trained on the same
        // data with different settings must not share a version).
        model.version = "1.0-" + String(SHA256Digest.hex(Array("\(forest.metadata.trainingDataDigest)|\(model.card.parameters)|\(threshold)".utf8)).prefix(12))
        model.card.version = model.version
        return model
    }

    static func positiveIndex(_ forest: ForestModel) throws -> Int {
        guard let i = forest.classes.firstIndex(of: "1") else {
            throw AqylError(.internalError, code: "bad_model", "the forest has no 'eligible' class")
        }
        return i
    }

    /// The threshold that maximises macro-F1 on held-out rows (ties: the one nearest 0.5).
    static func bestThreshold(probabilities: [Double], truth: [Bool]) -> Double {
        var best = (f1: -1.0, t: 0.5)
        for step in 5...95 {
            let t = Double(step) / 100
            let pred = probabilities.map { $0 >= t ? "1" : "0" }
            let f1 = ClassificationReport(truth: truth.map { $0 ? "1" : "0" }, predicted: pred).macroF1
            if f1 > best.f1 + 1e-12 || (abs(f1 - best.f1) <= 1e-12 && abs(t - 0.5) < abs(best.t - 0.5)) { best = (f1, t) }
        }
        return best.t
    }

    /// Row indices split per class so both parts keep the class shares; deterministic for a seed.
    public static func stratifiedSplit(labels: [String], share: Double, seed: UInt64) -> (rest: [Int], heldOut: [Int]) {
        var rng = SeededGenerator(seed: seed)
        var rest: [Int] = [], held: [Int] = []
        for label in Set(labels).sorted() {
            var idx = labels.indices.filter { labels[$0] == label }
            idx.shuffle(using: &rng)
            let k = Int((Double(idx.count) * share).rounded())
            held += idx.prefix(k)
            rest += idx.dropFirst(k)
        }
        return (rest.sorted(), held.sorted())
    }

    // MARK: scoring

    /// Calibrated probability of eligibility per household.
    public func probabilities(_ table: DataTable) throws -> [Double] {
        let p = try forest.predictCalibratedProbabilities(table)
        let k = try Self.positiveIndex(forest)
        return (0..<p.rowCount).map { p[$0, k] }
    }

    /// Metrics on `rows` of a labelled household table (all rows when nil).
    public func evaluate(_ households: HouseholdTable, rows: [Int]? = nil) throws -> Evaluation {
        guard let raw = households.target, let target = schema.target else {
            throw AqylError.invalid("data", "evaluation needs the target column")
        }
        let rows = rows ?? Array(households.ids.indices)
        let probs = try probabilities(households.table.selecting(rows: rows))
        let truth = rows.map { target.eligible.contains(raw[$0]) }
        let pred = probs.map { $0 >= threshold }
        var groups: [String: [String: ErrorRates]] = [:]
        for (name, labels) in households.groups {
            var byLabel: [String: ([Bool], [Bool])] = [:]
            for (k, r) in rows.enumerated() {
                byLabel[labels[r], default: ([], [])].0.append(truth[k])
                byLabel[labels[r], default: ([], [])].1.append(pred[k])
            }
            groups[name] = byLabel.mapValues { ErrorRates(truth: $0.0, predicted: $0.1) }
        }
        if households.incomePerPerson.contains(where: { $0 != nil }) {
            let incomes = rows.map { households.incomePerPerson[$0] }
            let known = incomes.compactMap { $0 }.sorted()
            var byDecile: [String: ([Bool], [Bool])] = [:]
            for (k, inc) in incomes.enumerated() {
                guard let inc else { continue }
                let rank = known.firstIndex { $0 >= inc } ?? known.count - 1
                let decile = "D\(min(10, rank * 10 / max(known.count, 1) + 1))"
                byDecile[decile, default: ([], [])].0.append(truth[k])
                byDecile[decile, default: ([], [])].1.append(pred[k])
            }
            groups["income_decile"] = byDecile.mapValues { ErrorRates(truth: $0.0, predicted: $0.1) }
        }
        let truthLabels = truth.map { $0 ? "1" : "0" }, predLabels = pred.map { $0 ? "1" : "0" }
        let report = ClassificationReport(truth: truthLabels, predicted: predLabels)
        let interval = ClassificationReport.macroF1Interval(truth: truthLabels, predicted: predLabels)
        let overall = ErrorRates(truth: truth, predicted: pred)
        return Evaluation(nHouseholds: rows.count, accuracy: report.accuracy, macroF1: report.macroF1,
                          macroF1Interval: interval.map { [$0.lowerBound, $0.upperBound] },
                          exclusionError: overall.exclusionError, inclusionError: overall.inclusionError,
                          eligibleShare: overall.eligibleShare, byGroup: groups)
    }

    /// The top reasons behind one household's probability, in plain words.
    public func reasons(for table: DataTable, row: Int, count: Int = 5) throws -> [(feature: String, contribution: Double)] {
        let explanations = try forest.explain(table.selecting(rows: [row]))
        let k = try Self.positiveIndex(forest)
        return explanations[0].topReasons(forClass: k, count: count)
    }

    // MARK: file

    struct FileEnvelope: Codable {
        var format: String
        var formatVersion: Int
        var name: String
        var version: String
        var schema: MemberSchema
        var threshold: Double
        var card: ModelCard
        var forest: String
    }

    /// The model file's bytes (JSON envelope with the forest inside).
    public func serialized() throws -> Data {
        let envelope = FileEnvelope(format: "aqyl-assistance-model", formatVersion: Self.formatVersion, name: name, version: version,
                                    schema: schema, threshold: threshold, card: card,
                                    forest: try forest.serialized().base64EncodedString())
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return try e.encode(envelope)
    }

    public func save(to path: String) throws {
        try serialized().write(to: URL(fileURLWithPath: path))
    }

    public static func load(path: String) throws -> EligibilityModel {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw AqylError.invalid("model", "cannot read model \(path)")
        }
        return try EligibilityModel(data: data, origin: path)
    }

}

extension EligibilityModel {
    /// Reads a model from its bytes; `origin` names it in errors.
    public init(data: Data, origin: String) throws {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        guard let env = try? d.decode(FileEnvelope.self, from: data), env.format == "aqyl-assistance-model" else {
            throw AqylError.invalid("model", "\(origin) is not an Aqyl assistance model")
        }
        guard env.formatVersion <= Self.formatVersion else {
            throw AqylError.invalid("model", "\(origin) has format version \(env.formatVersion); this build reads up to \(Self.formatVersion)")
        }
        guard let forestData = Data(base64Encoded: env.forest) else { throw AqylError.invalid("model", "\(origin): forest is damaged") }
        let forest = try ForestModel(serialized: forestData, name: origin)
        self.init(name: env.name, version: env.version, schema: env.schema, forest: forest, threshold: env.threshold, card: env.card)
    }
}

/// Targeting errors: exclusion error = share of eligible households the model would leave out;
/// inclusion error = share of households it would approve that are not eligible.
public struct ErrorRates: Sendable, Codable, Equatable {
    public var n: Int
    public var eligible: Int
    public var predictedEligible: Int
    public var exclusionError: Double?
    public var inclusionError: Double?
    public var eligibleShare: Double

    public init(truth: [Bool], predicted: [Bool]) {
        n = truth.count
        eligible = truth.filter { $0 }.count
        predictedEligible = predicted.filter { $0 }.count
        let missed = zip(truth, predicted).filter { $0.0 && !$0.1 }.count
        let wrongIn = zip(truth, predicted).filter { !$0.0 && $0.1 }.count
        exclusionError = eligible > 0 ? Double(missed) / Double(eligible) : nil
        inclusionError = predictedEligible > 0 ? Double(wrongIn) / Double(predictedEligible) : nil
        eligibleShare = n > 0 ? Double(eligible) / Double(n) : 0
    }

    enum CodingKeys: String, CodingKey {
        case n, eligible
        case predictedEligible = "predicted_eligible", exclusionError = "exclusion_error", inclusionError = "inclusion_error"
        case eligibleShare = "eligible_share"
    }
}

public struct Evaluation: Sendable, Codable, Equatable {
    public var nHouseholds: Int
    public var accuracy: Double
    public var macroF1: Double
    /// 95% percentile bootstrap interval of `macroF1` over the evaluated households (absent in older model files).
    public var macroF1Interval: [Double]?
    public var exclusionError: Double?
    public var inclusionError: Double?
    public var eligibleShare: Double
    public var byGroup: [String: [String: ErrorRates]]

    enum CodingKeys: String, CodingKey {
        case accuracy
        case nHouseholds = "n_households", macroF1 = "macro_f1", macroF1Interval = "macro_f1_ci95", exclusionError = "exclusion_error"
        case inclusionError = "inclusion_error", eligibleShare = "eligible_share", byGroup = "by_group"
    }
}

public struct FeatureWeight: Sendable, Codable, Equatable {
    public var feature: String
    public var importance: Double
}

/// What a model is, what it was trained on, how well it does and for whom: written by `train`, never by hand.
public struct ModelCard: Sendable, Codable, Equatable {
    public var model: String
    public var version: String
    public var createdAt: Date
    public var data: String
    public var households: Int
    public var split: String
    public var parameters: String
    public var features: Int
    public var excludedAsProtected: [String]
    public var fairnessOnly: [String]
    public var threshold: Double
    public var test: Evaluation
    public var fourClassMacroF1: Double?
    public var topFeatures: [FeatureWeight]
    public var limits: [String]

    static let empty = ModelCard(model: "", version: "", createdAt: Date(timeIntervalSince1970: 0), data: "", households: 0, split: "",
                                 parameters: "", features: 0, excludedAsProtected: [], fairnessOnly: [], threshold: 0.5,
                                 test: Evaluation(nHouseholds: 0, accuracy: 0, macroF1: 0, macroF1Interval: nil, exclusionError: nil, inclusionError: nil,
                                                  eligibleShare: 0, byGroup: [:]),
                                 fourClassMacroF1: nil, topFeatures: [], limits: [])

    static func standardLimits(schema: MemberSchema) -> [String] {
        var out = [
            "Advisory only: the statutory rule and a named official decide; the model ranks and explains.",
            "Trained on \(schema.name); figures do not transfer to another population without retraining and a new card.",
            "The threshold maximises macro-F1 on held-out training households, which trades exclusion against inclusion error equally; a ministry may prefer fewer exclusions.",
        ]
        if schema.incomeColumn == nil { out.append("The data has no income column: errors by income decile cannot be reported.") }
        if !schema.fairnessOnly.isEmpty {
            out.append("Not features, used only to report errors by group: \(schema.fairnessOnly.joined(separator: ", ")).")
        }
        return out
    }

    /// The card as Markdown, for people.
    public var markdown: String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a" }
        var s = "# Model card: \(model) \(version)\n\n"
        s += "Generated by `aqyl assistance train` on \(ISO8601DateFormatter().string(from: createdAt)).\n\n"
        s += "## Data\n\(data)\n\n- households: \(households)\n- split: \(split)\n- features: \(features)\n"
        s += "- protected attributes kept out: \(excludedAsProtected.isEmpty ? "none present" : excludedAsProtected.joined(separator: ", "))\n\n"
        s += "## Model\n\(parameters); decision threshold \(String(format: "%.2f", threshold)).\n\n"
        s += "## Metrics (test households)\n\n| metric | value |\n|---|---|\n"
        s += "| households | \(test.nHouseholds) |\n| accuracy | \(String(format: "%.3f", test.accuracy)) |\n"
        s += "| binary macro-F1 | \(String(format: "%.3f", test.macroF1))"
            + (test.macroF1Interval.map { String(format: " (95%% bootstrap interval %.3f–%.3f over the test households)", $0[0], $0[1]) } ?? "")
            + " |\n"
        if let f = fourClassMacroF1 { s += "| 4-class macro-F1 (separate forest, same split) | \(String(format: "%.3f", f)) |\n" }
        s += "| exclusion error (eligible left out) | \(pct(test.exclusionError)) |\n"
        s += "| inclusion error (approved but not eligible) | \(pct(test.inclusionError)) |\n\n"
        s += "## Errors by group\n\n| group | value | households | eligible | exclusion error | inclusion error |\n|---|---|---|---|---|---|\n"
        for (g, byValue) in test.byGroup.sorted(by: { $0.key < $1.key }) {
            for (v, r) in byValue.sorted(by: { $0.key < $1.key }) {
                s += "| \(g) | \(v) | \(r.n) | \(r.eligible) | \(pct(r.exclusionError)) | \(pct(r.inclusionError)) |\n"
            }
        }
        s += "\n## Most important features\n\n"
        for f in topFeatures { s += "- \(f.feature): \(String(format: "%.3f", f.importance))\n" }
        s += "\n## Limits\n\n" + limits.map { "- \($0)\n" }.joined()
        return s
    }
}
