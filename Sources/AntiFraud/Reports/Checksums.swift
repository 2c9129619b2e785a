import AqylKit
import AqylML
import Foundation

/// Keccak-256 as Ethereum uses it (the original Keccak padding 0x01…0x80, not FIPS 202 SHA3-256's 0x06):
/// Keccak-f[1600], rate 1088 bits (136 bytes), 256-bit output.
public enum Keccak256 {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    /// Rotation offsets r[x + 5y].
    static let rotations: [UInt64] = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]

    @inline(__always) static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { n == 0 ? x : (x << n) | (x >> (64 - n)) }

    static func permute(_ a: inout [UInt64]) {
        var b = [UInt64](repeating: 0, count: 25)
        var c = [UInt64](repeating: 0, count: 5)
        for round in 0..<24 {
            // θ
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in 0..<5 { a[x + 5 * y] ^= d }
            }
            // ρ and π
            for x in 0..<5 {
                for y in 0..<5 {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotations[x + 5 * y])
                }
            }
            // χ
            for x in 0..<5 {
                for y in 0..<5 { a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]) }
            }
            // ι
            a[0] ^= roundConstants[round]
        }
    }

    public static func hash(_ message: [UInt8]) -> [UInt8] {
        let rate = 136
        var state = [UInt64](repeating: 0, count: 25)
        var padded = message
        padded.append(0x01)
        while padded.count % rate != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        for block in stride(from: 0, to: padded.count, by: rate) {
            for i in 0..<(rate / 8) {
                var lane: UInt64 = 0
                for k in 0..<8 { lane |= UInt64(padded[block + 8 * i + k]) << (8 * UInt64(k)) }
                state[i] ^= lane
            }
            permute(&state)
        }
        var out: [UInt8] = []
        for i in 0..<4 { for k in 0..<8 { out.append(UInt8((state[i] >> (8 * UInt64(k))) & 0xFF)) } }
        return out
    }

    public static func hex(_ message: String) -> String { hash(Array(message.utf8)).map { String(format: "%02x", $0) }.joined() }
}

/// SHA-256 bytes (AqylML's digest gives hex).
enum SHA256Bytes {
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array(SHA256Digest.hex(bytes).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var i = 0
        while i < hex.count {
            func v(_ c: UInt8) -> UInt8 { c >= 0x61 ? c - 0x61 + 10 : c - 0x30 }
            out.append(v(hex[i]) << 4 | v(hex[i + 1]))
            i += 2
        }
        return out
    }
}

