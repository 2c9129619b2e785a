import AqylKit
import Foundation

/// Feature-extraction settings. Every field has a documented default.
public struct TextFeatureOptions: Sendable, Codable, Equatable {
    /// Features are hashed into `2^hashBits` buckets (default 20); only buckets seen in at least
    /// `minDocumentFrequency` training texts are kept.
    public var hashBits: Int
    /// Word n-gram lengths. `wordMaxN == 0` disables word features (default: disabled, 1...0).
    /// `aqyl triage train` uses 1...2 on stemmed words at `wordWeight` 0.4: in 5-fold
    /// cross-validation on the sensitive-topics train.csv that added about 0.4–0.5 micro-F1
    /// points over characters alone, while unstemmed words at weight 1 cost about 1 point.
    public var wordMinN: Int
    public var wordMaxN: Int
    /// Character n-gram lengths inside word boundaries, each word padded by one space on both
    /// sides like scikit-learn's `char_wb` (default 1...5). `charMaxN == 0` disables them.
    public var charMinN: Int
    public var charMaxN: Int
    /// Weight of the word block and the character block; each block is L2-normalised, scaled by
    /// its weight, then the whole vector is L2-normalised again (defaults 1 and 1).
    public var wordWeight: Float
    public var charWeight: Float
    /// Character n-grams stay inside one space-padded word (`char_wb`, default true); when false
    /// they run over the whole text with words joined by single spaces (`char`), so they can
    /// span two words.
    public var charWithinWords: Bool
    /// Minimum number of training texts a bucket must occur in (default 2).
    public var minDocumentFrequency: Int
    /// Use `1 + ln(tf)` instead of raw counts (default true).
    public var sublinearTF: Bool
    /// Word and character n-grams hash into separate spaces of `2^hashBits` buckets each (like
    /// scikit-learn's `FeatureUnion` of two vectorisers), so a word never shares a weight with a
    /// character n-gram. Default true; model files written before the option existed read as
    /// false (one shared space), which is how they were trained.
    public var separateHashSpaces: Bool
    /// Word n-grams are built from lightly stemmed words (`TextStemmer.russianLight`: common
    /// Russian inflection endings removed); character n-grams always see the words as written.
    /// Default false.
    public var wordStemming: Bool
    /// Use 1 for every present n-gram instead of its count (overrides `sublinearTF`; default false).
    public var binaryTF: Bool
    /// Multiply by smooth IDF `ln((1 + n) / (1 + df)) + 1` (default true).
    public var useIDF: Bool
    /// Pretrained word vectors appended as a dense block (`TextWordVectors.named`), e.g.
    /// `navec_news_v1_1B_250K_300d_100q`; `nil` (default) = none. The block is the IDF-weighted mean of
    /// the text's word vectors, L2-normalised and scaled by `wordVectorWeight`, placed after the
    /// (already normalised) n-gram features. In 5-fold cross-validation on the sensitive-topics
    /// train.csv it added about 1.1 micro-F1 points at weight 0.5 (every fold up); weight 2 hurt.
    public var wordVectors: String?
    /// Weight of the word-vector block (default 0.5).
    public var wordVectorWeight: Float

    public init(
        hashBits: Int = 20, wordMinN: Int = 1, wordMaxN: Int = 0, charMinN: Int = 1, charMaxN: Int = 5,
        wordWeight: Float = 1, charWeight: Float = 1, minDocumentFrequency: Int = 2,
        sublinearTF: Bool = true, useIDF: Bool = true, charWithinWords: Bool = true, binaryTF: Bool = false,
        separateHashSpaces: Bool = true, wordStemming: Bool = false, wordVectors: String? = nil,
        wordVectorWeight: Float = 0.5
    ) {
        self.wordVectors = wordVectors
        self.wordVectorWeight = wordVectorWeight
        self.separateHashSpaces = separateHashSpaces
        self.wordStemming = wordStemming
        self.binaryTF = binaryTF
        self.charWithinWords = charWithinWords
        self.hashBits = hashBits
        self.wordMinN = wordMinN
        self.wordMaxN = wordMaxN
        self.charMinN = charMinN
        self.charMaxN = charMaxN
        self.wordWeight = wordWeight
        self.charWeight = charWeight
        self.minDocumentFrequency = minDocumentFrequency
        self.sublinearTF = sublinearTF
        self.useIDF = useIDF
    }

