import AqylCore
import Foundation

/// SYNTHETIC ASP content for the demo: rule figures, a model trained on synthetic households, and a live queue of
/// applications in Astana's and Almaty's districts (some already decided, so the pilot statistics show something).
/// No real person is represented.
public struct AssistanceDemo: DemoSeed {
    public let service: AssistanceService
    public var applications = 24

    public init(service: AssistanceService, applications: Int = 24) {
        self.service = service
        self.applications = applications
    }

    /// The demo model, trained once per process on synthetic households.
    public static func demoModel() throws -> EligibilityModel {
        try modelBox.withLock { m in
            if let m { return m }
            let trained = try SyntheticPopulation(seed: 2026).trainDemoModel()
            m = trained
            return trained
        }
    }
    private static let modelBox = LockedValue<EligibilityModel?>(nil)

    public func seed(_ context: DemoContext) async throws {
        try await service.seedFigures()
        try await service.install(try Self.demoModel(), actor: "demo")
        let now = service.core.clock.now()
        let population = SyntheticPopulation(seed: 7, quarter: Quarter.containing(now).previous, regions: ["710000000", "750000000"])
        let dir = try await service.core.directory()
        let admin = try context.account("admin")
        var submitted: [ASPApplication] = []
        var i = 0
        let districts: Set<String> = ["711210000", "711310000", "751210000"]   // where the demo officers work
        var eligibleCount = 0
        while submitted.count < applications && i < applications * 2000 {
            let g = population.household(i)
            i += 1
            // Applicants in the demo officers' districts; about half of them truly poor, so the queue shows both outcomes.
            guard g.applied, districts.contains(g.household.districtKato), dir.region(g.household.districtKato) != nil else { continue }
            if !g.trulyEligible && eligibleCount * 2 < submitted.count { continue }
            if g.trulyEligible { eligibleCount += 1 }
            submitted.append(try await service.submit(g.household, appliedOn: now, by: admin))
        }
        // The officers of Esil and Saryarka have already decided a few.
        for app in submitted.prefix(applications / 3) {
            let officer: String
            switch app.districtKato {
            case "711210000": officer = "officer.esil"
            case "711310000": officer = "officer.saryarka"
            default: continue
            }
            let agree = app.ruleRecommends == app.model.recommends
            _ = try await service.decide(applicationId: app.id, official: try context.account(officer), outcome: app.ruleRecommends,
                                         reason: agree ? nil : "Home visit confirmed the declared income (synthetic demo decision).")
        }
    }
}
