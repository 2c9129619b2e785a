import AqylKit
import Foundation

/// A square grid on a plane: `columns × rows` cells of side `cell`, the lower-left corner of cell (0, 0) at
/// (`originX`, `originY`). Cells are half-open, [x0, x0 + cell) × [y0, y0 + cell); cell index = row · columns + column.
public struct RegularGrid: Sendable, Equatable, Codable {
    public var originX: Double
    public var originY: Double
    public var cell: Double
    public var columns: Int
    public var rows: Int

    public init(originX: Double, originY: Double, cell: Double, columns: Int, rows: Int) {
        self.originX = originX
        self.originY = originY
        self.cell = cell
        self.columns = columns
        self.rows = rows
    }

    /// The smallest grid aligned to multiples of `cell` (cell corners at integer multiples of `cell`) that covers
    /// the points' bounding box; nil for no points or a non-positive cell.
    public static func covering(x: [Double], y: [Double], cell: Double, maxCells: Int = 50_000_000) -> RegularGrid? {
        guard cell > 0, !x.isEmpty, x.count == y.count else { return nil }
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in x.indices {
            minX = min(minX, x[i]); maxX = max(maxX, x[i])
            minY = min(minY, y[i]); maxY = max(maxY, y[i])
        }
        let ox = (minX / cell).rounded(.down) * cell
        let oy = (minY / cell).rounded(.down) * cell
        let cols = Int(((maxX - ox) / cell).rounded(.down)) + 1
        let rows = Int(((maxY - oy) / cell).rounded(.down)) + 1
        guard cols > 0, rows > 0, cols <= maxCells / max(rows, 1) else { return nil }
        return RegularGrid(originX: ox, originY: oy, cell: cell, columns: cols, rows: rows)
    }

    public var count: Int { columns * rows }

    @inline(__always)
    public func column(_ x: Double) -> Int { Int(((x - originX) / cell).rounded(.down)) }
    @inline(__always)
    public func row(_ y: Double) -> Int { Int(((y - originY) / cell).rounded(.down)) }

    /// Index of the cell holding (x, y), nil outside the grid.
    @inline(__always)
    public func index(x: Double, y: Double) -> Int? {
        guard x.isFinite, y.isFinite else { return nil }
        let c = column(x), r = row(y)
        guard c >= 0, c < columns, r >= 0, r < rows else { return nil }
        return r * columns + c
    }

    /// (x_min, y_min, x_max, y_max) of a cell.
    public func bounds(_ index: Int) -> (xMin: Double, yMin: Double, xMax: Double, yMax: Double) {
        let c = index % columns, r = index / columns
        let x0 = originX + Double(c) * cell, y0 = originY + Double(r) * cell
        return (x0, y0, x0 + cell, y0 + cell)
    }

    public func centre(_ index: Int) -> (x: Double, y: Double) {
        let b = bounds(index)
        return ((b.xMin + b.xMax) / 2, (b.yMin + b.yMax) / 2)
    }
}

/// Densities of weighted points integrated over the cells of a grid.
public enum GridDensity {
    /// Σ w_i over the points in each cell (points outside the grid are dropped).
    public static func counts(grid: RegularGrid, x: [Double], y: [Double], weights: [Double]? = nil) -> [Double] {
        var out = [Double](repeating: 0, count: grid.count)
        for i in x.indices {
            if let k = grid.index(x: x[i], y: y[i]) { out[k] += weights?[i] ?? 1 }
        }
        return out
    }

