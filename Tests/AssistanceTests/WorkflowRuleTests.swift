import AqylCore
import Foundation
import Testing
@testable import Assistance

/// The ASP workflow's rules on the in-memory repository: no database, the same service code the API runs.
@Suite("ASP workflow rules (in memory)")
struct WorkflowRuleTests {
    struct World {
        let core: CoreServices
        let service: AssistanceService
        let esil: Principal
        let saryarka: Principal
    }

    static func world() async throws -> World {
        let memory = InMemoryStore()
        let core = CoreServices(store: memory, bcryptCost: 4)
        try await core.seedReferenceData()
        let service = AssistanceService(core: core, repository: InMemoryAssistanceRepository(memory))
        #expect(try await service.seedFigures() > 0)
        try await service.install(try AssistanceDemo.demoModel(), actor: "test")
        return World(core: core, service: service,
                     esil: Principal(userId: "e", username: "officer.esil", role: .officer, regionKato: "711210000"),
                     saryarka: Principal(userId: "s", username: "officer.saryarka", role: .officer, regionKato: "711310000"))
    }

    static func household(_ id: String, district: String = "711210000", wages: Double) -> Household {
        Household(id: id, districtKato: district,
                  members: [Member(age: 40, sex: .female, relation: .head, employment: .employed),
                            Member(age: 8, sex: .male, relation: .child)],
                  incomes: ["2026-07", "2026-08", "2026-09"].map { IncomeRecord(month: $0, source: .wages, amount: wages) })
    }

    static let appliedOn = try! KazakhstanTime.parseDay("2026-11-20", field: "applied_on")

    @Test func submitQueueDecideWithTheReasonRuleAndPilotCounts() async throws {
        let w = try await Self.world()
        let poor = try await w.service.submit(Self.household("H-1", wages: 20_000), appliedOn: Self.appliedOn, by: w.esil)
        let rich = try await w.service.submit(Self.household("H-2", wages: 900_000), appliedOn: Self.appliedOn, by: w.esil)
        #expect(poor.ruleRecommends == .approve && rich.ruleRecommends == .reject)
        // What is stored keeps no IIN; the queue is the district's, oldest first.
        let queue = try await w.service.queue(reader: w.esil, region: nil, status: .pending, page: PageRequest())
        #expect(queue.items.map(\.id) == [poor.id, rich.id])
        #expect(try await w.service.queue(reader: w.saryarka, region: nil, status: .pending, page: PageRequest()).items.isEmpty)
        await #expect { try await w.service.application(id: poor.id, reader: w.saryarka) } throws: { ($0 as? AqylError)?.kind == .notFound }

        // Against the rule: a reason is required (422), then the decision lands once.
        await #expect { try await w.service.decide(applicationId: rich.id, official: w.esil, outcome: .approve, reason: nil) }
            throws: { ($0 as? AqylError)?.code == "reason_required" && ($0 as? AqylError)?.kind == .unprocessable }
        let decided = try await w.service.decide(applicationId: rich.id, official: w.esil, outcome: .approve, reason: "Debts verified in person")
        #expect(decided.status == .approved && decided.decisionReason == "Debts verified in person")
        await #expect { try await w.service.decide(applicationId: rich.id, official: w.esil, outcome: .reject, reason: "again") }
            throws: { ($0 as? AqylError)?.kind == .conflict }
        #expect(try await w.service.queue(reader: w.esil, region: nil, status: .pending, page: PageRequest()).items.map(\.id) == [poor.id])

        let rows = try await w.service.pilotStatistics(reader: w.esil, region: nil)
        let row = try #require(rows.first)
        #expect(row.applications == 2 && row.pending == 1 && row.decided == 1 && row.overrodeRule == 1 && row.approvalRate == 1)
        // Every read and write is in the in-memory audit chain, which verifies.
        #expect(try await w.core.verifyAudit().ok)
        let actions = Set(try await w.core.store.auditEntries(after: 0, in: .all, limit: 1000).map(\.action))
        #expect(actions.isSuperset(of: ["recommendation.create", "decision.create", "assistance.application.list", "assistance.model.install"]))
    }

    @Test func oneHeadPerHouseholdAndScopeAreRules() async throws {
        let w = try await Self.world()
        var twoHeads = Self.household("H-3", wages: 10_000)
        twoHeads.members[1].relation = .head
        await #expect { try await w.service.submit(twoHeads, appliedOn: Self.appliedOn, by: w.esil) }
            throws: { ($0 as? AqylError)?.kind == .unprocessable && ($0 as? AqylError)?.field == "household.members" }
        await #expect { try await w.service.submit(Self.household("H-4", district: "711310000", wages: 10_000), appliedOn: Self.appliedOn, by: w.esil) }
            throws: { ($0 as? AqylError)?.kind == .forbidden }
        await #expect { try await w.service.submit(Self.household("H-5", district: "711299999", wages: 10_000), appliedOn: Self.appliedOn, by: w.esil) }
            throws: { ($0 as? AqylError)?.code == "unknown_region" }
        // Nothing was stored by the refused submissions.
        #expect(try await w.service.queue(reader: w.esil, region: nil, status: nil, page: PageRequest()).items.isEmpty)
    }
}
