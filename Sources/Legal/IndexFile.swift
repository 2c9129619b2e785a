import Foundation

/// The legal index file, format version 1 (little-endian throughout):
///
///     offset 0   8 bytes  magic "AQYLLGL\0"
///            8   u32      format version (1)
///           12   u32      number of sections S
///           16   S × 24   section table: 4-byte ASCII tag, u32 0, u64 offset, u64 length
///           ...           sections, each starting on an 8-byte boundary
///
/// Sections: `META` (JSON `LegalIndexMeta`), `STRO`/`STRB` (string table: u64 offsets, UTF-8 bytes),
/// `CHNK` (per chunk 9 × u32: string ids of id, act, article, paragraph, chapter, source, text; language
/// 0 = kk, 1 = ru; edition index as i32), `VOCO`/`VOCB` (vocabulary, sorted by UTF-8 bytes), `POFF`
/// (u64 postings start per term, V+1 entries), `PDOC` (u32 chunk), `PTF_` (u16 term frequency), `DLEN`
/// (u32 terms per chunk), `DROW` (i32 dense row per chunk, -1 when the chunk has no vector), `DVEC`
/// (f32 vectors, row-major, `dim` per row).
///
/// The file is memory-mapped when read; numeric arrays are copied out in bulk and strings are decoded
/// only when a chunk is shown, so loading takes milliseconds per hundred thousand chunks.
enum IndexFile {
    static let magic: [UInt8] = Array("AQYLLGL\0".utf8)
    static let version: UInt32 = 1

    struct Writer {
        var sections: [(tag: String, bytes: [UInt8])] = []

        mutating func add(_ tag: String, _ bytes: [UInt8]) { sections.append((tag, bytes)) }

        mutating func add<T: FixedWidthInteger>(_ tag: String, ints: [T]) {
            var out = [UInt8]()
            out.reserveCapacity(ints.count * MemoryLayout<T>.size)
            for v in ints { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
            add(tag, out)
        }

        mutating func add(_ tag: String, floats: [Float]) {
            var out = [UInt8]()
            out.reserveCapacity(floats.count * 4)
            for v in floats { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            add(tag, out)
        }

        /// Adds a string table as `<p>O` (offsets) and `<p>B` (bytes).
        mutating func addStrings(_ prefix: String, _ strings: [String]) {
            var offsets: [UInt64] = [0]
            var bytes: [UInt8] = []
            for s in strings {
                bytes.append(contentsOf: s.utf8)
                offsets.append(UInt64(bytes.count))
            }
            add(prefix + "O", ints: offsets)
            add(prefix + "B", bytes)
        }

        func write(to path: String) throws {
            var header = IndexFile.magic
            func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
            func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
            u32(IndexFile.version)
            u32(UInt32(sections.count))
            var offset = UInt64(16 + 24 * sections.count)
            offset = (offset + 7) & ~7
            var placed: [UInt64] = []
            for s in sections {
                placed.append(offset)
                offset = (offset + UInt64(s.bytes.count) + 7) & ~7
            }
            for (i, s) in sections.enumerated() {
                let tag = Array(s.tag.utf8)
                precondition(tag.count == 4)
                header.append(contentsOf: tag)
                u32(0)
                u64(placed[i])
                u64(UInt64(s.bytes.count))
            }
            let tmp = path + ".partial"
            _ = FileManager.default.createFile(atPath: tmp, contents: nil)
            guard let h = FileHandle(forWritingAtPath: tmp) else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
            var written = UInt64(0)
            func put(_ b: [UInt8]) {
                h.write(Data(b))
                written += UInt64(b.count)
            }
            put(header)
            for (i, s) in sections.enumerated() {
                if written < placed[i] { put([UInt8](repeating: 0, count: Int(placed[i] - written))) }
                put(s.bytes)
            }
            try h.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        }
    }

    struct Reader: @unchecked Sendable {
        let data: Data
        let sections: [String: Range<Int>]

        struct Bad: Error, CustomStringConvertible {
            var message: String
            var description: String { message }
        }

        init(path: String) throws {
            guard FileManager.default.fileExists(atPath: path) else { throw Bad(message: "\(path): no such index file (build one with `aqyl legal index`)") }
            let d = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            guard d.count >= 16, Array(d.prefix(8)) == IndexFile.magic else { throw Bad(message: "\(path): not a legal index file (bad magic)") }
            func u32(_ at: Int) -> UInt32 { d.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) } }
            func u64(_ at: Int) -> UInt64 { d.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
            let v = u32(8)
            guard v == IndexFile.version else { throw Bad(message: "\(path): index format version \(v), this build reads version \(IndexFile.version); rebuild it") }
            let n = Int(u32(12))
            guard 16 + 24 * n <= d.count else { throw Bad(message: "\(path): truncated section table") }
            var s: [String: Range<Int>] = [:]
            for i in 0..<n {
                let base = 16 + 24 * i
                let tag = String(decoding: d[d.startIndex + base..<d.startIndex + base + 4], as: UTF8.self)
                let off = u64(base + 8), len = u64(base + 16)
                guard off + len <= UInt64(d.count) else { throw Bad(message: "\(path): section \(tag) runs past the end of the file (truncated?)") }
                s[tag] = Int(off)..<Int(off + len)
            }
            data = d
            sections = s
        }

        func bytes(_ tag: String) throws -> Data {
            guard let r = sections[tag] else { throw Bad(message: "index file lacks section \(tag)") }
            return data.subdata(in: (data.startIndex + r.lowerBound)..<(data.startIndex + r.upperBound))
        }

        func range(_ tag: String) throws -> Range<Int> {
            guard let r = sections[tag] else { throw Bad(message: "index file lacks section \(tag)") }
            return r
        }

        func ints<T: FixedWidthInteger>(_ tag: String, as: T.Type) throws -> [T] {
            let r = try range(tag)
            let n = r.count / MemoryLayout<T>.size
            return data.withUnsafeBytes { raw in
                (0..<n).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: r.lowerBound + $0 * MemoryLayout<T>.size, as: T.self)) }
            }
        }

        func floats(_ tag: String) throws -> [Float] {
            let r = try range(tag)
            let n = r.count / 4
            return data.withUnsafeBytes { raw in
                (0..<n).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: r.lowerBound + $0 * 4, as: UInt32.self))) }
            }
        }
    }
}

