@testable import AntiFraud
import Foundation
import Testing

@Suite("Dropper features on hand-built graphs")
struct FeatureTests {
    @Test func cyclesOfTwoThreeAndFour() throws {
        // A→B→C→A (3-cycle), C→D→E→F→C (4-cycle), A⇄G (2-cycle)
        let g = try Fixtures.graph([
            ("A", "B", 100, 1), ("B", "C", 100, 2), ("C", "A", 100, 3),
            ("C", "D", 100, 4), ("D", "E", 100, 5), ("E", "F", 100, 6), ("F", "C", 100, 7),
            ("A", "G", 100, 8), ("G", "A", 100, 9),
        ])
        let f = Fixtures.features(g)
        #expect(f["A"]!["cycle3"] == 1 && f["B"]!["cycle3"] == 1 && f["C"]!["cycle3"] == 1 && f["D"]!["cycle3"] == 0)
        #expect(f["C"]!["cycle4"] == 1 && f["D"]!["cycle4"] == 1 && f["F"]!["cycle4"] == 1 && f["A"]!["cycle4"] == 0)
        #expect(f["A"]!["cycle2"] == 1 && f["G"]!["cycle2"] == 1 && f["B"]!["cycle2"] == 0)
        // A→G→A→B is not a 4-cycle: a back-and-forth pair is removed from the count.
        #expect(f["G"]!["cycle4"] == 0)
    }

    @Test func scatterGatherAndGatherScatterMotifs() throws {
        // scatter-gather: S → M1, M2, M3 → T ; gather-scatter: X1, X2, X3 → H → Y1, Y2
        let g = try Fixtures.graph([
            ("S", "M1", 100, 1), ("S", "M2", 100, 1), ("S", "M3", 100, 1),
            ("M1", "T", 95, 5), ("M2", "T", 95, 5), ("M3", "T", 95, 6),
            ("X1", "H", 300, 10), ("X2", "H", 300, 11), ("X3", "H", 300, 12), ("H", "Y1", 400, 20), ("H", "Y2", 400, 21),
        ])
        let f = Fixtures.features(g)
        #expect(f["S"]!["scatter_gather_source"] == 3)
        #expect(f["T"]!["scatter_gather_sink"] == 3)
        #expect(f["M2"]!["scatter_gather_member"] == 3)
        #expect(f["H"]!["scatter_gather_member"] == 1)
        #expect(f["H"]!["gather_scatter"] == 2 && f["H"]!["gather_scatter_burst"] == 2)
        #expect(f["H"]!["fan_in_burst"] == 3 && f["S"]!["fan_out_burst"] == 3)
        #expect(f["S"]!["two_hop_out"] == 1 && f["T"]!["two_hop_in"] == 1)
        #expect(f["M1"]!["gather_scatter"] == 1 && f["S"]!["gather_scatter"] == 0)
    }

    @Test func gatherScatterSpreadOverWeeksIsNotABurst() throws {
        let g = try Fixtures.graph([
            ("X1", "H", 300, 0), ("X2", "H", 300, 200), ("X3", "H", 300, 400), ("H", "Y1", 400, 600), ("H", "Y2", 400, 800),
        ])
        let f = Fixtures.features(g)
        #expect(f["H"]!["gather_scatter"] == 2)
        #expect(f["H"]!["gather_scatter_burst"] == 0)  // no sender within 72 h before any payment out
        #expect(f["H"]!["fan_in_burst"] == 1)
    }

    @Test func passThroughSpeedAndForwarding() throws {
        // D receives 1000 and sends 950 two hours later (within 24 h); E sends its 1000 on after 48 h; F keeps it.
        let g = try Fixtures.graph([
            ("V1", "D", 1000, 0), ("D", "X", 950, 2),
            ("V2", "E", 1000, 0), ("E", "X", 1000, 48),
            ("V3", "F", 1000, 0), ("F", "X", 10, 400),
        ])
        let f = Fixtures.features(g)
        #expect(f["D"]!["pass_through_24h"] == 1 && f["D"]!["pass_through_72h"] == 1)
        #expect(abs(f["D"]!["mean_holding_hours"]! - 2) < 1e-4)
        #expect(f["D"]!["forward_match_share"] == 1 && f["D"]!["in_then_out_share"] == 1)
        #expect(f["E"]!["pass_through_24h"] == 0 && f["E"]!["pass_through_72h"] == 1)
        #expect(f["F"]!["pass_through_7d"] == 0 && f["F"]!["forward_match_share"] == 0 && f["F"]!["in_then_out_share"] == 0)
        #expect(abs(f["D"]!["pass_through_ratio"]! - 0.95) < 1e-4)
        // X received 3 transfers from 3 senders.
        #expect(f["X"]!["fan_in"] == 3 && f["X"]!["in_count"] == 3 && f["X"]!["out_count"] == 0)
    }

