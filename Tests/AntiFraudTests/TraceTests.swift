@testable import AntiFraud
import Foundation
import Testing

@Suite("Follow the money: proportional tracing arithmetic, exits, limits")
struct TraceTests {
    func trace(_ g: TransactionGraph, transfer id: String, _ configure: (inout MoneyTrace.Options) -> Void = { _ in }) throws -> CaseGraph {
        var o = MoneyTrace.Options()
        configure(&o)
        let t = MoneyTrace(graph: g, index: GraphIndex(g, threads: 1))
        return try t.run(from: .transfer(g.transferIndex(named: id)!), options: o)
    }

    func traced(_ c: CaseGraph, _ id: String) -> Double? { c.transfers.first { $0.id == id }?.traced }
    func account(_ c: CaseGraph, _ id: String) -> CaseGraph.Account? { c.accounts.first { $0.id == id } }
    func conserved(_ c: CaseGraph) -> Bool { abs(c.totals.stopped.values.reduce(0, +) - c.totals.start) < 1e-6 }

    @Test func moneySplitsInProportionToTheOnwardTransfers() throws {
        // 1000 in; 1500 and 500 leave within 72 h (the account mixes other money): the 1000 splits 750 / 250.
        let g = try Fixtures.graph([("V", "D", 1000, 0), ("D", "X", 1500, 1), ("D", "Y", 500, 2), ("D", "Z", 999, 100)])
        let c = try trace(g, transfer: "T1")
        #expect(traced(c, "T1") == 1000)
        #expect(traced(c, "T2") == 750 && traced(c, "T3") == 250)
        #expect(traced(c, "T4") == nil)  // 100 h later: outside the window
        #expect(account(c, "D")?.tracedIn == 1000 && account(c, "D")?.tracedOut == 1000)
        #expect(account(c, "X")?.hop == 2 && account(c, "V")?.hop == 0)
        #expect(c.totals.stopped["resting"] == 1000)  // X and Y send nothing on
        #expect(conserved(c))
    }

    @Test func whatTheOnwardTransfersCannotCarryStays() throws {
        let g = try Fixtures.graph([("V", "D", 1000, 0), ("D", "X", 300, 5)])
        let c = try trace(g, transfer: "T1")
        #expect(traced(c, "T2") == 300)
        #expect(account(c, "D")?.stops["resting"] == 700)
        #expect(account(c, "X")?.stops["resting"] == 300)
        #expect(conserved(c))
    }

    @Test func earlierMoneyClaimsATransferFirstAndNoTransferCarriesMoreThanItsAmount() throws {
        // S sends D 1000 twice; D sends 1500 on: the first 1000 takes 1000 of it, the second only the 500 left.
        let g = try Fixtures.graph([("S", "D", 1000, 0), ("S", "D", 1000, 1), ("D", "X", 1500, 2)])
        let t = MoneyTrace(graph: g, index: GraphIndex(g, threads: 1))
        let c = try t.run(from: .account(0))
        #expect(c.totals.start == 2000)
        #expect(traced(c, "T3") == 1500)
        #expect(account(c, "D")?.stops["resting"] == 500)
        #expect(c.transfers.allSatisfy { $0.traced <= $0.amount + 1e-9 })
        #expect(conserved(c))
    }

    @Test func exitsStopTheMoney() throws {
        let g = try Fixtures.graph(
            [("V", "D", 1000, 0), ("D", "CASH", 400, 1), ("D", "EXCH", 300, 2), ("D", "RU1", 200, 3), ("D", "KZ2", 100, 4), ("KZ2", "M", 100, 5)],
            channels: ["transfer", "atm", "crypto", "transfer", "transfer", "transfer"],
            banks: ["RU1": "SABRRUMM", "KZ2": "CASPKZKA"])
        let c = try trace(g, transfer: "T1")
        #expect(c.totals.stopped["cash_out"] == 400)
        #expect(c.totals.stopped["crypto"] == 300)
        #expect(c.totals.stopped["foreign_bank"] == 200)
        #expect(traced(c, "T6") == 100)  // KZ2 is at a Kazakh bank: followed on
        #expect(account(c, "RU1")?.stops["foreign_bank"] == 200)
        #expect(conserved(c))
        // A listed bank is an exit too.
        let c2 = try trace(g, transfer: "T1") { $0.exitBanks = ["CASPKZKA"] }
        #expect(c2.totals.stopped["exit_bank"] == 100 && traced(c2, "T6") == nil)
    }

