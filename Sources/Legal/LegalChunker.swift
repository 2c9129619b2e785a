import Foundation

/// Cuts articles into retrievable chunks. Rules:
/// - A chunk never spans two articles.
/// - An article whose text (header included) has at most `wholeArticleChars` characters is one chunk
///   (paragraph ""), its paragraphs kept on separate lines so a quote can still name its paragraph.
/// - A longer article gives one chunk per numbered paragraph (text before the first numbered paragraph is
///   its own chunk, paragraph ""); a paragraph longer than `maxChars` is split at sentence ends (else at
///   spaces) into pieces of at most `maxChars`, ids suffixed `#2`, `#3`….
/// - Every chunk starts with the article header ("Статья 2. Title" / "2-бап. Title") so that it reads on its own.
public struct LegalChunker: Sendable, Equatable {
    public var wholeArticleChars: Int
    public var maxChars: Int

    public init(wholeArticleChars: Int = 1_200, maxChars: Int = 2_000) {
        self.wholeArticleChars = wholeArticleChars
        self.maxChars = max(200, maxChars)
    }

    public static func header(_ number: String, title: String, language: LegalLanguage) -> String {
        let h = language == .ru ? "Статья \(number)" : "\(number)-бап"
        return title.isEmpty ? h : "\(h). \(title)"
    }

    public func chunks(of articles: [MarkdownActImporter.Article], edition: LegalActEdition, editionIndex: Int) -> [LegalChunk] {
        var out: [LegalChunk] = []
        var seen: [String: Int] = [:]
        for a in articles {
            let header = Self.header(a.number, title: a.title, language: edition.language)
            let body = a.paragraphs.map { $0.text }.joined(separator: "\n")
            var base = "\(edition.key)/st\(a.number)"
            if let n = seen[base] {  // a repeated article number (source order quirks): keep both, apart
                seen[base] = n + 1
                base += "~\(n + 1)"
            } else {
                seen[base] = 1
            }
            func chunk(_ id: String, _ para: String, _ text: String) -> LegalChunk {
                LegalChunk(id: id, editionIndex: editionIndex, act: edition.title, language: edition.language, article: a.number,
                           paragraph: para, chapter: a.chapter, source: edition.source, text: header + "\n" + text)
            }
            if header.count + 1 + body.count <= wholeArticleChars || a.paragraphs.count <= 1 && body.count <= maxChars {
                out.append(chunk(base, "", body))
                continue
            }
            for (k, p) in a.paragraphs.enumerated() {
                let para = p.number
                let id = para.isEmpty ? "\(base)/p0\(k == 0 ? "" : "-\(k)")" : "\(base)/p\(para)"
                let pieces = split(p.text, limit: maxChars - header.count - 1)
                for (j, piece) in pieces.enumerated() {
                    out.append(chunk(j == 0 ? id : "\(id)#\(j + 1)", para, piece))
                }
            }
        }
        return out
    }

    /// Pieces of at most `limit` characters, cut after a sentence end (". ", "; ", newline), else at a space.
    func split(_ text: String, limit: Int) -> [String] {
        let limit = max(100, limit)
        if text.count <= limit { return [text] }
        var pieces: [String] = []
        var rest = Substring(text)
        while rest.count > limit {
            let window = rest.prefix(limit)
            var cut: String.Index?
            for sep in ["\n", ". ", "; ", " "] {
                if let r = window.range(of: sep, options: .backwards), window.distance(from: window.startIndex, to: r.lowerBound) > limit / 3 {
                    cut = r.upperBound
                    break
                }
            }
            let end = cut ?? window.endIndex
            pieces.append(rest[..<end].trimmingCharacters(in: .whitespacesAndNewlines))
            rest = rest[end...]
        }
        let tail = rest.trimmingCharacters(in: .whitespacesAndNewlines)
        if !tail.isEmpty { pieces.append(tail) }
        return pieces
    }

    /// The article number when a passage starts with an article header ("Статья 12", "12-бап").
    public static func leadingArticle(_ text: String) -> String? {
        let firstLine = text.prefix { $0 != "\n" }.prefix(80)
        if let (n, _) = MarkdownActImporter.articleHeader("**" + firstLine.trimmingCharacters(in: .whitespaces) + "**") { return n }
        let words = firstLine.split(separator: " ")
        if words.count >= 2, words[0] == "Статья" {
            let n = words[1].trimmingCharacters(in: CharacterSet(charactersIn: ".,"))
            if n.first?.isNumber == true, n.allSatisfy({ $0.isNumber || $0 == "-" }) { return n }
        }
        if let w = words.first, w.hasSuffix("-бап") || w.hasSuffix("-бап.") {
            let n = w.replacingOccurrences(of: "-бап.", with: "").replacingOccurrences(of: "-бап", with: "")
            if n.first?.isNumber == true, n.allSatisfy({ $0.isNumber || $0 == "-" }) { return n }
        }
        return nil
    }
}
