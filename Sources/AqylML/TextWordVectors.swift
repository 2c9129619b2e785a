import AqylKit
import Foundation

/// Pretrained word vectors in navec's product-quantised layout (Kukushkin's navec, MIT licence): each word's
/// vector is the concatenation of `qdim` sub-vectors, each chosen from 256 centroids, so 250k words × 300
/// dimensions take 25 MB. `scripts/install-embeddings.sh` unpacks them from the PyPI wheel of `natasha` into
/// `.embeddings/<id>/` as `vocab.txt` (one word per line, line number = word id), `pq.bin` (navec's own
/// little-endian file: header vectors, dim, qdim, centroids as UInt32; then vectors × qdim UInt8 centroid
/// indexes; then qdim × centroids × dim/qdim Float32 codes) and `meta.json`.
public final class TextWordVectors: Sendable {
    public let id: String
    public let dimension: Int
    public let wordCount: Int
    /// SHA-256 of `pq.bin`, recorded in models so a model never runs on other vectors.
    public let digest: String
    private let index: [String: Int32]
    private let codes: [UInt8]
    private let centroids: [Float]
    private let subspaces: Int
    private let subDimension: Int
    private let centroidCount: Int

    /// The usual directories to search for `<id>/`, in order: `explicit` (the caller's flag or configuration, e.g.
    /// the CLI's `AQYL_EMBEDDINGS_DIR`) when given, then `.embeddings` in the working directory and its parents (up to
    /// five levels), then `.embeddings` beside the executable and its parents. Reads no environment.
    public static func searchDirectories(explicit: String? = nil) -> [String] {
        var dirs: [String] = []
        if let explicit, !explicit.isEmpty { dirs.append(explicit) }
        for start in [FileManager.default.currentDirectoryPath, (CommandLine.arguments.first.map {
            URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? "")] where !start.isEmpty {
            var url = URL(fileURLWithPath: start)
            for _ in 0..<6 {
                dirs.append(url.appendingPathComponent(".embeddings").path)
                let up = url.deletingLastPathComponent()
                if up.path == url.path { break }
                url = up
            }
        }
        return dirs
    }

    /// The first of `directories` holding `<id>/pq.bin`, as the path of `<id>/`.
    static func locate(_ id: String, in directories: [String]) -> String? {
        directories.lazy.map { URL(fileURLWithPath: $0).appendingPathComponent(id).path }
            .first { FileManager.default.fileExists(atPath: $0 + "/pq.bin") }
    }

    /// The vectors called `id`: the ones already loaded (or registered) in this process, else the first
    /// `<directory>/<id>/` of `directories` that holds them (loaded once per process). With no directories only
    /// loaded or registered vectors are found.
    public static func named(_ id: String, searching directories: [String] = []) throws -> TextWordVectors {
        try cache.get(id) {
            if let path = locate(id, in: directories) { return try TextWordVectors(directory: path, id: id) }
            throw TextError.invalidOption(
                "word vectors '\(id)' are not installed: run scripts/install-embeddings.sh (looked in "
                    + (directories.isEmpty ? "no directory" : directories.joined(separator: ", "))
                    + "; AQYL_EMBEDDINGS_DIR names another)")
        }
    }

    /// Makes `vectors` the ones `named(vectors.id)` returns in this process (vectors kept elsewhere than the
    /// search directories; tests).
    public static func register(_ vectors: TextWordVectors) { cache.put(vectors) }

    /// Whether `named(id, searching: directories)` would find the vectors.
    public static func isInstalled(_ id: String, searching directories: [String] = []) -> Bool {
        cache.has(id) || locate(id, in: directories) != nil
    }

    public static let navecNews = "navec_news_v1_1B_250K_300d_100q"

    private static let cache = TextVectorCache()

    public init(directory: String, id: String) throws {
        let fail = { (m: String) in TextError.invalidModel("word vectors \(directory): \(m)") }
        guard let pq = FileManager.default.contents(atPath: directory + "/pq.bin"),
            let vocabData = FileManager.default.contents(atPath: directory + "/vocab.txt")
        else { throw fail("cannot read pq.bin and vocab.txt") }
        guard pq.count >= 16 else { throw fail("pq.bin too short") }
        let header = (TextBytes.uint32s(Data(pq.prefix(16))) ?? []).map(Int.init)
        let (n, dim, qdim, cents) = (header[0], header[1], header[2], header[3])
        guard n > 0, dim > 0, qdim > 0, dim % qdim == 0, cents > 0, cents <= 256,
            pq.count == 16 + n * qdim + qdim * cents * (dim / qdim) * 4
        else { throw fail("pq.bin header does not match its size") }
        guard let text = String(data: vocabData, encoding: .utf8) else { throw fail("vocab.txt is not UTF-8") }
        var words = text.split(separator: "\n", omittingEmptySubsequences: false)
        if words.last == "" { words.removeLast() }
        guard words.count == n else { throw fail("vocab.txt has \(words.count) words, pq.bin \(n) vectors") }
        var index: [String: Int32] = [:]
        index.reserveCapacity(n)
        for (i, w) in words.enumerated() where !w.hasPrefix("<") { index[String(w)] = Int32(i) }
        self.index = index
        self.codes = [UInt8](pq[(pq.startIndex + 16)..<(pq.startIndex + 16 + n * qdim)])
        self.centroids = TextBytes.floats(Data(pq[(pq.startIndex + 16 + n * qdim)...])) ?? []
        self.id = id
        self.dimension = dim
        self.wordCount = n
        self.subspaces = qdim
        self.subDimension = dim / qdim
        self.centroidCount = cents
        self.digest = Hashing.sha256Hex(pq)
    }

    /// Word ids of the text's tokens (lower-cased runs of letters; a word missing as written is tried with
    /// ё → е), in order; unknown words are skipped.
    public func tokenIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        var word = String.UnicodeScalarView()
        func flush() {
            if word.isEmpty { return }
            let w = String(word)
            if let i = index[w] {
                ids.append(i)
            } else if w.unicodeScalars.contains("ё"), let i = index[w.replacingOccurrences(of: "ё", with: "е")] {
                ids.append(i)
            }
            word.removeAll()
        }
        for s in text.lowercased().unicodeScalars {
            if s.properties.isAlphabetic { word.append(s) } else { flush() }
        }
        flush()
        return ids
    }

    /// Adds `weight` × the vector of word `id` to `into` (length `dimension`).
    public func accumulate(_ id: Int32, weight: Float, into v: inout [Float]) {
        let base = Int(id) * subspaces
        for q in 0..<subspaces {
            let c = Int(codes[base + q])
            let off = (q * centroidCount + c) * subDimension
            for j in 0..<subDimension { v[q * subDimension + j] += weight * centroids[off + j] }
        }
    }
}

/// Loads each set of word vectors once per process.
final class TextVectorCache: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: TextWordVectors] = [:]
    func get(_ id: String, load: () throws -> TextWordVectors) throws -> TextWordVectors {
        lock.lock()
        defer { lock.unlock() }
        if let v = loaded[id] { return v }
        let v = try load()
        loaded[id] = v
        return v
    }
    func put(_ v: TextWordVectors) {
        lock.lock()
        defer { lock.unlock() }
        loaded[v.id] = v
    }
    func has(_ id: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return loaded[id] != nil
    }
}
