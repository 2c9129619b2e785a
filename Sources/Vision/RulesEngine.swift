import AqylML
import Foundation

/// One tracked object in one frame, as fed to the rules engine.
public struct TrackObservation: Sendable, Hashable {
    public var trackID: Int
    public var classLabel: String
    public var box: BoundingBox
    /// Detection / track confidence in [0, 1] (values outside are treated as 1).
    public var score: Double

    public init(trackID: Int, classLabel: String, box: BoundingBox, score: Double = 1) {
        self.trackID = trackID
        self.classLabel = classLabel
        self.box = box
        self.score = score
    }

    /// Ground contact point used by zone and line rules.
    public var anchor: Point { box.bottomCenter }
    var confidence: Double { (0...1).contains(score) ? score : 1 }
}

/// Running mean / variance (Welford).
public struct RunningStats: Sendable, Hashable, Codable {
    public private(set) var count = 0
    public private(set) var mean = 0.0
    private var m2 = 0.0

    public init() {}

    public mutating func add(_ x: Double) {
        count += 1
        let d = x - mean
        mean += d / Double(count)
        m2 += d * (x - mean)
    }

    /// Sample standard deviation (0 with fewer than 2 observations).
    public var standardDeviation: Double { count > 1 ? (m2 / Double(count - 1)).squareRoot() : 0 }
}

/// Evaluates a camera's rules over tracks, frame by frame (online: events are emitted as soon
/// as their condition holds). Call `process(frame:tracks:)` for consecutive frames.
public final class RulesEngine {
    public let configuration: CameraConfiguration

    // Dwell (intrusion, loitering) state per rule per track.
    struct Dwell {
        var enterFrame: Int
        var lastInsideFrame: Int
        var firstBox: BoundingBox
        var fired = false
    }

    struct LineState {
        var side: Int          // +1 right of A→B, −1 left
        var point: Point       // position when `side` was last confirmed
    }

    struct CrowdState {
        var active = false
        var lastTriggerFrame = Int.min
        var lastSampleFrame = Int.min
        var baseline: [RunningStats] = Array(repeating: RunningStats(), count: 24)
    }

    struct ObjectState {
        var firstFrame: Int
        var lastSeenFrame: Int
        var anchorRef: Point
        var stationarySince: Int
        var ownerID: Int?
        var ownerLastBox: BoundingBox?
        var awaySince: Int?
        var fired = false
        var lastBox: BoundingBox
        var classLabel: String
    }

    private var dwell: [String: [Int: Dwell]] = [:]
    private var lines: [String: [Int: LineState]] = [:]
    private var counts: [String: (inCount: Int, outCount: Int)] = [:]
    private var crowd: [String: CrowdState] = [:]
    private var objects: [String: [Int: ObjectState]] = [:]

    public init(configuration: CameraConfiguration) {
        self.configuration = configuration
    }

    /// Line-crossing totals so far for a line rule.
    public func lineCounts(ruleID: String) -> (inCount: Int, outCount: Int) { counts[ruleID] ?? (0, 0) }

    /// The crowd baseline (per local hour of day) of a crowd rule.
    public func crowdBaseline(ruleID: String, hour: Int) -> RunningStats? { crowd[ruleID]?.baseline[hour] }

    /// Local hour of day of a frame: from `start_time` + `utc_offset_hours` if configured,
    /// otherwise hours elapsed since the first frame (mod 24).
    public func hourOfDay(frame: Int) -> Int {
        let secs: Double
        if let t = configuration.time(ofFrame: frame) {
            secs = t.timeIntervalSince1970 + configuration.utcOffsetHours * 3600
        } else {
            secs = configuration.seconds(ofFrame: frame)
        }
        let h = Int(floor(secs / 3600)) % 24
        return h < 0 ? h + 24 : h
    }

