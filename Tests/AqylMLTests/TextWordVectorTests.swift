import Foundation
import Testing
@testable import AqylML

@Suite struct TextWordVectorTests {
    /// A tiny navec-layout file: 6 words (the last two special), 4 dimensions in 2 sub-spaces of 2 centroids.
    static func fixture(id: String) throws -> TextWordVectors {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-vectors-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "дом\nеж\nкот\nнож\n<unk>\n<pad>\n".write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        var pq = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { pq.append(contentsOf: $0) } }
        for v: UInt32 in [6, 4, 2, 2] { u32(v) }
        // word → centroid per sub-space
        let codes: [[UInt8]] = [[0, 0], [1, 0], [0, 1], [1, 1], [0, 0], [0, 0]]
        for c in codes { pq.append(contentsOf: c) }
        // sub-space 0: centroid 0 = (1, 0), 1 = (0, 1); sub-space 1: centroid 0 = (2, 0), 1 = (0, -2)
        for f: Float in [1, 0, 0, 1, 2, 0, 0, -2] { u32(f.bitPattern) }
        try pq.write(to: dir.appendingPathComponent("pq.bin"))
        return try TextWordVectors(directory: dir.path, id: id)
    }

    @Test func decodesProductQuantisedVectorsAndTokenises() throws {
        let v = try Self.fixture(id: "fixture-decode")
        #expect(v.dimension == 4 && v.wordCount == 6)
        var x = [Float](repeating: 0, count: 4)
        v.accumulate(3, weight: 1, into: &x)  // нож: centroids (1, 1)
        #expect(x == [0, 1, 0, -2])
        v.accumulate(0, weight: 0.5, into: &x)  // дом: (0, 0) → + 0.5·(1, 0, 2, 0)
        #expect(x == [0.5, 1, 1, -2])
        // Lower-cased letter runs; ё falls back to е; unknown words and special tokens are skipped.
        #expect(v.tokenIDs("Кот, ЁЖ и дом! <unk> pad") == [2, 1, 0])
        #expect(v.digest.count == 64)
    }

    @Test func searchDirectoriesPutTheExplicitOneFirst() {
        let dirs = TextWordVectors.searchDirectories(explicit: "/opt/vectors")
        #expect(dirs.first == "/opt/vectors")
        #expect(dirs.dropFirst() == TextWordVectors.searchDirectories()[...])
        #expect(TextWordVectors.searchDirectories().first == FileManager.default.currentDirectoryPath + "/.embeddings")
        #expect(TextWordVectors.searchDirectories(explicit: "") == TextWordVectors.searchDirectories())
    }

    @Test func missingVectorsAreAClearError() {
        #expect(throws: TextError.self) { try TextWordVectors.named("no-such-vectors-\(UUID())") }
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-vectors-bad-\(UUID())")
        try? FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bad) }
        try? Data([1, 0, 0, 0]).write(to: bad.appendingPathComponent("pq.bin"))
        try? "a\n".write(to: bad.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        #expect(throws: TextError.self) { try TextWordVectors(directory: bad.path, id: "bad") }
    }

    @Test func vectorBlockFollowsTheNGramsWithItsWeightAndNoNaiveBayesScaling() throws {
        let vectors = try Self.fixture(id: "fixture-block")
        TextWordVectors.register(vectors)
        let options = TextFeatureOptions(hashBits: 12, minDocumentFrequency: 1, wordVectors: "fixture-block", wordVectorWeight: 0.5)
        let texts = ["кот и нож", "дом", "ничего знакомого"]
        let (vectorizer, x) = try TextVectorizer.fit(texts: texts, options: options)
        #expect(vectorizer.featureCount == vectorizer.sparseFeatureCount + 4)
        #expect(x.columnCount == vectorizer.featureCount)
        let row = x.row(0)
        let dense = zip(row.indices, row.values).filter { Int($0.0) >= vectorizer.sparseFeatureCount }
        let sparse = zip(row.indices, row.values).filter { Int($0.0) < vectorizer.sparseFeatureCount }
        #expect(dense.count == 4)
        let denseNorm = dense.map { $0.1 * $0.1 }.reduce(0, +).squareRoot()
        let sparseNorm = sparse.map { $0.1 * $0.1 }.reduce(0, +).squareRoot()
        #expect(abs(denseNorm - 0.5) < 1e-5 && abs(sparseNorm - 1) < 1e-5)
        // IDF-weighted mean: кот (idf of a word in 1 of 3 texts) and нож (same) weigh equally:
        // (0,0,0,0)... кот = (1,0,0,-2), нож = (0,1,0,-2) → sum (1,1,0,-4), normalised × 0.5.
        let expected: [Float] = [1, 1, 0, -4].map { $0 / Float(18).squareRoot() * 0.5 }
        for (k, e) in zip(dense.map(\.1), expected) { #expect(abs(k - e) < 1e-5) }
        // A text with no known word gets no vector block.
        #expect(x.row(2).indices.allSatisfy { Int($0) < vectorizer.sparseFeatureCount })
        #expect(vectorizer.transform("кот и нож") == row)

        // Naive-Bayes scaling is for counts: the signed vector columns keep ratio 1, so the fit equals a plain
        // fit on the matrix with only the n-gram columns scaled.
        let targets: [Float] = [1, 0, 0]
        let nb = TextLogisticOptions(c: 1, naiveBayesAlpha: 0.1)
        var r = TextLogisticRegression.naiveBayesRatios(x, targets: targets, alpha: 0.1)
        #expect(r[vectorizer.sparseFeatureCount...].contains { $0 != 1 })  // what would happen without the limit
        for j in vectorizer.sparseFeatureCount..<r.count { r[j] = 1 }
        let m = TextLogisticRegression.fit(x, targets: targets, options: nb, naiveBayesColumns: vectorizer.sparseFeatureCount)
        let plain = TextLogisticRegression.fit(
            x.scalingColumns(r), targets: targets, options: TextLogisticOptions(c: 1, naiveBayesAlpha: 0))
        for j in vectorizer.sparseFeatureCount..<x.columnCount { #expect(abs(m.weights[j] - plain.weights[j]) < 1e-6) }
    }

    @Test func modelWithWordVectorsRoundTripsAndExplainsTheBlock() throws {
        TextWordVectors.register(try Self.fixture(id: "fixture-model"))
        let texts = ["кот", "кот дом", "нож", "нож еж", "кот кот", "нож нож", "дом кот", "еж нож"]
        let targets: [[Float]] = texts.map { [$0.hasPrefix("кот") || $0.hasPrefix("дом") ? 1 : 0] }
        let options = TextClassifierOptions(
            features: TextFeatureOptions(hashBits: 12, minDocumentFrequency: 1, wordVectors: "fixture-model", wordVectorWeight: 2),
            calibrationFolds: 2)
        let model = try TextClassifier.train(texts: texts, targets: targets, labels: ["cats"], options: options)
        #expect(model.vectorizer.wordVectors != nil)
        #expect(model.models[0].weights.count == model.vectorizer.featureCount)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-text-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try TextClassifier.load(from: path)
        #expect(loaded.vectorizer.wordVectorIDF == model.vectorizer.wordVectorIDF)
        #expect(loaded.probabilities("дом и кот") == model.probabilities("дом и кот"))
        let terms = model.explain("кот", top: 50, only: ["cats"])[0].terms
        #expect(terms.allSatisfy { !$0.ngram.hasPrefix("#") })

        // A model whose vectors' digest differs from the installed ones is refused.
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        object["wordVectorsSHA256"] = String(repeating: "0", count: 64)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        #expect(throws: TextError.self) { try TextClassifier.load(from: path) }
    }

    @Test func installedNavecVectorsPlaceRelatedWordsTogether() throws {
        let dirs = TextWordVectors.searchDirectories()
        guard TextWordVectors.isInstalled(TextWordVectors.navecNews, searching: dirs) else {  // scripts/install-embeddings.sh
            print("navec vectors not installed (scripts/install-embeddings.sh): skipped")
            return
        }
        let v = try TextWordVectors.named(TextWordVectors.navecNews, searching: dirs)
        #expect(v.dimension == 300 && v.wordCount == 250_002)
        func vec(_ w: String) throws -> [Float] {
            let ids = v.tokenIDs(w)
            try #require(ids.count == 1, "\(w) not in the vocabulary")
            var x = [Float](repeating: 0, count: v.dimension)
            v.accumulate(ids[0], weight: 1, into: &x)
            return x
        }
        func cosine(_ a: [Float], _ b: [Float]) -> Float {
            let dot = zip(a, b).map(*).reduce(0, +)
            return dot / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        let police = try vec("полиция")
        #expect(cosine(police, try vec("милиция")) > cosine(police, try vec("банан")) + 0.2)
        #expect(v.tokenIDs("Ёлка").count == 1)
    }
}
