import Foundation

/// RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes (doubled) and newlines.
/// A UTF-8 byte-order mark at the start is skipped; CRLF and LF line ends are both accepted.
public struct CSVRecords: Sendable {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// 1-based line number in the file where the bad record starts.
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// One record and the line it started on.
    public struct Record: Sendable {
        public var line: Int
        public var fields: [String]
    }

    public let header: [String]
    public let records: [Record]

    public init(text: String) throws(ParseError) {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var i = 0
        var fieldWasQuoted = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 1 } else { inQuotes = false }
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
            } else {
                switch c {
                case 0x22:
                    if field.isEmpty && !fieldWasQuoted { inQuotes = true; fieldWasQuoted = true } else {
                        throw ParseError(line: line, message: "a quote inside an unquoted field")
                    }
                case 0x2C: endField()
                case 0x0D: break
                case 0x0A:
                    endField()
                    records.append(Record(line: recordLine, fields: fields))
                    fields.removeAll(keepingCapacity: true)
                    line += 1
                    recordLine = line
                default: field.append(c)
                }
            }
            i += 1
        }
        if inQuotes { throw ParseError(line: recordLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted {
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        // Blank lines are not records.
        records.removeAll { $0.fields.count == 1 && $0.fields[0].isEmpty }
        guard let first = records.first else { throw ParseError(line: 1, message: "the file is empty: a header row is required") }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        self.records = Array(records.dropFirst())
    }

    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ParseError(line: 1, message: "the file is not UTF-8 text")
        }
        try self.init(text: text)
    }

    /// Index of the first header that matches one of `names` (case-insensitive).
    public func column(_ names: String...) -> Int? {
        let lowered = header.map { $0.lowercased() }
        for n in names { if let i = lowered.firstIndex(of: n.lowercased()) { return i } }
        return nil
    }
}
