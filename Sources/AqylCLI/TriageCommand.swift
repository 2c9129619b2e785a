import AqylKit
import AqylML
import ArgumentParser
import Foundation

/// `triage`: train and evaluate the multi-label text classifier.
public struct TriageCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Multi-label text classification (word + character TF-IDF, one-vs-rest logistic regression).",
        subcommands: [Train.self, Evaluate.self, Predict.self, Retrain.self]
    )

    public init() {}
}

/// Where the triage commands look for word vectors: `$AQYL_EMBEDDINGS_DIR` first when set, then `.embeddings` in the
/// working directory, beside the executable and in their parents. The CLI is the one place that reads the environment.
func wordVectorDirectories() -> [String] {
    TextWordVectors.searchDirectories(explicit: Settings.reader().string(forKey: "aqyl.embeddings.dir"))
}

/// Prints a line on standard error.
func triageLog(_ message: String) {
    FileHandle.standardError.write(Data(("triage: " + message + "\n").utf8))
}

/// Serialises progress lines from worker threads.
final class TriageProgress: @unchecked Sendable {
    private let lock = NSLock()
    func log(_ s: String) {
        lock.lock()
        defer { lock.unlock() }
        triageLog(s)
    }
}

extension TriageCommand {
    public struct Train: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Train a model on a CSV with a text column; every other column is a label.",
            discussion: """
                Defaults (C 1, NB alpha 0.03, char_wb 1-5 plus stemmed word 1-2 n-grams at weight 0.4 in \
                their own hash space) were chosen by 5-fold cross-validation on the sensitive-topics \
                train.csv only (two seeded 5-fold splits; val.csv never used).
                """)

        @Option(help: "Training CSV (RFC 4180, header row).") var data: String
        @Option(help: "Name of the text column.") var textColumn: String = "text"
        @Option(help: "Where to write the model (JSON).") var out: String
        @Option(
            help: """
                Label values: 'binary' accepts only 0/1; 'scores' accepts numbers in [0,1] \
                (annotator scores), positive when >= --label-threshold.
                """)
        var labelValues: TriageLabelValues = .binary
        @Option(help: "Score at or above which a label counts as positive.") var labelThreshold: Float = 0.5
        @Flag(help: "Train on the scores themselves (soft targets) instead of binarised labels.") var softTargets = false
        @Option(help: "Inverse L2 regularisation strength C.") var c: Double = 1
        @Flag(help: "Balanced class weights per label.") var balanced = false
        @Option(help: "NB-LR feature scaling smoothing alpha (0 = off).") var nbAlpha: Double = 0.03
        @Option(help: "Maximum L-BFGS iterations per label.") var maxIterations: Int = 300
        @Option(help: "Relative gradient-norm tolerance.") var tolerance: Double = 1e-4
        @Option(help: "Hash space bits (2^bits buckets).") var hashBits: Int = 20
        @Option(help: "Word n-gram lengths, e.g. 1-2 (0 disables).") var wordNgrams: String = "1-2"
        @Option(help: "Character n-gram lengths within words, e.g. 1-5 (0 disables).") var charNgrams: String = "1-5"
        @Option(help: "Weight of the word block relative to the character block.") var wordWeight: Float = 0.4
        @Option(help: "Minimum document frequency of a kept feature.") var minDf: Int = 2
        @Option(
            help: """
                Pretrained word vectors appended to the n-gram features: 'auto' (navec news vectors when \
                scripts/install-embeddings.sh has installed them, else none, said on stderr), 'none', or an \
                installed id such as navec_news_v1_1B_250K_300d_100q.
                """)
        var wordVectors: String = "auto"
        @Option(help: "Weight of the word-vector block.") var wordVectorWeight: Float = 0.5
        @Flag(help: "Character n-grams may span word boundaries (scikit-learn 'char' instead of 'char_wb').")
        var charAcrossWords = false
        @Flag(help: "Binary term frequency (1 per present n-gram).") var binaryTf = false
        @Flag(inversion: .prefixedNo, help: "Build word n-grams from lightly stemmed words (common Russian endings removed).")
        var wordStemming = true
        @Flag(help: "Hash word and character n-grams into one shared space (as models before format version 2 did).")
        var sharedHashSpace = false
        @Flag(help: "Do not multiply by IDF.") var noIdf = false
        @Flag(help: "Weight each row's loss per label by |2·score − 1| (needs --label-values scores).")
        var confidenceWeighting = false
        @Flag(help: "Fold Kazakh letters (ә ғ қ ң ө ұ ү һ і) to Russian ones.") var foldKazakh = false
        @Option(help: "Latin-script Kazakh transliteration: off, auto, always.") var latinKazakh: String = "auto"
        @Option(help: "Folds for out-of-fold calibration and thresholds (0 = none).") var folds: Int = 3
        @Option(help: "Threshold objective: fixed, label-f1, micro-f1.") var thresholds: String = "micro-f1"
        @Option(help: "Seed for the fold split.") var seed: UInt64 = 42
        @Option(help: "C of the second-stage stacker over all labels' out-of-fold logits (0 = no stacking).")
        var stackingC: Double = 0
        @Option(help: "Also train a per-label model with this NB alpha and the C of --blend-c, and average it in (e.g. 0 = plain LR).")
        var blendNbAlpha: Double?
        @Option(help: "C of the blended model (default: --c).") var blendC: Double?
        @Option(help: "Two-view ensemble: weight of a word-only model averaged with a char-only model (0 = one model on all features; needs --word-ngrams).")
        var wordView: Float = 0
        @Flag(inversion: .prefixedNo, help: "When no label passes its threshold, predict the most probable one if it reaches a fallback threshold tuned on the out-of-fold predictions.")
        var fallbackLabel = false

        public init() {}


        public func run() throws {
            let options = try makeOptions()
            let table: TextLabeledTable
            do {
                table = try TextLabeledTable.load(
                    path: data, textColumn: textColumn,
                    policy: labelValues == .binary ? .strictBinary : .scores(threshold: labelThreshold))
            } catch let e as CSVError {
                let hint = e.message.hasSuffix("is not 0 or 1") ? " (use --label-values scores for [0,1] scores)" : ""
                throw ValidationError(e.description + hint)
            }
            triageLog("read \(table.texts.count) rows, \(table.labelNames.count) labels from \(data)")
            let progress = TriageProgress()
            let model = try TextClassifier.train(
                texts: table.texts, targets: table.targets, labels: table.labelNames, options: options,
                textColumn: textColumn, dataSHA256: table.sha256, dataFile: data,
                wordVectorDirectories: wordVectorDirectories(), progress: { progress.log($0) })
            try model.save(to: out)
            triageLog(String(format: "trained in %.1f s; wrote %@", model.info.trainingSeconds, out))
        }

        func makeOptions() throws -> TextClassifierOptions {
            guard let mode = TextNormalizer.LatinKazakhMode(rawValue: latinKazakh) else {
                throw ValidationError("--latin-kazakh must be off, auto or always")
            }
            guard let objective = TextThresholdObjective(rawValue: thresholds) else {
                throw ValidationError("--thresholds must be fixed, label-f1 or micro-f1")
            }
            let w = try Self.range(wordNgrams, "--word-ngrams")
            let ch = try Self.range(charNgrams, "--char-ngrams")
            let vectors: String?
            switch wordVectors {
            case "none": vectors = nil
            case "auto":
                vectors = TextWordVectors.isInstalled(TextWordVectors.navecNews, searching: wordVectorDirectories())
                    ? TextWordVectors.navecNews : nil
                triageLog(vectors.map { "word vectors: \($0)" }
                    ?? "word vectors: none installed (run scripts/install-embeddings.sh for about +1 micro-F1 point)")
            default:
                guard TextWordVectors.isInstalled(wordVectors, searching: wordVectorDirectories()) else {
                    throw ValidationError("--word-vectors \(wordVectors) is not installed (scripts/install-embeddings.sh)")
                }
                vectors = wordVectors
            }
            let features = TextFeatureOptions(
                hashBits: hashBits, wordMinN: w.0, wordMaxN: w.1, charMinN: ch.0, charMaxN: ch.1,
                wordWeight: wordWeight, charWeight: 1, minDocumentFrequency: minDf,
                useIDF: !noIdf, charWithinWords: !charAcrossWords, binaryTF: binaryTf,
                separateHashSpaces: !sharedHashSpace, wordStemming: wordStemming, wordVectors: vectors,
                wordVectorWeight: wordVectorWeight)
            do { try features.validate() } catch { throw ValidationError("\(error)") }
            guard c > 0 else { throw ValidationError("--c must be positive") }
            return TextClassifierOptions(
                normalizer: TextNormalizer(foldKazakhLetters: foldKazakh, latinKazakh: mode),
                features: features,
                logistic: TextLogisticOptions(
                    c: c, maxIterations: maxIterations, tolerance: tolerance, balancedClassWeight: balanced,
                    naiveBayesAlpha: nbAlpha),
                calibrationFolds: folds, thresholdObjective: objective, labelThreshold: labelThreshold,
                softTargets: softTargets, seed: seed, stackingC: stackingC,
                blend: blendNbAlpha.map { alpha in
                    [TextLogisticOptions(
                        c: blendC ?? c, maxIterations: maxIterations, tolerance: tolerance,
                        balancedClassWeight: balanced, naiveBayesAlpha: alpha)]
                } ?? [],
                wordViewWeight: wordView, confidenceWeighting: confidenceWeighting, fallbackLabel: fallbackLabel)
        }

        static func range(_ s: String, _ name: String) throws -> (Int, Int) {
            if s == "0" { return (0, 0) }
            let parts = s.split(separator: "-").map { Int($0) }
            if parts.count == 1, let a = parts[0] { return (a, a) }
            guard parts.count == 2, let a = parts[0], let b = parts[1] else {
                throw ValidationError("\(name) must look like 1-5")
            }
            return (a, b)
        }
    }

    public struct Evaluate: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Score a model on a labelled CSV (labels binarised at the model's label threshold).")

        @Option(help: "Model written by 'triage train'.") var model: String
        @Option(help: "Labelled CSV with the model's label columns.") var data: String
        @Option(help: "Text column (default: the one the model was trained with).") var textColumn: String?
        @Flag(help: "Print one JSON object on standard output.") var json = false
        @Option(help: "Label values: 'binary' (0/1 only) or 'scores' ([0,1], binarised at the model's label threshold).")
        var labelValues: TriageLabelValues = .binary

        public init() {}

        public func run() throws {
            let start = Date()
            let classifier: TextClassifier
            do { classifier = try TextClassifier.load(from: model, wordVectorDirectories: wordVectorDirectories()) } catch { throw ValidationError("\(error)") }
            let column = textColumn ?? classifier.info.textColumn
            let table: TextLabeledTable
            do {
                table = try TextLabeledTable.load(
                    path: data, textColumn: column, labelColumns: classifier.labels,
                    policy: labelValues == .binary
                        ? .strictBinary : .scores(threshold: classifier.info.options.labelThreshold))
            } catch let e as CSVError {
                throw ValidationError(e.description)
            }
            triageLog("evaluating \(table.texts.count) rows from \(data)")
            let scores = classifier.evaluate(
                texts: table.texts, truth: table.binaryLabels(threshold: classifier.info.options.labelThreshold))
            triageLog(String(format: "evaluated in %.1f s", Date().timeIntervalSince(start)))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(scores), as: UTF8.self))
            } else {
                print(String(format: "n=%d micro-F1=%.4f macro-F1=%.4f", scores.n, scores.microF1, scores.macroF1))
                for name in scores.labelOrder {
                    let s = scores.labels[name]!
                    print(String(format: "  %-20@ f1=%.3f p=%.3f r=%.3f support=%d",
                                 name as NSString, s.f1, s.precision, s.recall, s.support))
                }
            }
        }
    }

    public struct Predict: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Predict labels for one text and explain them with the top n-grams.")

        @Option(help: "Model written by 'triage train'.") var model: String
        @Option(help: "The text to classify.") var text: String
        @Option(help: "How many n-grams and words to show per label.") var top: Int = 8
        @Option(help: "Explain these labels (comma-separated) instead of the predicted ones.") var labels: String?

        public init() {}

        public func run() throws {
            let classifier: TextClassifier
            do { classifier = try TextClassifier.load(from: model, wordVectorDirectories: wordVectorDirectories()) } catch { throw ValidationError("\(error)") }
            let only = labels.map { $0.split(separator: ",").map(String.init) }
            if let only, let unknown = only.first(where: { !classifier.labels.contains($0) }) {
                throw ValidationError("unknown label '\(unknown)'; the model has: \(classifier.labels.joined(separator: ", "))")
            }
            let explanations = classifier.explain(text, top: top, only: only)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(explanations), as: UTF8.self))
        }
    }
}

/// How label cells are read by `train` and `evaluate`.
enum TriageLabelValues: String, ExpressibleByArgument, Sendable { case binary, scores }
