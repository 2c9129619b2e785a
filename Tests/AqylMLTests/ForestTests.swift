import AqylKit
import Foundation
import Testing
@testable import AqylML

/// Small synthetic problem: label depends on x0 > 0.5 and x1 > 0.3, plus noise features.
func synthetic(n: Int, seed: UInt64, classes: Int = 2) -> (DataTable, [String]) {
    var rng = SeededGenerator(seed: seed)
    var cols = [[Float]](repeating: [], count: 4)
    var labels: [String] = []
    for _ in 0..<n {
        let x = (0..<4).map { _ in Float(rng.next() >> 40) / Float(1 << 24) }
        for j in 0..<4 { cols[j].append(x[j]) }
        if classes == 2 {
            labels.append(x[0] > 0.5 && x[1] > 0.3 ? "yes" : "no")
        } else {
            labels.append(x[0] < 0.33 ? "a" : (x[0] < 0.66 ? "b" : "c"))
        }
    }
    let table = try! DataTable(columns: (0..<4).map { Column(name: "x\($0)", values: cols[$0]) })
    return (table, labels)
}

@Suite struct SplitTests {
    @Test func oneDimensionalBestGiniThreshold() throws {
        // Values 1..10, labels 0 for x <= 4, 1 above: the single best Gini split is between 4 and 5.
        let xs: [Float] = (1...10).map(Float.init)
        let table = try DataTable(columns: [Column(name: "x", values: xs)])
        let labels = xs.map { $0 <= 4 ? "0" : "1" }
        var clf = RandomForestClassifier(treeCount: 1, maxDepth: 1, bootstrap: false, oobScore: false, seed: 1, threads: 1)
        let m = try clf.fit(table, labels: labels)
        #expect(m.nodeCount == 3)
        #expect(m.feature[0] == 0)
        #expect(m.threshold[0] == 4.5)
        #expect(m.value[Int(m.left[0]) * 2 + 0] == 1)  // left child is pure class "0"
        #expect(try clf.predict(table) == labels)
    }

    @Test func giniPrefersTheCleanerOfTwoThresholds() throws {
        // labels: 0 0 0 1 | 1 1 0 1 ; threshold after 3 gives left pure (3 zeros) -> best Gini.
        let xs: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        let ys = ["0", "0", "0", "1", "1", "1", "0", "1"]
        let table = try DataTable(columns: [Column(name: "x", values: xs)])
        var clf = RandomForestClassifier(treeCount: 1, maxDepth: 1, bootstrap: false, oobScore: false, threads: 1)
        let m = try clf.fit(table, labels: ys)
        // Candidates: t=3.5 -> weighted gini 0 + 5*(1-(.2^2+.8^2))=1.6 ; t=6.5 -> 6*(1-(1/4+1/4))=3 + 2*0.5=1 -> 4
        #expect(m.threshold[0] == 3.5)
    }

    @Test func entropyCriterionAlsoFindsTheSplit() throws {
        let xs: [Float] = (1...10).map(Float.init)
        let table = try DataTable(columns: [Column(name: "x", values: xs)])
        let labels = xs.map { $0 <= 6 ? "a" : "b" }
        var clf = RandomForestClassifier(treeCount: 1, maxDepth: 1, criterion: .entropy, bootstrap: false, oobScore: false, threads: 1)
        let m = try clf.fit(table, labels: labels)
        #expect(m.threshold[0] == 6.5)
    }

    @Test func minSamplesLeafIsRespected() throws {
        let xs: [Float] = (1...10).map(Float.init)
        let table = try DataTable(columns: [Column(name: "x", values: xs)])
        let labels = xs.map { $0 <= 1 ? "0" : "1" }
        var clf = RandomForestClassifier(treeCount: 1, maxDepth: 1, minSamplesLeaf: 3, bootstrap: false, oobScore: false, threads: 1)
        let m = try clf.fit(table, labels: labels)
        #expect(m.threshold[0] >= 3 && m.threshold[0] <= 7)
    }

