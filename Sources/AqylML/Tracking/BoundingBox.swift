import Foundation

/// Axis-aligned box in pixel coordinates: top-left corner (x, y), width and height
/// (the MOTChallenge `x,y,w,h` convention).
public struct BoundingBox: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var w: Double
    public var h: Double

    public init(x: Double, y: Double, w: Double, h: Double) {
        self.x = x
        self.y = y
        self.w = w
        self.h = h
    }

    /// Builds a box from its centre, width and height.
    public init(cx: Double, cy: Double, w: Double, h: Double) {
        self.init(x: cx - w / 2, y: cy - h / 2, w: w, h: h)
    }

    public var cx: Double { x + w / 2 }
    public var cy: Double { y + h / 2 }
    public var maxX: Double { x + w }
    public var maxY: Double { y + h }
    public var area: Double { max(w, 0) * max(h, 0) }
    public var center: Point { Point(x: cx, y: cy) }
    /// Bottom-centre ("foot point") — the usual anchor for ground-plane zone and line rules.
    public var bottomCenter: Point { Point(x: cx, y: y + h) }

    /// Intersection over union; 0 when the boxes do not overlap or either is empty.
    /// Same arithmetic as py-motmetrics `boxiou` (no +1 pixel convention).
    @inlinable
    public func iou(_ o: BoundingBox) -> Double {
        let iw = min(x + w, o.x + o.w) - max(x, o.x)
        let ih = min(y + h, o.y + o.h) - max(y, o.y)
        if iw <= 0 || ih <= 0 { return 0 }
        let inter = iw * ih
        let union = max(w, 0) * max(h, 0) + max(o.w, 0) * max(o.h, 0) - inter
        return union > 0 ? inter / union : 0
    }

    /// Linear interpolation between two boxes, `t` in [0, 1].
    public func lerp(to o: BoundingBox, t: Double) -> BoundingBox {
        BoundingBox(x: x + (o.x - x) * t, y: y + (o.y - y) * t, w: w + (o.w - w) * t, h: h + (o.h - h) * t)
    }
}

/// A 2-D point in pixel coordinates.
public struct Point: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    public func distance(to o: Point) -> Double { ((x - o.x) * (x - o.x) + (y - o.y) * (y - o.y)).squareRoot() }
}

/// IoU matrix (rows: `a`, columns: `b`) as a flat row-major array.
public func iouMatrix(_ a: [BoundingBox], _ b: [BoundingBox]) -> [Double] {
    var out = [Double](repeating: 0, count: a.count * b.count)
    for i in a.indices {
        for j in b.indices { out[i * b.count + j] = a[i].iou(b[j]) }
    }
    return out
}

/// One detection from a detector: frame index, box, confidence and (optionally) class.
public struct Detection: Sendable, Hashable {
    public var frame: Int
    public var box: BoundingBox
    public var score: Double
    public var classLabel: String

    public init(frame: Int, box: BoundingBox, score: Double, classLabel: String = "person") {
        self.frame = frame
        self.box = box
        self.score = score
        self.classLabel = classLabel
    }
}

/// One tracker output row: a track id with its box in a frame.
public struct TrackedBox: Sendable, Hashable, Codable {
    public var frame: Int
    public var trackID: Int
    public var box: BoundingBox
    public var score: Double
    public var classLabel: String

    public init(frame: Int, trackID: Int, box: BoundingBox, score: Double, classLabel: String = "person") {
        self.frame = frame
        self.trackID = trackID
        self.box = box
        self.score = score
        self.classLabel = classLabel
    }
}