    /// Added to character buckets when word and character n-grams have separate hash spaces.
    public var charBucketOffset: Int {
        separateHashSpaces && wordMaxN > 0 && charMaxN > 0 ? 1 << hashBits : 0
    }

    /// Number of possible bucket ids (`2^hashBits`, twice that with separate spaces).
    public var bucketCount: Int { (1 << hashBits) + charBucketOffset }

    /// Throws when a setting is out of range.
    public func validate() throws {
        guard (10...26).contains(hashBits) else { throw TextError.invalidOption("hashBits must be in 10...26") }
        guard wordMaxN == 0 || (wordMinN >= 1 && wordMinN <= wordMaxN && wordMaxN <= 4) else {
            throw TextError.invalidOption("word n-grams must satisfy 1 <= min <= max <= 4 (max 0 disables)")
        }
        guard charMaxN == 0 || (charMinN >= 1 && charMinN <= charMaxN && charMaxN <= 8) else {
            throw TextError.invalidOption("char n-grams must satisfy 1 <= min <= max <= 8 (max 0 disables)")
        }
        guard wordMaxN > 0 || charMaxN > 0 else { throw TextError.invalidOption("no features enabled") }
        guard minDocumentFrequency >= 1 else { throw TextError.invalidOption("minDocumentFrequency must be >= 1") }
        guard wordVectors == nil || (wordVectorWeight > 0 && wordVectorWeight.isFinite) else {
            throw TextError.invalidOption("wordVectorWeight must be positive")
        }
    }
}

extension TextFeatureOptions {
    /// Fields missing from older model files take the value that reproduces how those files
    /// were trained (`separateHashSpaces` false) or their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TextFeatureOptions()
        self.init(
            hashBits: try c.decodeIfPresent(Int.self, forKey: .hashBits) ?? d.hashBits,
            wordMinN: try c.decodeIfPresent(Int.self, forKey: .wordMinN) ?? d.wordMinN,
            wordMaxN: try c.decodeIfPresent(Int.self, forKey: .wordMaxN) ?? d.wordMaxN,
            charMinN: try c.decodeIfPresent(Int.self, forKey: .charMinN) ?? d.charMinN,
            charMaxN: try c.decodeIfPresent(Int.self, forKey: .charMaxN) ?? d.charMaxN,
            wordWeight: try c.decodeIfPresent(Float.self, forKey: .wordWeight) ?? d.wordWeight,
            charWeight: try c.decodeIfPresent(Float.self, forKey: .charWeight) ?? d.charWeight,
            minDocumentFrequency: try c.decodeIfPresent(Int.self, forKey: .minDocumentFrequency) ?? d.minDocumentFrequency,
            sublinearTF: try c.decodeIfPresent(Bool.self, forKey: .sublinearTF) ?? d.sublinearTF,
            useIDF: try c.decodeIfPresent(Bool.self, forKey: .useIDF) ?? d.useIDF,
            charWithinWords: try c.decodeIfPresent(Bool.self, forKey: .charWithinWords) ?? d.charWithinWords,
            binaryTF: try c.decodeIfPresent(Bool.self, forKey: .binaryTF) ?? d.binaryTF,
            separateHashSpaces: try c.decodeIfPresent(Bool.self, forKey: .separateHashSpaces) ?? false,
            wordStemming: try c.decodeIfPresent(Bool.self, forKey: .wordStemming) ?? false,
            wordVectors: try c.decodeIfPresent(String.self, forKey: .wordVectors),
            wordVectorWeight: try c.decodeIfPresent(Float.self, forKey: .wordVectorWeight) ?? d.wordVectorWeight)
    }
}

