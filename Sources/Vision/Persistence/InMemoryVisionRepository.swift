import AqylCore
import Foundation

/// `VisionRepository` in memory, inside the core's `InMemoryStore` transactions. For rule tests.
public struct InMemoryVisionRepository: VisionRepository {
    struct Tables: Sendable {
        var cameras: [String: StoredCamera] = [:]
        var events: [String: StoredVisionEvent] = [:]
        var external: [String: String] = [:]
    }
    static let key = "vision"
    let memory: InMemoryStore

    public init(_ memory: InMemoryStore) { self.memory = memory }

    private func tables() async -> Tables { await memory.read { $0[table: Self.key, default: Tables()] } }

    public func installCamera(_ camera: StoredCamera, installerScope: RegionFilter, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            if let current = s[table: Self.key, default: Tables()].cameras[camera.cameraId] {
                guard installerScope.contains(current.districtKato) else {
                    throw AqylError.forbidden("camera \(camera.cameraId) belongs to \(current.districtKato), outside your scope")
                }
                guard current.version < camera.version else {
                    throw AqylError(.conflict, code: "stale_version",
                                    "camera \(camera.cameraId) already has configuration version \(current.version); send a higher version", field: "version")
                }
            }
            s[table: Self.key, default: Tables()].cameras[camera.cameraId] = camera
            s.append(audit)
        }
    }

    public func camera(id: String) async throws -> StoredCamera? { await tables().cameras[id] }

    public func cameras(in regions: RegionFilter, page: PageRequest) async throws -> Page<StoredCamera> {
        let rows = await tables().cameras.values.filter { regions.contains($0.districtKato) }
            .filter { c in page.cursor.map { c.cameraId > $0.id } ?? true }
            .sorted { $0.cameraId < $1.cameraId }
        return Page(rows: Array(rows.prefix(page.limit + 1)), limit: page.limit) { Cursor(key: 0, id: $0.cameraId) }
    }

    public func insert(_ event: StoredVisionEvent, externalId: String?, recommendation: Recommendation, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            let ext = externalId.map { "\(event.cameraId)\u{1}\($0)" }
            if let ext, s[table: Self.key, default: Tables()].external[ext] != nil {
                throw AqylError(.conflict, code: "duplicate_event", "event \(externalId ?? "") of camera \(event.cameraId) exists")
            }
            try s.insertRecommendation(recommendation, audit: audit)
            s[table: Self.key, default: Tables()].events[event.id] = event
            if let ext { s[table: Self.key, default: Tables()].external[ext] = event.id }
        }
    }

    public func event(id: String) async throws -> StoredVisionEvent? { await tables().events[id] }

    public func event(camera: String, externalId: String) async throws -> StoredVisionEvent? {
        let t = await tables()
        return t.external["\(camera)\u{1}\(externalId)"].flatMap { t.events[$0] }
    }

    public func events(_ filter: VisionEventFilter, page: PageRequest) async throws -> Page<StoredVisionEvent> {
        let rows = await tables().events.values
            .filter { e in filter.regions.contains(e.districtKato) && (filter.status.map { e.status == $0 } ?? true) }
        return Page(keyset: rows, page: page, key: { Clock.millis($0.createdAt) }, id: \.id)
    }

    public func review(_ event: StoredVisionEvent, status: VisionEventStatus, decision: Decision, on recommendation: Recommendation,
                       audit: AuditEvent) async throws {
        try await memory.transaction { s in
            try s.recordDecision(decision, on: recommendation, audit: audit)
            guard var e = s[table: Self.key, default: Tables()].events[event.id] else { return }
            e.status = status
            e.reviewedBy = decision.officialName
            e.reviewReason = decision.reason
            e.reviewedAt = decision.decidedAt
            s[table: Self.key, default: Tables()].events[event.id] = e
        }
    }
}
