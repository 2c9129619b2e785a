import AqylKit
import Foundation

/// Hyper-parameters recorded with a trained model.
public struct TrainingParameters: Sendable, Codable, Equatable {
    public var treeCount: Int
    public var maxFeatures: Int
    public var maxDepth: Int?
    public var minSamplesLeaf: Int
    public var minSamplesSplit: Int
    public var criterion: Criterion
    public var bootstrap: Bool
    public var classWeight: String
    public var resolvedClassWeights: [Double]
    public var seed: UInt64
    public var maxBins: Int
}

/// Facts about the training run stored with the model.
public struct ModelMetadata: Sendable, Codable, Equatable {
    /// SHA-256 of the training table (names, types, values) and labels, hex encoded.
    public var trainingDataDigest: String
    public var trainingRowCount: Int
    /// Out-of-bag accuracy (nil without bootstrap or when no row was out of bag).
    public var oobScore: Double?
    /// Mean decrease in impurity per feature, normalised to sum to 1.
    public var featureImportances: [Double]
    public var library: String = "AqylML"
}

/// Node packed in 16 bytes for fast traversal.
@usableFromInline
struct PackedNode: Sendable {
    @usableFromInline var feature: Int32      // < 0: leaf
    @usableFromInline var threshold: Float    // numeric threshold; categorical: bit pattern of the bitset index
    @usableFromInline var left: Int32         // left child (right = left + 1); leaf: its own index
    @usableFromInline var flags: UInt32       // bit0: missing goes left, bit1: categorical
}

/// Node over bin codes: go right when `(bin &+ add) > t`.
@usableFromInline
struct BinNode: Sendable {
    @usableFromInline var left: Int32
    @usableFromInline var feature: UInt16
    @usableFromInline var t: UInt8
    @usableFromInline var add: UInt8
}

/// Class probabilities for a batch, row-major (`rowCount x classCount`).
public struct ProbabilityMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let classCount: Int
    public var values: [Double]
    public init(rowCount: Int, classCount: Int, values: [Double]) {
        self.rowCount = rowCount; self.classCount = classCount; self.values = values
    }
    public subscript(row: Int, cls: Int) -> Double { values[row * classCount + cls] }
    public func row(_ i: Int) -> [Double] { Array(values[(i * classCount)..<((i + 1) * classCount)]) }
    /// Index of the most probable class per row (ties go to the lowest index).
    public func argmax() -> [Int] {
        (0..<rowCount).map { r in
            var best = 0
            for k in 1..<max(classCount, 1) where values[r * classCount + k] > values[r * classCount + best] { best = k }
            return best
        }
    }
}

/// A per-prediction explanation: `expectedValue[c] + sum_f contributions[f][c] == probabilities[c]`.
public struct Explanation: Sendable {
    public let classes: [String]
    public let featureNames: [String]
    /// Mean prediction of the forest over its training data (the TreeSHAP base value), per class.
    public let expectedValue: [Double]
    /// `contributions[feature][class]`: TreeSHAP value of the feature for that class probability.
    public let contributions: [[Double]]
    /// The forest's (uncalibrated) class probabilities for the row.
    public let probabilities: [Double]

    /// Features ordered by absolute contribution to class `cls`, largest first.
    public func topReasons(forClass cls: Int, count: Int = 5) -> [(feature: String, contribution: Double)] {
        let pairs = featureNames.indices.map { (featureNames[$0], contributions[$0][cls]) }
        return Array(pairs.sorted { abs($0.1) > abs($1.1) }.prefix(count)).map { (feature: $0.0, contribution: $0.1) }
    }
}

/// A trained random forest: flattened trees (struct of arrays) plus everything needed to interpret inputs.
public struct ForestModel: Sendable {
    public static let formatVersion = 1

    public let features: [FeatureInfo]
    public let classes: [String]
    public let parameters: TrainingParameters
    public internal(set) var metadata: ModelMetadata
    /// Optional calibration map fitted on held-out data (see `calibrated(on:labels:)`).
    public internal(set) var calibrator: IsotonicCalibrator?

