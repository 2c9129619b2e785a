import Foundation

/// One cited piece of law.
public struct LegalCitation: Sendable, Codable, Equatable {
    public var act: String
    public var article: String
    public var paragraph: String
    /// Edition date (YYYY-MM-DD) or "" when the source does not say.
    public var edition: String
    public var source: String
    /// Verbatim text from the chunk.
    public var quote: String
    public var chunkId: String
    public var language: String
}

/// The agent's reply: either an answer built only from quoted law, or a refusal that offers a lawyer.
public struct LegalAnswer: Sendable, Codable, Equatable {
    public var answered: Bool
    public var answer: String
    public var citations: [LegalCitation]
    public var confidence: Double
    public var language: String
    public var asOf: String?
    /// Why the agent refused (nil when it answered).
    public var refusalReason: String?
}

/// Builds answers from retrieved chunks. Every sentence of an answer is either a verbatim quote (with its
/// citation), the quote shortened (the "plain words" line: parentheses dropped, cut at a word), or a fixed
/// frame ("According to …", "Where to apply: …" naming an authority that occurs in the quoted text).
public struct LegalAnswerer: Sendable {
    public let retriever: LegalRetriever
    public var refusal: RefusalModel

    public init(retriever: LegalRetriever, refusal: RefusalModel) {
        self.retriever = retriever
        self.refusal = refusal
    }

    public func ask(_ question: String, asOf: LegalDate? = nil) throws -> LegalAnswer {
        let r = try retriever.search(question, top: 5, asOf: asOf)
        let lang = r.language
        let features = RefusalFeatures(r)
        let confidence = refusal.confidence(features)
        guard let best = r.ranked.first else {
            return refusalAnswer(lang, confidence: 0, asOf: asOf,
                                 reason: asOf != nil ? "no act in the corpus is in force on \(asOf!)" : "no passage shares a term with the question")
        }
        if confidence < refusal.threshold {
            return refusalAnswer(lang, confidence: confidence, asOf: asOf,
                                 reason: String(format: "confidence %.2f below the threshold %.2f", confidence, refusal.threshold))
        }
        let index = retriever.index
        var cited = [best.chunk]
        // Answer in the question's language where the corpus has the same article in it.
        if index.language(best.chunk) != lang, let twin = counterpart(of: best.chunk, in: lang, asOf: asOf) { cited.insert(twin, at: 0) }
        let terms = Set(index.analyzer.terms(question, language: lang))
        var citations: [LegalCitation] = []
        for c in cited {
            let chunk = index.chunk(c)
            let (quote, para) = try bestSentence(chunk, terms: terms, queryVector: chunk.language == lang ? nil : r.queryVector)
            let ed = chunk.editionIndex >= 0 ? index.meta.editions[chunk.editionIndex] : nil
            citations.append(LegalCitation(act: ed?.title ?? chunk.act, article: chunk.article, paragraph: chunk.paragraph.isEmpty ? para : chunk.paragraph,
                                           edition: ed?.edition?.description ?? "", source: ed?.source ?? chunk.source, quote: quote,
                                           chunkId: chunk.id, language: chunk.language.rawValue))
        }
        return LegalAnswer(answered: true, answer: compose(citations, lang: lang, asOf: asOf), citations: citations, confidence: confidence,
                           language: lang.rawValue, asOf: asOf?.description, refusalReason: nil)
    }

    /// The chunk of the same act, article and paragraph in `language`, in force on `asOf`.
    func counterpart(of c: Int, in language: LegalLanguage, asOf: LegalDate?) -> Int? {
        let index = retriever.index
        let e = index.editionIndex(c)
        guard e >= 0 else { return nil }
        let me = index.chunk(c)
        let act = index.meta.editions[e].actId
        var fallback: Int?
        for i in 0..<index.count where index.language(i) == language {
            let ei = index.editionIndex(i)
            guard ei >= 0, index.meta.editions[ei].actId == act, index.applies(i, on: asOf) else { continue }
            let other = index.chunk(i)
            guard other.article == me.article else { continue }
            if other.paragraph == me.paragraph { return i }
            if fallback == nil { fallback = i }
        }
        return fallback
    }

