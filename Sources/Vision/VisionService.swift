import AqylCore
import AqylKit
import AqylML
import AqylStore
import Foundation
import SQLKit

/// The Vision domain's tables (versions 300–399).
public enum VisionMigrations {
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

/// A stored event as the operator sees it.
public struct StoredVisionEvent: Sendable, Codable, Equatable {
    public var id: String
    public var recommendationId: String
    public var cameraId: String
    public var districtKato: String
    /// `aqyl` (our rules engine) or `camera:VENDOR` (the camera's own analytics).
    public var source: String
    public var status: String
    public var event: VisionEvent
    public var reviewedBy: String?
    public var reviewReason: String?
    public var reviewedAt: Date?
    public var createdAt: Date
}

/// Events → the operator queue of the camera's district → a named operator confirms or dismisses (audited).
public final class VisionService: Sendable {
    public let store: AqylStore
    public static let domain = "vision"
    public static let modelName = "aqyl-vision-rules"

    public init(store: AqylStore) { self.store = store }

    /// Stores (or replaces with a newer version) a camera's configuration. Audited.
    public func installCamera(_ config: CameraConfiguration, json: String, actor: Principal) async throws {
        let dir = try await store.directory()
        guard dir.region(config.districtKATO) != nil else {
            throw AqylError.invalid("district_kato", "unknown district \(config.districtKATO)", code: "unknown_region")
        }
        try actor.requireScope(config.districtKATO, in: dir)
        let dialect = store.db.dialect
        let time = store.clock.now()
        try await store.db.transaction { sql in
            // Inside the transaction: a camera already installed elsewhere stays with its district unless the caller
            // also covers that district, and only a higher version replaces the stored one.
            if let row = try await sql.raw("SELECT version, district_kato FROM vision_cameras WHERE camera_id = \(bind: config.cameraID)").first() {
                let current = try row.decode(column: "district_kato", as: String.self)
                guard dir.isWithin(current, scope: actor.regionKato) else {
                    throw AqylError.forbidden("camera \(config.cameraID) belongs to \(current), outside your scope (\(actor.regionKato))")
                }
                let v = try row.decode(column: "version", as: Int.self)
                let deleted = try await sql.raw("""
                    DELETE FROM vision_cameras WHERE camera_id = \(bind: config.cameraID) AND version < \(bind: config.version) RETURNING camera_id
                    """).all()
                guard !deleted.isEmpty else {
                    throw AqylError(.conflict, code: "stale_version",
                                    "camera \(config.cameraID) already has configuration version \(v); send a higher version", field: "version")
                }
            }
            try await sql.raw("""
                INSERT INTO vision_cameras (camera_id, district_kato, version, config, installed_at, installed_by)
                VALUES (\(bind: config.cameraID), \(bind: config.districtKATO), \(bind: config.version), \(bind: json),
                        \(bind: Clock.millis(time)), \(bind: actor.username))
                """).run()
            _ = try await AuditLog.append(AuditEvent(actor: actor.username, action: "vision.camera.configure", entityType: "camera",
                                                     entityId: config.cameraID, regionKato: config.districtKATO,
                                                     detail: "version \(config.version), \(config.rules.count) rules"),
                                          on: sql, dialect: dialect, at: time)
        }
    }

    public func cameras(scope: String) async throws -> [(cameraId: String, districtKato: String, version: Int, config: String)] {
        let dir = try await store.directory()
        let rows = try await store.db.withSQL { sql in try await sql.raw("SELECT * FROM vision_cameras ORDER BY camera_id").all() }
        return try rows.compactMap { r in
            let d = try r.decode(column: "district_kato", as: String.self)
            guard dir.isWithin(d, scope: scope) else { return nil }
            return (try r.decode(column: "camera_id", as: String.self), d, try r.decode(column: "version", as: Int.self),
                    try r.decode(column: "config", as: String.self))
        }
    }

