import Foundation
import Testing
@testable import AqylML

@Suite struct TextModelTests {
    @Test func vectorsAreSparseNormalisedAndDeterministic() throws {
        let texts = ["кошка ест рыбу", "собака ест мясо", "кошка спит", "собака спит"]
        let o = TextFeatureOptions(hashBits: 18, wordMaxN: 2, minDocumentFrequency: 1)
        let (v, m) = try TextVectorizer.fit(texts: texts, options: o)
        #expect(m.rowCount == 4)
        for r in 0..<m.rowCount {
            let row = m.row(r)
            let norm = row.values.reduce(0) { $0 + $1 * $1 }
            #expect(abs(norm - 1) < 1e-4)
            #expect(zip(row.indices, row.indices.dropFirst()).allSatisfy { $0 < $1 })
        }
        #expect(v.transform("кошка ест рыбу") == m.row(0))
        let (v2, _) = try TextVectorizer.fit(texts: texts, options: o)
        #expect(v2.activeBuckets == v.activeBuckets)
        let names = Set(v.featureNames(in: "кошка ест").values)
        #expect(names.contains("w:кошка ест"))
        #expect(names.contains("c: кош"))
    }

    @Test func minDocumentFrequencyDropsRareFeatures() throws {
        let texts = ["аа бб", "аа вв"]
        let (v1, _) = try TextVectorizer.fit(texts: texts, options: TextFeatureOptions(minDocumentFrequency: 1))
        let (v2, _) = try TextVectorizer.fit(texts: texts, options: TextFeatureOptions(minDocumentFrequency: 2))
        #expect(v2.featureCount < v1.featureCount)
        #expect(Set(v2.featureNames(in: "аа бб вв").values).allSatisfy { !$0.contains("б") && !$0.contains("в") })
    }

    @Test func rejectsBadOptions() {
        #expect(throws: TextError.self) { try TextFeatureOptions(hashBits: 40).validate() }
        #expect(throws: TextError.self) { try TextFeatureOptions(wordMaxN: 0, charMaxN: 0).validate() }
    }

    @Test func logisticRegressionSeparatesSimpleData() throws {
        var m = TextSparseMatrix(columnCount: 2)
        var t: [Float] = []
        for i in 0..<40 {
            let pos = i % 2 == 0
            m.append(TextSparseVector(indices: [pos ? 0 : 1], values: [1]))
            t.append(pos ? 1 : 0)
        }
        let model = TextLogisticRegression.fit(m, targets: t, options: TextLogisticOptions(c: 10))
        #expect(model.weights[0] > 1)
        #expect(model.weights[1] < -1)
        // Matches the closed form: bias 0 by symmetry.
        #expect(abs(model.bias) < 1e-2)
    }

    @Test func plattAndThresholds() {
        let scores: [Float] = [-3, -2, -1, 0, 1, 2, 3, 4]
        let labels = [false, false, false, true, false, true, true, true]
        let p = TextPlattScaling.fit(scores: scores, labels: labels)
        #expect(p.a > 0)
        #expect(p.probability(4) > p.probability(-3))
        let probs: [Float] = [0.9, 0.8, 0.3, 0.2, 0.1]
        let t = TextThresholds.bestF1(probs: probs, labels: [true, true, true, false, false])
        #expect(t > 0.2 && t <= 0.3)
        let micro = TextThresholds.bestMicroF1(
            probs: [probs, probs], labels: [[true, true, true, false, false], [true, false, false, false, false]],
            initial: [0.5, 0.5])
        #expect(micro.count == 2)
    }

    @Test func scoresFollowScikitLearnConventions() {
        let s = TextMultiLabelScores(
            labelNames: ["a", "b"], truth: [[true, false], [true, true], [false, false]],
            predicted: [[true, true], [false, true], [false, false]])
        #expect(s.labels["a"]!.f1 == 2.0 / 3.0)
        #expect(s.labels["b"]!.precision == 0.5)
        #expect(abs(s.microF1 - 4.0 / 6.0) < 1e-12)
        #expect(abs(s.macroF1 - (2.0 / 3.0 + 2.0 / 3.0) / 2) < 1e-12)
    }