    @Test func missingValuesFollowTheLearnedDirection() throws {
        // Missing x goes with the high class: rows with NaN are labelled "1", so the split must send NaN right.
        var xs: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        var ys = ["0", "0", "0", "0", "1", "1", "1", "1"]
        xs += [.nan, .nan, .nan]; ys += ["1", "1", "1"]
        let table = try DataTable(columns: [Column(name: "x", values: xs)])
        var clf = RandomForestClassifier(treeCount: 1, maxDepth: 1, bootstrap: false, oobScore: false, threads: 1)
        let m = try clf.fit(table, labels: ys)
        #expect(m.threshold[0] == 4.5)
        #expect(m.missingLeft[0] == 0)
        #expect(m.predictProbabilities(row: [.nan])[1] == 1)
        // and the mirror image: NaN rows labelled "0" go left
        let ys2 = Array(ys[0..<8]) + ["0", "0", "0"]
        var clf2 = RandomForestClassifier(treeCount: 1, maxDepth: 1, bootstrap: false, oobScore: false, threads: 1)
        let m2 = try clf2.fit(table, labels: ys2)
        #expect(m2.missingLeft[0] == 1)
        #expect(m2.predictProbabilities(row: [.nan])[0] == 1)
    }

    @Test func categoricalFeatureSplitGroupsCategoriesByClassRate() throws {
        // Categories "red" and "blue" are class 1, "green" and "white" class 0: no ordering of the codes
        // separates them with one threshold, a category-set split does.
        let cats = ["red", "green", "blue", "white", "red", "green", "blue", "white", "red", "blue"]
        let ys = cats.map { $0 == "red" || $0 == "blue" ? "1" : "0" }
        let col = Column(name: "colour", categories: cats)
        #expect(col.kind.levels == ["blue", "green", "red", "white"])
        let table = try DataTable(columns: [col])
        var clf = RandomForestClassifier(treeCount: 1, maxDepth: 1, bootstrap: false, oobScore: false, threads: 1)
        let m = try clf.fit(table, labels: ys)
        #expect(m.catIndex[0] >= 0)
        #expect(try clf.predict(table) == ys)
        // A new table with a different level order maps categories by their strings.
        let other = try DataTable(columns: [Column(name: "colour", categories: ["white", "red", "pink", nil])])
        let p = try m.predictProbabilities(other)
        #expect(p[0, 1] == 0 && p[1, 1] == 1)
        // unseen "pink" and missing follow the missing direction: both get the same prediction
        #expect(p.row(2) == p.row(3))
    }
}

@Suite struct ForestTests {
    @Test func learnsSyntheticProblemWithGoodOOB() throws {
        let (table, labels) = synthetic(n: 2000, seed: 7)
        var clf = RandomForestClassifier(treeCount: 30, seed: 3)
        let m = try clf.fit(table, labels: labels)
        let (test, testLabels) = synthetic(n: 500, seed: 8)
        let report = ClassificationReport(truth: testLabels, predicted: try clf.predict(test))
        #expect(report.accuracy > 0.95)
        #expect((m.metadata.oobScore ?? 0) > 0.93)
        // impurity importance: the two informative features dominate
        let imp = m.metadata.featureImportances
        #expect(abs(imp.reduce(0, +) - 1) < 1e-9)
        #expect(imp[0] > imp[2] && imp[0] > imp[3] && imp[1] > imp[2] && imp[1] > imp[3])
        let perm = try m.permutationImportance(test, labels: testLabels, repeats: 2, seed: 1)
        #expect(perm[0] > 0.1 && abs(perm[3]) < 0.02)
    }

