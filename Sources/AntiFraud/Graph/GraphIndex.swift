import AqylKit
import AqylML
import Foundation

/// Adjacency of a transaction graph, built once in O(transfers): each account's outgoing and incoming transfers in
/// time order (compressed sparse rows), and its distinct counterparties (sorted, self-transfers left out).
public struct GraphIndex: Sendable {
    public let accountCount: Int
    /// `outTransfers[outStart[a]..<outStart[a + 1]]`: transfers sent by account `a`, by time (then feed order).
    public let outStart: [Int]
    public let outTransfers: [Int32]
    /// `inTransfers[inStart[a]..<inStart[a + 1]]`: transfers received by account `a`, by time (then feed order).
    public let inStart: [Int]
    public let inTransfers: [Int32]
    /// Distinct receivers of each account, ascending (the simple directed graph, without self-loops).
    public let succStart: [Int]
    public let succ: [Int32]
    /// Distinct senders of each account, ascending.
    public let predStart: [Int]
    public let pred: [Int32]
    /// Earliest transfer time of each account (sent or received); NaN for an account without transfers.
    public let firstSeen: [Double]
    /// Seconds it took to build.
    public let buildSeconds: Double

    public init(_ g: TransactionGraph, threads: Int = defaultThreadCount()) {
        let t0 = monotonicSeconds()
        let n = g.accountCount, m = g.transferCount
        accountCount = n
        // Transfers in time order (stable); skip the sort when the feed already is in order.
        var order = [Int32](unsafeUninitializedCapacity: m) { b, c in
            for j in 0..<m { b[j] = Int32(j) }
            c = m
        }
        var sorted = true
        for j in 1..<max(m, 1) where g.time[j] < g.time[j - 1] { sorted = false; break }
        if !sorted {
            let time = g.time
            order.sort { time[Int($0)] < time[Int($1)] || (time[Int($0)] == time[Int($1)] && $0 < $1) }
        }
        func csr(_ key: [Int32]) -> ([Int], [Int32]) {
            var start = [Int](repeating: 0, count: n + 1)
            for j in 0..<m { start[Int(key[j]) + 1] += 1 }
            for a in 0..<n { start[a + 1] += start[a] }
            var fill = start
            var out = [Int32](repeating: 0, count: m)
            for j in order {
                let a = Int(key[Int(j)])
                out[fill[a]] = j
                fill[a] += 1
            }
            return (start, out)
        }
        (outStart, outTransfers) = csr(g.source)
        (inStart, inTransfers) = csr(g.target)
        func distinct(_ start: [Int], _ edges: [Int32], _ other: [Int32]) -> ([Int], [Int32]) {
            let chunk = 16384
            let chunks = (n + chunk - 1) / chunk
            let slots = Slots<([Int32], [Int])>(count: chunks)
            parallelFor(chunks, threads: threads) { c in
                var list: [Int32] = [], counts: [Int] = []
                var buf: [Int32] = []
                for a in (c * chunk)..<min(n, (c + 1) * chunk) {
                    buf.removeAll(keepingCapacity: true)
                    for k in start[a]..<start[a + 1] {
                        let b = other[Int(edges[k])]
                        if Int(b) != a { buf.append(b) }
                    }
                    buf.sort()
                    var cnt = 0
                    var last: Int32 = -1
                    for b in buf where b != last { list.append(b); last = b; cnt += 1 }
                    counts.append(cnt)
                }
                slots.set(c, (list, counts))
            }
            var s = [Int](repeating: 0, count: n + 1)
            var all: [Int32] = []
            var a = 0
            for (list, counts) in slots.values() {
                all += list
                for cnt in counts { s[a + 1] = s[a] + cnt; a += 1 }
            }
            return (s, all)
        }
        (succStart, succ) = distinct(outStart, outTransfers, g.target)
        (predStart, pred) = distinct(inStart, inTransfers, g.source)
        var first = [Double](repeating: .nan, count: n)
        for j in 0..<m {
            let t = g.time[j]
            let s = Int(g.source[j]), d = Int(g.target[j])
            if !(first[s] <= t) { first[s] = t }
            if !(first[d] <= t) { first[d] = t }
        }
        firstSeen = first
        buildSeconds = monotonicSeconds() - t0
    }

    @inline(__always) public func outgoing(_ a: Int) -> ArraySlice<Int32> { outTransfers[outStart[a]..<outStart[a + 1]] }
    @inline(__always) public func incoming(_ a: Int) -> ArraySlice<Int32> { inTransfers[inStart[a]..<inStart[a + 1]] }
    @inline(__always) public func receivers(_ a: Int) -> ArraySlice<Int32> { succ[succStart[a]..<succStart[a + 1]] }
    @inline(__always) public func senders(_ a: Int) -> ArraySlice<Int32> { pred[predStart[a]..<predStart[a + 1]] }

    /// Approximate bytes held.
    public var memoryBytes: Int {
        (outStart.capacity + inStart.capacity + succStart.capacity + predStart.capacity) * 8
            + (outTransfers.capacity + inTransfers.capacity + succ.capacity + pred.capacity) * 4 + firstSeen.capacity * 8
    }
}