    /// Processes one frame and returns the events it raises.
    public func process(frame: Int, tracks: [TrackObservation]) -> [VisionEvent] {
        var events: [VisionEvent] = []
        for rule in configuration.rules {
            switch rule.spec {
            case .intrusion(let r):
                events += processDwell(rule: rule, zone: r.zone, classes: Set(r.classes), threshold: r.minDwellSeconds,
                                       gap: r.maxGapSeconds, frame: frame, tracks: tracks)
            case .loitering(let r):
                events += processDwell(rule: rule, zone: r.zone, classes: ["person"], threshold: r.maxSeconds,
                                       gap: r.maxGapSeconds, frame: frame, tracks: tracks)
            case .lineCrossing(let r):
                events += processLine(rule: rule, r, frame: frame, tracks: tracks)
            case .crowd(let r):
                events += processCrowd(rule: rule, r, frame: frame, tracks: tracks)
            case .abandonedObject(let r):
                events += processAbandoned(rule: rule, r, frame: frame, tracks: tracks)
            }
        }
        return events
    }

    /// Runs all frames of a tracker output (grouped by frame, empty frames included).
    public func run(_ rows: [TrackedBox]) -> [VisionEvent] {
        var byFrame: [Int: [TrackObservation]] = [:]
        for r in rows {
            byFrame[r.frame, default: []].append(TrackObservation(trackID: r.trackID, classLabel: r.classLabel, box: r.box, score: r.score))
        }
        guard let first = byFrame.keys.min(), let last = byFrame.keys.max() else { return [] }
        var out: [VisionEvent] = []
        for f in first...last { out += process(frame: f, tracks: byFrame[f] ?? []) }
        return out
    }

    // MARK: - Event construction

    private func event(_ rule: Rule, start: Int, end: Int, tracks: [Int], evidence: [EventEvidence], confidence: Double,
                       description: String, attributes: [String: String] = [:]) -> VisionEvent {
        let c = configuration
        return VisionEvent(cameraID: c.cameraID, districtKATO: c.districtKATO, ruleID: rule.id, ruleVersion: c.version,
                           ruleKind: rule.kind, startFrame: start, endFrame: end,
                           startSeconds: c.seconds(ofFrame: start), endSeconds: c.seconds(ofFrame: end),
                           startTime: c.time(ofFrame: start).map(formatISO8601), endTime: c.time(ofFrame: end).map(formatISO8601),
                           trackIDs: tracks, evidence: evidence, confidence: min(1, max(0, confidence)),
                           description: description, attributes: attributes)
    }

    // MARK: - Intrusion / loitering

    private func processDwell(rule: Rule, zone: Polygon, classes: Set<String>, threshold: Double, gap: Double,
                              frame: Int, tracks: [TrackObservation]) -> [VisionEvent] {
        var states = dwell[rule.id] ?? [:]
        var out: [VisionEvent] = []
        let gapFrames = configuration.frames(gap)
        for t in tracks where classes.contains(t.classLabel) && zone.contains(t.anchor) {
            var s = states[t.trackID] ?? Dwell(enterFrame: frame, lastInsideFrame: frame, firstBox: t.box)
            if frame - s.lastInsideFrame > gapFrames + 1 {
                s = Dwell(enterFrame: frame, lastInsideFrame: frame, firstBox: t.box)
            }
            s.lastInsideFrame = frame
            let dwellSeconds = Double(frame - s.enterFrame) / configuration.fps
            if !s.fired && dwellSeconds >= threshold {
                s.fired = true
                let what = rule.kind == .loitering ? "loitering" : "intrusion"
                out.append(event(rule, start: s.enterFrame, end: frame, tracks: [t.trackID],
                                 evidence: [EventEvidence(trackID: t.trackID, classLabel: t.classLabel, frame: s.enterFrame, box: s.firstBox),
                                            EventEvidence(trackID: t.trackID, classLabel: t.classLabel, frame: frame, box: t.box)],
                                 confidence: t.confidence,
                                 description: String(format: "%@: %@ track %d in zone for %.1f s (limit %.1f s)",
                                                     what, t.classLabel, t.trackID, dwellSeconds, threshold),
                                 attributes: ["dwell_seconds": String(format: "%.2f", dwellSeconds)]))
            }
            states[t.trackID] = s
        }
        states = states.filter { frame - $0.value.lastInsideFrame <= gapFrames + 1 }
        dwell[rule.id] = states
        return out
    }

