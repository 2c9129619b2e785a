import Foundation

/// One row of a MOTChallenge text file (`det.txt`, `gt.txt` or a tracker result):
/// `frame,id,x,y,w,h,conf[,x,y,z]`. For det.txt `id` is −1; for gt.txt `conf` is the
/// "consider" flag (0 = ignore); the world coordinates default to −1.
public struct MOTRow: Sendable, Hashable {
    public var frame: Int
    public var id: Int
    public var box: BoundingBox
    public var confidence: Double
    public var world: (x: Double, y: Double, z: Double)

    public init(frame: Int, id: Int, box: BoundingBox, confidence: Double,
                world: (x: Double, y: Double, z: Double) = (-1, -1, -1)) {
        self.frame = frame
        self.id = id
        self.box = box
        self.confidence = confidence
        self.world = world
    }

    public static func == (a: MOTRow, b: MOTRow) -> Bool {
        a.frame == b.frame && a.id == b.id && a.box == b.box && a.confidence == b.confidence
            && a.world.x == b.world.x && a.world.y == b.world.y && a.world.z == b.world.z
    }

    public func hash(into h: inout Hasher) {
        h.combine(frame)
        h.combine(id)
        h.combine(box)
        h.combine(confidence)
    }
}

/// A malformed input line: 1-based line number and the reason.
public struct InputLineError: Error, CustomStringConvertible, Sendable, Equatable {
    public var source: String
    public var line: Int
    public var field: String?
    public var reason: String

    public init(source: String, line: Int, field: String? = nil, reason: String) {
        self.source = source
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        if let field { return "\(source):\(line): field '\(field)': \(reason)" }
        return "\(source):\(line): \(reason)"
    }
}

/// Reading and writing MOTChallenge text files.
public enum MOTChallengeIO {
    static let fieldNames = ["frame", "id", "x", "y", "w", "h", "conf", "world_x", "world_y", "world_z"]

    /// Parses MOTChallenge text. Fields are separated by commas (or whitespace); 7 to 10 fields
    /// per line; blank lines are skipped. Throws `InputLineError` naming the line and field.
    public static func parse(_ text: String, source: String = "input") throws -> [MOTRow] {
        var rows: [MOTRow] = []
        var lineNo = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNo += 1
            let line = Substring(rawLine)
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count == 1 { fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
            guard (7...10).contains(fields.count) else {
                throw InputLineError(source: source, line: lineNo,
                                     reason: "expected 7 to 10 comma-separated fields, found \(fields.count)")
            }
            var values = [Double](repeating: -1, count: 10)
            for (k, f) in fields.enumerated() {
                let t = f.trimmingCharacters(in: .whitespaces)
                guard let v = Double(t), v.isFinite else {
                    throw InputLineError(source: source, line: lineNo, field: fieldNames[k],
                                         reason: t.isEmpty ? "empty value" : "not a finite number: '\(t)'")
                }
                values[k] = v
            }
            for k in 0..<2 where values[k] != values[k].rounded() || abs(values[k]) > 1e9 {
                throw InputLineError(source: source, line: lineNo, field: fieldNames[k],
                                     reason: "must be an integer, got \(values[k])")
            }
            if values[0] < 0 {
                throw InputLineError(source: source, line: lineNo, field: "frame", reason: "negative frame \(Int(values[0]))")
            }
            if values[4] < 0 || values[5] < 0 {
                throw InputLineError(source: source, line: lineNo, field: values[4] < 0 ? "w" : "h",
                                     reason: "negative box size")
            }
            rows.append(MOTRow(frame: Int(values[0]), id: Int(values[1]),
                               box: BoundingBox(x: values[2], y: values[3], w: values[4], h: values[5]),
                               confidence: values[6], world: (values[7], values[8], values[9])))
        }
        return rows
    }

    /// Reads and parses a file; I/O failures are reported as `InputLineError` with line 0.
    public static func load(path: String) throws -> [MOTRow] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputLineError(source: path, line: 0, reason: "cannot read file: \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Detections (rows of a det.txt) grouped into per-frame lists.
    public static func detectionsByFrame(_ rows: [MOTRow], classLabel: String = "person") -> [Int: [Detection]] {
        var out: [Int: [Detection]] = [:]
        for r in rows {
            out[r.frame, default: []].append(Detection(frame: r.frame, box: r.box, score: r.confidence, classLabel: classLabel))
        }
        return out
    }

    /// Formats tracker output as MOTChallenge result lines
    /// `frame,id,x,y,w,h,conf,-1,-1,-1` (2 decimals for coordinates, like SORT's output).
    public static func format(_ rows: [TrackedBox], writeScore: Bool = false) -> String {
        var s = ""
        s.reserveCapacity(rows.count * 48)
        for r in rows {
            s += "\(r.frame),\(r.trackID),\(fmt(r.box.x)),\(fmt(r.box.y)),\(fmt(r.box.w)),\(fmt(r.box.h)),"
            s += writeScore ? fmt(r.score) : "1"
            s += ",-1,-1,-1\n"
        }
        return s
    }

    /// Formats parsed rows back to text (10 fields).
    public static func format(rows: [MOTRow]) -> String {
        var s = ""
        for r in rows {
            s += "\(r.frame),\(r.id),\(fmt(r.box.x)),\(fmt(r.box.y)),\(fmt(r.box.w)),\(fmt(r.box.h)),\(fmt(r.confidence)),"
            s += "\(fmt(r.world.x)),\(fmt(r.world.y)),\(fmt(r.world.z))\n"
        }
        return s
    }

    static func fmt(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        return String(format: "%.2f", v)
    }
}
