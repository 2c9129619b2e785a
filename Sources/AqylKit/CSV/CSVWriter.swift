import Foundation

/// Writing CSV that `CSVReader` (and any RFC 4180 reader) reads back as written.
public enum CSVWriter {
    /// The field as CSV: quoted, with quotes doubled, when it holds a comma, a quote, a CR or a LF; else as it is.
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the fields escaped and joined by commas (no line end).
    public static func line(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") }
}
