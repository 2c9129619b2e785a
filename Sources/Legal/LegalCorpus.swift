import Foundation

/// Language of a legal text: Kazakh or Russian (the two official languages of Kazakhstan's acts).
public enum LegalLanguage: String, Sendable, Codable, CaseIterable {
    case kk, ru

    /// Parses `kk`/`kaz`/`kz` and `ru`/`rus`.
    public init?(code: String) {
        switch code.lowercased() {
        case "kk", "kaz", "kz", "қаз": self = .kk
        case "ru", "rus", "рус": self = .ru
        default: return nil
        }
    }

    /// Guesses the language of a question: Kazakh when at least one word in ten carries a Kazakh-specific
    /// letter (ә ғ қ ң ө ұ ү һ і) or is one of a few frequent Kazakh words without them; otherwise Russian.
    public static func detect(_ text: String) -> LegalLanguage {
        let kazakhLetters: Set<Unicode.Scalar> = ["ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і", "Ә", "Ғ", "Қ", "Ң", "Ө", "Ұ", "Ү", "Һ", "І"]
        let kazakhWords: Set<String> = ["бойынша", "туралы", "бар", "жоқ", "немесе", "мен", "бен", "пен", "кезде", "жылы", "деп", "ма", "ме", "ба", "бе", "па", "пе"]
        var words = 0
        var kazakh = 0
        for w in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
            words += 1
            if w.unicodeScalars.contains(where: { kazakhLetters.contains($0) }) || kazakhWords.contains(String(w)) { kazakh += 1 }
        }
        return words > 0 && kazakh * 10 >= words ? .kk : .ru
    }
}

/// A calendar date (no time zone), compared as `YYYY-MM-DD`.
public struct LegalDate: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` or `DD.MM.YYYY`; nil for anything else or an impossible date.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts: [Substring]
        let y: Int?, m: Int?, d: Int?
        if t.contains("-") {
            parts = t.split(separator: "-")
            guard parts.count == 3, parts[0].count == 4 else { return nil }
            (y, m, d) = (Int(parts[0]), Int(parts[1]), Int(parts[2]))
        } else {
            parts = t.split(separator: ".")
            guard parts.count == 3, parts[2].count == 4 else { return nil }
            (y, m, d) = (Int(parts[2]), Int(parts[1]), Int(parts[0]))
        }
        guard let y, let m, let d, (1...12).contains(m), d >= 1, d <= LegalDate.daysIn(month: m, year: y) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
    public static func < (a: LegalDate, b: LegalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let d = LegalDate(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(s)"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// One edition of one act in one language: the unit that is kept side by side with other editions.
public struct LegalActEdition: Sendable, Codable, Equatable {
    /// The act's identifier (the legal portal's document number where known, e.g. `223244`).
    public var actId: String
    public var title: String
    public var language: LegalLanguage
    /// The edition's date (the portal's edition date); nil when the source does not say.
    public var edition: LegalDate?
    /// The date the edition enters into force, when the text says so (e.g. "Вступает в силу с 01.07.2026").
    public var inForceFrom: LegalDate?
    /// The date the act stopped being in force; nil while it is in force (or when unknown).
    public var repealedOn: LegalDate?
    /// Where the official text is (a portal address), or the file it was imported from.
    public var source: String

    public init(actId: String, title: String, language: LegalLanguage, edition: LegalDate?, inForceFrom: LegalDate? = nil,
                repealedOn: LegalDate? = nil, source: String) {
        self.actId = actId
        self.title = title
        self.language = language
        self.edition = edition
        self.inForceFrom = inForceFrom
        self.repealedOn = repealedOn
        self.source = source
    }

    /// The key that tells editions apart.
    public var key: String { "\(actId)/\(language.rawValue)/\(edition?.description ?? "undated")" }
}

/// One retrievable piece of law: a paragraph of an article (or the whole article when it has no numbered
/// paragraphs, or a passage from a CSV). A chunk never spans two articles.
public struct LegalChunk: Sendable, Codable, Equatable {
    /// Stable identifier (`passage_id` for CSV passages; `act/lang/edition/stN[/pM]` for imported acts).
    public var id: String
    /// Index into the corpus' editions, or -1 for a passage that names no act.
    public var editionIndex: Int
    /// Act title or identifier as given (CSV `act` column), "" when unknown.
    public var act: String
    public var language: LegalLanguage
    /// Article number as written ("2", "137-1"), "" when unknown.
    public var article: String
    /// Paragraph number within the article ("4"), "" for a whole article.
    public var paragraph: String
    /// Chapter/section heading the article stands under, "" when none.
    public var chapter: String
    public var source: String
    /// The text, article header first ("Статья 2" / "2-бап"), exactly as quoted in answers.
    public var text: String

    public init(id: String, editionIndex: Int = -1, act: String, language: LegalLanguage, article: String = "", paragraph: String = "",
                chapter: String = "", source: String = "", text: String) {
        self.id = id
        self.editionIndex = editionIndex
        self.act = act
        self.language = language
        self.article = article
        self.paragraph = paragraph
        self.chapter = chapter
        self.source = source
        self.text = text
    }
}

/// A corpus: editions side by side, and their chunks.
public struct LegalCorpus: Sendable, Equatable {
    public var editions: [LegalActEdition] = []
    public var chunks: [LegalChunk] = []

    public init(editions: [LegalActEdition] = [], chunks: [LegalChunk] = []) {
        self.editions = editions
        self.chunks = chunks
    }

    /// Adds another corpus' editions and chunks (edition indices are shifted).
    public mutating func append(_ other: LegalCorpus) {
        let base = editions.count
        editions += other.editions
        chunks += other.chunks.map { c in
            var c = c
            if c.editionIndex >= 0 { c.editionIndex += base }
            return c
        }
    }

    /// Marks every edition of `actId` as repealed on `date`; returns how many editions were marked.
    @discardableResult
    public mutating func markRepealed(actId: String, on date: LegalDate) -> Int {
        var n = 0
        for i in editions.indices where editions[i].actId == actId {
            editions[i].repealedOn = date
            n += 1
        }
        return n
    }

    /// Whether edition `e` is the one in force on `date`: it is in force by then (its in-force date, else its
    /// edition date, is on or before `date`), not repealed by then, and no later edition of the same act
    /// and language is in force by then. An undated edition is taken to apply at any date unless a dated
    /// edition of the same act and language applies.
    public static func applies(_ e: Int, on date: LegalDate, editions: [LegalActEdition]) -> Bool {
        let ed = editions[e]
        if let r = ed.repealedOn, r <= date { return false }
        let start = ed.inForceFrom ?? ed.edition
        if let start, start > date { return false }
        for (j, other) in editions.enumerated() where j != e && other.actId == ed.actId && other.language == ed.language {
            let os = other.inForceFrom ?? other.edition
            guard let os, os <= date else { continue }
            if let r = other.repealedOn, r <= date { continue }
            // `other` is in force on `date`; it supersedes `ed` when it started later (or `ed` is undated).
            if start == nil || os > start! { return false }
        }
        return true
    }
}
