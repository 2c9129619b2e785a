/// A CSV problem: the file, the 1-based physical line (newlines inside quoted fields count), the 1-based column
/// (field) number and the header's name for it, where known.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The file could not be read.
        case cannotRead
        /// No header row (the file is empty or holds only blank lines).
        case noHeader
        /// Two header columns have the same (non-empty) name.
        case duplicateColumn
        /// A `"` inside a field that does not start with one.
        case strayQuote
        /// Something other than a comma or the end of the line after a quoted field's closing quote.
        case textAfterClosingQuote
        /// A quoted field that the file ends inside; `line` is where it opens.
        case unterminatedQuote
        /// A carriage return that is not followed by a line feed, outside quotes.
        case bareCarriageReturn
        /// Bytes that are not UTF-8.
        case invalidUTF8
        /// A record with a different number of fields than the header.
        case fieldCount(expected: Int, found: Int)
        /// A column a loader needs is not in the header.
        case missingColumn
        /// A loader refused a value (not a number, out of range, missing where required, ...).
        case invalidValue
    }

    public var file: String
    /// 1-based physical line.
    public var line: Int?
    /// 1-based column (field) number.
    public var column: Int?
    /// The header's name of that column.
    public var columnName: String?
    public var reason: Reason
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil, reason: Reason,
                message: String) {
        self.file = file; self.line = line; self.column = column; self.columnName = columnName
        self.reason = reason; self.message = message
    }

    /// `file, line 3, column 2 (name): message`.
    public var description: String {
        var s = file
        if let line { s += ", line \(line)" }
        switch (column, columnName) {
        case let (c?, n?) where !n.isEmpty: s += ", column \(c) (\(n))"
        case let (c?, _): s += ", column \(c)"
        case let (nil, n?): s += ", column \(n)"
        case (nil, nil): break
        }
        return s + ": " + message
    }
}
