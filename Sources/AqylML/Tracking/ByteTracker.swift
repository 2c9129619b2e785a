import Foundation

/// Parameters of `ByteTracker`. Costs are `1 − IoU` (optionally fused with the detection
/// score: `1 − IoU·score`, as ByteTrack does for non-MOT20 data).
public struct ByteTrackConfiguration: Sendable, Codable, Hashable {
    /// Detections with score > this are "high" and used in the first association.
    public var highScoreThreshold: Double = 0.6
    /// Detections with lowScoreThreshold < score ≤ highScoreThreshold form the second stage.
    public var lowScoreThreshold: Double = 0.1
    /// A new track may only be born from an unmatched high detection with score ≥ this.
    public var newTrackThreshold: Double = 0.7
    /// Maximum cost of a first-stage (high detections vs all tracks) match.
    public var firstMatchMaxCost: Double = 0.8
    /// Maximum cost of a second-stage (low detections vs remaining tracked tracks) match.
    public var secondMatchMaxCost: Double = 0.5
    /// Maximum cost of matching a tentative (unconfirmed) track.
    public var unconfirmedMatchMaxCost: Double = 0.7
    /// Frames a lost track is kept (and can be re-found with its id) before removal.
    public var trackBuffer: Int = 30
    /// Consecutive matched frames needed before a track is confirmed and gets an id (ByteTrack: 2).
    public var minHits: Int = 2
    /// Multiply IoU by the detection score in the high-score and tentative association stages.
    public var fuseScore: Bool = true
    /// Detections lower than this many pixels are ignored.
    public var minBoxHeight: Double = 0
    /// Tracked/lost pairs closer than this cost are duplicates; the younger one is dropped.
    public var duplicateMaxCost: Double = 0.15
    /// Output the Kalman-corrected box (true) or the matched detection box (false).
    public var outputFilteredBox: Bool = true

    public init() {}
}

/// ByteTrack (Zhang et al., ECCV 2022) multi-object tracker over per-frame detections.
///
/// Two-stage association: (1) all confirmed and lost tracks against high-score detections,
/// (2) still-unmatched *tracked* tracks against low-score detections (recovering occluded,
/// low-confidence objects without ever starting tracks from them). Tentative tracks are
/// matched to the leftover high detections; tracks are born only from unmatched high detections
/// scoring ≥ `newTrackThreshold`. Lost tracks survive `trackBuffer` frames. Only confirmed tracks
/// that were matched in the current frame are output. Ids are consecutive integers starting at 1,
/// assigned on confirmation, and never reused.
public final class ByteTracker {
    enum State { case tentative, tracked, lost, removed }

    final class Track {
        var kf: BoxKalmanFilter
        var state: State
        var id = 0
        var activated = false
        var consecutiveHits = 1
        var startFrame: Int
        var lastFrame: Int
        var score: Double
        var detectionBox: BoundingBox
        var classLabel: String

        init(detection d: Detection, frame: Int) {
            kf = BoxKalmanFilter(box: d.box)
            state = .tentative
            startFrame = frame
            lastFrame = frame
            score = d.score
            detectionBox = d.box
            classLabel = d.classLabel
        }

        func update(_ d: Detection, frame: Int) {
            kf.update(box: d.box)
            consecutiveHits = lastFrame == frame - 1 ? consecutiveHits + 1 : 1
            lastFrame = frame
            score = d.score
            detectionBox = d.box
            if state == .lost { state = .tracked }
        }
    }

    public let configuration: ByteTrackConfiguration
    private var tracks: [Track] = []
    private var nextID = 1
    private var firstFrame: Int?

    public init(configuration: ByteTrackConfiguration = ByteTrackConfiguration()) {
        self.configuration = configuration
    }

    /// Number of tracks currently held (tentative, tracked and lost).
    public var liveTrackCount: Int { tracks.count }

    private func cost(_ ts: [Track], _ ds: [Detection], fuse: Bool) -> LinearAssignment.Matrix {
        var m = LinearAssignment.Matrix(rows: ts.count, cols: ds.count,
                                        values: [Double](repeating: 0, count: ts.count * ds.count))
        for (i, t) in ts.enumerated() {
            let b = t.kf.box
            for (j, d) in ds.enumerated() {
                let iou = b.iou(d.box)
                m.values[i * ds.count + j] = 1 - (fuse ? iou * d.score : iou)
            }
        }
        return m
    }

