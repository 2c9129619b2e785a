import AqylCore
import Foundation
import SQLKit

/// The append-only, hash-chained audit log in SQL.
enum AuditLog {
    /// Appends inside the caller's transaction, so the audited write and its entry land together.
    static func append(_ event: AuditEvent, on sql: any SQLDatabase, dialect: Dialect, at time: Date) async throws -> AuditEntry {
        let lock = dialect == .postgres ? " FOR UPDATE" : ""
        guard let head = try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1\(unsafeRaw: lock)").first() else {
            throw AqylError(.internalError, code: "audit_head_missing", "audit head row is missing; run aqyl migrate")
        }
        let prevSeq = try head.decode(column: "seq", as: Int64.self)
        let prevHash = try head.decode(column: "hash", as: String.self)
        let seq = prevSeq + 1
        let ms = Clock.millis(time)
        let hash = AuditChain.hash(seq: seq, atMillis: ms, actor: event.actor, action: event.action,
                                   entityType: event.entityType, entityId: event.entityId, regionKato: event.regionKato,
                                   personal: event.personal, detail: event.detail, prevHash: prevHash)
        try await sql.raw("""
            INSERT INTO audit_log (seq, at, actor, action, entity_type, entity_id, region_kato, personal, detail, prev_hash, hash)
            VALUES (\(bind: seq), \(bind: ms), \(bind: event.actor), \(bind: event.action), \(bind: event.entityType),
                    \(bind: event.entityId), \(bind: event.regionKato), \(bind: event.personal ? 1 : 0), \(bind: event.detail),
                    \(bind: prevHash), \(bind: hash))
            """).run()
        try await sql.raw("UPDATE audit_head SET seq = \(bind: seq), hash = \(bind: hash) WHERE id = 1").run()
        return AuditEntry(seq: seq, at: Clock.date(millis: ms), actor: event.actor, action: event.action,
                          entityType: event.entityType, entityId: event.entityId, regionKato: event.regionKato,
                          personal: event.personal, detail: event.detail, prevHash: prevHash, hash: hash)
    }

    static func decode(_ row: any SQLRow) throws -> AuditEntry {
        AuditEntry(
            seq: try row.decode(column: "seq", as: Int64.self),
            at: Clock.date(millis: try row.decode(column: "at", as: Int64.self)),
            actor: try row.decode(column: "actor", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            entityType: try row.decode(column: "entity_type", as: String.self),
            entityId: try row.decode(column: "entity_id", as: String.self),
            regionKato: try row.decode(column: "region_kato", as: String?.self),
            personal: try row.decode(column: "personal", as: Int.self) != 0,
            detail: try row.decode(column: "detail", as: String.self),
            prevHash: try row.decode(column: "prev_hash", as: String.self),
            hash: try row.decode(column: "hash", as: String.self))
    }
}

extension AqylStore {
    @discardableResult
    public func appendAudit(_ event: AuditEvent) async throws -> AuditEntry {
        try await transaction { tx in try await tx.append(event) }
    }

    public func auditEntries(after: Int64, in regions: RegionFilter, limit: Int) async throws -> [AuditEntry] {
        let rows = try await read { sql in
            var q = SQLQueryString("SELECT * FROM audit_log WHERE seq > ")
            q.appendInterpolation(bind: after)
            if regions != .all {
                // Entries without a region belong to the centre only.
                q.appendInterpolation(unsafeRaw: " AND region_kato IS NOT NULL")
                q.appendRegionFilter("region_kato", regions)
            }
            q.appendInterpolation(unsafeRaw: " ORDER BY seq LIMIT ")
            q.appendInterpolation(bind: limit)
            return try await sql.raw(q).all()
        }
        return try rows.map(AuditLog.decode)
    }

    /// Reads the whole log in order and checks every link of the chain and the head.
    public func verifyAudit() async throws -> AuditChain.Report {
        var all: [AuditEntry] = []
        var after: Int64 = 0
        while true {
            // Pages follow seq order; an out-of-order seq (a swapped entry) still appears in its sorted place.
            let page = try await auditEntries(after: after, in: .all, limit: 5000)
            all.append(contentsOf: page)
            guard let last = page.last, page.count == 5000 else { break }
            after = last.seq
        }
        let head = try await read { sql in try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() }
        return AuditChain.verify(all, headSeq: try head?.decode(column: "seq", as: Int64.self),
                                 headHash: try head?.decode(column: "hash", as: String.self))
    }
}
