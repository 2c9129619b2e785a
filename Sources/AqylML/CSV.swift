import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CSV problem, naming the file and, where known, the row (1-based data row; the header is row 0)
/// and the column.
public struct CSVError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var row: Int?
    public var column: String?
    public var message: String

    public init(file: String, row: Int? = nil, column: String? = nil, message: String) {
        self.file = file; self.row = row; self.column = column; self.message = message
    }

    public var description: String {
        var s = "\(file)"
        if let row { s += ", row \(row) (line \(row + 1))" }
        if let column { s += ", column '\(column)'" }
        return s + ": " + message
    }
}

/// Options controlling how CSV columns are typed.
public struct CSVOptions: Sendable {
    /// Column holding the target label (read as strings); removed from the feature table.
    public var target: String?
    /// Columns forced to categorical even if every value parses as a number.
    public var categorical: Set<String> = []
    /// Columns forced to numeric: a non-numeric value is an error naming row and column.
    public var numeric: Set<String> = []
    /// Columns dropped before typing.
    public var drop: Set<String> = []
    /// Reject columns whose every value is missing.
    public var rejectAllMissingColumns = true

    public init(target: String? = nil, categorical: Set<String> = [], numeric: Set<String> = [],
                drop: Set<String> = [], rejectAllMissingColumns: Bool = true) {
        self.target = target; self.categorical = categorical; self.numeric = numeric
        self.drop = drop; self.rejectAllMissingColumns = rejectAllMissingColumns
    }
}

