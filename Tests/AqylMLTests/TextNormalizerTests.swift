import Testing
@testable import AqylML

@Suite struct TextNormalizerTests {
    let n = TextNormalizer()

    @Test func lowercasesRussianAndLatin() {
        #expect(n.normalize("ПРИВЕТ Мир ABC") == "привет мир abc")
    }

    @Test func yoBecomesYe() {
        #expect(n.normalize("Ёлка ещё") == "елка еще")
    }

    @Test func keepsKazakhLettersByDefault() {
        #expect(n.normalize("ӘҒҚҢӨҰҮҺІ") == "әғқңөұүһі")
        #expect(n.normalize("Қазақстан Республикасы") == "қазақстан республикасы")
    }

    @Test func foldsKazakhLettersWhenAsked() {
        let f = TextNormalizer(foldKazakhLetters: true)
        #expect(f.normalize("ә ғ қ ң ө ұ ү һ і") == "а г к н о у у х и")
        #expect(f.normalize("Қазақстан") == "казакстан")
    }

    @Test func transliteratesLatinKazakh2018() {
        // Qazaqstan Respýblıkasy (2018 acute alphabet) → Қазақстан Республикасы
        #expect(n.normalize("Qazaqstan Respýblıkasy") == "қазақстан республікасы")
        #expect(n.normalize("Ǵylym men bilim") == "ғылым мен билим")
        #expect(n.normalize("ańshy shaı") == "аңшы шаі")
        #expect(n.normalize("óner úı") == "өнер үі")
        #expect(n.normalize("ıa ıý") == "я ю")
    }

    @Test func transliteratesLatinKazakh2021() {
        #expect(n.normalize("Qazaqstan Respublikasy älı ğylym") == "қазақстан республикасы әлі ғылым")
        #expect(n.normalize("Būryñğy ötken zamanda, bır danyşpan kısı") == "бұрыңғы өткен заманда, бір данышпан кісі")
        // i stands for both и and й; the table writes и.
        #expect(n.normalize("şaş çai üi ūl öner") == "шаш чаи үи ұл өнер")
    }

    @Test func leavesPlainLatinAloneInAutoMode() {
        #expect(n.normalize("Купил iPhone в shop") == "купил iphone в shop")
        let off = TextNormalizer(latinKazakh: .off)
        #expect(off.normalize("ańshy") == "ańshy")
        let always = TextNormalizer(latinKazakh: .always)
        #expect(always.normalize("qazaq tili") == "қазақ тили")
    }

    @Test func decomposedAccentsAreComposedFirst() {
        // a + U+0301 (combining acute) → á → ә
        #expect(n.normalize("A\u{301}lem") == "әлем")
    }

    @Test func stripsURLs() {
        #expect(n.normalize("см. https://example.com/a?b=1 тут") == "см. тут")
        #expect(n.normalize("www.site.kz, и http://x.y") == "и")
        #expect(n.normalize("ссылка:https://t.me/x конец") == "ссылка: конец")
        let keep = TextNormalizer(stripURLs: false)
        #expect(keep.normalize("http://a.b") == "http://a.b")
    }

    @Test func collapsesWhitespaceAndKeepsDigits() {
        #expect(n.normalize("  в  2024\tгоду\n\nбыло  100%  ") == "в 2024 году было 100%")
    }

    @Test func tokenizerSplitsOnNonLetters() {
        let s = Array("қазақ-тілі, 2024г!".unicodeScalars)
        let words = TextTokenizer.wordRanges(s).map { String(String.UnicodeScalarView(s[$0])) }
        #expect(words == ["қазақ", "тілі", "2024г"])
    }
}
