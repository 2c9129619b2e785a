import AqylCore
import Foundation

/// Maps a point (WGS 84 latitude/longitude) to one of the districts Aqyl ships (`KazakhstanRegions`):
/// the districts of Astana, Almaty, Shymkent and Akmola region.
///
/// **This is approximate.** It does not use district boundaries: it takes the nearest district centre within a
/// maximum distance. A point inside one of the three cities' bounding boxes is matched only against that city's
/// districts (nearest centre within 20 km); any other point only against Akmola region's districts (nearest
/// administrative centre within 80 km). Points near a boundary can land in the neighbouring district, and Kokshetau
/// and Stepnogorsk (cities of regional significance, not districts) fall to the nearest district. A caller who knows
/// the district sends its KATO code instead, which always wins.
///
/// Source of the coordinates: approximate positions of each city district's central area and of each Akmola
/// district's administrative centre, as shown on OpenStreetMap (openstreetmap.org, © OpenStreetMap contributors,
/// ODbL) and in the districts' Wikipedia articles, rounded to about 0.01° (≈ 1 km). They were not checked against
/// official boundaries; replace this table with the land cadastre's district polygons for production use.
public struct DistrictLocator: Sendable {
    public struct Centre: Sendable, Equatable {
        public var kato: String
        public var lat: Double
        public var lon: Double
    }

    public struct Area: Sendable {
        public var name: String
        /// Bounding box (south, west, north, east); nil = no box, the fallback group.
        public var box: (Double, Double, Double, Double)?
        public var maxKm: Double
        public var centres: [Centre]
    }

    public let areas: [Area]

    public init(areas: [Area] = DistrictLocator.shipped) { self.areas = areas }

    /// The district containing the point, approximately; nil when it is outside every known area.
    public func district(lat: Double, lon: Double) -> (kato: String, distanceKm: Double)? {
        let inBox = areas.first { a in
            guard let b = a.box else { return false }
            return lat >= b.0 && lat <= b.2 && lon >= b.1 && lon <= b.3
        }
        let candidates = inBox.map { [$0] } ?? areas.filter { $0.box == nil }
        var best: (String, Double)?
        for area in candidates {
            for c in area.centres {
                let d = Self.distanceKm(lat, lon, c.lat, c.lon)
                if d <= area.maxKm, d < (best?.1 ?? .infinity) { best = (c.kato, d) }
            }
        }
        return best.map { (kato: $0.0, distanceKm: $0.1) }
    }

    /// Great-circle distance (haversine, mean Earth radius 6371.0088 km).
    public static func distanceKm(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let r = 6371.0088
        let p1 = lat1 * .pi / 180, p2 = lat2 * .pi / 180
        let dp = (lat2 - lat1) * .pi / 180, dl = (lon2 - lon1) * .pi / 180
        let a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
        return 2 * r * asin(min(1, sqrt(a)))
    }

    public static let shipped: [Area] = [
        Area(name: "Astana", box: (50.98, 71.20, 51.30, 71.70), maxKm: 20, centres: [
            Centre(kato: "711110000", lat: 51.14, lon: 71.50),  // Almaty district (right bank, east)
            Centre(kato: "711210000", lat: 51.10, lon: 71.42),  // Esil (left bank)
            Centre(kato: "711310000", lat: 51.18, lon: 71.41),  // Saryarka (right bank, north-west)
            Centre(kato: "711410000", lat: 51.17, lon: 71.47),  // Baikonyr (right bank, north-east)
            Centre(kato: "711510000", lat: 51.06, lon: 71.36),  // Nura (south-west, towards the airport)
            Centre(kato: "711610000", lat: 51.10, lon: 71.49),  // Saraishyk (left bank, east)
        ]),
        Area(name: "Almaty", box: (43.10, 76.70, 43.42, 77.10), maxKm: 20, centres: [
            Centre(kato: "751110000", lat: 43.25, lon: 76.91),  // Almaly (centre)
            Centre(kato: "751210000", lat: 43.29, lon: 76.82),  // Alatau (north-west)
            Centre(kato: "751310000", lat: 43.22, lon: 76.84),  // Auezov (west)
            Centre(kato: "751410000", lat: 43.20, lon: 76.91),  // Bostandyk (south)
            Centre(kato: "751510000", lat: 43.29, lon: 76.93),  // Zhetysu (north)
            Centre(kato: "751710000", lat: 43.23, lon: 76.98),  // Medeu (east)
            Centre(kato: "751810000", lat: 43.20, lon: 76.77),  // Nauryzbay (south-west)
            Centre(kato: "751910000", lat: 43.33, lon: 76.96),  // Turksib (north-east)
        ]),
        Area(name: "Shymkent", box: (42.20, 69.45, 42.45, 69.80), maxKm: 20, centres: [
            Centre(kato: "791110000", lat: 42.34, lon: 69.56),  // Abai (north-west)
            Centre(kato: "791310000", lat: 42.32, lon: 69.60),  // Al-Farabi (centre)
            Centre(kato: "791510000", lat: 42.29, lon: 69.63),  // Yenbekshi (south-east)
            Centre(kato: "791710000", lat: 42.37, lon: 69.62),  // Karatau (north)
            Centre(kato: "791910000", lat: 42.28, lon: 69.54),  // Turan (south-west)
        ]),
        Area(name: "Akmola region", box: nil, maxKm: 80, centres: [
            Centre(kato: "113200000", lat: 52.00, lon: 70.93),  // Akkol
            Centre(kato: "113400000", lat: 50.84, lon: 72.17),  // Arshaly
            Centre(kato: "113600000", lat: 51.53, lon: 69.79),  // Astrakhanka
            Centre(kato: "113800000", lat: 51.81, lon: 68.36),  // Atbasar
            Centre(kato: "114000000", lat: 52.63, lon: 70.42),  // Makinsk (Bulandy)
            Centre(kato: "114400000", lat: 51.07, lon: 69.72),  // Egindykol
            Centre(kato: "114500000", lat: 52.83, lon: 70.79),  // Stepnyak (Birzhan Sal)
            Centre(kato: "114600000", lat: 51.62, lon: 73.10),  // Ereymentau
            Centre(kato: "114800000", lat: 51.96, lon: 66.40),  // Esil (Akmola)
            Centre(kato: "115200000", lat: 51.91, lon: 67.31),  // Zhaksy
            Centre(kato: "115400000", lat: 51.10, lon: 66.32),  // Derzhavinsk (Zharkain)
            Centre(kato: "115600000", lat: 52.88, lon: 69.14),  // Zerendi
            Centre(kato: "116000000", lat: 50.58, lon: 70.01),  // Korgalzhyn
            Centre(kato: "116400000", lat: 52.53, lon: 68.75),  // Balkashino (Sandyktau)
            Centre(kato: "116600000", lat: 51.10, lon: 71.15),  // Akmol (Tselinograd)
            Centre(kato: "116800000", lat: 51.70, lon: 71.02),  // Shortandy
            Centre(kato: "117000000", lat: 52.94, lon: 70.19),  // Shchuchinsk (Burabay)
        ]),
    ]
}
