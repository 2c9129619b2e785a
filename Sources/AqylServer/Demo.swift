import AqylCore
import AqylKit
import AqylML
import AqylStore
import Foundation

/// Demo content for `aqyl serve` on the embedded default. Everything here is synthetic and labelled so:
/// no real person, application or decision is represented.
public enum Demo {
    public static let password = "aqyl-demo-2026"

    public struct Account: Sendable {
        public var username: String
        public var role: Role
        public var region: String
        public var displayName: String
    }

    public static let accounts: [Account] = [
        Account(username: "admin", role: .admin, region: Region.centreCode, displayName: "Demo administrator (centre)"),
        Account(username: "auditor", role: .auditor, region: Region.centreCode, displayName: "Demo auditor (centre)"),
        Account(username: "analyst", role: .analyst, region: Region.centreCode, displayName: "Demo analyst (centre)"),
        Account(username: "officer.astana", role: .officer, region: "710000000", displayName: "Demo officer, Astana city"),
        Account(username: "officer.esil", role: .officer, region: "711210000", displayName: "Demo officer, Esil district of Astana"),
        Account(username: "officer.saryarka", role: .officer, region: "711310000", displayName: "Demo officer, Saryarka district of Astana"),
        Account(username: "officer.alatau", role: .officer, region: "751210000", displayName: "Demo officer, Alatau district of Almaty"),
        Account(username: "operator.almaty", role: .operator, region: "750000000", displayName: "Demo control-centre operator, Almaty"),
        Account(username: "integrator.bank", role: .integrator, region: Region.centreCode, displayName: "Demo bank app (machine client)"),
    ]

    /// Creates demo users and a small synthetic pending queue when the database has no users yet.
    /// Returns false when the database already had users (nothing is touched then).
    @discardableResult
    public static func seed(_ store: AqylStore, bcryptCost: UInt8 = 10, assistance: Bool = true, vision: Bool = true) async throws -> Bool {
        try await store.seedReferenceData()
        guard try await store.hasNoUsers() else { return false }
        for a in accounts {
            _ = try await store.createUser(username: a.username, displayName: a.displayName, role: a.role, regionKato: a.region,
                                           password: a.role == .integrator ? nil : password, bcryptCost: bcryptCost, actor: "demo")
        }
        // A deterministic synthetic queue: two districts of Astana and one of Almaty.
        let districts = ["711210000", "711310000", "751210000"]
        var rng = SplitMix64(seed: 2026)
        let outcomes = ["approve", "reject"]
        for i in 0..<12 {
            let district = districts[i % districts.count]
            let score = Double(rng.next() % 1000) / 1000
            let outcome = outcomes[score >= 0.5 ? 0 : 1]
            let rec = Recommendation(
                subject: "demo-application-\(String(format: "%04d", i + 1))", domain: "demo",
                modelName: "demo-synthetic", modelVersion: "0.0-synthetic", score: score >= 0.5 ? score : 1 - score,
                outcome: outcome,
                reasons: [
                    Reason(feature: "income_per_person", label: "Income per person vs. poverty line (synthetic)",
                           contribution: 0.2 + Double(i % 3) / 10),
                    Reason(feature: "household_size", label: "Household size (synthetic)", contribution: 0.1),
                ],
                inputDigest: Hashing.sha256Hex("demo-\(i)"), regionKato: district, createdAt: store.clock.now())
            _ = try await store.createRecommendation(rec, actor: "demo")
        }
        if assistance { try await seedAssistance(store) }
        try await seedAppeals(store)
        if vision { try await seedVision(store) }
        return true
    }
}
