import AqylCore
import AqylML
import Foundation

/// Kinds of rule (and of the events they raise).
public enum RuleKind: String, Sendable, Codable, Hashable, CaseIterable {
    case intrusion
    case lineCrossing = "line_crossing"
    case crowd
    case loitering
    case abandonedObject = "abandoned_object"
}

/// Restricted-area intrusion: an object of one of `classes` whose foot point stays inside
/// `zone` for at least `minDwellSeconds` (gaps of up to `maxGapSeconds` do not restart the clock).
public struct IntrusionRule: Sendable, Hashable {
    public var zone: Polygon
    public var classes: [String] = ["person"]
    public var minDwellSeconds: Double = 0
    public var maxGapSeconds: Double = 0.5

    public init(zone: Polygon, classes: [String] = ["person"], minDwellSeconds: Double = 0, maxGapSeconds: Double = 0.5) {
        self.zone = zone
        self.classes = classes
        self.minDwellSeconds = minDwellSeconds
        self.maxGapSeconds = maxGapSeconds
    }
}

/// Directed line crossing with in/out counts.
///
/// A track's foot point has a signed distance d to the line (positive = right of A→B on screen).
/// Its *confirmed side* changes only when d goes beyond ±`hysteresisPixels`; while |d| ≤ the
/// hysteresis the previous side is kept. A crossing is counted each time the confirmed side flips
/// (so touching the line, or wobbling inside the dead band, never counts; crossing and coming back
/// counts one in and one out), provided the movement between the last confirmed position and the
/// current one passes between A and B. `inDirection` says which flip is "in".
public struct LineCrossingRule: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable, Codable {
        case leftToRight = "left_to_right"
        case rightToLeft = "right_to_left"
    }

    public var line: LineSegment
    public var classes: [String] = ["person"]
    public var hysteresisPixels: Double = 5
    public var inDirection: Direction = .leftToRight

    public init(line: LineSegment, classes: [String] = ["person"], hysteresisPixels: Double = 5,
                inDirection: Direction = .leftToRight) {
        self.line = line
        self.classes = classes
        self.hysteresisPixels = hysteresisPixels
        self.inDirection = inDirection
    }
}

/// Crowd: number of person tracks inside `zone` reaches `maxCount`, or — once the hour-of-day
/// baseline has `baselineMinObservations` samples — exceeds mean + `baselineK`·std of that hour
/// (and is at least `baselineMinCount`). The baseline is sampled once per second.
public struct CrowdRule: Sendable, Hashable {
    public var zone: Polygon
    public var maxCount: Int?
    public var baselineK: Double = 3
    public var baselineMinObservations: Int = 60
    public var baselineMinCount: Int = 3
    /// The crowd must stay below the trigger for this long before a new event can start.
    public var clearSeconds: Double = 5

    public init(zone: Polygon, maxCount: Int?, baselineK: Double = 3, baselineMinObservations: Int = 60,
                baselineMinCount: Int = 3, clearSeconds: Double = 5) {
        self.zone = zone
        self.maxCount = maxCount
        self.baselineK = baselineK
        self.baselineMinObservations = baselineMinObservations
        self.baselineMinCount = baselineMinCount
        self.clearSeconds = clearSeconds
    }
}

/// Loitering: a person whose foot point stays in `zone` longer than `maxSeconds`
/// (absences up to `maxGapSeconds` are bridged).
public struct LoiteringRule: Sendable, Hashable {
    public var zone: Polygon
    public var maxSeconds: Double
    public var maxGapSeconds: Double = 2

    public init(zone: Polygon, maxSeconds: Double, maxGapSeconds: Double = 2) {
        self.zone = zone
        self.maxSeconds = maxSeconds
        self.maxGapSeconds = maxGapSeconds
    }
}

/// Abandoned object: a stationary object of `objectClasses` whose owner — the person track
/// closest to it (within `ownerSearchPixels`) when the object first appeared — has been away
/// (farther than `ownerDistancePixels`, or not visible) for `abandonSeconds` while the object
/// stayed within `stationaryPixels` of where it settled for at least `stationarySeconds`. If the
/// owner comes back before that, nothing fires; if it comes back after, a "cleared" event follows.
public struct AbandonedObjectRule: Sendable, Hashable {
    public var zone: Polygon?
    public var objectClasses: [String] = ["backpack", "handbag", "suitcase"]
    public var ownerSearchPixels: Double = 200
    public var ownerDistancePixels: Double = 150
    public var abandonSeconds: Double = 30
    public var stationaryPixels: Double = 15
    public var stationarySeconds: Double = 5
    /// An object track unseen for longer than this is forgotten.
    public var memorySeconds: Double = 10