    // Flattened trees, struct of arrays. Node `i` of the forest; the children of a split node are
    // `left[i]` and `left[i] + 1`; a leaf has `feature[i] == -1`.
    let treeRoots: [Int32]
    let feature: [Int32]
    let binThreshold: [UInt8]
    let threshold: [Float]
    let left: [Int32]
    let missingLeft: [UInt8]
    let catIndex: [Int32]
    let catWords: [UInt64]
    /// Class distribution of every node (`classCount` values per node).
    let value: [Float]
    /// Weighted training samples reaching every node (TreeSHAP cover).
    let cover: [Float]
    let packed: [PackedNode]
    /// 8-byte nodes over bin codes for batch prediction of models without categorical splits (else empty).
    let binNodes: [BinNode]
    /// All numeric bin edges, feature after feature (`edgeOffsets[f]..<edgeOffsets[f + 1]`).
    let flatEdges: [Float]
    let edgeOffsets: [Int]
    let maxTreeDepth: Int

    public var treeCount: Int { treeRoots.count }
    var hasCategoricalSplits: Bool { !catWords.isEmpty }
    public var nodeCount: Int { feature.count }
    public var classCount: Int { classes.count }
    public var featureNames: [String] { features.map(\.name) }

    init(features: [FeatureInfo], classes: [String], parameters: TrainingParameters, metadata: ModelMetadata,
         calibrator: IsotonicCalibrator?, treeRoots: [Int32], feature: [Int32], binThreshold: [UInt8], threshold: [Float],
         left: [Int32], missingLeft: [UInt8], catIndex: [Int32], catWords: [UInt64], value: [Float], cover: [Float]) {
        self.features = features; self.classes = classes; self.parameters = parameters; self.metadata = metadata
        self.calibrator = calibrator; self.treeRoots = treeRoots; self.feature = feature; self.binThreshold = binThreshold
        self.threshold = threshold; self.left = left; self.missingLeft = missingLeft; self.catIndex = catIndex
        self.catWords = catWords; self.value = value; self.cover = cover
        var p: [PackedNode] = []
        p.reserveCapacity(feature.count)
        for i in 0..<feature.count {
            if feature[i] < 0 {
                // A leaf is a fixed point of `step`: any value goes "left" to the leaf itself.
                p.append(PackedNode(feature: 0, threshold: .infinity, left: Int32(i), flags: 1 | 4))
            } else {
                let cat = catIndex[i] >= 0
                p.append(PackedNode(feature: feature[i],
                                    threshold: cat ? Float(bitPattern: UInt32(catIndex[i])) : threshold[i],
                                    left: left[i], flags: UInt32(missingLeft[i]) | (cat ? 2 : 0)))
            }
        }
        packed = p
        var bn: [BinNode] = []
        if catWords.isEmpty && features.count <= Int(UInt16.max) {
            bn.reserveCapacity(feature.count)
            for i in 0..<feature.count {
                if feature[i] < 0 {
                    bn.append(BinNode(left: Int32(i), feature: 0, t: 255, add: 0))  // fixed point
                } else {
                    // Missing (bin 255) must go left when missingLeft: shift codes by one so 255 wraps to 0.
                    let ml = missingLeft[i] != 0
                    let t = ml ? UInt8(min(Int(binThreshold[i]) + 1, 255)) : binThreshold[i]
                    bn.append(BinNode(left: left[i], feature: UInt16(feature[i]), t: t, add: ml ? 1 : 0))
                }
            }
        }
        binNodes = bn
        var offs = [0]
        var fe: [Float] = []
        for f in features { fe += f.edges; offs.append(fe.count) }
        flatEdges = fe
        edgeOffsets = offs
        // depth of each tree
        var maxD = 0
        for root in treeRoots {
            var stack: [(Int, Int)] = [(Int(root), 0)]
            while let (i, d) = stack.popLast() {
                maxD = max(maxD, d)
                if feature[i] >= 0 { stack.append((Int(left[i]), d + 1)); stack.append((Int(left[i]) + 1, d + 1)) }
            }
        }
        maxTreeDepth = maxD
    }

