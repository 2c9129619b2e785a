@testable import AntiFraud
import Foundation
import Testing

/// Test vectors: Keccak-256 of "" and "abc" (the Keccak team's / Ethereum's well-known values) and of longer inputs,
/// EIP-55 addresses from the EIP's own list, BIP 173/350 segwit examples, and the SWIFT IBAN registry's Kazakh example;
/// every one cross-checked with pycryptodome, base58 and bech32 from PyPI (Benchmarks/fraud/vectors.py).
@Suite("Drug-shop report extraction: cards, IBANs, phones, handles, crypto addresses")
struct ExtractionTests {
    @Test func keccak256KnownVectors() {
        #expect(Keccak256.hex("") == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Keccak256.hex("abc") == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        // around the 136-byte rate: padding in the same block, exactly one block, two blocks
        #expect(Keccak256.hex(String(repeating: "a", count: 135)) == "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446")
        #expect(Keccak256.hex(String(repeating: "a", count: 136)) == "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e")
        #expect(Keccak256.hex(String(repeating: "a", count: 200)) == "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d")
    }

    @Test func ethereumEIP55() {
        for a in ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                  "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
                  "0xdAC17F958D2ee523a2206206994597C13D831ec7"] {
            let d = PaymentDetails.ethereum(a)
            #expect(d.valid && d.info["checksum"] == "EIP-55" && d.value == a, "\(a)")
        }
        // one letter's case flipped: the checksum catches it
        let bad = PaymentDetails.ethereum("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
        #expect(!bad.valid && bad.problem!.contains("EIP-55"))
        // single case: valid, no checksum; the value is given in checksummed form
        let lower = PaymentDetails.ethereum("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
        #expect(lower.valid && lower.info["checksum"] == "none (single case)" && lower.value == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(!PaymentDetails.ethereum("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe").valid)   // 39 digits
        #expect(!PaymentDetails.ethereum("0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").valid)
    }

    @Test func bitcoinBase58AndSegwit() {
        let p2pkh = PaymentDetails.bitcoin("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")
        #expect(p2pkh.valid && p2pkh.info["type"] == "P2PKH")
        #expect(PaymentDetails.bitcoin("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").info["type"] == "P2SH")
        #expect(PaymentDetails.bitcoin("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH").valid)
        let typo = PaymentDetails.bitcoin("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3")
        #expect(!typo.valid && typo.problem!.contains("checksum"))
        #expect(!PaymentDetails.bitcoin("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNV0").valid)  // 0 is not Base58
        // BIP 173 (v0, Bech32) and BIP 350 (v1+, Bech32m)
        let v0 = PaymentDetails.bitcoin("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
        #expect(v0.valid && v0.info["type"] == "P2WPKH" && v0.value == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        #expect(PaymentDetails.bitcoin("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").valid)
        let taproot = PaymentDetails.bitcoin("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")
        #expect(taproot.valid && taproot.info["type"] == "P2TR" && taproot.info["encoding"] == "bech32m")
        #expect(PaymentDetails.bitcoin("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y").valid)
        #expect(PaymentDetails.bitcoin("BC1SW50QGDZ25J").valid)
        #expect(PaymentDetails.bitcoin("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs").valid)
        // invalid: wrong checksum; v1 written with Bech32 instead of Bech32m (BIP 350); mixed case
        #expect(!PaymentDetails.bitcoin("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5").valid)
        #expect(!PaymentDetails.bitcoin("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx").valid)
        #expect(!PaymentDetails.bitcoin("bc1QW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4").valid)
        // a testnet address is not a mainnet one
        #expect(!PaymentDetails.bitcoin("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx").valid)
    }

    @Test func tronAddresses() {
        let usdt = PaymentDetails.tron("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
        #expect(usdt.valid && usdt.info["network"] == "TRON")
        #expect(PaymentDetails.tron("TLeUZDGLWnyiJVFcp3m3M1782uBsGWa8uf").valid)
        #expect(!PaymentDetails.tron("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u").valid)
        // a valid Base58Check string with the wrong prefix byte (a Bitcoin address) is not TRON
        #expect(PaymentDetails.tron("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2").problem?.contains("0x41") == true)
        #expect(Base58.encodeCheck([0x41] + Array(repeating: 0, count: 20)).hasPrefix("T"))
    }

    @Test func cardsLuhnSchemeAndIssuer() {
        let kaspi = PaymentDetails.card("4400 4301 2345 6789")
        #expect(kaspi.valid && kaspi.value == "4400430123456789" && kaspi.info["scheme"] == "Visa" && kaspi.info["issuer"] == "Kaspi Bank")
        #expect(PaymentDetails.card("5536-9100-0000-0002").info["scheme"] == "Mastercard")
        #expect(PaymentDetails.card("2202200000000008").info["scheme"] == "Mir")
        #expect(PaymentDetails.card("2221001234567896").info["scheme"] == "Mastercard")
        #expect(PaymentDetails.card("6250941006528599").info["scheme"] == "UnionPay")
        let typo = PaymentDetails.card("4400 4301 2345 6788")
        #expect(!typo.valid && typo.problem!.contains("Luhn"))
        #expect(!PaymentDetails.card("4400 4301 2345").valid)                 // too short
        #expect(PaymentDetails.card("4000000000000002").info["issuer"] == nil)  // valid, issuer not in the table
        #expect(!PaymentDetails.card("9000000000000009").valid)               // no scheme starts with 9
    }

    @Test func binTableLoadsFromCSVAndReportsBadRows() throws {
        let csv = "prefix,bank,country,scheme,source\n553691,Example Bank,KZ,Mastercard,test fixture\n12,Bad,KZ,Visa,x\n"
        let (t, issues) = try BINTable.load(csv: Data(csv.utf8), file: "bins.csv")
        #expect(t.lookup("5536910000000002")?.bank == "Example Bank")
        #expect(issues.count == 1 && issues[0].line == 3 && issues[0].column == "prefix")
        #expect(PaymentDetails.card("5536910000000002", bins: t).info["issuer"] == "Example Bank")
    }

    @Test func kazakhIBANs() {
        let i = PaymentDetails.iban("KZ86 125K ZT50 0410 0100")
        #expect(i.valid && i.value == "KZ86125KZT5004100100" && i.info["bank_code"] == "125")
        #expect(PaymentDetails.iban("KZ41601A141000897321").valid)
        let kaspi = PaymentDetails.iban(kaspiIBAN())
        #expect(kaspi.valid && kaspi.info["bank"]?.contains("Kaspi") == true)
        #expect(PaymentDetails.iban("KZ87125KZT5004100100").problem?.contains("mod 97") == true)
        #expect(PaymentDetails.iban("KZ86125KZT500410010").problem?.contains("20 characters") == true)
        #expect(PaymentDetails.iban("DE89370400440532013000").problem?.contains("Kazakh") == true)
        #expect(!PaymentDetails.iban("KZ8612AKZT5004100100").valid)  // bank code must be digits
    }

    /// A Kaspi IBAN (bank code 722) with correct check digits, computed here.
    func kaspiIBAN() -> String {
        let bban = "722S000012345678"
        for cd in 2...98 {
            let s = String(format: "KZ%02d", cd) + bban
            if CheckDigits.ibanMod97(s) == 1 { return s }
        }
        return ""
    }

    @Test func phoneNumbers() {
        let p = PaymentDetails.phone("+7 (701) 123-45-67")
        #expect(p.valid && p.value == "+77011234567" && p.info["country"] == "KZ" && p.info["operator"] == "Kcell")
        #expect(PaymentDetails.phone("87771234567").value == "+77771234567")
        #expect(PaymentDetails.phone("8 747 123 45 67").info["operator"] == "Tele2")
        #expect(PaymentDetails.phone("+7 727 250 00 00").info["type"] == "landline or other")
        #expect(PaymentDetails.phone("+7 916 123-45-67").info["country"] == "RU")
        #expect(!PaymentDetails.phone("+7 701 123 45").valid)
        #expect(!PaymentDetails.phone("+7 101 123 45 67").valid)
    }

    @Test func handlesAndLinks() {
        #expect(PaymentDetails.telegramHandle("shop_kz24") && !PaymentDetails.telegramHandle("1shop") && !PaymentDetails.telegramHandle("abc")
                && !PaymentDetails.telegramHandle("shop_") && !PaymentDetails.telegramHandle("магазин"))
        #expect(PaymentDetails.instagramHandle("shop.kz_24") && !PaymentDetails.instagramHandle(".shop") && !PaymentDetails.instagramHandle("a..b"))
        let found = PaymentDetails.extract("Пиши @Almaty_Shop24 или https://t.me/almaty_shop24, инвайт t.me/+AbCdEf123, резерв tg://resolve?domain=reserve_bot")
        let tg = found.filter { $0.kind == .telegram }.map(\.value)
        #expect(tg == ["almaty_shop24", "t.me/+AbCdEf123", "reserve_bot"])  // @handle and t.me link are the same account
        let ig = PaymentDetails.extract("наш инстаграм: instagram.com/best.shop_kz/ и @best.shop_kz")
        #expect(ig.filter { $0.kind == .instagram }.map(\.value) == ["best.shop_kz"])
        #expect(PaymentDetails.extract("смотри @ab").first?.valid == false)
    }

    @Test func extractionFromAWholeAdvert() {
        let advert = """
            🔥 Мeфедрон, альфа-PVP, шишки — в наличии! Закладки по всему городу 24/7.
            Оплата: Kaspi 4400 4301 2345 6789 или USDT TRC20 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,
            BTC bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq. Оператор: @shop_operator_kz, +7 (705) 111-22-33.
            Счёт для юрлиц KZ86 125K ZT50 0410 0100. Сайт: https://example.shop/kz
            """
        let d = PaymentDetails.extract(advert)
        let kinds = d.map(\.kind)
        #expect(kinds == [.card, .tron, .bitcoin, .telegram, .phone, .iban, .link])
        #expect(d.allSatisfy { $0.valid })
        #expect(d.first { $0.kind == .phone }?.value == "+77051112233")
        #expect(d.first { $0.kind == .card }?.info["issuer"] == "Kaspi Bank")
    }

    @Test func numbersThatAreNotDetails() {
        // prices, dates, grams and an order number are not cards or phones
        let d = PaymentDetails.extract("Цена 15000 тг за 2 г, с 01.03.2025, заказ №123456, 1 000 000 просмотров")
        #expect(d.isEmpty)
        // an invalid card still shows up, marked invalid
        let bad = PaymentDetails.extract("карта 4400 4301 2345 6788")
        #expect(bad.count == 1 && !bad[0].valid)
        // two numbers side by side are split
        let two = PaymentDetails.extract("4400430123456789 87011234567")
        #expect(two.map(\.kind) == [.card, .phone])
    }
}

@Suite("Drug-slang keyword rules: hits and near-misses")
struct DrugSlangTests {
    @Test func adverts() {
        let a = DrugSlang.assess("Мефедрон и альфа-PVP, закладки по городу, оператор в телеге")
        #expect(a.isAdvert && a.mentionsDrugs)
        #expect(Set(a.hits.map(\.rule)).isSuperset(of: ["mephedrone", "alpha-pvp", "stash", "shop"]))
        // slang only: 'соль' and 'кристаллы' count because 'закладки' is there
        let b = DrugSlang.assess("Соль, кристаллы высшего качества. Закладки, магниты, прикопы.")
        #expect(b.isAdvert && b.hits.contains { $0.word == "соль" })
        // obfuscated with Latin letters and dots
        let c = DrugSlang.assess("мeф 1г — з.а.к.л.а.д.к.и, оплата USDT")
        #expect(c.isAdvert && c.hits.contains { $0.rule == "mephedrone" } && c.hits.contains { $0.rule == "stash" })
        // courier recruitment
        let d = DrugSlang.assess("Работа курьером-кладменом, ЗП от 500 000 тг в неделю")
        #expect(d.isAdvert && d.hits.contains { $0.rule == "stash" })
        // Kazakh
        let k = DrugSlang.assess("Есірткі сатамыз, бағасы арзан, жеткізу бар")
        #expect(k.isAdvert && k.hits.contains { $0.rule == "kk-narcotic" } && k.hits.contains { $0.rule == "kk-shop" })
        let k2 = DrugSlang.assess("Қарасора бар, закладка арқылы")
        #expect(k2.isAdvert)
        // a drug word with payment details is an advert too
        #expect(DrugSlang.assess("гашиш, пиши", paymentDetails: true).isAdvert)
    }

    @Test func nearMisses() {
        // everyday senses of slang words
        #expect(!DrugSlang.assess("Соль по вкусу, перец, добавить кристаллы сахара").mentionsDrugs)
        #expect(!DrugSlang.assess("Продам фен для волос, в наличии, доставка по городу").mentionsDrugs)
        #expect(!DrugSlang.assess("Скорость интернета 100 Мбит, оператор Beeline, прайс на сайте").mentionsDrugs)
        #expect(!DrugSlang.assess("Почтовые марки СССР, каталог, оптом").mentionsDrugs)
        #expect(!DrugSlang.assess("Работа на складе, курьер, ЗП от 300 000").mentionsDrugs)  // склад is not клад
        #expect(!DrugSlang.assess("Клад пиратов нашли археологи").mentionsDrugs)
        #expect(!DrugSlang.assess("Кладбище, кладовка и кладовщик").mentionsDrugs)
        #expect(!DrugSlang.assess("Газонная трава, семена, доставка").mentionsDrugs)
        #expect(!DrugSlang.assess("Мефистофель в опере Гуно").mentionsDrugs)   // 'меф' is a whole word only
        let news = DrugSlang.assess("Полиция изъяла 2 кг гашиша у жителя Алматы")
        #expect(news.mentionsDrugs && !news.isAdvert)  // a mention, not an advert
        // context words alone are not counted
        let ctx = DrugSlang.assess("Кристаллы и соль для ванн, магазин")
        #expect(!ctx.mentionsDrugs && !ctx.ignored.isEmpty)
    }

    @Test func everyRuleIsDocumented() {
        for r in DrugSlang.rules {
            #expect(!r.meaning.isEmpty && (!r.words.isEmpty || !r.stems.isEmpty), "\(r.id)")
        }
        #expect(Set(DrugSlang.rules.map(\.id)).count == DrugSlang.rules.count)
    }
}

@Suite("Reporting bot: conversation flow")
struct ConversationTests {
    @Test func fullFlowAskingForEachMissingPiece() {
        var c = ReportConversation()
        var r = c.reply(to: "/start")
        #expect(r.state == .askPlace && r.text.contains("Telegram"))
        r = c.reply(to: "в телеграме")
        #expect(r.state == .askContent && c.draft.place == .telegram)
        r = c.reply(to: "Мефедрон, закладки. Карта 4400 4301 2345 6789")
        #expect(r.state == .askLink)  // seen on Telegram, but no link yet
        r = c.reply(to: "t.me/almaty_shop24")
        #expect(r.state == .confirm && r.text.contains("440043…6789") && r.text.contains("@almaty_shop24"))
        #expect(!r.text.contains("4400430123456789"))  // the card is masked in the summary
        r = c.reply(to: "да")
        let draft = r.submit
        #expect(draft?.paymentDetails.count == 1 && draft?.assessment?.isAdvert == true && draft?.place == .telegram)
        r = c.submitted(trackingCode: "AQ-7K2P-9XQ")
        #expect(r.state == .submitted && r.text.hasSuffix("AQ-7K2P-9XQ"))
        r = c.reply(to: "что там с проверкой?")
        #expect(r.state == .submitted && r.text.contains("/new"))
    }

    @Test func advertFirstThenPlaceAndNoLinkQuestionOffline() {
        var c = ReportConversation()
        var r = c.reply(to: "Соль, кристаллы, закладки. Пиши @kristal_shop_kz, BTC bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
        #expect(r.state == .askPlace && c.draft.details.count == 2)
        r = c.reply(to: "надпись на стене у подъезда")
        #expect(c.draft.place == .wall && r.state == .confirm)   // offline place, handle already found: no link question
        r = c.reply(to: "нет")
        #expect(r.state == .askContent)                         // "no" at confirmation: add more
        r = c.reply(to: "ещё телефон +7 777 123 45 67")
        #expect(r.state == .confirm && c.draft.details.contains { $0.kind == .phone })
    }

    @Test func kazakhAndEnglishAndSkipping() {
        var kk = ReportConversation()
        var r = kk.reply(to: "Сәлем")
        #expect(kk.draft.language == "kk" && r.text.contains("Жарнаманы"))
        r = kk.reply(to: "өткізу")
        #expect(r.state == .askContent && kk.draft.skipped == ["place"])
        r = kk.reply(to: "Есірткі сатамыз, жеткізу бар")
        #expect(r.state == .confirm && r.text.contains("Хабарламаны жіберейік пе"))

        var en = ReportConversation()
        r = en.reply(to: "hello")
        #expect(en.draft.language == "en")
        r = en.reply(to: "instagram")
        r = en.reply(to: "skip")
        #expect(r.state == .askLink)
        r = en.reply(to: "no")
        #expect(r.state == .confirm && r.text.contains("no payment or contact details"))
    }

    @Test func cancelAndRestart() {
        var c = ReportConversation(language: "ru")
        _ = c.reply(to: "/start")
        var r = c.reply(to: "/cancel")
        #expect(r.state == .cancelled)
        r = c.reply(to: "что-то")
        #expect(r.state == .cancelled && r.text.contains("/new"))
        r = c.reply(to: "/new")
        #expect(r.state == .askPlace && c.draft.texts.isEmpty)
    }

    @Test func placesAreRecognised() {
        #expect(AdvertPlace.parse("видел в тг канале") == .telegram)
        #expect(AdvertPlace.parse("инстаграм") == .instagram)
        #expect(AdvertPlace.parse("на заборе трафарет") == .wall)
        #expect(AdvertPlace.parse("қабырғада") == .wall)
        #expect(AdvertPlace.parse("на каком-то сайте") == .website)
        #expect(AdvertPlace.parse("не помню") == nil)
    }
}
