import AqylML
import Foundation

/// The one place this domain reads CSV. Files are cut into chunks at record boundaries (a newline outside quotes),
/// each chunk is parsed by AqylML's RFC 4180 reader (`TextCSV`) on its own thread, and records come back in file order
/// with their absolute line numbers. When the platform's streaming reader lands (issue 13), only this file changes.
enum GraphCSV {
    /// Records of one chunk, in file order.
    typealias Records = [TextCSV.Record]

    /// Reads `path`, returns its header (trimmed field names) and the result of `body` on each chunk, in file order.
    /// A chunk the reader rejects is re-read record by record: records it still rejects become `malformed` issues
    /// naming their line, the others go on to `body`.
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
        let result: Result<([String], [T], [IntakeIssue]), IntakeError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            var start = 0
            if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
            // Skip blank lines before the header.
            var line = 1
            while start < n && (bytes[start] == 0x0A || bytes[start] == 0x0D) {
                if bytes[start] == 0x0A { line += 1 }
                start += 1
            }
            guard start < n else { return .failure(IntakeError(file: file, "the file is empty: a header row is required")) }
            // Chunk boundaries: after a newline outside quotes, roughly every `chunkBytes`.
            var bounds: [(lo: Int, hi: Int, line: Int)] = []
            var inQuotes = false
            var lo = start, chunkLine = line, i = start
            var headerEnd = -1, headerLines = 0
            var currentLine = line
            while i < n {
                let c = bytes[i]
                if c == 0x22 { inQuotes.toggle() } else if c == 0x0A {
                    currentLine += 1
                    if !inQuotes {
                        if headerEnd < 0 {
                            headerEnd = i + 1; headerLines = currentLine - line
                            lo = i + 1; chunkLine = currentLine
                        } else if i + 1 - lo >= chunkBytes {
                            bounds.append((lo, i + 1, chunkLine))
                            lo = i + 1; chunkLine = currentLine
                        }
                    }
                }
                i += 1
            }
            if headerEnd < 0 { headerEnd = n; headerLines = currentLine - line; lo = n }
            if lo < n { bounds.append((lo, n, chunkLine)) }
            _ = headerLines
            let headerRecords: [TextCSV.Record]
            do { headerRecords = try TextCSV.parse(bytes: Array(UnsafeBufferPointer(rebasing: bytes[start..<headerEnd]))) } catch {
                return .failure(IntakeError(file: file, line: line, "the header row is not valid CSV: \(error)"))
            }
            guard let header = headerRecords.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
                return .failure(IntakeError(file: file, line: line, "the header row is empty"))
            }
            let slots = ResultSlots<(T, [IntakeIssue])>(count: bounds.count)
            let base = Unchecked(bytes)
            concurrentFor(bounds.count, threads: threads) { k in
                let b = bounds[k]
                let chunk = Array(UnsafeBufferPointer(rebasing: base.value[b.lo..<b.hi]))
                var issues: [IntakeIssue] = []
                var records: Records
                do {
                    records = try TextCSV.parse(bytes: chunk)
                    for r in records.indices { records[r].line += b.line - 1 }
                } catch {
                    (records, issues) = recordByRecord(chunk, firstLine: b.line, file: file)
                }
                slots.set(k, (body(records), issues))
            }
            let all = slots.values()
            return .success((header, all.map(\.0), all.flatMap(\.1)))
        }
        switch result {
        case .success(let r): return (r.0, r.1, r.2)
        case .failure(let e): throw e
        }
    }

    /// Parses a chunk one record at a time so one malformed record does not take its neighbours with it.
    private static func recordByRecord(_ chunk: [UInt8], firstLine: Int, file: String) -> (Records, [IntakeIssue]) {
        var records: Records = [], issues: [IntakeIssue] = []
        var lo = 0, line = firstLine, recordLine = firstLine
        var inQuotes = false
        func flush(_ hi: Int) {
            if hi > lo {
                do {
                    for var r in try TextCSV.parse(bytes: Array(chunk[lo..<hi])) {
                        r.line += recordLine - 1
                        records.append(r)
                    }
                } catch {
                    issues.append(IntakeIssue(file: file, line: recordLine, reason: "not valid CSV: \(error)"))
                }
            }
            lo = hi
            recordLine = line
        }
        for i in chunk.indices {
            let c = chunk[i]
            if c == 0x22 { inQuotes.toggle() } else if c == 0x0A {
                line += 1
                if !inQuotes { flush(i + 1) }
            }
        }
        flush(chunk.count)
        return (records, issues)
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
