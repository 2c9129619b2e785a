import Testing
@testable import AqylML

@Suite struct TextCSVTests {
    @Test func parsesQuotedFieldsWithCommasQuotesAndNewlines() throws {
        let csv = "text,a\r\n\"hello, \"\"world\"\"\nsecond line\",1\nplain,0\n"
        let r = try TextCSV.parse(csv)
        #expect(r.count == 3)
        #expect(r[1].fields == ["hello, \"world\"\nsecond line", "1"])
        #expect(r[1].line == 2)
        #expect(r[2].fields == ["plain", "0"])
        #expect(r[2].line == 4)
    }

    @Test func emptyFieldsAndNoTrailingNewline() throws {
        let r = try TextCSV.parse("a,b,c\n,\"\",x")
        #expect(r.map(\.fields) == [["a", "b", "c"], ["", "", "x"]])
    }

    @Test func skipsBOMAndReportsUnterminatedQuote() throws {
        #expect(try TextCSV.parse("\u{FEFF}a,b\n1,2\n").first?.fields == ["a", "b"])
        #expect(throws: TextCSV.ParseError.unterminatedQuote(line: 2)) { try TextCSV.parse("a\n\"open\n") }
    }

    func load(_ s: String, policy: TextLabeledTable.LabelPolicy = .strictBinary) throws -> TextLabeledTable {
        try TextLabeledTable.parse(bytes: Array(s.utf8), file: "t.csv", textColumn: "text", policy: policy)
    }

    @Test func loadsLabelsAndDigest() throws {
        let t = try load("text,x,y\n\"a, b\",1,0\nc,0.0,1.0\n")
        #expect(t.texts == ["a, b", "c"])
        #expect(t.labelNames == ["x", "y"])
        #expect(t.targets == [[1, 0], [0, 1]])
        #expect(t.sha256.count == 64)
    }

    @Test func rejectsNonBinaryLabelNamingRowAndColumn() {
        #expect {
            try load("text,x,y\na,1,0\nb,0,0.7\n")
        } throws: { e in
            let e = e as! TextLabeledTable.LoadError
            return e.row == 2 && e.column == "y" && e.line == 3 && e.description.contains("'0.7'")
        }
        #expect { try load("text,x\na,yes\n") } throws: { ($0 as! TextLabeledTable.LoadError).column == "x" }
    }

    @Test func scoresPolicyAcceptsUnitInterval() throws {
        let t = try load("text,x\na,0.7\nb,0.2\n", policy: .scores(threshold: 0.5))
        #expect(t.binaryLabels() == [[true], [false]])
        #expect { try load("text,x\na,1.5\n", policy: .scores(threshold: 0.5)) } throws: { _ in true }
    }

    @Test func rejectsRaggedRowsAndMissingTextColumn() {
        #expect {
            try load("text,x\na,1\nb,1,0\n")
        } throws: { e in
            let e = e as! TextLabeledTable.LoadError
            return e.row == 2 && e.description.contains("expected 2 fields")
        }
        #expect {
            try TextLabeledTable.parse(bytes: Array("body,x\na,1\n".utf8), file: "t.csv", textColumn: "text")
        } throws: { ($0 as! TextLabeledTable.LoadError).column == "text" }
    }

    @Test func sha256KnownVectors() {
        #expect(SHA256Digest.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256Digest.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
