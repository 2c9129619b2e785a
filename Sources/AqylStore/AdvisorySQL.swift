import AqylCore
import Foundation
import SQLKit

/// The advisory record in SQL: recommendations, the decisions officials take on them, agreement statistics.
extension StoreTransaction {
    /// Stores a recommendation and its audit entry in this transaction.
    public func insertRecommendation(_ rec: Recommendation, audit: AuditEvent) async throws {
        let reasons = String(decoding: try JSONEncoder().encode(rec.reasons), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO recommendations (id, subject, domain, model_name, model_version, score, outcome, reasons,
                input_digest, region_kato, created_at, status, subject_pseudonym)
            VALUES (\(bind: rec.id), \(bind: rec.subject), \(bind: rec.domain), \(bind: rec.modelName),
                    \(bind: rec.modelVersion), \(bind: rec.score), \(bind: rec.outcome), \(bind: reasons),
                    \(bind: rec.inputDigest), \(bind: rec.regionKato), \(bind: Clock.millis(rec.createdAt)),
                    \(bind: rec.status.rawValue), \(bind: rec.subjectPseudonym))
            """).run()
        try await append(audit)
    }

    /// Claims the recommendation (of two concurrent decisions only one finds it pending: 409 for the other, on
    /// SQLite and PostgreSQL alike) and stores the decision with its audit entry, in this transaction.
    public func recordDecision(_ decision: Decision, on rec: Recommendation, audit: AuditEvent) async throws {
        let claimed = try await sql.raw("""
            UPDATE recommendations SET status = 'decided' WHERE id = \(bind: rec.id) AND status = 'pending' RETURNING id
            """).all()
        guard !claimed.isEmpty else {
            throw AqylError(.conflict, code: "already_decided", "this recommendation has already been decided")
        }
        try await sql.raw("""
            INSERT INTO decisions (id, recommendation_id, official_id, official_name, outcome, reason, agrees, decided_at)
            VALUES (\(bind: decision.id), \(bind: decision.recommendationId), \(bind: decision.officialId),
                    \(bind: decision.officialName), \(bind: decision.outcome), \(bind: decision.reason),
                    \(bind: decision.agrees ? 1 : 0), \(bind: Clock.millis(decision.decidedAt)))
            """).run()
        try await append(audit)
    }
}

extension AqylStore {
    public func insertRecommendation(_ recommendation: Recommendation, audit: AuditEvent) async throws {
        try await transaction { tx in try await tx.insertRecommendation(recommendation, audit: audit) }
    }

    public func recordDecision(_ decision: Decision, on recommendation: Recommendation, audit: AuditEvent) async throws {
        try await transaction { tx in try await tx.recordDecision(decision, on: recommendation, audit: audit) }
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

    public func recommendation(id: String) async throws -> (Recommendation, Decision?)? {
        try await read { sql -> (Recommendation, Decision?)? in
            guard let row = try await sql.raw("SELECT * FROM recommendations WHERE id = \(bind: id)").first() else { return nil }
            let rec = try Self.decodeRecommendation(row)
            let dec = try await sql.raw("SELECT * FROM decisions WHERE recommendation_id = \(bind: id)").first().map(Self.decodeDecision)
            return (rec, dec)
        }
    }

    public func recommendations(_ filter: RecommendationFilter, page: PageRequest) async throws -> Page<Recommendation> {
        let rows = try await read { sql in
            var q = SQLQueryString("SELECT * FROM recommendations WHERE 1 = 1")
            q.appendRegionFilter("region_kato", filter.regions)
            q.appendEquals("status", filter.status?.rawValue)
            q.appendEquals("domain", filter.domain)
            q.appendAfter(page.cursor, key: "created_at", id: "id")
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at, id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decodeRecommendation), limit: page.limit) {
            Cursor(key: Clock.millis($0.createdAt), id: $0.id)
        }
    }

    public func advisoryStatistics(in regions: RegionFilter, domain: String?) async throws -> [AdvisoryStatistics] {
        let rows = try await read { sql in
            var q = SQLQueryString("""
                SELECT r.domain, r.model_name, r.model_version, COUNT(*) AS total,
                    SUM(CASE WHEN d.agrees IS NULL THEN 1 ELSE 0 END) AS pending,
                    SUM(CASE WHEN d.agrees = 1 THEN 1 ELSE 0 END) AS agreed,
                    SUM(CASE WHEN d.agrees = 0 THEN 1 ELSE 0 END) AS overridden
                FROM recommendations r LEFT JOIN decisions d ON d.recommendation_id = r.id WHERE 1 = 1
                """)
            q.appendRegionFilter("r.region_kato", regions)
            q.appendEquals("r.domain", domain)
            q.appendInterpolation(unsafeRaw: " GROUP BY r.domain, r.model_name, r.model_version ORDER BY r.domain, r.model_name, r.model_version")
            return try await sql.raw(q).all()
        }
        return try rows.map { row in
            AdvisoryStatistics(domain: try row.decode(column: "domain", as: String.self),
                               modelName: try row.decode(column: "model_name", as: String.self),
                               modelVersion: try row.decode(column: "model_version", as: String.self),
                               total: try row.decode(column: "total", as: Int.self),
                               pending: try row.decode(column: "pending", as: Int.self),
                               agreed: try row.decode(column: "agreed", as: Int.self),
                               overridden: try row.decode(column: "overridden", as: Int.self))
        }
    }
}
