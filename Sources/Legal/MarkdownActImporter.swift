import Foundation

/// Imports acts in the Markdown layout of the public kazakhstan-law/codes repository.
///
/// An act is a folder holding `rus.md` and/or `kaz.md`. Each of these is the edition's table of contents:
/// optional YAML front matter (`source: https://zan.gov.kz/client/#!/doc/<act>/<lang>/<DD.MM.YYYY>`), the title
/// as a level-1 heading, the preamble, and — when the edition is split — a table of its parts, each a link
/// such as ``[`sec001`](rus/sec001.md)``. The full text is the list file followed by every part it lists, in
/// order. Articles start at a bold line `**Статья N**` / `**N-бап**` or at a heading `#… Статья N. Title` /
/// `#… N-бап. Title`; other headings (Раздел, Глава, бөлім, тарау) are the chapter the following articles
/// belong to. Inside an article, a line starting with `N.` opens paragraph N; indented lines continue it.
///
/// Edition date: the front matter's `source` date, else `version_date:` in a `meta.yaml` beside the list
/// file, else unknown. In-force date: a note "Вступает в силу с DD.MM.YYYY" / "DD.MM.YYYY бастап күшіне
/// енеді" before the first article. Repealed: `repealed_on: YYYY-MM-DD` in `meta.yaml`.
/// Act id: the portal number in `source`, else the leading digits of the folder name, else the folder name.
public enum MarkdownActImporter {
    public struct ImportError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    }

    /// One article as parsed from the Markdown.
    public struct Article: Sendable, Equatable {
        public var number: String
        public var title: String
        public var chapter: String
        /// Paragraphs in order: (number or "" for text before the first numbered paragraph, text).
        public var paragraphs: [(number: String, text: String)]
        public var file: String
        public var line: Int

        public static func == (a: Article, b: Article) -> Bool {
            a.number == b.number && a.title == b.title && a.chapter == b.chapter && a.file == b.file && a.line == b.line
                && a.paragraphs.map(\.number) == b.paragraphs.map(\.number) && a.paragraphs.map(\.text) == b.paragraphs.map(\.text)
        }
    }

    /// Act folders under `directory` (the folder itself when it holds `rus.md` or `kaz.md`), sorted.
    public static func actFolders(under directory: String) throws(ImportError) -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw ImportError(file: directory, line: nil, message: "not a directory")
        }
        func isAct(_ d: String) -> Bool { fm.fileExists(atPath: d + "/rus.md") || fm.fileExists(atPath: d + "/kaz.md") }
        if isAct(directory) { return [directory] }
        var out: [String] = []
        if let e = fm.enumerator(atPath: directory) {
            while let rel = e.nextObject() as? String {
                let p = directory + "/" + rel
                if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue, isAct(p) { out.append(p) }
            }
        }
        return out.sorted()
    }

    /// Imports every act folder under `directory` into a corpus, chunked with `chunker`.
    public static func importActs(under directory: String, languages: Set<LegalLanguage> = Set(LegalLanguage.allCases),
                                  chunker: LegalChunker = LegalChunker()) throws(ImportError) -> LegalCorpus {
        let folders = try actFolders(under: directory)
        if folders.isEmpty { throw ImportError(file: directory, line: nil, message: "no act folder (one holding rus.md or kaz.md) found") }
        var corpus = LegalCorpus()
        for f in folders {
            for lang in LegalLanguage.allCases where languages.contains(lang) {
                let list = f + "/" + (lang == .ru ? "rus.md" : "kaz.md")
                guard FileManager.default.fileExists(atPath: list) else { continue }
                corpus.append(try importEdition(listFile: list, language: lang, chunker: chunker))
            }
        }
        return corpus
    }

    /// Imports one edition from its list file (`rus.md` / `kaz.md`).
    public static func importEdition(listFile: String, language: LegalLanguage, chunker: LegalChunker = LegalChunker()) throws(ImportError)
        -> LegalCorpus
    {
        let text = try read(listFile)
        let folder = (listFile as NSString).deletingLastPathComponent
        let (front, _) = frontMatter(text)
        var source = front["source"] ?? ""
        let meta = (try? String(contentsOfFile: folder + "/meta.yaml", encoding: .utf8)).map { frontMatterBody($0) } ?? [:]
        var edition = editionDate(fromSource: source)
        if edition == nil, let v = meta["version_date"] { edition = LegalDate(v) }
        if source.isEmpty { source = meta["source"] ?? listFile }
        let actId = actIdentifier(source: source, folder: folder)
        let title = text.split(separator: "\n", omittingEmptySubsequences: false)
            .first { $0.hasPrefix("# ") }.map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) } ?? actId
        var files: [(path: String, text: String)] = [(listFile, text)]
        for part in partLinks(text) {
            let p = folder + "/" + part
            files.append((p, try read(p)))
        }
        let articles = parseArticles(files)
        let inForce = inForceDate(text)
        let ed = LegalActEdition(actId: actId, title: title, language: language, edition: edition, inForceFrom: inForce,
                                 repealedOn: meta["repealed_on"].flatMap { LegalDate($0) }, source: source)
        var corpus = LegalCorpus(editions: [ed])
        corpus.chunks = chunker.chunks(of: articles, edition: ed, editionIndex: 0)
        return corpus
    }

    static func read(_ path: String) throws(ImportError) -> String {
        guard let d = FileManager.default.contents(atPath: path) else { throw ImportError(file: path, line: nil, message: "cannot read the file") }
        guard let s = String(data: d, encoding: .utf8) else { throw ImportError(file: path, line: nil, message: "not UTF-8 text") }
        return s
    }

    /// `key: value` pairs of a leading `---` block, and the line after it.
    static func frontMatter(_ text: String) -> ([String: String], Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else { return ([:], 0) }
        var out: [String: String] = [:]
        for (i, l) in lines.enumerated().dropFirst() {
            if l.trimmingCharacters(in: .whitespaces) == "---" { return (out, i + 1) }
            if let c = l.firstIndex(of: ":") {
                out[l[..<c].trimmingCharacters(in: .whitespaces)] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            }
        }
        return ([:], 0)
    }

    static func frontMatterBody(_ yaml: String) -> [String: String] {
        frontMatter("---\n" + yaml + "\n---\n").0
    }

    /// The `DD.MM.YYYY` at the end of a portal address.
    static func editionDate(fromSource s: String) -> LegalDate? {
        guard let last = s.split(separator: "/").last else { return nil }
        return LegalDate(String(last))
    }

    static func actIdentifier(source: String, folder: String) -> String {
        let parts = source.split(separator: "/")
        if let i = parts.firstIndex(of: "doc"), i + 1 < parts.count, parts[i + 1].allSatisfy(\.isNumber) { return String(parts[i + 1]) }
        let name = (folder as NSString).lastPathComponent
        let digits = name.prefix { $0.isNumber }
        return digits.isEmpty ? name : String(digits)
    }

    /// Relative paths of the parts listed in a table-of-contents file, in order, without repeats.
    static func partLinks(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("|") {
            guard let open = line.range(of: "`]("), let close = line[open.upperBound...].firstIndex(of: ")") else { continue }
            let target = String(line[open.upperBound..<close])
            if target.hasSuffix(".md"), !target.hasPrefix("http"), !out.contains(target) { out.append(target) }
        }
        return out
    }

    /// The in-force date from a note before the first article.
    static func inForceDate(_ text: String) -> LegalDate? {
        for raw in text.split(separator: "\n") {
            let line = String(raw)
            if articleHeader(line) != nil { break }
            let lower = line.lowercased()
            guard lower.contains("вступает в силу") || lower.contains("күшіне енеді") || lower.contains("қолданысқа енгізіледі") else { continue }
            for token in line.split(whereSeparator: { !($0.isNumber || $0 == ".") }) {
                if let d = LegalDate(String(token.trimmingCharacters(in: CharacterSet(charactersIn: ".")))) { return d }
            }
        }
        return nil
    }

    /// (number, title) when `line` opens an article.
    static func articleHeader(_ line: String) -> (String, String)? {
        var s = line.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("#") {
            s = String(s.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)
        } else if s.hasPrefix("**") && s.hasSuffix("**") && s.count > 4 {
            s = String(s.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)
        } else {
            return nil
        }
        s = s.replacingOccurrences(of: "*", with: "")
        func number(_ t: Substring) -> String? {
            let n = t.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            guard let f = n.first, f.isNumber, n.allSatisfy({ $0.isNumber || $0 == "-" }) else { return nil }
            return n
        }
        if s.hasPrefix("Статья ") {
            let rest = s.dropFirst("Статья ".count)
            let numEnd = rest.firstIndex { !($0.isNumber || $0 == "-") } ?? rest.endIndex
            guard let n = number(rest[..<numEnd]) else { return nil }
            let title = rest[numEnd...].trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            return (n, title)
        }
        if let r = s.range(of: "-бап") {
            guard let n = number(s[..<r.lowerBound]) else { return nil }
            let title = s[r.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            return (n, title)
        }
        return nil
    }

    /// Paragraph number when `line` (not indented) starts with `N.` or `N-M.` followed by a space.
    static func paragraphNumber(_ line: Substring) -> String? {
        guard let f = line.first, f.isNumber else { return nil }
        let num = line.prefix { $0.isNumber || $0 == "-" }
        let rest = line.dropFirst(num.count)
        guard rest.hasPrefix(". ") || rest == "." else { return nil }
        return String(num)
    }

    /// Removes Markdown markup from a text line: anchors, bold/italic markers, blockquote markers.
    static func plain(_ line: Substring) -> String {
        var s = String(line)
        while let a = s.range(of: "<a "), let e = s[a.upperBound...].range(of: "</a>") { s.removeSubrange(a.lowerBound..<e.upperBound) }
        s = s.replacingOccurrences(of: "**", with: "")
        if s.hasPrefix(">") { s = String(s.dropFirst()) }
        s = s.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("*") && s.hasSuffix("*") && s.count > 2 { s = String(s.dropFirst().dropLast()) }
        return s
    }

    /// Articles of the concatenated files, in order. Text before the first article (title, preamble, tables
    /// of contents) is not an article and is skipped.
    public static func parseArticles(_ files: [(path: String, text: String)]) -> [Article] {
        var articles: [Article] = []
        var chapter = ""
        var current: Article?
        var para = ""
        var paraText: [String] = []

        func flushParagraph() {
            guard current != nil else { return }
            let t = paraText.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { current!.paragraphs.append((para, t)) }
            paraText = []
        }
        func flushArticle() {
            flushParagraph()
            if let a = current { articles.append(a) }
            current = nil
            para = ""
        }
        for (path, text) in files {
            let (_, start) = frontMatter(text)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, raw) in lines.enumerated() where i >= start {
                let line = String(raw)
                if let (n, title) = articleHeader(line) {
                    flushArticle()
                    current = Article(number: n, title: title, chapter: chapter, paragraphs: [], file: path, line: i + 1)
                    continue
                }
                let trimmed = raw.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("#") {
                    // A non-article heading: a new chapter/section; it closes the article.
                    flushArticle()
                    chapter = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                    continue
                }
                if trimmed.hasPrefix("↑") || trimmed.hasPrefix("|") || trimmed.hasPrefix("<a ") && trimmed.hasSuffix("</a>") { continue }
                guard current != nil else { continue }
                if trimmed.isEmpty { continue }
                if !raw.hasPrefix(" "), let n = paragraphNumber(Substring(trimmed)) {
                    flushParagraph()
                    para = n
                }
                let p = plain(Substring(trimmed))
                if !p.isEmpty { paraText.append(p) }
            }
        }
        flushArticle()
        return articles
    }
}
