import Foundation

/// Optimal linear assignment (minimum-cost bipartite matching) on a dense, possibly
/// rectangular cost matrix.
///
/// The solver is the shortest-augmenting-path form of Jonker–Volgenant described by
/// Crouse (2016), the same algorithm (and tie-breaking) as `scipy.optimize.linear_sum_assignment`:
/// rows are augmented in order; among equal reduced costs an unassigned column is preferred.
public enum LinearAssignment {
    /// A row-major cost matrix.
    public struct Matrix: Sendable {
        public var rows: Int
        public var cols: Int
        public var values: [Double]

        public init(rows: Int, cols: Int, values: [Double]) {
            precondition(values.count == rows * cols, "matrix size mismatch")
            self.rows = rows
            self.cols = cols
            self.values = values
        }

        public init(_ nested: [[Double]]) {
            rows = nested.count
            cols = nested.first?.count ?? 0
            values = nested.flatMap { $0 }
            precondition(values.count == rows * cols, "ragged matrix")
        }

        public subscript(r: Int, c: Int) -> Double {
            get { values[r * cols + c] }
            set { values[r * cols + c] = newValue }
        }
    }

    /// Result of a thresholded assignment.
    public struct Result: Sendable, Equatable {
        public var matches: [(row: Int, col: Int)]
        public var unmatchedRows: [Int]
        public var unmatchedCols: [Int]

        public static func == (a: Result, b: Result) -> Bool {
            a.matches.map { [$0.row, $0.col] } == b.matches.map { [$0.row, $0.col] }
                && a.unmatchedRows == b.unmatchedRows && a.unmatchedCols == b.unmatchedCols
        }
    }

    /// Minimum-cost assignment of `min(rows, cols)` pairs. All costs must be finite.
    /// Returns pairs sorted by row index (like scipy). Entries that are not finite are treated
    /// as forbidden: they are replaced with a large constant (py-motmetrics `add_expensive_edges`)
    /// and dropped from the answer.
    public static func solve(_ cost: Matrix) -> [(row: Int, col: Int)] {
        if cost.rows == 0 || cost.cols == 0 { return [] }
        var finite = cost.values
        var anyInvalid = false
        var maxAbs = 0.0
        var anyValid = false
        for v in finite {
            if v.isFinite { maxAbs = max(maxAbs, abs(v)); anyValid = true } else { anyInvalid = true }
        }
        if anyInvalid {
            if !anyValid { return [] }
            let r = Double(min(cost.rows, cost.cols))
            let big = 2 * r * (maxAbs + 1) + 1
            for k in finite.indices where !finite[k].isFinite { finite[k] = big }
        }
        let pairs = solveFinite(rows: cost.rows, cols: cost.cols, cost: finite)
        if !anyInvalid { return pairs }
        return pairs.filter { cost[$0.row, $0.col].isFinite }
    }

    /// Assignment with a cost threshold: pairs whose cost exceeds `threshold` are forbidden
    /// (treated as missing edges, so the number of admissible matches is maximised first and
    /// the total cost second); rows and columns left over are reported as unmatched.
    public static func assign(_ cost: Matrix, threshold: Double) -> Result {
        var gated = cost
        for k in gated.values.indices where !(gated.values[k] <= threshold) { gated.values[k] = .infinity }
        let pairs = solve(gated)
        var rowUsed = [Bool](repeating: false, count: cost.rows)
        var colUsed = [Bool](repeating: false, count: cost.cols)
        for p in pairs {
            rowUsed[p.row] = true
            colUsed[p.col] = true
        }
        return Result(matches: pairs,
                      unmatchedRows: (0..<cost.rows).filter { !rowUsed[$0] },
                      unmatchedCols: (0..<cost.cols).filter { !colUsed[$0] })
    }

    /// Core solver on a finite row-major matrix (scipy `rectangular_lsap` port).
    static func solveFinite(rows nrIn: Int, cols ncIn: Int, cost costIn: [Double]) -> [(row: Int, col: Int)] {
        let transpose = ncIn < nrIn
        let nr = transpose ? ncIn : nrIn
        let nc = transpose ? nrIn : ncIn
        var cost = costIn
        if transpose {
            cost = [Double](repeating: 0, count: nr * nc)
            for i in 0..<nrIn {
                for j in 0..<ncIn { cost[j * nc + i] = costIn[i * ncIn + j] }
            }
        }
        var u = [Double](repeating: 0, count: nr)
        var v = [Double](repeating: 0, count: nc)
        var shortest = [Double](repeating: .infinity, count: nc)
        var path = [Int](repeating: -1, count: nc)
        var col4row = [Int](repeating: -1, count: nr)
        var row4col = [Int](repeating: -1, count: nc)
        var sr = [Bool](repeating: false, count: nr)
        var sc = [Bool](repeating: false, count: nc)
        var remaining = [Int](repeating: 0, count: nc)

        for curRow in 0..<nr {
            // Dijkstra-like search for the shortest augmenting path from curRow.
            var minVal = 0.0
            var i = curRow
            var numRemaining = nc
            for it in 0..<nc { remaining[it] = nc - it - 1 }
            for k in 0..<nr { sr[k] = false }
            for k in 0..<nc {
                sc[k] = false
                shortest[k] = .infinity
            }
            var sink = -1
            while sink == -1 {
                var index = -1
                var lowest = Double.infinity
                sr[i] = true
                let base = i * nc
                for it in 0..<numRemaining {
                    let j = remaining[it]
                    let r = minVal + cost[base + j] - u[i] - v[j]
                    if r < shortest[j] {
                        path[j] = i
                        shortest[j] = r
                    }
                    if shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1) {
                        lowest = shortest[j]
                        index = it
                    }
                }
                minVal = lowest
                if index < 0 || !minVal.isFinite { return [] } // infeasible (cannot happen for finite input)
                let j = remaining[index]
                if row4col[j] == -1 { sink = j } else { i = row4col[j] }
                sc[j] = true
                numRemaining -= 1
                remaining[index] = remaining[numRemaining]
            }
            // Update dual variables.
            u[curRow] += minVal
            for k in 0..<nr where sr[k] && k != curRow { u[k] += minVal - shortest[col4row[k]] }
            for k in 0..<nc where sc[k] { v[k] -= minVal - shortest[k] }
            // Augment along the path.
            var j = sink
            while true {
                let r = path[j]
                row4col[j] = r
                let tmp = col4row[r]
                col4row[r] = j
                j = tmp
                if r == curRow { break }
            }
        }
        if transpose {
            var pairs: [(row: Int, col: Int)] = []
            pairs.reserveCapacity(nr)
            for r in 0..<nr { pairs.append((row: col4row[r], col: r)) }
            pairs.sort { $0.row < $1.row }
            return pairs
        }
        return (0..<nr).map { (row: $0, col: col4row[$0]) }
    }
}
