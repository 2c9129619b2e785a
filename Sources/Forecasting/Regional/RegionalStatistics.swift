import Foundation

/// A schema for regional statistics tables (Kazakhstan's Form 1-M), shipped as `schemas/forecast-kz-form1m.json`.
public struct RegionalSchema: Sendable, Codable, Equatable {
    public var format: String
    public var title: String
    public var taxonomy: String
    public var columns: Columns
    /// The period the counts cover (the source's own statement).
    public var period: String
    public var measure: String
    /// The Criminal Code article the counts are for (`ALL` for the total), when the file has no article column.
    public var article: String?
    /// Taxonomy code of the counts (`ALL` for the total), when the file has no article column.
    public var category: String?
    /// Region name as written → KATO code.
    public var regions: [String: String]
    /// Rows known to be wrong in the source, with why; rejected, never corrected by guess.
    public var knownErrors: [String: String]?
    /// Criminal Code article → taxonomy code, for files with an article column.
    public var articles: [String: String]?
    public var notes: [String]?

    public struct Columns: Sendable, Codable, Equatable {
        public var region: String
        public var value: String
        public var article: String?
    }

    enum CodingKeys: String, CodingKey {
        case format, title, taxonomy, columns, period, measure, article, category, regions, articles, notes
        case knownErrors = "known_errors"
    }

    public static func load(path: String) throws(IntakeError) -> RegionalSchema {
        guard let data = FileManager.default.contents(atPath: path) else { throw IntakeError(file: path, message: "cannot read the schema file") }
        let s: RegionalSchema
        do { s = try JSONDecoder().decode(RegionalSchema.self, from: data) } catch {
            throw IntakeError(file: path, message: "not a valid regional schema: \(error)")
        }
        if s.taxonomy != OffenceTaxonomy.version { throw IntakeError(file: path, column: "taxonomy", message: "'\(s.taxonomy)' is not \(OffenceTaxonomy.version)") }
        for (article, code) in s.articles ?? [:] where !OffenceTaxonomy.isKnown(code) {
            throw IntakeError(file: path, column: "articles.\(article)", message: "'\(code)' is not a taxonomy code")
        }
        if let c = s.category, c != "ALL", !OffenceTaxonomy.isKnown(c) {
            throw IntakeError(file: path, column: "category", message: "'\(c)' is not ALL or a taxonomy code")
        }
        return s
    }
}

/// One count of a regional series.
public struct RegionalCount: Sendable, Codable, Equatable {
    public var region: String
    public var kato: String
    public var article: String
    public var category: String
    public var period: String
    public var count: Int
}

public enum RegionalStatistics {
    /// Reads a regional table: unknown region names, non-integer or negative counts, duplicate regions and rows the
    /// schema lists as known errors are rejected with file, line, column and reason.
    public static func read(path: String, schema: RegionalSchema) throws(IntakeError) -> (counts: [RegionalCount], rejections: [IntakeRejection]) {
        let table = try CSVInput.read(path: path)
        func column(_ name: String) throws(IntakeError) -> Int {
            guard let i = table.header.firstIndex(of: name) else {
                throw IntakeError(file: path, line: 1, column: name, message: "required column '\(name)' is missing")
            }
            return i
        }
        let rc = try column(schema.columns.region), vc = try column(schema.columns.value)
        let ac = try schema.columns.article.map { a throws(IntakeError) in try column(a) }
        var out: [RegionalCount] = []
        var rejections: [IntakeRejection] = []
        var seen = Set<String>()
        for r in table.records {
            func reject(_ col: String, _ value: String?, _ reason: String) {
                rejections.append(IntakeRejection(file: path, line: r.line, column: col, value: value, reason: reason))
            }
            guard r.fields.count == table.header.count else {
                rejections.append(IntakeRejection(file: path, line: r.line, column: nil, value: nil,
                                                  reason: "the row has \(r.fields.count) fields, the header \(table.header.count)"))
                continue
            }
            let name = r.fields[rc].trimmedASCII
            guard let kato = schema.regions[name] else { reject(schema.columns.region, name, "no KATO code for this region in schema '\(schema.format)'"); continue }
            if let why = schema.knownErrors?[name] { reject(schema.columns.value, r.fields[vc], "known error in the source: \(why)"); continue }
            let text = r.fields[vc].trimmedASCII
            guard let v = Int(text), v >= 0 else { reject(schema.columns.value, text, "not a non-negative integer count"); continue }
            var article = schema.article ?? "ALL"
            var category = schema.category ?? "ALL"
            if let ac {
                article = r.fields[ac].trimmedASCII
                guard let code = schema.articles?[article] else { reject(schema.columns.article!, article, "no taxonomy mapping for this article"); continue }
                category = code
            }
            guard seen.insert(kato + "|" + article).inserted else { reject(schema.columns.region, name, "duplicate region and article"); continue }
            out.append(RegionalCount(region: name, kato: kato, article: article, category: category, period: schema.period, count: v))
        }
        return (out, rejections)
    }
}
