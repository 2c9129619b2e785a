import Foundation
import Testing
@testable import AqylML

private func row(_ f: Int, _ id: Int, _ x: Double, _ y: Double, conf: Double = 1) -> MOTRow {
    MOTRow(frame: f, id: id, box: BoundingBox(x: x, y: y, w: 10, h: 10), confidence: conf)
}

/// gt A (id 1) at (0,0), B (id 2) at (20,0).
/// frame 1: hyp 1 on A (match), hyp 2 far away (FP); B missed.
/// frame 2: hyp 1 moved onto B, hyp 3 on A. A was last matched to hyp 1 → A–3 is an ID switch; B–1 a match.
/// frame 3: only A, no hypotheses (miss).
/// objects 5, FN 2, FP 1, IDSW 1 → MOTA = 1 − 4/5 = 0.2; MOTP = 0 (perfect overlaps).
/// IDF1: co-occurrences (A,1)=1, (A,3)=1, (B,1)=1; best one-to-one: A–3, B–1 → IDTP 2;
/// gt appearances 5, hyp appearances 4 → IDF1 = 2·2/(5+4) = 4/9, IDP = 2/4, IDR = 2/5.
@Test func clearMOTAndIDF1OnHandCase() {
    let gt = [row(1, 1, 0, 0), row(1, 2, 20, 0), row(2, 1, 0, 0), row(2, 2, 20, 0), row(3, 1, 0, 0)]
    let hyp = [row(1, 1, 0, 0), row(1, 2, 100, 100), row(2, 1, 20, 0), row(2, 3, 0, 0)]
    let m = MOTEvaluator.evaluate(groundTruth: gt, hypotheses: hyp)
    #expect(m.numFrames == 3)
    #expect(m.numObjects == 5)
    #expect(m.numMisses == 2)
    #expect(m.numFalsePositives == 1)
    #expect(m.numSwitches == 1)
    #expect(m.numMatches == 2)
    #expect(abs(m.mota - 0.2) < 1e-12)
    #expect(m.motp == 0)
    #expect(m.idtp == 2)
    #expect(abs(m.idf1 - 4.0 / 9.0) < 1e-12)
    #expect(abs(m.idp - 0.5) < 1e-12 && abs(m.idr - 0.4) < 1e-12)
    #expect(m.numFragmentations == 0)
}

/// gt A in frames 1–4; hypothesis 7 covers it in frames 1 and 3 only, with IoU 2/3 in frame 3.
/// Tracked, missed, tracked, missed → one fragmentation (the final miss is outside the tracked span).
/// MOTA = 1 − 2/4 = 0.5. MOTP = (0 + 1/3)/2 = 1/6. IDTP 2, IDF1 = 4/(4+2) = 2/3.
@Test func fragmentationsAndMOTP() {
    let gt = (1...4).map { row($0, 1, 0, 0) }
    let hyp = [row(1, 7, 0, 0), MOTRow(frame: 3, id: 7, box: BoundingBox(x: 0, y: 0, w: 10, h: 15), confidence: 1)]
    let m = MOTEvaluator.evaluate(groundTruth: gt, hypotheses: hyp)
    #expect(m.numFragmentations == 1)
    #expect(m.numMisses == 2)
    #expect(abs(m.mota - 0.5) < 1e-12)
    #expect(abs(m.motp - 1.0 / 6.0) < 1e-12)
    #expect(abs(m.idf1 - 2.0 / 3.0) < 1e-12)
}

/// IoU exactly 0.5 is admissible (distance 1 − IoU ≤ 0.5); IoU below is not.
@Test func iouThresholdIsInclusive() {
    let gt = [MOTRow(frame: 1, id: 1, box: BoundingBox(x: 0, y: 0, w: 10, h: 10), confidence: 1)]
    let half = [MOTRow(frame: 1, id: 1, box: BoundingBox(x: 0, y: 0, w: 20, h: 10), confidence: 1)]
    let less = [MOTRow(frame: 1, id: 1, box: BoundingBox(x: 0, y: 0, w: 21, h: 10), confidence: 1)]
    #expect(MOTEvaluator.evaluate(groundTruth: gt, hypotheses: half).numMatches == 1)
    #expect(MOTEvaluator.evaluate(groundTruth: gt, hypotheses: less).numMisses == 1)
}

/// py-motmetrics' loadtxt keeps conf-0 gt rows by default (min_confidence=-1); min 1 drops them.
@Test func zeroConfidenceGroundTruthHandling() {
    let gt = [row(1, 1, 0, 0), row(1, 2, 50, 50, conf: 0)]
    let hyp = [row(1, 1, 0, 0)]
    #expect(MOTEvaluator.evaluate(groundTruth: gt, hypotheses: hyp).numMisses == 1)
    let strict = MOTEvaluator.evaluate(groundTruth: gt, hypotheses: hyp, minGTConfidence: 1)
    #expect(strict.numMisses == 0 && strict.mota == 1)
}

/// py-motmetrics test data (TUD-Campus, TUD-Stadtmitte): MOTA 52.6 % / 56.4 % — skipped when absent.
@Test func reproducesMotmetricsTestData() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/video/motmetrics_testdata").path
    guard FileManager.default.fileExists(atPath: root) else {
        print("skipping: \(root) not present")
        return
    }
    let expected: [(String, Double, Double)] = [("TUD-Campus", 0.5264624, 0.5576592), ("TUD-Stadtmitte", 0.5640138, 0.6446194)]
    for (seq, mota, idf1) in expected {
        let m = MOTEvaluator.evaluate(groundTruth: try MOTChallengeIO.load(path: "\(root)/\(seq)/gt.txt"),
                                      hypotheses: try MOTChallengeIO.load(path: "\(root)/\(seq)/test.txt"))
        #expect(abs(m.mota - mota) < 1e-5, "\(seq) MOTA \(m.mota)")
        #expect(abs(m.idf1 - idf1) < 1e-5, "\(seq) IDF1 \(m.idf1)")
    }
}
