import AqylCore
import AqylStore
import AqylTestSupport
import Foundation
import SQLKit
import Testing

extension ServerBackend {
    /// Every backend the core's rules must hold on: the databases, and the in-memory store.
    static var all: [ServerBackend] { databases + [.memory] }
}

/// Runs `body` with the core's services over a fresh, migrated backend with the built-in regions.
func withCore(_ backend: ServerBackend, clock: Clock = .system,
              _ body: @Sendable (CoreServices, AqylStore?) async throws -> Void) async throws {
    try await withPersistence(backend, clock: clock) { persistence, store in
        let core = CoreServices(store: persistence, bcryptCost: 4)
        try await core.seedReferenceData()
        try await body(core, store)
    }
}

@Suite("Store on SQLite and PostgreSQL")
struct StoreTests {
    @Test(arguments: ServerBackend.databases)
    func migrationsAreVersionedAndIdempotent(_ backend: ServerBackend) async throws {
        try await AqylStore.withStore(try backend.freshLocation()) { store in
            let first = try await store.migrate(CoreMigrations.all)
            #expect(first.map(\.version) == [1, 2])
            #expect(try await store.migrate(CoreMigrations.all).isEmpty)
        }
    }

    @Test(arguments: ServerBackend.all)
    func regionsAreSeededOnce(_ backend: ServerBackend) async throws {
        try await withCore(backend) { core, _ in
            #expect(try await core.store.regions().count == KazakhstanRegions.all.count)
            #expect(try await core.seedReferenceData() == false)
            let dir = try await core.directory()
            #expect(dir.region("710000000")?.iso == "KZ-71")
        }
    }

