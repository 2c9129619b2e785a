import AqylML
import Foundation

/// Light Kazakh suffix stripping for retrieval.
///
/// Kazakh is agglutinative: a noun takes, in this order, plural (-лар/-лер/-дар/-дер/-тар/-тер), possessive
/// (-ым/-ің/-сы/-мыз/-ңыз…) and case endings (genitive -ның/-дың/-тың, dative -ға/-ге/-қа/-ке/-на/-а,
/// accusative -ны/-ды/-ты/-н, locative -да/-де/-та/-те/-нда, ablative -дан/-нан/-тан, instrumental
/// -мен/-бен/-пен), and frequent derivations (-лық/-лік/-дық/-тық "-ness", -шы/-ші agent, -сыз/-сіз
/// "without", -ғы/-гі/-дағы/-дегі attributive). Verbs take participle (-ған/-ген/-қан/-кен, -атын/-етін,
/// -йтын), verbal-noun (-у, -уы), converb (-ып/-іп/-п), tense and person endings.
///
/// The stripper removes, up to `maxPasses` (1) times, the longest ending from `endings` that leaves a stem of
/// at least `minStem` (5) letters (one-letter endings need one letter more) containing a vowel. These limits
/// are deliberately light: on the benchmark's dev questions (BM25 k1 1.2, b 0.75) a 3-letter stem and 3 passes
/// gave Hit@1 0.643 against 0.762 without stemming, while a 5-letter stem and one pass matched no stemming within
/// noise (best of the same grid: Hit@1 0.786 both, MRR@10 0.838 vs 0.849; Benchmarks/legal/README.md), and two
/// passes already cost 0.06 (`aqyl legal tune`: Hit@1 0.726 in-sample). The
/// machine-written dev questions copy the evidence's word forms, so they cannot show what stemming buys on
/// citizens' own wording; it is kept light so that it costs nothing measurable there. It does not
/// restore stems (so "салығы" → "салығ" and "салық" stay apart: both are kept as written, only endings
/// go) and it knows no exceptions; it is meant to conflate the inflected forms of one word inside BM25,
/// not to be a morphological analyser. Words with a non-Cyrillic letter or a digit are left unchanged.
public enum KazakhStemmer {
    /// Endings, longest first (the order within equal length does not matter).
    public static let endings: [[Unicode.Scalar]] = [
        // case endings (after possessives: -ның/-нің, -на/-не, -ны/-ні, -нда/-нде, -нан/-нен)
        "ның", "нің", "дың", "дің", "тың", "тің",
        "ға", "ге", "қа", "ке", "на", "не",
        "ны", "ні", "ды", "ді", "ты", "ті",
        "да", "де", "та", "те", "нда", "нде",
        "дан", "ден", "тан", "тен", "нан", "нен", "ндан", "нден",
        "мен", "бен", "пен",
        "ша", "ше", "ынша", "інше",
        // 3rd-person possessive followed by a case ending, as one ending (one pass strips the whole chain)
        "ын", "ін", "сын", "сін", "ының", "інің", "сының", "сінің", "ына", "іне", "сына", "сіне",
        "ында", "інде", "сында", "сінде", "ынан", "інен", "сынан", "сінен", "ымен", "імен", "сымен", "сімен",
        // plural and plural + possessive
        "лар", "лер", "дар", "дер", "тар", "тер", "лары", "лері", "дары", "дері", "тары", "тері",
        // possessive
        "ым", "ім", "ың", "ің", "ы", "і", "сы", "сі", "мыз", "міз", "ымыз", "іміз", "ңыз", "ңіз", "ыңыз", "іңіз",
        // attributive and derivational
        "ғы", "гі", "қы", "кі", "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі",
        "лық", "лік", "дық", "дік", "тық", "тік", "шы", "ші", "сыз", "сіз", "лы", "лі", "ды", "ді",
        // verbal: participles, verbal nouns, converbs, tense/person
        "ған", "ген", "қан", "кен", "атын", "етін", "йтын", "йтін", "итын", "итін", "ушы", "уші",
        "уы", "уі", "у", "ып", "іп", "п", "ады", "еді", "йды", "йді", "ды", "ді", "ты", "ті",
        "са", "се", "са", "мақ", "мек", "бақ", "бек", "пақ", "пек",
        "ылады", "іледі", "лады", "леді", "ылған", "ілген", "ілу", "ылу", "ну", "нуы",
        "а", "е", "й", "н", "м", "ң",
    ].map { Array($0.unicodeScalars) }.sorted { $0.count > $1.count }

    static let vowels: Set<Unicode.Scalar> = ["а", "ә", "е", "ё", "и", "о", "ө", "у", "ұ", "ү", "ы", "і", "э", "ю", "я"]

    public static let minStem = 5
    public static let maxPasses = 1

