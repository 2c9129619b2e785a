import Foundation

/// Keyword rules for drug-shop adverts in Russian and Kazakh (documented, tested, not learnt).
///
/// A text is split into words after normalisation (lower case, ё → е, Latin look-alike letters inside Cyrillic words
/// mapped back — sellers write "мeфедрон" with a Latin e —, letters split by dots or dashes joined: "з.а.к.л.а.д.к.и").
/// Each rule matches a whole word or a word stem. Three kinds of rules:
/// - substance: a drug or its slang name (мефедрон, меф, альфа-PVP, гашиш, есірткі, қарасора …);
/// - distribution: how drugs are handed over (закладка, кладмен, прикоп, тайник …);
/// - commerce: selling words (в наличии, прайс, оператор, доставка, сатамыз, бағасы …).
/// Words with an everyday meaning (соль, фен, скорость, марки, трава, кристаллы, клад, кокс, грибы) count only as
/// context: when some other drug word is present, and never next to the words that give their everyday sense (соль по
/// вкусу, фен для волос, скорость интернета, почтовые марки, клад пиратов …).
/// An advert = a substance with a distribution or commerce word (or payment details), a distribution word with a
/// commerce word, or a score of 4 or more. These rules find candidates for a person to read; they decide nothing.
public enum DrugSlang {
    public enum Category: String, Sendable, Codable { case substance, distribution, commerce }

    public struct Rule: Sendable {
        public var id: String
        /// Whole words (any of them).
        public var words: [String]
        /// Word stems (a word starting with any of them).
        public var stems: [String]
        public var category: Category
        public var weight: Double
        /// Counts only when another, non-context word of a rule is present.
        public var contextOnly: Bool
        /// Nearby word stems (two words either side) that give the everyday meaning and cancel the hit.
        public var cancelledBy: [String]
        public var language: String
        public var meaning: String
    }

    static func r(_ id: String, words: [String] = [], stems: [String] = [], _ c: Category, _ w: Double, context: Bool = false,
                  cancel: [String] = [], lang: String = "ru", _ meaning: String) -> Rule {
        Rule(id: id, words: words, stems: stems, category: c, weight: w, contextOnly: context, cancelledBy: cancel, language: lang, meaning: meaning)
    }