/// Errors raised by the text library.
public enum TextError: Error, Equatable, CustomStringConvertible {
    case invalidOption(String)
    case invalidModel(String)
    case emptyInput(String)

    public var description: String {
        switch self {
        case .invalidOption(let m): return "invalid option: \(m)"
        case .invalidModel(let m): return "invalid model: \(m)"
        case .emptyInput(let m): return "empty input: \(m)"
        }
    }
}

/// A sparse vector: strictly increasing `indices` with their `values`.
public struct TextSparseVector: Sendable, Equatable {
    public var indices: [Int32]
    public var values: [Float]
    public init(indices: [Int32] = [], values: [Float] = []) {
        self.indices = indices
        self.values = values
    }
    public var count: Int { indices.count }
}

/// Rows of sparse vectors in CSR layout.
public struct TextSparseMatrix: Sendable {
    public private(set) var rowPointers: [Int] = [0]
    public private(set) var columns: [Int32] = []
    public private(set) var values: [Float] = []
    public let columnCount: Int

    public init(columnCount: Int) { self.columnCount = columnCount }

    public var rowCount: Int { rowPointers.count - 1 }
    public var nonZeroCount: Int { columns.count }

    public mutating func append(_ v: TextSparseVector) {
        columns.append(contentsOf: v.indices)
        values.append(contentsOf: v.values)
        rowPointers.append(columns.count)
    }

    public func row(_ i: Int) -> TextSparseVector {
        let r = rowPointers[i]..<rowPointers[i + 1]
        return TextSparseVector(indices: Array(columns[r]), values: Array(values[r]))
    }

    /// A copy with column j multiplied by `scale[j]`.
    public func scalingColumns(_ scale: [Float]) -> TextSparseMatrix {
        var m = self
        for k in m.values.indices { m.values[k] *= scale[Int(m.columns[k])] }
        return m
    }

    /// A copy keeping only the entries whose column has `keep[column] == true`.
    public func keepingColumns(_ keep: [Bool]) -> TextSparseMatrix {
        var m = TextSparseMatrix(columnCount: columnCount)
        m.rowPointers.reserveCapacity(rowPointers.count)
        for i in 0..<rowCount {
            for k in rowPointers[i]..<rowPointers[i + 1] where keep[Int(columns[k])] {
                m.columns.append(columns[k])
                m.values.append(values[k])
            }
            m.rowPointers.append(m.columns.count)
        }
        return m
    }

    /// A new matrix holding the given rows in the given order.
    public func selecting(rows: [Int]) -> TextSparseMatrix {
        var m = TextSparseMatrix(columnCount: columnCount)
        m.rowPointers.reserveCapacity(rows.count + 1)
        for i in rows {
            let r = rowPointers[i]..<rowPointers[i + 1]
            m.columns.append(contentsOf: columns[r])
            m.values.append(contentsOf: values[r])
            m.rowPointers.append(m.columns.count)
        }
        return m
    }
}

/// Receives hashed features as they are produced.
protocol TextFeatureSink {
    /// `block` 0 = word n-gram, 1 = char n-gram; `text` renders the n-gram (only called when needed).
    mutating func add(block: Int, bucket: UInt32, text: () -> String)
}

/// Hashing of word and character n-grams (64-bit FNV-1a over scalar values, SplitMix64 finaliser,
/// independent seeds per n-gram kind). Stable across runs and platforms.
enum TextHashing {
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3
    static let charSeed: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let wordSeed: UInt64 = 0xD1B5_4A32_D192_ED03

