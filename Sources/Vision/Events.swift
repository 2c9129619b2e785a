import AqylCore
import AqylML
import Foundation

/// A box of one track in one frame, kept as evidence for an event.
public struct EventEvidence: Sendable, Hashable, Codable {
    public var trackID: Int
    public var classLabel: String
    public var frame: Int
    public var box: BoundingBox

    public init(trackID: Int, classLabel: String, frame: Int, box: BoundingBox) {
        self.trackID = trackID
        self.classLabel = classLabel
        self.frame = frame
        self.box = box
    }

    enum CodingKeys: String, CodingKey {
        case trackID = "track_id", classLabel = "class", frame, box
    }
}

/// An analytics event raised by a rule.
public struct VisionEvent: Sendable, Hashable, Codable {
    public var cameraID: String
    public var districtKATO: String
    public var ruleID: String
    /// The camera configuration's `version` the rule came from.
    public var ruleVersion: Int
    public var ruleKind: RuleKind
    public var startFrame: Int
    public var endFrame: Int
    /// Seconds since the configuration's first frame.
    public var startSeconds: Double
    public var endSeconds: Double
    /// ISO-8601 wall-clock times, when the configuration has a `start_time`.
    public var startTime: String?
    public var endTime: String?
    public var trackIDs: [Int]
    public var evidence: [EventEvidence]
    /// In [0, 1].
    public var confidence: Double
    public var description: String
    /// Rule-specific details (e.g. `direction`, `count`, `state`).
    public var attributes: [String: String]

    public init(cameraID: String, districtKATO: String, ruleID: String, ruleVersion: Int, ruleKind: RuleKind,
                startFrame: Int, endFrame: Int, startSeconds: Double, endSeconds: Double,
                startTime: String? = nil, endTime: String? = nil, trackIDs: [Int], evidence: [EventEvidence],
                confidence: Double, description: String, attributes: [String: String] = [:]) {
        self.cameraID = cameraID
        self.districtKATO = districtKATO
        self.ruleID = ruleID
        self.ruleVersion = ruleVersion
        self.ruleKind = ruleKind
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.startTime = startTime
        self.endTime = endTime
        self.trackIDs = trackIDs
        self.evidence = evidence
        self.confidence = confidence
        self.description = description
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey {
        case cameraID = "camera_id", districtKATO = "district_kato", ruleID = "rule_id", ruleVersion = "rule_version"
        case ruleKind = "rule_kind", startFrame = "start_frame", endFrame = "end_frame"
        case startSeconds = "start_seconds", endSeconds = "end_seconds", startTime = "start_time", endTime = "end_time"
        case trackIDs = "track_ids", evidence, confidence, description, attributes
    }

    /// One-line JSON (sorted keys).
    public func jsonLine() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? enc.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// An event produced by a camera's own (vendor) analytics, as received from the camera.
/// Decoding is strict: unknown keys, wrong types, bad timestamps, out-of-range confidence, an
/// unknown `event_type`, `end_time` before `start_time` or a bad KATO code are `ValidationError`s.
///
/// ```json
/// {"schema_version": 1, "event_id": "ev-42", "camera_id": "cam-1", "vendor": "hikvision",
///  "event_type": "line_crossing", "start_time": "2026-01-01T10:00:00Z", "confidence": 0.8,
///  "objects": [{"class": "person", "track_id": 7, "box": {"x": 1, "y": 2, "w": 3, "h": 4}}]}
/// ```
public struct ExternalCameraEvent: Sendable, Hashable, Codable {
    public struct Object: Sendable, Hashable, Codable {
        public var classLabel: String
        public var trackID: Int?
        public var box: BoundingBox?

        public init(classLabel: String, trackID: Int? = nil, box: BoundingBox? = nil) {
            self.classLabel = classLabel
            self.trackID = trackID
            self.box = box
        }

        enum CodingKeys: String, CodingKey {
            case classLabel = "class", trackID = "track_id", box
        }
    }

    public static let supportedSchemaVersion = 1
    public static let eventTypes: Set<String> = Set(RuleKind.allCases.map(\.rawValue)).union(["tamper", "other"])

    public var schemaVersion: Int
    public var eventID: String
    public var cameraID: String
    public var vendor: String
    public var eventType: String
    public var startTime: Date
    public var endTime: Date?
    public var confidence: Double
    public var districtKATO: String?
    public var objects: [Object]
    public var description: String?

    public init(schemaVersion: Int = 1, eventID: String, cameraID: String, vendor: String, eventType: String,
                startTime: Date, endTime: Date? = nil, confidence: Double, districtKATO: String? = nil,
                objects: [Object] = [], description: String? = nil) {
        self.schemaVersion = schemaVersion
        self.eventID = eventID
        self.cameraID = cameraID
        self.vendor = vendor
        self.eventType = eventType
        self.startTime = startTime
        self.endTime = endTime
        self.confidence = confidence
        self.districtKATO = districtKATO
        self.objects = objects
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", eventID = "event_id", cameraID = "camera_id", vendor
        case eventType = "event_type", startTime = "start_time", endTime = "end_time", confidence
        case districtKATO = "district_kato", objects, description
    }

    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(eventID, forKey: .eventID)
        try c.encode(cameraID, forKey: .cameraID)
        try c.encode(vendor, forKey: .vendor)
        try c.encode(eventType, forKey: .eventType)
        try c.encode(formatISO8601(startTime), forKey: .startTime)
        try c.encodeIfPresent(endTime.map(formatISO8601), forKey: .endTime)
        try c.encode(confidence, forKey: .confidence)
        try c.encodeIfPresent(districtKATO, forKey: .districtKATO)
        try c.encode(objects, forKey: .objects)
        try c.encodeIfPresent(description, forKey: .description)
    }

    /// Strictly parses one JSON document.
    public static func parse(_ data: Data) throws -> ExternalCameraEvent {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ValidationError(path: "", reason: "invalid JSON")
        }
        return try ExternalCameraEvent(json: value)
    }

