import AqylKit
import Foundation

/// Bin code reserved for missing values. Value bins are 0...254.
@usableFromInline let missingBin: UInt8 = 255
/// Largest number of value bins per feature.
public let maxValueBins = 255

/// Description of one model feature: name, type and (numeric) bin edges learned on the training data.
public struct FeatureInfo: Sendable, Equatable {
    public var name: String
    public var kind: FeatureKind
    /// Numeric features: ascending upper edges; bin `b` holds values `v <= edges[b]` (and `> edges[b-1]`);
    /// the last bin (index `edges.count`) is unbounded. Empty for categorical features.
    public var edges: [Float]

    public var binCount: Int { kind.isCategorical ? min(kind.levels.count, maxValueBins) : edges.count + 1 }

    @inline(__always)
    func bin(_ v: Float) -> UInt8 {
        if v.isNaN { return missingBin }
        if kind.isCategorical {
            if v < 0 || v >= Float(kind.levels.count) { return missingBin }
            return UInt8(min(Int(v), maxValueBins - 1))
        }
        // lower bound: first edge >= v
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if edges[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return UInt8(lo)
    }

    /// Quantile bin edges (at most `maxBins` bins) computed on the non-missing values.
    static func computeEdges(_ values: [Float], maxBins: Int) -> [Float] {
        var v = values.filter { !$0.isNaN }
        if v.isEmpty { return [] }
        v.sort()
        // distinct values with counts
        var uniq: [Float] = []
        var counts: [Int] = []
        for x in v {
            if let last = uniq.last, last == x { counts[counts.count - 1] += 1 } else { uniq.append(x); counts.append(1) }
        }
        @inline(__always) func mid(_ a: Float, _ b: Float) -> Float {
            let m = a + (b - a) / 2
            return (m >= b || m < a) ? a : m
        }
        var edges: [Float] = []
        if uniq.count <= maxBins {
            for i in 0..<(uniq.count - 1) { edges.append(mid(uniq[i], uniq[i + 1])) }
            return edges
        }
        let total = Double(v.count)
        var cum = 0.0
        var nextTarget = total / Double(maxBins)
        for i in 0..<(uniq.count - 1) {
            cum += Double(counts[i])
            if cum >= nextTarget {
                edges.append(mid(uniq[i], uniq[i + 1]))
                if edges.count == maxBins - 1 { break }
                // re-spread the remaining bins over the remaining values
                let remainingBins = Double(maxBins - edges.count)
                nextTarget = cum + (total - cum) / remainingBins
            }
        }
        return edges
    }
}

/// Training data binned to UInt8 codes, stored column by column.
struct BinnedData: @unchecked Sendable {
    let rowCount: Int
    let featureCount: Int
    /// `bins[f * rowCount + r]`
    let bins: [UInt8]
    let categorical: [Bool]

    init(table: DataTable, features: [FeatureInfo], threads: Int) {
        rowCount = table.rowCount
        featureCount = features.count
        categorical = features.map { $0.kind.isCategorical }
        var out = [UInt8](repeating: missingBin, count: rowCount * featureCount)
        let n = rowCount
        out.withUnsafeMutableBufferPointer { buf in
            let p = SharedPointer(base: buf.baseAddress!)
            parallelFor(features.count, threads: threads) { f in
                let info = features[f]
                let col = table.columns[f].values
                let dst = p.base + f * n
                for r in 0..<n { dst[r] = info.bin(col[r]) }
            }
        }
        bins = out
    }
}