    /// The sentence (or line) of the chunk sharing most question terms — or, for a chunk in another language
    /// than the question (`queryVector` given), the sentence closest to the question by E5 — and the paragraph
    /// number of the line it is on ("" when the line has none).
    func bestSentence(_ chunk: LegalChunk, terms: Set<String>, queryVector: [Float]? = nil) throws -> (String, String) {
        let analyzer = retriever.index.analyzer
        var best = ""
        var bestScore = -Double.infinity
        var bestPara = ""
        var para = ""
        var candidates: [(sentence: String, para: String)] = []
        let lines = chunk.text.split(separator: "\n").map(String.init)
        for (li, line) in lines.enumerated() {
            if li == 0 && lines.count > 1 && LegalChunker.leadingArticle(line) != nil { continue }  // the article header
            if let n = MarkdownActImporter.paragraphNumber(Substring(line)) { para = n }
            for s in sentences(line) { candidates.append((s, para)) }
        }
        var scores: [Double] = candidates.map { c in
            let overlap = Double(Set(analyzer.terms(c.sentence, language: chunk.language)).intersection(terms).count)
            return overlap - (c.sentence.count > 600 ? 0.5 : 0)
        }
        if let queryVector, let embedder = retriever.embedder, candidates.count > 1 {
            let rows = try embedder.embedRows(candidates.map(\.sentence), as: .passage)
            scores = rows.map { row in Double(zip(row, queryVector).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
        }
        for (c, score) in zip(candidates, scores) where score > bestScore {
            best = c.sentence
            bestScore = score
            bestPara = c.para
        }
        if best.isEmpty { best = chunk.text }
        return (best.trimmingCharacters(in: .whitespaces), bestPara)
    }

    func sentences(_ line: String) -> [String] {
        var out: [String] = []
        var cur = ""
        let chars = Array(line)
        for (i, ch) in chars.enumerated() {
            cur.append(ch)
            let next = i + 1 < chars.count ? chars[i + 1] : " "
            if (ch == "." || ch == ";" || ch == "!" || ch == "?") && next == " " && cur.count > 40 {
                out.append(cur.trimmingCharacters(in: .whitespaces))
                cur = ""
            }
        }
        let t = cur.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { out.append(t) }
        return out
    }

    /// The quote without parenthetical remarks, cut at a word near 220 characters.
    static func plainWords(_ quote: String) -> String {
        var s = ""
        var depth = 0
        for ch in quote {
            if ch == "(" { depth += 1; continue }
            if ch == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { s.append(ch) }
        }
        s = s.replacingOccurrences(of: "  ", with: " ").trimmingCharacters(in: .whitespaces)
        if s.count > 220 {
            let head = s.prefix(220)
            s = String(head[..<(head.lastIndex(of: " ") ?? head.endIndex)]) + " …"
        }
        return s
    }

    /// Authorities a citizen can turn to, as they are written in the laws (Russian, Kazakh stems).
    static let authorities: [(needle: String, ru: String, kk: String)] = [
        ("регистрирующ", "регистрирующий орган (ЗАГС)", "тіркеуші орган (АХАЖ)"),
        ("тіркеуші орган", "регистрирующий орган (ЗАГС)", "тіркеуші орган (АХАЖ)"),
        ("нотариус", "нотариус", "нотариус"),
        ("прокурор", "прокуратура", "прокуратура"),
        ("прокуратур", "прокуратура", "прокуратура"),
        ("суд", "суд", "сот"),
        ("сот", "суд", "сот"),
        ("акимат", "акимат", "әкімдік"),
        ("әкімдік", "акимат", "әкімдік"),
        ("опек", "орган опеки и попечительства", "қорғаншылық және қамқоршылық органы"),
        ("қорғаншы", "орган опеки и попечительства", "қорғаншылық және қамқоршылық органы"),
        ("салық орган", "налоговый орган", "салық органы"),
        ("налогов", "налоговый орган", "салық органы"),
        ("уполномоченн", "уполномоченный орган", "уәкілетті орган"),
        ("уәкілетті орган", "уполномоченный орган", "уәкілетті орган"),
    ]

    func whereToApply(_ citations: [LegalCitation], lang: LegalLanguage) -> String {
        // Needles match at the start of a word ("суд" is not found inside "государственный").
        let text = " " + String(citations.map { $0.quote.lowercased() }.joined(separator: " ").map { $0.isLetter ? $0 : " " })
        var found: [String] = []
        for a in Self.authorities where text.contains(" " + a.needle) {
            let name = lang == .ru ? a.ru : a.kk
            if !found.contains(name) { found.append(name) }
        }
        if lang == .ru {
            return found.isEmpty
                ? "Куда обращаться: цитируемая норма не называет орган; за бесплатной консультацией обратитесь к юристу гарантированной юридической помощи вашего региона."
                : "Куда обращаться: \(found.prefix(2).joined(separator: ", ")) — так названо в цитируемой норме; при сомнениях обратитесь к юристу."
        }
        return found.isEmpty
            ? "Қайда жүгіну керек: келтірілген нормада орган аталмаған; тегін кеңес алу үшін өңіріңіздегі кепілдендірілген заң көмегі заңгеріне жүгініңіз."
            : "Қайда жүгіну керек: \(found.prefix(2).joined(separator: ", ")) — келтірілген нормада солай аталған; күмән болса, заңгерге жүгініңіз."
    }

    func compose(_ citations: [LegalCitation], lang: LegalLanguage, asOf: LegalDate?) -> String {
        var lines: [String] = []
        for (k, c) in citations.enumerated() {
            let where_: String
            let ed = c.edition.isEmpty ? "" : (lang == .ru ? " (редакция от \(c.edition))" : " (\(c.edition) редакциясы)")
            if lang == .ru {
                var ref = c.article.isEmpty ? "" : "статья \(c.article)"
                if !c.paragraph.isEmpty { ref += ref.isEmpty ? "пункт \(c.paragraph)" : ", пункт \(c.paragraph)" }
                where_ = [c.act.isEmpty ? "" : "«\(c.act)»", ref].filter { !$0.isEmpty }.joined(separator: ", ")
                lines.append((k == 0 ? "Согласно " : "То же на другом языке: ") + (where_.isEmpty ? "источнику \(c.chunkId)" : where_) + ed + ": «\(c.quote)»")
            } else {
                var ref = c.article.isEmpty ? "" : "\(c.article)-бап"
                if !c.paragraph.isEmpty { ref += ref.isEmpty ? "\(c.paragraph)-тармақ" : ", \(c.paragraph)-тармақ" }
                where_ = [c.act.isEmpty ? "" : "«\(c.act)»", ref].filter { !$0.isEmpty }.joined(separator: ", ")
                lines.append((k == 0 ? "" : "Басқа тілдегі мәтіні: ") + (where_.isEmpty ? "\(c.chunkId) дереккөзі" : where_) + ed
                             + (k == 0 ? " бойынша: " : ": ") + "«\(c.quote)»")
            }
        }
        if let first = citations.first {
            lines.append((lang == .ru ? "Коротко: " : "Қысқаша: ") + Self.plainWords(first.quote))
        }
        lines.append(whereToApply(citations, lang: lang))
        if let asOf {
            lines.append(lang == .ru ? "Ответ дан по редакциям, действующим на \(asOf)." : "Жауап \(asOf) күні қолданыста болған редакциялар бойынша берілді.")
        }
        return lines.joined(separator: "\n")
    }

    func refusalAnswer(_ lang: LegalLanguage, confidence: Double, asOf: LegalDate?, reason: String) -> LegalAnswer {
        let text = lang == .ru
            ? "В законах, которые есть в моей базе, ответа на этот вопрос нет, и я не буду гадать. Вопрос можно передать юристу гарантированной юридической помощи вашего региона."
            : "Менің базамдағы заңдарда бұл сұраққа жауап жоқ, сондықтан болжам айтпаймын. Сұрағыңызды өңіріңіздегі кепілдендірілген заң көмегі заңгеріне жіберуге болады."
        return LegalAnswer(answered: false, answer: text, citations: [], confidence: confidence, language: lang.rawValue,
                           asOf: asOf?.description, refusalReason: reason)
    }
}
