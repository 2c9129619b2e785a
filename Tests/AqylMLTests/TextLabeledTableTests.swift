import AqylKit
import Foundation
import Testing
@testable import AqylML

@Suite struct TextLabeledTableTests {
    func load(_ s: String, policy: TextLabeledTable.LabelPolicy = .strictBinary) throws -> TextLabeledTable {
        try TextLabeledTable.parse(bytes: Array(s.utf8), file: "t.csv", textColumn: "text", policy: policy)
    }

    @Test func parsesQuotedTextsWithCommasQuotesAndNewlines() throws {
        let t = try load("\u{FEFF}text,a\r\n\"hello, \"\"world\"\"\nsecond line\",1\nplain,0\n")
        #expect(t.texts == ["hello, \"world\"\nsecond line", "plain"])
        #expect(t.targets == [[1], [0]])
    }

    @Test func loadsLabelsAndDigest() throws {
        let text = "text,x,y\n\"a, b\",1,0\nc,0.0,1.0\n"
        let t = try load(text)
        #expect(t.texts == ["a, b", "c"])
        #expect(t.labelNames == ["x", "y"])
        #expect(t.targets == [[1, 0], [0, 1]])
        // The digest is the SHA-256 of the file's bytes, as models record it.
        #expect(t.sha256 == Hashing.sha256Hex(text))
    }

    @Test func rejectsNonBinaryLabelNamingLineAndColumn() {
        #expect {
            try load("text,x,y\na,1,0\nb,0,0.7\n")
        } throws: { e in
            let e = e as! CSVError
            return e.line == 3 && e.column == 3 && e.columnName == "y" && e.description.contains("'0.7'")
        }
        #expect { try load("text,x\na,yes\n") } throws: { ($0 as! CSVError).columnName == "x" }
    }

    @Test func scoresPolicyAcceptsUnitInterval() throws {
        let t = try load("text,x\na,0.7\nb,0.2\n", policy: .scores(threshold: 0.5))
        #expect(t.binaryLabels() == [[true], [false]])
        #expect { try load("text,x\na,1.5\n", policy: .scores(threshold: 0.5)) } throws: { ($0 as! CSVError).line == 2 }
    }

    @Test func rejectsRaggedRowsStrayQuotesAndMissingTextColumn() {
        #expect {
            try load("text,x\na,1\nb,1,0\n")
        } throws: { e in
            let e = e as! CSVError
            return e.line == 3 && e.reason == .fieldCount(expected: 2, found: 3) && e.description.contains("has 3 fields")
        }
        // A stray quote was kept literally by the old triage reader; the kit's strict reader names it.
        #expect { try load("text,x\nsay \"hi\",1\n") } throws: { ($0 as! CSVError).reason == .strayQuote }
        #expect { try load("text,x\n\"open,1\n") } throws: { ($0 as! CSVError).reason == .unterminatedQuote }
        #expect {
            try TextLabeledTable.parse(bytes: Array("body,x\na,1\n".utf8), file: "t.csv", textColumn: "text")
        } throws: { ($0 as! CSVError).columnName == "text" }
        #expect { try load("text,x,x\na,1,0\n") } throws: { ($0 as! CSVError).reason == .duplicateColumn }
        #expect { try load("text,x\n") } throws: { ($0 as! CSVError).message == "no data rows" }
    }
}