/// Plain CSV reader: header row, comma separator, RFC 4180 quoting ("" inside quotes), empty cell = missing,
/// columns with any non-numeric value are categorical.
public enum CSVReader {
    /// Reads a CSV file into a feature table and (if `options.target` is set) the target strings.
    public static func read(path: String, options: CSVOptions = CSVOptions()) throws -> (table: DataTable, target: [String]?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVError(file: path, message: "cannot read file")
        }
        return try parse(bytes: [UInt8](data), file: path, options: options)
    }

    /// Parses CSV text (see `read(path:options:)`).
    public static func parse(text: String, file: String = "<memory>", options: CSVOptions = CSVOptions()) throws -> (table: DataTable, target: [String]?) {
        try parse(bytes: Array(text.utf8), file: file, options: options)
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"),
        cr = UInt8(ascii: "\r"), space = UInt8(ascii: " ")
    private static let escapedFlag = 1 << 62

    /// Splits the buffer into field ranges. Returns header strings and a flat array of (start, end) pairs
    /// per data row; `end` carries `escapedFlag` when the field was quoted with doubled quotes inside.
    public static func parse(bytes input: [UInt8], file: String, options: CSVOptions) throws -> (table: DataTable, target: [String]?) {
        var bytes = input
        bytes.append(0)  // terminator so strtod stops
        let n = input.count
        var fields: [Int] = []  // start, end pairs
        fields.reserveCapacity(n / 3)
        var rowWidth = -1
        var header: [String] = []
        var rowIndex = 0  // 0 = header
        var nDataRows = 0
        try bytes.withUnsafeBufferPointer { buf in
            var i = 0
            // skip UTF-8 BOM
            if n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF { i = 3 }
            var rowStartField = fields.count / 2
            while i < n {
                // parse one field
                var start = i, end = i
                var escaped = false
                if buf[i] == quote {
                    i += 1; start = i
                    while true {
                        if i >= n { throw CSVError(file: file, row: rowIndex, message: "unterminated quoted field") }
                        if buf[i] == quote {
                            if i + 1 < n && buf[i + 1] == quote { escaped = true; i += 2; continue }
                            break
                        }
                        i += 1
                    }
                    end = i
                    i += 1  // closing quote
                    while i < n && buf[i] != comma && buf[i] != lf && buf[i] != cr { i += 1 }  // tolerate junk
                } else {
                    while i < n && buf[i] != comma && buf[i] != lf && buf[i] != cr { i += 1 }
                    end = i
                    while start < end && buf[start] == space { start += 1 }
                    while end > start && buf[end - 1] == space { end -= 1 }
                }
                fields.append(start); fields.append(escaped ? (end | escapedFlag) : end)
                if i < n && buf[i] == comma { i += 1; if i == n { fields.append(n); fields.append(n) } else { continue } }
                // end of record
                if i < n && buf[i] == cr { i += 1 }
                if i < n && buf[i] == lf { i += 1 }
                let width = fields.count / 2 - rowStartField
                // skip blank lines
                if width == 1 && fields[fields.count - 2] == (fields[fields.count - 1] & ~escapedFlag) && !escaped {
                    fields.removeLast(2)
                    continue
                }
                if rowIndex == 0 {
                    rowWidth = width
                    for f in 0..<width {
                        header.append(fieldString(buf, fields[2 * (rowStartField + f)], fields[2 * (rowStartField + f) + 1]))
                    }
                    fields.removeAll(keepingCapacity: true)
                } else {
                    if width != rowWidth {
                        let col = width < rowWidth ? header[width] : "#\(width)"
                        throw CSVError(file: file, row: rowIndex, column: col,
                                       message: "ragged row: expected \(rowWidth) fields, found \(width)")
                    }
                    nDataRows += 1
                }
                rowIndex += 1
                rowStartField = fields.count / 2
            }
        }
        if header.isEmpty { throw CSVError(file: file, message: "empty file (no header row)") }
        var seen = Set<String>()
        for h in header where !seen.insert(h).inserted {
            throw CSVError(file: file, row: 0, column: h, message: "duplicate column name")
        }
        if let t = options.target, !header.contains(t) {
            throw CSVError(file: file, column: t, message: "target column '\(t)' not found in header")
        }
        let width = rowWidth
        var columns: [Column] = []
        var target: [String]?
        try bytes.withUnsafeBufferPointer { buf in
            for c in 0..<width {
                let name = header[c]
                if options.drop.contains(name) { continue }
                @inline(__always) func range(_ r: Int) -> (Int, Int) { (fields[2 * (r * width + c)], fields[2 * (r * width + c) + 1]) }
                if name == options.target {
                    var t: [String] = []
                    t.reserveCapacity(nDataRows)
                    for r in 0..<nDataRows {
                        let (s, e) = range(r)
                        let v = fieldString(buf, s, e)
                        if v.isEmpty { throw CSVError(file: file, row: r + 1, column: name, message: "missing target value") }
                        t.append(v)
                    }
                    target = t
                    continue
                }
                var values = [Float](repeating: .nan, count: nDataRows)
                var numeric = !options.categorical.contains(name)
                var nonMissing = 0
                if numeric {
                    for r in 0..<nDataRows {
                        let (s, e) = range(r)
                        let end = e & ~escapedFlag
                        if s == end { continue }
                        nonMissing += 1
                        var endPtr: UnsafeMutablePointer<CChar>?
                        let p = UnsafeRawPointer(buf.baseAddress! + s).assumingMemoryBound(to: CChar.self)
                        let v = strtod(p, &endPtr)
                        if let endPtr, UnsafeRawPointer(endPtr) == UnsafeRawPointer(buf.baseAddress! + end), e & escapedFlag == 0 {
                            values[r] = Float(v)
                        } else {
                            if options.numeric.contains(name) {
                                throw CSVError(file: file, row: r + 1, column: name,
                                               message: "expected a number, found '\(fieldString(buf, s, e))'")
                            }
                            numeric = false
                            break
                        }
                    }
                }
                if numeric {
                    if nonMissing == 0 && options.rejectAllMissingColumns && nDataRows > 0 {
                        throw CSVError(file: file, column: name, message: "every value of the column is missing")
                    }
                    columns.append(Column(name: name, kind: .numeric, values: values))
                } else {
                    var strings: [String?] = []
                    strings.reserveCapacity(nDataRows)
                    for r in 0..<nDataRows {
                        let (s, e) = range(r)
                        let v = fieldString(buf, s, e)
                        strings.append(v.isEmpty ? nil : v)
                    }
                    if !strings.contains(where: { $0 != nil }) && options.rejectAllMissingColumns && nDataRows > 0 {
                        throw CSVError(file: file, column: name, message: "every value of the column is missing")
                    }
                    columns.append(Column(name: name, categories: strings))
                }
            }
        }
        return (try DataTable(columns: columns), target)
    }

    private static func fieldString(_ buf: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        let end = e & ~escapedFlag
        let str = String(decoding: UnsafeBufferPointer(rebasing: buf[s..<end]), as: UTF8.self)
        return e & escapedFlag != 0 ? str.replacingOccurrences(of: "\"\"", with: "\"") : str
    }

    /// Quotes a field for CSV output when needed.
    public static func escape(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
