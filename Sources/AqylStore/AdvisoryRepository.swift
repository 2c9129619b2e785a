import AqylCore
import Foundation
import SQLKit

/// The advisory record: recommendations, the decisions officials take on them, and agreement statistics.
extension AqylStore {
    /// Stores a recommendation (audited). `within` runs in the same transaction, for the domain's own rows.
    public func createRecommendation(_ rec: Recommendation, actor: String,
                                     within: (@Sendable (any SQLDatabase) async throws -> Void)? = nil) async throws -> Recommendation {
        try rec.validate()
        guard try await directory().region(rec.regionKato) != nil else {
            throw AqylError.invalid("region", "unknown region \(rec.regionKato)", code: "unknown_region")
        }
        let reasons = String(decoding: try JSONEncoder().encode(rec.reasons), as: UTF8.self)
        let dialect = db.dialect
        let time = clock.now()
        try await db.transaction { sql in
            try await sql.raw("""
                INSERT INTO recommendations (id, subject, domain, model_name, model_version, score, outcome, reasons,
                    input_digest, region_kato, created_at, status, subject_pseudonym)
                VALUES (\(bind: rec.id), \(bind: rec.subject), \(bind: rec.domain), \(bind: rec.modelName),
                        \(bind: rec.modelVersion), \(bind: rec.score), \(bind: rec.outcome), \(bind: reasons),
                        \(bind: rec.inputDigest), \(bind: rec.regionKato), \(bind: Clock.millis(rec.createdAt)),
                        \(bind: rec.status.rawValue), \(bind: rec.subjectPseudonym))
                """).run()
            if let within { try await within(sql) }
            _ = try await AuditLog.append(
                AuditEvent(actor: actor, action: "recommendation.create", entityType: "recommendation", entityId: rec.id,
                           regionKato: rec.regionKato,
                           detail: "\(rec.domain) \(rec.modelName)@\(rec.modelVersion) → \(rec.outcome) (\(String(format: "%.3f", rec.score)))"),
                on: sql, dialect: dialect, at: time)
        }
        return rec
    }

