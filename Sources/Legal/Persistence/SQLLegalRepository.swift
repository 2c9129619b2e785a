import AqylCore
import AqylStore
import Foundation
import SQLKit

/// The Legal domain's tables (versions 500–599).
public enum LegalMigrations {
    public static let versions = 500...599
    public static let all: [Migration] = [v500]

    static let v500 = Migration(version: 500, name: "legal: citizens' questions, ratings, escalations") { _ in
        [
            """
            CREATE TABLE legal_questions (
                id TEXT PRIMARY KEY, question TEXT NOT NULL, language TEXT NOT NULL, region_kato TEXT NOT NULL,
                answered BOOLEAN NOT NULL, confidence DOUBLE PRECISION NOT NULL, answer TEXT NOT NULL, model_version TEXT NOT NULL,
                recommendation_id TEXT REFERENCES recommendations (id), rating BIGINT, contested BOOLEAN NOT NULL,
                token_hash TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX legal_questions_escalated ON legal_questions (region_kato, created_at) WHERE recommendation_id IS NOT NULL",
        ]
    }
}

/// `LegalRepository` in the platform's SQL database.
public struct SQLLegalRepository: LegalRepository {
    let store: AqylStore

    public init(_ persistence: any PlatformPersistence) throws { store = try AqylStore.required(persistence) }

    static func decode(_ r: any SQLRow) throws -> StoredLegalQuestion {
        let answer = try JSONDecoder().decode(LegalAnswer.self, from: Data(try r.decode(column: "answer", as: String.self).utf8))
        return StoredLegalQuestion(
            id: try r.decode(column: "id", as: String.self), question: try r.decode(column: "question", as: String.self),
            language: try r.decode(column: "language", as: String.self), regionKato: try r.decode(column: "region_kato", as: String.self),
            answer: answer, modelVersion: try r.decode(column: "model_version", as: String.self),
            recommendationId: try r.decode(column: "recommendation_id", as: String?.self),
            createdAt: Clock.date(millis: try r.decode(column: "created_at", as: Int64.self)),
            tokenHash: try r.decode(column: "token_hash", as: String.self),
            rating: try r.decode(column: "rating", as: Int?.self), contested: try r.decode(column: "contested", as: Bool.self))
    }

    public func insert(_ q: StoredLegalQuestion, recommendation: Recommendation?, audit: AuditEvent) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let answer = String(decoding: try encoder.encode(q.answer), as: UTF8.self)
        try await store.transaction { tx in
            if let recommendation { try await tx.insertRecommendation(recommendation, audit: audit) } else { _ = try await tx.append(audit) }
            try await tx.sql.raw("""
                INSERT INTO legal_questions (id, question, language, region_kato, answered, confidence, answer, model_version,
                    recommendation_id, rating, contested, token_hash, created_at)
                VALUES (\(bind: q.id), \(bind: q.question), \(bind: q.language), \(bind: q.regionKato), \(bind: q.answered),
                        \(bind: q.confidence), \(bind: answer), \(bind: q.modelVersion), \(bind: q.recommendationId), \(bind: q.rating),
                        \(bind: q.contested), \(bind: q.tokenHash), \(bind: Clock.millis(q.createdAt)))
                """).run()
        }
    }

    public func question(id: String) async throws -> StoredLegalQuestion? {
        try await store.read { sql in
            try await sql.raw("SELECT * FROM legal_questions WHERE id = \(bind: id)").first()
        }.map(Self.decode)
    }

    public func rate(id: String, rating: Int, contested: Bool, recommendation: Recommendation?, audit: AuditEvent) async throws {
        try await store.transaction { tx in
            if let recommendation { try await tx.insertRecommendation(recommendation, audit: audit) } else { _ = try await tx.append(audit) }
            let updated = try await tx.sql.raw("""
                UPDATE legal_questions SET rating = \(bind: rating), contested = (contested OR \(bind: contested)),
                    recommendation_id = COALESCE(\(bind: recommendation?.id), recommendation_id)
                WHERE id = \(bind: id) RETURNING id
                """).all()
            guard !updated.isEmpty else { throw AqylError.notFound("question \(id)", field: "id") }
        }
    }

    public func escalated(in regions: RegionFilter, page: PageRequest) async throws -> Page<StoredLegalQuestion> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM legal_questions WHERE recommendation_id IS NOT NULL")
            q.appendRegionFilter("region_kato", regions)
            q.appendAfter(page.cursor, key: "created_at", id: "id")
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at, id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decode), limit: page.limit) { Cursor(key: Clock.millis($0.createdAt), id: $0.id) }
    }
}