    public init(zone: Polygon? = nil, objectClasses: [String] = ["backpack", "handbag", "suitcase"],
                ownerSearchPixels: Double = 200, ownerDistancePixels: Double = 150, abandonSeconds: Double = 30,
                stationaryPixels: Double = 15, stationarySeconds: Double = 5, memorySeconds: Double = 10) {
        self.zone = zone
        self.objectClasses = objectClasses
        self.ownerSearchPixels = ownerSearchPixels
        self.ownerDistancePixels = ownerDistancePixels
        self.abandonSeconds = abandonSeconds
        self.stationaryPixels = stationaryPixels
        self.stationarySeconds = stationarySeconds
        self.memorySeconds = memorySeconds
    }
}

/// One configured rule.
public struct Rule: Sendable, Hashable {
    public enum Spec: Sendable, Hashable {
        case intrusion(IntrusionRule)
        case lineCrossing(LineCrossingRule)
        case crowd(CrowdRule)
        case loitering(LoiteringRule)
        case abandonedObject(AbandonedObjectRule)
    }

    public var id: String
    public var spec: Spec

    public init(id: String, spec: Spec) {
        self.id = id
        self.spec = spec
    }

    public var kind: RuleKind {
        switch spec {
        case .intrusion: return .intrusion
        case .lineCrossing: return .lineCrossing
        case .crowd: return .crowd
        case .loitering: return .loitering
        case .abandonedObject: return .abandonedObject
        }
    }

    /// Detector classes this rule needs.
    public var requiredClasses: [String] {
        switch spec {
        case .intrusion(let r): return r.classes
        case .lineCrossing(let r): return r.classes
        case .crowd, .loitering: return ["person"]
        case .abandonedObject(let r): return ["person"] + r.objectClasses
        }
    }
}

/// Errors found when checking a configuration against a detector.
public struct MissingClassError: Error, CustomStringConvertible, Sendable, Equatable {
    public var ruleID: String
    public var ruleKind: RuleKind
    public var missingClasses: [String]

    public var description: String {
        let list = missingClasses.map { "'\($0)'" }.joined(separator: ", ")
        return "rule '\(ruleID)' (\(ruleKind.rawValue)) needs detector class\(missingClasses.count > 1 ? "es" : "") \(list), which the detector does not provide"
    }
}

/// Per-camera analytics configuration (JSON). Decoding is strict: unknown keys, wrong types and
/// out-of-range values are `ValidationError`s naming the JSON path.
///
/// ```json
/// {"version": 3, "camera_id": "cam-1", "district_kato": "751110000", "fps": 25,
///  "start_time": "2026-01-01T10:00:00Z", "utc_offset_hours": 5,
///  "rules": [{"id": "gate", "type": "line_crossing", "line": [[0, 300], [640, 300]]}]}
/// ```
public struct CameraConfiguration: Sendable, Hashable, Decodable {
    /// Configuration version; stamped on every event as the rule version.
    public var version: Int
    public var cameraID: String
    /// 9-digit KATO code of the district the camera is in.
    public var districtKATO: String
    public var fps: Double
    /// Frame number of the first frame (MOTChallenge: 1).
    public var firstFrame: Int = 1
    /// Wall-clock time of `firstFrame`, if known (events then carry absolute times).
    public var startTime: Date?
    /// Local time offset used for the crowd baseline's hour of day.
    public var utcOffsetHours: Double = 0
    public var rules: [Rule]

