import Foundation

/// Normalises Russian and Kazakh text before feature extraction.
///
/// Rules, applied in this order:
/// 1. Unicode NFC composition, then lowercase (`String.lowercased()`, locale-independent).
///    The combining dot left by lowercasing `İ` (U+0130 → `i` + U+0307) is dropped.
/// 2. URLs (`http://…`, `https://…`, `www.…` up to the next whitespace) are replaced by a space
///    when `stripURLs` is on.
/// 3. Latin-script Kazakh is transliterated to Cyrillic (see `LatinKazakhMode` and
///    `TextKazakhLatin` for the tables). Cyrillic and other scripts are left untouched.
/// 4. `ё` → `е`.
/// 5. With `foldKazakhLetters`, the Kazakh-specific Cyrillic letters are folded to their
///    nearest Russian letters: ә→а ғ→г қ→к ң→н ө→о ұ→у ү→у һ→х і→и. Off by default, so the
///    letters are kept.
/// 6. Every run of whitespace (spaces, tabs, newlines, other Unicode whitespace and control
///    characters) becomes one space; leading and trailing whitespace is removed.
///
/// Digits and punctuation are kept.
public struct TextNormalizer: Sendable, Codable, Equatable {
    /// When to transliterate Latin letters as Kazakh.
    public enum LatinKazakhMode: String, Sendable, Codable, CaseIterable {
        /// Never: Latin text stays Latin.
        case off
        /// Only texts that contain at least one letter specific to a Kazakh Latin alphabet
        /// (2018: á ǵ ń ó ú ý ı; 2021: ä ğ ñ ö ş ü ū ç). Plain English/Latin words inside a
        /// Russian text are therefore left alone.
        case auto
        /// Every Latin letter of every text (2018 table unless 2021 letters are present).
        case always
    }

    /// Fold ә ғ қ ң ө ұ ү һ і to а г к н о у у х и (default `false`: keep them).
    public var foldKazakhLetters: Bool
    /// Latin-script Kazakh transliteration mode (default `.auto`).
    public var latinKazakh: LatinKazakhMode
    /// Replace URLs by a space (default `true`).
    public var stripURLs: Bool

    public init(foldKazakhLetters: Bool = false, latinKazakh: LatinKazakhMode = .auto, stripURLs: Bool = true) {
        self.foldKazakhLetters = foldKazakhLetters
        self.latinKazakh = latinKazakh
        self.stripURLs = stripURLs
    }

    /// The normalised text.
    public func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: normalizedScalars(text))
        return String(out)
    }

    /// The normalised text as Unicode scalars (what the feature extractor consumes).
    public func normalizedScalars(_ text: String) -> [Unicode.Scalar] {
        let lowered = text.precomposedStringWithCanonicalMapping.lowercased()
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(lowered.unicodeScalars.count)
        for s in lowered.unicodeScalars {
            // `İ`.lowercased() == "i\u{307}": drop the combining dot after i.
            if s.value == 0x307, let last = scalars.last, last == "i" { continue }
            scalars.append(s)
        }
        if stripURLs { scalars = Self.removingURLs(scalars) }
        if let scheme = TextKazakhLatin.scheme(for: scalars, mode: latinKazakh) {
            scalars = TextKazakhLatin.transliterate(scalars, scheme: scheme)
        }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        var pendingSpace = false
        for var s in scalars {
            if Self.isSpace(s) {
                pendingSpace = !result.isEmpty
                continue
            }
            if s.value == 0x451 { s = "\u{435}" }  // ё → е
            if foldKazakhLetters, let folded = Self.kazakhFold[s.value] { s = folded }
            if pendingSpace { result.append(" "); pendingSpace = false }
            result.append(s)
        }
        return result
    }

    static let kazakhFold: [UInt32: Unicode.Scalar] = [
        0x4D9: "\u{430}",  // ә → а
        0x493: "\u{433}",  // ғ → г
        0x49B: "\u{43A}",  // қ → к
        0x4A3: "\u{43D}",  // ң → н
        0x4E9: "\u{43E}",  // ө → о
        0x4B1: "\u{443}",  // ұ → у
        0x4AF: "\u{443}",  // ү → у
        0x4BB: "\u{445}",  // һ → х
        0x456: "\u{438}",  // і → и
    ]

    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s.value <= 0x20 || s.value == 0x7F }
        return s.properties.isWhitespace || s.properties.generalCategory == .control
            || s.value == 0x200B || s.value == 0xFEFF
    }

    static func removingURLs(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let prefixes: [[Unicode.Scalar]] = ["http://", "https://", "www."].map { Array($0.unicodeScalars) }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        outer: while i < s.count {
            if s[i] == "h" || s[i] == "w" {
                let atBoundary = i == 0 || !TextTokenizer.isWordScalar(s[i - 1])
                if atBoundary {
                    for p in prefixes where i + p.count <= s.count && Array(s[i..<(i + p.count)]) == p {
                        var j = i + p.count
                        while j < s.count && !isSpace(s[j]) { j += 1 }
                        out.append(" ")
                        i = j
                        continue outer
                    }
                }
            }
            out.append(s[i])
            i += 1
        }
        return out
    }
}

