import Foundation

/// How a CSV file is read. Two options, both on by default.
public struct CSVOptions: Sendable, Equatable {
    /// `true` (default): RFC 4180 strictly. A stray quote in an unquoted field, text after a closing quote, a bare
    /// carriage return, invalid UTF-8 and a record whose field count differs from the header's are errors naming the
    /// file, line and column. `false`: those are kept literally (a field with text after its closing quote is its raw
    /// text, quotes included), invalid UTF-8 becomes U+FFFD in strings, records of any width are delivered; an
    /// unterminated quoted field is still an error.
    public var strict: Bool
    /// `true` (default): the first record is the header (names trimmed of spaces and tabs; a repeated non-empty
    /// name is an error). `false`: every record is data, and the first one sets the expected width.
    public var header: Bool

    public init(strict: Bool = true, header: Bool = true) {
        self.strict = strict
        self.header = header
    }
}

/// One record with its fields as strings: the convenient API for small files.
public struct CSVRecord: Sendable, Equatable {
    /// 1-based physical line the record starts on.
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A part of a file's records for parallel parsing: byte offsets (cut at record boundaries) and the line it starts on.
public struct CSVSlice: Sendable, Equatable {
    public var range: Range<Int>
    public var line: Int

    public init(range: Range<Int>, line: Int) {
        self.range = range
        self.line = line
    }
}

/// The platform's one CSV reader (RFC 4180): comma separator, `"` quoting with `""` for a quote, LF or CRLF line ends,
/// a UTF-8 byte-order mark skipped, blank lines skipped. Files are memory-mapped, never copied into a String.
///
/// - the zero-copy visitor `forEachRow` hands each record's field boundaries (`CSVRow`) to a closure: for hot paths;
/// - `records()` returns `[CSVRecord]` (strings with line numbers): for small files;
/// - `slices(_:keepingTogether:)` + `forEachRow(in:)` parse a large file on several threads.
///
/// Errors are `CSVError`s naming the file, the 1-based physical line and the 1-based column with its header name.
public final class CSVReader: Sendable {
    /// The name errors use (the path for files).
    public let file: String
    public let options: CSVOptions
    /// Header names (empty with `header: false`).
    public let header: [String]
    /// The number of fields every record must have (the header's; the first record's with `header: false`); nil for
    /// a file without records.
    public let width: Int?
    /// The file's bytes (memory-mapped for files).
    public let data: Data
    /// Byte offset of the first data record and its line.
    let bodyStart: Int
    let bodyLine: Int

    /// Opens `path` (memory-mapped) and reads its header.
    public convenience init(path: String, options: CSVOptions = CSVOptions()) throws(CSVError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw CSVError(file: path, reason: .cannotRead, message: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, file: path, options: options)
    }

    /// Reads CSV text.
    public convenience init(text: String, file: String = "<text>", options: CSVOptions = CSVOptions()) throws(CSVError) {
        try self.init(data: Data(text.utf8), file: file, options: options)
    }

    /// Reads CSV bytes.
    public init(data: Data, file: String = "<data>", options: CSVOptions = CSVOptions()) throws(CSVError) {
        self.file = file
        self.options = options
        self.data = data
        let result: Result<HeaderInfo, CSVError> = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            do throws(CSVError) { return .success(try Self.readHeader(raw, file: file, options: options)) } catch {
                return .failure(error)
            }
        }
        let parsed = try result.get()
        header = parsed.header
        width = parsed.width
        bodyStart = parsed.start
        bodyLine = parsed.line
    }

    struct HeaderInfo {
        var header: [String]
        var width: Int?
        var start: Int
        var line: Int
    }

