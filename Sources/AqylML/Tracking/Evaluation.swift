import Foundation

/// CLEAR-MOT and identity (IDF1) metrics with py-motmetrics semantics.
public struct MOTMetrics: Sendable, Codable, Hashable {
    public var numFrames = 0
    /// Ground-truth boxes (py-motmetrics `num_objects`).
    public var numObjects = 0
    /// Hypothesis boxes (`num_predictions`).
    public var numPredictions = 0
    public var numMatches = 0
    public var numSwitches = 0
    public var numFalsePositives = 0
    public var numMisses = 0
    public var numFragmentations = 0
    public var numUniqueObjects = 0
    /// Sum of matched distances (1 − IoU) over matches and switches.
    public var totalDistance = 0.0
    public var idtp = 0
    public var idfp = 0
    public var idfn = 0

    public init() {}

    public var numDetections: Int { numMatches + numSwitches }
    public var mota: Double { numObjects > 0 ? 1 - Double(numMisses + numSwitches + numFalsePositives) / Double(numObjects) : 0 }
    /// Mean matched distance 1 − IoU (py-motmetrics convention: lower is better).
    public var motp: Double { numDetections > 0 ? totalDistance / Double(numDetections) : 0 }
    public var precision: Double { numDetections + numFalsePositives > 0 ? Double(numDetections) / Double(numDetections + numFalsePositives) : 0 }
    public var recall: Double { numObjects > 0 ? Double(numDetections) / Double(numObjects) : 0 }
    public var idp: Double { idtp + idfp > 0 ? Double(idtp) / Double(idtp + idfp) : 0 }
    public var idr: Double { idtp + idfn > 0 ? Double(idtp) / Double(idtp + idfn) : 0 }
    public var idf1: Double { 2 * idtp + idfp + idfn > 0 ? 2 * Double(idtp) / Double(2 * idtp + idfp + idfn) : 0 }

    /// Sum of several sequences' counts (py-motmetrics' OVERALL row).
    public static func combine(_ parts: [MOTMetrics]) -> MOTMetrics {
        var m = MOTMetrics()
        for p in parts {
            m.numFrames += p.numFrames
            m.numObjects += p.numObjects
            m.numPredictions += p.numPredictions
            m.numMatches += p.numMatches
            m.numSwitches += p.numSwitches
            m.numFalsePositives += p.numFalsePositives
            m.numMisses += p.numMisses
            m.numFragmentations += p.numFragmentations
            m.numUniqueObjects += p.numUniqueObjects
            m.totalDistance += p.totalDistance
            m.idtp += p.idtp
            m.idfp += p.idfp
            m.idfn += p.idfn
        }
        return m
    }

    /// Key/value view with py-motmetrics metric names.
    public var dictionary: [String: Double] {
        [
            "num_frames": Double(numFrames), "mota": mota, "motp": motp, "idf1": idf1, "idp": idp, "idr": idr,
            "precision": precision, "recall": recall, "num_false_positives": Double(numFalsePositives),
            "num_misses": Double(numMisses), "num_switches": Double(numSwitches), "id_switches": Double(numSwitches),
            "num_fragmentations": Double(numFragmentations), "num_objects": Double(numObjects),
            "num_predictions": Double(numPredictions), "num_detections": Double(numDetections),
            "num_matches": Double(numMatches), "num_unique_objects": Double(numUniqueObjects),
            "idtp": Double(idtp), "idfp": Double(idfp), "idfn": Double(idfn),
        ]
    }
}