/// Base58 (Bitcoin alphabet) and Base58Check.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let index: [Int8] = {
        var t = [Int8](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    /// Bytes of a Base58 string; nil for a character outside the alphabet.
    public static func decode(_ s: String) -> [UInt8]? {
        var bytes: [UInt8] = []  // big-endian, grows
        var zeros = 0, leading = true
        for c in s.utf8 {
            guard c < 128, index[Int(c)] >= 0 else { return nil }
            let d = Int(index[Int(c)])
            if leading && d == 0 { zeros += 1; continue }
            leading = false
            var carry = d
            for i in stride(from: bytes.count - 1, through: 0, by: -1) {
                let v = Int(bytes[i]) * 58 + carry
                bytes[i] = UInt8(v & 0xFF)
                carry = v >> 8
            }
            while carry > 0 { bytes.insert(UInt8(carry & 0xFF), at: 0); carry >>= 8 }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var digits: [Int] = []  // little-endian base 58
        for b in bytes {
            var carry = Int(b)
            for i in digits.indices {
                let v = digits[i] * 256 + carry
                digits[i] = v % 58
                carry = v / 58
            }
            while carry > 0 { digits.append(carry % 58); carry /= 58 }
        }
        let zeros = bytes.prefix { $0 == 0 }.count
        return String(repeating: "1", count: zeros) + String(decoding: digits.reversed().map { alphabet[$0] }, as: UTF8.self)
    }

    /// The payload of a Base58Check string (version byte included) when its 4-byte double-SHA-256 checksum holds.
    public static func decodeCheck(_ s: String) -> [UInt8]? {
        guard let raw = decode(s), raw.count > 4 else { return nil }
        let payload = Array(raw.dropLast(4)), check = Array(raw.suffix(4))
        return Array(SHA256Bytes.hash(SHA256Bytes.hash(payload)).prefix(4)) == check ? payload : nil
    }

    public static func encodeCheck(_ payload: [UInt8]) -> String {
        encode(payload + Array(SHA256Bytes.hash(SHA256Bytes.hash(payload)).prefix(4)))
    }
}

/// Bech32 (BIP 173) and Bech32m (BIP 350) segwit addresses.
public enum Bech32 {
    public enum Variant: String, Sendable, Codable { case bech32, bech32m }
    static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    static func polymod(_ values: [UInt8]) -> UInt32 {
        let gen: [UInt32] = [0x3B6A_57B2, 0x2650_8E6D, 0x1EA1_19FA, 0x3D42_33DD, 0x2A14_62B3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1FF_FFFF) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= gen[i] }
        }
        return chk
    }

    static func expand(_ hrp: [UInt8]) -> [UInt8] { hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } }

    /// HRP, 5-bit data (checksum removed) and variant of a Bech32/Bech32m string; nil when malformed.
    public static func decode(_ s: String) -> (hrp: String, data: [UInt8], variant: Variant)? {
        let u = Array(s.utf8)
        guard u.count <= 90, u.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { return nil }
        let hasLower = u.contains { $0 >= 0x61 && $0 <= 0x7A }, hasUpper = u.contains { $0 >= 0x41 && $0 <= 0x5A }
        guard !(hasLower && hasUpper) else { return nil }
        let lower = u.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
        guard let sep = lower.lastIndex(of: 0x31), sep >= 1, sep + 7 <= lower.count else { return nil }
        let hrp = Array(lower[..<sep])
        var data: [UInt8] = []
        for c in lower[(sep + 1)...] {
            guard let i = charset.firstIndex(of: c) else { return nil }
            data.append(UInt8(i))
        }
        let pm = polymod(expand(hrp) + data)
        let variant: Variant
        switch pm {
        case 1: variant = .bech32
        case 0x2BC8_30A3: variant = .bech32m
        default: return nil
        }
        return (String(decoding: hrp, as: UTF8.self), Array(data.dropLast(6)), variant)
    }

    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0, bits = 0
        var out: [UInt8] = []
        let maxv = (1 << to) - 1, maxAcc = (1 << (from + to - 1)) - 1
        for v in data {
            guard Int(v) >> from == 0 else { return nil }
            acc = ((acc << from) | Int(v)) & maxAcc
            bits += from
            while bits >= to { bits -= to; out.append(UInt8((acc >> bits) & maxv)) }
        }
        if pad { if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) } } else if bits >= from || ((acc << (to - bits)) & maxv) != 0 { return nil }
        return out
    }

    /// A segwit address of network `hrp`: witness version and program when every BIP 173/350 rule holds.
    public static func segwit(_ s: String, hrp expected: String) -> (version: Int, program: [UInt8])? {
        guard let d = decode(s), d.hrp == expected, let v = d.data.first, v <= 16 else { return nil }
        guard let program = convertBits(Array(d.data.dropFirst()), from: 5, to: 8, pad: false),
              program.count >= 2, program.count <= 40 else { return nil }
        if v == 0 && program.count != 20 && program.count != 32 { return nil }
        if (v == 0) != (d.variant == .bech32) { return nil }  // v0 uses Bech32, v1+ Bech32m
        return (Int(v), program)
    }

    public static func encode(hrp: String, data: [UInt8], variant: Variant) -> String {
        let h = Array(hrp.utf8)
        let constant: UInt32 = variant == .bech32 ? 1 : 0x2BC8_30A3
        let pm = polymod(expand(h) + data + [0, 0, 0, 0, 0, 0]) ^ constant
        let check = (0..<6).map { UInt8((pm >> UInt32(5 * (5 - $0))) & 31) }
        return hrp + "1" + String(decoding: (data + check).map { charset[Int($0)] }, as: UTF8.self)
    }
}

/// Luhn (ISO/IEC 7812-1 annex B) and ISO 13616 IBAN mod-97 (ISO 7064).
public enum CheckDigits {
    public static func luhn(_ digits: [UInt8]) -> Bool {
        guard !digits.isEmpty else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            var v = Int(d)
            if i % 2 == 1 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        return sum % 10 == 0
    }

    /// mod 97 of the IBAN with its first four characters moved to the end and letters as 10…35; valid when 1.
    public static func ibanMod97(_ iban: String) -> Int? {
        let u = Array(iban.utf8)
        guard u.count >= 5 else { return nil }
        var r = 0
        for c in u[4...] + u[..<4] {
            switch c {
            case 0x30...0x39: r = (r * 10 + Int(c - 0x30)) % 97
            case 0x41...0x5A: r = (r * 100 + Int(c - 0x41 + 10)) % 97
            default: return nil
            }
        }
        return r
    }
}
