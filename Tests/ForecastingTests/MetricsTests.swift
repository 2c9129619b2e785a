import Foundation
import Testing
@testable import Forecasting

/// PAI = (n/N)/(a/A), PEI* = n/n* (NIJ), on counts worked out by hand.
@Suite struct MetricsTests {
    @Test func paiAndPeiByHand() {
        // 100 cells of 100 m × 100 m: A = 1,000,000 m². Observed: cell 0: 5, cell 1: 3, cell 2: 2, cell 50: 10.
        var counts = [Int](repeating: 0, count: 100)
        counts[0] = 5; counts[1] = 3; counts[2] = 2; counts[50] = 10
        // Forecast cells 0 and 1: n = 8 of N = 20, a = 20,000 m².
        let s = HotspotMetrics.score(selected: [0, 1], counts: counts, total: 20, area: 20_000, studyArea: 1_000_000)
        #expect(s.n == 8)
        #expect(s.total == 20)
        #expect(abs(s.hitRate! - 0.4) < 1e-12)
        #expect(abs(s.pai! - 20) < 1e-12)          // 0.4 / 0.02
        #expect(s.nStar == 15)                      // the best two cells: 10 + 5
        #expect(abs(s.pei! - 8.0 / 15.0) < 1e-12)
    }

    @Test func perfectForecastHasPEIOne() {
        let counts = [0, 7, 0, 4, 1]
        let s = HotspotMetrics.score(selected: [1, 3], counts: counts, total: 12, area: 2, studyArea: 5)
        #expect(s.pei == 1)
        #expect(abs(s.pai! - (11.0 / 12.0) / (2.0 / 5.0)) < 1e-12)
    }

    @Test func incidentsOutsideTheGridStillCountInN() {
        // N counts every incident of the period, also those the grid does not hold.
        let s = HotspotMetrics.score(selected: [0], counts: [3, 1], total: 8, area: 1, studyArea: 2)
        #expect(abs(s.hitRate! - 3.0 / 8.0) < 1e-12)
        #expect(abs(s.pai! - 0.75) < 1e-12)
    }

    @Test func undefinedWithoutIncidents() {
        let s = HotspotMetrics.score(selected: [0], counts: [0, 0], total: 0, area: 1, studyArea: 2)
        #expect(s.pai == nil && s.pei == nil && s.hitRate == nil)
    }

    @Test func evaluateRecoversTheGridFromACellsFile() throws {
        // Cells of 100 m on a grid aligned at multiples of 100; two chosen cells.
        let csv = "x_min,y_min,x_max,y_max,score\n100,200,200,300,5\n300,200,400,300,2\n"
        let cells = try CellsFile.parse(bytes: Array(csv.utf8), file: "cells.csv")
        let set = planar([
            incident("2020-01-02", 150, 250), incident("2020-01-02", 199.9, 299.9),   // first cell: 2
            incident("2020-01-03", 350, 210),                                          // second cell: 1
            incident("2020-01-03", 650, 650), incident("2020-01-03", 660, 640), incident("2020-01-03", 690, 610), // cell (6,6): 3
            incident("2020-01-04", 200, 250),                                          // x = 200 is the next cell (half-open)
            incident("2020-01-04", 150, 250, "suspicious"),                            // another category
        ])
        let r = try HotspotEvaluation.evaluate(cells: cells, incidents: set, category: "burglary", studyArea: 1_000_000)
        #expect(r.n == 3 && r.total == 7 && r.cells == 2)
        #expect(r.nStar == 5)                                      // 3 + 2
        #expect(abs(r.area - 20_000) < 1e-6)
        #expect(abs(r.pai! - (3.0 / 7.0) / 0.02) < 1e-9)
        #expect(abs(r.pei! - 0.6) < 1e-12)
    }

    @Test func evaluateRefusesCellsOffTheGrid() throws {
        let csv = "x_min,y_min,x_max,y_max,score\n0,0,100,100,1\n150,0,250,100,1\n"
        let cells = try CellsFile.parse(bytes: Array(csv.utf8), file: "cells.csv")
        #expect(throws: ForecastError.self) {
            _ = try HotspotEvaluation.evaluate(cells: cells, incidents: planar([]), category: "ALL", studyArea: 1)
        }
    }
}
