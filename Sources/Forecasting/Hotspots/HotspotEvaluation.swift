import Foundation

/// The cells file `x_min,y_min,x_max,y_max,score` (the data's own coordinates).
public enum CellsFile {
    public static let header = ["x_min", "y_min", "x_max", "y_max", "score"]

    /// CSV text; coordinates in Swift's shortest exact form so the grid can be recovered from the file.
    public static func csv(_ cells: [ForecastCell]) -> String {
        var s = header.joined(separator: ",") + "\n"
        for c in cells { s += "\(c.xMin),\(c.yMin),\(c.xMax),\(c.yMax),\(String(format: "%.6g", c.score))\n" }
        return s
    }

    public static func read(path: String) throws(IntakeError) -> [ForecastCell] {
        let table = try CSVInput.read(path: path)
        return try parse(table, file: path)
    }

    public static func parse(bytes: [UInt8], file: String) throws(IntakeError) -> [ForecastCell] {
        try parse(try CSVInput.parse(bytes: bytes, file: file), file: file)
    }

    static func parse(_ table: CSVInput.Table, file: String) throws(IntakeError) -> [ForecastCell] {
        var index: [Int] = []
        for name in header {
            guard let i = table.header.firstIndex(of: name) else {
                throw IntakeError(file: file, line: 1, column: name, message: "required column '\(name)' is missing")
            }
            index.append(i)
        }
        if let e = table.ragged.first { throw IntakeError(file: file, line: e.line, message: e.message) }
        var out: [ForecastCell] = []
        for r in table.records {
            var v = [Double](repeating: 0, count: 5)
            for k in 0..<5 {
                guard index[k] < r.fields.count, let x = Intake.coordinate(r.fields[index[k]]) else {
                    throw IntakeError(file: file, line: r.line, column: header[k],
                                      message: "not a finite number: '\(index[k] < r.fields.count ? r.fields[index[k]] : "")'")
                }
                v[k] = x
            }
            guard v[2] > v[0], v[3] > v[1] else {
                throw IntakeError(file: file, line: r.line, message: "x_max/y_max must exceed x_min/y_min")
            }
            out.append(ForecastCell(xMin: v[0], yMin: v[1], xMax: v[2], yMax: v[3], score: v[4], area: 0))
        }
        guard !out.isEmpty else { throw IntakeError(file: file, line: 2, message: "no cells") }
        return out
    }
}

/// `aqyl forecast evaluate`: a cells file against the incidents that happened.
public struct HotspotEvaluationReport: Sendable, Codable {
    public var category: String
    public var pai: Double?
    public var pei: Double?
    public var hitRate: Double?
    public var n: Int
    /// N
    public var total: Int
    public var nStar: Int
    public var area: Double
    public var studyArea: Double
    public var studyAreaSource: String
    public var cells: Int
    public var rejectedRows: Int

    enum CodingKeys: String, CodingKey {
        case category, pai, pei, n, area, cells
        case hitRate = "hit_rate"
        case total
        case nStar = "n_star"
        case studyArea = "study_area"
        case studyAreaSource = "study_area_source"
        case rejectedRows = "rejected_rows"
    }
}

public enum HotspotEvaluation {
    /// Recovers the square grid from the cells (one cell size, aligned corners) and scores them with
    /// `HotspotMetrics`. `studyArea` (m²) is the forecast's own (from its model card) or the caller's; when nil, the
    /// cells of the recovered grid holding any incident of the test data are used, and the report says so.
    public static func evaluate(cells: [ForecastCell], incidents set: IncidentSet, category: String,
                                fromDay: Int? = nil, days: Int? = nil, studyArea: Double? = nil,
                                studyAreaSource: String? = nil) throws(ForecastError) -> HotspotEvaluationReport {
        if let problem = OffenceTaxonomy.validateQuery(category) { throw ForecastError(field: "category", problem) }
        guard let first = cells.first else { throw ForecastError(field: "cells", "no cells") }
        let dx = first.xMax - first.xMin, dy = first.yMax - first.yMin
        let x0 = first.xMin, y0 = first.yMin
        func key(_ x: Double, _ y: Double) -> Int64 {
            let i = Int64(((x - x0) / dx + 1e-9).rounded(.down)), j = Int64(((y - y0) / dy + 1e-9).rounded(.down))
            return (i << 32) ^ (j & 0xFFFF_FFFF)
        }
        var selected: [Int64] = []
        for (n, c) in cells.enumerated() {
            let fi = (c.xMin - x0) / dx, fj = (c.yMin - y0) / dy
            guard abs((c.xMax - c.xMin) - dx) <= 1e-6 * abs(dx), abs((c.yMax - c.yMin) - dy) <= 1e-6 * abs(dy),
                  abs(fi - fi.rounded()) < 1e-6, abs(fj - fj.rounded()) < 1e-6 else {
                throw ForecastError(field: "cells", "cell \(n + 1) is not on the grid of the first cell (same size, aligned corners)")
            }
            selected.append((Int64(fi.rounded()) << 32) ^ (Int64(fj.rounded()) & 0xFFFF_FFFF))
        }
        let frame = PlanarFrame(metresPerUnit: {
            if case .projected(_, let m) = set.crs { return m }
            return 1
        }(), projection: set.crs.isGeographic ? LocalEquirectangular(lon0: 0, lat0: 0) : nil)
        let area = cells.reduce(0.0) { $0 + frame.area(xMin: $1.xMin, yMin: $1.yMin, xMax: $1.xMax, yMax: $1.yMax) }
        var counts: [Int64: Int] = [:]
        var active: Set<Int64> = []
        var total = 0
        for inc in set.incidents {
            if let f = fromDay, inc.day < f { continue }
            if let f = fromDay, let d = days, inc.day >= f + d { continue }
            let k = key(inc.x, inc.y)
            active.insert(k)
            guard OffenceTaxonomy.matches(inc.category, query: category) else { continue }
            total += 1
            counts[k, default: 0] += 1
        }
        let a: Double, source: String
        if let s = studyArea {
            a = s
            source = studyAreaSource ?? "given"
        } else {
            a = active.reduce(0.0) { sum, k in
                let i = Double(k >> 32), j = Double(Int32(truncatingIfNeeded: k))
                let xm = x0 + i * dx, ym = y0 + j * dy
                return sum + frame.area(xMin: xm, yMin: ym, xMax: xm + dx, yMax: ym + dy)
            }
            source = "cells of the test data holding any incident (no model card found)"
        }
        let s = HotspotMetrics.score(selected: selected, counts: counts, total: total, area: area, studyArea: a)
        return HotspotEvaluationReport(category: category, pai: s.pai, pei: s.pei, hitRate: s.hitRate, n: s.n, total: s.total,
                                       nStar: s.nStar, area: area, studyArea: a, studyAreaSource: source, cells: s.cells,
                                       rejectedRows: set.rejections.count)
    }
}
