import Foundation

/// One message of the edge-device detection stream (one JSON object per line):
/// `{"camera_id":"cam-1","time":"2026-01-01T10:00:00.040Z","boxes":[{"x":..,"y":..,"w":..,"h":..,"class":"person","score":0.9}]}`
/// with `frame` (integer ≥ 0) instead of, or in addition to, `time` (ISO-8601).
public struct DetectionMessage: Sendable, Hashable {
    public struct Box: Sendable, Hashable {
        public var box: BoundingBox
        public var classLabel: String
        public var score: Double
        public init(box: BoundingBox, classLabel: String, score: Double) {
            self.box = box
            self.classLabel = classLabel
            self.score = score
        }
    }

    public var cameraID: String
    public var time: Date?
    public var frame: Int?
    public var boxes: [Box]

    public init(cameraID: String, time: Date?, frame: Int?, boxes: [Box]) {
        self.cameraID = cameraID
        self.time = time
        self.frame = frame
        self.boxes = boxes
    }
}

/// Strict parser for the JSON-lines detection stream. Unknown keys, missing keys, wrong JSON
/// types, non-finite or out-of-range numbers and unparsable timestamps are errors that carry the
/// 1-based line number and the offending field path (e.g. `boxes[2].score`).
public enum DetectionStreamParser {
    static let messageKeys: Set<String> = ["camera_id", "time", "frame", "boxes"]
    static let boxKeys: Set<String> = ["x", "y", "w", "h", "class", "score"]

    public static func parse(_ text: String, source: String = "stream") throws -> [DetectionMessage] {
        var out: [DetectionMessage] = []
        var lineNo = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            out.append(try parseLine(line, line: lineNo, source: source))
        }
        return out
    }

    public static func load(path: String) throws -> [DetectionMessage] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputLineError(source: path, line: 0, reason: "cannot read file: \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Parses one line (already stripped).
    public static func parseLine(_ line: String, line n: Int, source: String = "stream") throws -> DetectionMessage {
        func fail(_ field: String?, _ reason: String) -> InputLineError {
            InputLineError(source: source, line: n, field: field, reason: reason)
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        } catch {
            throw fail(nil, "invalid JSON")
        }
        guard case .object(let dict) = value else { throw fail(nil, "expected a JSON object") }
        for k in dict.keys.sorted() where !messageKeys.contains(k) { throw fail(k, "unknown key") }

        guard let camValue = dict["camera_id"] else { throw fail("camera_id", "missing") }
        guard case .string(let cam) = camValue else { throw fail("camera_id", "must be a string, got \(camValue.typeName)") }
        guard !cam.isEmpty, cam.count <= 128 else { throw fail("camera_id", "must be 1-128 characters") }

        var time: Date?
        if let tValue = dict["time"] {
            guard case .string(let t) = tValue else { throw fail("time", "must be an ISO-8601 string, got \(tValue.typeName)") }
            guard let d = parseISO8601(t) else { throw fail("time", "not an ISO-8601 timestamp: '\(t)'") }
            time = d
        }
        var frame: Int?
        if let fValue = dict["frame"] {
            guard case .number(let v) = fValue else { throw fail("frame", "must be a number, got \(fValue.typeName)") }
            guard v == v.rounded(), v >= 0, v < 1e12 else { throw fail("frame", "must be a non-negative integer, got \(v)") }
            frame = Int(v)
        }
        if time == nil && frame == nil { throw fail("time", "one of 'time' or 'frame' is required") }

        guard let boxesValue = dict["boxes"] else { throw fail("boxes", "missing") }
        guard case .array(let arr) = boxesValue else { throw fail("boxes", "must be an array, got \(boxesValue.typeName)") }
        var boxes: [DetectionMessage.Box] = []
        boxes.reserveCapacity(arr.count)
        for (i, bValue) in arr.enumerated() {
            let path = "boxes[\(i)]"
            guard case .object(let b) = bValue else { throw fail(path, "must be an object, got \(bValue.typeName)") }
            for k in b.keys.sorted() where !boxKeys.contains(k) { throw fail("\(path).\(k)", "unknown key") }
            var v: [String: Double] = [:]
            for k in ["x", "y", "w", "h", "score"] {
                guard let a = b[k] else { throw fail("\(path).\(k)", "missing") }
                guard case .number(let d) = a else { throw fail("\(path).\(k)", "must be a number, got \(a.typeName)") }
                guard d.isFinite else { throw fail("\(path).\(k)", "must be finite") }
                v[k] = d
            }
            let w = v["w"]!, h = v["h"]!, score = v["score"]!
            if w <= 0 { throw fail("\(path).w", "must be > 0, got \(w)") }
            if h <= 0 { throw fail("\(path).h", "must be > 0, got \(h)") }
            if !(0...1).contains(score) { throw fail("\(path).score", "must be in [0, 1], got \(score)") }
            guard let cValue = b["class"] else { throw fail("\(path).class", "missing") }
            guard case .string(let c) = cValue, !c.isEmpty else { throw fail("\(path).class", "must be a non-empty string") }
            boxes.append(.init(box: BoundingBox(x: v["x"]!, y: v["y"]!, w: w, h: h), classLabel: c, score: score))
        }
        return DetectionMessage(cameraID: cam, time: time, frame: frame, boxes: boxes)
    }
}

/// A decoded JSON value that keeps JSON's types apart (booleans are never numbers), used for
/// strict validation with precise error messages.
public enum JSONValue: Decodable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// JSON type name for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// ISO-8601 timestamp parsing with or without fractional seconds.
public func parseISO8601(_ s: String) -> Date? {
    if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s) { return d }
    if let d = try? Date.ISO8601FormatStyle().parse(s) { return d }
    return nil
}

/// Formats a date as ISO-8601 UTC with milliseconds.
public func formatISO8601(_ d: Date) -> String {
    d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

extension DetectionMessage {
    /// Converts messages of one camera to per-frame detections. Messages with `frame` use it;
    /// messages with only `time` get `frame = firstFrame + round((time − t0) · fps)`.
    public static func framesByIndex(_ msgs: [DetectionMessage], fps: Double, firstFrame: Int = 1) -> [Int: [Detection]] {
        let t0 = msgs.compactMap(\.time).min()
        var out: [Int: [Detection]] = [:]
        for m in msgs {
            let f: Int
            if let fr = m.frame {
                f = fr
            } else if let t = m.time, let t0 {
                f = firstFrame + Int((t.timeIntervalSince(t0) * fps).rounded())
            } else {
                continue
            }
            var list = out[f, default: []]
            for b in m.boxes { list.append(Detection(frame: f, box: b.box, score: b.score, classLabel: b.classLabel)) }
            out[f] = list
        }
        return out
    }
}