    // MARK: - Line crossing

    private func processLine(rule: Rule, _ r: LineCrossingRule, frame: Int, tracks: [TrackObservation]) -> [VisionEvent] {
        var states = lines[rule.id] ?? [:]
        var c = counts[rule.id] ?? (0, 0)
        var out: [VisionEvent] = []
        for t in tracks where r.classes.contains(t.classLabel) {
            let p = t.anchor
            let d = r.line.signedDistance(p)
            let side = d > r.hysteresisPixels ? 1 : (d < -r.hysteresisPixels ? -1 : 0)
            guard side != 0 else { continue } // inside the dead band: keep the confirmed side
            guard let s = states[t.trackID] else {
                states[t.trackID] = LineState(side: side, point: p)
                continue
            }
            if side != s.side {
                let along = r.line.crossingParameter(from: s.point, to: p) ?? -1
                if along >= 0 && along <= 1 {
                    // −1 → +1 is left → right (on screen, facing from A to B).
                    let leftToRight = side == 1
                    let isIn = (r.inDirection == .leftToRight) == leftToRight
                    if isIn { c.inCount += 1 } else { c.outCount += 1 }
                    out.append(event(rule, start: frame, end: frame, tracks: [t.trackID],
                                     evidence: [EventEvidence(trackID: t.trackID, classLabel: t.classLabel, frame: frame, box: t.box)],
                                     confidence: t.confidence,
                                     description: "\(t.classLabel) track \(t.trackID) crossed line \(isIn ? "in" : "out")",
                                     attributes: ["direction": isIn ? "in" : "out", "in_count": String(c.inCount),
                                                  "out_count": String(c.outCount)]))
                }
            }
            states[t.trackID] = LineState(side: side, point: p)
        }
        lines[rule.id] = states
        counts[rule.id] = c
        return out
    }

    // MARK: - Crowd

    private func processCrowd(rule: Rule, _ r: CrowdRule, frame: Int, tracks: [TrackObservation]) -> [VisionEvent] {
        var s = crowd[rule.id] ?? CrowdState()
        let inside = tracks.filter { $0.classLabel == "person" && r.zone.contains($0.anchor) }
        let n = inside.count
        let hour = hourOfDay(frame: frame)
        let stats = s.baseline[hour]
        var reason: String?
        if let m = r.maxCount, n >= m {
            reason = "\(n) people in zone (threshold \(m))"
        } else if stats.count >= r.baselineMinObservations && n >= r.baselineMinCount {
            let limit = stats.mean + r.baselineK * stats.standardDeviation
            if Double(n) > limit {
                reason = String(format: "%d people in zone, usual for hour %02d is %.1f ± %.1f", n, hour, stats.mean, stats.standardDeviation)
            }
        }
        var out: [VisionEvent] = []
        if let reason {
            if !s.active {
                s.active = true
                out.append(event(rule, start: frame, end: frame, tracks: inside.map(\.trackID).sorted(),
                                 evidence: inside.map { EventEvidence(trackID: $0.trackID, classLabel: $0.classLabel, frame: frame, box: $0.box) },
                                 confidence: inside.isEmpty ? 1 : inside.map(\.confidence).reduce(0, +) / Double(inside.count),
                                 description: "crowd: " + reason,
                                 attributes: ["count": String(n), "baseline_mean": String(format: "%.2f", stats.mean),
                                              "baseline_std": String(format: "%.2f", stats.standardDeviation),
                                              "baseline_n": String(stats.count)]))
            }
            s.lastTriggerFrame = frame
        } else if s.active && frame - s.lastTriggerFrame >= configuration.frames(r.clearSeconds) {
            s.active = false
        }
        // Sample the baseline once per second (after the check, so a value never judges itself).
        let step = max(1, Int(configuration.fps.rounded()))
        if s.lastSampleFrame == Int.min || frame - s.lastSampleFrame >= step {
            s.baseline[hour].add(Double(n))
            s.lastSampleFrame = frame
        }
        crowd[rule.id] = s
        return out
    }

