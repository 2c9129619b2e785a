import AqylKit
import AqylML
import Foundation

/// The work behind `aqyl legal …`, free of argument parsing so that tests and other front ends reuse it.
public enum LegalCommands {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ d: String) { description = d }
    }

    /// Which chunks get E5 vectors at index time.
    public enum DensePolicy: String, Sendable, CaseIterable {
        /// Every chunk (hours for tens of thousands of long passages on two cores: see the benchmark).
        case all
        /// Chunks of imported acts (Markdown), not CSV passages.
        case acts
        /// No vectors: BM25 only.
        case none
    }

    public static func sha256(file: String) -> String {
        guard let d = FileManager.default.contents(atPath: file) else { return "" }
        return Hashing.sha256Hex(d)
    }

    /// `aqyl legal index`: reads passages and/or acts, builds and writes the index; returns it.
    public static func index(passages: String?, acts: String?, out: String, dense: DensePolicy, embedder: E5Embedder?, denseChars: Int = 0,
                             languages: Set<LegalLanguage> = Set(LegalLanguage.allCases), repealed: [(String, LegalDate)] = [],
                             analyzer: LegalAnalyzer = .standard, bm25: BM25Parameters = RetrievalConfig().bm25,
                             log: (String) -> Void = { _ in }) throws -> LegalIndex {
        guard passages != nil || acts != nil else { throw Failure("give --passages FILE.csv and/or --acts DIR") }
        var corpus = LegalCorpus()
        var inputs: [String: String] = [:]
        let clock = ContinuousClock.now
        if let passages {
            do { corpus.append(try LegalCSV.passages(file: passages)) } catch { throw Failure(error.description) }
            inputs[passages] = sha256(file: passages)
            log("read \(corpus.chunks.count) passages from \(passages)")
        }
        let csvCount = corpus.chunks.count
        if let acts {
            do { corpus.append(try MarkdownActImporter.importActs(under: acts, languages: languages)) } catch { throw Failure(error.description) }
            inputs[acts] = "directory"
            log("imported \(corpus.editions.count) editions, \(corpus.chunks.count - csvCount) chunks from \(acts)")
        }
        for (act, date) in repealed where corpus.markRepealed(actId: act, on: date) == 0 {
            throw Failure("--repealed \(act)=\(date): no imported act has id \(act)")
        }
        if corpus.chunks.isEmpty { throw Failure("nothing to index") }
        if dense != .none && embedder == nil { throw Failure("dense vectors were asked for but no E5 engine is loaded") }
        var options = LegalIndex.BuildOptions(bm25: bm25, analyzer: analyzer, denseChars: denseChars, inputs: inputs)
        options.threads = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        let index = try LegalIndex.build(corpus, options: options, embedder: dense == .none ? nil : embedder,
                                         embed: { dense == .all || $0 >= csvCount }) { stage, done, total in
            if stage != "embedded" || done == total || done % 256 < 32 { log("\(stage) \(done)/\(total)") }
        }
        try index.write(to: out)
        let el = ContinuousClock.now - clock
        log(String(format: "wrote %@: %d chunks, %d terms, %d vectors in %.1f s", out, index.count, index.meta.vocabulary, index.meta.denseChunks,
                   Double(el.components.seconds) + Double(el.components.attoseconds) / 1e18))
        return index
    }

    public static func load(_ path: String) throws -> LegalIndex {
        do { return try LegalIndex.load(path) } catch { throw Failure(error.description) }
    }

    /// The retrieval settings and refusal model stored beside an index (`INDEX.tuned.json`, written by
    /// `aqyl legal tune`), else the defaults.
    public struct Tuned: Sendable, Codable, Equatable {
        public var retrieval: RetrievalConfig
        public var refusal: RefusalModel
        public var rerankWeight: Double?
    }

    public static func tuned(for indexPath: String) -> Tuned {
        if let d = FileManager.default.contents(atPath: indexPath + ".tuned.json"), let t = try? JSONDecoder().decode(Tuned.self, from: d) { return t }
        return Tuned(retrieval: RetrievalConfig(), refusal: .standard, rerankWeight: nil)
    }

    /// One line of `search` output.
    public struct SearchLine: Codable, Sendable {
        public struct Passage: Codable, Sendable {
            public var passageId: String
            public var score: Double
        }
        public var questionId: String
        public var answered: Bool
        public var passages: [Passage]
    }

    /// `aqyl legal search`: JSON lines, one per question, best passage first.
    public static func search(index: LegalIndex, tuned: Tuned, embedder: E5Embedder?, questions: String, top: Int) throws -> [SearchLine] {
        let qs: [LegalCSV.Question]
        do { qs = try LegalCSV.questions(file: questions) } catch { throw Failure(error.description) }
        let retriever = LegalRetriever(index: index, embedder: embedder, config: tuned.retrieval)
        return try qs.map { q in
            let r = try retriever.search(q.text, top: top)
            return SearchLine(questionId: q.id, answered: !tuned.refusal.refuses(RefusalFeatures(r)),
                              passages: r.ranked.map { .init(passageId: index.chunkId($0.chunk), score: ($0.score * 1e6).rounded() / 1e6) })
        }
    }

    public static func jsonLine<T: Encodable>(_ v: T) throws -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(v), as: UTF8.self)
    }

    public static func prettyJSON<T: Encodable>(_ v: T) throws -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try e.encode(v), as: UTF8.self)
    }

    /// `aqyl legal evaluate`.
    public static func evaluate(index: LegalIndex, tuned: Tuned, embedder: E5Embedder?, questions: String) throws -> LegalMetrics {
        let qs: [LegalCSV.Question]
        do { qs = try LegalCSV.questions(file: questions) } catch { throw Failure(error.description) }
        if !qs.contains(where: { $0.goldEvidence != nil }) { throw Failure("\(questions): column gold_evidence is needed to evaluate") }
        let retriever = LegalRetriever(index: index, embedder: embedder, config: tuned.retrieval)
        let o = try LegalEvaluator.outcomes(qs, retriever: retriever, refusal: tuned.refusal)
        return LegalEvaluator.metrics(o, threshold: tuned.refusal.threshold)
    }

    /// `aqyl legal ask`.
    public static func ask(index: LegalIndex, tuned: Tuned, embedder: E5Embedder?, question: String, asOf: String?) throws -> LegalAnswer {
        var date: LegalDate?
        if let asOf {
            guard let d = LegalDate(asOf) else { throw Failure("--as-of \(asOf): expected a date YYYY-MM-DD") }
            date = d
        }
        let q = question.trimmingCharacters(in: .whitespacesAndNewlines)
        if q.isEmpty { throw Failure("--question is empty") }
        let answerer = LegalAnswerer(retriever: LegalRetriever(index: index, embedder: embedder, config: tuned.retrieval), refusal: tuned.refusal)
        return try answerer.ask(q, asOf: date)
    }
}
