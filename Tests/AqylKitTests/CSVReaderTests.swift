import AqylKit
import Foundation
import Testing

@Suite("Kit: the CSV reader")
struct CSVReaderTests {
    func records(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> [CSVRecord] {
        try CSVReader(text: text, file: "t.csv", options: options).records()
    }

    func error(_ text: String, _ options: CSVOptions = CSVOptions()) -> CSVError? {
        do { _ = try records(text, options); return nil } catch { return error as? CSVError }
    }

    // MARK: RFC 4180

    @Test func quotesDoubledQuotesAndNewlinesInQuotes() throws {
        let r = try CSVReader(text: "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n3,,z", file: "t.csv")
        #expect(r.header == ["a", "b", "c"])
        let recs = try r.records()
        #expect(recs == [CSVRecord(line: 2, fields: ["1", "x, y", "say \"hi\""]),
                         CSVRecord(line: 3, fields: ["2", "two\nlines", ""]),
                         CSVRecord(line: 5, fields: ["3", "", "z"])])
    }

    @Test func crlfBOMBlankLinesAndTrailingNewlineOrNot() throws {
        let a = try records("\u{FEFF}a,b\r\n1,2\r\n\r\n\n3,\"4\r\nx\"\r\n")
        #expect(a == [CSVRecord(line: 2, fields: ["1", "2"]), CSVRecord(line: 5, fields: ["3", "4\r\nx"])])
        let b = try records("a,b\n1,2")
        let c = try records("a,b\n1,2\n")
        #expect(b == c)
        #expect(try CSVReader(text: "\u{FEFF}name , value\t\n1,2").header == ["name", "value"])
    }

    @Test func emptyFieldsAndQuotedEmptyFields() throws {
        #expect(try records("a,b,c\n,,\n\"\",\"\",x\n,\"\",").map(\.fields) == [["", "", ""], ["", "", "x"], ["", "", ""]])
        // A one-column file: a blank line is skipped, an empty quoted field is a record.
        #expect(try records("a\n1\n\n\"\"\n2\n").map(\.fields) == [["1"], [""], ["2"]])
        // A trailing comma at the end of the file is one more empty field.
        #expect(try records("a,b\n1,").map(\.fields) == [["1", ""]])
    }

    @Test func unicodeTextAndSpacesAreKept() throws {
        #expect(try records("t,n\n Алматы қаласы ,\"  ұлт \"\n").map(\.fields) == [[" Алматы қаласы ", "  ұлт "]])
    }

    @Test func noHeaderMode() throws {
        let r = try CSVReader(text: "1,2\n3,4\n", options: CSVOptions(header: false))
        #expect(r.header.isEmpty && r.width == 2)
        #expect(try r.records().map(\.fields) == [["1", "2"], ["3", "4"]])
    }

    // MARK: strict errors, each with its line and column

    @Test func strayQuoteNamesLineAndColumn() {
        let e = error("a,b\n1,2\n3,x\"y\n")
        #expect(e?.reason == .strayQuote && e?.line == 3 && e?.column == 2 && e?.columnName == "b")
        #expect(e?.description.hasPrefix("t.csv, line 3, column 2 (b): a quote inside an unquoted field") == true)
        // Lines count the newlines inside quoted fields.
        let f = error("a,b\n\"multi\nline\",ok\n5,6\"\n")
        #expect(f?.reason == .strayQuote && f?.line == 4 && f?.column == 2)
    }

    @Test func textAfterClosingQuote() {
        let e = error("a,b,c\n1,\"two\"x,3\n")
        #expect(e?.reason == .textAfterClosingQuote && e?.line == 2 && e?.column == 2 && e?.columnName == "b")
        let f = error("a,b\n\"x\ny\" ,2\n")
        #expect(f?.reason == .textAfterClosingQuote && f?.line == 3 && f?.column == 1)
    }

    @Test func unterminatedQuoteNamesTheLineItOpens() {
        let e = error("a,b\n1,2\n3,\"oops\nmore\n")
        #expect(e?.reason == .unterminatedQuote && e?.line == 3 && e?.column == 2 && e?.columnName == "b")
        // Even when lenient.
        #expect(error("a\n\"open\n", CSVOptions(strict: false))?.reason == .unterminatedQuote)
    }

    @Test func fieldCountDiffersFromTheHeader() {
        let few = error("a,b,c\n1,2,3\n4,5\n")
        #expect(few?.reason == .fieldCount(expected: 3, found: 2) && few?.line == 3 && few?.column == 3 && few?.columnName == "c")
        #expect(few?.description == "t.csv, line 3, column 3 (c): has 2 fields but the header has 3")
        let many = error("a,b\n1,2\n\"x\ny\",2,3\n")
        #expect(many?.reason == .fieldCount(expected: 2, found: 3) && many?.line == 3 && many?.column == 3 && many?.columnName == nil)
        // Without a header the first record sets the width.
        #expect(error("1,2\n3\n", CSVOptions(header: false))?.reason == .fieldCount(expected: 2, found: 1))
    }

    @Test func invalidUTF8NamesTheLineOfTheBadByte() throws {
        var bytes = Array("a,b\n1,\"ok\nstill ok\"\n2,x".utf8)
        bytes += [0xC3, 0x28]  // 0xC3 must be followed by a continuation byte
        bytes += Array("\n".utf8)
        do {
            _ = try CSVReader(data: Data(bytes), file: "u.csv").records()
            Issue.record("accepted invalid UTF-8")
        } catch let e as CSVError {
            #expect(e.reason == .invalidUTF8 && e.line == 4 && e.column == 2 && e.columnName == "b")
        }
        // Overlong and surrogate encodings are refused too; valid 2-, 3- and 4-byte sequences pass.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            #expect(throws: CSVError.self) { try CSVReader(data: Data(Array("a\n".utf8) + bad), file: "u.csv").records() }
        }
        #expect(try records("a\né€😀\n").map(\.fields) == [["é€😀"]])
        // Lenient: replaced in strings.
        let lenient = try CSVReader(data: Data(Array("a\nx".utf8) + [0xFF]), options: CSVOptions(strict: false)).records()
        #expect(lenient.map(\.fields) == [["x\u{FFFD}"]])
    }

    @Test func bareCarriageReturnDuplicateColumnsAndEmptyFiles() {
        let cr = error("a,b\n1,2\r3,4\n")
        #expect(cr?.reason == .bareCarriageReturn && cr?.line == 2 && cr?.column == 2)
        let dup = error("a,b,a\n1,2,3\n")
        #expect(dup?.reason == .duplicateColumn && dup?.line == 1 && dup?.column == 3 && dup?.columnName == "a")
        #expect(error("x,,\n1,2,3\n") == nil)  // empty names may repeat
        #expect(error("")?.reason == .noHeader)
        #expect(error("\n\r\n")?.reason == .noHeader)
        #expect(throws: CSVError.self) { try CSVReader(path: "/nonexistent/aqyl.csv") }
    }

    @Test func lenientModeKeepsWhatStrictRefuses() throws {
        let r = try records("a,b\n1,x\"y\n\"q\"z,2\n3\n", CSVOptions(strict: false))
        #expect(r.map(\.fields) == [["1", "x\"y"], ["\"q\"z", "2"], ["3"]])
    }

    @Test func raggedRecordsCanBeReportedAndSkipped() throws {
        let r = try CSVReader(text: "a,b\n1,2\n3\n4,5\n6,7,8\n", file: "t.csv")
        var bad: [CSVError] = []
        let recs = try r.records(onRaggedRecord: { bad.append($0) })
        #expect(recs.map(\.fields) == [["1", "2"], ["4", "5"]])
        #expect(bad.map(\.line) == [3, 5])
        #expect(bad[0].message == "has 1 fields but the header has 2")
        // Syntax errors are never skipped.
        #expect(throws: CSVError.self) { try CSVReader(text: "a,b\n1,\"2\n").records(onRaggedRecord: { _ in }) }
    }

    @Test func columnLookup() throws {
        let r = try CSVReader(text: "Code,Name_KAZ,x\n")
        #expect(r.column("te", "code") == 0)
        #expect(r.column("name_kaz") == 1)
        #expect(r.index(of: "x") == 2 && r.index(of: "X") == nil)
        #expect(try r.records().isEmpty)
    }

    // MARK: the zero-copy visitor

    @Test func visitorEqualsTheRecordAPI() throws {
        let text = Self.randomCSV(seed: 5, rows: 400)
        let r = try CSVReader(text: text, file: "r.csv")
        let recs = try r.records()
        var seen: [CSVRecord] = []
        try r.forEachRow { row in
            seen.append(CSVRecord(line: row.line, fields: (0..<row.count).map { row.string($0) }))
            for i in 0..<row.count {
                let f = row.field(i)
                let raw = r.withBytes { String(decoding: UnsafeBufferPointer(rebasing: $0[f.range]), as: UTF8.self) }
                #expect(f.hasDoubledQuotes == raw.contains("\"\""))
                #expect((f.hasDoubledQuotes ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw) == row.string(i))
                #expect(row.isEmpty(i) == row.string(i).isEmpty)
                if f.hasDoubledQuotes { #expect(f.isQuoted) }
            }
        }
        #expect(seen == recs)
        #expect(recs.count == 400)
    }

    @Test func visitorFieldHelpers() throws {
        let r = try CSVReader(text: "a,b,c,d\n 12.5 ,\"x\"\"y\",\"7\",\tNA\n")
        try r.forEachRow { row in
            #expect(row.double(0) == 12.5)
            #expect(row.double(1) == nil)
            #expect(row.double(2) == 7 && row.isQuoted(2))
            #expect(row.double(3) == nil)
            #expect(Array(row.bytes(3, trimmed: true)) == Array("NA".utf8))
            #expect(Array("x\"y".utf8).withUnsafeBufferPointer { row.equals(1, $0) })
            #expect(Array("NA".utf8).withUnsafeBufferPointer { row.equals(3, $0, trimmed: true) && !row.equals(3, $0) })
            #expect(row.offset == 8 && row.line == 2)
        }
    }

    @Test func numbersMatchSwiftsDoubleParsing() {
        var cases = ["0", "-0", "+5", "5.", ".5", "-.5", "007", "1.25", "-3.14159", "123456789012345", "1234567890123456",
                     "12345678901234567890", "0.1", "0.30000000000000004", "1e5", "-2.5E-3", "nan", "inf", "-inf", "0x1p3",
                     "1,5", "", " ", " 42 ", "\t-1\t", "1 2", "--1", "+-1", "1.2.3", "abc", "NA", ".", "-", "1e", "9007199254740993",
                     "0.000000000000000000001", "0.0000000000000000000001", "99999999999999.9", "4.9e-324", "1.7976931348623157e308"]
        var g = SplitMix64(seed: 11)
        for _ in 0..<3000 {
            let intPart = g.next() % 1_000_000_000, frac = g.next() % 1_000_000, digits = Int(g.next() % 7)
            let f = String(frac).padding(toLength: digits, withPad: "0", startingAt: 0)
            cases.append((g.next() % 2 == 0 ? "-" : "") + String(intPart) + (digits > 0 ? "." + f : ""))
        }
        for s in cases {
            let trimmed = s.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            let want = trimmed.isEmpty ? nil : Double(trimmed)
            let got = CSVNumber.double(s)
            #expect(got?.bitPattern == want?.bitPattern || (got?.isNaN == true && want?.isNaN == true), "'\(s)': \(String(describing: got)) vs \(String(describing: want))")
        }
    }

    // MARK: slices

    @Test func slicesParseExactlyLikeSequentialReading() throws {
        for seed in 0..<6 as Range<UInt64> {
            let text = Self.randomCSV(seed: seed, rows: 300 + Int(seed) * 50, crlf: seed % 2 == 1)
            let r = try CSVReader(text: text, file: "s.csv")
            let sequential = try r.records()
            for n in [1, 2, 3, 5, 8, 64] {
                let slices = r.slices(n)
                #expect(slices.count <= n)
                #expect(slices.first?.range.lowerBound == r.body.range.lowerBound)
                #expect(slices.last?.range.upperBound == r.body.range.upperBound)
                for (a, b) in zip(slices, slices.dropFirst()) { #expect(a.range.upperBound == b.range.lowerBound) }
                let box = Slots<[CSVRecord]>(count: slices.count)
                DispatchQueue.concurrentPerform(iterations: slices.count) { k in
                    var out: [CSVRecord] = []
                    try? r.forEachRow(in: slices[k]) { out.append(CSVRecord(line: $0.line, fields: $0.strings)) }
                    box.set(k, out)
                }
                #expect(box.values().flatMap { $0 } == sequential, "seed \(seed), \(n) slices")
            }
        }
    }

    @Test func slicesKeepGroupsTogether() throws {
        // Households of 1–4 member rows; ids sometimes quoted, text fields with newlines.
        var g = SplitMix64(seed: 3)
        var text = "household,note,age\n"
        var id = 0
        while text.utf8.count < 20_000 {
            id += 1
            for _ in 0...(g.next() % 4) {
                let note = g.next() % 5 == 0 ? "\"line one\nline \"\"two\"\"\"" : "plain"
                let hid = g.next() % 3 == 0 ? "\"H\(id)\"" : "H\(id)"
                text += "\(hid),\(note),\(g.next() % 90)\n"
                if g.next() % 17 == 0 { text += "\n" }
            }
        }
        let r = try CSVReader(text: text, file: "h.csv")
        let sequential = try r.records()
        for n in [2, 3, 7, 16] {
            let slices = r.slices(n, keepingTogether: 0)
            var perSlice: [[CSVRecord]] = []
            for s in slices {
                var out: [CSVRecord] = []
                try r.forEachRow(in: s) { out.append(CSVRecord(line: $0.line, fields: $0.strings)) }
                perSlice.append(out)
            }
            #expect(perSlice.flatMap { $0 } == sequential)
            for (a, b) in zip(perSlice, perSlice.dropFirst()) where !a.isEmpty && !b.isEmpty {
                #expect(a.last!.fields[0] != b.first!.fields[0], "a household split across slices with \(n) slices")
            }
        }
    }

    @Test func slicesReportTheSameFirstErrorAsSequentialReading() throws {
        let good = try CSVReader(text: Self.randomCSV(seed: 9, rows: 500)).records()
        var text = "id,text,value,note\n"
        for (i, rec) in good.enumerated() {
            if i == 333 { text += "333,bad\"quote,1,2\n" }
            text += CSVWriter.line(rec.fields) + "\n"
        }
        let r = try CSVReader(text: text, file: "e.csv")
        var sequentialError: CSVError?
        do { _ = try r.records() } catch { sequentialError = error as? CSVError }
        #expect(sequentialError?.reason == .strayQuote && sequentialError?.column == 2)
        for n in [2, 4, 9, 40] {
            var first: CSVError?
            for s in r.slices(n) {
                do { try r.forEachRow(in: s) { _ in } } catch { first = error as? CSVError; break }
            }
            #expect(first == sequentialError, "\(n) slices")
        }
    }

    // MARK: writer

    @Test func writerRoundTrips() throws {
        let fields = ["plain", "with, comma", "say \"hi\"", "two\nlines", "cr\r\nlf", "", " spaced "]
        let text = "h1,h2,h3,h4,h5,h6,h7\n" + CSVWriter.line(fields) + "\n"
        #expect(try records(text).first?.fields == fields)
        #expect(CSVWriter.escape("plain") == "plain")
        #expect(CSVWriter.escape("a\"b") == "\"a\"\"b\"")
    }

    @Test func largeFileFromDiskMatchesText() throws {
        let text = Self.randomCSV(seed: 21, rows: 5000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kit-csv-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try CSVReader(path: path)
        #expect(fromFile.file == path)
        #expect(try fromFile.records() == (try CSVReader(text: text).records()))
    }

    /// Random RFC 4180 text: quoted fields with commas, doubled quotes, LF and CRLF inside; empty fields; Cyrillic.
    static func randomCSV(seed: UInt64, rows: Int, crlf: Bool = false) -> String {
        var g = SplitMix64(seed: seed)
        let eol = crlf ? "\r\n" : "\n"
        let pieces = ["a", "Ақыл", "1.5", "x y", "", "-3", "Нұр-Сұлтан", "42"]
        var out = "id,text,value,note" + eol
        for r in 0..<rows {
            var fields = [String(r)]
            for _ in 0..<3 {
                var s = ""
                for _ in 0..<(g.next() % 4) { s += pieces[Int(g.next() % UInt64(pieces.count))] }
                switch g.next() % 6 {
                case 0: s += ", comma"
                case 1: s += " \"quoted\" "
                case 2: s += "\nnew line"
                case 3: s += "\r\nCRLF inside"
                default: break
                }
                fields.append(s)
            }
            out += CSVWriter.line(fields) + eol
            if g.next() % 29 == 0 { out += eol }
        }
        return out
    }
}