    /// Σ_i w_i ∫_cell N(u; (x_i, y_i), h²·I) du for every cell: an isotropic Gaussian kernel density integrated
    /// exactly over each square cell. The Gaussian is separable, so each point's cell masses are the outer product of
    /// two vectors of normal-CDF differences; the kernel is truncated at `truncation`·h (mass beyond 4h is < 7e-5 per
    /// axis). A point outside the grid still contributes the part of its kernel that falls on the grid.
    ///
    /// When `binnedAbove` ≤ h / cell (default: from one cell up) the points are first binned to their cells and the
    /// binned counts convolved with the cell-integrated kernel of a point at a cell centre (linear binning's
    /// cheaper cousin, "simple binning": Wand 1994, J. Comput. Graph. Stat. 3); each point then moves by at most
    /// half a cell, which shifts mass by a fraction of order (cell / 2h)² of it. Cost: grid × kernel width instead
    /// of points × kernel area.
    public static func gaussianCellMass(grid: RegularGrid, x: [Double], y: [Double], weights: [Double]? = nil,
                                        bandwidth h: Double, truncation: Double = 4, threads: Int = 1,
                                        binnedAbove: Double = 1) -> [Double] {
        let n = x.count
        let cells = grid.count
        guard n > 0, cells > 0 else { return [Double](repeating: 0, count: cells) }
        guard h > 0 else { return counts(grid: grid, x: x, y: y, weights: weights) }
        if h / grid.cell >= binnedAbove {
            return binnedGaussian(grid: grid, binned: counts(grid: grid, x: x, y: y, weights: weights), bandwidth: h,
                                  truncation: truncation, threads: threads)
        }
        let radius = max(1, Int((truncation * h / grid.cell).rounded(.up)) + 1)
        let chunks = max(1, min(threads, n / 2_000 + 1))
        var partials = [[Double]](repeating: [], count: chunks)
        let per = (n + chunks - 1) / chunks
        let slots = Slots<[Double]>(count: chunks)
        parallelFor(chunks, threads: chunks) { chunk in
            var acc = [Double](repeating: 0, count: cells)
            var wx = [Double](repeating: 0, count: 2 * radius + 2)
            var wy = [Double](repeating: 0, count: 2 * radius + 2)
            let scale = 1 / (h * 2.0.squareRoot())
            let lo = chunk * per, hi = min(n, lo + per)
            if lo < hi {
                for i in lo..<hi {
                    let w = weights?[i] ?? 1
                    if w == 0 { continue }
                    let cx = grid.column(x[i]), cy = grid.row(y[i])
                    let c0 = max(0, cx - radius), c1 = min(grid.columns - 1, cx + radius)
                    let r0 = max(0, cy - radius), r1 = min(grid.rows - 1, cy + radius)
                    if c0 > c1 || r0 > r1 { continue }
                    // Normal CDF at successive cell edges; differences are the per-axis masses.
                    var prev = 0.5 * erfc(-((grid.originX + Double(c0) * grid.cell) - x[i]) * scale)
                    for c in c0...c1 {
                        let next = 0.5 * erfc(-((grid.originX + Double(c + 1) * grid.cell) - x[i]) * scale)
                        wx[c - c0] = next - prev
                        prev = next
                    }
                    prev = 0.5 * erfc(-((grid.originY + Double(r0) * grid.cell) - y[i]) * scale)
                    for r in r0...r1 {
                        let next = 0.5 * erfc(-((grid.originY + Double(r + 1) * grid.cell) - y[i]) * scale)
                        wy[r - r0] = (next - prev) * w
                        prev = next
                    }
                    acc.withUnsafeMutableBufferPointer { a in
                        for r in r0...r1 {
                            let vy = wy[r - r0]
                            if vy < 1e-12 * abs(w) { continue }
                            let base = r * grid.columns
                            for c in c0...c1 { a[base + c] += vy * wx[c - c0] }
                        }
                    }
                }
            }
            slots.set(chunk, acc)
        }
        partials = slots.values()
        var out = partials[0]
        if chunks > 1 {
            for k in 1..<chunks {
                let p = partials[k]
                for i in 0..<cells { out[i] += p[i] }
            }
        }
        return out
    }

    /// Separable convolution of per-cell weights with the cell-integrated Gaussian of a point at a cell centre.
    public static func binnedGaussian(grid: RegularGrid, binned: [Double], bandwidth h: Double, truncation: Double = 4,
                                      threads: Int = 1) -> [Double] {
        let radius = max(1, Int((truncation * h / grid.cell).rounded(.up)))
        var kernel = [Double](repeating: 0, count: 2 * radius + 1)
        let s = grid.cell / (h * 2.0.squareRoot())
        for m in -radius...radius {
            kernel[m + radius] = 0.5 * (erfc(-(Double(m) + 0.5) * s) - erfc(-(Double(m) - 0.5) * s))
        }
        let cols = grid.columns, rows = grid.rows
        // Along x, row by row (rows with no weight are skipped).
        var pass = [Double](repeating: 0, count: binned.count)
        let rowSlots = Slots<[Double]?>(count: rows)
        parallelFor(rows, threads: threads) { r in
            let base = r * cols
            var any = false
            for c in 0..<cols where binned[base + c] != 0 { any = true; break }
            guard any else { rowSlots.set(r, nil); return }
            var out = [Double](repeating: 0, count: cols)
            for c in 0..<cols {
                let v = binned[base + c]
                if v == 0 { continue }
                let lo = max(0, c - radius), hi = min(cols - 1, c + radius)
                for t in lo...hi { out[t] += v * kernel[t - c + radius] }
            }
            rowSlots.set(r, out)
        }
        for (r, row) in rowSlots.values().enumerated() {
            guard let row else { continue }
            for c in 0..<cols { pass[r * cols + c] = row[c] }
        }
        // Along y, column by column.
        var out = [Double](repeating: 0, count: binned.count)
        let colSlots = Slots<[Double]>(count: cols)
        parallelFor(cols, threads: threads) { c in
            var col = [Double](repeating: 0, count: rows)
            for r in 0..<rows {
                let v = pass[r * cols + c]
                if v == 0 { continue }
                let lo = max(0, r - radius), hi = min(rows - 1, r + radius)
                for t in lo...hi { col[t] += v * kernel[t - r + radius] }
            }
            colSlots.set(c, col)
        }
        for (c, col) in colSlots.values().enumerated() {
            for r in 0..<rows { out[r * cols + c] = col[r] }
        }
        return out
    }
}
