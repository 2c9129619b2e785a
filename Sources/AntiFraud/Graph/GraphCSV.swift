import AqylKit
import AqylML
import Foundation

/// The one place this domain reads CSV: the platform kit's strict RFC 4180 reader, its records cut into slices at
/// record boundaries and each slice parsed on its own thread; records come back in file order with their line numbers.
/// A record with another field count than the header becomes a `malformed` issue naming its line and the reading goes
/// on; a quoting error stops the file with its line and column (strict reading: nothing is guessed).
enum GraphCSV {
    /// Records of one slice, in file order.
    typealias Records = [CSVRecord]

    /// Reads `path`, returns its header (trimmed field names) and the result of `body` on each slice, in file order.
    static func read<T: Sendable>(path: String, file: String, threads: Int = defaultThreadCount(),
                                  chunkBytes: Int = 4 << 20,
                                  body: @Sendable (Records) -> T) throws(IntakeError) -> (header: [String], parts: [T], malformed: [IntakeIssue]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw IntakeError(file: file, "cannot read the file: \(error.localizedDescription)")
        }
        return try read(data: data, file: file, threads: threads, chunkBytes: chunkBytes, body: body)
    }

    static func read<T: Sendable>(data: Data, file: String, threads: Int = defaultThreadCount(), chunkBytes: Int = 4 << 20,
                                  body: @Sendable (Records) -> T) throws(IntakeError) -> (header: [String], parts: [T], malformed: [IntakeIssue]) {
        let csv: CSVReader
        do { csv = try CSVReader(data: data, file: file) } catch { throw issue(error, file: file) }
        let slices = csv.slices(max(1, min(max(1, threads) * 4, data.count / max(1, chunkBytes) + 1)))
        let slots = Slots<Result<(T, [IntakeIssue]), IntakeError>>(count: slices.count)
        parallelFor(slices.count, threads: threads) { k in
            var records: Records = []
            var issues: [IntakeIssue] = []
            do {
                try csv.forEachRow(in: slices[k], onRaggedRecord: { e in
                    var reason = e.message
                    if case .fieldCount(let expected, let found) = e.reason { reason = "expected \(expected) fields, found \(found)" }
                    issues.append(IntakeIssue(file: file, line: e.line ?? 0, reason: reason))
                }) { row in records.append(CSVRecord(line: row.line, fields: row.strings)) }
                slots.set(k, .success((body(records), issues)))
            } catch let e as CSVError {
                slots.set(k, .failure(issue(e, file: file)))
            } catch {
                slots.set(k, .failure(IntakeError(file: file, "\(error)")))
            }
        }
        var parts: [T] = [], malformed: [IntakeIssue] = []
        for r in slots.values() {
            switch r {
            case .success(let (part, issues)): parts.append(part); malformed += issues
            case .failure(let e): throw e
            }
        }
        return (csv.header.map { $0.trimmingCharacters(in: .whitespaces) }, parts, malformed)
    }

    private static func issue(_ e: CSVError, file: String) -> IntakeError {
        IntakeError(file: file, line: e.line, column: e.columnName, e.message)
    }
}

/// Column positions in a header, matched case-insensitively against each name's accepted spellings.
struct CSVColumns {
    let header: [String]
    let file: String
    private let lowered: [String]

    init(header: [String], file: String) {
        self.header = header; self.file = file
        lowered = header.map { $0.lowercased() }
    }

    func find(_ names: [String]) -> Int? {
        for n in names { if let i = lowered.firstIndex(of: n.lowercased()) { return i } }
        return nil
    }

    func require(_ names: [String]) throws(IntakeError) -> Int {
        guard let i = find(names) else {
            throw IntakeError(file: file, line: 1, column: names[0],
                              "required column '\(names[0])' is missing (header: \(header.joined(separator: ",")))")
        }
        return i
    }
}