    static func toyData() -> ([String], [[Float]]) {
        let drug = ["купить наркотики закладка", "продам мефедрон закладки", "наркотики дешево", "закладка соль"]
        let weapon = ["продам пистолет патроны", "оружие и патроны", "купить автомат калашникова", "пистолет травмат"]
        let other = ["хорошая погода сегодня", "кошка спит на диване", "люблю читать книги", "вкусный обед дома"]
        var texts: [String] = []
        var targets: [[Float]] = []
        for k in 0..<3 {
            for t in drug { texts.append(t + " \(k)"); targets.append([1, 0]) }
            for t in weapon { texts.append(t + " \(k)"); targets.append([0, 1]) }
            for t in other { texts.append(t + " \(k)"); targets.append([0, 0]) }
        }
        return (texts, targets)
    }

    @Test func trainsPredictsExplainsAndRoundTrips() throws {
        let (texts, targets) = Self.toyData()
        let options = TextClassifierOptions(
            features: TextFeatureOptions(hashBits: 16, wordMaxN: 2, minDocumentFrequency: 1), calibrationFolds: 3)
        let model = try TextClassifier.train(
            texts: texts, targets: targets, labels: ["drugs", "weapons"], options: options, dataSHA256: "abc")
        #expect(model.predict("закладка наркотики") == ["drugs"])
        #expect(model.predict("продам пистолет") == ["weapons"])
        let why = model.explain("закладка наркотики", top: 3)
        #expect(why.first?.label == "drugs")
        #expect(why.first?.terms.count == 3)
        #expect(why.first?.terms.contains { $0.ngram.contains("закладк") || $0.ngram.contains("наркот") } == true)
        let words = why.first?.words.map(\.ngram) ?? []
        #expect(Set(words).isSubset(of: ["закладка", "наркотики"]))
        #expect(why.first?.words.isEmpty == false)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-text-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try TextClassifier.load(from: path)
        #expect(loaded.labels == model.labels)
        #expect(loaded.thresholds == model.thresholds)
        #expect(loaded.info.dataSHA256 == "abc")
        #expect(loaded.probabilities("продам пистолет") == model.probabilities("продам пистолет"))

        // Same seed → same model bytes.
        let again = try TextClassifier.train(
            texts: texts, targets: targets, labels: ["drugs", "weapons"], options: options, dataSHA256: "abc")
        #expect(again.models.map(\.weights) == model.models.map(\.weights))
        #expect(again.thresholds == model.thresholds)
    }

    @Test func optionalStagesTrainAndRoundTrip() throws {
        let (texts, targets) = Self.toyData()
        let options = TextClassifierOptions(
            features: TextFeatureOptions(hashBits: 16, wordMaxN: 2, minDocumentFrequency: 1), calibrationFolds: 3,
            stackingC: 1, blend: [TextLogisticOptions(naiveBayesAlpha: 0)], wordViewWeight: 0.3)
        let model = try TextClassifier.train(texts: texts, targets: targets, labels: ["drugs", "weapons"], options: options)
        #expect(model.stacker != nil)
        #expect(model.predict("продам пистолет патроны") == ["weapons"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-text-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try TextClassifier.load(from: path)
        #expect(loaded.probabilities("закладка соль") == model.probabilities("закладка соль"))
        #expect(throws: TextError.self) {
            try TextClassifier.train(
                texts: texts, targets: targets, labels: ["drugs", "weapons"],
                options: TextClassifierOptions(wordViewWeight: 0.5))
        }
    }

    @Test func refusesForeignModelFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-text-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"format\":\"other\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TextError.self) { try TextClassifier.load(from: path) }
    }
}
