import AqylML
import Foundation

// Usage: ForestBenchmark --train T.csv --test S.csv --target y [--trees 100] [--min-leaf 1]
//        [--class-weight balanced] [--seed 0] [--threads 2] [--single 1000]
// Prints one JSON object with fit seconds, batch predict rows/s, single-row median microseconds,
// accuracy and macro-F1 on the test file.
var args: [String: String] = [:]
var it = CommandLine.arguments.dropFirst().makeIterator()
while let a = it.next() {
    if a.hasPrefix("--"), let v = it.next() { args[String(a.dropFirst(2))] = v }
}
@MainActor func arg(_ k: String, _ d: String) -> String { args[k] ?? d }
let target = arg("target", "y")
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

do {
    var t0 = now()
    let (train, yTrain) = try DataTable.readCSV(path: arg("train", "train.csv"), options: DataTable.LoadOptions(target: target))
    let (test, yTest) = try DataTable.readCSV(path: arg("test", "test.csv"), options: DataTable.LoadOptions(target: target, rejectAllMissingColumns: false))
    let loadSeconds = now() - t0
    var clf = RandomForestClassifier(
        treeCount: Int(arg("trees", "100"))!, minSamplesLeaf: Int(arg("min-leaf", "1"))!,
        classWeight: arg("class-weight", "none") == "balanced" ? .balanced : .none,
        oobScore: arg("oob", "0") == "1", seed: UInt64(arg("seed", "0"))!, threads: Int(arg("threads", "2"))!)
    t0 = now()
    let model: ForestModel
    if let path = args["load"] {
        model = try ForestModel.load(path: path)
    } else {
        model = try clf.fit(train, labels: yTrain!)
    }
    let fitSeconds = now() - t0
    if let path = args["save"] { try model.save(to: path) }

    // Batch prediction: best of 3 calls on the whole test set (including the conversion from the table).
    var predictSeconds = Double.infinity
    var probs = ProbabilityMatrix(rowCount: 0, classCount: 0, values: [])
    for _ in 0..<3 {
        t0 = now()
        probs = model.predictProbabilities(matrix: try model.rowMatrix(test), threads: clf.threads)
        predictSeconds = min(predictSeconds, now() - t0)
    }
    // The same on one thread (per-core comparison, less sensitive to other load on the machine).
    var predictSeconds1 = Double.infinity
    for _ in 0..<3 {
        t0 = now()
        _ = model.predictProbabilities(matrix: try model.rowMatrix(test), threads: 1)
        predictSeconds1 = min(predictSeconds1, now() - t0)
    }
    let matrix = try model.rowMatrix(test)
    let predicted = probs.argmax().map { model.classes[$0] }
    let report = ClassificationReport(truth: yTest!, predicted: predicted, labels: model.classes)

    // single-row latency
    let F = model.features.count
    let singles = min(Int(arg("single", "1000"))!, test.rowCount)
    var times: [Double] = []
    var out = [Double](repeating: 0, count: model.classCount)
    var sink = 0.0
    for r in 0..<singles {
        let row = Array(matrix[(r * F)..<((r + 1) * F)])
        let s = now()
        row.withUnsafeBufferPointer { rb in out.withUnsafeMutableBufferPointer { model.predictProbabilities(row: rb, into: $0) } }
        times.append(now() - s)
        sink += out[0]
    }
    times.sort()
    let median = times.isEmpty ? 0 : times[times.count / 2] * 1e6
    let size = try model.serialized().count
    let result: [String: Any] = [
        "impl": "aqyl", "load_s": loadSeconds, "fit_s": fitSeconds, "predict_rows_per_s": Double(test.rowCount) / predictSeconds,
        "predict_rows_per_s_1thread": Double(test.rowCount) / predictSeconds1,
        "single_row_us": median, "accuracy": report.accuracy, "macro_f1": report.macroF1, "n_test": test.rowCount,
        "nodes": model.nodeCount, "model_bytes": size, "oob": model.metadata.oobScore ?? -1, "sink": sink,
    ]
    let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