    /// The stem of `scalars[word]` (a range into it).
    public static func stem(_ scalars: [Unicode.Scalar], _ word: Range<Int>, minStem: Int = KazakhStemmer.minStem,
                            maxPasses: Int = KazakhStemmer.maxPasses) -> Range<Int> {
        for i in word {
            let v = scalars[i].value
            guard (v >= 0x430 && v <= 0x44F) || v == 0x451 || v == 0x456 || v == 0x493 || v == 0x49B || v == 0x4A3
                || v == 0x4AF || v == 0x4B1 || v == 0x4BB || v == 0x4D9 || v == 0x4E9
            else { return word }
        }
        var end = word.upperBound
        for _ in 0..<maxPasses {
            var stripped = false
            for e in endings {
                let need = minStem + (e.count == 1 ? 1 : 0)
                guard end - word.lowerBound - e.count >= need else { continue }
                var match = true
                for (k, s) in e.enumerated() where scalars[end - e.count + k] != s {
                    match = false
                    break
                }
                guard match else { continue }
                let stemEnd = end - e.count
                guard (word.lowerBound..<stemEnd).contains(where: { vowels.contains(scalars[$0]) }) else { continue }
                end = stemEnd
                stripped = true
                break
            }
            if !stripped { break }
        }
        return word.lowerBound..<end
    }

    /// Convenience: the stem of one word as a string.
    public static func stem(_ word: String) -> String {
        let s = Array(word.lowercased().unicodeScalars)
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s[stem(s, 0..<s.count)])
        return String(v)
    }
}

/// Turns text into index terms: the project's `TextNormalizer` (NFC, lowercase, ё→е, Latin Kazakh
/// transliterated), word tokens (`TextTokenizer`), then light stemming in the text's language (Russian:
/// `TextStemmer.russianLight`; Kazakh: `KazakhStemmer`). Stop words (frequent function words of both
/// languages) are dropped. Numbers are kept as terms.
public struct LegalAnalyzer: Sendable, Codable, Equatable {
    public var normalizer: TextNormalizer
    public var stemming: Bool
    /// Kazakh stems keep at least this many letters (`KazakhStemmer.minStem` by default).
    public var kazakhMinStem: Int
    /// At most this many Kazakh endings are removed.
    public var kazakhPasses: Int
    /// Also emit word bigrams ("a_b") of consecutive kept words.
    public var bigrams: Bool

    public init(normalizer: TextNormalizer = TextNormalizer(), stemming: Bool = true, kazakhMinStem: Int = KazakhStemmer.minStem,
                kazakhPasses: Int = KazakhStemmer.maxPasses, bigrams: Bool = false) {
        self.normalizer = normalizer
        self.stemming = stemming
        self.kazakhMinStem = kazakhMinStem
        self.kazakhPasses = kazakhPasses
        self.bigrams = bigrams
    }

    /// The settings the index command uses (chosen on the dev questions, see the model card).
    public static let standard = LegalAnalyzer()

    /// Function words of Kazakh and Russian that carry no topic (question words included).
    public static let stopWords: Set<String> = [
        // Kazakh
        "және", "мен", "бен", "пен", "немесе", "да", "де", "та", "те", "бұл", "осы", "сол", "ол", "оның", "олар", "үшін",
        "бойынша", "туралы", "сияқты", "арқылы", "кейін", "дейін", "бірақ", "ал", "егер", "қандай", "қанша", "қалай",
        "кім", "кімдер", "не", "неше", "қашан", "қай", "ма", "ме", "ба", "бе", "па", "пе", "ғана", "ретінде", "тиіс",
        "болып", "табылады", "болады", "болуы", "мүмкін", "ие", "керек", "бар", "жоқ", "әр", "әрбір", "барлық",
        // Russian
        "и", "в", "во", "на", "с", "со", "по", "к", "ко", "о", "об", "от", "до", "из", "за", "для", "при", "не", "ни",
        "а", "но", "или", "либо", "что", "как", "какой", "какие", "какая", "каков", "кто", "где", "когда", "сколько",
        "ли", "же", "бы", "это", "этот", "эта", "эти", "тот", "та", "те", "то", "его", "ее", "их", "он", "она", "они",
        "который", "которые", "которая", "которое", "также", "может", "могут", "быть", "является", "являются",
        "если", "чем", "у", "под", "над", "через", "между", "без", "об", "так", "все", "всех", "каждый",
    ]

    /// Index terms of `text` written in `language`.
    public func terms(_ text: String, language: LegalLanguage) -> [String] {
        let scalars = normalizer.normalizedScalars(text)
        var out: [String] = []
        for r in TextTokenizer.wordRanges(scalars) {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: scalars[r])
            let word = String(v)
            if Self.stopWords.contains(word) { continue }
            guard stemming else {
                out.append(word)
                continue
            }
            let stem: Range<Int>
            switch language {
            case .ru: stem = TextStemmer.russianLight(scalars, r)
            case .kk: stem = KazakhStemmer.stem(scalars, r, minStem: kazakhMinStem, maxPasses: kazakhPasses)
            }
            if stem == r {
                out.append(word)
            } else {
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[stem])
                out.append(String(s))
            }
        }
        if bigrams && out.count > 1 {
            let unigrams = out
            for i in 0..<(unigrams.count - 1) { out.append(unigrams[i] + "_" + unigrams[i + 1]) }
        }
        return out
    }
}