    public init(version: Int, cameraID: String, districtKATO: String, fps: Double, firstFrame: Int = 1,
                startTime: Date? = nil, utcOffsetHours: Double = 0, rules: [Rule]) {
        self.version = version
        self.cameraID = cameraID
        self.districtKATO = districtKATO
        self.fps = fps
        self.firstFrame = firstFrame
        self.startTime = startTime
        self.utcOffsetHours = utcOffsetHours
        self.rules = rules
    }

    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder))
    }

    /// Parses and validates a configuration document.
    public static func parse(_ data: Data) throws -> CameraConfiguration {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ValidationError(path: "", reason: "invalid JSON")
        }
        return try CameraConfiguration(json: value)
    }

    public static func load(path: String) throws -> CameraConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError(path: "", reason: "cannot read \(path)")
        }
        return try parse(data)
    }

    init(json: JSONValue) throws {
        var r = try ObjectReader(json, path: "")
        version = try r.int("version")
        guard version >= 1 else { throw ValidationError(path: "version", reason: "must be ≥ 1") }
        cameraID = try r.string("camera_id")
        guard !cameraID.isEmpty, cameraID.codePointCount <= 128 else { throw ValidationError(path: "camera_id", reason: "must be 1-128 characters") }
        districtKATO = try r.string("district_kato")
        guard isKATO(districtKATO) else { throw ValidationError(path: "district_kato", reason: "must be a 9-digit KATO code") }
        fps = try r.double("fps")
        guard fps > 0, fps <= 1000 else { throw ValidationError(path: "fps", reason: "must be in (0, 1000]") }
        firstFrame = try r.optionalInt("first_frame") ?? 1
        if let s = try r.optionalString("start_time") {
            guard let d = RFC3339.parse(s) else { throw ValidationError(path: "start_time", reason: "not an RFC 3339 date-time") }
            startTime = d
        }
        utcOffsetHours = try r.optionalDouble("utc_offset_hours") ?? 0
        guard abs(utcOffsetHours) <= 14 else { throw ValidationError(path: "utc_offset_hours", reason: "must be within ±14") }
        guard let list = try r.array("rules") else { throw ValidationError(path: "rules", reason: "missing") }
        var seen: Set<String> = []
        rules = []
        for (i, v) in list.enumerated() {
            let rule = try Rule(json: v, path: "rules[\(i)]")
            guard seen.insert(rule.id).inserted else {
                throw ValidationError(path: "rules[\(i)].id", reason: "duplicate rule id '\(rule.id)'", isRule: true)
            }
            rules.append(rule)
        }
        try r.finish()
    }

    /// Refuses rules the detector cannot serve: throws `MissingClassError` for the first rule
    /// needing a class not in `detectorClasses`.
    public func validate(detectorClasses: [String]) throws {
        let have = Set(detectorClasses)
        for rule in rules {
            var missing: [String] = []
            for c in rule.requiredClasses where !have.contains(c) && !missing.contains(c) { missing.append(c) }
            if !missing.isEmpty { throw MissingClassError(ruleID: rule.id, ruleKind: rule.kind, missingClasses: missing) }
        }
    }

    /// Seconds since `firstFrame`.
    public func seconds(ofFrame f: Int) -> Double { Double(f - firstFrame) / fps }

    /// Wall-clock time of a frame, if `startTime` is set.
    public func time(ofFrame f: Int) -> Date? { startTime.map { $0.addingTimeInterval(seconds(ofFrame: f)) } }

    /// Number of frames in `s` seconds (rounded, at least 0).
    public func frames(_ s: Double) -> Int { max(0, Int((s * fps).rounded())) }
}

