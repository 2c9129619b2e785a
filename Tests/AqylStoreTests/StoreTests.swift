import AqylCore
import AqylStore
import Foundation
import SQLKit
import Testing

/// Each backend the store must work on. PostgreSQL runs where `AQYL_TEST_POSTGRES_URL` is set
/// (`scripts/test.sh` starts one); without it those cases are skipped with a message.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["AQYL_TEST_POSTGRES_URL"] }

    static var available: [Backend] {
        if postgresURL == nil {
            print("note: AQYL_TEST_POSTGRES_URL is not set; PostgreSQL store tests skipped (scripts/test.sh sets it)")
            return [.sqlite]
        }
        return allCases
    }

    /// A fresh, empty database: a new SQLite file, or a new PostgreSQL schema.
    func freshLocation() throws -> (DatabaseLocation, path: String?) {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-test-\(id).sqlite").path
            return (.sqlite(path: path), path)
        case .postgres:
            let url = try #require(Backend.postgresURL)
            return (try DatabaseLocation.parse(url + "?schema=t_\(id)"), nil)
        }
    }

    func openStore(clock: Clock = .system) async throws -> (AqylStore, DatabaseLocation, String?) {
        let (loc, path) = try freshLocation()
        let store = try await AqylStore.open(loc, clock: clock)
        try await store.seedReferenceData()
        return (store, loc, path)
    }
}

@Suite("Store on SQLite and PostgreSQL")
struct StoreTests {
    @Test(arguments: Backend.available)
    func migrationsAreVersionedAndIdempotent(_ backend: Backend) async throws {
        let (loc, _) = try backend.freshLocation()
        let db = try await Database.open(loc)
        let first = try await Migrator.migrate(db)
        #expect(first.map(\.version) == [1, 2])
        #expect(try await Migrator.migrate(db).isEmpty)
        #expect(try await Migrator.appliedVersions(db) == [1, 2])
        await db.close()
    }

    @Test(arguments: Backend.available)
    func regionsAreSeededOnce(_ backend: Backend) async throws {
        let (store, _, _) = try await backend.openStore()
        #expect(try await store.regions().count == KazakhstanRegions.all.count)
        #expect(try await store.seedReferenceData() == false)
        let dir = try await store.directory()
        #expect(dir.region("710000000")?.iso == "KZ-71")
        await store.close()
    }

    @Test(arguments: Backend.available)
    func usersPasswordsAndTokens(_ backend: Backend) async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let clockBox = ClockBox(now)
        let (store, _, _) = try await backend.openStore(clock: Clock { clockBox.now })
        let user = try await store.createUser(username: "officer.esil", displayName: nil, role: .officer,
                                              regionKato: "711210000", password: "correct horse", bcryptCost: 4, actor: "test")
        #expect(try await store.authenticate(username: "officer.esil", password: "correct horse")?.id == user.id)
        #expect(try await store.authenticate(username: "officer.esil", password: "wrong horse") == nil)
        #expect(try await store.authenticate(username: "nobody", password: "correct horse") == nil)
        await #expect { try await store.createUser(username: "officer.esil", displayName: nil, role: .officer,
                                                   regionKato: "711210000", password: "another one", bcryptCost: 4, actor: "t") }
            throws: { ($0 as? AqylError)?.code == "username_taken" }
        await #expect { try await store.createUser(username: "x.y", displayName: nil, role: .officer,
                                                   regionKato: "123456789", password: "another one", bcryptCost: 4, actor: "t") }
            throws: { ($0 as? AqylError)?.field == "region" }

        let issued = try await store.issueToken(for: user, kind: "session", label: nil, lifetime: 3600, actor: "test")
        #expect(try await store.user(forToken: issued.token)?.username == "officer.esil")
        #expect(try await store.user(forToken: "aqyl_not-a-token") == nil)
        clockBox.now = now.addingTimeInterval(3601)
        #expect(try await store.user(forToken: issued.token) == nil)
        await store.close()
    }

    @Test(arguments: Backend.available)
    func queueScopingDecisionsAndStatistics(_ backend: Backend) async throws {
        let (store, _, _) = try await backend.openStore()
        func make(_ region: String, _ version: String) async throws -> Recommendation {
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

        let esilQueue = try await store.queue(scope: "711210000", region: nil, status: .pending, domain: nil, limit: 100, reader: esilOfficer)
        #expect(Set(esilQueue.map(\.id)) == [esil1.id, esil2.id])
        let astanaQueue = try await store.queue(scope: "710000000", region: nil, status: .pending, domain: nil, limit: 100, reader: astanaOfficer)
        #expect(Set(astanaQueue.map(\.id)) == [esil1.id, esil2.id, sary.id])
        await #expect { try await store.queue(scope: "711210000", region: "711310000", status: nil, domain: nil, limit: 10, reader: esilOfficer) }
            throws: { ($0 as? AqylError)?.kind == .forbidden }
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

        let stats = try await store.advisoryStatistics(scope: Region.centreCode)
        let v1 = try #require(stats.first { $0.modelVersion == "1" })
        #expect(v1.decided == 2 && v1.agreed == 1 && v1.overridden == 1 && v1.agreementRate == 0.5)
        let v2 = try #require(stats.first { $0.modelVersion == "2" })
        #expect(v2.pending == 2 && v2.decided == 0)
        let esilStats = try await store.advisoryStatistics(scope: "711210000")
        #expect(esilStats.map(\.modelVersion) == ["1"])

        // Every read of the queue and of a recommendation was audited as personal.
        let entries = try await store.audit.entries(after: 0, limit: 1000)
        #expect(entries.contains { $0.action == "recommendation.read" && $0.personal && $0.actor == "officer.esil" })
        #expect(entries.contains { $0.action == "recommendation.list" && $0.personal })
        #expect(entries.filter { $0.action == "decision.create" }.count == 2)
        #expect(try await store.audit.verify().ok)
        await store.close()
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
