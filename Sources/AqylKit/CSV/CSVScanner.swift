/// The tokenizer every CSV reader of the platform shares: RFC 4180 over a byte buffer, one record per `next()`,
/// field boundaries written into a reusable buffer (no copies, no allocation per record).
struct CSVScanner {
    struct Failure: Error {
        var reason: CSVError.Reason
        var line: Int
        /// 0-based field index.
        var field: Int
    }

    static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    let base: UnsafePointer<UInt8>
    let end: Int
    let strict: Bool
    /// Next byte to read.
    var pos: Int
    /// Physical line of `pos` (1-based).
    var line: Int
    /// Start and end (with `CSVRow` flags) of each field of the current record.
    var fields: UnsafeMutablePointer<Int>
    var capacity: Int
    var count = 0
    var recordLine = 0
    var recordStart = 0

    init(base: UnsafePointer<UInt8>, start: Int, end: Int, line: Int, strict: Bool) {
        self.base = base
        self.end = end
        self.strict = strict
        self.pos = start
        self.line = line
        capacity = 64
        fields = .allocate(capacity: 2 * capacity)
    }

    func deallocate() { fields.deallocate() }

    @inline(__always)
    private mutating func append(_ start: Int, _ end: Int) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 4 * capacity)
            bigger.update(from: fields, count: 2 * capacity)
            fields.deallocate()
            fields = bigger
            capacity *= 2
        }
        fields[2 * count] = start
        fields[2 * count + 1] = end
        count += 1
    }

    /// Reads the next record (blank lines skipped); false at the end of the buffer.
    mutating func next() throws(Failure) -> Bool {
        let q = Self.quote, c44 = Self.comma, lf = Self.lf, cr = Self.cr
        var p = pos
        while p < end {
            let c = base[p]
            if c == lf { p += 1; line += 1; continue }
            if c == cr && p + 1 < end && base[p + 1] == lf { p += 2; line += 1; continue }
            break
        }
        pos = p
        if p >= end { return false }
        recordLine = line
        recordStart = p
        count = 0
        var acc: UInt8 = 0
        fieldLoop: while true {
            let fieldStart = p
            if p < end && base[p] == q {
                // Quoted field.
                let openLine = line
                p += 1
                let contentStart = p
                var doubled = false
                while true {
                    while p < end {
                        let c = base[p]
                        if c == q { break }
                        if c == lf { line += 1 }
                        acc |= c
                        p += 1
                    }
                    if p >= end { throw Failure(reason: .unterminatedQuote, line: openLine, field: count) }
                    if p + 1 < end && base[p + 1] == q { doubled = true; p += 2; continue }
                    break
                }
                let contentEnd = p
                p += 1
                if p >= end {
                    append(contentStart, contentEnd | CSVRow.quotedFlag | (doubled ? CSVRow.doubledFlag : 0))
                    break fieldLoop
                }
                let c = base[p]
                if c == c44 || c == lf || (c == cr && p + 1 < end && base[p + 1] == lf) {
                    append(contentStart, contentEnd | CSVRow.quotedFlag | (doubled ? CSVRow.doubledFlag : 0))
                    if c == c44 { p += 1; continue fieldLoop }
                    p += c == lf ? 1 : 2
                    line += 1
                    break fieldLoop
                }
                if strict { throw Failure(reason: .textAfterClosingQuote, line: line, field: count) }
                // Lenient: the field is the raw text from its opening quote to the next delimiter.
                p = try scanUnquoted(from: p, acc: &acc)
                append(fieldStart, p)
            } else {
                p = try scanUnquoted(from: p, acc: &acc)
                append(fieldStart, p)
            }
            if p >= end { break fieldLoop }
            let c = base[p]
            if c == c44 { p += 1; continue fieldLoop }
            // A line end (scanUnquoted stops only at a comma, LF, CRLF or the end).
            p += c == lf ? 1 : 2
            line += 1
            break fieldLoop
        }
        pos = p
        if strict && acc & 0x80 != 0 { try checkUTF8() }
        return true
    }

    /// Scans an unquoted field's bytes from `p`; returns the index of the comma, LF, CRLF or end that ends it.
    @inline(__always)
    private func scanUnquoted(from start: Int, acc: inout UInt8) throws(Failure) -> Int {
        let q = Self.quote, c44 = Self.comma, lf = Self.lf, cr = Self.cr
        var p = start
        var a = acc
        defer { acc = a }
        while true {
            while p < end {
                let c = base[p]
                if c <= c44 && (c == c44 || c == lf || c == cr || c == q) { break }
                a |= c
                p += 1
            }
            if p >= end { return p }
            let c = base[p]
            if c == q {
                if strict { throw Failure(reason: .strayQuote, line: line, field: count) }
                p += 1
                continue
            }
            if c == cr && !(p + 1 < end && base[p + 1] == lf) {
                if strict { throw Failure(reason: .bareCarriageReturn, line: line, field: count) }
                p += 1
                continue
            }
            return p
        }
    }

    /// Validates the current record's fields as UTF-8 (called only when a byte ≥ 0x80 was seen).
    private func checkUTF8() throws(Failure) {
        for f in 0..<count {
            let s = fields[2 * f], e = fields[2 * f + 1] & CSVRow.offsetMask
            if let bad = UTF8Check.firstInvalid(base, s, e) {
                var l = recordLine
                var i = recordStart
                while i < bad { if base[i] == Self.lf { l += 1 }; i += 1 }
                throw Failure(reason: .invalidUTF8, line: l, field: f)
            }
        }
    }
}

/// Well-formed UTF-8 (Unicode 15, table 3-7).
enum UTF8Check {
    /// Index of the first byte in `start..<end` that does not belong to a well-formed sequence, or nil.
    static func firstInvalid(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i < end {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
                i + k < end && p[i + k] >= lo && p[i + k] <= hi
            }
            switch b {
            case 0xC2...0xDF:
                guard cont(1) else { return i }
                i += 2
            case 0xE0:
                guard cont(1, 0xA0), cont(2) else { return i }
                i += 3
            case 0xE1...0xEC, 0xEE...0xEF:
                guard cont(1), cont(2) else { return i }
                i += 3
            case 0xED:
                guard cont(1, 0x80, 0x9F), cont(2) else { return i }
                i += 3
            case 0xF0:
                guard cont(1, 0x90), cont(2), cont(3) else { return i }
                i += 4
            case 0xF1...0xF3:
                guard cont(1), cont(2), cont(3) else { return i }
                i += 4
            case 0xF4:
                guard cont(1, 0x80, 0x8F), cont(2), cont(3) else { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }
}
