import Foundation

/// Deterministic pseudo-random generator: SplitMix64 seeding a xoshiro256** state. The forest's bootstrap samples and
/// feature draws come from it, so its output is part of every trained model: never change the algorithm.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    @inlinable
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = SeededGenerator.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = SeededGenerator.rotl(s3, 45)
        return result
    }

    /// Uniform integer in `0..<bound` (Lemire's multiply-shift on the high 32 bits; bias negligible for our sizes).
    @inlinable @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        let r = next() >> 32
        return Int((r &* UInt64(bound)) >> 32)
    }

    /// Seed for the i-th independent stream derived from a master seed.
    @inlinable
    public static func derive(_ seed: UInt64, _ index: Int) -> UInt64 {
        var g = SeededGenerator(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return g.next()
    }
}

/// SplitMix64 (Steele, Lea and Flood): small and fast, for shuffles, folds and synthetic data. Deterministic for a seed;
/// the text classifier's folds and the demo data depend on its exact output.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    @inlinable
    public init(seed: UInt64) { state = seed }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
