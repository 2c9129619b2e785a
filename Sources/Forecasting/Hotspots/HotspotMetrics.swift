import Foundation

/// Accuracy of a hotspot forecast against the incidents that then happened, as the NIJ Real-Time Crime Forecasting
/// Challenge scored it (National Institute of Justice, "Real-Time Crime Forecasting Challenge Winners", notes [1]
/// and [2], https://nij.ojp.gov/real-time-crime-forecasting-challenge-winners; PEI* argued for in White, Hunt &
/// Green 2023, "A discussion of current crime forecasting indices and an improvement to the prediction efficiency
/// index for applications", Security Journal):
///
///     PAI  = (n / N) / (a / A)
///     PEI* = n / n*
///
/// n: incidents in the forecast cells; N: all incidents of the category in the period; a: forecast area;
/// A: the study area; n*: the most incidents any choice of cells with the same area could have held, i.e. the sum of
/// the largest observed cell counts over as many cells as were forecast (cells are equal squares).
public struct HotspotScore: Sendable, Codable, Equatable {
    /// nil when N = 0.
    public var pai: Double?
    /// PEI*; nil when n* = 0.
    public var pei: Double?
    /// n / N; nil when N = 0.
    public var hitRate: Double?
    public var n: Int
    /// N
    public var total: Int
    public var nStar: Int
    /// a, square metres.
    public var area: Double
    /// A, square metres.
    public var studyArea: Double
    public var cells: Int

    enum CodingKeys: String, CodingKey {
        case pai, pei, n, area, cells
        case hitRate = "hit_rate"
        case total
        case nStar = "n_star"
        case studyArea = "study_area"
    }
}

public enum HotspotMetrics {
    /// Scores a forecast. `counts` holds the observed incidents per cell (any cell key, forecast or not, so n* can
    /// be found); `total` counts every incident of the period, including any outside the grid.
    public static func score<Key: Hashable>(selected: [Key], counts: [Key: Int], total: Int, area: Double,
                                            studyArea: Double) -> HotspotScore {
        var n = 0
        for k in Set(selected) { n += counts[k] ?? 0 }
        let nStar = topSum(Array(counts.values), k: Set(selected).count)
        return make(n: n, nStar: nStar, total: total, area: area, studyArea: studyArea, cells: Set(selected).count)
    }

    /// Dense form: `counts[cell]` for every grid cell.
    public static func score(selected: [Int], counts: [Int], total: Int, area: Double, studyArea: Double) -> HotspotScore {
        let unique = Array(Set(selected))
        var n = 0
        for k in unique where k >= 0 && k < counts.count { n += counts[k] }
        let nStar = topSum(counts, k: unique.count)
        return make(n: n, nStar: nStar, total: total, area: area, studyArea: studyArea, cells: unique.count)
    }

    static func make(n: Int, nStar: Int, total: Int, area: Double, studyArea: Double, cells: Int) -> HotspotScore {
        let hit: Double? = total > 0 ? Double(n) / Double(total) : nil
        let pai: Double? = (hit != nil && area > 0 && studyArea > 0) ? hit! / (area / studyArea) : nil
        let pei: Double? = nStar > 0 ? Double(n) / Double(nStar) : nil
        return HotspotScore(pai: pai, pei: pei, hitRate: hit, n: n, total: total, nStar: nStar, area: area,
                            studyArea: studyArea, cells: cells)
    }

    /// Sum of the k largest values.
    static func topSum(_ values: [Int], k: Int) -> Int {
        guard k > 0 else { return 0 }
        let positive = values.filter { $0 > 0 }
        if positive.count <= k { return positive.reduce(0, +) }
        return positive.sorted(by: >).prefix(k).reduce(0, +)
    }
}