    @Test func hopLimitAndMinimumShare() throws {
        let g = try Fixtures.graph([
            ("A", "B", 1000, 0), ("B", "C", 1000, 1), ("C", "D", 1000, 2), ("D", "E", 1000, 3), ("E", "F", 1000, 4),
            ("B", "Q", 5, 1.5),
        ])
        let c = try trace(g, transfer: "T1") { $0.hops = 3 }
        #expect(c.maxHop == 3)
        #expect(traced(c, "T4") == nil)
        // B forwards 1005 in total: 1000 × 1000/1005 to C and 1000 × 5/1005 to Q (under 1% of the start: not followed).
        #expect(abs(traced(c, "T2")! - 1000 * 1000 / 1005) < 1e-9)
        #expect(abs(c.totals.stopped["below_minimum"]! - 1000 * 5 / 1005) < 1e-9)
        #expect(abs(c.totals.stopped["hop_limit"]! - 1000 * 1000 / 1005) < 1e-9)
        #expect(conserved(c))
    }

    @Test func backwardFindsWhereTheMoneyCameFrom() throws {
        // X received 1000 from D at 10 h; D had received 600 (5 h) and 900 (8 h) before, 100 after (200 h).
        let g = try Fixtures.graph([("V1", "D", 600, 5), ("V2", "D", 900, 8), ("D", "X", 1000, 10), ("V3", "D", 100, 200)])
        let c = try trace(g, transfer: "T3") { $0.direction = .backward }
        #expect(abs(traced(c, "T1")! - 400) < 1e-9 && abs(traced(c, "T2")! - 600) < 1e-9)
        #expect(traced(c, "T4") == nil)
        #expect(account(c, "X")?.hop == 0 && account(c, "V2")?.hop == 2)
        #expect(conserved(c))
    }

    @Test func manyBranchesAreCappedAndReported() throws {
        var rows: [(String, String, Double, Double)] = [("V", "D", 1000, 0)]
        for i in 0..<10 { rows.append(("D", "R\(i)", 100, 1 + Double(i) * 0.1)) }
        let g = try Fixtures.graph(rows)
        let c = try trace(g, transfer: "T1") { $0.maxBranches = 4 }
        #expect(c.transfers.count == 5)
        #expect(abs(c.totals.stopped["branch_limit"]! - 600) < 1e-9)
        #expect(conserved(c))
    }

    @Test func foreignBankRule() {
        let o = MoneyTrace.Options()
        #expect(MoneyTrace.isExitBank("SABRRUMM", options: o) == .foreignBank)
        #expect(MoneyTrace.isExitBank("DEUTDEFF500", options: o) == .foreignBank)
        #expect(MoneyTrace.isExitBank("CASPKZKA", options: o) == nil)
        #expect(MoneyTrace.isExitBank("Kaspi", options: o) == nil)
        #expect(MoneyTrace.isExitBank(nil, options: o) == nil)
    }

    @Test func amlsimCasesSayTheyHaveNoExitsAndPicturesNameTheTransfers() throws {
        let dir = try Fixtures.folder([
            "nodes.csv": "nodeid,isFraud\n0,0\n1,1\n2,0\n",
            "transactions.csv": "sourceNodeId,targetNodeId,value,time\n0,1,100,1\n1,2,90,2\n",
        ])
        let g = try GraphIntake.load(dir).graph
        let c = try MoneyTrace(graph: g, index: GraphIndex(g)).run(from: .transfer(0))
        #expect(c.notes.contains { $0.contains("AMLSim has no channels") })
        #expect(traced(c, "tx3") == 90)
        #expect(c.transfers.first { $0.id == "tx3" }?.time == "step 2")
        let dot = c.dot(), svg = c.svg()
        #expect(dot.hasPrefix("digraph") && dot.contains("\"1\" -> \"2\"") && dot.contains("tx3"))
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n") && svg.contains("90 of 90"))
        let back = try JSONDecoder().decode(CaseGraph.self, from: try c.json())
        #expect(back == c)
    }

    @Test func unknownStartIsAnError() throws {
        let g = try Fixtures.graph([("A", "B", 1, 0)])
        let t = MoneyTrace(graph: g, index: GraphIndex(g))
        #expect(throws: TraceError.self) { try t.run(from: .transfer(7)) }
        #expect(throws: TraceError.self) { try t.run(from: .account(1)) }  // B sends nothing
    }
}
