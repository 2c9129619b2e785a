import Crypto
import Foundation

/// Kazakhstan's individual identification number (ЖСН / ИИН): 12 digits.
///
/// Layout: `YYMMDD` date of birth, one century/sex digit (1–6), four serial digits, one check digit.
/// Century/sex digit: 1/2 = male/female born 1800–1899, 3/4 = 1900–1999, 5/6 = 2000–2099.
/// Check digit: Σ dᵢ·i (i = 1…11) mod 11; if that is 10, Σ dᵢ·wᵢ with w = 3,4,…,11,1,2 mod 11;
/// if that is 10 too, no IIN with these first 11 digits is issued.
/// (Rules of the National Registers of Identification Numbers, Law of RK No. 223-II of 12.01.2007.)
public struct IIN: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Sex: String, Sendable, Codable, CaseIterable { case male, female }

    public let value: String
    public let birthDate: DateComponents
    public let sex: Sex

    /// Validates `raw` (spaces are not accepted: the IIN is 12 digits exactly). The shape (12 digits, digit 7 in 1–6)
    /// is the contract's pattern, a 400 when broken; a date of birth that does not exist or a wrong check digit is a
    /// 422 (the number has the right shape but is not an IIN).
    /// - Parameter field: the input field name used in the error.
    public init(_ raw: String, field: String = "iin") throws(AqylError) {
        let digits = raw.utf8.map { Int($0) - 48 }
        guard raw.utf8.count == 12, digits.allSatisfy({ (0...9).contains($0) }) else {
            throw .invalid(field, "IIN must be exactly 12 digits", code: "invalid_iin")
        }
        let yy = digits[0] * 10 + digits[1]
        let month = digits[2] * 10 + digits[3]
        let day = digits[4] * 10 + digits[5]
        let centurySex = digits[6]
        guard (1...6).contains(centurySex) else {
            throw .invalid(field, "IIN digit 7 (century and sex) must be 1–6, got \(centurySex)", code: "invalid_iin")
        }
        let year = 1800 + 100 * ((centurySex - 1) / 2) + yy
        guard IIN.isValidDate(year: year, month: month, day: day) else {
            throw .refused(field, "IIN digits 1–6 are not a valid date of birth (YYMMDD)", code: "invalid_iin")
        }
        guard let check = IIN.checkDigit(digits) else {
            throw .refused(field, "IIN has no valid check digit (its first 11 digits are never issued)", code: "invalid_iin")
        }
        guard check == digits[11] else {
            throw .refused(field, "IIN check digit is wrong", code: "invalid_iin")
        }
        self.value = raw
        self.birthDate = DateComponents(year: year, month: month, day: day)
        self.sex = centurySex % 2 == 1 ? .male : .female
    }

    /// The check digit for the first 11 digits, or nil when none exists.
    public static func checkDigit(_ digits: [Int]) -> Int? {
        var sum = 0
        for i in 0..<11 { sum += digits[i] * (i + 1) }
        var check = sum % 11
        if check == 10 {
            let weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
            sum = 0
            for i in 0..<11 { sum += digits[i] * weights[i] }
            check = sum % 11
            if check == 10 { return nil }
        }
        return check
    }

    static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// ISO date of birth, `YYYY-MM-DD`.
    public var birthDateISO: String {
        String(format: "%04d-%02d-%02d", birthDate.year!, birthDate.month!, birthDate.day!)
    }

    public var description: String { IIN.mask(value) }

    /// `9001******12`: what logs and screens show.
    public static func mask(_ value: String) -> String {
        guard value.count == 12 else { return "************" }
        return String(value.prefix(4)) + "******" + String(value.suffix(2))
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        let path = decoder.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        let field = path.isEmpty ? "iin" : String(path.drop(while: { $0 == "." }))
        try self.init(raw, field: field)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// Keyed pseudonyms for analytics: HMAC-SHA256 of the IIN under a secret key, so that the same person
/// links across tables without the IIN itself leaving the operational store. Without the key the
/// pseudonym cannot be reversed by enumerating the (small) IIN space.
public struct Pseudonymizer: Sendable {
    private let keyBytes: Data

    public init(key: Data) throws(AqylError) {
        guard key.count >= 16 else {
            throw AqylError(.internalError, code: "weak_key", "pseudonym key must be at least 16 bytes")
        }
        self.keyBytes = key
    }

    /// `p_` followed by 32 hex digits (128 bits of the MAC).
    public func pseudonym(for iin: IIN) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(iin.value.utf8), using: SymmetricKey(data: keyBytes))
        return "p_" + mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    public static func randomKey() -> Data {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes)
    }
}
