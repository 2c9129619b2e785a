import AqylKit
import Foundation

/// Reads the statistics bureau's KATO classifier saved as CSV (UTF-8): one row per object with its 9-digit code,
/// Kazakh and Russian names, and optionally the parent code.
///
/// Accepted headers (case-insensitive): code `te`/`code`/`kato`; parent `parent`/`parent_code` (optional);
/// Kazakh name `name_kaz`/`name_kk`/`kk`; Russian name `name_rus`/`name_ru`/`ru`; English `name_en` (optional);
/// ISO `iso` (optional). The official export's other columns (`ab`, `cd`, `ef`, `hij`, `k`, `nn`) are ignored.
///
/// When there is no parent column, the parent is the nearest ancestor the KATO code's structure implies
/// (ABCDEF000, then ABCD00000, then AB0000000) that is present in the file or already known; a row whose
/// parent cannot be found is reported, never attached by guess.
public struct KATOImporter {
    public struct RowError: Error, Sendable, Codable, Equatable, CustomStringConvertible {
        public var row: Int
        public var column: String?
        public var message: String
        public var description: String { "row \(row)\(column.map { ", column \($0)" } ?? ""): \(message)" }
    }

    public struct Result: Sendable {
        public var regions: [Region]
        public var errors: [RowError]
    }

    /// - Parameter known: regions already in the store, used to resolve parents.
    public static func parse(csv text: String, known: [Region] = KazakhstanRegions.all) throws(RowError) -> Result {
        let csv: CSVReader
        do { csv = try CSVReader(text: text, file: "KATO file") } catch { throw RowError(row: error.line ?? 1, column: error.columnName, message: error.message) }
        guard let codeCol = csv.column("te", "code", "kato", "kato_code") else {
            throw RowError(row: 1, column: "code", message: "no code column: expected one of te, code, kato")
        }
        guard let kkCol = csv.column("name_kaz", "name_kk", "kk", "namekaz") else {
            throw RowError(row: 1, column: "name_kaz", message: "no Kazakh name column: expected name_kaz or name_kk")
        }
        guard let ruCol = csv.column("name_rus", "name_ru", "ru", "namerus") else {
            throw RowError(row: 1, column: "name_rus", message: "no Russian name column: expected name_rus or name_ru")
        }
        let parentCol = csv.column("parent", "parent_code", "parent_kato")
        let enCol = csv.column("name_en", "en")
        let isoCol = csv.column("iso", "iso_3166_2")

        var errors: [RowError] = []
        struct Row { var line: Int; var code: String; var parent: String?; var kk, ru: String; var en, iso: String? }
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        // The strict reader; a row with the wrong number of fields is reported and skipped like any other bad row.
        let records: [CSVRecord]
        do {
            records = try csv.records(onRaggedRecord: { e in errors.append(RowError(row: e.line ?? 0, column: nil, message: e.message)) })
        } catch let e as CSVError {
            throw RowError(row: e.line ?? 1, column: e.columnName, message: e.message)
        } catch {
            throw RowError(row: 1, column: nil, message: "\(error)")
        }
        for rec in records {
            let f = rec.fields
            func cell(_ i: Int?) -> String? {
                guard let i else { return nil }
                let v = normalise(f[i])
                return v.isEmpty ? nil : v
            }
            guard let code = cell(codeCol) else {
                errors.append(RowError(row: rec.line, column: csv.header[codeCol], message: "code is empty")); continue
            }
            do { try Region.validateCode(code) } catch {
                errors.append(RowError(row: rec.line, column: csv.header[codeCol], message: error.message)); continue
            }
            guard code != Region.centreCode else {
                errors.append(RowError(row: rec.line, column: csv.header[codeCol], message: "000000000 is reserved for the centre")); continue
            }
            if let first = seen[code] {
                errors.append(RowError(row: rec.line, column: csv.header[codeCol], message: "code \(code) repeats row \(first)")); continue
            }
            guard let kk = cell(kkCol) else {
                errors.append(RowError(row: rec.line, column: csv.header[kkCol], message: "Kazakh name is empty")); continue
            }
            guard let ru = cell(ruCol) else {
                errors.append(RowError(row: rec.line, column: csv.header[ruCol], message: "Russian name is empty")); continue
            }
            let parent = cell(parentCol)
            if let parent {
                do { try Region.validateCode(parent, field: "parent") } catch {
                    errors.append(RowError(row: rec.line, column: csv.header[parentCol!], message: error.message)); continue
                }
            }
            seen[code] = rec.line
            rows.append(Row(line: rec.line, code: code, parent: parent, kk: kk, ru: ru, en: cell(enCol), iso: cell(isoCol)))
        }

        let knownCodes = Set(known.map(\.kato)).union([Region.centreCode])
        let fileCodes = Set(rows.map(\.code))
        let all = knownCodes.union(fileCodes)
        var regions: [Region] = []
        // Depth from the centre decides the level: 1 region, 2 district, deeper locality.
        var parents: [String: String] = Dictionary(known.compactMap { r in r.parent.map { (r.kato, $0) } }, uniquingKeysWith: { a, _ in a })
        var accepted: [Row] = []
        for row in rows {
            let parent: String
            if let p = row.parent {
                guard all.contains(p), p != row.code else {
                    errors.append(RowError(row: row.line, column: "parent", message: "parent \(p) is neither in the file nor known"))
                    continue
                }
                parent = p
            } else {
                guard let p = Region.structuralAncestors(of: row.code).first(where: { all.contains($0) }) else {
                    errors.append(RowError(row: row.line, column: nil, message: "no ancestor of \(row.code) is in the file or known"))
                    continue
                }
                parent = p
            }
            parents[row.code] = parent
            accepted.append(row)
        }
        func depth(_ code: String) -> Int {
            var d = 0
            var cur = code
            while cur != Region.centreCode, let p = parents[cur], d < 12 { d += 1; cur = p }
            return d
        }
        for row in accepted {
            let d = depth(row.code)
            let level: Region.Level = d <= 1 ? .region : d == 2 ? .district : .locality
            regions.append(Region(kato: row.code, parent: parents[row.code], level: level, iso: row.iso,
                                  nameKk: row.kk, nameRu: row.ru, nameEn: row.en))
        }
        return Result(regions: regions, errors: errors.sorted { $0.row < $1.row })
    }

    /// Trims, and mends a known defect of some KATO exports: Cyrillic "ќ" (U+045C) written for Kazakh "қ" (U+049B).
    static func normalise(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\u{045C}", with: "\u{049B}")
            .replacingOccurrences(of: "\u{040C}", with: "\u{049A}")
    }
}