    private static func readHeader(_ raw: UnsafeRawBufferPointer, file: String, options: CSVOptions) throws(CSVError)
        -> HeaderInfo
    {
        let n = raw.count
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            if options.header { throw CSVError(file: file, reason: .noHeader, message: "the file is empty: a header row is required") }
            return HeaderInfo(header: [], width: nil, start: 0, line: 1)
        }
        let start = n >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
        var s = CSVScanner(base: base, start: start, end: n, line: 1, strict: options.strict)
        defer { s.deallocate() }
        let found: Bool
        do throws(CSVScanner.Failure) { found = try s.next() } catch { throw convert(error, file: file, header: []) }
        guard found else {
            if options.header { throw CSVError(file: file, reason: .noHeader, message: "the file is empty: a header row is required") }
            return HeaderInfo(header: [], width: nil, start: start, line: 1)
        }
        guard options.header else { return HeaderInfo(header: [], width: s.count, start: start, line: 1) }
        let row = CSVRow(base: base, bounds: s.fields, count: s.count, line: s.recordLine, offset: s.recordStart)
        let names = (0..<row.count).map { row.string($0).trimmingCharacters(in: spaceAndTab) }
        if options.strict {
            var seen: [String: Int] = [:]
            for (i, name) in names.enumerated() where !name.isEmpty {
                if let first = seen[name] {
                    throw CSVError(file: file, line: s.recordLine, column: i + 1, columnName: name, reason: .duplicateColumn,
                                   message: "column name '\(name)' appears twice in the header (columns \(first + 1) and \(i + 1))")
                }
                seen[name] = i
            }
        }
        return HeaderInfo(header: names, width: names.count, start: s.pos, line: s.line)
    }

    private static let spaceAndTab = CharacterSet(charactersIn: " \t")

    static func convert(_ f: CSVScanner.Failure, file: String, header: [String]) -> CSVError {
        let message = switch f.reason {
        case .strayQuote: "a quote inside an unquoted field (quote the whole field and double the quote: \"say \"\"hi\"\"\")"
        case .textAfterClosingQuote: "text after a closing quote (a quoted field ends at a comma or the end of the line)"
        case .unterminatedQuote: "a quoted field opened here is never closed"
        case .bareCarriageReturn: "a carriage return not followed by a line feed"
        case .invalidUTF8: "not UTF-8 text"
        default: "malformed CSV"
        }
        return CSVError(file: file, line: f.line, column: f.field + 1, columnName: f.field < header.count ? header[f.field] : nil,
                        reason: f.reason, message: message)
    }

    /// The error for a record of `found` fields: its first line, and the first missing or extra column.
    func fieldCountError(line: Int, found: Int) -> CSVError {
        let expected = width ?? found
        let column = found < expected ? found + 1 : expected + 1
        return CSVError(file: file, line: line, column: column, columnName: column <= header.count ? header[column - 1] : nil,
                        reason: .fieldCount(expected: expected, found: found),
                        message: "has \(found) fields but the \(options.header ? "header has" : "first record has") \(expected)")
    }

    /// Index of the column called `name` (exactly), or nil.
    public func index(of name: String) -> Int? { header.firstIndex(of: name) }

    /// Index of the first header that matches one of `names`, ignoring case, or nil.
    public func column(_ names: String...) -> Int? {
        let lowered = header.map { $0.lowercased() }
        for n in names { if let i = lowered.firstIndex(of: n.lowercased()) { return i } }
        return nil
    }

    /// All data records, the byte range after the header, starting at its line.
    public var body: CSVSlice { CSVSlice(range: bodyStart..<data.count, line: bodyLine) }

    /// Calls `body` with every data record, in order.
    /// - Parameter onRaggedRecord: nil (default): a record whose field count differs from `width` is an error (in
    ///   strict mode). Given: such a record is skipped and its error handed here (loaders that report bad rows and go
    ///   on); throwing from it stops the reading.
    public func forEachRow(onRaggedRecord: ((CSVError) throws -> Void)? = nil, _ body: (CSVRow) throws -> Void) throws {
        try forEachRow(in: self.body, onRaggedRecord: onRaggedRecord, body)
    }

    /// `forEachRow` over one slice (from `slices`); safe to call from several threads at once.
    public func forEachRow(in slice: CSVSlice, onRaggedRecord: ((CSVError) throws -> Void)? = nil,
                           _ body: (CSVRow) throws -> Void) throws {
        precondition(slice.range.lowerBound >= bodyStart && slice.range.upperBound <= data.count, "slice out of the file's body")
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var s = CSVScanner(base: base, start: slice.range.lowerBound, end: slice.range.upperBound, line: slice.line,
                               strict: options.strict)
            defer { s.deallocate() }
            let check = options.strict ? width : nil
            while true {
                let more: Bool
                do throws(CSVScanner.Failure) { more = try s.next() } catch { throw Self.convert(error, file: file, header: header) }
                if !more { break }
                if let check, s.count != check {
                    let e = fieldCountError(line: s.recordLine, found: s.count)
                    guard let onRaggedRecord else { throw e }
                    try onRaggedRecord(e)
                    continue
                }
                try body(CSVRow(base: base, bounds: s.fields, count: s.count, line: s.recordLine, offset: s.recordStart))
            }
        }
    }

    /// Every data record as strings (see `forEachRow` for `onRaggedRecord`).
    public func records(onRaggedRecord: ((CSVError) throws -> Void)? = nil) throws -> [CSVRecord] {
        var out: [CSVRecord] = []
        try forEachRow(onRaggedRecord: onRaggedRecord) { row in out.append(CSVRecord(line: row.line, fields: row.strings)) }
        return out
    }

    /// Runs `body` with the file's bytes (the buffer `CSVField.range` offsets point into).
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
    }
}
