import AqylKit
import AqylML
import ArgumentParser
import Foundation

/// `forest` command: train, evaluate and use random forest models on CSV files.
public struct ForestCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "forest",
        abstract: "Train, evaluate and apply random forest classifiers on CSV files.",
        discussion: """
            CSV files (RFC 4180, read strictly: a malformed file is an error naming its line and column) need a \
            header row. An empty cell is a missing value; columns with any non-numeric value are categorical. \
            Quoted fields may contain commas, quotes (doubled) and line breaks.
            """,
        subcommands: [Train.self, Evaluate.self, Predict.self])

    public init() {}
}

/// An error printed as one line naming what went wrong; exits non-zero.
struct ForestCLIError: Error, CustomStringConvertible {
    var description: String
}

private func standardError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Runs `body`, turning library errors into `ForestCLIError` with their descriptive text.
private func reportingErrors<T>(data: String? = nil, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as CSVError {
        throw ForestCLIError(description: "\(e)")
    } catch let e as DataError {
        throw ForestCLIError(description: (data.map { "\($0): " } ?? "") + "\(e)")
    } catch let e as ModelFileError {
        throw ForestCLIError(description: "\(e)")
    }
}

/// Reads a CSV file typed the way the model expects its features.
private func readForModel(_ model: ForestModel, path: String, target: String?, rejectAllMissing: Bool) throws -> (DataTable, [String]?) {
    let categorical = Set(model.features.filter { $0.kind.isCategorical }.map(\.name))
    let numeric = Set(model.features.filter { !$0.kind.isCategorical }.map(\.name))
    return try DataTable.readCSV(path: path, options: DataTable.LoadOptions(
        target: target, categorical: categorical, numeric: numeric, rejectAllMissingColumns: rejectAllMissing))
}

extension ForestCommand {
    public struct Train: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Train a random forest on a CSV file.")

        @Option(help: "Training CSV file.") var data: String
        @Option(help: "Name of the target column.") var target: String
        @Option(help: "Number of trees.") var trees: Int = 100
        @Option(help: "Random seed (the model depends only on seed and data).") var seed: UInt64 = 0
        @Option(name: .customLong("max-depth"), help: "Maximum tree depth (default: unlimited).") var maxDepth: Int?
        @Option(name: .customLong("min-leaf"), help: "Minimum training rows per leaf.") var minLeaf: Int = 1
        @Option(name: .customLong("class-weight"), help: "Class weights: none or balanced.") var classWeight: String = "none"
        @Option(help: "Split criterion: gini or entropy.") var criterion: String = "gini"
        @Option(name: .customLong("max-features"), help: "Features per split: sqrt, log2, all, or a number.") var maxFeatures: String = "sqrt"
        @Option(help: "Columns to ignore (repeatable), e.g. identifiers.") var drop: [String] = []
        @Flag(name: .customLong("no-bootstrap"), help: "Train every tree on all rows (no bootstrap sample).") var noBootstrap = false
        @Option(help: "Worker threads (default: all cores).") var threads: Int?
        @Option(name: .customLong("calibrate-on"), help: "Held-out CSV file to fit isotonic calibration on.") var calibrateOn: String?
        @Option(help: "Output model file.") var out: String

        public init() {}

        public func validate() throws {
            guard trees >= 1 else { throw ValidationError("--trees must be at least 1") }
            guard minLeaf >= 1 else { throw ValidationError("--min-leaf must be at least 1") }
            if let d = maxDepth, d < 1 { throw ValidationError("--max-depth must be at least 1") }
            guard ["none", "balanced"].contains(classWeight) else { throw ValidationError("--class-weight must be none or balanced") }
            guard Criterion(rawValue: criterion) != nil else { throw ValidationError("--criterion must be gini or entropy") }
            guard ["sqrt", "log2", "all"].contains(maxFeatures) || Int(maxFeatures) != nil else {
                throw ValidationError("--max-features must be sqrt, log2, all or a number")
            }
        }

