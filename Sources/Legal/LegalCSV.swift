import AqylKit
import AqylML
import Foundation

/// Every CSV the legal domain reads goes through `LegalCSV.records` (one place to switch to the platform
/// kit's reader later). Errors name the file, the line and, where it applies, the column.
public enum LegalCSV {
    public struct InputError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int?
        public var column: String?
        public var message: String

        public init(file: String, line: Int? = nil, column: String? = nil, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }

        public var description: String {
            var s = file
            if let line { s += ":\(line)" }
            if let column { s += ", column \(column)" }
            return s + ": " + message
        }
    }

    /// Header names and records (with their 1-based starting line) of a CSV file or text, read by the platform kit's
    /// strict RFC 4180 reader (blank lines skipped; a row with another field count than the header is an error).
    public static func records(file: String, text: String? = nil) throws(InputError) -> (header: [String], rows: [(line: Int, fields: [String])]) {
        do {
            let csv: CSVReader
            if let text { csv = try CSVReader(text: text, file: file) } else { csv = try CSVReader(path: file) }
            let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return (header, try csv.records().map { ($0.line, $0.fields) })
        } catch let e as CSVError {
            throw InputError(file: file, line: e.line, column: e.columnName, message: e.message)
        } catch {
            throw InputError(file: file, message: "\(error)")
        }
    }

    static func column(_ name: String, in header: [String], file: String, required: Bool = true) throws(InputError) -> Int? {
        if let i = header.firstIndex(of: name) { return i }
        if required { throw InputError(file: file, line: 1, column: name, message: "missing column '\(name)' (header: \(header.joined(separator: ",")))") }
        return nil
    }

    /// Passages from `passage_id,act,source,language,text` (act, source, language may be empty or absent;
    /// an empty language is detected from the text). Ids must be unique and texts non-empty.
    public static func passages(file: String, text: String? = nil) throws(InputError) -> LegalCorpus {
        let (header, rows) = try records(file: file, text: text)
        let idC = try column("passage_id", in: header, file: file)!
        let textC = try column("text", in: header, file: file)!
        let actC = try column("act", in: header, file: file, required: false)
        let srcC = try column("source", in: header, file: file, required: false)
        let langC = try column("language", in: header, file: file, required: false)
        var seen: [String: Int] = [:]
        var chunks: [LegalChunk] = []
        chunks.reserveCapacity(rows.count)
        for (line, f) in rows {
            let id = f[idC].trimmingCharacters(in: .whitespaces)
            if id.isEmpty { throw InputError(file: file, line: line, column: "passage_id", message: "empty passage id") }
            if let first = seen[id] { throw InputError(file: file, line: line, column: "passage_id", message: "passage id '\(id)' repeats line \(first)") }
            seen[id] = line
            let body = f[textC].trimmingCharacters(in: .whitespacesAndNewlines)
            if body.isEmpty { throw InputError(file: file, line: line, column: "text", message: "empty text") }
            let lang: LegalLanguage
            if let langC, !f[langC].trimmingCharacters(in: .whitespaces).isEmpty {
                guard let l = LegalLanguage(code: f[langC].trimmingCharacters(in: .whitespaces)) else {
                    throw InputError(file: file, line: line, column: "language", message: "unknown language '\(f[langC])' (kk or ru)")
                }
                lang = l
            } else {
                lang = LegalLanguage.detect(body)
            }
            chunks.append(LegalChunk(id: id, act: actC.map { f[$0] } ?? "", language: lang, article: LegalChunker.leadingArticle(body) ?? "",
                                     source: srcC.map { f[$0] } ?? "", text: body))
        }
        return LegalCorpus(editions: [], chunks: chunks)
    }

    /// A question to search for, with the benchmark's fields when the file has them.
    public struct Question: Sendable, Equatable {
        public var id: String
        public var text: String
        /// `gold_evidence`, when given ("" for an unanswerable question).
        public var goldEvidence: String?
        /// From `answerability` (`answerable`/`unanswerable`) when given.
        public var answerable: Bool?
        public var line: Int
    }

    /// Questions from `question_id,question[,gold_evidence,answerability,…]`.
    public static func questions(file: String, text: String? = nil) throws(InputError) -> [Question] {
        let (header, rows) = try records(file: file, text: text)
        let idC = try column("question_id", in: header, file: file)!
        let qC = try column("question", in: header, file: file)!
        let gC = try column("gold_evidence", in: header, file: file, required: false)
        let aC = try column("answerability", in: header, file: file, required: false)
        var out: [Question] = []
        for (line, f) in rows {
            let id = f[idC].trimmingCharacters(in: .whitespaces)
            if id.isEmpty { throw InputError(file: file, line: line, column: "question_id", message: "empty question id") }
            let q = f[qC].trimmingCharacters(in: .whitespacesAndNewlines)
            if q.isEmpty { throw InputError(file: file, line: line, column: "question", message: "empty question") }
            var answerable: Bool?
            if let aC {
                switch f[aC].trimmingCharacters(in: .whitespaces).lowercased() {
                case "answerable": answerable = true
                case "unanswerable": answerable = false
                case "": answerable = nil
                default: throw InputError(file: file, line: line, column: "answerability", message: "expected answerable or unanswerable, got '\(f[aC])'")
                }
            }
            out.append(Question(id: id, text: q, goldEvidence: gC.map { f[$0] }, answerable: answerable, line: line))
        }
        return out
    }
}