/// Evaluator reproducing py-motmetrics (`MOTAccumulator.update` + `compare_to_groundtruth`
/// with `'iou'`, `distth=0.5`, and the standard metrics):
///
/// * per frame, pairs with distance `1 − IoU > maxDistance` cannot match;
/// * correspondences from earlier frames are kept when still admissible (MATCH);
/// * the remaining pairs are assigned by minimum total distance (same shortest-augmenting-path
///   solver as scipy, with forbidden pairs replaced by the same large constant); a match that
///   contradicts the object's last matched hypothesis is an ID switch;
/// * remaining ground truth are misses, remaining hypotheses false positives;
/// * fragmentations: tracked→missed transitions strictly inside an object's tracked span;
/// * IDF1: global one-to-one matching of gt ids to hypothesis ids maximising IDTP, where a
///   (gt, hypothesis) pair scores 1 for every frame in which its distance is admissible.
///
/// Ground-truth rows are all used by default, as `mm.io.loadtxt(fmt='mot15-2D')` does
/// (`min_confidence=-1`, so MOT15 rows with conf 0 are *kept*); pass `minGTConfidence: 1`
/// to drop them like `loadtxt(..., min_confidence=1)`.
public enum MOTEvaluator {
    public static func evaluate(groundTruth gtIn: [MOTRow], hypotheses: [MOTRow],
                                maxDistance: Double = 0.5, minGTConfidence: Double = -1) -> MOTMetrics {
        let gt = gtIn.filter { $0.confidence >= minGTConfidence }
        var gtByFrame: [Int: [MOTRow]] = [:]
        var hypByFrame: [Int: [MOTRow]] = [:]
        for r in gt { gtByFrame[r.frame, default: []].append(r) }
        for r in hypotheses { hypByFrame[r.frame, default: []].append(r) }
        let frames = Set(gtByFrame.keys).union(hypByFrame.keys).sorted()

        var metrics = MOTMetrics()
        metrics.numFrames = frames.count
        var m: [Int: Int] = [:]           // object -> last matched hypothesis
        var frag: [Int: (tracked: Bool?, pending: Int)] = [:]
        var ocs: [Int: Int] = [:], hcs: [Int: Int] = [:]
        var tps: [Int64: Int] = [:]
        var tpKeys: [(Int, Int)] = []

        for f in frames {
            let objs = gtByFrame[f] ?? []
            let hyps = hypByFrame[f] ?? []
            let no = objs.count, nh = hyps.count
            for id in Set(objs.map(\.id)) { ocs[id, default: 0] += 1 }
            for id in Set(hyps.map(\.id)) { hcs[id, default: 0] += 1 }
            var dist = [Double](repeating: .nan, count: no * nh)
            for i in 0..<no {
                for j in 0..<nh {
                    let d = 1 - objs[i].box.iou(hyps[j].box)
                    if d <= maxDistance {
                        dist[i * nh + j] = d
                        let key = (Int64(objs[i].id) << 32) ^ Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: hyps[j].id)))
                        if tps[key] == nil { tpKeys.append((objs[i].id, hyps[j].id)) }
                        tps[key, default: 0] += 1
                    }
                }
            }
            var oMask = [Bool](repeating: false, count: no)
            var hMask = [Bool](repeating: false, count: nh)
            var tracked = [Bool](repeating: false, count: no)
            if no > 0 && nh > 0 {
                // 1. Keep established correspondences.
                for i in 0..<no {
                    guard let hprev = m[objs[i].id] else { continue }
                    guard let j = (0..<nh).first(where: { !hMask[$0] && hyps[$0].id == hprev }) else { continue }
                    let d = dist[i * nh + j]
                    if d.isFinite {
                        oMask[i] = true
                        hMask[j] = true
                        metrics.numMatches += 1
                        metrics.totalDistance += d
                        tracked[i] = true
                    }
                }
                // 2. Optimal assignment of the rest.
                var masked = dist
                for i in 0..<no where oMask[i] { for j in 0..<nh { masked[i * nh + j] = .nan } }
                for j in 0..<nh where hMask[j] { for i in 0..<no { masked[i * nh + j] = .nan } }
                let pairs = LinearAssignment.solve(LinearAssignment.Matrix(rows: no, cols: nh, values: masked))
                for p in pairs {
                    let d = masked[p.row * nh + p.col]
                    guard d.isFinite else { continue }
                    let o = objs[p.row].id, h = hyps[p.col].id
                    if let prev = m[o], prev != h { metrics.numSwitches += 1 } else { metrics.numMatches += 1 }
                    metrics.totalDistance += d
                    oMask[p.row] = true
                    hMask[p.col] = true
                    tracked[p.row] = true
                    m[o] = h
                }
            }
            for i in 0..<no {
                let id = objs[i].id
                var s = frag[id] ?? (tracked: nil, pending: 0)
                if tracked[i] {
                    metrics.numFragmentations += s.pending
                    s.pending = 0
                    s.tracked = true
                } else {
                    metrics.numMisses += 1
                    if s.tracked == true { s.pending += 1 }
                    s.tracked = s.tracked == nil ? nil : false
                }
                frag[id] = s
            }
            for j in 0..<nh where !hMask[j] { metrics.numFalsePositives += 1 }
            metrics.numObjects += no
            metrics.numPredictions += nh
        }
        metrics.numUniqueObjects = ocs.count

        // Identity metrics: max-weight bipartite matching of ids on co-occurrence counts.
        let oIDs = Array(Set(tpKeys.map(\.0))).sorted()
        let hIDs = Array(Set(tpKeys.map(\.1))).sorted()
        var idtp = 0
        if !oIDs.isEmpty && !hIDs.isEmpty {
            var oIndex: [Int: Int] = [:], hIndex: [Int: Int] = [:]
            for (k, v) in oIDs.enumerated() { oIndex[v] = k }
            for (k, v) in hIDs.enumerated() { hIndex[v] = k }
            var cost = LinearAssignment.Matrix(rows: oIDs.count, cols: hIDs.count,
                                               values: [Double](repeating: 0, count: oIDs.count * hIDs.count))
            for (o, h) in tpKeys {
                let key = (Int64(o) << 32) ^ Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: h)))
                cost[oIndex[o]!, hIndex[h]!] = -Double(tps[key]!)
            }
            for p in LinearAssignment.solve(cost) { idtp += Int(-cost[p.row, p.col]) }
        }
        let sumO = ocs.values.reduce(0, +), sumH = hcs.values.reduce(0, +)
        metrics.idtp = idtp
        metrics.idfn = sumO - idtp
        metrics.idfp = sumH - idtp
        return metrics
    }
}
