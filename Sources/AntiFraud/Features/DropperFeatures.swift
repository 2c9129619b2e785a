import AqylKit
import AqylML
import Foundation

/// Settings of the dropper features, stored in every model so that scoring computes exactly what training did.
public struct DropperFeatureConfig: Sendable, Codable, Equatable {
    public var version = 1
    /// Pass-through windows: money out within this many hours of money in.
    public var passThroughHours: [Double] = [24, 72, 168]
    /// Window of the burst features (distinct senders/receivers in a short span) and of forward matching.
    public var burstHours: Double = 72
    /// Window of the busiest-period share.
    public var peakWindowDays: Double = 7
    /// A counterparty younger than this (days since opening, or since its first transfer in the feed) counts as young.
    public var youngAccountDays: Double = 30
    /// A transfer under this fraction of the feed's median transfer counts as small.
    public var smallAmountFraction: Double = 0.1
    /// An outgoing transfer "forwards" an incoming one when it is this share of it (a dropper keeps a cut).
    public var forwardMatchLow: Double = 0.8
    public var forwardMatchHigh: Double = 1.0
    /// Holding times above this many hours count as this many.
    public var holdingCapHours: Double = 720
    /// Scatter-gather membership looks at up to this many senders × receivers of a hub.
    public var memberCap = 64
    /// Two-hop lists longer than this are not expanded (the two-hop features of that account are missing).
    public var twoHopCap = 50_000
    /// Look-back cap (transfers) of the window scans.
    public var windowScanCap = 512

    public init() {}
}

/// Feed-level facts the features are measured against.
public struct GraphScale: Sendable, Codable, Equatable {
    /// Median transfer amount: every amount feature is in multiples of it, so models carry across currencies.
    public var medianAmount: Double
    public var start: Double
    public var end: Double

    public init(_ g: TransactionGraph) {
        let m = g.transferCount
        if m == 0 { medianAmount = 1; start = 0; end = 0; return }
        let stride = max(1, m / (1 << 20))
        var sample: [Double] = []
        sample.reserveCapacity(m / stride + 1)
        var j = 0
        while j < m { sample.append(g.amount[j]); j += stride }
        sample.sort()
        let mid = sample.count / 2
        medianAmount = max(1e-9, sample.count % 2 == 1 ? sample[mid] : (sample[mid - 1] + sample[mid]) / 2)
        var lo = Double.infinity, hi = -Double.infinity
        for t in g.time { lo = min(lo, t); hi = max(hi, t) }
        start = lo; end = hi
    }
}

/// Per-account features, one column per feature, one row per requested account.
public struct FeatureMatrix: Sendable {
    public var names: [String]
    public var columns: [[Float]]
    /// Account index of each row.
    public var accounts: [Int32]
    public var seconds: Double

    public var rowCount: Int { accounts.count }

    public func table() -> DataTable {
        // Safe: every column has one value per row.
        try! DataTable(columns: zip(names, columns).map { Column(name: $0.0, values: $0.1) })
    }

    /// Row-major values of one row, in `names` order.
    public func row(_ r: Int) -> [Float] { columns.map { $0[r] } }

    public func value(_ name: String, row r: Int) -> Float? {
        names.firstIndex(of: name).map { columns[$0][r] }
    }

    /// Rows `rows` of this matrix.
    public func selecting(rows: [Int]) -> FeatureMatrix {
        FeatureMatrix(names: names, columns: columns.map { c in rows.map { c[$0] } }, accounts: rows.map { accounts[$0] }, seconds: seconds)
    }

    /// Stacks matrices with the same features (rows of several graphs).
    public static func stacking(_ parts: [FeatureMatrix]) -> FeatureMatrix {
        guard let first = parts.first else { return FeatureMatrix(names: [], columns: [], accounts: [], seconds: 0) }
        var cols = first.columns
        var acc = first.accounts
        for p in parts.dropFirst() {
            for f in cols.indices { cols[f] += p.columns[f] }
            acc += p.accounts
        }
        return FeatureMatrix(names: first.names, columns: cols, accounts: acc, seconds: parts.reduce(0) { $0 + $1.seconds })
    }
}