    /// The rules, with what each word means.
    public static let rules: [Rule] = [
        // substances: unambiguous names
        r("mephedrone", words: ["меф", "мефчик", "4mmc", "mmc"], stems: ["мефедрон", "мефедр"], .substance, 2, "mephedrone (4-MMC)"),
        r("alpha-pvp", words: ["pvp", "пвп", "apvp"], stems: ["альфапвп", "alphapvp"], .substance, 2, "α-PVP"),
        r("amphetamine", words: ["амф", "фенамин"], stems: ["амфетамин", "метамфетамин", "первитин"], .substance, 2, "amphetamine, methamphetamine"),
        r("cannabis", words: ["гаш", "бошки", "ганджа", "шмаль"], stems: ["гашиш", "марихуан", "каннабис", "гидропон"], .substance, 2,
          "cannabis, hashish, hydroponics"),
        r("opioids-cocaine", stems: ["кокаин", "героин", "метадон"], .substance, 2, "cocaine, heroin, methadone"),
        r("ecstasy-lsd", words: ["мдма", "mdma", "лсд", "lsd", "экстази"], stems: ["псилоциб"], .substance, 2, "MDMA, LSD, psilocybin"),
        r("kk-narcotic", stems: ["есірткі", "есирткі", "есиртки"], .substance, 2, lang: "kk", "есірткі: narcotic drug"),
        r("kk-cannabis", stems: ["қарасора", "карасора", "кендір"], .substance, 2, lang: "kk", "қарасора, кендір: cannabis, hemp"),
        r("kk-opium", stems: ["апиын"], .substance, 2, lang: "kk", "апиын: opium"),
        // substances: slang with an everyday meaning (context only)
        r("salt-crystals", words: ["соль", "соли", "крис", "кристаллы", "кристалл", "кристаллов"], .substance, 2, context: true,
          cancel: ["морск", "поварен", "пищев", "йодир", "каменн", "вкус", "перец", "ванн", "сваровск", "горн", "кварц", "солен", "сахар"],
          "'соль', 'кристаллы': α-PVP and other cathinones"),
        r("speed", words: ["скорость", "скорости", "ск", "фен"], .substance, 2, context: true,
          cancel: ["интернет", "загрузк", "скачиван", "движени", "ветр", "звук", "волос", "строител", "сушк", "км"],
          "'скорость', 'ск', 'фен': amphetamine or α-PVP"),
        r("weed", words: ["план", "трава", "травка", "шишки", "дудка", "мука"], .substance, 1.5, context: true,
          cancel: ["газон", "сорн", "двор", "полев", "работ", "проект", "бизнес", "учебн", "сосн", "елов", "кедр", "пшенич", "блин", "тест"],
          "'план', 'трава', 'шишки': cannabis; 'мука': mephedrone"),
        r("coke", words: ["кокс", "кокос"], .substance, 1.5, context: true, cancel: ["печ", "каменноуг", "угол", "стружк", "молок", "орех"],
          "'кокс': cocaine"),
        r("blotters", words: ["марки", "марка"], .substance, 1.5, context: true,
          cancel: ["почтов", "автомобил", "машин", "телефон", "одежд", "бренд", "пив", "вин", "стали"], "'марки': LSD blotters"),
        r("spice", words: ["спайс", "spice", "микс", "миксы"], .substance, 1.5, context: true, cancel: ["специ", "пряност", "салат"], "synthetic cannabinoids"),
        r("mushrooms", words: ["грибы", "грибочки"], .substance, 1, context: true, cancel: ["лес", "собира", "маринов", "жарен", "суп"], "psilocybin mushrooms"),
        r("kk-addict", stems: ["нашақор", "нашакор"], .substance, 1, context: true, lang: "kk", "нашақор: drug addict"),
        // distribution
        r("stash", stems: ["закладк", "закладч", "кладмен", "кладмэн", "мастерклад"], .distribution, 2,
          "закладка: a stash left in a hidden place; кладмен: the courier who leaves it"),
        r("stash-slang", words: ["клад", "клады", "кладом", "кладов", "прикоп", "прикопы", "магнит", "магниты", "тайник", "тайники"], .distribution, 1.5,
          context: true, cancel: ["пират", "сокровищ", "истори", "археолог", "холодильн", "доск"], "клад, прикоп, магнит, тайник: kinds of stash"),
        r("kk-stash", stems: ["жасырын"], .distribution, 1, context: true, lang: "kk", "жасырын (орын): hidden place"),
        // commerce
        r("shop", words: ["магазин", "шоп", "shop", "бот", "оператор", "прайс", "гарант", "ассортимент", "наличии", "опт", "оптом"],
          stems: ["доставк", "отзыв"], .commerce, 1, context: true, "shop words: in stock, price list, operator, delivery, reviews"),
        r("recruit", words: ["курьер", "курьеры", "курьером", "зп", "вакансия", "подработка"], stems: ["заработ"], .commerce, 1, context: true,
          "courier recruitment (how stash couriers and droppers are hired)"),
        r("payment", words: ["btc", "usdt", "крипта", "криптой", "qiwi", "каспи", "kaspi"], .commerce, 1, context: true, "payment in crypto or to a card"),
        r("kk-shop", words: ["сатамыз", "сатылады", "бағасы", "жеткізу", "дүкен", "жұмыс", "табыс"], .commerce, 1, context: true, lang: "kk",
          "сатамыз/сатылады: we sell / for sale; бағасы: price; жеткізу: delivery; дүкен: shop"),
    ]

    public struct Hit: Sendable, Codable, Equatable {
        public var rule: String
        public var word: String
        public var category: Category
        public var weight: Double
    }

    public struct Assessment: Sendable, Codable, Equatable {
        public var isAdvert: Bool
        public var mentionsDrugs: Bool
        public var score: Double
        public var hits: [Hit]
        /// Context words that were not counted, and why.
        public var ignored: [String]
    }

    // MARK: normalisation

    static let latinToCyrillic: [Character: Character] = [
        "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "m": "м", "t": "т",
        "0": "о", "3": "з", "6": "б",
    ]

