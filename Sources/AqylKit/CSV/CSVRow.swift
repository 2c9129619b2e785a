/// Where one field lies in the reader's bytes.
public struct CSVField: Sendable, Equatable {
    /// Byte offsets of the field's text (inside the quotes for a quoted field; doubled quotes still doubled).
    public var range: Range<Int>
    public var isQuoted: Bool
    /// The text holds `""` for each `"` (only a quoted field can).
    public var hasDoubledQuotes: Bool

    @inlinable
    public init(range: Range<Int>, isQuoted: Bool, hasDoubledQuotes: Bool) {
        self.range = range; self.isQuoted = isQuoted; self.hasDoubledQuotes = hasDoubledQuotes
    }
}

/// One record as the zero-copy visitor sees it: field boundaries into the reader's bytes. Valid only inside the
/// visitor's call (it points into the reader's buffer and a scratch array reused for the next record); copy what you
/// keep (`string(_:)`, `strings`).
public struct CSVRow {
    @usableFromInline static let quotedFlag = 1 << 62
    @usableFromInline static let doubledFlag = 1 << 61
    @usableFromInline static let offsetMask = (1 << 61) - 1

    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let bounds: UnsafePointer<Int>
    /// Number of fields.
    public let count: Int
    /// 1-based physical line the record starts on.
    public let line: Int
    /// Byte offset of the record's first byte in the reader's bytes.
    public let offset: Int

    @usableFromInline
    init(base: UnsafePointer<UInt8>, bounds: UnsafePointer<Int>, count: Int, line: Int, offset: Int) {
        self.base = base; self.bounds = bounds; self.count = count; self.line = line; self.offset = offset
    }

    @inlinable
    public func field(_ i: Int) -> CSVField {
        precondition(i >= 0 && i < count, "field index out of range")
        let s = bounds[2 * i], e = bounds[2 * i + 1]
        return CSVField(range: s..<(e & Self.offsetMask), isQuoted: e & Self.quotedFlag != 0,
                        hasDoubledQuotes: e & Self.doubledFlag != 0)
    }

    /// The field's bytes as they stand in the file (inside the quotes; doubled quotes not undone: see
    /// `hasDoubledQuotes`). With `trimmed`, ASCII spaces and tabs at both ends are left out.
    @inlinable
    public func bytes(_ i: Int, trimmed: Bool = false) -> UnsafeBufferPointer<UInt8> {
        precondition(i >= 0 && i < count, "field index out of range")
        var s = bounds[2 * i], e = bounds[2 * i + 1] & Self.offsetMask
        if trimmed {
            while s < e && (base[s] == 0x20 || base[s] == 0x09) { s += 1 }
            while e > s && (base[e - 1] == 0x20 || base[e - 1] == 0x09) { e -= 1 }
        }
        return UnsafeBufferPointer(start: base + s, count: e - s)
    }

    @inlinable
    public func isQuoted(_ i: Int) -> Bool { bounds[2 * i + 1] & Self.quotedFlag != 0 }

    @inlinable
    public func hasDoubledQuotes(_ i: Int) -> Bool { bounds[2 * i + 1] & Self.doubledFlag != 0 }

    /// The field holds no bytes (an empty unquoted field or `""`).
    @inlinable
    public func isEmpty(_ i: Int) -> Bool { bounds[2 * i] == bounds[2 * i + 1] & Self.offsetMask }

    /// The field's text equals `value` byte for byte (after undoing doubled quotes); `trimmed` as in `bytes`.
    @inlinable
    public func equals(_ i: Int, _ value: UnsafeBufferPointer<UInt8>, trimmed: Bool = false) -> Bool {
        if hasDoubledQuotes(i) { return Array(string(i).utf8).withUnsafeBufferPointer { b in
            CSVRow.trim(b, trimmed).elementsEqual(value) } }
        return bytes(i, trimmed: trimmed).elementsEqual(value)
    }

    @usableFromInline
    static func trim(_ b: UnsafeBufferPointer<UInt8>, _ trimmed: Bool) -> UnsafeBufferPointer<UInt8> {
        guard trimmed, let p = b.baseAddress else { return b }
        var s = 0, e = b.count
        while s < e && (p[s] == 0x20 || p[s] == 0x09) { s += 1 }
        while e > s && (p[e - 1] == 0x20 || p[e - 1] == 0x09) { e -= 1 }
        return UnsafeBufferPointer(start: p + s, count: e - s)
    }

    /// The field's text (doubled quotes undone).
    public func string(_ i: Int) -> String {
        let b = bytes(i)
        guard hasDoubledQuotes(i) else { return String(decoding: b, as: UTF8.self) }
        return String(decoding: CSVRow.undoubled(b), as: UTF8.self)
    }

    /// Every field's text.
    public var strings: [String] { (0..<count).map(string) }

    /// The number in the field (see `CSVNumber.double`): nil when empty, quoted with doubled quotes, or not a number.
    @inlinable
    public func double(_ i: Int) -> Double? {
        if hasDoubledQuotes(i) { return nil }
        return CSVNumber.double(bytes(i))
    }

    static func undoubled(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var k = 0
        while k < b.count {
            out.append(b[k])
            k += b[k] == 0x22 && k + 1 < b.count && b[k + 1] == 0x22 ? 2 : 1
        }
        return out
    }
}

/// Number parsing for CSV fields.
public enum CSVNumber {
    /// The number written in `bytes`, ASCII spaces and tabs around it ignored; nil when nothing is left or it is not
    /// a number. Gives exactly what Swift's `Double(String)` gives for the trimmed text (correctly rounded; `nan`,
    /// `inf`, exponents and hexadecimal accepted as it accepts them): plain decimals of up to 15 significant digits
    /// take an exact fast path (Clinger's), everything else goes through `Double(String)`.
    public static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let p = bytes.baseAddress else { return nil }
        var s = 0, e = bytes.count
        while s < e && (p[s] == 0x20 || p[s] == 0x09) { s += 1 }
        while e > s && (p[e - 1] == 0x20 || p[e - 1] == 0x09) { e -= 1 }
        if s == e { return nil }
        var i = s
        var negative = false
        if p[i] == 0x2D { negative = true; i += 1 } else if p[i] == 0x2B { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0
        var significant = 0
        while i < e, p[i] &- 0x30 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
            if mantissa != 0 { significant += 1 }
            digits += 1; i += 1
        }
        if i < e && p[i] == 0x2E {
            i += 1
            while i < e, p[i] &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                if mantissa != 0 { significant += 1 }
                digits += 1; fraction += 1; i += 1
            }
        }
        if i == e && digits > 0 && significant <= 15 && fraction <= 22 {
            // mantissa < 10^15 < 2^53 and 10^fraction are exact doubles: one correctly rounded division.
            let v = fraction == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fraction]
            return negative ? -v : v
        }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[s..<e]), as: UTF8.self))
    }

    /// `double(_:)` for text.
    public static func double(_ text: some StringProtocol) -> Double? {
        var s = String(text)
        return s.withUTF8 { double($0) }
    }

    static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { a, _ in a * 10 } }
}
