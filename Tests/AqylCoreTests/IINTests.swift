import AqylCore
import Foundation
import Testing

@Suite("IIN validation and pseudonyms")
struct IINTests {
    // Hand-worked: 9,0,0,1,0,1,3,0,1,2,3 · weights 1…11 = 9+4+6+21+9+20+33 = 102; 102 mod 11 = 3.
    @Test func validIINFirstPass() throws {
        let iin = try IIN("900101301233")
        #expect(iin.birthDateISO == "1990-01-01")
        #expect(iin.sex == .male)
        #expect(iin.description == "9001******33")
    }

    // Hand-worked: first pass 142 mod 11 = 10, so weights 3,4,…,11,1,2: 122 mod 11 = 1.
    @Test func validIINSecondPass() throws {
        let iin = try IIN("050215400511")
        #expect(iin.birthDateISO == "1905-02-15")
        #expect(iin.sex == .female)
    }

    @Test func centuryDigitSetsYearAndSex() throws {
        for (c, year, sex) in [(1, 1890, IIN.Sex.male), (2, 1890, .female), (5, 2090, .male), (6, 2090, .female)] {
            var digits = "900101\(c)0123".map { Int(String($0))! }
            let check = try #require(IIN.checkDigit(digits))
            digits.append(check)
            let iin = try IIN(digits.map(String.init).joined())
            #expect(iin.birthDate.year == year)
            #expect(iin.sex == sex)
        }
    }

    @Test(arguments: [
        ("90010130123", "exactly 12 digits"),
        ("9001013012334", "exactly 12 digits"),
        ("90010130123a", "exactly 12 digits"),
        ("900101301234", "check digit is wrong"),
        ("901301301233", "date of birth"),
        ("900230301233", "date of birth"),
        ("900101701233", "century and sex"),
        ("050215400500", "never issued"),
    ])
    func invalidIINsNameTheField(raw: String, reason: String) {
        #expect {
            try IIN(raw, field: "members[0].iin")
        } throws: { error in
            guard let e = error as? AqylError else { return false }
            return e.field == "members[0].iin" && e.code == "invalid_iin" && e.message.contains(reason)
        }
    }

    @Test func leapDays() throws {
        // 2000-02-29 exists (century digit 5), 1900-02-29 does not (century digit 3).
        var digits = "000229501234".prefix(11).map { Int(String($0))! }
        digits.append(try #require(IIN.checkDigit(digits)))
        #expect(try IIN(digits.map(String.init).joined()).birthDateISO == "2000-02-29")
        var bad = "000229301234".prefix(11).map { Int(String($0))! }
        if let c = IIN.checkDigit(bad) { bad.append(c) } else { bad.append(0) }
        #expect(throws: AqylError.self) { try IIN(bad.map(String.init).joined()) }
    }

    @Test func pseudonymsAreKeyedAndStable() throws {
        let iin = try IIN("900101301233")
        let a = try Pseudonymizer(key: Data(repeating: 1, count: 32))
        let b = try Pseudonymizer(key: Data(repeating: 2, count: 32))
        #expect(a.pseudonym(for: iin) == a.pseudonym(for: iin))
        #expect(a.pseudonym(for: iin) != b.pseudonym(for: iin))
        #expect(a.pseudonym(for: iin).hasPrefix("p_"))
        #expect(a.pseudonym(for: iin).count == 34)
        #expect(!a.pseudonym(for: iin).contains("900101"))
        #expect(throws: AqylError.self) { try Pseudonymizer(key: Data(count: 8)) }
    }

    @Test func decodesFromJSONWithFieldName() throws {
        struct Body: Decodable { var subjectIin: IIN }
        let ok = try JSONDecoder().decode(Body.self, from: Data(#"{"subjectIin":"900101301233"}"#.utf8))
        #expect(ok.subjectIin.value == "900101301233")
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Body.self, from: Data(#"{"subjectIin":"900101301234"}"#.utf8)) }
    }
}