    @Test func passThroughFundsFromTheLatestMoneyFirst() throws {
        // 100 arrives on day 0 and 100 on day 10; 100 leaves one hour after the second: fast pass-through (LIFO).
        let g = try Fixtures.graph([("A", "M", 100, 0), ("B", "M", 100, 240), ("M", "C", 100, 241)])
        let f = Fixtures.features(g)
        #expect(f["M"]!["pass_through_24h"] == 1)
        #expect(abs(f["M"]!["mean_holding_hours"]! - 1) < 1e-4)
    }

    @Test func unusualAmountsAndSuspiciousLinks() throws {
        // U usually sends 100; its 37 to W is unusual for it (more than 10% off its median).
        let g = try Fixtures.graph([
            ("U", "P", 100, 1), ("U", "Q", 100, 2), ("U", "R", 100, 3), ("U", "W", 37, 4),
        ])
        let f = Fixtures.features(g)
        #expect(f["U"]!["out_unusual_share"] == 0.25)
        #expect(f["W"]!["in_unusual_share"] == 1 && f["P"]!["in_unusual_share"] == 0)
        #expect(f["U"]!["suspicious_links"] == 1 && f["W"]!["suspicious_links"] == 1 && f["P"]!["suspicious_links"] == 0)
        // P's counterparty U has an unusual transfer: P has one flagged neighbour of one.
        #expect(f["P"]!["nbr_flagged_count"] == 1 && f["P"]!["nbr_flagged_share"] == 1)
    }

    @Test func amountsAreInMediansAndSmallTransfersAreCounted() throws {
        // median transfer 100; 5 is under a tenth of it.
        let g = try Fixtures.graph([("A", "B", 100, 1), ("A", "C", 100, 2), ("B", "C", 5, 3)])
        let f = Fixtures.features(g)
        #expect(f["A"]!["out_sum"] == 2 && f["A"]!["out_mean"] == 1)
        #expect(f["B"]!["out_small_share"] == 1 && f["C"]!["in_small_share"] == 0.5)
    }

    @Test func twoHopAggregatesAverageTheCounterparties() throws {
        let g = try Fixtures.graph([("A", "B", 100, 1), ("B", "C", 100, 2), ("B", "D", 100, 3), ("E", "B", 100, 4)])
        let f = Fixtures.features(g)
        // B's counterparties A, C, D, E have in_count 0, 1, 1, 0.
        #expect(f["B"]!["nbr_count"] == 4)
        #expect(f["B"]!["nbr_mean_in_count"] == 0.5 && f["B"]!["nbr_max_in_count"] == 1)
        #expect(f["A"]!["receiver_mean_fan_in"] == 2)   // B has 2 distinct senders
        #expect(f["C"]!["sender_mean_fan_out"] == 2)    // B has 2 distinct receivers
    }

    @Test func agesUseTheOpeningDate() throws {
        let g = try Fixtures.graph([("A", "B", 100, 24)])  // accounts opened 2024-01-01, transfer on 2025-01-02
        let f = Fixtures.features(g)
        #expect(abs(f["B"]!["age_at_first_in_days"]! - 367) < 1e-3)
        #expect(abs(f["B"]!["sender_age_days"]! - 367) < 1e-3)
        #expect(f["B"]!["young_sender_share"] == 0)
    }

    @Test func subsetFeaturesEqualWholeGraphFeatures() throws {
        let g = try Fixtures.graph([
            ("A", "B", 100, 1), ("B", "C", 90, 2), ("C", "A", 80, 3), ("C", "D", 10, 30), ("D", "E", 9, 31), ("E", "A", 100, 70),
        ])
        let index = GraphIndex(g, threads: 1)
        let all = DropperFeatures.compute(g, index: index, threads: 2)
        let some = DropperFeatures.compute(g, index: index, accounts: [2, 4], threads: 1)
        for (r, a) in some.accounts.enumerated() {
            for f in all.names.indices {
                let x = all.columns[f][Int(a)], y = some.columns[f][r]
                #expect(x == y || (x.isNaN && y.isNaN), "\(all.names[f]) of account \(a)")
            }
        }
    }

    @Test func everyFeatureHasPlainWordsInThreeLanguages() {
        #expect(FeatureLabels.covers(DropperFeatures.names).isEmpty)
        for name in DropperFeatures.names {
            let kk = FeatureLabels.label(name, language: "kk"), ru = FeatureLabels.label(name, language: "ru")
            let en = FeatureLabels.label(name, language: "en")
            #expect(kk != ru && ru != en && kk != name, "\(name)")
        }
        #expect(Set(DropperFeatures.names).count == DropperFeatures.names.count)
    }

    @Test func indexListsTransfersInTimeOrderAndDistinctCounterparties() throws {
        let g = try Fixtures.graph([("A", "B", 1, 5), ("A", "C", 1, 1), ("A", "B", 1, 3), ("A", "A", 1, 4)])
        let index = GraphIndex(g, threads: 1)
        let a = 0
        #expect(index.outgoing(a).map { g.time[Int($0)] } == index.outgoing(a).map { g.time[Int($0)] }.sorted())
        #expect(index.receivers(a).map { g.accountIDs[Int($0)] } == ["B", "C"])  // self-transfer left out
        #expect(index.firstSeen[a] == g.time.min())
    }
}