    /// Processes one frame (call for every frame, also those without detections) and returns the
    /// confirmed tracks matched in it.
    public func update(frame: Int, detections input: [Detection]) -> [TrackedBox] {
        let cfg = configuration
        if firstFrame == nil { firstFrame = frame }
        let dets = input.filter { $0.box.h >= cfg.minBoxHeight && $0.box.w > 0 && $0.box.h > 0 }
        let high = dets.filter { $0.score > cfg.highScoreThreshold }
        let low = dets.filter { $0.score > cfg.lowScoreThreshold && $0.score <= cfg.highScoreThreshold }

        let tentative = tracks.filter { $0.state == .tentative }
        let pool = tracks.filter { $0.state == .tracked || $0.state == .lost }
        for t in tracks { t.kf.predict(freezeHeightVelocity: t.state == .lost) }

        // Stage 1: confirmed + lost tracks vs high-score detections.
        let a1 = LinearAssignment.assign(cost(pool, high, fuse: cfg.fuseScore), threshold: cfg.firstMatchMaxCost)
        for m in a1.matches { pool[m.row].update(high[m.col], frame: frame) }
        let remainingHigh = a1.unmatchedCols.map { high[$0] }

        // Stage 2: still-unmatched tracked tracks vs low-score detections.
        let rTracked = a1.unmatchedRows.map { pool[$0] }.filter { $0.state == .tracked }
        let a2 = LinearAssignment.assign(cost(rTracked, low, fuse: false), threshold: cfg.secondMatchMaxCost)
        for m in a2.matches { rTracked[m.row].update(low[m.col], frame: frame) }
        for r in a2.unmatchedRows { rTracked[r].state = .lost }

        // Stage 3: tentative tracks vs leftover high detections.
        let a3 = LinearAssignment.assign(cost(tentative, remainingHigh, fuse: cfg.fuseScore),
                                         threshold: cfg.unconfirmedMatchMaxCost)
        for m in a3.matches {
            let t = tentative[m.row]
            t.update(remainingHigh[m.col], frame: frame)
            if t.consecutiveHits >= cfg.minHits { confirm(t) }
        }
        for r in a3.unmatchedRows { tentative[r].state = .removed }

        // Births.
        for c in a3.unmatchedCols {
            let d = remainingHigh[c]
            guard d.score >= cfg.newTrackThreshold else { continue }
            let t = Track(detection: d, frame: frame)
            if frame == firstFrame || cfg.minHits <= 1 { confirm(t) }
            tracks.append(t)
        }

        // Expire lost tracks.
        for t in tracks where t.state == .lost && frame - t.lastFrame > cfg.trackBuffer { t.state = .removed }
        removeDuplicates()
        tracks.removeAll { $0.state == .removed }

        var out: [TrackedBox] = []
        for t in tracks where t.state == .tracked && t.activated && t.lastFrame == frame {
            out.append(TrackedBox(frame: frame, trackID: t.id,
                                  box: cfg.outputFilteredBox ? t.kf.box : t.detectionBox,
                                  score: t.score, classLabel: t.classLabel))
        }
        return out
    }

    private func confirm(_ t: Track) {
        t.state = .tracked
        if !t.activated {
            t.activated = true
            t.id = nextID
            nextID += 1
        }
    }

    private func removeDuplicates() {
        let tracked = tracks.filter { $0.state == .tracked && $0.activated }
        let lost = tracks.filter { $0.state == .lost }
        guard !tracked.isEmpty, !lost.isEmpty else { return }
        for a in tracked {
            for b in lost where b.state == .lost && a.state != .removed {
                if 1 - a.kf.box.iou(b.kf.box) < configuration.duplicateMaxCost {
                    let ageA = a.lastFrame - a.startFrame
                    let ageB = b.lastFrame - b.startFrame
                    if ageA > ageB { b.state = .removed } else { a.state = .removed }
                }
            }
        }
    }
}

/// SORT (Bewley et al., ICIP 2016), a faithful port of abewley/sort `Sort.update`:
/// predict all trackers, associate by IoU with the Hungarian algorithm (`iouThreshold`),
/// create trackers for unmatched detections, output trackers updated this frame whose hit
/// streak ≥ `minHits` (or during the first `minHits` frames), delete trackers unmatched for
/// more than `maxAge` frames. Ids start at 1.
public final class SORTTracker {
    final class Tracker {
        var kf: SORTKalmanFilter
        var id: Int
        var timeSinceUpdate = 0
        var hitStreak = 0
        var score: Double
        init(box: BoundingBox, id: Int, score: Double) {
            kf = SORTKalmanFilter(box: box)
            self.id = id
            self.score = score
        }
    }

    public let maxAge: Int
    public let minHits: Int
    public let iouThreshold: Double
    private var trackers: [Tracker] = []
    private var frameCount = 0
    private var nextID = 1

    public init(maxAge: Int = 1, minHits: Int = 3, iouThreshold: Double = 0.3) {
        self.maxAge = maxAge
        self.minHits = minHits
        self.iouThreshold = iouThreshold
    }

