import AqylKit
import AqylML
import Foundation

/// The Forecasting domain's only CSV entry point: the platform kit's strict RFC 4180 reader. Returns the header, the
/// data records with their 1-based line numbers, and the records whose field count differs from the header's (the
/// intake reports those as rejected rows and goes on).
enum CSVInput {
    struct Table {
        var header: [String]
        var records: [CSVRecord]
        var ragged: [CSVError] = []
        var sha256: String
    }

    static func read(path: String) throws(IntakeError) -> Table {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IntakeError(file: path, message: "cannot read the file")
        }
        return try parse(bytes: [UInt8](data), file: path)
    }

    static func parse(bytes: [UInt8], file: String) throws(IntakeError) -> Table {
        do {
            let reader = try CSVReader(data: Data(bytes), file: file)
            var ragged: [CSVError] = []
            let records = try reader.records(onRaggedRecord: { ragged.append($0) })
            return Table(header: reader.header.map { $0.trimmedASCII }, records: records, ragged: ragged,
                         sha256: Hashing.sha256Hex(bytes: bytes))
        } catch let e as CSVError {
            throw IntakeError(file: file, line: e.line, column: e.columnName, message: e.reason == .noHeader
                              ? "the file is empty: a header row is required" : e.message)
        } catch {
            throw IntakeError(file: file, message: "\(error)")
        }
    }
}
