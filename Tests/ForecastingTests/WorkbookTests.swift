import Foundation
import Testing
@testable import Forecasting

@Suite struct WorkbookTests {
    func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    @Test func inflatesFixedDynamicAndStoredBlocks() throws {
        // Raw DEFLATE made with zlib (wbits −15): a fixed-Huffman block, a dynamic one (2,137 bytes of words),
        // and a stored block.
        let fixed = try Inflate.decompress(hex("4b2caccc5148841369f945a9c989c5259979e9c86c00"))
        #expect(String(decoding: fixed, as: UTF8.self) == "aqyl aqyl aqyl forecasting forecasting")
        let dynamic = try Inflate.decompress(hex(dynamicBlock))
        #expect(dynamic.count == 2_137)
        #expect(CRC32.checksum(dynamic) == 2_919_322_485)
        #expect(String(decoding: dynamic.prefix(28), as: UTF8.self) == "theft report police burglary")
        #expect(try Inflate.decompress(hex("010300fcff78797a")) == Array("xyz".utf8))
        #expect(throws: Inflate.Failure.self) { try Inflate.decompress(hex("4b2caccc51")) }   // cut short
    }

    /// A stored (uncompressed) ZIP built here: local headers, central directory, end record.
    func zip(_ files: [(String, String)]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
        var out: [UInt8] = [], central: [UInt8] = []
        for (name, text) in files {
            let data = Array(text.utf8), n = Array(name.utf8), crc = Int(CRC32.checksum(data))
            let offset = out.count
            out += u32(0x0403_4B50) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc) + u32(data.count) + u32(data.count)
                + u16(n.count) + u16(0) + n + data
            central += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc) + u32(data.count)
                + u32(data.count) + u16(n.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(offset) + n
        }
        let cdOffset = out.count
        out += central
        out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(files.count) + u16(files.count) + u32(central.count) + u32(cdOffset) + u16(0)
        return out
    }

    @Test func readsSheetCellsWithSharedStrings() throws {
        let book = zip([
            ("xl/workbook.xml", #"<workbook><sheets><sheet name="R1" sheetId="61" r:id="rId1"/><sheet name="R2" sheetId="2" r:id="rId2"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x" Target="worksheets/sheet2.xml"/></Relationships>"#),
            ("xl/sharedStrings.xml", #"<sst><si><t>Кража (ст.188)</t></si><si><r><t>из </t></r><r><t xml:space="preserve">квартир &amp; домов</t></r></si></sst>"#),
            ("xl/worksheets/sheet1.xml", #"<worksheet><sheetData><row r="7"><c r="C7" t="s"><v>0</v></c><c r="D7"><v>109</v></c><c r="E7"><v>6284</v></c><c r="F7" t="inlineStr"><is><t>5688</t></is></c><c r="G7" s="3"/></row><row r="8"><c r="C8" t="s"><v>1</v></c></row></sheetData></worksheet>"#),
        ])
        let wb = try XLSXWorkbook(bytes: book, file: "test.xlsx")
        #expect(wb.sheets.map(\.name) == ["R1", "R2"])
        let cells = try wb.cells(sheet: "R1")
        #expect(cells["C7"] == "Кража (ст.188)" && cells["D7"] == "109" && cells["E7"] == "6284" && cells["F7"] == "5688")
        #expect(cells["C8"] == "из квартир & домов")
        #expect(cells["G7"] == nil)
        #expect(throws: WorkbookError.self) { try wb.cells(sheet: "R9") }
        #expect(throws: WorkbookError.self) { try wb.cells(sheet: "R2") }             // its part is missing
        var broken = book
        broken[50] ^= 0xFF                                                              // inside the first entry's data
        #expect(throws: WorkbookError.self) { _ = try XLSXWorkbook(bytes: broken, file: "broken.xlsx") }
        #expect(throws: WorkbookError.self) { _ = try XLSXWorkbook(bytes: Array("not a zip".utf8), file: "x.xlsx") }
    }

    @Test func articleNumbersFromLabels() {
        #expect(RegionalStatistics.articleNumber("Кража (ст.188)") == "188")
        #expect(RegionalStatistics.articleNumber("Скотокрадство (ст.188-1)") == "188-1")
        #expect(RegionalStatistics.articleNumber("Подмена ребенка (ст.136.)") == "136")
        #expect(RegionalStatistics.articleNumber("из квартир") == nil)
    }

    @Test func form1MWorkbook() throws {
        let dir = sharedData + "/crime/kz_form1M_by_region"
        guard FileManager.default.fileExists(atPath: "\(dir)/Astana.XLSX") else { print("skipping: \(dir) not present"); return }
        let s = try RegionalSchema.load(path: repositoryRoot.appendingPathComponent("schemas/forecast-kz-form1m.json").path)
        let astana = try RegionalStatistics.readWorkbook(path: "\(dir)/Astana.XLSX", schema: s)
        #expect(astana.rejections.isEmpty)
        func count(_ article: String, _ measure: String) -> Int? {
            astana.counts.first { $0.article == article && $0.measure == measure }?.count
        }
        #expect(count("ALL", "in_proceedings") == 20_313)          // the combined CSV's value for Astana
        #expect(count("ALL", "registered") == 17_144)
        #expect(count("188", "in_proceedings") == 6_284)
        #expect(astana.counts.first { $0.article.hasPrefix("188 (") && $0.category == "burglary" }?.partOf == "188")
        // West Kazakhstan: the workbook's own total, not the combined CSV's copy of Zhetysu's.
        let wk = try RegionalStatistics.readWorkbook(path: "\(dir)/West-Kazakhstan Region.XLSX", schema: s)
        #expect(wk.counts.first { $0.article == "ALL" && $0.measure == "in_proceedings" }?.count == 6_927)
    }
}

let dynamicBlock = "855551b2c32008bc4aaed62636759a8919e3fbe8eddf0c02b2a8d39f2422cab22ca4bcc3ab2c395c2997e54a475cc3f2fccbfbf1c8df650dc7217b5b38ef58becb16ef92e3aa675e2987f571ebfa9dca7da5e6bfe7b8c9c58582150eb9c774aa1b7bf04bac9f90cf70b4988aacded1dbf93c9fe3180a49dc15b39e73e009342c04113bf2cd1887576874f421b70a4462e9b6f8d7442b0481ef59a15d367a022838c5e21d36a1438d426e7a2ba42f59b4e25372863f5a0f02f532a975979b5c25d99d82d2430fea47a74431a80772cba92a56480c6bd6d5039310ebb0c236f75ef44365f5b961238a5fbd82a3da7ad0b72f829c2240eda16e98b26b40af2d5f78769b00b6947aadf0cb08da2634208e50779437aec75b1e7057f6261bf9a8ba671eb009ec04e404987f985e4e2e5d2828093633cc49cc01cb36585974ad637e6879dac3bd6871c29821d1c6d46c26f1e5538537fc7e12f841895d3d1e1f6ec81ab81d0b90a0251079406843f4fedc4cce6365596f5430af9cbcddafcfff66b10ff167009dd7d4000af6859bf5a363d58a4f8de4f30f"