    public func update(frame: Int, detections: [Detection]) -> [TrackedBox] {
        frameCount += 1
        // Predict; drop trackers whose state became NaN.
        var predicted: [BoundingBox] = []
        var kept: [Tracker] = []
        for t in trackers {
            t.kf.predict()
            if t.timeSinceUpdate > 0 { t.hitStreak = 0 }
            t.timeSinceUpdate += 1
            let b = t.kf.box
            if b.x.isNaN || b.y.isNaN || b.w.isNaN || b.h.isNaN { continue }
            kept.append(t)
            predicted.append(b)
        }
        trackers = kept
        // Associate (detections are rows, trackers columns, as in SORT).
        var matches: [(Int, Int)] = []
        var unmatchedDets: [Int] = []
        if !detections.isEmpty && !trackers.isEmpty {
            let iou = iouMatrix(detections.map(\.box), predicted)
            let n = detections.count, m = trackers.count
            var rowCount = [Int](repeating: 0, count: n), colCount = [Int](repeating: 0, count: m)
            for i in 0..<n { for j in 0..<m where iou[i * m + j] > iouThreshold { rowCount[i] += 1; colCount[j] += 1 } }
            var pairs: [(Int, Int)] = []
            if (rowCount.max() ?? 0) == 1 && (colCount.max() ?? 0) == 1 {
                for i in 0..<n { for j in 0..<m where iou[i * m + j] > iouThreshold { pairs.append((i, j)) } }
            } else {
                let solved = LinearAssignment.solve(LinearAssignment.Matrix(rows: n, cols: m, values: iou.map { -$0 }))
                pairs = solved.map { ($0.row, $0.col) }
            }
            var detMatched = [Bool](repeating: false, count: n)
            for (i, j) in pairs where iou[i * m + j] >= iouThreshold {
                matches.append((i, j))
                detMatched[i] = true
            }
            unmatchedDets = (0..<n).filter { !detMatched[$0] }
        } else {
            unmatchedDets = Array(detections.indices)
        }
        for (d, t) in matches {
            let tr = trackers[t]
            tr.timeSinceUpdate = 0
            tr.hitStreak += 1
            tr.score = detections[d].score
            tr.kf.update(box: detections[d].box)
        }
        for d in unmatchedDets {
            trackers.append(Tracker(box: detections[d].box, id: nextID, score: detections[d].score))
            nextID += 1
        }
        var out: [TrackedBox] = []
        var i = trackers.count
        for t in trackers.reversed() {
            if t.timeSinceUpdate < 1 && (t.hitStreak >= minHits || frameCount <= minHits) {
                out.append(TrackedBox(frame: frame, trackID: t.id, box: t.kf.box, score: t.score))
            }
            i -= 1
            if t.timeSinceUpdate > maxAge { trackers.remove(at: i) }
        }
        return out
    }
}

/// Offline helpers applied to a whole tracker output.
public enum TrackPostProcessing {
    /// Fills gaps of at most `maxGap` missing frames inside each track by linear interpolation
    /// of the boxes on both sides (offline only: it needs the future). Returns rows sorted by
    /// frame then id.
    public static func interpolate(_ rows: [TrackedBox], maxGap: Int) -> [TrackedBox] {
        guard maxGap > 0 else { return rows.sorted { ($0.frame, $0.trackID) < ($1.frame, $1.trackID) } }
        var byID: [Int: [TrackedBox]] = [:]
        for r in rows { byID[r.trackID, default: []].append(r) }
        var out: [TrackedBox] = []
        out.reserveCapacity(rows.count)
        for (_, var list) in byID {
            list.sort { $0.frame < $1.frame }
            for k in list.indices {
                out.append(list[k])
                if k + 1 < list.count {
                    let a = list[k], b = list[k + 1]
                    let gap = b.frame - a.frame - 1
                    if gap > 0 && gap <= maxGap {
                        for f in (a.frame + 1)..<b.frame {
                            let t = Double(f - a.frame) / Double(b.frame - a.frame)
                            out.append(TrackedBox(frame: f, trackID: a.trackID, box: a.box.lerp(to: b.box, t: t),
                                                  score: min(a.score, b.score), classLabel: a.classLabel))
                        }
                    }
                }
            }
        }
        out.sort { ($0.frame, $0.trackID) < ($1.frame, $1.trackID) }
        return out
    }

    /// Drops tracks with fewer than `minLength` output rows (offline).
    public static func removeShortTracks(_ rows: [TrackedBox], minLength: Int) -> [TrackedBox] {
        guard minLength > 1 else { return rows }
        var count: [Int: Int] = [:]
        for r in rows { count[r.trackID, default: 0] += 1 }
        return rows.filter { count[$0.trackID, default: 0] >= minLength }
    }
}

/// Per-detection-set score normalisation (uses only the detections, never ground truth):
/// MOT public detectors emit scores on different scales, so thresholds are applied to
/// normalised scores.
public enum ScoreNormalization: String, Sendable, Codable, CaseIterable {
    /// Scores used as given.
    case none
    /// Linear map of [min, max] of the set onto [0, 1].
    case minMax = "minmax"
    /// Empirical CDF: the fraction of the set's scores that are ≤ the score.
    case rank

    public func apply(_ dets: [Detection]) -> [Detection] {
        switch self {
        case .none:
            return dets
        case .minMax:
            guard let lo = dets.map(\.score).min(), let hi = dets.map(\.score).max(), hi > lo else { return dets }
            return dets.map { var d = $0; d.score = (d.score - lo) / (hi - lo); return d }
        case .rank:
            let sorted = dets.map(\.score).sorted()
            let n = Double(sorted.count)
            return dets.map { d in
                var lo = 0, hi = sorted.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if sorted[mid] <= d.score { lo = mid + 1 } else { hi = mid }
                }
                var e = d
                e.score = Double(lo) / n
                return e
            }
        }
    }
}
