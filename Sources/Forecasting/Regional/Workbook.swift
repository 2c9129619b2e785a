import Foundation

// Just enough of ZIP (PKWARE APPNOTE 6.3: local and central headers, stored and deflated entries, CRC-32),
// DEFLATE (RFC 1951) and SpreadsheetML (ECMA-376 Part 1 §18: workbook, relationships, shared strings, sheet
// cells) to read the values of an .xlsx worksheet. Generic, no domain words: it belongs in the platform kit.

public struct WorkbookError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// Raw DEFLATE decompression (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
enum Inflate {
    struct Failure: Error { var message: String }

    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws(Failure) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var left = 1
            for len in 1...15 {
                left <<= 1
                left -= counts[len]
                if left < 0 { throw Failure(message: "over-subscribed Huffman code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offsets[len + 1] = offsets[len] + counts[len] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (sym, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = sym
                offsets[l] += 1
            }
        }
    }

    private struct Bits {
        let input: [UInt8]
        var pos = 0
        var buffer: UInt64 = 0
        var count = 0

        init(_ input: [UInt8]) { self.input = input }

        @inline(__always)
        mutating func need(_ n: Int) throws(Failure) {
            while count < n {
                guard pos < input.count else { throw Failure(message: "the compressed data ends early") }
                buffer |= UInt64(input[pos]) << UInt64(count)
                pos += 1
                count += 8
            }
        }

        @inline(__always)
        mutating func bits(_ n: Int) throws(Failure) -> Int {
            if n == 0 { return 0 }
            try need(n)
            let v = Int(buffer & ((1 << UInt64(n)) - 1))
            buffer >>= UInt64(n)
            count -= n
            return v
        }

        mutating func decode(_ h: Huffman) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for len in 1...15 {
                code |= try bits(1)
                let c = h.counts[len]
                if code - first < c { return h.symbols[index + code - first] }
                index += c
                first += c
                first <<= 1
                code <<= 1
            }
            throw Failure(message: "invalid Huffman code")
        }

        mutating func alignToByte() {
            let drop = count % 8
            buffer >>= UInt64(drop)
            count -= drop
        }
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                                       4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static func decompress(_ input: [UInt8], expectedSize: Int = 0) throws(Failure) -> [UInt8] {
        var s = Bits(input)
        var out = [UInt8]()
        out.reserveCapacity(max(expectedSize, input.count * 3))
        let fixedLit: Huffman = try Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
        let fixedDist: Huffman = try Huffman(lengths: [Int](repeating: 5, count: 30))
        var last = false
        repeat {
            last = try s.bits(1) == 1
            switch try s.bits(2) {
            case 0:
                s.alignToByte()
                let len = try s.bits(16), nlen = try s.bits(16)
                guard len == (~nlen & 0xFFFF) else { throw Failure(message: "stored block length check failed") }
                for _ in 0..<len { out.append(UInt8(try s.bits(8))) }
            case 1:
                try codes(&s, &out, fixedLit, fixedDist)
            case 2:
                let nlen = try s.bits(5) + 257, ndist = try s.bits(5) + 1, ncode = try s.bits(4) + 4
                guard nlen <= 286, ndist <= 30 else { throw Failure(message: "bad dynamic block header") }
                var lengths = [Int](repeating: 0, count: 19)
                for k in 0..<ncode { lengths[codeLengthOrder[k]] = try s.bits(3) }
                let lencode = try Huffman(lengths: lengths)
                var all = [Int]()
                while all.count < nlen + ndist {
                    let sym = try s.decode(lencode)
                    switch sym {
                    case 0..<16: all.append(sym)
                    case 16:
                        guard let prev = all.last else { throw Failure(message: "repeat with no previous length") }
                        for _ in 0..<(3 + (try s.bits(2))) { all.append(prev) }
                    case 17: for _ in 0..<(3 + (try s.bits(3))) { all.append(0) }
                    default: for _ in 0..<(11 + (try s.bits(7))) { all.append(0) }
                    }
                }
                guard all.count == nlen + ndist, all[256] != 0 else { throw Failure(message: "bad code lengths") }
                try codes(&s, &out, try Huffman(lengths: Array(all[0..<nlen])), try Huffman(lengths: Array(all[nlen...])))
            default:
                throw Failure(message: "invalid block type")
            }
        } while !last
        return out
    }

    private static func codes(_ s: inout Bits, _ out: inout [UInt8], _ lit: Huffman, _ dist: Huffman) throws(Failure) {
        while true {
            let sym = try s.decode(lit)
            if sym < 256 { out.append(UInt8(sym)); continue }
            if sym == 256 { return }
            let li = sym - 257
            guard li < 29 else { throw Failure(message: "invalid length symbol") }
            let length = lengthBase[li] + (try s.bits(lengthExtra[li]))
            let di = try s.decode(dist)
            guard di < 30 else { throw Failure(message: "invalid distance symbol") }
            let distance = distanceBase[di] + (try s.bits(distanceExtra[di]))
            guard distance <= out.count else { throw Failure(message: "distance too far back") }
            let start = out.count - distance
            for k in 0..<length { out.append(out[start + k]) }
        }
    }
}

enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// The entries of a ZIP archive (no ZIP64, no encryption).
struct ZipArchive {
    struct Entry {
        var name: String
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localOffset: Int
    }

    let bytes: [UInt8]
    let file: String
    let entries: [String: Entry]

    init(bytes: [UInt8], file: String) throws(WorkbookError) {
        self.bytes = bytes
        self.file = file
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 22 else { throw WorkbookError(file: file, message: "not a ZIP archive (too short)") }
        var eocd = -1
        var k = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while k >= lowest {
            if bytes[k] == 0x50 && bytes[k + 1] == 0x4B && bytes[k + 2] == 0x05 && bytes[k + 3] == 0x06 { eocd = k; break }
            k -= 1
        }
        guard eocd >= 0 else { throw WorkbookError(file: file, message: "not a ZIP archive (no end of central directory)") }
        let count = u16(eocd + 10)
        var p = u32(eocd + 16)
        var entries: [String: Entry] = [:]
        for _ in 0..<count {
            guard p + 46 <= bytes.count, u32(p) == 0x0201_4B50 else { throw WorkbookError(file: file, message: "bad central directory") }
            let nameLength = u16(p + 28), extra = u16(p + 30), comment = u16(p + 32)
            guard p + 46 + nameLength <= bytes.count else { throw WorkbookError(file: file, message: "bad central directory") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            let e = Entry(name: name, method: u16(p + 10), crc: UInt32(u32(p + 16)), compressedSize: u32(p + 20), size: u32(p + 24),
                          localOffset: u32(p + 42))
            if e.compressedSize == 0xFFFF_FFFF || e.size == 0xFFFF_FFFF { throw WorkbookError(file: file, message: "ZIP64 is not supported") }
            entries[name] = e
            p += 46 + nameLength + extra + comment
        }
        self.entries = entries
    }

    /// The uncompressed bytes of an entry (CRC-checked), nil when absent.
    func data(_ name: String) throws(WorkbookError) -> [UInt8]? {
        guard let e = entries[name] else { return nil }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        let p = e.localOffset
        guard p + 30 <= bytes.count, u16(p) == 0x4B50, u16(p + 2) == 0x0403 else {
            throw WorkbookError(file: file, message: "\(name): bad local header")
        }
        let start = p + 30 + u16(p + 26) + u16(p + 28)
        guard start + e.compressedSize <= bytes.count else { throw WorkbookError(file: file, message: "\(name): truncated") }
        let raw = Array(bytes[start..<(start + e.compressedSize)])
        let out: [UInt8]
        switch e.method {
        case 0: out = raw
        case 8:
            do { out = try Inflate.decompress(raw, expectedSize: e.size) } catch {
                throw WorkbookError(file: file, message: "\(name): \(error.message)")
            }
        default: throw WorkbookError(file: file, message: "\(name): compression method \(e.method) is not supported")
        }
        guard out.count == e.size, CRC32.checksum(out) == e.crc else {
            throw WorkbookError(file: file, message: "\(name): size or CRC-32 does not match")
        }
        return out
    }
}

/// Cell values of an .xlsx workbook's sheets, as text (numbers as written in the file).
public struct XLSXWorkbook {
    public let file: String
    /// Sheet name → part name (e.g. "xl/worksheets/sheet1.xml"), in workbook order.
    public let sheets: [(name: String, part: String)]
    private let archive: ZipArchive
    private let sharedStrings: [String]

    public init(path: String) throws(WorkbookError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw WorkbookError(file: path, message: "cannot read the file") }
        try self.init(bytes: [UInt8](data), file: path)
    }

    public init(bytes: [UInt8], file: String) throws(WorkbookError) {
        self.file = file
        archive = try ZipArchive(bytes: bytes, file: file)
        guard let workbook = try archive.data("xl/workbook.xml") else { throw WorkbookError(file: file, message: "no xl/workbook.xml: not a workbook") }
        var targets: [String: String] = [:]
        if let rels = try archive.data("xl/_rels/workbook.xml.rels") {
            for tag in XML.elements("Relationship", in: rels) {
                if let id = tag.attributes["Id"], let target = tag.attributes["Target"] {
                    targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                }
            }
        }
        sheets = XML.elements("sheet", in: workbook).compactMap { tag in
            guard let name = tag.attributes["name"], let id = tag.attributes["r:id"], let part = targets[id] else { return nil }
            return (name, part)
        }
        if let strings = try archive.data("xl/sharedStrings.xml") {
            sharedStrings = XML.sharedStrings(strings)
        } else {
            sharedStrings = []
        }
    }

