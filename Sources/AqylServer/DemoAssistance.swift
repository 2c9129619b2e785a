import AqylCore
import AqylStore
import Assistance
import Foundation

extension Demo {
    /// The demo model is trained once per process on synthetic households.
    private final class ModelBox: @unchecked Sendable {
        let lock = NSLock()
        var model: EligibilityModel?
    }
    private static let box = ModelBox()

    static func demoModel() throws -> EligibilityModel {
        box.lock.lock()
        defer { box.lock.unlock() }
        if let m = box.model { return m }
        let m = try SyntheticPopulation(seed: 2026).trainDemoModel()
        box.model = m
        return m
    }

    /// SYNTHETIC ASP content: rule figures, a model trained on synthetic households, and a live queue of applications
    /// in Astana's and Almaty's districts (some already decided, so the pilot statistics have something to show).
    public static func seedAssistance(_ store: AqylStore, applications: Int = 24) async throws {
        let service = AssistanceService(store: store)
        try await service.seedFigures()
        let model = try demoModel()
        try await service.install(model, actor: "demo")
        let now = store.clock.now()
        let population = SyntheticPopulation(seed: 7, quarter: Quarter.containing(now).previous,
                                             regions: ["710000000", "750000000"])
        let dir = try await store.directory()
        guard let admin = try await store.user(username: "admin") else { return }
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
            submitted.append(try await service.submit(g.household, appliedOn: now, by: admin.principal))
        }
        // The officers of Esil and Saryarka have already decided a few.
        for app in submitted.prefix(applications / 3) {
            let officer: String
            switch app.districtKato {
            case "711210000": officer = "officer.esil"
            case "711310000": officer = "officer.saryarka"
            default: continue
            }
            guard let user = try await store.user(username: officer) else { continue }
            let agree = app.ruleRecommends == app.model.recommends
            _ = try await service.decide(applicationId: app.id, official: user.principal, outcome: app.ruleRecommends,
                                         reason: agree ? nil : "Home visit confirmed the declared income (synthetic demo decision).")
        }
    }
}
