import Foundation

/// A local equirectangular projection on the WGS84 ellipsoid about (lon0, lat0):
///
///     x = N(φ0)·cos φ0·(λ − λ0),   y = M(φ0)·(φ − φ0)      (radians; metres)
///
/// with M the meridional and N the prime-vertical radius of curvature at φ0. Because x depends on λ only and y
/// on φ only, a square metre cell maps to an exact longitude/latitude rectangle, so cells written back in degrees
/// contain exactly the points the metre grid gave them. Scale is exact at φ0; east–west distances at latitude φ
/// are off by N(φ)cos φ / (N(φ0)cos φ0) − 1 ≈ −tan φ0·(φ − φ0) (about 1.2 % per degree of latitude at 54° N),
/// north–south by M̄/M(φ0) − 1 (under 0.02 % within ±1°). `scaleError(latitudes:)` reports the bound for the data.
public struct LocalEquirectangular: Sendable, Equatable, Codable {
    public static let semiMajorAxis = 6_378_137.0
    public static let flattening = 1 / 298.257_223_563

    public var lon0: Double
    public var lat0: Double
    /// Metres per radian of longitude (N cos φ0) and of latitude (M) at lat0.
    public var metresPerRadianLon: Double
    public var metresPerRadianLat: Double

    public init(lon0: Double, lat0: Double) {
        self.lon0 = lon0
        self.lat0 = lat0
        let r = LocalEquirectangular.radii(latitude: lat0)
        metresPerRadianLon = r.n * cos(lat0 * .pi / 180)
        metresPerRadianLat = r.m
    }

    /// The projection about the data's mean position rounded to 0.1°, so that similar data sets share one grid.
    public static func centred(longitudes: [Double], latitudes: [Double]) -> LocalEquirectangular {
        let lon = longitudes.isEmpty ? 0 : longitudes.reduce(0, +) / Double(longitudes.count)
        let lat = latitudes.isEmpty ? 0 : latitudes.reduce(0, +) / Double(latitudes.count)
        return LocalEquirectangular(lon0: (lon * 10).rounded() / 10, lat0: (lat * 10).rounded() / 10)
    }

    /// Meridional (M) and prime-vertical (N) radii of curvature of WGS84 at a latitude in degrees.
    public static func radii(latitude: Double) -> (m: Double, n: Double) {
        let f = flattening
        let e2 = f * (2 - f)
        let s = sin(latitude * .pi / 180)
        let w = (1 - e2 * s * s).squareRoot()
        return (semiMajorAxis * (1 - e2) / (w * w * w), semiMajorAxis / w)
    }

    public func forward(lon: Double, lat: Double) -> (x: Double, y: Double) {
        ((lon - lon0) * .pi / 180 * metresPerRadianLon, (lat - lat0) * .pi / 180 * metresPerRadianLat)
    }

    public func inverse(x: Double, y: Double) -> (lon: Double, lat: Double) {
        (lon0 + x / metresPerRadianLon * 180 / .pi, lat0 + y / metresPerRadianLat * 180 / .pi)
    }

    /// Largest relative length error of the projection over a latitude range (east–west and north–south).
    public func scaleError(latitudes: ClosedRange<Double>) -> Double {
        var worst = 0.0
        for lat in [latitudes.lowerBound, latitudes.upperBound] {
            let r = LocalEquirectangular.radii(latitude: lat)
            worst = max(worst, abs(r.n * cos(lat * .pi / 180) / metresPerRadianLon - 1))
            // Mean meridional radius between lat0 and lat, against M(lat0).
            let mid = LocalEquirectangular.radii(latitude: (lat + lat0) / 2).m
            worst = max(worst, abs(mid / metresPerRadianLat - 1))
        }
        return worst
    }

    /// Area in square metres of a longitude/latitude rectangle (small-rectangle formula at its centre latitude,
    /// relative error of order (Δφ)², below 1e-8 for a 250 m cell).
    public static func area(lonMin: Double, latMin: Double, lonMax: Double, latMax: Double) -> Double {
        let latC = (latMin + latMax) / 2
        let r = radii(latitude: latC)
        return abs(lonMax - lonMin) * .pi / 180 * r.n * cos(latC * .pi / 180) * abs(latMax - latMin) * .pi / 180 * r.m
    }
}

/// How a set's coordinates become the planar working coordinates of the grid, and back.
public struct PlanarFrame: Sendable, Equatable, Codable {
    /// For projected data the working unit is the data's own unit; for geographic data it is the metre.
    public var metresPerUnit: Double
    public var projection: LocalEquirectangular?

    /// Projected data: identity. Geographic data: the local projection centred on the given points.
    public static func frame(for crs: CoordinateSystem, incidents: [Incident]) -> PlanarFrame {
        switch crs {
        case .projected(_, let m): return PlanarFrame(metresPerUnit: m, projection: nil)
        case .geographic:
            return PlanarFrame(metresPerUnit: 1, projection: .centred(longitudes: incidents.map(\.x), latitudes: incidents.map(\.y)))
        }
    }

    @inline(__always)
    public func forward(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        guard let p = projection else { return (x, y) }
        return p.forward(lon: x, lat: y)
    }

    @inline(__always)
    public func inverse(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        guard let p = projection else { return (x, y) }
        let g = p.inverse(x: x, y: y)
        return (g.lon, g.lat)
    }

    /// Area in square metres of a rectangle given in the data's own coordinates.
    public func area(xMin: Double, yMin: Double, xMax: Double, yMax: Double) -> Double {
        if projection != nil { return LocalEquirectangular.area(lonMin: xMin, latMin: yMin, lonMax: xMax, latMax: yMax) }
        return abs(xMax - xMin) * abs(yMax - yMin) * metresPerUnit * metresPerUnit
    }
}