    @Test(arguments: ServerBackend.all)
    func usersPasswordsAndTokens(_ backend: ServerBackend) async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let clockBox = ClockBox(now)
        try await withCore(backend, clock: Clock { clockBox.now }) { store, _ in
        let user = try await store.createUser(username: "officer.esil", displayName: nil, role: .officer,
                                              regionKato: "711210000", password: "correct horse", actor: "test")
        #expect(try await store.authenticate(username: "officer.esil", password: "correct horse")?.id == user.id)
        #expect(try await store.authenticate(username: "officer.esil", password: "wrong horse") == nil)
        #expect(try await store.authenticate(username: "nobody", password: "correct horse") == nil)
        await #expect { try await store.createUser(username: "officer.esil", displayName: nil, role: .officer,
                                                   regionKato: "711210000", password: "another one", actor: "t") }
            throws: { ($0 as? AqylError)?.code == "username_taken" }
        await #expect { try await store.createUser(username: "x.y", displayName: nil, role: .officer,
                                                   regionKato: "123456789", password: "another one", actor: "t") }
            throws: { ($0 as? AqylError)?.field == "region" }

        let issued = try await store.issueToken(for: user, kind: "session", label: nil, lifetime: 3600, actor: "test")
        #expect(try await store.user(forToken: issued.token)?.username == "officer.esil")
        #expect(try await store.user(forToken: "aqyl_not-a-token") == nil)
        clockBox.now = now.addingTimeInterval(3601)
        #expect(try await store.user(forToken: issued.token) == nil)
        }
    }

    @Test(arguments: ServerBackend.all)
    func queueScopingDecisionsAndStatistics(_ backend: ServerBackend) async throws {
        try await withCore(backend) { store, _ in
        @Sendable func make(_ region: String, _ version: String) async throws -> Recommendation {
            try await store.createRecommendation(
                Recommendation(subject: "app-\(UUID().uuidString.prefix(6))", domain: "assistance", modelName: "forest",
                               modelVersion: version, score: 0.9, outcome: "approve",
                               reasons: [Reason(feature: "income", label: "Income", contribution: 0.4)],
                               inputDigest: "d", regionKato: region, createdAt: store.clock.now()), actor: "test")
        }
        let esil1 = try await make("711210000", "1")
        let esil2 = try await make("711210000", "1")
        let sary = try await make("711310000", "2")
        let alatau = try await make("751210000", "2")
        let esilOfficer = Principal(userId: "e", username: "officer.esil", role: .officer, regionKato: "711210000")
        let astanaOfficer = Principal(userId: "a", username: "officer.astana", role: .officer, regionKato: "710000000")

        let esilQueue = try await store.queue(reader: esilOfficer, region: nil, status: .pending, domain: nil, page: PageRequest())
        #expect(Set(esilQueue.items.map(\.id)) == [esil1.id, esil2.id])
        let astanaQueue = try await store.queue(reader: astanaOfficer, region: nil, status: .pending, domain: nil, page: PageRequest())
        #expect(Set(astanaQueue.items.map(\.id)) == [esil1.id, esil2.id, sary.id])
        await #expect { try await store.queue(reader: esilOfficer, region: "711310000", status: nil, domain: nil, page: PageRequest(limit: 10)) }
            throws: { ($0 as? AqylError)?.kind == .forbidden }
        // Pages of one follow the queue to its end, in order.
        var seen: [String] = []
        var page = PageRequest(limit: 1)
        while true {
            let p = try await store.queue(reader: astanaOfficer, region: nil, status: .pending, domain: nil, page: page)
            seen += p.items.map(\.id)
            guard let next = p.next else { break }
            page.cursor = next
        }
        #expect(seen == astanaQueue.items.map(\.id))
        // Another district's recommendation is "not found" for this officer, and cannot be decided.
        await #expect { try await store.recommendation(id: sary.id, reader: esilOfficer) } throws: { ($0 as? AqylError)?.kind == .notFound }
        await #expect { try await store.decide(recommendationId: alatau.id, official: astanaOfficer, outcome: "approve", reason: nil) }
            throws: { ($0 as? AqylError)?.kind == .notFound }

        _ = try await store.decide(recommendationId: esil1.id, official: esilOfficer, outcome: "approve", reason: nil)
        await #expect { try await store.decide(recommendationId: esil2.id, official: esilOfficer, outcome: "reject", reason: nil) }
            throws: { ($0 as? AqylError)?.code == "reason_required" }
        _ = try await store.decide(recommendationId: esil2.id, official: esilOfficer, outcome: "reject", reason: "pension not counted")
        await #expect { try await store.decide(recommendationId: esil2.id, official: esilOfficer, outcome: "approve", reason: nil) }
            throws: { ($0 as? AqylError)?.kind == .conflict }
        let (read, decision) = try await store.recommendation(id: esil2.id, reader: esilOfficer)
        #expect(read.status == .decided)
        #expect(decision?.reason == "pension not counted")
        #expect(decision?.agrees == false)

        let centre = Principal(userId: "c", username: "analyst", role: .analyst, regionKato: Region.centreCode)
        let stats = try await store.advisoryStatistics(reader: centre, domain: nil)
        let v1 = try #require(stats.first { $0.modelVersion == "1" })
        #expect(v1.decided == 2 && v1.agreed == 1 && v1.overridden == 1 && v1.agreementRate == 0.5)
        let v2 = try #require(stats.first { $0.modelVersion == "2" })
        #expect(v2.pending == 2 && v2.decided == 0)
        let esilStats = try await store.advisoryStatistics(reader: esilOfficer, domain: nil)
        #expect(esilStats.map(\.modelVersion) == ["1"])

        // Every read of the queue and of a recommendation was audited as personal.
        let entries = try await store.store.auditEntries(after: 0, in: .all, limit: 1000)
        #expect(entries.contains { $0.action == "recommendation.read" && $0.personal && $0.actor == "officer.esil" })
        #expect(entries.contains { $0.action == "recommendation.list" && $0.personal })
        #expect(entries.filter { $0.action == "decision.create" }.count == 2)
        #expect(try await store.verifyAudit().ok)
        // A district auditor pages through the district's entries only, filtered by the store.
        let esilAuditor = Principal(userId: "x", username: "auditor.esil", role: .auditor, regionKato: "711210000")
        let esilEntries = try await store.auditEntries(reader: esilAuditor, after: 0, limit: 1000)
        #expect(!esilEntries.isEmpty && esilEntries.allSatisfy { $0.regionKato == "711210000" })
        }
    }
}

final class ClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ d: Date) { value = d }
    var now: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