    /// Cell reference (e.g. "E7") → value text of one sheet.
    public func cells(sheet name: String) throws(WorkbookError) -> [String: String] {
        guard let part = sheets.first(where: { $0.name == name })?.part else {
            throw WorkbookError(file: file, message: "no sheet '\(name)' (sheets: \(sheets.map(\.name).joined(separator: ", ")))")
        }
        guard let xml = try archive.data(part) else { throw WorkbookError(file: file, message: "sheet part \(part) is missing") }
        return XML.cells(xml, sharedStrings: sharedStrings)
    }
}

/// A minimal scanner for the SpreadsheetML parts above (no DTDs, no namespaces beyond prefixes).
enum XML {
    struct Tag {
        var attributes: [String: String]
        /// Byte range of the content between the start and end tag (empty for a self-closing tag).
        var content: Range<Int>
    }

    /// Every `<name …>` element (not `<namex…>`), with its attributes and content range.
    static func elements(_ name: String, in b: [UInt8], from: Int = 0, to: Int? = nil) -> [Tag] {
        let n = Array(name.utf8)
        let end = to ?? b.count
        var out: [Tag] = []
        var i = from
        while i < end - n.count - 1 {
            if b[i] == 0x3C && matches(b, i + 1, n), let c = Optional(b[i + 1 + n.count]), c == 0x20 || c == 0x3E || c == 0x2F || c == 0x09 || c == 0x0A || c == 0x0D {
                var j = i + 1 + n.count
                var attrs: [String: String] = [:]
                // Attributes up to '>' or '/>'.
                while j < end && b[j] != 0x3E {
                    if b[j] == 0x2F && j + 1 < end && b[j + 1] == 0x3E { break }
                    if isNameByte(b[j]) {
                        let ks = j
                        while j < end && b[j] != 0x3D && !isSpace(b[j]) { j += 1 }
                        let key = String(decoding: b[ks..<j], as: UTF8.self)
                        while j < end && (isSpace(b[j]) || b[j] == 0x3D) { j += 1 }
                        guard j < end, b[j] == 0x22 || b[j] == 0x27 else { continue }
                        let quote = b[j]
                        j += 1
                        let vs = j
                        while j < end && b[j] != quote { j += 1 }
                        attrs[key] = unescape(b[vs..<j])
                        j += 1
                    } else {
                        j += 1
                    }
                }
                if j < end && b[j] == 0x2F {
                    out.append(Tag(attributes: attrs, content: j..<j))
                    i = j + 2
                    continue
                }
                let contentStart = j + 1
                let close = Array("</\(name)>".utf8)
                var k = contentStart
                while k <= end - close.count && !matches(b, k, close) { k += 1 }
                out.append(Tag(attributes: attrs, content: contentStart..<min(k, end)))
                i = k + close.count
                continue
            }
            i += 1
        }
        return out
    }

    static func text(_ b: [UInt8], _ r: Range<Int>) -> String { unescape(b[r]) }

    /// Shared strings: each `<si>`'s `<t>` texts concatenated (phonetic `<rPh>` runs skipped).
    static func sharedStrings(_ b: [UInt8]) -> [String] {
        elements("si", in: b).map { si in
            let phonetic = elements("rPh", in: b, from: si.content.lowerBound, to: si.content.upperBound).map(\.content)
            return elements("t", in: b, from: si.content.lowerBound, to: si.content.upperBound)
                .filter { t in !phonetic.contains { $0.lowerBound <= t.content.lowerBound && t.content.upperBound <= $0.upperBound } }
                .map { text(b, $0.content) }.joined()
        }
    }

    static func cells(_ b: [UInt8], sharedStrings: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for c in elements("c", in: b) {
            guard let ref = c.attributes["r"] else { continue }
            let type = c.attributes["t"]
            if type == "inlineStr" {
                out[ref] = elements("t", in: b, from: c.content.lowerBound, to: c.content.upperBound).map { text(b, $0.content) }.joined()
                continue
            }
            guard let v = elements("v", in: b, from: c.content.lowerBound, to: c.content.upperBound).first else { continue }
            let value = text(b, v.content)
            if type == "s" {
                if let k = Int(value), k >= 0, k < sharedStrings.count { out[ref] = sharedStrings[k] }
            } else {
                out[ref] = value
            }
        }
        return out
    }

    private static func matches(_ b: [UInt8], _ at: Int, _ n: [UInt8]) -> Bool {
        guard at + n.count <= b.count else { return false }
        for k in 0..<n.count where b[at + k] != n[k] { return false }
        return true
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    private static func isNameByte(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x3A || c == 0x5F }

    /// XML character references and the five predefined entities.
    static func unescape(_ s: ArraySlice<UInt8>) -> String {
        guard s.contains(0x26) else { return String(decoding: s, as: UTF8.self) }
        let text = String(decoding: s, as: UTF8.self)
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { out += rest[amp...]; return out }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init) }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += rest[amp...semi] }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
