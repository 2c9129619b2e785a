import AqylCore
import Assistance
import Foundation
import Testing

/// Hand-worked families: every figure below was computed by hand from the rule's text.
@Suite("ASP statutory rule")
struct StatutoryRuleTests {
    let applied = ISO8601DateFormatter().date(from: "2026-08-15T10:00:00+05:00")!
    var figures: RegionQuarterFigures {
        RegionQuarterFigures(region: "710000000", quarter: try! Quarter("2026Q3"), medianIncome: 150_000,
                             subsistenceMinimum: 50_000, source: "test figures")
    }

    /// 2 adults, children aged 3 and 8; wages 90,000 a month in Apr–Jun; 30,000 from livestock in May (declared excluded);
    /// 40,000 of wages in July (outside the quarter).
    var familyA: Household {
        Household(id: "A", districtKato: "711210000", members: [
            Member(age: 35, sex: .male, relation: .head, employment: .employed),
            Member(age: 33, sex: .female, relation: .spouse, employment: .caregiver),
            Member(age: 3, sex: .female, relation: .child),
            Member(age: 8, sex: .male, relation: .child),
        ], incomes: ["2026-04", "2026-05", "2026-06"].map { IncomeRecord(month: $0, source: .wages, amount: 90_000) }
            + [IncomeRecord(month: "2026-05", source: .livestock, amount: 30_000),
               IncomeRecord(month: "2026-07", source: .wages, amount: 40_000)])
    }

    @Test func familyBelowTheLineWithAChildSupplement() throws {
        let settings = RuleSettings(excludedSources: [.livestock], childSupplement: 10_000)
        let r = try StatutoryRule.evaluate(familyA, appliedOn: applied, figures: figures, settings: settings)
        #expect(r.quarterAssessed.description == "2026Q2")
        #expect(r.countedIncome == 270_000)          // 3 × 90,000; July and livestock left out
        #expect(r.excludedIncome == 30_000)
        #expect(r.incomePerPerson == 22_500)         // 270,000 ÷ 4 ÷ 3
        #expect(r.povertyLine == 52_500)             // max(0.35 × 150,000, 0.70 × 50,000 = 35,000)
        #expect(r.lineBasis == "median")
        #expect(r.eligible)
        #expect(r.monthlyBenefit == 130_000)         // (52,500 − 22,500) × 4 + 1 child aged 1–6 × 10,000
        #expect(r.childrenSupplemented == 1)
        #expect(r.steps.contains { $0.contains("270000.00 ÷ 4 members ÷ 3 months = 22500.00") })
        #expect(r.steps.contains { $0.contains("livestock") && $0.contains("30000.00") })
    }

    @Test func withoutTheExclusionLivestockCounts() throws {
        let r = try StatutoryRule.evaluate(familyA, appliedOn: applied, figures: figures, settings: RuleSettings())
        #expect(r.countedIncome == 300_000)
        #expect(r.incomePerPerson == 25_000)         // 300,000 ÷ 4 ÷ 3
        #expect(r.monthlyBenefit == 110_000)         // (52,500 − 25,000) × 4, no supplement configured
    }

    @Test func pensionersAboveTheLine() throws {
        let hh = Household(id: "B", districtKato: "711210000", members: [
            Member(age: 70, sex: .male, relation: .head, employment: .retired),
            Member(age: 68, sex: .female, relation: .spouse, employment: .retired),
        ], incomes: ["2026-04", "2026-05", "2026-06"].map { IncomeRecord(month: $0, source: .pension, amount: 120_000) })
        let r = try StatutoryRule.evaluate(hh, appliedOn: applied, figures: figures, settings: RuleSettings())
        #expect(r.incomePerPerson == 60_000)         // 360,000 ÷ 2 ÷ 3
        #expect(!r.eligible)
        #expect(r.monthlyBenefit == 0)
    }

    @Test func withoutAMedianTheSubsistenceMinimumSetsTheLine() throws {
        var f = figures
        f.medianIncome = nil
        let hh = Household(id: "C", districtKato: "711210000", members: [Member(age: 40, sex: .female, relation: .head)],
                           incomes: [IncomeRecord(month: "2026-06", source: .benefits, amount: 60_000)])
        let r = try StatutoryRule.evaluate(hh, appliedOn: applied, figures: f, settings: RuleSettings())
        #expect(r.povertyLine == 35_000)             // 0.70 × 50,000
        #expect(r.lineBasis == "subsistence")
        #expect(r.incomePerPerson == 20_000)         // 60,000 ÷ 1 ÷ 3
        #expect(r.monthlyBenefit == 15_000)          // (35,000 − 20,000) × 1
    }

    @Test func januaryApplicationsLookAtTheLastQuarterOfTheYearBefore() throws {
        let jan = ISO8601DateFormatter().date(from: "2026-01-10T09:00:00+05:00")!
        #expect(Quarter.containing(jan).previous.months == ["2025-10", "2025-11", "2025-12"])
        // 31 March 21:00 UTC is already 1 April in Kazakhstan (UTC+5): the second quarter.
        let lateMarch = ISO8601DateFormatter().date(from: "2026-03-31T21:00:00Z")!
        #expect(Quarter.containing(lateMarch).description == "2026Q2")
        let stillMarch = ISO8601DateFormatter().date(from: "2026-03-31T18:00:00Z")!
        #expect(Quarter.containing(stillMarch).description == "2026Q1")
    }

    @Test func badInputNamesTheField() {
        var hh = familyA
        hh.incomes[1].amount = -5
        #expect { try StatutoryRule.evaluate(hh, appliedOn: applied, figures: figures, settings: RuleSettings()) }
            throws: { ($0 as? AqylError)?.field == "incomes[1].amount" }
        hh.members = []
        #expect { try StatutoryRule.evaluate(hh, appliedOn: applied, figures: figures, settings: RuleSettings()) }
            throws: { ($0 as? AqylError)?.field == "members" }
        #expect(throws: AqylError.self) { try Quarter("2026Q5") }
        #expect(throws: AqylError.self) { try Quarter("summer") }
    }
}
