import AqylCore
import AqylStore
import Foundation
import Testing
@testable import Appeals

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time: Date
    init(_ start: Date) { time = start }
    var now: Date { lock.lock(); defer { lock.unlock() }; return time }
    func advance(_ s: TimeInterval) { lock.lock(); time += s; lock.unlock() }
    var clock: Clock { Clock { [self] in self.now } }
}

enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
    static var available: [Backend] {
        ProcessInfo.processInfo.environment["AQYL_TEST_POSTGRES_URL"] == nil ? [.sqlite] : allCases
    }
    func location() throws -> DatabaseLocation {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        switch self {
        case .sqlite:
            return .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-appeals-\(id).sqlite").path)
        case .postgres:
            return try DatabaseLocation.parse(try #require(ProcessInfo.processInfo.environment["AQYL_TEST_POSTGRES_URL"]) + "?schema=a_\(id)")
        }
    }
}

struct Fixture {
    let store: AqylStore
    let service: AppealsService
    let time: ManualClock
    let integrator: Principal
    let officer: Principal

    static func make(_ backend: Backend, config: AppealsConfig = AppealsConfig()) async throws -> Fixture {
        let time = ManualClock(Date(timeIntervalSince1970: 1_780_000_000))
        let store = try await AqylStore.open(try backend.location(), clock: time.clock,
                                             migrations: CoreMigrations.all + AppealsMigrations.all)
        try await store.seedReferenceData()
        let integrator = try await store.createUser(username: "bank", displayName: nil, role: .integrator,
                                                    regionKato: Region.centreCode, password: nil, bcryptCost: 4, actor: "test")
        let officer = try await store.createUser(username: "centre.officer", displayName: nil, role: .officer,
                                                 regionKato: Region.centreCode, password: nil, bcryptCost: 4, actor: "test")
        return Fixture(store: store, service: try AppealsService(store: store, config: config), time: time,
                       integrator: integrator.principal, officer: officer.principal)
    }
}

