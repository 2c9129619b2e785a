import AqylML
import Foundation

/// How lexical and dense rankings are combined.
public struct RetrievalConfig: Sendable, Codable, Equatable {
    public var bm25: BM25Parameters
    /// Reciprocal rank fusion constant k in w / (k + rank).
    public var rrfK: Double
    /// Weight of the dense ranking (the BM25 ranking has weight 1).
    public var denseWeight: Double
    /// How deep each ranking is read before fusion.
    public var depth: Int
    /// Re-ranking of the first `rerankDepth` fused chunks by score / best score + `coverageWeight` × the
    /// idf-weighted share of the question's terms the chunk contains (0 = no re-ranking).
    public var coverageWeight: Double
    public var rerankDepth: Int

    /// Textbook defaults (BM25 k1 1.2, b 0.75; RRF k 60). `aqyl legal tune` chooses the settings of an index on
    /// dev questions and writes them to `INDEX.tuned.json`, which the CLI reads.
    public init(bm25: BM25Parameters = BM25Parameters(k1: 1.2, b: 0.75), rrfK: Double = 60, denseWeight: Double = 1, depth: Int = 100,
                coverageWeight: Double = 0, rerankDepth: Int = 30) {
        self.bm25 = bm25
        self.rrfK = rrfK
        self.denseWeight = denseWeight
        self.depth = depth
        self.coverageWeight = coverageWeight
        self.rerankDepth = rerankDepth
    }
}

/// Reciprocal rank fusion: each list gives `weight / (k + rank)` (rank from 1) to each of its items; items
/// are sorted by the sum, ties broken by the first list's order, then by chunk index.
public enum RankFusion {
    public static func reciprocalRank(_ lists: [(items: [Int], weight: Double)], k: Double) -> [ScoredChunk] {
        var score: [Int: Double] = [:]
        var firstSeen: [Int: Int] = [:]
        var order = 0
        for (items, weight) in lists {
            for (r, item) in items.enumerated() {
                score[item, default: 0] += weight / (k + Double(r + 1))
                if firstSeen[item] == nil {
                    firstSeen[item] = order
                    order += 1
                }
            }
        }
        return score.map { ScoredChunk(chunk: $0.key, score: $0.value) }.sorted {
            $0.score != $1.score ? $0.score > $1.score : firstSeen[$0.chunk]! < firstSeen[$1.chunk]!
        }
    }
}

/// One question's retrieval with the evidence for its confidence.
public struct RetrievalResult: Sendable {
    public var language: LegalLanguage
    public var ranked: [ScoredChunk]
    /// idf-weighted share of the question's terms found in the best chunk (0…1).
    public var coverage: Double
    /// Best idf-weighted coverage among the first five chunks.
    public var bestCoverage: Double
    /// Cosine of the question with the best chunk (nil without vectors).
    public var cosine: Double?
    /// Best cosine among all embedded chunks considered.
    public var bestCosine: Double?
    /// Milliseconds spent (embedding included).
    public var milliseconds: Double
    /// The question's E5 vector, when dense retrieval ran.
    public var queryVector: [Float]? = nil
}

/// Searches an index: BM25 over stemmed terms, E5 vectors when the index has them and an embedder is given,
/// fused by reciprocal rank; optionally restricted to the law as of a date.
public struct LegalRetriever: Sendable {
    public let index: LegalIndex
    public let embedder: E5Embedder?
    public var config: RetrievalConfig

    public init(index: LegalIndex, embedder: E5Embedder?, config: RetrievalConfig = RetrievalConfig()) {
        self.index = index
        self.embedder = index.hasDense ? embedder : nil
        self.config = config
    }

    public var usesDense: Bool { embedder != nil }

    /// - Parameter queryVector: the question's E5 vector when the caller already has it (tuning reuses them).
    public func search(_ question: String, top: Int = 10, asOf: LegalDate? = nil, lexicalOnly: Bool = false,
                       queryVector: [Float]? = nil) throws -> RetrievalResult {
        let clock = ContinuousClock.now
        let lang = LegalLanguage.detect(question)
        let keep: (Int) -> Bool = { index.applies($0, on: asOf) }
        let depth = max(config.depth, top)
        let bm = index.bm25Scores(question, language: lang, parameters: config.bm25)
        // Terms shared across languages (numbers, loanwords) are noise, not evidence: the lexical ranking only
        // holds chunks in the question's language; other languages are reached through the E5 vectors.
        let lexical = LegalIndex.top(bm, k: depth, minimum: 0, keep: { index.language($0) == lang && keep($0) })
        var ranked: [ScoredChunk]
        var dense: [Float]?
        var qv: [Float]?
        if let embedder, !lexicalOnly {
            let q = try queryVector ?? embedder.embed(question, as: .query)
            qv = q
            let ds = index.denseScores(q)
            dense = ds
            let semantic = LegalIndex.top(ds, k: depth, minimum: -1.5, keep: keep)
            ranked = RankFusion.reciprocalRank([(lexical.map(\.chunk), 1), (semantic.map(\.chunk), config.denseWeight)], k: config.rrfK)
        } else {
            ranked = lexical
        }
        let (mass, known) = index.questionIDFMass(question, language: lang)
        func coverage(_ c: Int) -> Double {
            guard mass > 0 else { return 0 }
            var got = 0.0
            for (t, idf, _) in known {
                // Is term t in chunk c? Postings are sorted by chunk.
                let lo = Int(index.postingStart[t]), hi = Int(index.postingStart[t + 1])
                var a = lo, b = hi - 1
                while a <= b {
                    let m = (a + b) / 2
                    let d = Int(index.postingDoc[m])
                    if d == c { got += idf; break }
                    if d < c { a = m + 1 } else { b = m - 1 }
                }
            }
            return got / mass
        }
        if config.coverageWeight > 0, let maxScore = ranked.first?.score, maxScore > 0 {
            let head = ranked.prefix(config.rerankDepth).map { ScoredChunk(chunk: $0.chunk, score: $0.score / maxScore + config.coverageWeight * coverage($0.chunk)) }
            ranked = head.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
                .map(\.element) + ranked.dropFirst(config.rerankDepth)
        }
        ranked = Array(ranked.prefix(top))
        let cov = ranked.first.map { coverage($0.chunk) } ?? 0
        let best = ranked.prefix(5).map { coverage($0.chunk) }.max() ?? 0
        var cosine: Double?
        var bestCosine: Double?
        if let dense, let first = ranked.first {
            cosine = Double(dense[first.chunk])
            bestCosine = ranked.prefix(5).map { Double(dense[$0.chunk]) }.max()
        }
        let elapsed = ContinuousClock.now - clock
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return RetrievalResult(language: lang, ranked: ranked, coverage: cov, bestCoverage: best, cosine: cosine, bestCosine: bestCosine,
                               milliseconds: ms, queryVector: qv)
    }
}