    // MARK: - Input preparation

    /// Converts a table to a row-major matrix in model feature order, remapping categories by their strings.
    /// Throws `DataError.missingFeature` naming the first model feature the table lacks.
    public func rowMatrix(_ table: DataTable) throws -> [Float] {
        let F = features.count
        let n = table.rowCount
        var out = [Float](repeating: .nan, count: n * F)
        for (f, info) in features.enumerated() {
            guard let col = table.column(named: info.name) else { throw DataError.missingFeature(info.name) }
            var map: [Float]? = nil  // code remap for categorical -> categorical
            switch (info.kind, col.kind) {
            case (.numeric, .numeric), (.categorical, .categorical):
                if case .categorical(let modelLevels) = info.kind {
                    var idx: [String: Int] = [:]
                    for (i, l) in modelLevels.enumerated() { idx[l] = i }
                    map = col.kind.levels.map { l in idx[l].map(Float.init) ?? .nan }
                }
            case (.numeric, .categorical(let levels)):
                var m: [Float] = []
                for l in levels {
                    guard let v = Double(l.trimmingCharacters(in: .whitespaces)) else {
                        throw DataError.incompatibleFeature(name: info.name, reason: "model expects numbers, found '\(l)'")
                    }
                    m.append(Float(v))
                }
                map = m
            case (.categorical(let modelLevels), .numeric):
                var idx: [String: Int] = [:]
                for (i, l) in modelLevels.enumerated() { idx[l] = i }
                let vals = col.values
                for r in 0..<n {
                    let v = vals[r]
                    if v.isNaN { continue }
                    let key = v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(v)
                    out[r * F + f] = idx[key].map(Float.init) ?? .nan
                }
                continue
            }
            let vals = col.values
            if let map {
                for r in 0..<n {
                    let v = vals[r]
                    out[r * F + f] = v.isNaN ? .nan : (Int(v) < map.count && v >= 0 ? map[Int(v)] : .nan)
                }
            } else {
                for r in 0..<n { out[r * F + f] = vals[r] }
            }
        }
        return out
    }

    // MARK: - Prediction

    /// One traversal step from node `i` for the row at `x`; a leaf returns itself.
    @inline(__always)
    func step(_ i: Int, _ x: UnsafePointer<Float>, _ nodes: UnsafePointer<PackedNode>, _ words: UnsafePointer<UInt64>) -> Int {
        let nd = nodes[i]
        let v = x[Int(nd.feature)]
        // Bool -> 0/1 without branches (unpredictable comparisons would otherwise mispredict half the time)
        let isNaN = UInt32(unsafeBitCast(v.isNaN, to: UInt8.self))
        var goLeft: UInt32
        if nd.flags & 2 == 0 {
            goLeft = UInt32(unsafeBitCast(v <= nd.threshold, to: UInt8.self)) | (isNaN & nd.flags)
        } else if isNaN != 0 || !(v >= 0 && v < 1e9) {
            goLeft = nd.flags & 1  // missing or invalid category code: the missing direction
        } else {
            let b = min(Int(v), maxValueBins - 1)  // codes past 254 share the last bin, as in training
            let w = words[Int(nd.threshold.bitPattern) &* 4 &+ (b >> 6)]
            goLeft = UInt32(truncatingIfNeeded: (w >> UInt64(b & 63)) & 1)
        }
        return Int(nd.left) &+ Int(1 &- goLeft)
    }

    /// Lockstep traversal of up to `lanes` independent (node, row) chains until all reach leaves, so that
    /// memory latency and branch misses of different chains overlap.
    @inline(__always)
    func walk(_ count: Int, _ idx: UnsafeMutablePointer<Int>, _ rows: (Int) -> UnsafePointer<Float>,
              _ nodes: UnsafePointer<PackedNode>, _ words: UnsafePointer<UInt64>) {
        var moving = true
        while moving {
            moving = false
            for j in 0..<count {
                let i = idx[j]
                let n = step(i, rows(j), nodes, words)
                idx[j] = n
                moving = moving || n != i
            }
        }
    }