    /// Words of a text after normalisation (see the type's documentation).
    public static func words(_ text: String) -> [String] {
        var s = text.lowercased().replacingOccurrences(of: "ё", with: "е")
        // zero-width characters used to dodge filters
        s.removeAll { ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}"].contains($0) }
        // letters split by dots, dashes, underscores or asterisks: "з.а.к.л.а.д.к.и" → "закладки"
        var joined = ""
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            if chars[i].isLetter, i + 2 < chars.count, ".-_*".contains(chars[i + 1]), chars[i + 2].isLetter,
               i == 0 || !chars[i - 1].isLetter {
                var j = i
                var run = ""
                while j < chars.count && chars[j].isLetter && (j + 1 == chars.count || !chars[j + 1].isLetter) {
                    run.append(chars[j])
                    if j + 2 < chars.count && ".-_*".contains(chars[j + 1]) && chars[j + 2].isLetter { j += 2 } else { j += 1; break }
                }
                if run.count >= 3 { joined += run; i = j; continue }
            }
            joined.append(chars[i]); i += 1
        }
        var out: [String] = []
        var cur = ""
        // Latin look-alikes inside a word that also has Cyrillic letters are Cyrillic ("мeф" with a Latin e).
        func script(_ w: String) -> String {
            let hasCyr = w.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
            let hasLat = w.unicodeScalars.contains { $0.isASCII && $0.properties.isAlphabetic }
            return hasCyr && (hasLat || w.contains(where: \.isNumber)) ? String(w.map { latinToCyrillic[$0] ?? $0 }) : w
        }
        func flush() {
            guard !cur.isEmpty else { return }
            // a hyphenated word is also its parts ("альфа-pvp" → "альфапвп", "альфа", "pvp")
            let parts = cur.split(separator: "-").map { script(String($0)) }.filter { !$0.isEmpty }
            if parts.count > 1 { out.append(parts.joined()); out += parts } else if let p = parts.first { out.append(p) }
            cur = ""
        }
        for c in joined {
            if c.isLetter || c.isNumber || c == "-" { cur.append(c) } else { flush() }
        }
        flush()
        return out
    }

    // MARK: assessment

    static func matches(_ rule: Rule, _ w: String) -> Bool {
        rule.words.contains(w) || rule.stems.contains { w.hasPrefix($0.replacingOccurrences(of: "-", with: "")) || w.hasPrefix($0) }
    }

    /// Assesses a text. `paymentDetails`: valid payment details were found in it (a card, IBAN or crypto address), which
    /// counts as a commerce signal.
    public static func assess(_ text: String, paymentDetails: Bool = false) -> Assessment {
        let ws = words(text)
        var strong: [Hit] = [], context: [(Hit, Int)] = [], ignored: [String] = []
        for (i, w) in ws.enumerated() {
            for rule in rules where matches(rule, w) {
                let near = ws[max(0, i - 2)..<min(ws.count, i + 3)]
                if let c = rule.cancelledBy.first(where: { stem in near.contains { $0 != w && $0.hasPrefix(stem) } }) {
                    ignored.append("\(w): everyday sense (next to '\(c)…')")
                    continue
                }
                let hit = Hit(rule: rule.id, word: w, category: rule.category, weight: rule.weight)
                if rule.contextOnly { context.append((hit, i)) } else { strong.append(hit) }
                break
            }
        }
        var hits = strong
        if strong.isEmpty {
            // Without an unambiguous word, context words count only when two different non-commerce rules agree
            // ("соль" with "магниты"), never a context word with shop words alone ("кристаллы" in a "магазин").
            let drugRules = Set(context.filter { $0.0.category != .commerce }.map(\.0.rule))
            if drugRules.count >= 2 {
                hits = context.map(\.0)
            } else {
                ignored += context.map { "\($0.0.word): counts only with other drug words" }
            }
        } else {
            hits += context.map(\.0)
        }
        // one hit per word: the same word repeated adds nothing
        var seen = Set<String>()
        hits = hits.filter { seen.insert($0.word).inserted }
        let score = hits.reduce(0) { $0 + $1.weight } + (paymentDetails && !hits.isEmpty ? 1 : 0)
        let has = { (c: Category) in hits.contains { $0.category == c } }
        let isAdvert = (has(.substance) && (has(.distribution) || has(.commerce) || paymentDetails))
            || (has(.distribution) && (has(.commerce) || paymentDetails)) || score >= 4
        return Assessment(isAdvert: isAdvert, mentionsDrugs: has(.substance) || has(.distribution), score: score, hits: hits, ignored: ignored)
    }
}