/// Latin-script Kazakh → Cyrillic transliteration.
///
/// Two official Latin alphabets are recognised (input is already lowercased):
///
/// **2018** (Presidential Decree No. 569 of 26 Oct 2017 as amended by No. 637 of 19 Feb 2018, the
/// acute-accent alphabet): a→а á→ә b→б d→д e→е f→ф g→г ǵ→ғ h→х i→и (also used for й) ı→і j→ж
/// k→к l→л m→м n→н ń→ң o→о ó→ө p→п q→қ r→р s→с t→т u→ұ ú→ү v→в y→ы ý→у z→з;
/// digraphs sh→ш ch→ч; ıa→я ıý→ю (the 2018 spellings of я and ю).
///
/// **2021** (the revised alphabet presented on 28 Jan 2021, Turkic-style diacritics; as in the
/// English Wikipedia "Kazakh alphabets" table and its sample "Būryñğy ötken zamanda, bır
/// danyşpan kısı"): a→а ä→ә b→б d→д e→е f→ф g→г ğ→ғ h→х ı→і i→и (also й) j→ж k→к l→л m→м
/// n→н ñ→ң o→о ö→ө p→п q→қ r→р s→с ş→ш t→т u→у ū→ұ ü→ү v→в y→ы z→з ç→ч.
///
/// Letters outside both alphabets map as in loanwords: c→ц w→у x→кс. The 2021 table is chosen
/// when the text contains any of ä ğ ñ ö ş ü ū ç, otherwise the 2018 table. The capital `I` is
/// ambiguous in the 2018 alphabet (capital of both i and ı); after lowercasing it reads as i→и.
public enum TextKazakhLatin {
    public enum Scheme: String, Sendable, Codable { case latin2018, latin2021 }

    static let markers2018: Set<UInt32> = [0xE1, 0x1F5, 0x144, 0xF3, 0xFA, 0xFD, 0x131]
    static let markers2021: Set<UInt32> = [0xE4, 0x11F, 0xF1, 0xF6, 0x15F, 0xFC, 0x16B, 0xE7]

    /// The table to use for a (lowercased) text, or nil when it should stay as it is.
    public static func scheme(for scalars: [Unicode.Scalar], mode: TextNormalizer.LatinKazakhMode) -> Scheme? {
        if mode == .off { return nil }
        var has2018 = false
        for s in scalars {
            if markers2021.contains(s.value) { return .latin2021 }
            if markers2018.contains(s.value) { has2018 = true }
        }
        if has2018 || mode == .always { return .latin2018 }
        return nil
    }

    static let common: [UInt32: String] = [
        0x61: "а", 0x62: "б", 0x64: "д", 0x65: "е", 0x66: "ф", 0x67: "г", 0x68: "х",
        0x6A: "ж", 0x6B: "к", 0x6C: "л", 0x6D: "м", 0x6E: "н", 0x6F: "о", 0x70: "п",
        0x71: "қ", 0x72: "р", 0x73: "с", 0x74: "т", 0x76: "в", 0x7A: "з",
        0x63: "ц", 0x77: "у", 0x78: "кс",
    ]
    static let table2018: [UInt32: String] = common.merging([
        0xE1: "ә", 0x1F5: "ғ", 0x69: "и", 0x131: "і", 0x144: "ң", 0xF3: "ө",
        0x75: "ұ", 0xFA: "ү", 0x79: "ы", 0xFD: "у",
    ]) { $1 }
    static let table2021: [UInt32: String] = common.merging([
        0xE4: "ә", 0x11F: "ғ", 0x131: "і", 0x69: "и", 0xF1: "ң", 0xF6: "ө",
        0x15F: "ш", 0x75: "у", 0x16B: "ұ", 0xFC: "ү", 0x79: "ы", 0xE7: "ч",
    ]) { $1 }