/// Dropper (money-mule) features of accounts, computed from the graph alone (labels are not in `TransactionGraph`).
///
/// Amounts are in multiples of the feed's median transfer; times in hours or days. Two stages: stage 1 describes the
/// account's own flows, timing and neighbourhood structure; stage 2 averages stage-1 features over its counterparties
/// (the two-hop aggregates).
public enum DropperFeatures {
    /// Stage-1 feature names, in column order.
    public static let stage1: [String] = [
        "in_count", "out_count", "in_sum", "out_sum", "in_mean", "out_mean", "in_max", "out_max", "in_min", "out_min",
        "in_amount_cv", "out_amount_cv", "fan_in", "fan_out", "in_repeat", "out_repeat", "pass_through_ratio", "net_flow",
        "initial_balance", "turnover", "in_small_share", "out_small_share", "active_days", "span_days", "peak_window_share",
        "median_gap_hours", "pass_through_24h", "pass_through_72h", "pass_through_7d", "mean_holding_hours",
        "forward_match_share", "in_then_out_share", "age_days", "age_at_first_in_days", "sender_age_days",
        "receiver_age_days", "young_sender_share", "young_receiver_share", "fan_in_burst", "fan_out_burst",
        "gather_scatter_burst", "cycle2", "cycle3", "cycle4", "scatter_gather_source", "scatter_gather_sink",
        "scatter_gather_member", "gather_scatter", "two_hop_out", "two_hop_in", "out_unusual_share", "in_unusual_share",
        "suspicious_links",
    ]
    /// Stage-1 features averaged (and maximised) over counterparties in stage 2.
    public static let aggregated: [String] = [
        "pass_through_72h", "in_small_share", "out_small_share", "forward_match_share", "cycle3", "scatter_gather_member",
        "in_count", "out_count", "out_unusual_share", "in_unusual_share", "suspicious_links",
    ]
    public static let stage2: [String] = aggregated.flatMap { ["nbr_mean_\($0)", "nbr_max_\($0)"] }
        + ["sender_mean_fan_out", "receiver_mean_fan_in", "nbr_pass_through_share", "nbr_flagged_count", "nbr_flagged_share",
           "nbr_count"]
    public static var names: [String] { stage1 + stage2 }

    static func column(_ name: String) -> Int { stage1.firstIndex(of: name)! }

