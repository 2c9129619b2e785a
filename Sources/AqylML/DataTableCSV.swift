import AqylKit
import Foundation

extension DataTable {
    /// How `readCSV` types the columns of a CSV file.
    public struct LoadOptions: Sendable {
        /// Column holding the target label (read as strings); removed from the feature table. Default: none.
        public var target: String?
        /// Columns forced to categorical even if every value parses as a number. Default: none.
        public var categorical: Set<String> = []
        /// Columns forced to numeric: a non-numeric value is an error naming line and column. Default: none.
        public var numeric: Set<String> = []
        /// Columns dropped before typing. Default: none.
        public var drop: Set<String> = []
        /// Reject columns whose every value is missing. Default: true.
        public var rejectAllMissingColumns = true

        public init(target: String? = nil, categorical: Set<String> = [], numeric: Set<String> = [],
                    drop: Set<String> = [], rejectAllMissingColumns: Bool = true) {
            self.target = target; self.categorical = categorical; self.numeric = numeric
            self.drop = drop; self.rejectAllMissingColumns = rejectAllMissingColumns
        }
    }

    /// Reads a CSV file (the kit's strict RFC 4180 reader) into a feature table and, when `options.target` is set, the
    /// target strings. An empty cell is a missing value; spaces around an unquoted value are ignored; a column is
    /// numeric when every non-empty value is a number (`CSVNumber.double`), else categorical. Errors are `CSVError`s
    /// naming the file, line and column.
    public static func readCSV(path: String, options: LoadOptions = LoadOptions()) throws -> (table: DataTable, target: [String]?) {
        try readCSV(try CSVReader(path: path), options: options)
    }

    /// `readCSV` on CSV text.
    public static func parseCSV(text: String, file: String = "<text>", options: LoadOptions = LoadOptions()) throws
        -> (table: DataTable, target: [String]?)
    {
        try readCSV(try CSVReader(text: text, file: file), options: options)
    }

    /// `readCSV` on an opened reader.
    public static func readCSV(_ csv: CSVReader, options: LoadOptions = LoadOptions()) throws -> (table: DataTable, target: [String]?) {
        let header = csv.header
        let file = csv.file
        if let t = options.target, !header.contains(t) {
            throw CSVError(file: file, line: 1, columnName: t, reason: .missingColumn,
                           message: "target column '\(t)' not found in the header")
        }
        // The columns kept, in header order; each field stored as (start, end | quoted flag) after trimming the
        // spaces around an unquoted value.
        let kept = header.indices.filter { !options.drop.contains(header[$0]) }
        let K = kept.count
        let doubledFlag = 1 << 62
        var bounds: [Int] = []
        var lines: [Int] = []
        try csv.withBytes { buf in
            try csv.forEachRow { row in
                lines.append(row.line)
                for c in kept {
                    let f = row.field(c)
                    var s = f.range.lowerBound, e = f.range.upperBound
                    if !f.isQuoted {
                        while s < e && buf[s] == 0x20 { s += 1 }
                        while e > s && buf[e - 1] == 0x20 { e -= 1 }
                    }
                    bounds.append(s)
                    bounds.append(f.hasDoubledQuotes ? e | doubledFlag : e)
                }
            }
        }
        let rows = lines.count
        func text(_ buf: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
            let end = e & ~doubledFlag
            let str = String(decoding: UnsafeBufferPointer(rebasing: buf[s..<end]), as: UTF8.self)
            return e & doubledFlag != 0 ? str.replacingOccurrences(of: "\"\"", with: "\"") : str
        }
        func error(_ r: Int, _ c: Int, _ message: String) -> CSVError {
            CSVError(file: file, line: lines[r], column: c + 1, columnName: header[c], reason: .invalidValue, message: message)
        }
        var columns: [Column] = []
        var target: [String]?
        try csv.withBytes { buf in
            for (k, c) in kept.enumerated() {
                let name = header[c]
                @inline(__always) func range(_ r: Int) -> (Int, Int) { (bounds[2 * (r * K + k)], bounds[2 * (r * K + k) + 1]) }
                if name == options.target {
                    var t: [String] = []
                    t.reserveCapacity(rows)
                    for r in 0..<rows {
                        let (s, e) = range(r)
                        let v = text(buf, s, e)
                        if v.isEmpty { throw error(r, c, "missing target value") }
                        t.append(v)
                    }
                    target = t
                    continue
                }
                var values = [Float](repeating: .nan, count: rows)
                var numeric = !options.categorical.contains(name)
                var nonMissing = 0
                if numeric {
                    for r in 0..<rows {
                        let (s, e) = range(r)
                        if s == e & ~doubledFlag { continue }
                        nonMissing += 1
                        if e & doubledFlag == 0, let v = CSVNumber.double(UnsafeBufferPointer(rebasing: buf[s..<e])) {
                            values[r] = Float(v)
                        } else {
                            if options.numeric.contains(name) {
                                throw error(r, c, "expected a number, found '\(text(buf, s, e))'")
                            }
                            numeric = false
                            break
                        }
                    }
                }
                if numeric {
                    if nonMissing == 0 && options.rejectAllMissingColumns && rows > 0 {
                        throw CSVError(file: file, column: c + 1, columnName: name, reason: .invalidValue,
                                       message: "every value of the column is missing")
                    }
                    columns.append(Column(name: name, kind: .numeric, values: values))
                } else {
                    var strings: [String?] = []
                    strings.reserveCapacity(rows)
                    for r in 0..<rows {
                        let (s, e) = range(r)
                        let v = text(buf, s, e)
                        strings.append(v.isEmpty ? nil : v)
                    }
                    if !strings.contains(where: { $0 != nil }) && options.rejectAllMissingColumns && rows > 0 {
                        throw CSVError(file: file, column: c + 1, columnName: name, reason: .invalidValue,
                                       message: "every value of the column is missing")
                    }
                    columns.append(Column(name: name, categories: strings))
                }
            }
        }
        return (try DataTable(columns: columns), target)
    }
}