    @Test func multiClass() throws {
        let (table, labels) = synthetic(n: 1500, seed: 11, classes: 3)
        var clf = RandomForestClassifier(treeCount: 20, seed: 5)
        let m = try clf.fit(table, labels: labels)
        #expect(m.classes == ["a", "b", "c"])
        let p = try clf.predictProbabilities(table)
        for r in 0..<10 { #expect(abs(p.row(r).reduce(0, +) - 1) < 1e-5) }
        let (test, testLabels) = synthetic(n: 300, seed: 12, classes: 3)
        #expect(ClassificationReport(truth: testLabels, predicted: try clf.predict(test)).accuracy > 0.95)
    }

    @Test func deterministicForASeedWhateverTheThreadCount() throws {
        let (table, labels) = synthetic(n: 1000, seed: 21)
        var a = RandomForestClassifier(treeCount: 12, seed: 42, threads: 1)
        var b = RandomForestClassifier(treeCount: 12, seed: 42, threads: 2)
        var b2 = RandomForestClassifier(treeCount: 12, seed: 42, threads: 4)
        var c = RandomForestClassifier(treeCount: 12, seed: 43, threads: 2)
        try a.fit(table, labels: labels); try b.fit(table, labels: labels)
        try b2.fit(table, labels: labels); try c.fit(table, labels: labels)
        let pa = try a.predictProbabilities(table), pb = try b.predictProbabilities(table)
        #expect(pa == pb)
        #expect(pa == (try b2.predictProbabilities(table)))
        #expect(a.model!.metadata == b.model!.metadata)
        #expect(pa != (try c.predictProbabilities(table)))
    }

    @Test func explanationContributionsSumToPrediction() throws {
        var (table, labels) = synthetic(n: 800, seed: 31, classes: 3)
        // add a categorical column and some missing values
        var cols = table.columns
        cols.append(Column(name: "cat", categories: (0..<800).map { ["p", "q", "r", nil][$0 % 4] }))
        cols[1].values[3] = .nan
        table = try DataTable(columns: cols)
        labels[5] = "c"
        var clf = RandomForestClassifier(treeCount: 10, minSamplesLeaf: 2, seed: 9)
        let m = try clf.fit(table, labels: labels)
        let explanations = try m.explain(table.selecting(rows: Array(0..<25)))
        let probs = try m.predictProbabilities(table.selecting(rows: Array(0..<25)))
        for (r, e) in explanations.enumerated() {
            for k in 0..<3 {
                let total = e.expectedValue[k] + e.contributions.reduce(0) { $0 + $1[k] }
                #expect(abs(total - probs[r, k]) < 1e-5)
                #expect(abs(e.probabilities[k] - probs[r, k]) < 1e-9)
            }
        }
        // the informative feature carries the largest contribution
        #expect(explanations[0].topReasons(forClass: 0, count: 1)[0].feature == "x0")
    }

    @Test func treeShapMatchesExactShapleyValuesOnASmallTree() throws {
        // For a single depth-2 tree, compare with brute-force Shapley values of E[f(x) | x_S] (cover-weighted).
        let (table, labels) = synthetic(n: 300, seed: 41)
        var clf = RandomForestClassifier(treeCount: 1, maxFeatures: .all, maxDepth: 2, bootstrap: false, oobScore: false, threads: 1)
        let m = try clf.fit(table, labels: labels)
        let x: [Float] = [0.7, 0.4, 0.2, 0.9]
        func condExp(_ node: Int, _ s: Set<Int>) -> Double {
            if m.feature[node] < 0 { return Double(m.value[node * 2 + 1]) }
            let f = Int(m.feature[node]), l = Int(m.left[node])
            if s.contains(f) { return condExp(x[f] <= m.threshold[node] ? l : l + 1, s) }
            let w = Double(m.cover[node])
            return (Double(m.cover[l]) * condExp(l, s) + Double(m.cover[l + 1]) * condExp(l + 1, s)) / w
        }
        let F = 4
        func fact(_ n: Int) -> Double { n <= 1 ? 1 : Double(n) * fact(n - 1) }
        let e = m.explain(row: x)
        for i in 0..<F {
            var phi = 0.0
            for mask in 0..<(1 << F) where mask & (1 << i) == 0 {
                let s = Set((0..<F).filter { mask & (1 << $0) != 0 })
                let weight = fact(s.count) * fact(F - s.count - 1) / fact(F)
                phi += weight * (condExp(0, s.union([i])) - condExp(0, s))
            }
            #expect(abs(phi - e.contributions[i][1]) < 1e-6)
        }
    }

    @Test func balancedClassWeightsRaiseMinorityRecall() throws {
        // 5% minority whose signal overlaps the majority: balanced weights must raise its recall.
        var rng = SeededGenerator(seed: 5)
        var xs: [Float] = [], ys: [String] = []
        for i in 0..<2000 {
            let minority = i % 20 == 0
            let noise = Float(rng.next() >> 40) / Float(1 << 24)
            xs.append((minority ? 0.6 : 0.0) + noise)
            ys.append(minority ? "1" : "0")
        }
        let table = try DataTable(columns: [Column(name: "x", values: xs)])
        var plain = RandomForestClassifier(treeCount: 20, minSamplesLeaf: 20, seed: 1)
        var balanced = RandomForestClassifier(treeCount: 20, minSamplesLeaf: 20, classWeight: .balanced, seed: 1)
        try plain.fit(table, labels: ys); try balanced.fit(table, labels: ys)
        let rPlain = ClassificationReport(truth: ys, predicted: try plain.predict(table)).classes["1"]!.recall
        let rBal = ClassificationReport(truth: ys, predicted: try balanced.predict(table)).classes["1"]!.recall
        #expect(balanced.model!.parameters.resolvedClassWeights[1] == 10)
        #expect(rBal > rPlain + 0.1)
    }

    @Test func calibrationIsMonotoneAndNormalised() throws {
        let (table, labels) = synthetic(n: 1000, seed: 51)
        let (hold, holdLabels) = synthetic(n: 400, seed: 52)
        var clf = RandomForestClassifier(treeCount: 10, seed: 2)
        let m = try clf.fit(table, labels: labels).calibrated(on: hold, labels: holdLabels)
        let raw = try m.predictProbabilities(hold)
        let cal = try m.predictCalibratedProbabilities(hold)
        let pairs = (0..<hold.rowCount).map { (raw[$0, 1], cal[$0, 1]) }.sorted { $0.0 < $1.0 }
        for i in 1..<pairs.count { #expect(pairs[i].1 >= pairs[i - 1].1 - 1e-12) }
        for r in 0..<hold.rowCount { #expect(abs(cal[r, 0] + cal[r, 1] - 1) < 1e-9) }
    }
}

@Suite struct ModelFileTests {
    @Test func saveLoadRoundTripGivesIdenticalPredictions() throws {
        var (table, labels) = synthetic(n: 600, seed: 61)
        var cols = table.columns
        cols.append(Column(name: "kind", categories: (0..<600).map { ["u", "v, w", "x"][$0 % 3] }))
        cols[2].values[7] = .nan
        table = try DataTable(columns: cols)
        labels[0] = "yes"
        var clf = RandomForestClassifier(treeCount: 8, seed: 4)
        let m = try clf.fit(table, labels: labels).calibrated(on: table, labels: labels)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-\(UUID().uuidString).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try m.save(to: path)
        let loaded = try ForestModel.load(path: path)
        #expect(try loaded.predictProbabilities(table) == (try m.predictProbabilities(table)))
        #expect(try loaded.predictCalibratedProbabilities(table) == (try m.predictCalibratedProbabilities(table)))
        #expect(loaded.features == m.features)
        #expect(loaded.classes == m.classes)
        #expect(loaded.metadata == m.metadata)
        #expect(loaded.parameters == m.parameters)
        #expect(loaded.metadata.trainingDataDigest.count == 64)
        // header is readable JSON naming the format version
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(String(decoding: data[0..<4], as: UTF8.self) == "AQRF")
        #expect(String(decoding: data, as: UTF8.self).contains("\"formatVersion\":1"))
    }

    @Test func refusesATableMissingAFeature() throws {
        let (table, labels) = synthetic(n: 200, seed: 71)
        var clf = RandomForestClassifier(treeCount: 3, seed: 1)
        let m = try clf.fit(table, labels: labels)
        let lacking = table.removing(columns: ["x2"])
        #expect(throws: DataError.missingFeature("x2")) { try m.predictProbabilities(lacking) }
        do { _ = try m.predict(lacking) } catch { #expect("\(error)".contains("x2")) }
    }

    @Test func rejectsGarbageAndWrongVersion() throws {
        #expect(throws: ModelFileError.notAModel("<data>")) { try ForestModel(serialized: Data("hello world!".utf8)) }
        let (table, labels) = synthetic(n: 100, seed: 72)
        var clf = RandomForestClassifier(treeCount: 2, seed: 1)
        var bytes = [UInt8](try clf.fit(table, labels: labels).serialized())
        bytes[4] = 99
        #expect(throws: ModelFileError.unsupportedVersion(99)) { try ForestModel(serialized: Data(bytes)) }
    }
}

@Suite struct CSVTests {
    @Test func parsesQuotesMissingAndCategoricals() throws {
        let text = "a,b,name,target\n1,2.5,\"Smith, J\",x\n,3,\"say \"\"hi\"\"\",y\n4, ,plain,x\n"
        let (t, y) = try DataTable.parseCSV(text: text, options: DataTable.LoadOptions(target: "target"))
        #expect(y == ["x", "y", "x"])
        #expect(t.featureNames == ["a", "b", "name"])
        #expect(t.column(named: "a")!.values[1].isNaN)
        #expect(t.column(named: "b")!.values[0] == 2.5)
        #expect(t.column(named: "b")!.values[2].isNaN)  // a blank between the commas is missing
        #expect(t.column(named: "name")!.kind.levels.sorted() == ["Smith, J", "plain", "say \"hi\""])
    }

    @Test func raggedRowNamesFileLineAndColumn() {
        let text = "a,b,c\n1,2,3\n4,5\n"
        do {
            _ = try DataTable.parseCSV(text: text, file: "bad.csv")
            Issue.record("expected an error")
        } catch let e as CSVError {
            #expect(e.file == "bad.csv" && e.line == 3 && e.column == 3 && e.columnName == "c")
            #expect(e.description == "bad.csv, line 3, column 3 (c): has 2 fields but the header has 3")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func malformedCSVIsAnErrorNamingLineAndColumn() {
        // The strict reader: a stray quote is an error (the old reader kept it), as in every other command.
        do {
            _ = try DataTable.parseCSV(text: "a,b\n1,2\n3,4\"\n", file: "q.csv")
            Issue.record("expected an error")
        } catch let e as CSVError {
            #expect(e.reason == .strayQuote && e.line == 3 && e.column == 2 && e.columnName == "b")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func unknownTargetAndAllMissingColumnAreErrors() {
        #expect(throws: CSVError.self) {
            try DataTable.parseCSV(text: "a,b\n1,2\n", file: "t.csv", options: DataTable.LoadOptions(target: "zzz"))
        }
        do {
            _ = try DataTable.parseCSV(text: "a,b\n1,\n2,\n", file: "m.csv")
            Issue.record("expected an error")
        } catch let e as CSVError {
            #expect(e.columnName == "b" && e.column == 2 && e.file == "m.csv")
        } catch { Issue.record("unexpected \(error)") }
        do {
            _ = try DataTable.parseCSV(text: "a,b\n1,2\n3,x\n", file: "n.csv", options: DataTable.LoadOptions(numeric: ["b"]))
            Issue.record("expected an error")
        } catch let e as CSVError {
            #expect(e.columnName == "b" && e.line == 3 && e.message.contains("'x'"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func readsAFileLikeItsText() throws {
        let text = "x,y,label\n0.5,a,p\n-1e3,\"b, c\",q\n2,,p\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("forest-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try DataTable.readCSV(path: path, options: DataTable.LoadOptions(target: "label"))
        let b = try DataTable.parseCSV(text: text, options: DataTable.LoadOptions(target: "label"))
        // (Column equality would fail on the NaN of the missing value: compare bit patterns.)
        #expect(a.table.columns.map(\.kind) == b.table.columns.map(\.kind) && a.target == b.target)
        #expect(a.table.columns.map { $0.values.map(\.bitPattern) } == b.table.columns.map { $0.values.map(\.bitPattern) })
        #expect(a.table.column(named: "y")!.values[2].isNaN)
        #expect(a.table.column(named: "x")!.values == [0.5, -1000, 2])
    }

    @Test func metricsReport() {
        let r = ClassificationReport(truth: ["a", "a", "b", "b"], predicted: ["a", "b", "b", "b"])
        #expect(r.accuracy == 0.75)
        #expect(r.classes["a"]!.precision == 1 && r.classes["a"]!.recall == 0.5)
        #expect(abs(r.macroF1 - (2.0 / 3.0 + 0.8) / 2) < 1e-12)
    }
}

@Suite struct PredictionPathTests {
    @Test func batchBinnedPathMatchesSingleRowRawPath() throws {
        // Values on bin edges, infinities and NaN must route identically in the batch (bin-code) path and
        // the single-row (raw float) path.
        var (table, labels) = synthetic(n: 1500, seed: 81)
        var cols = table.columns
        for r in stride(from: 0, to: 1500, by: 7) { cols[0].values[r] = .nan }
        table = try DataTable(columns: cols)
        labels[1] = "yes"
        var clf = RandomForestClassifier(treeCount: 15, maxBins: 16, seed: 6)
        let m = try clf.fit(table, labels: labels)
        #expect(!m.binNodes.isEmpty)
        var rows: [[Float]] = []
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<300 {
            rows.append((0..<4).map { f in
                let e = m.features[f].edges
                switch rng.below(5) {
                case 0: return e[rng.below(e.count)]  // exactly on an edge
                case 1: return .nan
                case 2: return rng.below(2) == 0 ? .infinity : -.infinity
                default: return Float(rng.next() >> 40) / Float(1 << 24)
                }
            })
        }
        let batch = m.predictProbabilities(matrix: rows.flatMap { $0 }, threads: 2)
        for (r, row) in rows.enumerated() {
            #expect(batch.row(r) == m.predictProbabilities(row: row))
        }
    }
}

@Suite("Macro-F1 bootstrap interval")
struct MacroF1IntervalTests {
    @Test func containsTheEstimateAndNarrowsWithMoreRows() throws {
        // 80% of rows right, both classes present: the interval holds the point estimate and shrinks with 8× the rows.
        func rows(_ n: Int) -> ([String], [String]) {
            let truth = (0..<n).map { $0 % 3 == 0 ? "1" : "0" }
            let pred = truth.enumerated().map { i, t in i % 5 == 0 ? (t == "1" ? "0" : "1") : t }
            return (truth, pred)
        }
        let (t1, p1) = rows(200), (t2, p2) = rows(1600)
        let f1 = ClassificationReport(truth: t1, predicted: p1).macroF1
        let small = try #require(ClassificationReport.macroF1Interval(truth: t1, predicted: p1))
        let large = try #require(ClassificationReport.macroF1Interval(truth: t2, predicted: p2))
        #expect(small.contains(f1))
        #expect(small.lowerBound < f1 - 0.01 && small.upperBound > f1 + 0.01)
        #expect(large.upperBound - large.lowerBound < (small.upperBound - small.lowerBound) / 2)
        // Seeded: the same call gives the same interval; another seed gives a (slightly) different one.
        #expect(ClassificationReport.macroF1Interval(truth: t1, predicted: p1) == small)
        #expect(ClassificationReport.macroF1Interval(truth: t1, predicted: p1, seed: 2) != small)
    }

    @Test func perfectPredictionsAndEdgeCases() {
        let truth = ["0", "1", "0", "1", "1", "0"]
        #expect(ClassificationReport.macroF1Interval(truth: truth, predicted: truth) == 1...1)
        #expect(ClassificationReport.macroF1Interval(truth: ["1"], predicted: ["1"]) == nil)
        #expect(ClassificationReport.macroF1Interval(truth: truth, predicted: ["0"]) == nil)
    }
}