    /// Features of `accounts` (every account when nil).
    public static func compute(_ g: TransactionGraph, index: GraphIndex, accounts: [Int32]? = nil,
                               config: DropperFeatureConfig = DropperFeatureConfig(), scale: GraphScale? = nil,
                               threads: Int = defaultThreadCount()) -> FeatureMatrix {
        let t0 = monotonicSeconds()
        let scale = scale ?? GraphScale(g)
        let n = g.accountCount
        // Stage 1 is needed for the requested accounts and their counterparties.
        let rows: [Int32] = accounts ?? (0..<n).map { Int32($0) }
        var need: [Int32]
        var slot: [Int32: Int32] = [:]
        if accounts == nil {
            need = rows
        } else {
            var set = Set<Int32>()
            for a in rows {
                set.insert(a)
                for b in index.senders(Int(a)) { set.insert(b) }
                for b in index.receivers(Int(a)) { set.insert(b) }
            }
            need = set.sorted()
            for (i, a) in need.enumerated() { slot[a] = Int32(i) }
        }
        let identity = accounts == nil
        let medians = identity ? outMedians(g, index: index, threads: threads) : nil
        let s1 = stage1Matrix(g, index: index, accounts: need, config: config, scale: scale, medians: medians, threads: threads)
        func s1row(_ a: Int32) -> Int { identity ? Int(a) : Int(slot[a]!) }

        // Stage 2.
        let F1 = stage1.count, F2 = stage2.count
        let r = rows.count
        let out2 = ColumnBuffers(columns: F2, rows: r)
        let aggCols = aggregated.map { column($0) }
        let fanIn = column("fan_in"), fanOut = column("fan_out"), pt = column("pass_through_72h")
        let flagCols = ["in_small_share", "out_small_share", "out_unusual_share", "in_unusual_share"].map { column($0) }
        do {
            let ptrs = out2.pointers
            let chunk = 4096
            parallelFor((r + chunk - 1) / chunk, threads: threads) { c in
                var nbrs: [Int32] = []
                for i in (c * chunk)..<min(r, (c + 1) * chunk) {
                    let v = Int(rows[i])
                    nbrs.removeAll(keepingCapacity: true)
                    mergeDistinct(index.senders(v), index.receivers(v), into: &nbrs)
                    let k = nbrs.count
                    ptrs[F2 - 1].base[i] = Float(k)
                    for (q, col) in aggCols.enumerated() {
                        var sum = 0.0, cnt = 0, mx = -Float.infinity
                        for u in nbrs {
                            let x = s1[col][s1row(u)]
                            if x.isNaN { continue }
                            sum += Double(x); cnt += 1; mx = max(mx, x)
                        }
                        ptrs[2 * q].base[i] = cnt > 0 ? Float(sum / Double(cnt)) : .nan
                        ptrs[2 * q + 1].base[i] = cnt > 0 ? mx : .nan
                    }
                    let base = 2 * aggCols.count
                    var s = 0.0, cnt = 0
                    for u in index.senders(v) { s += Double(s1[fanOut][s1row(u)]); cnt += 1 }
                    ptrs[base].base[i] = cnt > 0 ? Float(s / Double(cnt)) : .nan
                    s = 0; cnt = 0
                    for u in index.receivers(v) { s += Double(s1[fanIn][s1row(u)]); cnt += 1 }
                    ptrs[base + 1].base[i] = cnt > 0 ? Float(s / Double(cnt)) : .nan
                    var hi = 0, known = 0
                    for u in nbrs {
                        let x = s1[pt][s1row(u)]
                        if x.isNaN { continue }
                        known += 1
                        if x >= 0.5 { hi += 1 }
                    }
                    ptrs[base + 2].base[i] = known > 0 ? Float(hi) / Float(known) : .nan
                    var flagged = 0
                    for u in nbrs {
                        let row = s1row(u)
                        var f = false
                        for col in flagCols where s1[col][row] > 0 { f = true; break }
                        if f { flagged += 1 }
                    }
                    ptrs[base + 3].base[i] = Float(flagged)
                    ptrs[base + 4].base[i] = k > 0 ? Float(flagged) / Float(k) : .nan
                }
            }
        }
        var cols: [[Float]]
        if identity {
            cols = s1
        } else {
            cols = (0..<F1).map { f in rows.map { s1[f][Int(slot[$0]!)] } }
        }
        cols += out2.arrays()
        return FeatureMatrix(names: names, columns: cols, accounts: rows, seconds: monotonicSeconds() - t0)
    }

    /// Sorted union of two ascending lists without repeats.
    static func mergeDistinct(_ a: ArraySlice<Int32>, _ b: ArraySlice<Int32>, into out: inout [Int32]) {
        var i = a.startIndex, j = b.startIndex
        while i < a.endIndex || j < b.endIndex {
            let x: Int32
            if j >= b.endIndex || (i < a.endIndex && a[i] < b[j]) { x = a[i]; i += 1 } else if i >= a.endIndex || b[j] < a[i] { x = b[j]; j += 1 } else { x = a[i]; i += 1; j += 1 }
            if out.last != x { out.append(x) }
        }
    }

