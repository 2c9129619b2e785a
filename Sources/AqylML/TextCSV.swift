import Foundation

/// RFC 4180 CSV parsing: comma-separated fields, records ended by LF or CRLF, fields optionally
/// in double quotes; inside quotes commas, CR/LF and doubled quotes (`""` → `"`) are literal.
/// A UTF-8 byte-order mark is skipped. A quote inside an unquoted field is kept literally.
public enum TextCSV {
    /// One parsed record with the 1-based line it starts on.
    public struct Record: Sendable, Equatable {
        public var fields: [String]
        public var line: Int
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(line: Int)
        case characterAfterClosingQuote(line: Int)
        case invalidUTF8(line: Int)

        public var description: String {
            switch self {
            case .unterminatedQuote(let l): return "line \(l): quoted field is never closed"
            case .characterAfterClosingQuote(let l): return "line \(l): unexpected character after a closing quote"
            case .invalidUTF8(let l): return "line \(l): field is not valid UTF-8"
            }
        }
    }

    public static func parse(_ text: String) throws -> [Record] {
        try parse(bytes: Array(text.utf8))
    }

    public static func parse(bytes input: [UInt8]) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var i = 0
        let n = input.count
        if n >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF { i = 3 }
        var line = 1
        var recordLine = 1
        var fieldStarted = false  // something (even an empty quoted field) was read for this record

        func finishField() throws {
            guard let s = String(validating: field, as: UTF8.self) else { throw ParseError.invalidUTF8(line: line) }
            fields.append(s)
            field.removeAll(keepingCapacity: true)
        }
        func finishRecord() {
            records.append(Record(fields: fields, line: recordLine))
            fields.removeAll(keepingCapacity: true)
            fieldStarted = false
        }

        while i < n {
            let c = input[i]
            if c == UInt8(ascii: "\"") && field.isEmpty && (i == 0 || !fieldStartedInField(input, i)) {
                // Quoted field.
                let startLine = line
                i += 1
                var closed = false
                while i < n {
                    let q = input[i]
                    if q == UInt8(ascii: "\"") {
                        if i + 1 < n && input[i + 1] == UInt8(ascii: "\"") {
                            field.append(q)
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    if q == UInt8(ascii: "\n") { line += 1 }
                    field.append(q)
                    i += 1
                }
                if !closed { throw ParseError.unterminatedQuote(line: startLine) }
                fieldStarted = true
                // After the closing quote: comma, end of record or end of input.
                if i < n {
                    let after = input[i]
                    if after != UInt8(ascii: ",") && after != UInt8(ascii: "\n") && after != UInt8(ascii: "\r") {
                        throw ParseError.characterAfterClosingQuote(line: line)
                    }
                }
                continue
            }
            switch c {
            case UInt8(ascii: ","):
                try finishField()
                fieldStarted = true
                i += 1
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if c == UInt8(ascii: "\r") && i + 1 < n && input[i + 1] == UInt8(ascii: "\n") { i += 1 }
                i += 1
                if fieldStarted || !field.isEmpty || !fields.isEmpty {
                    try finishField()
                    finishRecord()
                }
                line += 1
                recordLine = line
            default:
                field.append(c)
                fieldStarted = true
                i += 1
            }
        }
        if fieldStarted || !field.isEmpty || !fields.isEmpty {
            try finishField()
            finishRecord()
        }
        return records
    }

    /// True when the quote at `i` is inside an unquoted field (a character other than a comma
    /// or line break precedes it).
    private static func fieldStartedInField(_ input: [UInt8], _ i: Int) -> Bool {
        let p = input[i - 1]
        return !(p == UInt8(ascii: ",") || p == UInt8(ascii: "\n") || p == UInt8(ascii: "\r") || (i == 3 && p == 0xBF))
    }
}

/// A CSV file of texts with 0/1 (or score) label columns.
public struct TextLabeledTable: Sendable {
    public var texts: [String]
    public var labelNames: [String]
    /// `targets[row][label]`, each in [0, 1].
    public var targets: [[Float]]
    /// SHA-256 of the file bytes.
    public var sha256: String

    public init(texts: [String], labelNames: [String], targets: [[Float]], sha256: String = "") {
        self.texts = texts
        self.labelNames = labelNames
        self.targets = targets
        self.sha256 = sha256
    }

