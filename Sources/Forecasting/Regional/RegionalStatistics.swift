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
    /// How to read the regional workbooks (.xlsx), one per region.
    public var workbook: WorkbookSpec?

    public struct WorkbookSpec: Sendable, Codable, Equatable {
        public var sheet: String
        /// Column of the row code ("Шифр строки"), the same in every regional workbook.
        public var codeColumn: String
        /// Columns holding the row label, most specific first.
        public var labelColumns: [String]
        /// Measure name → column, e.g. "registered" → "F".
        public var measures: [String: String]
        /// Row code of the all-article total.
        public var totalRowCode: String
        /// Workbook file name → KATO code of its region.
        public var files: [String: String]
        /// Article number (as in "(ст.188)") → taxonomy code.
        public var articles: [String: String]
        /// Sub-rows without an article of their own, read only when listed here.
        public var rows: [String: SubRow]
        /// Taxonomy code of an article not in `articles`.
        public var defaultCategory: String

        public struct SubRow: Sendable, Codable, Equatable {
            public var partOf: String
            public var label: String
            public var category: String
            enum CodingKeys: String, CodingKey {
                case label, category
                case partOf = "part_of"
            }
        }

        enum CodingKeys: String, CodingKey {
            case sheet, measures, files, articles, rows
            case codeColumn = "code_column", labelColumns = "label_columns", totalRowCode = "total_row_code"
            case defaultCategory = "default_category"
        }
    }

    public struct Columns: Sendable, Codable, Equatable {
        public var region: String
        public var value: String
        public var article: String?
    }

    enum CodingKeys: String, CodingKey {
        case format, title, taxonomy, columns, period, measure, article, category, regions, articles, notes, workbook
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
        if let w = s.workbook {
            for (article, code) in w.articles where !OffenceTaxonomy.isKnown(code) {
                throw IntakeError(file: path, column: "workbook.articles.\(article)", message: "'\(code)' is not a taxonomy code")
            }
            for (row, sub) in w.rows where !OffenceTaxonomy.isKnown(sub.category) {
                throw IntakeError(file: path, column: "workbook.rows.\(row)", message: "'\(sub.category)' is not a taxonomy code")
            }
            if !OffenceTaxonomy.isKnown(w.defaultCategory) {
                throw IntakeError(file: path, column: "workbook.default_category", message: "'\(w.defaultCategory)' is not a taxonomy code")
            }
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
    /// Criminal Code article ("188", "ALL" for the total).
    public var article: String
    public var label: String?
    public var category: String
    public var period: String
    /// What is counted (e.g. "registered", "in_proceedings").
    public var measure: String
    public var count: Int
    /// For a sub-row: the article it is part of (never add it to that article's count).
    public var partOf: String?

    public init(region: String, kato: String, article: String, label: String? = nil, category: String, period: String,
                measure: String, count: Int, partOf: String? = nil) {
        self.region = region
        self.kato = kato
        self.article = article
        self.label = label
        self.category = category
        self.period = period
        self.measure = measure
        self.count = count
        self.partOf = partOf
    }
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
            out.append(RegionalCount(region: name, kato: kato, article: article, category: category, period: schema.period,
                                     measure: "in_proceedings", count: v))
        }
        return (out, rejections)
    }

    /// Reads one regional workbook (sheet `workbook.sheet`): the total row, every row whose label names an article
    /// ("(ст.188)"), and the listed sub-rows, for each measure column. A cell that is not a non-negative integer
    /// is rejected with its cell reference; empty cells count as 0 (the form hides zeros).
    public static func readWorkbook(path: String, schema: RegionalSchema) throws(IntakeError) -> (counts: [RegionalCount], rejections: [IntakeRejection]) {
        guard let w = schema.workbook else { throw IntakeError(file: path, message: "schema '\(schema.format)' has no workbook section") }
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        guard let kato = w.files[fileName] else {
            throw IntakeError(file: path, message: "no KATO code for workbook '\(fileName)' in schema '\(schema.format)'")
        }
        let cells: [String: String]
        do { cells = try XLSXWorkbook(path: path).cells(sheet: w.sheet) } catch { throw IntakeError(file: path, message: error.message) }
        var rows: [Int: [String: String]] = [:]
        for (ref, value) in cells {
            let letters = String(ref.prefix { $0.isLetter }), digits = ref.dropFirst(letters.count)
            guard let r = Int(digits) else { continue }
            rows[r, default: [:]][letters] = value
        }
        var out: [RegionalCount] = []
        var rejections: [IntakeRejection] = []
        let region = fileName.replacingOccurrences(of: ".XLSX", with: "").replacingOccurrences(of: ".xlsx", with: "")
        for r in rows.keys.sorted() {
            let row = rows[r]!
            guard let code = row[w.codeColumn]?.trimmedASCII, !code.isEmpty else { continue }
            let label = w.labelColumns.compactMap { row[$0] }.first { !$0.trimmedASCII.isEmpty }?.trimmedASCII ?? ""
            var article: String?, category: String?, partOf: String?
            if code == w.totalRowCode {
                article = "ALL"; category = "ALL"
            } else if let sub = w.rows[code] {
                article = sub.partOf + " (" + sub.label + ")"; category = sub.category; partOf = sub.partOf
            } else if let a = articleNumber(label) {
                article = a; category = w.articles[a] ?? w.defaultCategory
            }
            guard let article, let category else { continue }
            for (measure, column) in w.measures.sorted(by: { $0.key < $1.key }) {
                let text = row[column]?.trimmedASCII ?? ""
                let value: Int
                if text.isEmpty { value = 0 } else if let v = Int(text), v >= 0 { value = v } else if let d = Double(text), d >= 0, d == d.rounded() {
                    value = Int(d)
                } else {
                    rejections.append(IntakeRejection(file: path, line: r, column: column, value: text,
                                                      reason: "cell \(column)\(r) (\(measure), row code \(code)) is not a non-negative integer count"))
                    continue
                }
                out.append(RegionalCount(region: region, kato: kato, article: article, label: label, category: category,
                                         period: schema.period, measure: measure, count: value, partOf: partOf))
            }
        }
        return (out, rejections)
    }

    /// "Кража (ст.188)" → "188"; "Скотокрадство (ст.188-1)" → "188-1"; nil without an article.
    static func articleNumber(_ label: String) -> String? {
        guard let range = label.range(of: "(ст.", options: .backwards) else { return nil }
        var s = label[range.upperBound...].drop { $0 == " " }
        var out = ""
        while let c = s.first, c.isNumber || c == "-" { out.append(c); s = s.dropFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty || !out.first!.isNumber ? nil : out
    }
}
