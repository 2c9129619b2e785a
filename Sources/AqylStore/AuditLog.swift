import AqylCore
import Foundation
import SQLKit

/// The append-only, hash-chained audit log.
public struct AuditLog: Sendable {
    let db: Database
    let clock: Clock

    /// Appends inside the caller's transaction, so the audited write and its entry land together.
    public static func append(_ event: AuditEvent, on sql: any SQLDatabase, dialect: Dialect, at time: Date) async throws -> AuditEntry {
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

    /// Appends in a transaction of its own (for reads, which change nothing else).
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditEntry {
        let dialect = db.dialect
        let time = clock.now()
        return try await db.transaction { sql in try await AuditLog.append(event, on: sql, dialect: dialect, at: time) }
    }

    /// Entries with `seq` greater than `after`, oldest first.
    public func entries(after: Int64 = 0, limit: Int = 100) async throws -> [AuditEntry] {
        let rows = try await db.withSQL { sql in
            try await sql.raw("""
                SELECT * FROM audit_log WHERE seq > \(bind: after) ORDER BY seq LIMIT \(bind: limit)
                """).all()
        }
        return try rows.map(Self.decode)
    }

    /// Reads the whole log in order and checks every link of the chain and the head.
    public func verify() async throws -> AuditChain.Report {
        var all: [AuditEntry] = []
        var after: Int64 = 0
        while true {
            let page = try await entries(after: after, limit: 5000)
            // Pages follow seq order; an out-of-order seq (a swapped entry) still appears in its sorted place.
            all.append(contentsOf: page)
            guard let last = page.last, page.count == 5000 else { break }
            after = last.seq
        }
        let head = try await db.withSQL { sql in try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() }
        return AuditChain.verify(all, headSeq: try head?.decode(column: "seq", as: Int64.self),
                                 headHash: try head?.decode(column: "hash", as: String.self))
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