@Suite struct EscalationTests {
    @Test(arguments: Backend.available)
    func overdueReportsClimbDistrictRegionCentre(_ backend: Backend) async throws {
        let f = try await Fixture.make(backend)
        let s = AppealSubmission(category: .trafficViolation, description: "Машина стоит на тротуаре", kato: "711210000")
        let sub = try await f.service.submit(s, idempotencyKey: nil, client: f.integrator)
        let id = sub.report.id
        let window: TimeInterval = 72 * 3600
        #expect(sub.report.deadlineAt == f.time.now.addingTimeInterval(window))

        // One second before the deadline: nothing moves.
        f.time.advance(window - 1)
        #expect(try await f.service.escalateOverdue(now: f.time.now).isEmpty)
        // Just past it: district → region (Astana), with a fresh deadline.
        f.time.advance(2)
        let first = try await f.service.escalateOverdue(now: f.time.now)
        #expect(first.map(\.to) == ["710000000"])
        #expect(first.first?.level == .region)
        // Running again at once changes nothing.
        #expect(try await f.service.escalateOverdue(now: f.time.now).isEmpty)
        // After the region's deadline: region → centre; then it stays at the centre.
        f.time.advance(window - 10)
        #expect(try await f.service.escalateOverdue(now: f.time.now).isEmpty)
        f.time.advance(11)
        #expect(try await f.service.escalateOverdue(now: f.time.now).map(\.to) == [Region.centreCode])
        f.time.advance(10 * window)
        #expect(try await f.service.escalateOverdue(now: f.time.now).isEmpty)

        // The reporter sees each step, the audit log holds each, the chain verifies.
        let status = try await f.service.track(token: sub.trackingToken)
        #expect(status.level == "national")
        #expect(status.history.count == 3)
        #expect(status.history.allSatisfy { !$0.text.contains("system") })
        let audit = try await f.store.audit.entries(after: 0, limit: 1000).filter { $0.action == "appeal.escalate" && $0.entityId == id }
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0.actor == "system" })
        #expect(try await f.store.audit.verify().ok)

        // A closed report is never escalated.
        let closed = try await f.service.submit(s, idempotencyKey: nil, client: f.integrator)
        _ = try await f.service.transition(id: closed.report.id, to: .resolved, publicNote: nil, note: nil, official: f.officer)
        f.time.advance(window + 1)
        #expect(try await f.service.escalateOverdue(now: f.time.now).isEmpty)
        await f.store.close()
    }

    @Test(arguments: Backend.available)
    func policeComplaintsEscalateFromRegionInternalSecurityToCentre(_ backend: Backend) async throws {
        let f = try await Fixture.make(backend)
        let s = AppealSubmission(category: .policeComplaint, description: "Полицейский вымогал деньги", lat: 43.25, lon: 76.91)
        let sub = try await f.service.submit(s, idempotencyKey: nil, client: f.integrator)
        #expect(sub.report.locationKato == "751110000")
        #expect(sub.report.queueKato == "750000000")
        #expect(sub.report.queueKind == .internalSecurity)
        #expect(sub.report.riskTopics == [.corruption])
        f.time.advance(120 * 3600 + 1)
        let moved = try await f.service.escalateOverdue(now: f.time.now)
        #expect(moved.map(\.to) == [Region.centreCode])
        await f.store.close()
    }

    @Test(arguments: Backend.available)
    func likelyDuplicatesAreSuggestedNeverMerged(_ backend: Backend) async throws {
        let f = try await Fixture.make(backend)
        let a = try await f.service.submit(AppealSubmission(category: .trafficAccident, description: "ДТП", lat: 51.1000, lon: 71.4200),
                                           idempotencyKey: nil, client: f.integrator)
        f.time.advance(30 * 60)
        // ~150 m away, 30 minutes later, same category: suggested.
        let b = try await f.service.submit(AppealSubmission(category: .trafficAccident, description: "Авария", lat: 51.1010, lon: 71.4215),
                                           idempotencyKey: nil, client: f.integrator)
        #expect(b.report.duplicates == [a.report.id])
        #expect(a.report.id != b.report.id)
        // Another category at the same spot, or the same category ~1 km away, or 3 hours later: not suggested.
        let c = try await f.service.submit(AppealSubmission(category: .accident, description: "Упал человек", lat: 51.1000, lon: 71.4200),
                                           idempotencyKey: nil, client: f.integrator)
        #expect(c.report.duplicates.isEmpty)
        let d = try await f.service.submit(AppealSubmission(category: .trafficAccident, description: "ДТП", lat: 51.1090, lon: 71.4200),
                                           idempotencyKey: nil, client: f.integrator)
        #expect(d.report.duplicates.isEmpty)
        f.time.advance(3 * 3600)
        let e = try await f.service.submit(AppealSubmission(category: .trafficAccident, description: "ДТП", lat: 51.1000, lon: 71.4200),
                                           idempotencyKey: nil, client: f.integrator)
        #expect(e.report.duplicates.isEmpty)
        let all = try await f.service.list(reader: f.officer, status: .any)
        #expect(all.count == 5)
        await f.store.close()
    }

    @Test(arguments: Backend.available)
    func idempotentRetriesNeverMakeTwoReports(_ backend: Backend) async throws {
        let f = try await Fixture.make(backend)
        let s = AppealSubmission(category: .accident, description: "Открытый люк", kato: "751210000")
        let results = try await withThrowingTaskGroup(of: SubmitOutcome.self) { group in
            for _ in 0..<4 { group.addTask { try await f.service.submit(s, idempotencyKey: "k-1", client: f.integrator) } }
            var out: [SubmitOutcome] = []
            for try await r in group { out.append(r) }
            return out
        }
        #expect(Set(results.map(\.report.id)).count == 1)
        #expect(Set(results.map(\.trackingToken)).count == 1)
        #expect(results.filter { !$0.replayed }.count == 1)
        var changed = s
        changed.description = "Открытый люк во дворе"
        await #expect(throws: AqylError.self) { try await f.service.submit(changed, idempotencyKey: "k-1", client: f.integrator) }
        #expect(try await f.service.list(reader: f.officer, status: .any).count == 1)
        await f.store.close()
    }
}
