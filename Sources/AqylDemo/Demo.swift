import AqylCore
import AqylKit
import AqylML
import AqylServer
import Foundation

/// Demo content for `aqyl serve` on the embedded default. Everything here is SYNTHETIC and labelled so: no real
/// person, application or decision is represented. The demo accounts and a small generic queue come from here;
/// each module's own demo content comes through the module contract (`DomainModule.demo`).
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

    /// `../shared/data` beside the working directory, when it is there.
    public static func defaultDataRoot() -> String? {
        let path = "../shared/data"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Creates the demo users, a small synthetic generic queue and every module's demo content when the database has
    /// no users yet (`only`: the module domains to seed, all when nil). Returns false when the database already had
    /// users (nothing is touched then).
    @discardableResult
    public static func seed(_ platform: AqylPlatform, bcryptCost: UInt8 = 10, dataRoot: String? = defaultDataRoot(),
                            only: Set<String>? = nil) async throws -> Bool {
        let core = platform.core
        try await core.seedReferenceData()
        guard try await core.hasNoUsers() else { return false }
        var principals: [String: Principal] = [:]
        for a in accounts {
            let u = try await core.createUser(username: a.username, displayName: a.displayName, role: a.role, regionKato: a.region,
                                              password: a.role == .integrator ? nil : password, actor: "demo", bcryptCost: bcryptCost)
            principals[a.username] = u.principal
        }
        try await seedGenericQueue(core)
        let context = DemoContext(platform: platform.context, accounts: principals, dataRoot: dataRoot)
        for (t, m) in zip(platform.moduleTypes, platform.modules) where only?.contains(t.domain) ?? true {
            try await m.demo?.seed(context)
        }
        return true
    }

    /// A deterministic synthetic queue of generic recommendations: two districts of Astana and one of Almaty.
    static func seedGenericQueue(_ core: CoreServices) async throws {
        let districts = ["711210000", "711310000", "751210000"]
        var rng = SplitMix64(seed: 2026)
        for i in 0..<12 {
            let district = districts[i % districts.count]
            let score = Double(rng.next() % 1000) / 1000
            let rec = Recommendation(
                subject: "demo-application-\(String(format: "%04d", i + 1))", domain: "demo",
                modelName: "demo-synthetic", modelVersion: "0.0-synthetic", score: score >= 0.5 ? score : 1 - score,
                outcome: score >= 0.5 ? "approve" : "reject",
                reasons: [
                    Reason(feature: "income_per_person", label: "Income per person vs. poverty line (synthetic)",
                           contribution: 0.2 + Double(i % 3) / 10),
                    Reason(feature: "household_size", label: "Household size (synthetic)", contribution: 0.1),
                ],
                inputDigest: Hashing.sha256Hex("demo-\(i)"), regionKato: district, createdAt: core.clock.now())
            _ = try await core.createRecommendation(rec, actor: "demo")
        }
    }
}