        public func run() throws {
            try reportingErrors {
                let start = Date()
                let (table, labels) = try DataTable.readCSV(path: data, options: DataTable.LoadOptions(target: target, drop: Set(drop)))
                guard let labels else { throw ForestCLIError(description: "\(data): target column '\(target)' not found") }
                standardError("read \(table.rowCount) rows x \(table.columnCount) features from \(data)")
                var mf = MaxFeatures.sqrt
                switch maxFeatures {
                case "log2": mf = .log2
                case "all": mf = .all
                case "sqrt": mf = .sqrt
                default: mf = .count(Int(maxFeatures)!)
                }
                var clf = RandomForestClassifier(
                    treeCount: trees, maxFeatures: mf, maxDepth: maxDepth, minSamplesLeaf: minLeaf,
                    criterion: Criterion(rawValue: criterion)!, bootstrap: !noBootstrap, classWeight: classWeight == "balanced" ? .balanced : .none,
                    seed: seed, threads: threads ?? defaultThreadCount())
                let step = max(1, trees / 10)
                var model = try clf.fit(table, labels: labels) { done, total in
                    if done % step == 0 || done == total { standardError("trees built \(done)/\(total)") }
                }
                if let calibrateOn {
                    let (hold, holdLabels) = try readForModel(model, path: calibrateOn, target: target, rejectAllMissing: false)
                    model = try model.calibrated(on: hold, labels: holdLabels!)
                    standardError("fitted isotonic calibration on \(hold.rowCount) rows of \(calibrateOn)")
                }
                try model.save(to: out)
                let oob = model.metadata.oobScore.map { String(format: "%.4f", $0) } ?? "n/a"
                standardError(String(format: "trained %d trees (%d nodes) in %.2fs, OOB accuracy %@, classes %@; wrote %@",
                                     model.treeCount, model.nodeCount, Date().timeIntervalSince(start), oob,
                                     model.classes.joined(separator: ","), out))
            }
        }
    }

    public struct Evaluate: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Evaluate a model on a labelled CSV file.")

        @Option(help: "Model file.") var model: String
        @Option(help: "Labelled CSV file.") var data: String
        @Option(help: "Name of the target column.") var target: String
        @Flag(help: "Print one JSON object on stdout.") var json = false
        @Flag(help: "Use the model's calibrated probabilities (if it has a calibrator).") var calibrated = false

        public init() {}

        public func run() throws {
            try reportingErrors(data: data) {
                let m = try ForestModel.load(path: model)
                let (table, labels) = try readForModel(m, path: data, target: target, rejectAllMissing: false)
                let probs = calibrated ? try m.predictCalibratedProbabilities(table) : try m.predictProbabilities(table)
                let predicted = probs.argmax().map { m.classes[$0] }
                let report = ClassificationReport(truth: labels!, predicted: predicted, labels: m.classes)
                if json {
                    let enc = JSONEncoder()
                    enc.outputFormatting = [.sortedKeys]
                    print(String(decoding: try enc.encode(report), as: UTF8.self))
                } else {
                    print(String(format: "n %d  accuracy %.4f  macro-F1 %.4f", report.n, report.accuracy, report.macroF1))
                    for c in report.classes.keys.sorted() {
                        let r = report.classes[c]!
                        print(String(format: "  class %@: precision %.4f recall %.4f f1 %.4f support %d",
                                     c, r.precision, r.recall, r.f1, r.support))
                    }
                }
            }
        }
    }

    public struct Predict: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Predict classes for the rows of a CSV file.")

        @Option(help: "Model file.") var model: String
        @Option(help: "CSV file with the model's feature columns (others are ignored).") var data: String
        @Option(help: "Output CSV file.") var out: String
        @Option(name: .customLong("id-column"), help: "Column copied to the output to identify rows.") var idColumn: String?
        @Flag(help: "Add TreeSHAP contributions (per feature, for the predicted class) and the top reasons.") var explain = false
        @Flag(help: "Use the model's calibrated probabilities (if it has a calibrator).") var calibrated = false

        public init() {}

        public func run() throws {
            try reportingErrors(data: data) {
                let m = try ForestModel.load(path: model)
                let (table, _) = try readForModel(m, path: data, target: nil, rejectAllMissing: false)
                var ids: [String]? = nil
                if let idColumn {
                    guard let c = table.column(named: idColumn) else {
                        throw CSVError(file: data, line: 1, columnName: idColumn, reason: .missingColumn, message: "id column not found")
                    }
                    ids = c.values.map { v in
                        if v.isNaN { return "" }
                        if c.kind.isCategorical { return c.kind.levels[Int(v)] }
                        return v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(v)
                    }
                }
                let probs = calibrated ? try m.predictCalibratedProbabilities(table) : try m.predictProbabilities(table)
                let best = probs.argmax()
                var header: [String] = ids != nil ? [idColumn!] : ["row"]
                header.append("prediction")
                header += m.classes.map { "p_\($0)" }
                let matrix = explain ? try m.rowMatrix(table) : []
                if explain {
                    header.append("expected_value")
                    header += m.featureNames.map { "contrib_\($0)" }
                    header += ["reason_1", "reason_2", "reason_3"]
                }
                var lines = [header.map(CSVWriter.escape).joined(separator: ",")]
                let F = m.features.count
                for r in 0..<table.rowCount {
                    var fields: [String] = [ids?[r] ?? String(r + 1), m.classes[best[r]]]
                    fields += (0..<m.classCount).map { String(format: "%.6f", probs[r, $0]) }
                    if explain {
                        let e = m.explain(row: Array(matrix[(r * F)..<((r + 1) * F)]))
                        let c = best[r]
                        fields.append(String(format: "%.6f", e.expectedValue[c]))
                        fields += (0..<F).map { String(format: "%.6f", e.contributions[$0][c]) }
                        let top = e.topReasons(forClass: c, count: 3)
                        for i in 0..<3 {
                            fields.append(i < top.count ? String(format: "%@ (%+.4f)", top[i].feature, top[i].contribution) : "")
                        }
                    }
                    lines.append(fields.map(CSVWriter.escape).joined(separator: ","))
                }
                try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
                standardError("wrote \(table.rowCount) predictions to \(out)")
            }
        }
    }
}