    // MARK: - Abandoned object

    private func processAbandoned(rule: Rule, _ r: AbandonedObjectRule, frame: Int, tracks: [TrackObservation]) -> [VisionEvent] {
        var states = objects[rule.id] ?? [:]
        var out: [VisionEvent] = []
        let people = tracks.filter { $0.classLabel == "person" }
        let objectClasses = Set(r.objectClasses)
        for o in tracks where objectClasses.contains(o.classLabel) {
            if let z = r.zone, !z.contains(o.anchor) { continue }
            let p = o.anchor
            var s: ObjectState
            if let old = states[o.trackID] {
                s = old
            } else {
                // Owner: the person closest to the object when it appears.
                let nearest = people.min { $0.anchor.distance(to: p) < $1.anchor.distance(to: p) }
                let owner = nearest.flatMap { $0.anchor.distance(to: p) <= r.ownerSearchPixels ? $0 : nil }
                s = ObjectState(firstFrame: frame, lastSeenFrame: frame, anchorRef: p, stationarySince: frame,
                                ownerID: owner?.trackID, ownerLastBox: owner?.box, awaySince: nil, lastBox: o.box,
                                classLabel: o.classLabel)
            }
            s.lastSeenFrame = frame
            s.lastBox = o.box
            if p.distance(to: s.anchorRef) > r.stationaryPixels {
                s.anchorRef = p
                s.stationarySince = frame
            }
            let owner = s.ownerID.flatMap { id in people.first { $0.trackID == id } }
            if let owner { s.ownerLastBox = owner.box }
            let ownerNear = owner.map { $0.anchor.distance(to: p) <= r.ownerDistancePixels } ?? false
            if ownerNear {
                s.awaySince = nil
                if s.fired {
                    s.fired = false
                    var ev = [EventEvidence(trackID: o.trackID, classLabel: o.classLabel, frame: frame, box: o.box)]
                    if let owner { ev.append(EventEvidence(trackID: owner.trackID, classLabel: "person", frame: frame, box: owner.box)) }
                    out.append(event(rule, start: frame, end: frame, tracks: [o.trackID] + (s.ownerID.map { [$0] } ?? []),
                                     evidence: ev, confidence: o.confidence,
                                     description: "abandoned \(o.classLabel) \(o.trackID): owner returned, alarm cleared",
                                     attributes: ["state": "cleared"]))
                }
            } else if s.awaySince == nil {
                s.awaySince = frame
            }
            let stationaryFor = Double(frame - s.stationarySince) / configuration.fps
            if !s.fired, let away = s.awaySince, stationaryFor >= r.stationarySeconds,
               Double(frame - max(away, s.stationarySince)) / configuration.fps >= r.abandonSeconds {
                s.fired = true
                let start = max(away, s.stationarySince)
                var ev = [EventEvidence(trackID: o.trackID, classLabel: o.classLabel, frame: frame, box: o.box)]
                if let id = s.ownerID, let b = s.ownerLastBox { ev.append(EventEvidence(trackID: id, classLabel: "person", frame: frame, box: b)) }
                let ownerText = s.ownerID.map { "owner track \($0)" } ?? "no owner seen"
                out.append(event(rule, start: start, end: frame, tracks: [o.trackID] + (s.ownerID.map { [$0] } ?? []),
                                 evidence: ev, confidence: o.confidence,
                                 description: String(format: "abandoned %@ (track %d): %@ away for %.1f s", o.classLabel, o.trackID,
                                                     ownerText, Double(frame - start) / configuration.fps),
                                 attributes: ["state": "alarm", "owner_track_id": s.ownerID.map(String.init) ?? ""]))
            }
            states[o.trackID] = s
        }
        let memory = configuration.frames(r.memorySeconds)
        states = states.filter { frame - $0.value.lastSeenFrame <= memory }
        objects[rule.id] = states
        return out
    }
}