/// A string table read lazily from a mapped file.
struct StringTable: @unchecked Sendable {
    let data: Data
    let base: Int
    let offsets: [UInt64]

    init(reader: IndexFile.Reader, prefix: String) throws {
        data = reader.data
        offsets = try reader.ints(prefix + "O", as: UInt64.self)
        base = try reader.range(prefix + "B").lowerBound
    }

    init(strings: [String]) {
        var offsets: [UInt64] = [0]
        var bytes: [UInt8] = []
        for s in strings {
            bytes.append(contentsOf: s.utf8)
            offsets.append(UInt64(bytes.count))
        }
        data = Data(bytes)
        base = 0
        self.offsets = offsets
    }

    var count: Int { offsets.count - 1 }

    subscript(i: Int) -> String {
        let a = base + Int(offsets[i]), b = base + Int(offsets[i + 1])
        return data.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[a..<b]), as: UTF8.self) }
    }

    /// Compares entry `i` with `key` by bytes.
    func compare(_ i: Int, _ key: [UInt8]) -> Int {
        let a = base + Int(offsets[i]), b = base + Int(offsets[i + 1])
        return data.withUnsafeBytes { raw -> Int in
            let n = min(b - a, key.count)
            for k in 0..<n {
                let x = raw[a + k], y = key[k]
                if x != y { return x < y ? -1 : 1 }
            }
            return (b - a) == key.count ? 0 : ((b - a) < key.count ? -1 : 1)
        }
    }

    /// Index of `key` in a table sorted by bytes, or nil.
    func find(_ key: String) -> Int? {
        let k = Array(key.utf8)
        var lo = 0, hi = count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let c = compare(mid, k)
            if c == 0 { return mid }
            if c < 0 { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }
}
