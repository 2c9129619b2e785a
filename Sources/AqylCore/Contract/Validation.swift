import Foundation

// Checks shared by every route, written to agree exactly with the JSON Schema keywords `openapi.yaml` uses:
// lengths count Unicode code points (as JSON Schema's minLength/maxLength do), "blank" is what the pattern `\S`
// refuses, dates are RFC 3339 (`format: date-time`).

extension String {
    /// The length as JSON Schema counts it: Unicode code points (not grapheme clusters).
    public var codePointCount: Int { unicodeScalars.count }

    /// True when the text has no character outside whitespace: what the contract's pattern `\S` refuses, with
    /// whitespace as JSON Schema's regular expressions (ECMA-262) define it: tab, line feed, vertical tab, form feed,
    /// carriage return, space, U+00A0, U+FEFF, the Zs spaces and U+2028/U+2029.
    public var isBlank: Bool { unicodeScalars.allSatisfy(\.isContractWhitespace) }

    /// Text of at most `max` code points, not blank unless `allowBlank`; a 400 naming `field` otherwise.
    public func checkText(_ field: String, max: Int, allowBlank: Bool = false) throws(AqylError) {
        if !allowBlank && isBlank { throw isEmpty ? .missing(field) : .invalid(field, "'\(field)' must not be blank") }
        if codePointCount > max { throw .invalid(field, "'\(field)' is longer than \(max) characters") }
    }
}

extension Unicode.Scalar {
    /// ECMA-262's `\s`: WhiteSpace and LineTerminator.
    public var isContractWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }
}

/// RFC 3339 date-times (`2026-03-01T09:30:00Z`, `2026-03-01T14:30:00.250+05:00`), as JSON Schema's `date-time`.
public enum RFC3339 {
    public static func parse(_ s: String) -> Date? {
        let u = Array(s.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= u.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = u[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ chars: String) -> Bool {
            guard i < u.count, chars.utf8.contains(u[i]) else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect("-"), let mo = digits(2), expect("-"), let d = digits(2), expect("Tt "),
              let h = digits(2), expect(":"), let mi = digits(2), expect(":"), let sec = digits(2) else { return nil }
        var frac = 0.0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1, n = 0
            while i < u.count, u[i] >= 48, u[i] <= 57 { frac += Double(u[i] - 48) * scale; scale /= 10; i += 1; n += 1 }
            guard n > 0 else { return nil }
        }
        var offset = 0
        if expect("Zz") {
            offset = 0
        } else if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            let sign = u[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(":"), let om = digits(2), oh <= 23, om <= 59 else { return nil }
            var os = 0
            if i < u.count, u[i] == UInt8(ascii: ":") { i += 1; guard let x = digits(2), x <= 59 else { return nil }; os = x }
            offset = sign * (oh * 3600 + om * 60 + os)
        } else {
            return nil
        }
        guard i == u.count, (1...12).contains(mo), d >= 1, h <= 23, mi <= 59, sec <= 60 else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= lengths[mo - 1] else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let base = cal.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: min(sec, 59))) else { return nil }
        return base.addingTimeInterval(Double(sec == 60 ? 1 : 0) + frac - Double(offset))
    }
}

/// Whole-string pattern checks in the contract's syntax, for the few patterns the code repeats (the rest are
/// expressed by types and enums).
public enum ContractPattern {
    /// `^https?://[^\s/?#]+([/?#][^\s]*)?$`, at most 2000 characters: the contract's `HttpURL`.
    public static func isHTTPURL(_ s: String) -> Bool {
        guard s.codePointCount <= 2000 else { return false }
        let lower = s.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = s.dropFirst(8) } else if lower.hasPrefix("http://") { rest = s.dropFirst(7) } else { return false }
        // Python's `re` matches `https?` case-sensitively: only lower-case schemes.
        guard s.hasPrefix("http://") || s.hasPrefix("https://") else { return false }
        let isSpace: (Unicode.Scalar) -> Bool = { $0.isContractWhitespace }
        let scalars = Array(rest.unicodeScalars)
        var k = 0
        while k < scalars.count, !isSpace(scalars[k]), !"/?#".unicodeScalars.contains(scalars[k]) { k += 1 }
        guard k > 0 else { return false }
        return scalars[k...].allSatisfy { !isSpace($0) }
    }

    /// Visible ASCII, 1–200 characters: the contract's idempotency key.
    public static func isIdempotencyKey(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 200 && s.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}
