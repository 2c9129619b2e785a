import Foundation

/// The on-disk form of a `TextClassifier`: one JSON object, versioned. Bulky arrays (kept hash
/// buckets, IDF, weights) are little-endian UInt32/Float32 bytes in base64; everything else is
/// readable JSON (labels, settings, thresholds, calibration, training-data digest, metrics).
public struct TextClassifierFile: Codable, Sendable {
    public struct LabelModel: Codable, Sendable {
        public var label: String
        public var bias: Float
        public var weights: Data
        public var plattA: Double
        public var plattB: Double
        public var threshold: Float
        public var iterations: Int
        /// Second-stage weights over all labels' first-stage logits (stacking), if any.
        public var stackWeights: [Float]?
        public var stackBias: Float?
    }

    public var format: String
    public var version: Int
    public var labels: [String]
    public var normalizer: TextNormalizer
    public var features: TextFeatureOptions
    public var training: TextTrainingInfo
    public var featureCount: Int
    public var activeBuckets: Data
    public var idf: Data
    public var models: [LabelModel]
    /// Version 2: see `TextClassifier.fallbackThreshold` (absent = none).
    public var fallbackThreshold: Float?
    /// Version 3: IDF per word-vector id and the SHA-256 of the vectors' `pq.bin` (absent = no word vectors).
    public var wordVectorIDF: Data?
    public var wordVectorsSHA256: String?
}

extension TextClassifier {
    /// Writes the model as JSON (sorted keys, so the same model gives the same bytes).
    public func save(to path: String) throws {
        let file = TextClassifierFile(
            format: Self.formatName, version: Self.formatVersion, labels: labels,
            normalizer: vectorizer.normalizer, features: vectorizer.options, training: info,
            featureCount: vectorizer.featureCount,
            activeBuckets: TextBytes.data(vectorizer.activeBuckets), idf: TextBytes.data(vectorizer.idf),
            models: labels.indices.map { l in
                .init(
                    label: labels[l], bias: models[l].bias, weights: TextBytes.data(models[l].weights),
                    plattA: calibration[l].a, plattB: calibration[l].b, threshold: thresholds[l],
                    iterations: models[l].iterations, stackWeights: stacker?[l].weights, stackBias: stacker?[l].bias)
            }, fallbackThreshold: fallbackThreshold,
            wordVectorIDF: vectorizer.wordVectors == nil ? nil : TextBytes.data(vectorizer.wordVectorIDF),
            wordVectorsSHA256: vectorizer.wordVectors?.digest)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(file).write(to: URL(fileURLWithPath: path))
    }

    /// Reads a model written by `save(to:)`; refuses other formats and newer versions. A model trained with word
    /// vectors finds them with `TextWordVectors.named(_:searching:)` in
    /// `wordVectorDirectories` (e.g. `TextWordVectors.searchDirectories(explicit:)`).
    public static func load(from path: String, wordVectorDirectories: [String] = []) throws -> TextClassifier {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextError.invalidModel("\(path): cannot read file")
        }
        let file: TextClassifierFile
        do {
            file = try JSONDecoder().decode(TextClassifierFile.self, from: data)
        } catch {
            throw TextError.invalidModel("\(path): not a text-classifier model (\(error))")
        }
        guard file.format == formatName else { throw TextError.invalidModel("\(path): format '\(file.format)'") }
        guard file.version <= formatVersion else {
            throw TextError.invalidModel("\(path): version \(file.version) is newer than \(formatVersion)")
        }
        guard let buckets = TextBytes.uint32s(file.activeBuckets), let idf = TextBytes.floats(file.idf) else {
            throw TextError.invalidModel("\(path): corrupt feature arrays")
        }
        var vectorIDF: [Float] = []
        if let id = file.features.wordVectors {
            guard let d = file.wordVectorIDF, let v = TextBytes.floats(d) else {
                throw TextError.invalidModel("\(path): word-vector IDF missing")
            }
            let vectors: TextWordVectors
            do { vectors = try TextWordVectors.named(id, searching: wordVectorDirectories) } catch { throw TextError.invalidModel("\(path): \(error)") }
            guard file.wordVectorsSHA256 == nil || file.wordVectorsSHA256 == vectors.digest else {
                throw TextError.invalidModel("\(path): trained on other '\(id)' vectors (SHA-256 differs from the installed ones)")
            }
            vectorIDF = v
        }
        let vectorizer = try TextVectorizer(
            normalizer: file.normalizer, options: file.features, activeBuckets: buckets, idf: idf, wordVectorIDF: vectorIDF)
        guard vectorizer.featureCount == file.featureCount else {
            throw TextError.invalidModel("\(path): feature count \(file.featureCount) does not match the feature arrays")
        }
        var models: [TextLinearModel] = []
        for m in file.models {
            guard let w = TextBytes.floats(m.weights) else { throw TextError.invalidModel("\(path): corrupt weights") }
            models.append(TextLinearModel(weights: w, bias: m.bias, iterations: m.iterations))
        }
        guard file.models.map(\.label) == file.labels else {
            throw TextError.invalidModel("\(path): label order mismatch")
        }
        var stacker: [TextLinearModel]? = nil
        if file.models.contains(where: { $0.stackWeights != nil }) {
            stacker = try file.models.map { m in
                guard let w = m.stackWeights, let b = m.stackBias else {
                    throw TextError.invalidModel("\(path): stacking weights missing for '\(m.label)'")
                }
                return TextLinearModel(weights: w, bias: b, iterations: 0)
            }
        }
        return try TextClassifier(
            labels: file.labels, vectorizer: vectorizer, models: models, stacker: stacker,
            calibration: file.models.map { TextPlattScaling(a: $0.plattA, b: $0.plattB) },
            thresholds: file.models.map(\.threshold), fallbackThreshold: file.fallbackThreshold, info: file.training)
    }
}

/// Little-endian packing of numeric arrays.
enum TextBytes {
    static func data(_ values: [UInt32]) -> Data {
        var d = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    static func data(_ values: [Float]) -> Data { data(values.map(\.bitPattern)) }

    static func uint32s(_ d: Data) -> [UInt32]? {
        guard d.count % 4 == 0 else { return nil }
        let bytes = [UInt8](d)
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
    }

    static func floats(_ d: Data) -> [Float]? { uint32s(d)?.map(Float.init(bitPattern:)) }
}