    /// Stores one event and puts it in the district's queue as a recommendation to confirm. An external event
    /// already stored (same camera and `externalId`) is returned as it is: retries never duplicate.
    public func record(_ event: VisionEvent, source: String, externalId: String?, actor: String) async throws -> (StoredVisionEvent, created: Bool) {
        try Region.validateCode(event.districtKATO, field: "district_kato")
        guard try await store.directory().region(event.districtKATO) != nil else {
            throw AqylError.invalid("district_kato", "unknown district \(event.districtKATO)", code: "unknown_region")
        }
        if let ext = externalId, let existing = try await eventRow(camera: event.cameraID, externalId: ext) {
            return (try Self.sameDistrict(existing, event), false)
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let json = String(decoding: try e.encode(event), as: UTF8.self)
        var digest = SHA256Digest()
        digest.update(string: json)
        let confidence = min(1, max(0, event.confidence.isFinite ? event.confidence : 0))
        let rec = Recommendation(
            subject: "camera:\(event.cameraID)", domain: Self.domain,
            modelName: source == "aqyl" ? Self.modelName : source, modelVersion: "\(event.cameraID)@v\(event.ruleVersion)",
            score: confidence, outcome: "confirm",
            reasons: [Reason(feature: event.ruleKind.rawValue, label: event.description, contribution: confidence,
                             value: "rule \(event.ruleID), tracks \(event.trackIDs.map(String.init).joined(separator: " "))")],
            inputDigest: digest.finalizeHex(), regionKato: event.districtKATO, createdAt: store.clock.now())
        let id = UUID().uuidString.lowercased()
        do {
            _ = try await store.createRecommendation(rec, actor: actor) { sql in
                try await sql.raw("""
                    INSERT INTO vision_events (id, recommendation_id, camera_id, district_kato, source, external_id, rule_id, rule_version,
                        rule_kind, event, confidence, status, created_at)
                    VALUES (\(bind: id), \(bind: rec.id), \(bind: event.cameraID), \(bind: event.districtKATO), \(bind: source),
                            \(bind: externalId), \(bind: event.ruleID), \(bind: event.ruleVersion), \(bind: event.ruleKind.rawValue),
                            \(bind: json), \(bind: confidence), 'pending', \(bind: Clock.millis(rec.createdAt)))
                    """).run()
            }
        } catch {
            // A concurrent retry of the same camera event won the race: answer with the stored one.
            if let ext = externalId, let existing = try await eventRow(camera: event.cameraID, externalId: ext) {
                return (try Self.sameDistrict(existing, event), false)
            }
            throw error
        }
        return (StoredVisionEvent(id: id, recommendationId: rec.id, cameraId: event.cameraID, districtKato: event.districtKATO,
                                  source: source, status: "pending", event: event, createdAt: rec.createdAt), true)
    }

    /// A stored camera event is returned for a retry only to the district it belongs to.
    static func sameDistrict(_ existing: StoredVisionEvent, _ event: VisionEvent) throws -> StoredVisionEvent {
        guard existing.districtKato == event.districtKATO else {
            throw AqylError(.conflict, code: "event_id_reused", "event_id \(existing.event.attributes["event_id"] ?? "") was already used for another district",
                            field: "event_id")
        }
        return existing
    }

    /// Runs a camera's rules over tracks and records every event (e.g. a replay of recorded tracks).
    public func replay(_ config: CameraConfiguration, tracks: [TrackedBox], actor: String) async throws -> [StoredVisionEvent] {
        let events = RulesEngine(configuration: config).run(tracks)
        var out: [StoredVisionEvent] = []
        for e in events { out.append(try await record(e, source: "aqyl", externalId: nil, actor: actor).0) }
        return out
    }

    private func eventRow(id: String) async throws -> StoredVisionEvent? {
        try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM vision_events WHERE id = \(bind: id)").first()
        }.map(Self.decode)
    }

    private func eventRow(camera: String, externalId: String) async throws -> StoredVisionEvent? {
        try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM vision_events WHERE camera_id = \(bind: camera) AND external_id = \(bind: externalId)").first()
        }.map(Self.decode)
    }

    static func decode(_ r: any SQLRow) throws -> StoredVisionEvent {
        let event = try JSONDecoder().decode(VisionEvent.self, from: Data(try r.decode(column: "event", as: String.self).utf8))
        return StoredVisionEvent(
            id: try r.decode(column: "id", as: String.self), recommendationId: try r.decode(column: "recommendation_id", as: String.self),
            cameraId: try r.decode(column: "camera_id", as: String.self), districtKato: try r.decode(column: "district_kato", as: String.self),
            source: try r.decode(column: "source", as: String.self), status: try r.decode(column: "status", as: String.self),
            event: event, reviewedBy: try r.decode(column: "reviewed_by", as: String?.self),
            reviewReason: try r.decode(column: "review_reason", as: String?.self),
            reviewedAt: try r.decode(column: "reviewed_at", as: Int64?.self).map(Clock.date(millis:)),
            createdAt: Clock.date(millis: try r.decode(column: "created_at", as: Int64.self)))
    }

    /// One event, within the reader's scope (else not found). Audited: evidence shows people.
    public func event(id: String, reader: Principal) async throws -> StoredVisionEvent {
        guard let e = try await eventRow(id: id),
              try await store.directory().isWithin(e.districtKato, scope: reader.regionKato) else {
            throw AqylError.notFound("event \(id)", field: "id")
        }
        try await store.audit.record(AuditEvent(actor: reader.username, action: "vision.event.read", entityType: "vision_event",
                                                entityId: id, regionKato: e.districtKato, personal: true))
        return e
    }

    /// The operator queue under the reader's scope (or one node within it), oldest first. Audited.
    public func queue(reader: Principal, region: String?, status: String?, limit: Int) async throws -> [StoredVisionEvent] {
        if let status, !["pending", "confirmed", "dismissed"].contains(status) {
            throw AqylError.invalid("status", "status must be pending, confirmed, dismissed or any")
        }
        let (node, rows) = try await store.queueRows(table: "vision_events", regionColumn: "district_kato", scope: reader.regionKato,
                                                     region: region, filters: [("status", status)], limit: limit)
        let events = try rows.map(Self.decode)
        try await store.audit.record(AuditEvent(actor: reader.username, action: "vision.event.list", entityType: "vision_event",
                                                entityId: "*", regionKato: node, personal: true, detail: "\(events.count) listed"))
        return events
    }

    /// The operator confirms or dismisses; a dismissal needs a reason. Audited through the advisory record.
    public func review(eventId: String, operator official: Principal, outcome: String, reason: String?) async throws -> StoredVisionEvent {
        try official.require(.operator, .officer, .admin)
        guard outcome == "confirm" || outcome == "dismiss" else {
            throw AqylError.invalid("outcome", "outcome must be confirm or dismiss")
        }
        guard let e = try await eventRow(id: eventId),
              try await store.directory().isWithin(e.districtKato, scope: official.regionKato) else {
            throw AqylError.notFound("event \(eventId)", field: "id")
        }
        let status = outcome == "confirm" ? "confirmed" : "dismissed"
        _ = try await store.decide(recommendationId: e.recommendationId, official: official, outcome: outcome, reason: reason) { sql, _, d in
            try await sql.raw("""
                UPDATE vision_events SET status = \(bind: status), reviewed_by = \(bind: official.username),
                    review_reason = \(bind: d.reason), reviewed_at = \(bind: Clock.millis(d.decidedAt))
                WHERE id = \(bind: eventId)
                """).run()
        }
        return try await event(id: eventId, reader: official)
    }
}
