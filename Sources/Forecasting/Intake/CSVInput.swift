import AqylML
import Foundation

/// The Forecasting domain's only CSV entry point (RFC 4180 records through AqylML's `TextCSV` today; to be switched
/// to the platform kit's reader). Returns the header and the data records with their 1-based line numbers.
enum CSVInput {
    struct Table {
        var header: [String]
        var records: [TextCSV.Record]
        var sha256: String
    }

    static func read(path: String) throws(IntakeError) -> Table {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IntakeError(file: path, message: "cannot read the file")
        }
        return try parse(bytes: [UInt8](data), file: path)
    }

    static func parse(bytes: [UInt8], file: String) throws(IntakeError) -> Table {
        let records: [TextCSV.Record]
        do {
            records = try TextCSV.parse(bytes: bytes)
        } catch let e as TextCSV.ParseError {
            let line: Int
            switch e {
            case .unterminatedQuote(let l), .characterAfterClosingQuote(let l), .invalidUTF8(let l): line = l
            }
            throw IntakeError(file: file, line: line, message: e.description)
        } catch {
            throw IntakeError(file: file, message: "\(error)")
        }
        guard let first = records.first else { throw IntakeError(file: file, line: 1, message: "the file is empty: a header row is required") }
        var digest = SHA256Digest()
        bytes.withUnsafeBytes { digest.update(data: $0) }
        return Table(header: first.fields.map { $0.trimmedASCII },
                     records: Array(records.dropFirst()), sha256: digest.finalizeHex())
    }
}