    /// Transliterates Latin letters; everything else passes through.
    public static func transliterate(_ s: [Unicode.Scalar], scheme: Scheme) -> [Unicode.Scalar] {
        let table = scheme == .latin2018 ? table2018 : table2021
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            let c = s[i].value
            let next = i + 1 < s.count ? s[i + 1].value : 0
            if next == 0x68 && (c == 0x73 || c == 0x63) {  // sh, ch
                out.append(c == 0x73 ? "\u{448}" : "\u{447}")
                i += 2
                continue
            }
            if scheme == .latin2018 && c == 0x131 && (next == 0x61 || next == 0xFD) {  // ıa → я, ıý → ю
                out.append(next == 0x61 ? "\u{44F}" : "\u{44E}")
                i += 2
                continue
            }
            if let mapped = table[c] {
                out.append(contentsOf: mapped.unicodeScalars)
            } else {
                out.append(s[i])
            }
            i += 1
        }
        return out
    }
}

/// Splits normalised scalars into word tokens: maximal runs of letters (any script, combining
/// marks included) and decimal digits.
public enum TextTokenizer {
    @inline(__always)
    public static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A)
        }
        if v >= 0x400 && v <= 0x4FF { return true }  // Cyrillic block, Kazakh letters included
        let p = s.properties
        return p.isAlphabetic || p.generalCategory == .decimalNumber || p.generalCategory == .nonspacingMark
    }

    /// Ranges of word tokens in `scalars`.
    public static func wordRanges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = -1
        for i in 0..<scalars.count {
            if isWordScalar(scalars[i]) {
                if start < 0 { start = i }
            } else if start >= 0 {
                ranges.append(start..<i)
                start = -1
            }
        }
        if start >= 0 { ranges.append(start..<scalars.count) }
        return ranges
    }
}

/// Light suffix stripping for word features.
public enum TextStemmer {
    /// Russian inflection endings (noun cases, adjective and participle endings, common verb
    /// endings, reflexive -ся/-сь), longest first. Not a full Snowball stemmer: one ending is
    /// removed, and only when at least 3 letters remain.
    public static let russianEndings: [[Unicode.Scalar]] = [
        "иями", "ться", "ями", "ами", "ией", "иях", "ого", "его", "ому", "ему", "ыми", "ими", "ешь", "ишь",
        "ете", "ите", "ать", "ять", "ить", "еть", "уть", "ются", "ится", "ется", "ался", "ась", "ось",
        "ись", "ся", "сь", "ых", "их", "ой", "ей", "ий", "ый", "ая", "яя", "ое", "ее", "ую", "юю", "ом",
        "ем", "ам", "ям", "ах", "ях", "ов", "ев", "ью", "ть", "ет", "ют", "ут", "ит", "ат", "ят", "ла",
        "ло", "ли", "ил", "ел", "ал", "а", "я", "о", "е", "и", "ы", "у", "ю", "ь", "й",
    ].map { Array($0.unicodeScalars) }.sorted { $0.count > $1.count }

    /// The range of `scalars[word]` left after removing the longest matching Russian ending,
    /// keeping at least 3 scalars. Words with any non-Cyrillic scalar, or Kazakh-specific
    /// letters (ә ғ қ ң ө ұ ү һ і), are returned unchanged.
    public static func russianLight(_ scalars: [Unicode.Scalar], _ word: Range<Int>) -> Range<Int> {
        guard word.count > 3 else { return word }
        for i in word {
            let v = scalars[i].value
            guard v >= 0x430 && v <= 0x44F else { return word }  // а…я only (ё is folded to е)
        }
        for e in russianEndings where word.count - e.count >= 3 {
            var match = true
            for (k, s) in e.enumerated() where scalars[word.upperBound - e.count + k] != s {
                match = false
                break
            }
            if match { return word.lowerBound..<(word.upperBound - e.count) }
        }
        return word
    }
}
