import AqylML
import Foundation

/// A simple polygon (vertices in order, implicitly closed), in pixel coordinates.
public struct Polygon: Sendable, Hashable, Codable {
    public var vertices: [Point]

    public init(_ vertices: [Point]) { self.vertices = vertices }

    /// Even–odd (ray casting) point-in-polygon test; points exactly on an edge count as inside.
    public func contains(_ p: Point) -> Bool {
        let n = vertices.count
        guard n >= 3 else { return false }
        var inside = false
        var j = n - 1
        for i in 0..<n {
            let a = vertices[i], b = vertices[j]
            // On-edge check.
            let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
            if abs(cross) < 1e-9 && p.x >= min(a.x, b.x) - 1e-9 && p.x <= max(a.x, b.x) + 1e-9
                && p.y >= min(a.y, b.y) - 1e-9 && p.y <= max(a.y, b.y) + 1e-9 { return true }
            if (a.y > p.y) != (b.y > p.y) {
                let xCross = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y)
                if p.x < xCross { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Twice the signed area is non-zero for a proper polygon.
    public var area: Double {
        var s = 0.0
        for i in vertices.indices {
            let a = vertices[i], b = vertices[(i + 1) % vertices.count]
            s += a.x * b.y - b.x * a.y
        }
        return abs(s) / 2
    }
}

/// A directed line segment from `a` to `b`.
public struct LineSegment: Sendable, Hashable, Codable {
    public var a: Point
    public var b: Point

    public init(a: Point, b: Point) {
        self.a = a
        self.b = b
    }

    public var length: Double { a.distance(to: b) }

    /// Signed perpendicular distance of `p` to the (infinite) line, in pixels. Positive means
    /// `p` is on the right-hand side of A→B *as seen on screen* (image y axis pointing down).
    public func signedDistance(_ p: Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        return (dx * (p.y - a.y) - dy * (p.x - a.x)) / max(length, 1e-12)
    }

    /// Position along A→B (0 at A, 1 at B) where the segment p→q crosses the line, or nil if
    /// p→q is parallel to it.
    public func crossingParameter(from p: Point, to q: Point) -> Double? {
        let dp = signedDistance(p), dq = signedDistance(q)
        guard dp != dq else { return nil }
        let s = dp / (dp - dq)
        let x = Point(x: p.x + (q.x - p.x) * s, y: p.y + (q.y - p.y) * s)
        let dx = b.x - a.x, dy = b.y - a.y
        return ((x.x - a.x) * dx + (x.y - a.y) * dy) / max(dx * dx + dy * dy, 1e-12)
    }
}
