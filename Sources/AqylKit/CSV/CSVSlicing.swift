import Foundation

extension CSVReader {
    /// Splits the data records into up to `count` slices of about equal size, each cut at a record boundary, for
    /// parsing on several threads with `forEachRow(in:)`; their records, in order, are exactly `forEachRow`'s.
    ///
    /// The cuts come from a quote-parity scan (in parallel: quotes and line feeds counted per part, then each cut
    /// moved to the first line feed outside quotes), which is exact for files that strict reading accepts; on a
    /// malformed file the first slice holding an error reports the same first error as sequential reading.
    /// With `strict: false` the file is not split (one slice).
    /// - Parameter column: when given, records with equal bytes in this column that follow each other stay in one
    ///   slice (the rows of one household, say).
    public func slices(_ count: Int, keepingTogether column: Int? = nil) -> [CSVSlice] {
        let whole = body
        let lo = whole.range.lowerBound, n = whole.range.upperBound
        let parts = max(1, min(count, n - lo))
        guard options.strict, parts > 1 else { return [whole] }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [CSVSlice] in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let targets = (0...parts).map { lo + (n - lo) * $0 / parts }
            // 1. Quotes and line feeds per part, in parallel.
            let counts = Slots<(quotes: Int, lines: Int)>(count: parts)
            let shared = UncheckedBox(value: base)
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                counts.set(k, Self.countQuotesAndLines(shared.value, targets[k], targets[k + 1]))
            }
            let perPart = counts.values()
            // 2. Each cut: from the part's start (parity and line known), the first line feed outside quotes.
            var cuts: [(offset: Int, line: Int)] = [(lo, whole.line)]
            var quotes = 0, lines = whole.line
            for k in 1..<parts {
                quotes += perPart[k - 1].quotes
                lines += perPart[k - 1].lines
                var p = targets[k], line = lines
                var inside = quotes & 1 == 1
                while p < n {
                    let c = base[p]
                    p += 1
                    if c == CSVScanner.quote { inside.toggle() } else if c == CSVScanner.lf {
                        line += 1
                        if !inside { break }
                    }
                }
                var cut = (offset: p, line: line)
                if let column { cut = keepTogether(base, cut, after: cuts[k - 1].offset, column: column) }
                if cut.offset < cuts[k - 1].offset { cut = cuts[k - 1] }
                cuts.append(cut)
            }
            cuts.append((n, 0))
            return (0..<parts).map { CSVSlice(range: cuts[$0].offset..<cuts[$0 + 1].offset, line: cuts[$0].line) }
        }
    }

    /// Quotes and line feeds in `from..<to`, eight bytes at a time.
    static func countQuotesAndLines(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> (quotes: Int, lines: Int) {
        var quotes = 0, lines = 0
        var i = from
        let raw = UnsafeRawPointer(base)
        @inline(__always) func matches(_ w: UInt64, _ pattern: UInt64) -> Int {
            let x = w ^ pattern
            let nonzero = ((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x
            return (~nonzero & 0x8080_8080_8080_8080).nonzeroBitCount
        }
        while i + 8 <= to {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            quotes &+= matches(w, 0x2222_2222_2222_2222)
            lines &+= matches(w, 0x0A0A_0A0A_0A0A_0A0A)
            i += 8
        }
        while i < to {
            if base[i] == CSVScanner.quote { quotes += 1 } else if base[i] == CSVScanner.lf { lines += 1 }
            i += 1
        }
        return (quotes, lines)
    }

    /// Moves a cut forward past the records whose `column` equals that of the record before the cut.
    private func keepTogether(_ base: UnsafePointer<UInt8>, _ cut: (offset: Int, line: Int), after floor: Int, column: Int)
        -> (offset: Int, line: Int)
    {
        let n = data.count
        guard cut.offset < n, cut.offset > floor else { return cut }
        // The record before the cut: walk back from its line feed to the previous line feed outside quotes (quote
        // parity is even at the cut), skipping blank lines.
        var end = cut.offset - 1  // the line feed ending it
        var start = floor
        while true {
            var p = end - 1, inside = false
            start = floor
            while p >= floor {
                let c = base[p]
                if c == CSVScanner.quote { inside.toggle() } else if c == CSVScanner.lf && !inside { start = p + 1; break }
                p -= 1
            }
            let blank = start == end || (start + 1 == end && base[start] == CSVScanner.cr)
            if !blank || start == floor { break }
            end = start - 1
        }
        var s = CSVScanner(base: base, start: start, end: n, line: 1, strict: true)
        defer { s.deallocate() }
        guard (try? s.next()) == true, s.recordStart < cut.offset, column < s.count else { return cut }
        let keyStart = s.fields[2 * column], keyEnd = s.fields[2 * column + 1] & CSVRow.offsetMask
        let key = Array(UnsafeBufferPointer(start: base + keyStart, count: keyEnd - keyStart))
        // Records from the cut on with the same key join the slice before.
        var t = CSVScanner(base: base, start: cut.offset, end: n, line: cut.line, strict: true)
        defer { t.deallocate() }
        var result = cut
        while (try? t.next()) == true, column < t.count {
            let a = t.fields[2 * column], b = t.fields[2 * column + 1] & CSVRow.offsetMask
            guard UnsafeBufferPointer(start: base + a, count: b - a).elementsEqual(key) else { break }
            result = (t.pos, t.line)
        }
        return result
    }
}
