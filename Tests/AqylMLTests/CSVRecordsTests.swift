import AqylML
import Testing

@Suite("CSV reader")
struct CSVRecordsTests {
    @Test func quotedFieldsCommasQuotesAndNewlines() throws {
        let csv = try CSVRecords(text: "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n\n3,,z")
        #expect(csv.header == ["a", "b", "c"])
        #expect(csv.records.count == 3)
        #expect(csv.records[0].fields == ["1", "x, y", "say \"hi\""])
        #expect(csv.records[1].fields == ["2", "two\nlines", ""])
        #expect(csv.records[2].line == 6)
        #expect(csv.records[2].fields == ["3", "", "z"])
        #expect(csv.column("B") == 1)
    }

    @Test func unclosedQuoteNamesTheLine() {
        #expect { try CSVRecords(text: "a,b\n1,2\n3,\"oops\n") } throws: { ($0 as? CSVRecords.ParseError)?.line == 3 }
        #expect { try CSVRecords(text: "") } throws: { $0 is CSVRecords.ParseError }
    }
}
