import AqylKit
import Foundation
import Testing

@Suite("Kit: hashing, seeded generators, hex, parallel helpers")
struct SupportTests {
    @Test func sha256KnownVectors() throws {
        #expect(Hashing.sha256Hex(bytes: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hashing.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(Hashing.sha256Hex(Data(long.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256Digest.hex(Array(long.utf8)) == Hashing.sha256Hex(long))
        // Incremental in odd pieces equals one shot.
        let text = String(repeating: "Ақыл — mind, counsel. ", count: 50)
        var d = SHA256Digest()
        let bytes = Array(text.utf8)
        var i = 0
        for size in [1, 7, 64, 63, 65, 200] where i < bytes.count {
            let j = min(bytes.count, i + size)
            Array(bytes[i..<j]).withUnsafeBytes { d.update(data: $0) }
            i = j
        }
        d.update(bytes: Array(bytes[i...]))
        #expect(d.finalizeHex() == Hashing.sha256Hex(text))
        var s = SHA256Digest()
        s.update(string: "ab")
        s.update(string: "c")
        #expect(s.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // A file, read in chunks.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kit-sha-\(UUID().uuidString)").path
        let big = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try big.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Hashing.sha256Hex(fileAt: path) == Hashing.sha256Hex(big))
        #expect(throws: (any Error).self) { try Hashing.sha256Hex(fileAt: path + ".missing") }
    }

    @Test func hmacRFC4231() {
        // RFC 4231 test cases 1 and 2.
        let key1 = Data(repeating: 0x0b, count: 20)
        #expect(Hashing.hmacSHA256Hex(key: key1, message: "Hi There")
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hashing.hmacSHA256Hex(key: Data("Jefe".utf8), message: "what do ya want for nothing?")
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hexRoundTrip() {
        let d = Data([0x00, 0x0f, 0xa5, 0xff])
        #expect(d.hexString == "000fa5ff")
        #expect(Data(hex: "000FA5ff") == d)
        #expect(Data(hex: "abc") == nil)
        #expect(Data(hex: "zz") == nil)
        #expect(Data(hex: "") == Data())
    }

    /// Reference outputs computed independently (a Python transcription of SplitMix64 and xoshiro256**): trained
    /// models and published figures depend on these exact streams.
    @Test func seededGeneratorsKeepTheirStreams() {
        var sm = SplitMix64(seed: 42)
        #expect([sm.next(), sm.next(), sm.next()] == [13679457532755275413, 2949826092126892291, 5139283748462763858])
        var x = SeededGenerator(seed: 42)
        #expect([x.next(), x.next(), x.next()] == [1546998764402558742, 6990951692964543102, 12544586762248559009])
        var b = SeededGenerator(seed: 7)
        #expect((0..<5).map { _ in b.below(1000) } == [700, 278, 839, 981, 990])
        #expect(SeededGenerator.derive(7, 3) == 15604278280141874300)
        #expect(SeededGenerator.derive(0, 0) == 11091344671253066420)
    }

    @Test func parallelForVisitsEveryIndexOnce() {
        let slots = Slots<Int>(count: 1000)
        parallelFor(1000, threads: 4) { slots.set($0, $0 * 2) }
        #expect(slots.values() == (0..<1000).map { $0 * 2 })
        let counter = WorkCounter(limit: 3)
        #expect([counter.take(), counter.take(), counter.take(), counter.take()] == [0, 1, 2, nil])
        let shared = SharedCounter()
        parallelFor(100, threads: 3) { _ in _ = shared.increment() }
        #expect(shared.increment() == 101)
        #expect(defaultThreadCount() >= 1)
    }
}