    /// Size of the intersection of two ascending lists.
    @inline(__always)
    static func intersectionCount(_ a: ArraySlice<Int32>, _ b: ArraySlice<Int32>) -> Int {
        var i = a.startIndex, j = b.startIndex, c = 0
        while i < a.endIndex && j < b.endIndex {
            if a[i] < b[j] { i += 1 } else if b[j] < a[i] { j += 1 } else { c += 1; i += 1; j += 1 }
        }
        return c
    }

    /// Stage-1 columns for `accounts` (row i = accounts[i]).
    /// Median outgoing amount of every account (NaN without outgoing transfers).
    static func outMedians(_ g: TransactionGraph, index: GraphIndex, threads: Int) -> [Double] {
        let n = g.accountCount
        let buf = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1))
        defer { buf.deallocate() }
        let shared = SharedPointer(base: buf)
        let chunk = 8192
        parallelFor((n + chunk - 1) / chunk, threads: threads) { c in
            var scratch: [Double] = []
            for a in (c * chunk)..<min(n, (c + 1) * chunk) {
                shared.base[a] = Stage1Worker.median(of: index.outgoing(a), g.amount, &scratch)
            }
        }
        return Array(UnsafeBufferPointer(start: buf, count: n))
    }

    static func stage1Matrix(_ g: TransactionGraph, index: GraphIndex, accounts: [Int32], config: DropperFeatureConfig,
                             scale: GraphScale, medians: [Double]?, threads: Int) -> [[Float]] {
        let F = stage1.count, r = accounts.count
        let cols = ColumnBuffers(columns: F, rows: r)
        do {
            let ptrs = cols.pointers
            let chunk = 2048
            parallelFor((r + chunk - 1) / chunk, threads: threads) { c in
                var w = Stage1Worker(g: g, index: index, config: config, scale: scale, medians: medians)
                var row = [Float](repeating: .nan, count: F)
                for i in (c * chunk)..<min(r, (c + 1) * chunk) {
                    w.compute(Int(accounts[i]), into: &row)
                    for f in 0..<F { ptrs[f].base[i] = row[f] }
                }
            }
        }
        return cols.arrays()
    }
}

/// Float columns written in parallel by row (each row by one worker), then handed over as arrays.
final class ColumnBuffers: @unchecked Sendable {
    let pointers: [SharedPointer<Float>]
    let rows: Int
    init(columns: Int, rows: Int) {
        self.rows = rows
        pointers = (0..<columns).map { _ in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(rows, 1))
            p.initialize(repeating: .nan, count: max(rows, 1))
            return SharedPointer(base: p)
        }
    }
    func arrays() -> [[Float]] { pointers.map { Array(UnsafeBufferPointer(start: $0.base, count: rows)) } }
    deinit { for p in pointers { p.base.deallocate() } }
}

/// Scratch buffers and the per-account stage-1 computation (no allocation per account once warm).
struct Stage1Worker {
    let g: TransactionGraph
    let index: GraphIndex
    let config: DropperFeatureConfig
    let scale: GraphScale
    var times: [Double] = []
    var lotAmount: [Double] = []
    var lotTime: [Double] = []
    var twoOut: [Int32] = []
    var twoIn: [Int32] = []
    var scratch: [Int32] = []
    var scratch2: [Int32] = []
    var gaps: [Double] = []
    var amounts: [Double] = []
    /// Median outgoing amount per account when precomputed (whole-graph runs), else computed on demand.
    let medians: [Double]?

    init(g: TransactionGraph, index: GraphIndex, config: DropperFeatureConfig, scale: GraphScale, medians: [Double]?) {
        self.g = g; self.index = index; self.config = config; self.scale = scale; self.medians = medians
    }

    /// Lower median of the amounts of `list` (an actual amount of the list, so repeated amounts match it exactly).
    static func median(of list: ArraySlice<Int32>, _ amount: [Double], _ scratch: inout [Double]) -> Double {
        if list.isEmpty { return .nan }
        scratch.removeAll(keepingCapacity: true)
        for j in list { scratch.append(amount[Int(j)]) }
        scratch.sort()
        return scratch[(scratch.count - 1) / 2]
    }

