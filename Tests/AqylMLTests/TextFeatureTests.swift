import Foundation
import Testing
@testable import AqylML

@Suite struct TextFeatureTests {
    /// Word and character n-grams of one text, by block, as (bucket, text).
    struct Recorder: TextFeatureSink {
        var word: [(UInt32, String)] = []
        var char: [(UInt32, String)] = []
        mutating func add(block: Int, bucket: UInt32, text: () -> String) {
            if block == 0 { word.append((bucket, text())) } else { char.append((bucket, text())) }
        }
    }

    static func record(_ text: String, _ o: TextFeatureOptions) -> Recorder {
        var r = Recorder()
        TextHashing.extract(TextNormalizer().normalizedScalars(text), options: o, into: &r)
        return r
    }

    @Test func wordUnigramsAndBigrams() {
        let o = TextFeatureOptions(hashBits: 16, wordMinN: 1, wordMaxN: 2, charMaxN: 0)
        let r = Self.record("Кошка ест, рыбу!", o)
        #expect(r.char.isEmpty)
        #expect(r.word.map(\.1) == ["кошка", "кошка ест", "ест", "ест рыбу", "рыбу"])
        // Bigrams only.
        let bigrams = Self.record("кошка ест рыбу", TextFeatureOptions(hashBits: 16, wordMinN: 2, wordMaxN: 2, charMaxN: 0))
        #expect(bigrams.word.map(\.1) == ["кошка ест", "ест рыбу"])
        // Same n-gram, same bucket; order matters for bigrams.
        let again = Self.record("рыбу ест кошка", o)
        let buckets = Dictionary(r.word.map { ($0.1, $0.0) }, uniquingKeysWith: { a, _ in a })
        for (b, t) in again.word where t.split(separator: " ").count == 1 { #expect(buckets[t] == b) }
        #expect(!again.word.contains { $0.1 == "кошка ест" })
    }

    @Test func wordAndCharacterBlocksHaveSeparateHashSpaces() throws {
        let text = "кошка ест рыбу"
        let o = TextFeatureOptions(hashBits: 12, wordMaxN: 2, charMaxN: 3)
        #expect(o.separateHashSpaces)
        #expect(o.bucketCount == 2 << 12)
        let r = Self.record(text, o)
        #expect(r.word.allSatisfy { $0.0 < 1 << 12 })
        #expect(r.char.allSatisfy { $0.0 >= 1 << 12 && $0.0 < 2 << 12 })
        // The shared space (format 1) keeps every bucket below 2^hashBits, with the same
        // character buckets minus the offset.
        var shared = o
        shared.separateHashSpaces = false
        let s = Self.record(text, shared)
        #expect(s.char.map { $0.0 + (1 << 12) } == r.char.map(\.0))
        #expect(s.word.map(\.0) == r.word.map(\.0))
        // One block alone needs no offset.
        #expect(TextFeatureOptions(hashBits: 12, wordMaxN: 0).bucketCount == 1 << 12)
        let (v, m) = try TextVectorizer.fit(texts: [text, "кошка спит"], options: o.with { $0.minDocumentFrequency = 1 })
        #expect(v.activeBuckets.contains { $0 >= 1 << 12 })
        #expect(v.transform(text) == m.row(0))
        #expect(Set(v.featureNames(in: text).values).isSuperset(of: ["w:кошка ест", "c: ко", "w:рыбу"]))
    }

    @Test func eachBlockIsNormalisedThenTheWhole() throws {
        let o = TextFeatureOptions(hashBits: 14, wordMaxN: 1, charMaxN: 2, wordWeight: 0.5, minDocumentFrequency: 1)
        let (v, _) = try TextVectorizer.fit(texts: ["аб вг", "аб"], options: o)
        let x = v.transform("аб вг")
        let names = v.featureNames(in: "аб вг")
        var word: Float = 0, char: Float = 0
        for (i, value) in zip(x.indices, x.values) {
            if names[i]!.hasPrefix("w:") { word += value * value } else { char += value * value }
        }
        // Blocks at norms 0.5 and 1 before the final normalisation: squared shares 0.2 and 0.8.
        #expect(abs(word - 0.2) < 1e-4)
        #expect(abs(char - 0.8) < 1e-4)
    }

    @Test func russianLightStemming() {
        func stem(_ w: String) -> String {
            let s = Array(w.unicodeScalars)
            var v = String.UnicodeScalarView()
            v.append(contentsOf: s[TextStemmer.russianLight(s, 0..<s.count)])
            return String(v)
        }
        #expect(stem("кошками") == "кошк")
        #expect(stem("кошка") == "кошк")
        #expect(stem("кошку") == "кошк")
        #expect(stem("наркотики") == "наркотик")
        #expect(stem("продается") == "прода")
        #expect(stem("ест") == "ест")  // too short to strip
        #expect(stem("мама") == "мам")
        // Kazakh letters, Latin and digits are left alone.
        #expect(stem("қазақстанда") == "қазақстанда")
        #expect(stem("police") == "police")
        #expect(stem("ак47") == "ак47")
        let o = TextFeatureOptions(hashBits: 16, wordMaxN: 2, charMaxN: 2, wordStemming: true)
        let a = Self.record("продам наркотики", o)
        let b = Self.record("продать наркотиками", o)
        #expect(a.word.map(\.1) == ["прод", "прод наркотик", "наркотик"])
        #expect(a.word.map(\.0) == b.word.map(\.0))
        // Character n-grams still see the words as written.
        #expect(a.char.contains { $0.1 == "и " })
    }

    @Test func olderFeatureOptionsDecodeToTheSharedSpace() throws {
        let json = """
            {"hashBits":18,"wordMinN":1,"wordMaxN":2,"charMinN":1,"charMaxN":5,"wordWeight":1,"charWeight":1,
             "charWithinWords":true,"minDocumentFrequency":2,"sublinearTF":true,"binaryTF":false,"useIDF":true}
            """
        let o = try JSONDecoder().decode(TextFeatureOptions.self, from: Data(json.utf8))
        #expect(o.hashBits == 18)
        #expect(!o.separateHashSpaces)
        #expect(!o.wordStemming)
        #expect(o.bucketCount == 1 << 18)
        let back = try JSONDecoder().decode(TextFeatureOptions.self, from: try JSONEncoder().encode(TextFeatureOptions()))
        #expect(back == TextFeatureOptions())
        let c = try JSONDecoder().decode(TextClassifierOptions.self, from: try JSONEncoder().encode(TextClassifierOptions()))
        #expect(c == TextClassifierOptions())
        let old = try JSONDecoder().decode(TextClassifierOptions.self, from: Data(#"{"calibrationFolds":5}"#.utf8))
        #expect(old.calibrationFolds == 5)
        #expect(!old.fallbackLabel)
    }

    @Test func fallbackThresholdAndDecision() {
        // Row 0: label 0 passes. Rows 1–2: nothing passes; their top labels are right at 0.4
        // and 0.3. Row 3: nothing passes, top label 0.2 is wrong.
        let probs: [[Float]] = [[0.9, 0.4, 0.1, 0.2], [0.1, 0.1, 0.3, 0.1]]
        let truth: [[Bool]] = [[true, true, false, false], [false, false, true, false]]
        let f = TextThresholds.bestFallback(probs: probs, labels: truth, thresholds: [0.5, 0.5])
        #expect(f != nil && f! > 0.2 && f! <= 0.3)
        #expect(TextThresholds.bestFallback(probs: probs, labels: [[true, false, false, false], [false, false, false, false]],
                                            thresholds: [0.5, 0.5]) == nil)
        #expect(TextClassifier.decide(probabilities: [0.4, 0.3], thresholds: [0.5, 0.5], fallback: 0.25) == [true, false])
        #expect(TextClassifier.decide(probabilities: [0.2, 0.1], thresholds: [0.5, 0.5], fallback: 0.25) == [false, false])
        #expect(TextClassifier.decide(probabilities: [0.6, 0.3], thresholds: [0.5, 0.5], fallback: 0.1) == [true, false])
        #expect(TextClassifier.decide(probabilities: [0.4, 0.3], thresholds: [0.5, 0.5], fallback: nil) == [false, false])
    }

    @Test func formatOneFilesStillLoadAndNewerOnesAreRefused() throws {
        let (texts, targets) = TextModelTests.toyData()
        let options = TextClassifierOptions(
            features: TextFeatureOptions(hashBits: 16, wordMaxN: 2, minDocumentFrequency: 1, separateHashSpaces: false),
            calibrationFolds: 3)
        let model = try TextClassifier.train(texts: texts, targets: targets, labels: ["drugs", "weapons"], options: options)
        let dir = FileManager.default.temporaryDirectory
        let path = dir.appendingPathComponent("aqyl-text-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        // Rewrite as a version-1 file: no version-2 keys anywhere.
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        object["version"] = 1
        object["fallbackThreshold"] = nil
        var features = object["features"] as! [String: Any]
        features["separateHashSpaces"] = nil
        features["wordStemming"] = nil
        object["features"] = features
        var training = object["training"] as! [String: Any]
        var trainingOptions = training["options"] as! [String: Any]
        trainingOptions["fallbackLabel"] = nil
        trainingOptions["features"] = features
        training["options"] = trainingOptions
        object["training"] = training
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let loaded = try TextClassifier.load(from: path)
        #expect(!loaded.vectorizer.options.separateHashSpaces)
        #expect(loaded.fallbackThreshold == nil)
        #expect(loaded.probabilities("продам пистолет") == model.probabilities("продам пистолет"))
        #expect(loaded.predict("закладка соль") == model.predict("закладка соль"))

        object["version"] = TextClassifier.formatVersion + 1
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        #expect(throws: TextError.self) { try TextClassifier.load(from: path) }
    }

    @Test func stemmedWordFeaturesAndFallbackTrainAndRoundTrip() throws {
        let (texts, targets) = TextModelTests.toyData()
        let options = TextClassifierOptions(
            features: TextFeatureOptions(
                hashBits: 16, wordMaxN: 2, wordWeight: 0.5, minDocumentFrequency: 1, wordStemming: true),
            calibrationFolds: 3, fallbackLabel: true)
        let model = try TextClassifier.train(texts: texts, targets: targets, labels: ["drugs", "weapons"], options: options)
        #expect(model.predict("закладка наркотики") == ["drugs"])
        #expect(model.predict("продам пистолет патроны") == ["weapons"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-text-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try TextClassifier.load(from: path)
        #expect(loaded.vectorizer.options == model.vectorizer.options)
        #expect(loaded.fallbackThreshold == model.fallbackThreshold)
        #expect(loaded.info.options == model.info.options)
        #expect(loaded.probabilities("закладки соли") == model.probabilities("закладки соли"))
    }
}

extension TextFeatureOptions {
    func with(_ change: (inout TextFeatureOptions) -> Void) -> TextFeatureOptions {
        var o = self
        change(&o)
        return o
    }
}