    /// How label cells are read.
    public enum LabelPolicy: Sendable, Equatable {
        /// Only 0 and 1 (also written 0.0 / 1.0) are accepted.
        case strictBinary
        /// Any number in [0, 1] is accepted (annotator scores); a value ≥ `threshold` counts as
        /// positive where a binary label is needed.
        case scores(threshold: Float)
    }

    public struct LoadError: Error, Equatable, CustomStringConvertible {
        public var file: String
        public var row: Int?
        public var line: Int?
        public var column: String?
        public var message: String

        public var description: String {
            var parts = [file]
            if let line { parts.append("line \(line)") }
            if let row { parts.append("row \(row)") }
            if let column { parts.append("column '\(column)'") }
            return parts.joined(separator: ", ") + ": " + message
        }
    }

    /// Reads `path`; every column except `textColumn` is a label column, unless `labelColumns`
    /// names them (then those must exist and the others are ignored). Rows are numbered from 1
    /// after the header.
    public static func load(
        path: String, textColumn: String, labelColumns: [String]? = nil, policy: LabelPolicy = .strictBinary
    ) throws -> TextLabeledTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(file: path, message: "cannot read file")
        }
        let bytes = [UInt8](data)
        return try parse(bytes: bytes, file: path, textColumn: textColumn, labelColumns: labelColumns, policy: policy)
    }

    public static func parse(
        bytes: [UInt8], file: String, textColumn: String, labelColumns: [String]? = nil,
        policy: LabelPolicy = .strictBinary
    ) throws -> TextLabeledTable {
        let records: [TextCSV.Record]
        do {
            records = try TextCSV.parse(bytes: bytes)
        } catch let e as TextCSV.ParseError {
            throw LoadError(file: file, message: e.description)
        }
        guard let header = records.first else { throw LoadError(file: file, message: "file is empty") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let textIndex = names.firstIndex(of: textColumn) else {
            throw LoadError(
                file: file, line: 1, column: textColumn,
                message: "text column '\(textColumn)' not found; header has: \(names.joined(separator: ", "))")
        }
        var labelIndices: [Int] = []
        if let wanted = labelColumns {
            for w in wanted {
                guard let k = names.firstIndex(of: w) else {
                    throw LoadError(file: file, line: 1, column: w, message: "label column '\(w)' not found")
                }
                labelIndices.append(k)
            }
        } else {
            labelIndices = names.indices.filter { $0 != textIndex }
        }
        guard !labelIndices.isEmpty else { throw LoadError(file: file, line: 1, message: "no label columns") }
        var seen = Set<String>()
        for k in labelIndices where !seen.insert(names[k]).inserted {
            throw LoadError(file: file, line: 1, column: names[k], message: "duplicate column name")
        }
        var texts: [String] = []
        var targets: [[Float]] = []
        texts.reserveCapacity(records.count)
        targets.reserveCapacity(records.count)
        for (r, rec) in records.dropFirst().enumerated() {
            let row = r + 1
            guard rec.fields.count == names.count else {
                throw LoadError(
                    file: file, row: row, line: rec.line,
                    message: "expected \(names.count) fields as in the header, found \(rec.fields.count)")
            }
            texts.append(rec.fields[textIndex])
            var t: [Float] = []
            t.reserveCapacity(labelIndices.count)
            for k in labelIndices {
                let raw = rec.fields[k].trimmingCharacters(in: .whitespaces)
                guard let v = Float(raw), v.isFinite else {
                    throw LoadError(
                        file: file, row: row, line: rec.line, column: names[k],
                        message: "label value '\(raw)' is not a number (expected 0 or 1)")
                }
                switch policy {
                case .strictBinary:
                    guard v == 0 || v == 1 else {
                        throw LoadError(
                            file: file, row: row, line: rec.line, column: names[k],
                            message: "label value '\(raw)' is not 0 or 1")
                    }
                case .scores:
                    guard v >= 0 && v <= 1 else {
                        throw LoadError(
                            file: file, row: row, line: rec.line, column: names[k],
                            message: "label value '\(raw)' is outside [0, 1]")
                    }
                }
                t.append(v)
            }
            targets.append(t)
        }
        guard !texts.isEmpty else { throw LoadError(file: file, message: "no data rows") }
        return TextLabeledTable(
            texts: texts, labelNames: labelIndices.map { names[$0] }, targets: targets,
            sha256: SHA256Digest.hex(bytes))
    }

    /// Binary labels: `targets ≥ threshold`.
    public func binaryLabels(threshold: Float = 0.5) -> [[Bool]] {
        targets.map { $0.map { $0 >= threshold } }
    }
}