    @inline(__always)
    static func mix(_ x0: UInt64) -> UInt64 {
        var x = x0 &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    static func extract<S: TextFeatureSink>(
        _ scalars: [Unicode.Scalar], options o: TextFeatureOptions, into sink: inout S
    ) {
        let mask = UInt64((1 << o.hashBits) - 1)
        let charOffset = UInt32(o.charBucketOffset)
        let words = TextTokenizer.wordRanges(scalars)
        if o.wordMaxN > 0 {
            let stems = o.wordStemming ? words.map { TextStemmer.russianLight(scalars, $0) } : words
            var wordHashes: [UInt64] = []
            wordHashes.reserveCapacity(stems.count)
            for r in stems {
                var h = fnvOffset
                for i in r { h = (h ^ UInt64(scalars[i].value)) &* fnvPrime }
                wordHashes.append(h)
            }
            for start in 0..<words.count {
                var h = wordSeed
                for n in 1...o.wordMaxN {
                    let end = start + n
                    if end > words.count { break }
                    h = mix(h ^ wordHashes[end - 1])
                    if n >= o.wordMinN {
                        sink.add(block: 0, bucket: UInt32(truncatingIfNeeded: mix(h) & mask)) {
                            stems[start..<end].map { String(String.UnicodeScalarView(scalars[$0])) }
                                .joined(separator: " ")
                        }
                    }
                }
            }
        }
        if o.charMaxN > 0 {
            var padded: [UInt32] = []
            let segments: [[Range<Int>]] = o.charWithinWords ? words.map { [$0] } : [words]
            for segment in segments {
                padded.removeAll(keepingCapacity: true)
                padded.append(0x20)
                for r in segment {
                    for i in r { padded.append(scalars[i].value) }
                    padded.append(0x20)
                }
                let len = padded.count
                for start in 0..<len {
                    var h = fnvOffset ^ charSeed
                    for n in 1...o.charMaxN {
                        let end = start + n
                        if end > len { break }
                        h = (h ^ UInt64(padded[end - 1])) &* fnvPrime
                        if n >= o.charMinN {
                            // Like char_wb: skip the lone-space unigram and n-grams that are
                            // only padding.
                            if n == 1 && padded[start] == 0x20 { continue }
                            sink.add(block: 1, bucket: UInt32(truncatingIfNeeded: mix(h) & mask) + charOffset) {
                                var v = String.UnicodeScalarView()
                                for k in start..<end { v.append(Unicode.Scalar(padded[k]) ?? " ") }
                                return String(v)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Collects bucket ids per block.
struct TextBucketCollector: TextFeatureSink {
    var word: [UInt32] = []
    var char: [UInt32] = []
    mutating func add(block: Int, bucket: UInt32, text: () -> String) {
        if block == 0 { word.append(bucket) } else { char.append(bucket) }
    }
}

/// Collects bucket ids with the n-gram text (for explanations).
struct TextNGramCollector: TextFeatureSink {
    var names: [UInt32: String] = [:]
    mutating func add(block: Int, bucket: UInt32, text: () -> String) {
        if names[bucket] == nil { names[bucket] = (block == 0 ? "w:" : "c:") + text() }
    }
}

/// Raw counts of one text: sorted unique buckets with counts, per block.
struct TextRawCounts: Sendable {
    var wordBuckets: [UInt32] = []
    var wordCounts: [Float] = []
    var charBuckets: [UInt32] = []
    var charCounts: [Float] = []
    /// Word-vector ids of the tokens, in order (empty without word vectors).
    var vectorIDs: [Int32] = []

    init() {}

    init(collector c: TextBucketCollector) {
        (wordBuckets, wordCounts) = Self.runLength(c.word)
        (charBuckets, charCounts) = Self.runLength(c.char)
    }

    static func runLength(_ input: [UInt32]) -> ([UInt32], [Float]) {
        if input.isEmpty { return ([], []) }
        let s = input.sorted()
        var b: [UInt32] = []
        var c: [Float] = []
        b.reserveCapacity(s.count / 2)
        c.reserveCapacity(s.count / 2)
        var prev = s[0]
        var n: Float = 0
        for x in s {
            if x == prev {
                n += 1
            } else {
                b.append(prev)
                c.append(n)
                prev = x
                n = 1
            }
        }
        b.append(prev)
        c.append(n)
        return (b, c)
    }
}

/// Hashed word + character n-gram TF-IDF vectoriser with a compact index over the buckets seen
/// in training.
public struct TextVectorizer: Sendable {
    public let normalizer: TextNormalizer
    public let options: TextFeatureOptions
    /// Sorted hashed bucket ids that were kept; feature `i` is bucket `activeBuckets[i]`.
    public let activeBuckets: [UInt32]
    /// IDF per feature (1 when `useIDF` is off).
    public let idf: [Float]
    private let bucketToFeature: [Int32]
    /// The word vectors named by `options.wordVectors`, loaded.
    public let wordVectors: TextWordVectors?
    /// Smooth IDF per word-vector id, from the training texts (empty without word vectors).
    public let wordVectorIDF: [Float]

    /// N-gram features (indices below this) come first; the word-vector block follows.
    public var sparseFeatureCount: Int { activeBuckets.count }
    public var featureCount: Int { activeBuckets.count + (wordVectors?.dimension ?? 0) }

    public init(
        normalizer: TextNormalizer, options: TextFeatureOptions, activeBuckets: [UInt32], idf: [Float],
        wordVectorIDF: [Float] = []
    ) throws {
        try options.validate()
        guard activeBuckets.count == idf.count else { throw TextError.invalidModel("idf length mismatch") }
        if let id = options.wordVectors {
            let vectors = try TextWordVectors.named(id)
            guard wordVectorIDF.count == vectors.wordCount else {
                throw TextError.invalidModel("word-vector IDF has \(wordVectorIDF.count) entries, '\(id)' \(vectors.wordCount) words")
            }
            self.wordVectors = vectors
            self.wordVectorIDF = wordVectorIDF
        } else {
            self.wordVectors = nil
            self.wordVectorIDF = []
        }
        var map = [Int32](repeating: -1, count: options.bucketCount)
        var previous: Int64 = -1
        for (i, b) in activeBuckets.enumerated() {
            guard Int(b) < map.count, Int64(b) > previous else {
                throw TextError.invalidModel("active buckets must be increasing and below the bucket count")
            }
            previous = Int64(b)
            map[Int(b)] = Int32(i)
        }
        self.normalizer = normalizer
        self.options = options
        self.activeBuckets = activeBuckets
        self.idf = idf
        self.bucketToFeature = map
    }

    static func rawCounts(
        _ text: String, normalizer: TextNormalizer, options: TextFeatureOptions, vectors: TextWordVectors?
    ) -> TextRawCounts {
        var collector = TextBucketCollector()
        TextHashing.extract(normalizer.normalizedScalars(text), options: options, into: &collector)
        var raw = TextRawCounts(collector: collector)
        if let vectors { raw.vectorIDs = vectors.tokenIDs(text) }
        return raw
    }

    /// Learns the kept buckets and IDF from `texts` and returns the vectoriser with the TF-IDF
    /// matrix of those texts. Work is spread over the available cores.
    public static func fit(
        texts: [String], normalizer: TextNormalizer = TextNormalizer(), options: TextFeatureOptions = TextFeatureOptions(),
        wordVectorDirectories: [String] = []
    ) throws -> (TextVectorizer, TextSparseMatrix) {
        let r = try fitWithBlocks(texts: texts, normalizer: normalizer, options: options,
                                  wordVectorDirectories: wordVectorDirectories)
        return (r.vectorizer, r.matrix)
    }

    /// As `fit`, also telling which features come from word n-grams (`true`) rather than
    /// character n-grams (a bucket shared by both counts as a word feature).
    /// (`wordVectorDirectories`: where `options.wordVectors` are found, see `TextWordVectors.named(_:searching:)`.)
    public static func fitWithBlocks(
        texts: [String], normalizer: TextNormalizer = TextNormalizer(), options: TextFeatureOptions = TextFeatureOptions(),
        wordVectorDirectories: [String] = []
    ) throws -> (vectorizer: TextVectorizer, matrix: TextSparseMatrix, isWordFeature: [Bool]) {
        try options.validate()
        guard !texts.isEmpty else { throw TextError.emptyInput("no training texts") }
        let vectors = try options.wordVectors.map { try TextWordVectors.named($0, searching: wordVectorDirectories) }
        let raws = textParallelMap(count: texts.count) { i in
            rawCounts(texts[i], normalizer: normalizer, options: options, vectors: vectors)
        }
        var df = [Int32](repeating: 0, count: options.bucketCount)
        var wordBucket = [Bool](repeating: false, count: options.bucketCount)
        for r in raws {
            for b in r.wordBuckets {
                df[Int(b)] += 1
                wordBucket[Int(b)] = true
            }
            for b in r.charBuckets { df[Int(b)] += 1 }
        }
        let n = Float(texts.count)
        /// Smooth IDF `ln((1 + n) / (1 + df)) + 1`, for n-gram buckets and word-vector ids alike.
        func smoothIDF(_ d: Int32) -> Float { Float(log(Double(1 + n) / Double(1 + d)) + 1) }
        var active: [UInt32] = []
        var idf: [Float] = []
        for (b, d) in df.enumerated() where d >= Int32(options.minDocumentFrequency) {
            active.append(UInt32(b))
            idf.append(options.useIDF ? smoothIDF(d) : 1)
        }
        var vectorIDF: [Float] = []
        if let vectors {
            var vdf = [Int32](repeating: 0, count: vectors.wordCount)
            for r in raws { for id in Set(r.vectorIDs) { vdf[Int(id)] += 1 } }
            vectorIDF = vdf.map(smoothIDF)
        }
        let vectorizer = try TextVectorizer(
            normalizer: normalizer, options: options, activeBuckets: active, idf: idf, wordVectorIDF: vectorIDF)
        let rows = textParallelMap(count: raws.count) { i in vectorizer.vector(raws[i]) }
        var matrix = TextSparseMatrix(columnCount: vectorizer.featureCount)
        for r in rows { matrix.append(r) }
        return (vectorizer, matrix,
                active.map { wordBucket[Int($0)] } + [Bool](repeating: false, count: vectors?.dimension ?? 0))
    }

    /// TF-IDF vector of one text.
    public func transform(_ text: String) -> TextSparseVector {
        vector(Self.rawCounts(text, normalizer: normalizer, options: options, vectors: wordVectors))
    }

    /// TF-IDF matrix of many texts (parallel).
    public func transform(_ texts: [String]) -> TextSparseMatrix {
        let rows = textParallelMap(count: texts.count) { i in transform(texts[i]) }
        var m = TextSparseMatrix(columnCount: featureCount)
        for r in rows { m.append(r) }
        return m
    }

    /// Feature index → n-gram text (`w:` word, `c:` character) for the features of one text.
    public func featureNames(in text: String) -> [Int32: String] {
        var collector = TextNGramCollector()
        TextHashing.extract(normalizer.normalizedScalars(text), options: options, into: &collector)
        var out: [Int32: String] = [:]
        for (b, name) in collector.names {
            let f = bucketToFeature[Int(b)]
            if f >= 0 { out[f] = name }
        }
        return out
    }

    /// Kept features produced by each word of the text on its own (its character n-grams and
    /// word unigram), with the word as written after normalisation.
    public func wordFeatures(in text: String) -> [(word: String, features: Set<Int32>)] {
        let scalars = normalizer.normalizedScalars(text)
        return TextTokenizer.wordRanges(scalars).map { r in
            let word = Array(scalars[r])
            var collector = TextBucketCollector()
            TextHashing.extract(word, options: options, into: &collector)
            var set = Set<Int32>()
            for b in collector.word + collector.char where bucketToFeature[Int(b)] >= 0 {
                set.insert(bucketToFeature[Int(b)])
            }
            return (String(String.UnicodeScalarView(word)), set)
        }
    }

    func vector(_ raw: TextRawCounts) -> TextSparseVector {
        var idx: [Int32] = []
        var val: [Float] = []
        idx.reserveCapacity(raw.wordBuckets.count + raw.charBuckets.count)
        val.reserveCapacity(idx.capacity)
        appendBlock(raw.wordBuckets, raw.wordCounts, weight: options.wordWeight, &idx, &val)
        appendBlock(raw.charBuckets, raw.charCounts, weight: options.charWeight, &idx, &val)
        // Merge (word and char buckets may coincide), then normalise the whole vector.
        let order = idx.indices.sorted { idx[$0] < idx[$1] }
        var out = TextSparseVector()
        out.indices.reserveCapacity(idx.count)
        out.values.reserveCapacity(idx.count)
        for k in order {
            if let last = out.indices.last, last == idx[k] {
                out.values[out.values.count - 1] += val[k]
            } else {
                out.indices.append(idx[k])
                out.values.append(val[k])
            }
        }
        var norm: Float = 0
        for v in out.values { norm += v * v }
        if norm > 0 {
            let inv = 1 / norm.squareRoot()
            for k in out.values.indices { out.values[k] *= inv }
        }
        if let wordVectors, !raw.vectorIDs.isEmpty {
            var mean = [Float](repeating: 0, count: wordVectors.dimension)
            for id in raw.vectorIDs { wordVectors.accumulate(id, weight: wordVectorIDF[Int(id)], into: &mean) }
            var sq: Float = 0
            for v in mean { sq += v * v }
            if sq > 0 {
                let scale = options.wordVectorWeight / sq.squareRoot()
                let base = Int32(sparseFeatureCount)
                for (j, v) in mean.enumerated() {
                    out.indices.append(base + Int32(j))
                    out.values.append(v * scale)
                }
            }
        }
        return out
    }

    private func appendBlock(
        _ buckets: [UInt32], _ counts: [Float], weight: Float, _ idx: inout [Int32], _ val: inout [Float]
    ) {
        let start = idx.count
        var norm: Float = 0
        for (b, c) in zip(buckets, counts) {
            let f = bucketToFeature[Int(b)]
            if f < 0 { continue }
            let tf = options.binaryTF ? 1 : (options.sublinearTF ? 1 + log(c) : c)
            let v = tf * idf[Int(f)]
            idx.append(f)
            val.append(v)
            norm += v * v
        }
        if norm > 0 {
            let scale = weight / norm.squareRoot()
            for k in start..<val.count { val[k] *= scale }
        }
    }
}

/// Maps `0..<count` in parallel over the available cores, keeping order.
func textParallelMap<T: Sendable>(count: Int, _ body: (Int) -> T) -> [T] {
    if count == 0 { return [] }
    let slots = TextSlots<T>(count: count)
    // Few items (e.g. training jobs): one iteration each, scheduled dynamically; many items:
    // one contiguous chunk per core.
    let workers = count <= 256 ? count : min(count, max(1, ProcessInfo.processInfo.activeProcessorCount))
    let chunk = (count + workers - 1) / workers
    withoutActuallyEscaping(body) { body in
        let box = TextUncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk
            let hi = min(count, lo + chunk)
            if lo < hi { for i in lo..<hi { slots.set(i, box.value(i)) } }
        }
    }
    return slots.values()
}

/// Write-once slots filled from several threads (each index by exactly one thread).
final class TextSlots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    private let count: Int
    init(count: Int) {
        self.count = count
        base = UnsafeMutablePointer<T?>.allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }
    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
    func set(_ i: Int, _ v: T) { base[i] = v }
    func values() -> [T] { (0..<count).map { base[$0]! } }
}

/// Carries a non-Sendable value into `concurrentPerform`; callers guarantee thread safety.
struct TextUncheckedBox<V>: @unchecked Sendable {
    let value: V
    init(_ value: V) { self.value = value }
}