    mutating func outMedian(_ u: Int) -> Double {
        if let m = medians { return m[u] }
        return Stage1Worker.median(of: index.outgoing(u), g.amount, &amounts)
    }

    /// An amount more than 10% away from the sender's usual (median) outgoing amount.
    @inline(__always) static func unusual(_ x: Double, _ median: Double) -> Bool {
        !median.isNaN && abs(x - median) > 0.1 * median
    }

    @inline(__always) func age(_ u: Int, at t: Double) -> Double {
        let o = g.opened[u]
        let base = o.isNaN ? index.firstSeen[u] : o
        return (t - base) / 86400
    }

    mutating func compute(_ v: Int, into row: inout [Float]) {
        let nan = Float.nan
        for f in row.indices { row[f] = nan }
        let outs = index.outgoing(v), ins = index.incoming(v)
        let med = scale.medianAmount
        let small = config.smallAmountFraction
        var k = 0
        func put(_ x: Double) { row[k] = x.isFinite ? Float(x) : nan; k += 1 }
        func putF(_ x: Float) { row[k] = x; k += 1 }

        // flows
        func stats(_ list: ArraySlice<Int32>) -> (n: Int, sum: Double, mean: Double, max: Double, min: Double, cv: Double, small: Double) {
            if list.isEmpty { return (0, 0, .nan, .nan, .nan, .nan, .nan) }
            var s = 0.0, s2 = 0.0, mx = -Double.infinity, mn = Double.infinity, sm = 0
            for j in list {
                let a = g.amount[Int(j)] / med
                s += a; s2 += a * a; mx = max(mx, a); mn = min(mn, a)
                if a < small { sm += 1 }
            }
            let n = Double(list.count), mean = s / n
            let variance = max(0, s2 / n - mean * mean)
            return (list.count, s, mean, mx, mn, mean > 0 ? variance.squareRoot() / mean : .nan, Double(sm) / n)
        }
        let si = stats(ins), so = stats(outs)
        let fanIn = index.predStart[v + 1] - index.predStart[v], fanOut = index.succStart[v + 1] - index.succStart[v]
        put(Double(si.n)); put(Double(so.n)); put(si.sum); put(so.sum); put(si.mean); put(so.mean); put(si.max); put(so.max)
        put(si.min); put(so.min); put(si.cv); put(so.cv); put(Double(fanIn)); put(Double(fanOut))
        put(fanIn > 0 ? Double(si.n) / Double(fanIn) : .nan); put(fanOut > 0 ? Double(so.n) / Double(fanOut) : .nan)
        let hiSum = max(si.sum, so.sum)
        put(hiSum > 0 ? min(si.sum, so.sum) / hiSum : .nan)
        put(si.sum + so.sum > 0 ? (si.sum - so.sum) / (si.sum + so.sum) : .nan)
        let bal = Double(g.initialBalance[v]) / med
        put(bal)
        let funds = si.sum + (bal.isNaN ? 0 : bal)
        put(funds > 0 ? so.sum / funds : .nan)
        put(si.small); put(so.small)

        // timing: the account's transfers merged in time order (incoming first at equal times)
        times.removeAll(keepingCapacity: true)
        var a = ins.startIndex, b = outs.startIndex
        while a < ins.endIndex || b < outs.endIndex {
            if b >= outs.endIndex || (a < ins.endIndex && g.time[Int(ins[a])] <= g.time[Int(outs[b])]) {
                times.append(g.time[Int(ins[a])]); a += 1
            } else {
                times.append(g.time[Int(outs[b])]); b += 1
            }
        }
        if times.isEmpty {
            put(0); put(.nan); put(.nan); put(.nan)
        } else {
            var days = 0
            var lastDay = Int.min
            for t in times {
                let d = Int((t / 86400).rounded(.down))
                if d != lastDay { days += 1; lastDay = d }
            }
            put(Double(days))
            put((times[times.count - 1] - times[0]) / 86400)
            let win = config.peakWindowDays * 86400
            var lo = 0, best = 0
            for hi in times.indices {
                while times[hi] - times[lo] >= win { lo += 1 }
                best = max(best, hi - lo + 1)
            }
            put(Double(best) / Double(times.count))
            if times.count >= 2 {
                gaps.removeAll(keepingCapacity: true)
                for i in 1..<times.count { gaps.append(times[i] - times[i - 1]) }
                gaps.sort()
                let m = gaps.count / 2
                put((gaps.count % 2 == 1 ? gaps[m] : (gaps[m - 1] + gaps[m]) / 2) / 3600)
            } else {
                put(.nan)
            }
        }

        // pass-through: each outgoing transfer is funded by the latest money in first (LIFO)
        let windows = config.passThroughHours.map { $0 * 3600 }
        var matched = [Double](repeating: 0, count: 3)
        var holdSum = 0.0, holdW = 0.0
        lotAmount.removeAll(keepingCapacity: true); lotTime.removeAll(keepingCapacity: true)
        a = ins.startIndex; b = outs.startIndex
        let cap = config.holdingCapHours * 3600
        while b < outs.endIndex {
            let jo = Int(outs[b])
            let t = g.time[jo]
            while a < ins.endIndex && g.time[Int(ins[a])] <= t {
                let ji = Int(ins[a])
                lotAmount.append(g.amount[ji]); lotTime.append(g.time[ji]); a += 1
            }
            var rem = g.amount[jo]
            while rem > 0, let top = lotAmount.last {
                let take = min(top, rem)
                let ageS = t - lotTime[lotTime.count - 1]
                for (w, h) in windows.prefix(3).enumerated() where ageS <= h { matched[w] += take }
                holdSum += take * min(ageS, cap); holdW += take
                rem -= take
                if take >= top { lotAmount.removeLast(); lotTime.removeLast() } else { lotAmount[lotAmount.count - 1] = top - take }
            }
            b += 1
        }
        let outTotal = so.sum * med
        for w in 0..<3 { put(outTotal > 0 && w < windows.count ? matched[w] / outTotal : .nan) }
        put(holdW > 0 ? holdSum / holdW / 3600 : .nan)

        // forward matching and in-then-out
        let W = config.burstHours * 3600
        if outs.isEmpty || ins.isEmpty {
            put(outs.isEmpty ? .nan : 0); put(ins.isEmpty ? .nan : 0)
        } else {
            var fwd = 0
            var lo = ins.startIndex
            for jo in outs {
                let t = g.time[Int(jo)], x = g.amount[Int(jo)]
                while lo < ins.endIndex && g.time[Int(ins[lo])] < t - W { lo += 1 }
                var p = lo, scanned = 0
                while p < ins.endIndex && g.time[Int(ins[p])] <= t && scanned < config.windowScanCap {
                    let y = g.amount[Int(ins[p])]
                    if x >= config.forwardMatchLow * y && x <= config.forwardMatchHigh * y { fwd += 1; break }
                    p += 1; scanned += 1
                }
            }
            put(Double(fwd) / Double(outs.count))
            var followed = 0
            var q = outs.startIndex
            for ji in ins {
                let t = g.time[Int(ji)]
                while q < outs.endIndex && g.time[Int(outs[q])] < t { q += 1 }
                if q < outs.endIndex && g.time[Int(outs[q])] <= t + W { followed += 1 }
            }
            put(Double(followed) / Double(ins.count))
        }

        // ages
        put(index.firstSeen[v].isNaN && g.opened[v].isNaN ? .nan : age(v, at: scale.end))
        put(ins.isEmpty ? .nan : age(v, at: g.time[Int(ins[ins.startIndex])]))
        func ages(_ list: ArraySlice<Int32>, _ other: [Int32]) -> (Double, Double) {
            if list.isEmpty { return (.nan, .nan) }
            var s = 0.0, young = 0
            for j in list {
                let t = g.time[Int(j)]
                let d = age(Int(other[Int(j)]), at: t)
                s += d
                if d < config.youngAccountDays { young += 1 }
            }
            return (s / Double(list.count), Double(young) / Double(list.count))
        }
        let sa = ages(ins, g.source), ra = ages(outs, g.target)
        put(sa.0); put(ra.0); put(sa.1); put(ra.1)

        // bursts: most distinct senders (receivers) within one window; gather-then-scatter within a window
        func burst(_ list: ArraySlice<Int32>, _ other: [Int32]) -> Double {
            if list.isEmpty { return 0 }
            var best = 0
            var lo = list.startIndex
            for hi in list.indices {
                let t = g.time[Int(list[hi])]
                while g.time[Int(list[lo])] < t - W || hi - lo >= config.windowScanCap { lo += 1 }
                scratch.removeAll(keepingCapacity: true)
                for p in lo...hi { scratch.append(other[Int(list[p])]) }
                scratch.sort()
                var d = 0, last: Int32 = -1
                for x in scratch where x != last { d += 1; last = x }
                best = max(best, d)
            }
            return Double(best)
        }
        put(burst(ins, g.source)); put(burst(outs, g.target))
        if ins.isEmpty || outs.isEmpty {
            put(0)
        } else {
            var best = 0
            var inLo = ins.startIndex, inHi = ins.startIndex, outLo = outs.startIndex
            var lastT = -Double.infinity
            for jo in outs {
                let t = g.time[Int(jo)]
                if t == lastT { continue }
                lastT = t
                while inHi < ins.endIndex && g.time[Int(ins[inHi])] <= t { inHi += 1 }
                while inLo < inHi && (g.time[Int(ins[inLo])] < t - W || inHi - inLo > config.windowScanCap) { inLo += 1 }
                while outLo < outs.endIndex && g.time[Int(outs[outLo])] < t { outLo += 1 }
                if inLo == inHi { continue }
                scratch.removeAll(keepingCapacity: true)
                for p in inLo..<inHi { scratch.append(g.source[Int(ins[p])]) }
                scratch.sort()
                var ds = 0, last: Int32 = -1
                for x in scratch where x != last { ds += 1; last = x }
                scratch.removeAll(keepingCapacity: true)
                var p = outLo
                while p < outs.endIndex && g.time[Int(outs[p])] <= t + W && p - outLo < config.windowScanCap {
                    scratch.append(g.target[Int(outs[p])]); p += 1
                }
                scratch.sort()
                var dr = 0
                last = -1
                for x in scratch where x != last { dr += 1; last = x }
                best = max(best, min(ds, dr))
            }
            put(Double(best))
        }

        // structure on the simple directed graph
        let succV = index.receivers(v), predV = index.senders(v)
        let v32 = Int32(v)
        put(Double(DropperFeatures.intersectionCount(succV, predV)))
        twoOut.removeAll(keepingCapacity: true)
        var outCapped = false
        for x in succV {
            let r = index.receivers(Int(x))
            if twoOut.count + r.count > config.twoHopCap { outCapped = true; break }
            for y in r where y != v32 { twoOut.append(y) }
        }
        twoIn.removeAll(keepingCapacity: true)
        var inCapped = false
        for x in predV {
            let s = index.senders(Int(x))
            if twoIn.count + s.count > config.twoHopCap { inCapped = true; break }
            for y in s where y != v32 { twoIn.append(y) }
        }
        twoOut.sort(); twoIn.sort()
        // cycle3: v→a→b→v, b among v's senders
        if outCapped { put(.nan) } else {
            var c = 0, i = 0, j = predV.startIndex
            while i < twoOut.count && j < predV.endIndex {
                if twoOut[i] < predV[j] { i += 1 } else if predV[j] < twoOut[i] { j += 1 } else { c += 1; i += 1 }
            }
            put(Double(c))
        }
        // cycle4: v→a→b→c→v with a ≠ c
        if outCapped || inCapped { put(.nan) } else {
            var c = 0, i = 0, j = 0
            while i < twoOut.count && j < twoIn.count {
                if twoOut[i] < twoIn[j] { i += 1 } else if twoIn[j] < twoOut[i] { j += 1 } else {
                    let x = twoOut[i]
                    var ni = 0, nj = 0
                    while i < twoOut.count && twoOut[i] == x { ni += 1; i += 1 }
                    while j < twoIn.count && twoIn[j] == x { nj += 1; j += 1 }
                    c += ni * nj
                }
            }
            // remove v→a→b→a→v (a both a receiver and a sender of v)
            var ia = succV.startIndex, ja = predV.startIndex
            while ia < succV.endIndex && ja < predV.endIndex {
                if succV[ia] < predV[ja] { ia += 1 } else if predV[ja] < succV[ia] { ja += 1 } else {
                    let x = Int(succV[ia])
                    let both = DropperFeatures.intersectionCount(index.receivers(x), index.senders(x))
                    let selfPair = index.receivers(x).contains(v32) && index.senders(x).contains(v32) ? 1 : 0
                    c -= both - selfPair
                    ia += 1; ja += 1
                }
            }
            put(Double(c))
        }
        func maxRun(_ list: [Int32]) -> Int {
            var best = 0, run = 0
            var last: Int32 = -1
            for x in list { if x == last { run += 1 } else { run = 1; last = x }; best = max(best, run) }
            return best
        }
        func distinctCount(_ list: [Int32]) -> Int {
            var d = 0
            var last: Int32 = -1
            for x in list where x != last { d += 1; last = x }
            return d
        }
        put(outCapped ? .nan : Double(maxRun(twoOut)))
        put(inCapped ? .nan : Double(maxRun(twoIn)))
        // scatter-gather member: the most parallel paths s→·→w that pass through v
        if predV.isEmpty || succV.isEmpty { put(0) } else {
            var best = 0
            for s in predV.prefix(config.memberCap) {
                let rs = index.receivers(Int(s))
                for w in succV.prefix(config.memberCap) where w != s {
                    best = max(best, DropperFeatures.intersectionCount(rs, index.senders(Int(w))))
                }
            }
            put(Double(best))
        }
        put(Double(min(fanIn, fanOut)))
        put(outCapped ? .nan : Double(distinctCount(twoOut)))
        put(inCapped ? .nan : Double(distinctCount(twoIn)))
        // amounts unlike the sender's usual ones, and the counterparties they were exchanged with
        let myMedian = outMedian(v)
        scratch2.removeAll(keepingCapacity: true)
        var unusualOut = 0
        for j in outs {
            let x = g.amount[Int(j)]
            let odd = Stage1Worker.unusual(x, myMedian)
            if odd { unusualOut += 1 }
            if odd || x / med < small { scratch2.append(g.target[Int(j)]) }
        }
        put(outs.isEmpty ? .nan : Double(unusualOut) / Double(outs.count))
        var unusualIn = 0
        for j in ins {
            let x = g.amount[Int(j)], s = Int(g.source[Int(j)])
            let odd = Stage1Worker.unusual(x, outMedian(s))
            if odd { unusualIn += 1 }
            if odd || x / med < small { scratch2.append(Int32(s)) }
        }
        put(ins.isEmpty ? .nan : Double(unusualIn) / Double(ins.count))
        scratch2.sort()
        var links = 0
        var lastLink: Int32 = -1
        for x in scratch2 where x != lastLink && x != v32 { links += 1; lastLink = x }
        put(Double(links))
        _ = putF
        precondition(k == row.count, "stage-1 feature count")
    }
}
