import AqylCore
import Foundation

/// `LegalRepository` in memory, inside the core's `InMemoryStore` transactions. For rule tests.
public struct InMemoryLegalRepository: LegalRepository {
    static let key = "legal"
    let memory: InMemoryStore

    public init(_ memory: InMemoryStore) { self.memory = memory }

    private func questions() async -> [String: StoredLegalQuestion] {
        await memory.read { $0[table: Self.key, default: [String: StoredLegalQuestion]()] }
    }

    public func insert(_ question: StoredLegalQuestion, recommendation: Recommendation?, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            if let recommendation { try s.insertRecommendation(recommendation, audit: audit) } else { s.append(audit) }
            s[table: Self.key, default: [String: StoredLegalQuestion]()][question.id] = question
        }
    }

    public func question(id: String) async throws -> StoredLegalQuestion? { await questions()[id] }

    public func rate(id: String, rating: Int, contested: Bool, recommendation: Recommendation?, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            guard var q = s[table: Self.key, default: [String: StoredLegalQuestion]()][id] else { throw AqylError.notFound("question \(id)", field: "id") }
            if let recommendation { try s.insertRecommendation(recommendation, audit: audit) } else { s.append(audit) }
            q.rating = rating
            q.contested = q.contested || contested
            if let recommendation { q.recommendationId = recommendation.id }
            s[table: Self.key, default: [String: StoredLegalQuestion]()][id] = q
        }
    }

    public func escalated(in regions: RegionFilter, page: PageRequest) async throws -> Page<StoredLegalQuestion> {
        let rows = await questions().values
            .filter { $0.recommendationId != nil && regions.contains($0.regionKato) }
        return Page(keyset: rows, page: page, key: { Clock.millis($0.createdAt) }, id: \.id)
    }
}
