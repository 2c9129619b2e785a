import AqylCore
import AqylKit
import Foundation

/// A citizen's question as the consultation service keeps it: the question text and what the agent answered, nothing
/// about the person (no name, no IIN; the tracking token is stored only as its SHA-256).
public struct StoredLegalQuestion: Sendable, Equatable {
    public var id: String
    public var question: String
    public var language: String
    /// Where the citizen wants legal aid (a KATO node; the centre when not given).
    public var regionKato: String
    public var answered: Bool
    public var confidence: Double
    /// The agent's reply as returned (answer text, citations, refusal reason).
    public var answer: LegalAnswer
    public var modelVersion: String
    /// The recommendation for a legal-aid lawyer, when the question was refused or the answer contested.
    public var recommendationId: String?
    /// 1–5 from the citizen, when rated.
    public var rating: Int?
    public var contested: Bool
    public var createdAt: Date
    var tokenHash: String

    public init(id: String, question: String, language: String, regionKato: String, answer: LegalAnswer, modelVersion: String,
                recommendationId: String?, createdAt: Date, tokenHash: String, rating: Int? = nil, contested: Bool = false) {
        self.id = id
        self.question = question
        self.language = language
        self.regionKato = regionKato
        self.answered = answer.answered
        self.confidence = answer.confidence
        self.answer = answer
        self.modelVersion = modelVersion
        self.recommendationId = recommendationId
        self.rating = rating
        self.contested = contested
        self.createdAt = createdAt
        self.tokenHash = tokenHash
    }

    /// Whether `token` is this question's tracking token.
    public func matches(token: String) -> Bool { Hashing.sha256Hex(token) == tokenHash }
}

/// The consultation's data: questions, ratings, and the escalation to a legal-aid lawyer (a core recommendation).
/// `SQLLegalRepository` in the platform database, `InMemoryLegalRepository` for rule tests; each write lands with its
/// audit entry.
public protocol LegalRepository: Sendable {
    /// Stores a question, with its escalation recommendation when there is one.
    func insert(_ question: StoredLegalQuestion, recommendation: Recommendation?, audit: AuditEvent) async throws
    func question(id: String) async throws -> StoredLegalQuestion?
    /// Stores the citizen's rating (and the escalation opened by contesting the answer, when there is one).
    func rate(id: String, rating: Int, contested: Bool, recommendation: Recommendation?, audit: AuditEvent) async throws
    /// Escalated questions (with a recommendation) in `regions`, oldest first (created, id).
    func escalated(in regions: RegionFilter, page: PageRequest) async throws -> Page<StoredLegalQuestion>
}

public enum LegalRepositories {
    public static func make(for persistence: any PlatformPersistence) throws -> any LegalRepository {
        if let memory = persistence as? InMemoryStore { return InMemoryLegalRepository(memory) }
        return try SQLLegalRepository(persistence)
    }
}
