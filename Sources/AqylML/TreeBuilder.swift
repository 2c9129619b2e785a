import AqylKit
import Foundation

/// Split quality criterion.
public enum Criterion: String, Sendable, Codable {
    case gini, entropy
}

/// One tree as built (local node indices; children of node i are `left[i]` and `left[i] + 1`).
struct BuiltTree: Sendable {
    var feature: [Int32] = []
    var binThreshold: [UInt8] = []
    var threshold: [Float] = []
    var left: [Int32] = []
    var missingLeft: [Bool] = []
    var catIndex: [Int32] = []
    var catWords: [UInt64] = []
    var value: [Float] = []
    var cover: [Float] = []
    var importance: [Double] = []
    var inBag: [UInt8] = []
}

struct TreeSettings: Sendable {
    var classCount: Int
    var maxFeatures: Int
    var maxDepth: Int
    var minSamplesLeaf: Int
    var minSamplesSplit: Int
    var criterion: Criterion
    var bootstrap: Bool
}

/// Grows one tree on binned data with histogram split search.
struct TreeGrower {
    let data: BinnedData
    let labels: [Int32]
    let classWeight: [Double]
    let features: [FeatureInfo]
    let settings: TreeSettings

    func grow(seed: UInt64) -> BuiltTree {
        var rng = SeededGenerator(seed: seed)
        let n = data.rowCount
        let K = settings.classCount
        let F = data.featureCount
        var tree = BuiltTree()
        tree.importance = [Double](repeating: 0, count: F)

        // Bootstrap counts and weights.
        // With class weights and bootstrap, rows are drawn with probability proportional to their class
        // weight and then weigh their draw count (scikit-learn >= 1.7 semantics); without bootstrap the
        // class weights weigh the rows directly.
        var inBag = [UInt8](repeating: 0, count: n)
        let uniformWeights = classWeight.allSatisfy { $0 == classWeight[0] }
        if settings.bootstrap && uniformWeights {
            for _ in 0..<n {
                let r = rng.below(n)
                if inBag[r] < 255 { inBag[r] += 1 }
            }
        } else if settings.bootstrap {
            var byClass = [[Int32]](repeating: [], count: K)
            for r in 0..<n { byClass[Int(labels[r])].append(Int32(r)) }
            var cumulative = [Double](repeating: 0, count: K)
            var acc = 0.0
            for k in 0..<K { acc += Double(byClass[k].count) * classWeight[k]; cumulative[k] = acc }
            for _ in 0..<n {
                let u = Double(rng.next() >> 11) * 0x1p-53 * acc
                var k = 0
                while k < K - 1 && (u >= cumulative[k] || byClass[k].isEmpty) { k += 1 }
                let members = byClass[k]
                let r = Int(members[rng.below(members.count)])
                if inBag[r] < 255 { inBag[r] += 1 }
            }
        } else {
            for r in 0..<n { inBag[r] = 1 }
        }
        var weight = [Double](repeating: 0, count: n)
        var rows: [UInt32] = []
        rows.reserveCapacity(n)
        var rootTotals = [Double](repeating: 0, count: K)
        for r in 0..<n where inBag[r] > 0 {
            let w = settings.bootstrap ? Double(inBag[r]) : classWeight[Int(labels[r])]
            weight[r] = w
            rootTotals[Int(labels[r])] += w
            rows.append(UInt32(r))
        }

        // Scratch buffers.
        let hist = UnsafeMutablePointer<Double>.allocate(capacity: 256 * K)
        hist.initialize(repeating: 0, count: 256 * K)
        let cnt = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
        cnt.initialize(repeating: 0, count: 256)
        let present = UnsafeMutablePointer<Int>.allocate(capacity: 256)
        let order = UnsafeMutablePointer<Int>.allocate(capacity: 256)
        let bestOrder = UnsafeMutablePointer<Int>.allocate(capacity: 256)
        let keys = UnsafeMutablePointer<Double>.allocate(capacity: 256)
        let lw = UnsafeMutablePointer<Double>.allocate(capacity: K)
        let cum = UnsafeMutablePointer<Double>.allocate(capacity: K)
        let mw = UnsafeMutablePointer<Double>.allocate(capacity: K)
        let tot = UnsafeMutablePointer<Double>.allocate(capacity: K)
        defer {
            hist.deallocate(); cnt.deallocate(); present.deallocate(); order.deallocate()
            bestOrder.deallocate(); keys.deallocate(); lw.deallocate(); cum.deallocate(); mw.deallocate(); tot.deallocate()
        }
        var perm = Array(0..<F)
        var nodeTotals: [Double] = rootTotals
        let criterion = settings.criterion
        let minLeaf = settings.minSamplesLeaf

        func appendNode(_ totals: UnsafePointer<Double>) {
            var W = 0.0
            for k in 0..<K { W += totals[k] }
            tree.feature.append(-1); tree.binThreshold.append(0); tree.threshold.append(0)
            tree.left.append(-1); tree.missingLeft.append(false); tree.catIndex.append(-1)
            for k in 0..<K { tree.value.append(W > 0 ? Float(totals[k] / W) : Float(1) / Float(K)) }
            tree.cover.append(Float(W))
        }

        @inline(__always) func sideScore(_ w: UnsafePointer<Double>, _ W: Double) -> Double {
            var s = 0.0
            if criterion == .gini {
                for k in 0..<K { s += w[k] * w[k] }
                return s / W
            } else {
                for k in 0..<K where w[k] > 0 { s += w[k] * log(w[k]) }
                return s - W * log(W)
            }
        }

        nodeTotals.withUnsafeBufferPointer { appendNode($0.baseAddress!) }
        var stack: [(node: Int, start: Int, end: Int, depth: Int)] = [(0, 0, rows.count, 0)]

        data.bins.withUnsafeBufferPointer { binsBuf in
        labels.withUnsafeBufferPointer { yBuf in
        weight.withUnsafeBufferPointer { wBuf in
        rows.withUnsafeMutableBufferPointer { rowsBuf in
            let bins = binsBuf.baseAddress!, y = yBuf.baseAddress!, wt = wBuf.baseAddress!, rp = rowsBuf.baseAddress!
            while let (node, start, end, depth) = stack.popLast() {
                let count = end - start
                for k in 0..<K { tot[k] = nodeTotals[node * K + k] }
                var W = 0.0
                var nonZero = 0
                for k in 0..<K { W += tot[k]; if tot[k] > 0 { nonZero += 1 } }
                if count < settings.minSamplesSplit || count < 2 * minLeaf || depth >= settings.maxDepth || nonZero <= 1 || W <= 0 {
                    continue
                }
                let parentScore = sideScore(tot, W)
                var bestScore = -Double.infinity
                var bestFeature = -1
                var bestBin = 0
                var bestMissingLeft = false
                var bestMissingDecided = false
                var bestCatLen = 0

                // As in scikit-learn: every drawn feature counts as visited (constant ones included); keep
                // drawing past maxFeatures only until one non-constant feature has been found.
                var visited = 0
                var nonConstant = 0
                var fi = 0
                while fi < F && (visited < settings.maxFeatures || nonConstant == 0) {
                    visited += 1
                    let j = fi + rng.below(F - fi)
                    perm.swapAt(fi, j)
                    let f = perm[fi]
                    fi += 1
                    // Histogram.
                    let col = bins + f * n
                    var np = 0
                    if K == 2 {
                        for idx in start..<end {
                            let r = Int(rp[idx])
                            let b = Int(col[r])
                            hist[b &* 2 &+ Int(y[r])] += wt[r]
                            cnt[b] &+= 1
                        }
                    } else {
                        for idx in start..<end {
                            let r = Int(rp[idx])
                            let b = Int(col[r])
                            hist[b &* K &+ Int(y[r])] += wt[r]
                            cnt[b] &+= 1
                        }
                    }
                    let nb = features[f].binCount
                    if count < nb {
                        // collect present bins via the rows (cheaper than scanning all bins)
                        var mask: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                        for idx in start..<end {
                            let b = Int(col[Int(rp[idx])])
                            if b == 255 { continue }
                            switch b >> 6 {
                            case 0: mask.0 |= 1 << UInt64(b & 63)
                            case 1: mask.1 |= 1 << UInt64(b & 63)
                            case 2: mask.2 |= 1 << UInt64(b & 63)
                            default: mask.3 |= 1 << UInt64(b & 63)
                            }
                        }
                        for wi in 0..<4 {
                            var m: UInt64
                            switch wi { case 0: m = mask.0; case 1: m = mask.1; case 2: m = mask.2; default: m = mask.3 }
                            while m != 0 {
                                present[np] = wi * 64 + m.trailingZeroBitCount
                                np += 1
                                m &= m - 1
                            }
                        }
                    } else {
                        for b in 0..<nb where cnt[b] != 0 { present[np] = b; np += 1 }
                    }
                    let mN = Int(cnt[255])
                    for k in 0..<K { mw[k] = hist[255 * K + k] }
                    let distinct = np + (mN > 0 ? 1 : 0)
                    if distinct >= 2 {
                        nonConstant += 1
                        let isCat = data.categorical[f]
                        let sorts = isCat ? (K == 2 ? 1 : K) : 1
                        for s in 0..<sorts {
                            for i in 0..<np { order[i] = present[i] }
                            if isCat {
                                let c = K == 2 ? 1 : s
                                for i in 0..<np {
                                    let b = present[i]
                                    var wb = 0.0
                                    for k in 0..<K { wb += hist[b * K + k] }
                                    keys[b] = wb > 0 ? hist[b * K + c] / wb : 0
                                }
                                // insertion sort by key, ties by bin code (deterministic)
                                if np > 1 {
                                    for i in 1..<np {
                                        let v = order[i]
                                        var j = i - 1
                                        while j >= 0 && (keys[order[j]] > keys[v] || (keys[order[j]] == keys[v] && order[j] > v)) {
                                            order[j + 1] = order[j]; j -= 1
                                        }
                                        order[j + 1] = v
                                    }
                                }
                            }
                            for k in 0..<K { cum[k] = 0 }
                            var cumN = 0
                            for i in 0..<np {
                                let b = order[i]
                                for k in 0..<K { cum[k] += hist[b * K + k] }
                                cumN += Int(cnt[b])
                                let isLast = i == np - 1
                                if isLast && mN == 0 { break }
                                // candidate A: missing goes right
                                for option in 0..<2 {
                                    let missLeft = option == 1
                                    if missLeft && (mN == 0 || isLast) { continue }
                                    var ln = cumN
                                    var Wl = 0.0
                                    for k in 0..<K {
                                        lw[k] = cum[k] + (missLeft ? mw[k] : 0)
                                        Wl += lw[k]
                                    }
                                    if missLeft { ln += mN }
                                    let rn = count - ln
                                    if ln < minLeaf || rn < minLeaf { continue }
                                    let Wr = W - Wl
                                    if Wl <= 1e-12 || Wr <= 1e-12 { continue }
                                    var score: Double
                                    if criterion == .gini {
                                        var sl = 0.0, sr = 0.0
                                        for k in 0..<K {
                                            let a = lw[k], r = tot[k] - a
                                            sl += a * a; sr += r * r
                                        }
                                        score = sl / Wl + sr / Wr
                                    } else {
                                        score = sideScore(lw, Wl)
                                        for k in 0..<K { lw[k] = tot[k] - lw[k] }
                                        score += sideScore(lw, Wr)
                                    }
                                    if score > bestScore + 1e-12 * abs(bestScore) || bestFeature < 0 {
                                        bestScore = score
                                        bestFeature = f
                                        bestBin = b
                                        bestMissingLeft = missLeft
                                        bestMissingDecided = mN > 0
                                        if !bestMissingDecided { bestMissingLeft = ln >= rn }
                                        if isCat {
                                            bestCatLen = i + 1
                                            for t in 0...i { bestOrder[t] = order[t] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    // clear histogram entries
                    for i in 0..<np {
                        let b = present[i]
                        cnt[b] = 0
                        for k in 0..<K { hist[b * K + k] = 0 }
                    }
                    cnt[255] = 0
                    for k in 0..<K { hist[255 * K + k] = 0 }
                }
                if bestFeature < 0 { continue }

                // Record split.
                let f = bestFeature
                let isCat = data.categorical[f]
                var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                if isCat {
                    tree.catIndex[node] = Int32(tree.catWords.count / 4)
                    var w = [UInt64](repeating: 0, count: 4)
                    for t in 0..<bestCatLen { let b = bestOrder[t]; w[b >> 6] |= 1 << UInt64(b & 63) }
                    tree.catWords.append(contentsOf: w)
                    words = (w[0], w[1], w[2], w[3])
                } else {
                    tree.binThreshold[node] = UInt8(bestBin)
                    let e = features[f].edges
                    tree.threshold[node] = bestBin < e.count ? e[bestBin] : Float.infinity
                }
                tree.feature[node] = Int32(f)
                tree.missingLeft[node] = bestMissingLeft
                tree.importance[f] += bestScore - parentScore

                // Partition rows in place, accumulating the left child's class totals.
                for k in 0..<K { lw[k] = 0 }
                let col = bins + f * n
                let thr = UInt8(truncatingIfNeeded: bestBin)
                var i = start, j = end - 1
                while i <= j {
                    let r = Int(rp[i])
                    let b = col[r]
                    let goLeft: Bool
                    if b == missingBin {
                        goLeft = bestMissingLeft
                    } else if isCat {
                        let word: UInt64
                        switch b >> 6 { case 0: word = words.0; case 1: word = words.1; case 2: word = words.2; default: word = words.3 }
                        goLeft = (word >> UInt64(b & 63)) & 1 == 1
                    } else {
                        goLeft = b <= thr
                    }
                    if goLeft {
                        lw[Int(y[r])] += wt[r]
                        i += 1
                    } else {
                        let tmp = rp[i]; rp[i] = rp[j]; rp[j] = tmp
                        j -= 1
                    }
                }
                let mid = i
                let leftIndex = tree.feature.count
                tree.left[node] = Int32(leftIndex)
                for k in 0..<K { nodeTotals.append(lw[k]) }
                appendNode(lw)
                for k in 0..<K { lw[k] = max(0, tot[k] - lw[k]) }
                for k in 0..<K { nodeTotals.append(lw[k]) }
                appendNode(lw)
                stack.append((leftIndex + 1, mid, end, depth + 1))
                stack.append((leftIndex, start, mid, depth + 1))
            }
        }
        }
        }
        }
        tree.inBag = inBag
        return tree
    }
}