extension Rule {
    init(json: JSONValue, path: String) throws {
        var r = try ObjectReader(json, path: path)
        id = try r.string("id")
        guard !id.isEmpty, id.codePointCount <= 64 else { throw ValidationError(path: r.sub("id"), reason: "must be 1-64 characters") }
        let type = try r.string("type")
        func zone(_ key: String) throws -> Polygon {
            let pts = try r.points(key)
            let p = Polygon(pts)
            guard pts.count >= 3 else { throw ValidationError(path: r.sub(key), reason: "a zone needs at least 3 points") }
            guard p.area > 0 else { throw ValidationError(path: r.sub(key), reason: "a zone's points must not all lie on one line", isRule: true) }
            return p
        }
        func positive(_ key: String, _ def: Double?, allowZero: Bool = false) throws -> Double {
            guard let v = try r.optionalDouble(key) ?? def else { throw ValidationError(path: r.sub(key), reason: "missing") }
            guard allowZero ? v >= 0 : v > 0 else { throw ValidationError(path: r.sub(key), reason: allowZero ? "must be ≥ 0" : "must be > 0") }
            return v
        }
        switch type {
        case RuleKind.intrusion.rawValue:
            var rule = IntrusionRule(zone: try zone("zone"))
            rule.classes = try r.stringArray("classes") ?? rule.classes
            rule.minDwellSeconds = try positive("min_dwell_seconds", rule.minDwellSeconds, allowZero: true)
            rule.maxGapSeconds = try positive("max_gap_seconds", rule.maxGapSeconds, allowZero: true)
            guard !rule.classes.isEmpty else { throw ValidationError(path: r.sub("classes"), reason: "must not be empty") }
            spec = .intrusion(rule)
        case RuleKind.lineCrossing.rawValue:
            let pts = try r.points("line")
            guard pts.count == 2 else { throw ValidationError(path: r.sub("line"), reason: "needs two points") }
            guard pts[0] != pts[1] else { throw ValidationError(path: r.sub("line"), reason: "needs two distinct points", isRule: true) }
            var rule = LineCrossingRule(line: LineSegment(a: pts[0], b: pts[1]))
            rule.classes = try r.stringArray("classes") ?? rule.classes
            rule.hysteresisPixels = try positive("hysteresis_px", rule.hysteresisPixels, allowZero: true)
            if let d = try r.optionalString("in_direction") {
                guard let dir = LineCrossingRule.Direction(rawValue: d) else {
                    throw ValidationError(path: r.sub("in_direction"), reason: "must be left_to_right or right_to_left")
                }
                rule.inDirection = dir
            }
            guard !rule.classes.isEmpty else { throw ValidationError(path: r.sub("classes"), reason: "must not be empty") }
            spec = .lineCrossing(rule)
        case RuleKind.crowd.rawValue:
            var rule = CrowdRule(zone: try zone("zone"), maxCount: try r.optionalInt("max_count"))
            if let m = rule.maxCount, m < 1 { throw ValidationError(path: r.sub("max_count"), reason: "must be ≥ 1") }
            rule.baselineK = try positive("baseline_k", rule.baselineK)
            rule.baselineMinObservations = try r.optionalInt("baseline_min_observations") ?? rule.baselineMinObservations
            rule.baselineMinCount = try r.optionalInt("baseline_min_count") ?? rule.baselineMinCount
            rule.clearSeconds = try positive("clear_seconds", rule.clearSeconds, allowZero: true)
            guard rule.baselineMinObservations >= 2 else {
                throw ValidationError(path: r.sub("baseline_min_observations"), reason: "must be ≥ 2")
            }
            spec = .crowd(rule)
        case RuleKind.loitering.rawValue:
            var rule = LoiteringRule(zone: try zone("zone"), maxSeconds: try positive("max_seconds", nil))
            rule.maxGapSeconds = try positive("max_gap_seconds", rule.maxGapSeconds, allowZero: true)
            spec = .loitering(rule)
        case RuleKind.abandonedObject.rawValue:
            var rule = AbandonedObjectRule()
            if r.raw("zone") != nil { rule.zone = try zone("zone") }
            rule.objectClasses = try r.stringArray("object_classes") ?? rule.objectClasses
            guard !rule.objectClasses.isEmpty else {
                throw ValidationError(path: r.sub("object_classes"), reason: "must list non-person object classes")
            }
            guard !rule.objectClasses.contains("person") else {
                throw ValidationError(path: r.sub("object_classes"), reason: "must list non-person object classes", isRule: true)
            }
            rule.ownerSearchPixels = try positive("owner_search_px", rule.ownerSearchPixels)
            rule.ownerDistancePixels = try positive("owner_distance_px", rule.ownerDistancePixels)
            rule.abandonSeconds = try positive("abandon_seconds", rule.abandonSeconds)
            rule.stationaryPixels = try positive("stationary_px", rule.stationaryPixels)
            rule.stationarySeconds = try positive("stationary_seconds", rule.stationarySeconds, allowZero: true)
            rule.memorySeconds = try positive("memory_seconds", rule.memorySeconds)
            spec = .abandonedObject(rule)
        default:
            throw ValidationError(path: r.sub("type"),
                                  reason: "unknown rule type '\(type)' (expected one of \(RuleKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        try r.finish()
    }
}
