import Foundation
import Testing
@testable import Forecasting

@Suite struct HotspotTests {
    /// Three clusters of burglaries of different sizes on a 100 m grid; a lone one elsewhere.
    func clusters() -> IncidentSet {
        var list: [Incident] = []
        let days = ["2020-03-02", "2020-03-05", "2020-03-09", "2020-03-12", "2020-03-16", "2020-03-19"]
        for (k, d) in days.enumerated() {
            for j in 0..<5 { list.append(incident(d, 1050 + Double(j) * 3, 1050 + Double(k) * 2)) }   // cell (10,10): 30
            for j in 0..<3 { list.append(incident(d, 3050 + Double(j), 2050)) }                        // cell (30,20): 18
            if k % 2 == 0 { list.append(incident(d, 5050, 5050)) }                                     // cell (50,50): 3
        }
        list.append(incident("2020-03-20", 8050, 8050))
        list.append(incident("2020-03-20", 9950, 9950, "suspicious"))
        return planar(list)
    }

    func options(area: Double, method: HotspotMethod = .naive) -> HotspotOptions {
        var o = HotspotOptions(category: "burglary", fromDay: CivilDay.parse("2020-03-23")!, days: 7, cellMetres: 100,
                               areaSquareMetres: area, method: method)
        o.threads = 1
        return o
    }

    @Test func totalAreaNeverExceedsTheLimit() throws {
        for (area, expected) in [(35_000.0, 3), (30_000.0, 3), (29_999.0, 2), (10_000.0, 1)] {
            let f = try ForecastEngine.hotspots(incidents: clusters(), options: options(area: area))
            #expect(f.cells.count == expected, "area \(area)")
            #expect(f.cells.reduce(0) { $0 + $1.area } <= area + 1e-6)
            #expect(f.card.areaSquareMetres <= area + 1e-6)
        }
    }

    @Test func areaBelowOneCellIsAnError() {
        #expect(throws: ForecastError.self) { try ForecastEngine.hotspots(incidents: clusters(), options: options(area: 9_999)) }
    }

    @Test func naivePicksTheHottestCellsInDataCoordinates() throws {
        let f = try ForecastEngine.hotspots(incidents: clusters(), options: options(area: 20_000))
        #expect(f.cells.count == 2)
        #expect(f.cells[0].xMin == 1000 && f.cells[0].yMin == 1000 && f.cells[0].xMax == 1100 && f.cells[0].yMax == 1100)
        #expect(f.cells[0].score == 30)
        #expect(f.cells[1].xMin == 3000 && f.cells[1].yMin == 2000 && f.cells[1].score == 18)
    }

    @Test func onlyIncidentsBeforeTheWindowAreUsed() throws {
        var set = clusters()
        // 100 burglaries in one cell on the first day of the window must not count.
        for _ in 0..<100 { set.incidents.append(incident("2020-03-23", 7050, 7050)) }
        let f = try ForecastEngine.hotspots(incidents: set, options: options(area: 10_000))
        #expect(f.cells.count == 1 && f.cells[0].xMin == 1000)
        #expect(!f.card.dataWindow.lastDay.hasPrefix("2020-03-23"))
    }

    @Test func everyMethodRunsAndCarriesItsModelCard() throws {
        for method in HotspotMethod.allCases {
            let f = try ForecastEngine.hotspots(incidents: clusters(), options: options(area: 30_000, method: method))
            #expect(f.cells.count == 3, "\(method)")
            #expect(f.card.statement.contains("never people"))
            #expect(f.card.dataWindow.incidentsCategory == 52)
            #expect(f.card.heldBack.scheme == "rolling origin")
            #expect(!f.card.heldBack.folds.isEmpty)
            if method != .auto { #expect(f.card.methodSpec.method == method) }
        }
    }

    @Test func feedbackGuardDownWeightsDiscoveredIncidents() throws {
        // Cell A: 4 reported; cell B: 6 discovered by the police. Weight 0.5 → B scores 3 < 4; weight 1 → 6 > 4.
        var list: [Incident] = []
        for k in 0..<4 { list.append(incident("2020-03-0\(k + 2)", 150, 150)) }
        for k in 0..<6 { list.append(incident("2020-03-0\(k + 2)", 950, 950, origin: .policeDiscovered)) }
        var o = options(area: 10_000)
        o.fromDay = CivilDay.parse("2020-03-10")!
        o.discoveredWeight = 0.5
        var f = try ForecastEngine.hotspots(incidents: planar(list), options: o)
        #expect(f.cells[0].xMin == 100)
        #expect(f.card.feedbackGuard.policeDiscovered == 6 && f.card.feedbackGuard.reported == 4)
        #expect(abs(f.card.feedbackGuard.discoveredShare - 0.6) < 1e-12)
        o.discoveredWeight = 1
        f = try ForecastEngine.hotspots(incidents: planar(list), options: o)
        #expect(f.cells[0].xMin == 900)
    }

    @Test func exposureIsReportedPerDistrict() throws {
        var list: [Incident] = []
        for k in 0..<8 { list.append(incident("2020-03-0\(k + 1)", 150, 150, district: "north")) }
        for k in 0..<2 { list.append(incident("2020-03-0\(k + 1)", 950, 950, district: "south")) }
        var o = options(area: 10_000)
        o.fromDay = CivilDay.parse("2020-03-10")!
        let f = try ForecastEngine.hotspots(incidents: planar(list), options: o)
        let north = f.card.exposure.rows.first { $0.district == "north" }!
        let south = f.card.exposure.rows.first { $0.district == "south" }!
        #expect(abs(north.incidentShare - 0.8) < 1e-12 && abs(south.incidentShare - 0.2) < 1e-12)
        #expect(north.exposureShare == 1 && south.exposureShare == 0)
        #expect(abs(north.ratio! - 1.25) < 1e-12)
    }

    @Test func geographicCellsAreDegreesWithinTheTrueAreaLimit() throws {
        // Incidents near Leeds (54° N) in degrees; 250 m cells; at most 4 cells' worth of area.
        var list: [Incident] = []
        for k in 0..<20 { list.append(Incident(day: CivilDay.parse("2016-07-01")!, days: 31, x: -1.55 + Double(k % 5) * 0.004,
                                               y: 53.80 + Double(k / 5) * 0.003, category: "burglary")) }
        for _ in 0..<10 { list.append(Incident(day: CivilDay.parse("2016-07-01")!, days: 31, x: -1.5401, y: 53.8001, category: "burglary")) }
        let set = IncidentSet(crs: .geographic, incidents: list, resolutionDays: 31)
        var o = HotspotOptions(category: "ALL", fromDay: CivilDay.parse("2017-07-01")!, days: 31, cellMetres: 250,
                               areaSquareMetres: 4 * 62_500, method: .naive)
        o.threads = 1
        let f = try ForecastEngine.hotspots(incidents: set, options: o)
        #expect(f.cells.count >= 3 && f.cells.count <= 4)
        #expect(f.cells.reduce(0) { $0 + $1.area } <= 4 * 62_500)
        let top = f.cells[0]
        #expect(top.xMin <= -1.5401 && top.xMax > -1.5401 && top.yMin <= 53.8001 && top.yMax > 53.8001)
        #expect(abs(top.area - 62_500) / 62_500 < 0.01)            // within the projection's error
        #expect(f.card.grid.projectionMaxScaleError! < 0.01)
        #expect(f.card.heldBack.scheme == "split-half")             // one month: no rolling origin
    }
}
