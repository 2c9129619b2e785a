import AqylCore
import AqylStore
import AqylTestSupport
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

struct Fixture: Sendable {
    let core: CoreServices
    let service: AppealsService
    let time: ManualClock
    let integrator: Principal
    let officer: Principal

    /// The appeals service over a fresh backend — the in-memory repository or a database — with an integrator and
    /// a centre officer.
    static func run(_ backend: ServerBackend, config: AppealsConfig = AppealsConfig(),
                    _ body: @Sendable (Fixture) async throws -> Void) async throws {
        let time = ManualClock(Date(timeIntervalSince1970: 1_780_000_000))
        try await withPersistence(backend, clock: time.clock) { persistence, _ in
            let core = CoreServices(store: persistence, bcryptCost: 4)
            try await core.seedReferenceData()
            let integrator = try await core.createUser(username: "bank", displayName: nil, role: .integrator,
                                                       regionKato: Region.centreCode, password: nil, actor: "test")
            let officer = try await core.createUser(username: "centre.officer", displayName: nil, role: .officer,
                                                    regionKato: Region.centreCode, password: "officer-password", actor: "test")
            let service = AppealsService(core: core, repository: try AppealsRepositories.make(for: persistence), config: config)
            try await body(Fixture(core: core, service: service, time: time, integrator: integrator.principal, officer: officer.principal))
        }
    }
}

extension ServerBackend {
    /// The in-memory repository (the domain's rules without a database) and every database.
    static var everywhere: [ServerBackend] { [.memory] + databases }
}

@Suite struct EscalationTests {
    @Test(arguments: ServerBackend.everywhere)
    func overdueReportsClimbDistrictRegionCentre(_ backend: ServerBackend) async throws {
        try await Fixture.run(backend) { f in
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
        let audit = try await f.core.store.auditEntries(after: 0, in: .all, limit: 1000).filter { $0.action == "appeal.escalate" && $0.entityId == id }
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0.actor == "system" })
        #expect(try await f.core.verifyAudit().ok)

        // A closed report is never escalated.
        let closed = try await f.service.submit(s, idempotencyKey: nil, client: f.integrator)
        _ = try await f.service.transition(id: closed.report.id, to: .resolved, publicNote: nil, note: nil, official: f.officer)
        f.time.advance(window + 1)
        #expect(try await f.service.escalateOverdue(now: f.time.now).isEmpty)
        }
    }

    @Test(arguments: ServerBackend.everywhere)
    func policeComplaintsEscalateFromRegionInternalSecurityToCentre(_ backend: ServerBackend) async throws {
        try await Fixture.run(backend) { f in
        let s = AppealSubmission(category: .policeComplaint, description: "Полицейский вымогал деньги", lat: 43.25, lon: 76.91)
        let sub = try await f.service.submit(s, idempotencyKey: nil, client: f.integrator)
        #expect(sub.report.locationKato == "751110000")
        #expect(sub.report.queueKato == "750000000")
        #expect(sub.report.queueKind == .internalSecurity)
        #expect(sub.report.riskTopics == [.corruption])
        f.time.advance(120 * 3600 + 1)
        let moved = try await f.service.escalateOverdue(now: f.time.now)
        #expect(moved.map(\.to) == [Region.centreCode])
        }
    }

    @Test(arguments: ServerBackend.everywhere)
    func likelyDuplicatesAreSuggestedNeverMerged(_ backend: ServerBackend) async throws {
        try await Fixture.run(backend) { f in
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
        #expect(all.items.count == 5)
        }
    }

    @Test(arguments: ServerBackend.everywhere)
    func idempotentRetriesNeverMakeTwoReports(_ backend: ServerBackend) async throws {
        try await Fixture.run(backend) { f in
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
        #expect(try await f.service.list(reader: f.officer, status: .any).items.count == 1)
        }
    }
}