    static func decodeRecommendation(_ row: any SQLRow) throws -> Recommendation {
        let reasonsJSON = try row.decode(column: "reasons", as: String.self)
        let reasons = (try? JSONDecoder().decode([Reason].self, from: Data(reasonsJSON.utf8))) ?? []
        return Recommendation(
            id: try row.decode(column: "id", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            domain: try row.decode(column: "domain", as: String.self),
            modelName: try row.decode(column: "model_name", as: String.self),
            modelVersion: try row.decode(column: "model_version", as: String.self),
            score: try row.decode(column: "score", as: Double.self),
            outcome: try row.decode(column: "outcome", as: String.self),
            reasons: reasons,
            inputDigest: try row.decode(column: "input_digest", as: String.self),
            regionKato: try row.decode(column: "region_kato", as: String.self),
            createdAt: Clock.date(millis: try row.decode(column: "created_at", as: Int64.self)),
            status: Recommendation.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            subjectPseudonym: try row.decode(column: "subject_pseudonym", as: String?.self))
    }

    static func decodeDecision(_ row: any SQLRow) throws -> Decision {
        Decision(id: try row.decode(column: "id", as: String.self),
                 recommendationId: try row.decode(column: "recommendation_id", as: String.self),
                 officialId: try row.decode(column: "official_id", as: String.self),
                 officialName: try row.decode(column: "official_name", as: String.self),
                 outcome: try row.decode(column: "outcome", as: String.self),
                 reason: try row.decode(column: "reason", as: String?.self),
                 agrees: try row.decode(column: "agrees", as: Int.self) != 0,
                 decidedAt: Clock.date(millis: try row.decode(column: "decided_at", as: Int64.self)))
    }

    /// Reads one recommendation as `reader`, enforcing region scope and auditing the read.
    public func recommendation(id: String, reader: Principal) async throws -> (Recommendation, Decision?) {
        let found = try await db.withSQL { sql -> (Recommendation, Decision?)? in
            guard let row = try await sql.raw("SELECT * FROM recommendations WHERE id = \(bind: id)").first() else { return nil }
            let rec = try Self.decodeRecommendation(row)
            let dec = try await sql.raw("SELECT * FROM decisions WHERE recommendation_id = \(bind: id)").first().map(Self.decodeDecision)
            return (rec, dec)
        }
        guard let found else { throw AqylError.notFound("recommendation \(id)", field: "id") }
        // Out-of-scope reads are answered as not found, so ids in other districts cannot be probed.
        guard try await directory().isWithin(found.0.regionKato, scope: reader.regionKato) else {
            throw AqylError.notFound("recommendation \(id)", field: "id")
        }
        try await audit.record(AuditEvent(actor: reader.username, action: "recommendation.read", entityType: "recommendation",
                                          entityId: id, regionKato: found.0.regionKato, personal: true))
        return found
    }

    /// The queue under `scope` (optionally narrowed to one node below it), oldest first.
    public func queue(scope: String, region: String?, status: Recommendation.Status?, domain: String?,
                      limit: Int, reader: Principal) async throws -> [Recommendation] {
        let (node, rows) = try await queueRows(table: "recommendations", regionColumn: "region_kato", scope: scope, region: region,
                                               filters: [("status", status?.rawValue), ("domain", domain)], limit: limit)
        let statusText = status?.rawValue
        let recs = try rows.map(Self.decodeRecommendation)
        try await audit.record(AuditEvent(actor: reader.username, action: "recommendation.list", entityType: "recommendation",
                                          entityId: "*", regionKato: node, personal: true,
                                          detail: "\(recs.count) listed, status \(statusText ?? "any")"))
        return recs
    }

    /// Records a decision by `official`, who must be an officer (or admin) with the recommendation in scope.
    /// `within` runs in the same transaction after the decision is made and before it is written: a domain checks
    /// its own rules there (throwing rolls everything back) and updates its own tables.
    public func decide(recommendationId: String, official: Principal, outcome: String, reason: String?,
                       within: (@Sendable (any SQLDatabase, Recommendation, Decision) async throws -> Void)? = nil) async throws -> Decision {
        let dir = try await directory()
        let dialect = db.dialect
        let time = clock.now()
        return try await db.transaction { sql in
            guard let row = try await sql.raw("SELECT * FROM recommendations WHERE id = \(bind: recommendationId)").first() else {
                throw AqylError.notFound("recommendation \(recommendationId)", field: "id")
            }
            let rec = try Self.decodeRecommendation(row)
            guard dir.isWithin(rec.regionKato, scope: official.regionKato) else {
                throw AqylError.notFound("recommendation \(recommendationId)", field: "id")
            }
            let decision = try Decision.make(on: rec, by: official, outcome: outcome, reason: reason, at: time)
            // Claim the recommendation: of two concurrent decisions only one finds it pending (409 for the other,
            // on SQLite and PostgreSQL alike, instead of a unique-key failure).
            let claimed = try await sql.raw("""
                UPDATE recommendations SET status = 'decided' WHERE id = \(bind: rec.id) AND status = 'pending' RETURNING id
                """).all()
            guard !claimed.isEmpty else {
                throw AqylError(.conflict, code: "already_decided", "this recommendation has already been decided")
            }
            if let within { try await within(sql, rec, decision) }
            try await sql.raw("""
                INSERT INTO decisions (id, recommendation_id, official_id, official_name, outcome, reason, agrees, decided_at)
                VALUES (\(bind: decision.id), \(bind: decision.recommendationId), \(bind: decision.officialId),
                        \(bind: decision.officialName), \(bind: decision.outcome), \(bind: decision.reason),
                        \(bind: decision.agrees ? 1 : 0), \(bind: Clock.millis(decision.decidedAt)))
                """).run()
            _ = try await AuditLog.append(
                AuditEvent(actor: official.username, action: "decision.create", entityType: "recommendation", entityId: rec.id,
                           regionKato: rec.regionKato,
                           detail: "\(decision.outcome) (\(decision.agrees ? "agrees" : "overrides") \(rec.modelName)@\(rec.modelVersion))"),
                on: sql, dialect: dialect, at: time)
            return decision
        }
    }

    /// Agreement and override counts per domain, model and version, over recommendations within `scope`.
    public func advisoryStatistics(scope: String, domain: String? = nil) async throws -> [AdvisoryStatistics] {
        let dir = try await directory()
        let inScope = Set(dir.subtree(of: scope))
        let rows = try await db.withSQL { sql in
            try await sql.raw("""
                SELECT r.domain, r.model_name, r.model_version, r.region_kato, r.status, d.agrees
                FROM recommendations r LEFT JOIN decisions d ON d.recommendation_id = r.id
                """).all()
        }
        struct Key: Hashable { var d, m, v: String }
        var acc: [Key: (total: Int, pending: Int, agreed: Int, overridden: Int)] = [:]
        for row in rows {
            guard inScope.contains(try row.decode(column: "region_kato", as: String.self)) else { continue }
            let k = Key(d: try row.decode(column: "domain", as: String.self),
                        m: try row.decode(column: "model_name", as: String.self),
                        v: try row.decode(column: "model_version", as: String.self))
            if let domain, k.d != domain { continue }
            var a = acc[k] ?? (0, 0, 0, 0)
            a.total += 1
            if let agrees = try row.decode(column: "agrees", as: Int?.self) {
                if agrees != 0 { a.agreed += 1 } else { a.overridden += 1 }
            } else {
                a.pending += 1
            }
            acc[k] = a
        }
        return acc.map { k, a in
            AdvisoryStatistics(domain: k.d, modelName: k.m, modelVersion: k.v, total: a.total, pending: a.pending,
                               agreed: a.agreed, overridden: a.overridden)
        }.sorted { ($0.domain, $0.modelName, $0.modelVersion) < ($1.domain, $1.modelName, $1.modelVersion) }
    }

    /// Rows of a region-scoped queue table: `regionColumn` within the subtree of `region` (default: the caller's
    /// `scope`, which must contain it), with equality filters (nil values are skipped), oldest first.
    /// `table` and column names come from code, never from a request.
    public func queueRows(table: String, regionColumn: String, scope: String, region: String?,
                          filters: [(column: String, value: String?)], limit: Int) async throws -> (node: String, rows: [any SQLRow]) {
        let dir = try await directory()
        let node = region ?? scope
        guard dir.region(node) != nil else { throw AqylError.invalid("region", "unknown region \(node)", code: "unknown_region") }
        guard dir.isWithin(node, scope: scope) else { throw AqylError.forbidden("region \(node) is outside your scope (\(scope))") }
        let nodes = dir.subtree(of: node)
        let rows = try await db.withSQL { sql in
            var q = SQLQueryString("SELECT * FROM \(unsafeRaw: table) WHERE \(unsafeRaw: regionColumn) IN (")
            for (i, n) in nodes.enumerated() { q.appendInterpolation(unsafeRaw: i == 0 ? "" : ", "); q.appendInterpolation(bind: n) }
            q.appendInterpolation(unsafeRaw: ")")
            for (column, value) in filters {
                guard let value else { continue }
                q.appendInterpolation(unsafeRaw: " AND \(column) = ")
                q.appendInterpolation(bind: value)
            }
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at, id LIMIT ")
            q.appendInterpolation(bind: limit)
            return try await sql.raw(q).all()
        }
        return (node, rows)
    }
}
