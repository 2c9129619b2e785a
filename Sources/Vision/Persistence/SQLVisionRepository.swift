import AqylCore
import AqylStore
import Foundation
import SQLKit

/// The Vision domain's tables (versions 300–399).
public enum VisionMigrations {
    public static let versions = 300...399
    public static let all: [Migration] = [v300]

    static let v300 = Migration(version: 300, name: "vision: camera configurations and events with evidence") { _ in
        [
            """
            CREATE TABLE vision_cameras (
                camera_id TEXT PRIMARY KEY, district_kato TEXT NOT NULL, version BIGINT NOT NULL, config TEXT NOT NULL,
                installed_at BIGINT NOT NULL, installed_by TEXT NOT NULL)
            """,
            """
            CREATE TABLE vision_events (
                id TEXT PRIMARY KEY, recommendation_id TEXT NOT NULL UNIQUE REFERENCES recommendations (id),
                camera_id TEXT NOT NULL, district_kato TEXT NOT NULL, source TEXT NOT NULL, external_id TEXT,
                rule_id TEXT NOT NULL, rule_version BIGINT NOT NULL, rule_kind TEXT NOT NULL, event TEXT NOT NULL,
                confidence DOUBLE PRECISION NOT NULL, status TEXT NOT NULL, reviewed_by TEXT, review_reason TEXT,
                reviewed_at BIGINT, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX vision_events_queue ON vision_events (district_kato, status, created_at)",
            "CREATE UNIQUE INDEX vision_events_external ON vision_events (camera_id, external_id)",
        ]
    }
}

/// `VisionRepository` in the platform's SQL database.
public struct SQLVisionRepository: VisionRepository {
    let store: AqylStore

    public init(_ persistence: any PlatformPersistence) throws { store = try AqylStore.required(persistence) }

    static func decodeCamera(_ r: any SQLRow) throws -> StoredCamera {
        StoredCamera(cameraId: try r.decode(column: "camera_id", as: String.self), districtKato: try r.decode(column: "district_kato", as: String.self),
                     version: try r.decode(column: "version", as: Int.self), config: try r.decode(column: "config", as: String.self),
                     installedAt: Clock.date(millis: try r.decode(column: "installed_at", as: Int64.self)),
                     installedBy: try r.decode(column: "installed_by", as: String.self))
    }

    public func installCamera(_ camera: StoredCamera, installerScope: RegionFilter, audit: AuditEvent) async throws {
        try await store.transaction { tx in
            let sql = tx.sql
            if let row = try await sql.raw("SELECT version, district_kato FROM vision_cameras WHERE camera_id = \(bind: camera.cameraId)").first() {
                let current = try row.decode(column: "district_kato", as: String.self)
                guard installerScope.contains(current) else {
                    throw AqylError.forbidden("camera \(camera.cameraId) belongs to \(current), outside your scope")
                }
                let v = try row.decode(column: "version", as: Int.self)
                let deleted = try await sql.raw("""
                    DELETE FROM vision_cameras WHERE camera_id = \(bind: camera.cameraId) AND version < \(bind: camera.version) RETURNING camera_id
                    """).all()
                guard !deleted.isEmpty else {
                    throw AqylError(.conflict, code: "stale_version",
                                    "camera \(camera.cameraId) already has configuration version \(v); send a higher version", field: "version")
                }
            }
            try await sql.raw("""
                INSERT INTO vision_cameras (camera_id, district_kato, version, config, installed_at, installed_by)
                VALUES (\(bind: camera.cameraId), \(bind: camera.districtKato), \(bind: camera.version), \(bind: camera.config),
                        \(bind: Clock.millis(camera.installedAt)), \(bind: camera.installedBy))
                """).run()
            try await tx.append(audit)
        }
    }

    public func camera(id: String) async throws -> StoredCamera? {
        try await store.read { sql in
            try await sql.raw("SELECT * FROM vision_cameras WHERE camera_id = \(bind: id)").first()
        }.map(Self.decodeCamera)
    }

    public func cameras(in regions: RegionFilter, page: PageRequest) async throws -> Page<StoredCamera> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM vision_cameras WHERE 1 = 1")
            q.appendRegionFilter("district_kato", regions)
            if let c = page.cursor { q.appendInterpolation(unsafeRaw: " AND camera_id > "); q.appendInterpolation(bind: c.id) }
            q.appendInterpolation(unsafeRaw: " ORDER BY camera_id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decodeCamera), limit: page.limit) { Cursor(key: 0, id: $0.cameraId) }
    }

    public func insert(_ e: StoredVisionEvent, externalId: String?, recommendation rec: Recommendation, audit: AuditEvent) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(e.event), as: UTF8.self)
        try await store.transaction { tx in
            try await tx.insertRecommendation(rec, audit: audit)
            try await tx.sql.raw("""
                INSERT INTO vision_events (id, recommendation_id, camera_id, district_kato, source, external_id, rule_id, rule_version,
                    rule_kind, event, confidence, status, created_at)
                VALUES (\(bind: e.id), \(bind: rec.id), \(bind: e.cameraId), \(bind: e.districtKato), \(bind: e.source),
                        \(bind: externalId), \(bind: e.event.ruleID), \(bind: e.event.ruleVersion), \(bind: e.event.ruleKind.rawValue),
                        \(bind: json), \(bind: rec.score), \(bind: e.status.rawValue), \(bind: Clock.millis(e.createdAt)))
                """).run()
        }
    }

    static func decode(_ r: any SQLRow) throws -> StoredVisionEvent {
        let event = try JSONDecoder().decode(VisionEvent.self, from: Data(try r.decode(column: "event", as: String.self).utf8))
        return StoredVisionEvent(
            id: try r.decode(column: "id", as: String.self), recommendationId: try r.decode(column: "recommendation_id", as: String.self),
            cameraId: try r.decode(column: "camera_id", as: String.self), districtKato: try r.decode(column: "district_kato", as: String.self),
            source: try r.decode(column: "source", as: String.self),
            status: VisionEventStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .pending,
            event: event, reviewedBy: try r.decode(column: "reviewed_by", as: String?.self),
            reviewReason: try r.decode(column: "review_reason", as: String?.self),
            reviewedAt: try r.decode(column: "reviewed_at", as: Int64?.self).map(Clock.date(millis:)),
            createdAt: Clock.date(millis: try r.decode(column: "created_at", as: Int64.self)))
    }

    public func event(id: String) async throws -> StoredVisionEvent? {
        try await store.read { sql in
            try await sql.raw("SELECT * FROM vision_events WHERE id = \(bind: id)").first()
        }.map(Self.decode)
    }

    public func event(camera: String, externalId: String) async throws -> StoredVisionEvent? {
        try await store.read { sql in
            try await sql.raw("SELECT * FROM vision_events WHERE camera_id = \(bind: camera) AND external_id = \(bind: externalId)").first()
        }.map(Self.decode)
    }

    public func events(_ filter: VisionEventFilter, page: PageRequest) async throws -> Page<StoredVisionEvent> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM vision_events WHERE 1 = 1")
            q.appendRegionFilter("district_kato", filter.regions)
            q.appendEquals("status", filter.status?.rawValue)
            q.appendAfter(page.cursor, key: "created_at", id: "id")
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at, id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decode), limit: page.limit) { Cursor(key: Clock.millis($0.createdAt), id: $0.id) }
    }

    public func review(_ e: StoredVisionEvent, status: VisionEventStatus, decision: Decision, on rec: Recommendation,
                       audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.recordDecision(decision, on: rec, audit: audit)
            try await tx.sql.raw("""
                UPDATE vision_events SET status = \(bind: status.rawValue), reviewed_by = \(bind: decision.officialName),
                    review_reason = \(bind: decision.reason), reviewed_at = \(bind: Clock.millis(decision.decidedAt))
                WHERE id = \(bind: e.id)
                """).run()
        }
    }
}
