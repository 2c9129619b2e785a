import Foundation

extension Data {
    /// Bytes from hexadecimal text (upper or lower case, two digits a byte); nil for an odd length or a non-hex digit.
    public init?(hex: String) {
        guard hex.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var it = hex.utf8.makeIterator()
        while let a = it.next(), let b = it.next() {
            guard let hi = Hex.nibble(a), let lo = Hex.nibble(b) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.init(bytes)
    }

    /// Lowercase hexadecimal text of the bytes.
    public var hexString: String { Hex.encode(self) }
}

/// Hexadecimal encoding.
public enum Hex {
    /// Lowercase hexadecimal text of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