    init(json: JSONValue) throws {
        var r = try ObjectReader(json, path: "")
        schemaVersion = try r.int("schema_version")
        guard schemaVersion == Self.supportedSchemaVersion else {
            throw ValidationError(path: "schema_version", reason: "unsupported version \(schemaVersion) (expected \(Self.supportedSchemaVersion))")
        }
        eventID = try r.string("event_id")
        guard !eventID.isEmpty, eventID.codePointCount <= 128 else { throw ValidationError(path: "event_id", reason: "must be 1-128 characters") }
        cameraID = try r.string("camera_id")
        guard !cameraID.isEmpty, cameraID.codePointCount <= 128 else { throw ValidationError(path: "camera_id", reason: "must be 1-128 characters") }
        vendor = try r.string("vendor")
        guard !vendor.isEmpty, vendor.codePointCount <= 64 else { throw ValidationError(path: "vendor", reason: "must be 1-64 characters") }
        eventType = try r.string("event_type")
        guard Self.eventTypes.contains(eventType) else {
            throw ValidationError(path: "event_type", reason: "unknown event type '\(eventType)' (expected one of \(Self.eventTypes.sorted().joined(separator: ", ")))")
        }
        let st = try r.string("start_time")
        guard let s = RFC3339.parse(st) else { throw ValidationError(path: "start_time", reason: "not an ISO-8601 timestamp: '\(st)'") }
        startTime = s
        if let et = try r.optionalString("end_time") {
            guard let e = RFC3339.parse(et) else { throw ValidationError(path: "end_time", reason: "not an ISO-8601 timestamp: '\(et)'") }
            guard e >= s else { throw ValidationError(path: "end_time", reason: "is before start_time", isRule: true) }
            endTime = e
        }
        confidence = try r.double("confidence")
        guard (0...1).contains(confidence) else { throw ValidationError(path: "confidence", reason: "must be in [0, 1], got \(confidence)") }
        districtKATO = try r.optionalString("district_kato")
        if let k = districtKATO, !isKATO(k) { throw ValidationError(path: "district_kato", reason: "must be a 9-digit KATO code") }
        description = try r.optionalString("description")
        if let d = description, d.codePointCount > 1000 { throw ValidationError(path: "description", reason: "longer than 1000 characters") }
        objects = []
        for (i, v) in (try r.array("objects") ?? []).enumerated() {
            var o = try ObjectReader(v, path: "objects[\(i)]")
            let cls = try o.string("class")
            guard !cls.isEmpty else { throw ValidationError(path: o.sub("class"), reason: "must not be empty") }
            let tid = try o.optionalInt("track_id")
            var box: BoundingBox?
            if let bv = o.raw("box") {
                var b = try ObjectReader(bv, path: o.sub("box"))
                let bb = BoundingBox(x: try b.double("x"), y: try b.double("y"), w: try b.double("w"), h: try b.double("h"))
                guard bb.w > 0, bb.h > 0 else { throw ValidationError(path: b.sub(bb.w > 0 ? "h" : "w"), reason: "must be > 0") }
                try b.finish()
                box = bb
            }
            try o.finish()
            objects.append(Object(classLabel: cls, trackID: tid, box: box))
        }
        try r.finish()
    }

    /// Converts to the internal event form (frames unknown: −1; times relative to `startTime`).
    /// Returns nil for camera event types with no rule counterpart (`tamper`, `other`).
    public func toVisionEvent(districtKATO fallbackKATO: String = "") -> VisionEvent? {
        guard let kind = RuleKind(rawValue: eventType) else { return nil }
        let attrs = ["source": "camera", "vendor": vendor, "event_id": eventID]
        let evidence = objects.compactMap { o in o.box.map { EventEvidence(trackID: o.trackID ?? -1, classLabel: o.classLabel, frame: -1, box: $0) } }
        return VisionEvent(cameraID: cameraID, districtKATO: districtKATO ?? fallbackKATO, ruleID: "camera:\(eventType)",
                           ruleVersion: schemaVersion, ruleKind: kind, startFrame: -1, endFrame: -1,
                           startSeconds: 0, endSeconds: (endTime ?? startTime).timeIntervalSince(startTime),
                           startTime: formatISO8601(startTime), endTime: formatISO8601(endTime ?? startTime),
                           trackIDs: objects.compactMap(\.trackID), evidence: evidence, confidence: confidence,
                           description: description ?? "\(vendor) camera event \(eventType)", attributes: attrs)
    }
}
