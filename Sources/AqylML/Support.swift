import Foundation

/// Deterministic pseudo-random generator (SplitMix64 seeding a xoshiro256** state).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = SeededGenerator.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = SeededGenerator.rotl(s3, 45)
        return result
    }

    /// Uniform integer in `0..<bound` (Lemire's multiply-shift, bias negligible for our sizes).
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        let r = next() >> 32
        return Int((r &* UInt64(bound)) >> 32)
    }

    /// Seed for the i-th independent stream derived from a master seed.
    public static func derive(_ seed: UInt64, _ index: Int) -> UInt64 {
        var g = SeededGenerator(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return g.next()
    }
}

/// Simple lock-protected work counter used to hand indices to worker threads.
final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let limit: Int
    init(limit: Int) { self.limit = limit }
    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        if nextIndex >= limit { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
}

/// Number of worker threads to use when the caller asks for "all cores".
public func defaultThreadCount() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// Runs `body(i)` for i in 0..<count on up to `threads` threads. Work is handed out dynamically;
/// callers must write results into per-index slots so the outcome does not depend on scheduling.
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let t = max(1, min(threads, count))
    if t == 1 {
        for i in 0..<count { body(i) }
        return
    }
    let counter = WorkCounter(limit: count)
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedBox(value: escapable)
        DispatchQueue.concurrentPerform(iterations: t) { _ in
            while let i = counter.take() { box.value(i) }
        }
    }
}

/// Wrapper asserting that a value may cross threads (used for closures over disjoint writes).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
}

/// Per-index result slots written from worker threads (each index written by exactly one worker).
final class Slots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); items[i] = value; lock.unlock() }
    func values() -> [T] { items.map { $0! } }
}

/// A raw mutable pointer that may be shared between workers writing disjoint ranges.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Small SHA-256 implementation (FIPS 180-4), used for training-data digests.
public struct SHA256Digest: Sendable {
    private var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    private var buffer: [UInt8] = []
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public init() {}

    public mutating func update(data: UnsafeRawBufferPointer) {
        var i = 0
        let n = data.count
        while i < n {
            let take = min(64 - buffer.count, n - i)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[i..<(i + take)]))
            i += take
            if buffer.count == 64 { compress(); buffer.removeAll(keepingCapacity: true) }
        }
        processed &+= UInt64(n)
    }

    private var processed: UInt64 = 0

    public mutating func update(string: String) {
        let bytes = Array(string.utf8)
        bytes.withUnsafeBytes { update(data: $0) }
    }

    private mutating func compress() {
        var w = [UInt32](repeating: 0, count: 64)
        for i in 0..<16 {
            w[i] = UInt32(buffer[i * 4]) << 24 | UInt32(buffer[i * 4 + 1]) << 16
                | UInt32(buffer[i * 4 + 2]) << 8 | UInt32(buffer[i * 4 + 3])
        }
        @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
        for i in 0..<64 {
            let S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = hh &+ S1 &+ ch &+ SHA256Digest.k[i] &+ w[i]
            let S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = S0 &+ maj
            hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
        h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
    }

    /// Finishes the hash and returns the lowercase hex digest.
    public mutating func finalizeHex() -> String {
        let bitLength = processed &* 8
        var pad: [UInt8] = [0x80]
        let used = (buffer.count + 1) % 64
        let zeros = used <= 56 ? 56 - used : 120 - used
        pad += [UInt8](repeating: 0, count: zeros)
        for i in (0..<8).reversed() { pad.append(UInt8((bitLength >> (UInt64(i) * 8)) & 0xff)) }
        pad.withUnsafeBytes { update(data: $0) }
        return h.map { String(format: "%08x", $0) }.joined()
    }

    /// Convenience: SHA-256 of a byte string, hex encoded.
    public static func hex(_ bytes: [UInt8]) -> String {
        var d = SHA256Digest()
        bytes.withUnsafeBytes { d.update(data: $0) }
        return d.finalizeHex()
    }
}
