import Foundation

/// Reads incident files through a schema. A file that lacks a required column is an error naming the file, line 1
/// and the column; a bad row is rejected with its file, line, column, value and reason, and reading goes on.
public enum Intake {
    public static func read(path: String, schema: IntakeSchema) throws(IntakeError) -> IncidentSet {
        let table = try CSVInput.read(path: path)
        return try incidents(from: table, file: path, schema: schema)
    }

    /// Parses CSV bytes (a file's content) through a schema; `file` names it in messages.
    public static func parse(bytes: [UInt8], file: String, schema: IntakeSchema) throws(IntakeError) -> IncidentSet {
        let table = try CSVInput.parse(bytes: bytes, file: file)
        return try incidents(from: table, file: file, schema: schema)
    }

    /// Reads several files of one schema into one set.
    public static func read(paths: [String], schema: IntakeSchema) throws(IntakeError) -> IncidentSet {
        var set = IncidentSet(crs: schema.crs, incidents: [], resolutionDays: schema.date.format == "YYYY-MM" ? 31 : 1,
                              originRule: schema.origin?.rule, districtLabel: schema.district?.label)
        for p in paths { try set.append(try read(path: p, schema: schema)) }
        return set
    }

    static func incidents(from table: CSVInput.Table, file: String, schema: IntakeSchema) throws(IntakeError) -> IncidentSet {
        func column(_ name: String) throws(IntakeError) -> Int {
            guard let i = table.header.firstIndex(of: name) else {
                throw IntakeError(file: file, line: 1, column: name,
                                  message: "required column '\(name)' is missing (header: \(table.header.joined(separator: ", ")))")
            }
            return i
        }
        let c = schema.columns
        let dateCol = try column(c.date), xCol = try column(c.x), yCol = try column(c.y), catCol = try column(c.category)
        let sourceCol = try c.sourceCategory.map { name throws(IntakeError) in try column(name) }
        let districtCol = try c.district.map { name throws(IntakeError) in try column(name) }
        let originCol = try schema.origin.map { o throws(IntakeError) in try column(o.column) }
        let discovered = Set(schema.origin?.policeDiscovered ?? [])
        let otherwise: IncidentOrigin = schema.origin?.otherwise == "reported" ? .reported : .unknown
        let monthly = schema.date.format == "YYYY-MM"
        let b = schema.coordinates.bounds
        let dropLastWord = schema.district?.transform == "drop-last-word"
        let fileName = URL(fileURLWithPath: file).lastPathComponent

        var incidents: [Incident] = []
        incidents.reserveCapacity(table.records.count)
        var rejections: [IntakeRejection] = []
        let width = table.header.count
        for e in table.ragged {
            rejections.append(IntakeRejection(file: file, line: e.line ?? 0, column: nil, value: nil, reason: e.message))
        }
        for record in table.records {
            let f = record.fields
            func reject(_ col: String?, _ value: String?, _ reason: String) {
                rejections.append(IntakeRejection(file: file, line: record.line, column: col, value: value, reason: reason))
            }
            guard f.count == width else {
                reject(nil, nil, "the row has \(f.count) fields, the header \(width)")
                continue
            }
            let dateText = f[dateCol].trimmedASCII
            let day: Int, days: Int
            if dateText.isEmpty { reject(c.date, nil, "the date is empty"); continue }
            if monthly {
                guard let m = CivilDay.parseMonth(dateText) else {
                    reject(c.date, dateText, "not a month written YYYY-MM"); continue
                }
                day = m.first; days = m.days
            } else {
                guard let d = CivilDay.parse(dateText) else {
                    reject(c.date, dateText, "not a date written YYYY-MM-DD"); continue
                }
                day = d; days = 1
            }
            guard let x = coordinate(f[xCol]) else {
                let v = f[xCol].trimmedASCII
                reject(c.x, v.isEmpty ? nil : v, v.isEmpty ? "the coordinate is empty (no location)" : "not a finite number"); continue
            }
            guard let y = coordinate(f[yCol]) else {
                let v = f[yCol].trimmedASCII
                reject(c.y, v.isEmpty ? nil : v, v.isEmpty ? "the coordinate is empty (no location)" : "not a finite number"); continue
            }
            guard x >= b.xMin && x <= b.xMax else {
                reject(c.x, f[xCol], "outside the schema's bounds [\(b.xMin), \(b.xMax)]"); continue
            }
            guard y >= b.yMin && y <= b.yMax else {
                reject(c.y, f[yCol], "outside the schema's bounds [\(b.yMin), \(b.yMax)]"); continue
            }
            let sourceValue = f[catCol].trimmedASCII
            guard let code = schema.categories[sourceValue] else {
                reject(c.category, sourceValue, sourceValue.isEmpty ? "the category is empty"
                       : "no mapping onto \(OffenceTaxonomy.version) in schema '\(schema.format)'")
                continue
            }
            var origin = otherwise
            if let oc = originCol, discovered.contains(f[oc].trimmedASCII) { origin = .policeDiscovered }
            var district: String?
            if let dc = districtCol {
                var d = f[dc].trimmedASCII
                if dropLastWord, let space = d.lastIndex(of: " ") { d = String(d[..<space]) }
                district = d.isEmpty ? nil : d
            }
            let sourceCategory = sourceCol.map { f[$0].trimmedASCII } ?? sourceValue
            incidents.append(Incident(day: day, days: days, x: x, y: y, category: code, sourceCategory: sourceCategory,
                                      origin: origin, district: district, source: "\(fileName):\(record.line)"))
        }
        rejections.sort { $0.line < $1.line }   // rows with the wrong field count were collected while reading
        return IncidentSet(crs: schema.crs, incidents: incidents, rejections: rejections,
                           files: [InputFile(path: file, sha256: table.sha256, rows: table.records.count + table.ragged.count, accepted: incidents.count)],
                           resolutionDays: monthly ? 31 : 1, originRule: schema.origin?.rule, districtLabel: schema.district?.label)
    }

    /// A finite number; empty, "nan", "inf" and text are nil.
    static func coordinate(_ s: String) -> Double? {
        let t = s.trimmedASCII
        guard !t.isEmpty, let v = Double(t), v.isFinite else { return nil }
        // Swift's Double() accepts "nan"/"inf" spellings and hex floats; only plain decimals are coordinates.
        guard t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 }) else {
            return nil
        }
        return v
    }
}