    static let lanes = 16

    /// Probabilities for one row of raw values in model feature order (categorical values are level codes
    /// of the model's levels; NaN = missing). Writes `classCount` values into `out`. No allocation.
    public func predictProbabilities(row: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count >= features.count && out.count >= classCount)
        let K = classCount
        for k in 0..<K { out[k] = 0 }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: ForestModel.lanes) { idxBuf in
            let idx = idxBuf.baseAddress!
            packed.withUnsafeBufferPointer { nodes in
                catWords.withUnsafeBufferPointer { words in
                    value.withUnsafeBufferPointer { vals in
                        treeRoots.withUnsafeBufferPointer { roots in
                            let wp = words.baseAddress ?? UnsafePointer(bitPattern: 8)!
                            let x = row.baseAddress!
                            var t = 0
                            while t < roots.count {
                                let g = min(ForestModel.lanes, roots.count - t)
                                for j in 0..<g { idx[j] = Int(roots[t + j]) }
                                walk(g, idx, { _ in x }, nodes.baseAddress!, wp)
                                for j in 0..<g {
                                    let l = idx[j]
                                    for k in 0..<K { out[k] += Double(vals[l &* K &+ k]) }
                                }
                                t += g
                            }
                        }
                    }
                }
            }
        }
        let inv = 1.0 / Double(treeRoots.count)
        for k in 0..<K { out[k] *= inv }
    }

    /// Probabilities for one row of raw values in model feature order.
    public func predictProbabilities(row: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: classCount)
        row.withUnsafeBufferPointer { r in out.withUnsafeMutableBufferPointer { predictProbabilities(row: r, into: $0) } }
        return out
    }

    /// Batch probabilities from a row-major matrix in model feature order.
    public func predictProbabilities(matrix: [Float], threads: Int = defaultThreadCount()) -> ProbabilityMatrix {
        let F = features.count, K = classCount
        let n = F == 0 ? 0 : matrix.count / F
        var out = [Double](repeating: 0, count: n * K)
        // Rows are processed in blocks, tree by tree, so that one tree stays in cache across a block.
        let block = max(1024, (n + max(threads, 1) - 1) / max(threads, 1))
        let blocks = (n + block - 1) / block
        let inv = 1.0 / Double(max(treeRoots.count, 1))
        out.withUnsafeMutableBufferPointer { ob in
            let o = SharedPointer(base: ob.baseAddress!)
            matrix.withUnsafeBufferPointer { mb in
                packed.withUnsafeBufferPointer { nodes in
                    catWords.withUnsafeBufferPointer { words in
                        value.withUnsafeBufferPointer { vals in
                            treeRoots.withUnsafeBufferPointer { roots in
                                let m = mb.baseAddress!, np = nodes.baseAddress!, vp = vals.baseAddress!
                                let wp = words.baseAddress ?? UnsafePointer(bitPattern: 8)!
                                parallelFor(blocks, threads: threads) { bi in
                                    let lo = bi * block, hi = min(n, lo + block)
                                    if !binNodes.isEmpty {
                                        predictBinnedBlock(m: m, lo: lo, hi: hi, F: F, K: K, roots: roots, vp: vp, out: o.base)
                                        for i in (lo * K)..<(hi * K) { o.base[i] *= inv }
                                        return
                                    }
                                    let numericOnly = !hasCategoricalSplits
                                    // Streaming lanes: each lane walks one row down the tree and takes the next
                                    // row as soon as it reaches a leaf, so independent walks overlap.
                                    let L = 8
                                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * L) { laneBuf in
                                        let laneNode = laneBuf.baseAddress!, laneRow = laneBuf.baseAddress! + L
                                        for rootIndex in roots {
                                            let root = Int(rootIndex)
                                            var nextRow = lo
                                            var active = 0
                                            for j in 0..<L {
                                                laneNode[j] = root
                                                if nextRow < hi { laneRow[j] = nextRow; nextRow += 1; active += 1 } else { laneRow[j] = -1 }
                                            }
                                            while active > 0 {
                                                for j in 0..<L {
                                                    let r = laneRow[j]
                                                    if r < 0 { continue }
                                                    let i = laneNode[j]
                                                    let nx: Int
                                                    if numericOnly {
                                                        let nd = np[i]
                                                        let v = (m + r &* F)[Int(nd.feature)]
                                                        let le = UInt32(unsafeBitCast(v <= nd.threshold, to: UInt8.self))
                                                        let nan = UInt32(unsafeBitCast(v.isNaN, to: UInt8.self))
                                                        nx = Int(nd.left) &+ Int(1 &- (le | (nan & nd.flags)))
                                                    } else {
                                                        nx = step(i, m + r &* F, np, wp)
                                                    }
                                                    if nx != i { laneNode[j] = nx; continue }
                                                    let dst = o.base + r &* K
                                                    for k in 0..<K { dst[k] += Double(vp[i &* K &+ k]) }
                                                    laneNode[j] = root
                                                    if nextRow < hi { laneRow[j] = nextRow; nextRow += 1 } else { laneRow[j] = -1; active -= 1 }
                                                }
                                            }
                                        }
                                    }
                                    for i in (lo * K)..<(hi * K) { o.base[i] *= inv }
                                }
                            }
                        }
                    }
                }
            }
        }
        return ProbabilityMatrix(rowCount: n, classCount: K, values: out)
    }

    /// Bins rows `lo..<hi` of the raw matrix to UInt8 codes and walks the 8-byte bin nodes.
    func predictBinnedBlock(m: UnsafePointer<Float>, lo: Int, hi: Int, F: Int, K: Int, roots: UnsafeBufferPointer<Int32>,
                            vp: UnsafePointer<Float>, out: UnsafeMutablePointer<Double>) {
        let rows = hi - lo
        let codes = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * F)
        defer { codes.deallocate() }
        flatEdges.withUnsafeBufferPointer { eb in
            edgeOffsets.withUnsafeBufferPointer { ob in
                for r in 0..<rows {
                    let x = m + (lo + r) * F
                    let c = codes + r * F
                    for f in 0..<F {
                        let v = x[f]
                        if v.isNaN { c[f] = missingBin; continue }
                        var a = ob[f], b = ob[f + 1]
                        while a < b {
                            let mid = (a + b) >> 1
                            if eb[mid] < v { a = mid + 1 } else { b = mid }
                        }
                        c[f] = UInt8(truncatingIfNeeded: a - ob[f])
                    }
                }
            }
        }
        binNodes.withUnsafeBufferPointer { nb in
            let nodes = nb.baseAddress!
            let L = 8
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * L) { laneBuf in
                let laneNode = laneBuf.baseAddress!, laneRow = laneBuf.baseAddress! + L
                for rootIndex in roots {
                    let root = Int(rootIndex)
                    var nextRow = 0
                    var active = 0
                    for j in 0..<L {
                        laneNode[j] = root
                        if nextRow < rows { laneRow[j] = nextRow; nextRow += 1; active += 1 } else { laneRow[j] = -1 }
                    }
                    while active > 0 {
                        for j in 0..<L {
                            let r = laneRow[j]
                            if r < 0 { continue }
                            let i = laneNode[j]
                            let nd = nodes[i]
                            let b = codes[r &* F &+ Int(nd.feature)] &+ nd.add
                            // branch-free "b > t": the subtraction wraps (high bit set) exactly when b > t
                            let nx = Int(nd.left) &+ Int((UInt32(nd.t) &- UInt32(b)) >> 31)
                            if nx != i { laneNode[j] = nx; continue }
                            let dst = out + (lo &+ r) &* K
                            for k in 0..<K { dst[k] += Double(vp[i &* K &+ k]) }
                            laneNode[j] = root
                            if nextRow < rows { laneRow[j] = nextRow; nextRow += 1 } else { laneRow[j] = -1; active -= 1 }
                        }
                    }
                }
            }
        }
    }

    /// Batch class probabilities for a table (columns matched by name).
    public func predictProbabilities(_ table: DataTable, threads: Int = defaultThreadCount()) throws -> ProbabilityMatrix {
        predictProbabilities(matrix: try rowMatrix(table), threads: threads)
    }

    /// Calibrated probabilities when a calibrator is attached, else the forest's probabilities.
    public func predictCalibratedProbabilities(_ table: DataTable) throws -> ProbabilityMatrix {
        let p = try predictProbabilities(table)
        guard let calibrator else { return p }
        return calibrator.apply(p)
    }

    /// Predicted class labels.
    public func predict(_ table: DataTable, threads: Int = defaultThreadCount()) throws -> [String] {
        try predictProbabilities(table, threads: threads).argmax().map { classes[$0] }
    }

    // MARK: - Binned traversal (training data)

    func binnedLeaf(root: Int, bins: UnsafePointer<UInt8>, rowCount n: Int, row r: Int) -> Int {
        var i = root
        while feature[i] >= 0 {
            let f = Int(feature[i])
            let b = bins[f * n + r]
            let goLeft: Bool
            if b == missingBin {
                goLeft = missingLeft[i] != 0
            } else if catIndex[i] >= 0 {
                goLeft = (catWords[Int(catIndex[i]) * 4 + Int(b >> 6)] >> UInt64(b & 63)) & 1 != 0
            } else {
                goLeft = b <= binThreshold[i]
            }
            i = Int(left[i]) + (goLeft ? 0 : 1)
        }
        return i
    }

    // MARK: - Explanations (TreeSHAP)

    private struct PathElement {
        var feature: Int
        var zero: Double
        var one: Double
        var weight: Double
    }

    @inline(__always)
    private func goesLeft(_ i: Int, _ x: UnsafePointer<Float>) -> Bool {
        let v = x[Int(feature[i])]
        if v.isNaN { return missingLeft[i] != 0 }
        if catIndex[i] >= 0 {
            if !(v >= 0 && v < 1e9) { return missingLeft[i] != 0 }
            let b = min(Int(v), maxValueBins - 1)
            return (catWords[Int(catIndex[i]) * 4 + (b >> 6)] >> UInt64(b & 63)) & 1 != 0
        }
        return v <= threshold[i]
    }

    private static func extend(_ p: UnsafeMutablePointer<PathElement>, _ depth: Int, _ zero: Double, _ one: Double, _ f: Int) {
        p[depth] = PathElement(feature: f, zero: zero, one: one, weight: depth == 0 ? 1 : 0)
        var i = depth - 1
        while i >= 0 {
            p[i + 1].weight += one * p[i].weight * Double(i + 1) / Double(depth + 1)
            p[i].weight = zero * p[i].weight * Double(depth - i) / Double(depth + 1)
            i -= 1
        }
    }

    private static func unwind(_ p: UnsafeMutablePointer<PathElement>, _ depth: Int, _ index: Int) {
        let one = p[index].one, zero = p[index].zero
        var next = p[depth].weight
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let tmp = p[i].weight
                p[i].weight = next * Double(depth + 1) / (Double(i + 1) * one)
                next = tmp - p[i].weight * zero * Double(depth - i) / Double(depth + 1)
            } else {
                p[i].weight = p[i].weight * Double(depth + 1) / (zero * Double(depth - i))
            }
            i -= 1
        }
        for j in index..<depth {
            p[j].feature = p[j + 1].feature; p[j].zero = p[j + 1].zero; p[j].one = p[j + 1].one
        }
    }

    private static func unwoundSum(_ p: UnsafeMutablePointer<PathElement>, _ depth: Int, _ index: Int) -> Double {
        let one = p[index].one, zero = p[index].zero
        var next = p[depth].weight
        var total = 0.0
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let tmp = next * Double(depth + 1) / (Double(i + 1) * one)
                total += tmp
                next = p[i].weight - tmp * zero * (Double(depth - i) / Double(depth + 1))
            } else {
                total += (p[i].weight / zero) / (Double(depth - i) / Double(depth + 1))
            }
            i -= 1
        }
        return total
    }

    private func treeShap(node: Int, depth: Int, parentPath: UnsafeMutablePointer<PathElement>,
                          zero: Double, one: Double, parentFeature: Int,
                          x: UnsafePointer<Float>, phi: UnsafeMutablePointer<Double>) {
        let K = classCount
        let path = parentPath + depth + 1
        path.update(from: parentPath, count: depth + 1)
        var depth = depth
        ForestModel.extend(path, depth, zero, one, parentFeature)
        if feature[node] < 0 {
            if depth >= 1 {
                for i in 1...depth {
                    let w = ForestModel.unwoundSum(path, depth, i)
                    let el = path[i]
                    let scale = w * (el.one - el.zero)
                    for k in 0..<K { phi[el.feature * K + k] += scale * Double(value[node * K + k]) }
                }
            }
            return
        }
        let l = Int(left[node])
        let (hot, cold) = goesLeft(node, x) ? (l, l + 1) : (l + 1, l)
        let w = Double(cover[node])
        let hotZero = w > 0 ? Double(cover[hot]) / w : 0
        let coldZero = w > 0 ? Double(cover[cold]) / w : 0
        var inZero = 1.0, inOne = 1.0
        let split = Int(feature[node])
        var k = 0
        while k <= depth {
            if path[k].feature == split { break }
            k += 1
        }
        if k != depth + 1 {
            inZero = path[k].zero; inOne = path[k].one
            ForestModel.unwind(path, depth, k)
            depth -= 1
        }
        treeShap(node: hot, depth: depth + 1, parentPath: path, zero: hotZero * inZero, one: inOne,
                 parentFeature: split, x: x, phi: phi)
        treeShap(node: cold, depth: depth + 1, parentPath: path, zero: coldZero * inZero, one: 0,
                 parentFeature: split, x: x, phi: phi)
    }

    /// Expected value (base value) of the forest per class: the cover-weighted mean of each tree's leaves.
    public var expectedValue: [Double] {
        let K = classCount
        var e = [Double](repeating: 0, count: K)
        for root in treeRoots { for k in 0..<K { e[k] += Double(value[Int(root) * K + k]) } }
        return e.map { $0 / Double(treeRoots.count) }
    }

    /// TreeSHAP explanation of one row of raw values in model feature order.
    public func explain(row: [Float]) -> Explanation {
        let K = classCount, F = features.count
        var phi = [Double](repeating: 0, count: (F + 1) * K)  // extra slot for the root pseudo-feature
        let d = maxTreeDepth + 2
        let pathSize = (d + 1) * (d + 2) / 2 + d + 2
        let path = UnsafeMutablePointer<PathElement>.allocate(capacity: pathSize)
        defer { path.deallocate() }
        row.withUnsafeBufferPointer { xb in
            phi.withUnsafeMutableBufferPointer { pb in
                // feature index F stands for "no feature" (the root element, never credited)
                for root in treeRoots {
                    treeShap(node: Int(root), depth: 0, parentPath: path, zero: 1, one: 1, parentFeature: F,
                             x: xb.baseAddress!, phi: pb.baseAddress!)
                }
            }
        }
        let inv = 1.0 / Double(treeRoots.count)
        let contributions = (0..<F).map { f in (0..<K).map { phi[f * K + $0] * inv } }
        return Explanation(classes: classes, featureNames: featureNames, expectedValue: expectedValue,
                           contributions: contributions, probabilities: predictProbabilities(row: row))
    }

    /// Path attribution (Saabas; "treeinterpreter"): along each tree's decision path, the change in the node's class
    /// distribution is credited to the split feature. O(depth) per tree — for bulk work such as screening millions of
    /// rows, where exact TreeSHAP (which visits every node) is too slow. Contributions still sum to the prediction
    /// minus the expected value, but unlike TreeSHAP they depend on the order of splits.
    public func explainPath(row: [Float]) -> Explanation {
        let K = classCount, F = features.count
        var phi = [Double](repeating: 0, count: F * K)
        row.withUnsafeBufferPointer { xb in
            let x = xb.baseAddress!
            for root in treeRoots {
                var node = Int(root)
                while feature[node] >= 0 {
                    let l = Int(left[node])
                    let next = goesLeft(node, x) ? l : l + 1
                    let f = Int(feature[node])
                    for k in 0..<K { phi[f * K + k] += Double(value[next * K + k]) - Double(value[node * K + k]) }
                    node = next
                }
            }
        }
        let inv = 1.0 / Double(treeRoots.count)
        let contributions = (0..<F).map { f in (0..<K).map { phi[f * K + $0] * inv } }
        return Explanation(classes: classes, featureNames: featureNames, expectedValue: expectedValue,
                           contributions: contributions, probabilities: predictProbabilities(row: row))
    }

    /// TreeSHAP explanations for every row of a table.
    public func explain(_ table: DataTable) throws -> [Explanation] {
        let m = try rowMatrix(table)
        let F = features.count
        return (0..<table.rowCount).map { r in explain(row: Array(m[(r * F)..<((r + 1) * F)])) }
    }

    // MARK: - Importances

    /// Permutation importance: mean drop in accuracy when one feature's column is shuffled, per feature.
    public func permutationImportance(_ table: DataTable, labels: [String], repeats: Int = 5, seed: UInt64 = 0) throws -> [Double] {
        let m = try rowMatrix(table)
        let F = features.count, n = table.rowCount
        var idx: [String: Int] = [:]
        for (i, c) in classes.enumerated() { idx[c] = i }
        let y = labels.map { idx[$0] ?? -1 }
        func accuracy(_ mat: [Float]) -> Double {
            let pred = predictProbabilities(matrix: mat).argmax()
            var ok = 0
            for i in 0..<n where pred[i] == y[i] { ok += 1 }
            return n == 0 ? 0 : Double(ok) / Double(n)
        }
        let base = accuracy(m)
        var result = [Double](repeating: 0, count: F)
        var rng = SeededGenerator(seed: seed)
        for f in 0..<F {
            var total = 0.0
            for _ in 0..<repeats {
                var perm = Array(0..<n)
                perm.shuffle(using: &rng)
                var mm = m
                for r in 0..<n { mm[r * F + f] = m[perm[r] * F + f] }
                total += base - accuracy(mm)
            }
            result[f] = total / Double(max(repeats, 1))
        }
        return result
    }

    /// A copy of the model with an isotonic calibrator fitted on held-out rows.
    public func calibrated(on table: DataTable, labels: [String]) throws -> ForestModel {
        try calibrated(probabilities: try predictProbabilities(table), labels: labels)
    }

    /// Attaches an isotonic calibration map fitted on given probabilities (e.g. out-of-bag ones) and their labels;
    /// rows with NaN probabilities are skipped.
    public func calibrated(probabilities given: ProbabilityMatrix, labels: [String]) throws -> ForestModel {
        var keep: [Int] = []
        for r in 0..<given.rowCount where !given[r, 0].isNaN { keep.append(r) }
        let p = ProbabilityMatrix(rowCount: keep.count, classCount: given.classCount,
                                  values: keep.flatMap { given.row($0) })
        let labels = keep.map { labels[$0] }
        var idx: [String: Int] = [:]
        for (i, c) in classes.enumerated() { idx[c] = i }
        let y = try labels.map { l -> Int in
            guard let i = idx[l] else { throw DataError.invalidLabels("unknown class '\(l)'") }
            return i
        }
        var copy = self
        copy.calibrator = IsotonicCalibrator.fit(probabilities: p, labels: y)
        return copy
    }
}
