import Foundation
import Testing
@testable import AqylML

private func totalCost(_ m: [[Double]], _ pairs: [(row: Int, col: Int)]) -> Double {
    pairs.reduce(0) { $0 + m[$1.row][$1.col] }
}

/// Brute force minimum over all injective row→column maps (rows ≤ cols).
private func bruteForce(_ m: [[Double]]) -> Double {
    let r = m.count, c = m[0].count
    var best = Double.infinity
    func go(_ i: Int, _ used: inout [Bool], _ acc: Double) {
        if i == r { best = min(best, acc); return }
        for j in 0..<c where !used[j] {
            used[j] = true
            go(i + 1, &used, acc + m[i][j])
            used[j] = false
        }
    }
    var used = [Bool](repeating: false, count: c)
    go(0, &used, 0)
    return best
}

@Test func hungarianSquareHandCase() {
    // Optimal: (0,1)=1 + (1,0)=2 + (2,2)=2 = 5.
    let m: [[Double]] = [[4, 1, 3], [2, 0, 5], [3, 2, 2]]
    let p = LinearAssignment.solve(.init(m))
    #expect(p.map { [$0.row, $0.col] } == [[0, 1], [1, 0], [2, 2]])
    #expect(totalCost(m, p) == 5)
}

@Test func hungarianRectangularWide() {
    // 2×3: (0,1)+(1,0) = 2+2 = 4 beats (0,0)+(1,1) = 1+4 = 5.
    let m: [[Double]] = [[1, 2, 3], [2, 4, 6]]
    let p = LinearAssignment.solve(.init(m))
    #expect(p.map { [$0.row, $0.col] } == [[0, 1], [1, 0]])
}

@Test func hungarianRectangularTall() {
    // 3×2: only two rows can be assigned; best is (0,1)+(1,0) = 4, row 2 unassigned.
    let m: [[Double]] = [[1, 2], [2, 4], [3, 6]]
    let p = LinearAssignment.solve(.init(m))
    #expect(p.map { [$0.row, $0.col] } == [[0, 1], [1, 0]])
    #expect(totalCost(m, p) == 4)
}

@Test func hungarianMatchesBruteForceOnRandomMatrices() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<200 {
        let r = Int.random(in: 1...5, using: &rng), c = Int.random(in: r...6, using: &rng)
        let m = (0..<r).map { _ in (0..<c).map { _ in Double(Int.random(in: 0...9, using: &rng)) } }
        let p = LinearAssignment.solve(.init(m))
        #expect(p.count == r)
        #expect(Set(p.map(\.col)).count == r)
        #expect(totalCost(m, p) == bruteForce(m))
        // Transposed problem has the same optimum.
        let t = (0..<c).map { j in (0..<r).map { i in m[i][j] } }
        #expect(totalCost(t, LinearAssignment.solve(.init(t))) == bruteForce(m))
    }
}

@Test func thresholdedAssignmentLeavesExpensivePairsUnmatched() {
    let m: [[Double]] = [[0.1, 0.9], [0.8, 0.95]]
    let a = LinearAssignment.assign(.init(m), threshold: 0.5)
    #expect(a.matches.map { [$0.row, $0.col] } == [[0, 0]])
    #expect(a.unmatchedRows == [1])
    #expect(a.unmatchedCols == [1])
    // Gating maximises admissible matches first: (0,1)+(1,0) both ≤ 0.6 beats the cheap (0,0) alone.
    let g = LinearAssignment.assign(.init([[0.0, 0.5], [0.6, 0.9]]), threshold: 0.6)
    #expect(g.matches.map { [$0.row, $0.col] } == [[0, 1], [1, 0]])
}

@Test func iouHandValues() {
    let a = BoundingBox(x: 0, y: 0, w: 10, h: 10)
    #expect(a.iou(a) == 1)
    #expect(a.iou(BoundingBox(x: 5, y: 0, w: 10, h: 10)) == 50.0 / 150.0)
    #expect(a.iou(BoundingBox(x: 10, y: 0, w: 10, h: 10)) == 0)
}

@Test func constantVelocityFilterLearnsVelocity() {
    var f = ConstantVelocity1D(position: 0, positionVariance: 10, velocityVariance: 10_000)
    for t in 1...30 {
        f.predict(qPosition: 0.01, qVelocity: 0.0001)
        f.update(measurement: Double(2 * t), variance: 1)
    }
    #expect(abs(f.velocity - 2) < 0.05)
    #expect(abs(f.position - 60) < 0.5)
    let before = f.p00
    f.predict(qPosition: 0.01, qVelocity: 0.0001)
    #expect(abs(f.position - 62) < 0.5)   // moved by the learned velocity
    #expect(f.p00 > before)               // prediction adds uncertainty
}

@Test func boxKalmanPredictAndUpdate() {
    var k = BoxKalmanFilter(box: BoundingBox(x: 100, y: 50, w: 40, h: 100))
    k.predict()
    // Zero initial velocity: the predicted box is unchanged.
    #expect(abs(k.box.cx - 120) < 1e-9 && abs(k.box.h - 100) < 1e-9)
    let p = k.axes[0].p00
    k.update(box: BoundingBox(x: 110, y: 50, w: 40, h: 100))
    // The estimate moves toward the measurement but not past it, and uncertainty shrinks.
    #expect(k.box.cx > 120 && k.box.cx < 130)
    #expect(k.axes[0].p00 < p)
    #expect(k.axes[0].velocity > 0)
}

@Test func sortKalmanMatchesDenseFilterpyFirstStep() {
    // filterpy, SORT settings, init at z=(cx=20, cy=50, s=4000, r=0.4), predict, update z'=(22, 50, 4000, 0.4):
    // P_pred[0,0] = 10 + 10000 + 1 = 10011; K = 10011/10012, so cx = 20 + 2·K.
    var k = SORTKalmanFilter(box: BoundingBox(cx: 20, cy: 50, w: 40, h: 100))
    k.predict()
    #expect(k.cx.p00 == 10011)
    k.update(box: BoundingBox(cx: 22, cy: 50, w: 40, h: 100))
    #expect(abs(k.cx.position - (20 + 2 * 10011.0 / 10012.0)) < 1e-9)
    #expect(abs(k.cx.velocity - 2 * 10000.0 / 10012.0) < 1e-9)
}
