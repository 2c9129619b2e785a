import AqylCore
import AqylKit
import Foundation

/// The legal consultation service: citizens' questions answered from the law the index holds, with citations, or
/// refused and passed to a legal-aid lawyer of the citizen's region as a recommendation; the citizen's rating, and a
/// contested answer escalated the same way. Rules only: storage is the repository's, HTTP the routes'.
public final class LegalConsultation: Sendable {
    public static let domain = "legal"
    public static let modelName = "legal-consultation"
    public static let maxQuestionLength = 2000

    /// What answers: the loaded index and its tuned settings. nil when no index is configured (`aqyl.legal.index`).
    public struct Engine: Sendable {
        public let answerer: LegalAnswerer
        /// The index file's SHA-256 (first 12 hex digits) and the refusal threshold: what produced an answer.
        public let modelVersion: String

        public init(answerer: LegalAnswerer, modelVersion: String) {
            self.answerer = answerer
            self.modelVersion = modelVersion
        }

        /// Loads `INDEX` and `INDEX.tuned.json` (BM25 only: the server loads no E5 engine).
        public static func load(indexPath: String) throws -> Engine {
            let index = try LegalCommands.load(indexPath)
            let tuned = LegalCommands.tuned(for: indexPath)
            let answerer = LegalAnswerer(retriever: LegalRetriever(index: index, embedder: nil, config: tuned.retrieval), refusal: tuned.refusal)
            let digest = String(LegalCommands.sha256(file: indexPath).prefix(12))
            return Engine(answerer: answerer, modelVersion: "bm25-\(digest)-t\(String(format: "%.3f", tuned.refusal.threshold))")
        }
    }

    public let core: CoreServices
    public let repository: any LegalRepository
    public let engine: Engine?
    let limiter: RateLimiter

    public init(core: CoreServices, repository: any LegalRepository, engine: Engine?, perMinute: Int = 30) {
        self.core = core
        self.repository = repository
        self.engine = engine
        self.limiter = RateLimiter(perMinute: perMinute)
    }

    /// What the asker gets back: the agent's reply, the question's id and tracking token (shown once), and whether a
    /// lawyer was asked to follow up.
    public struct Reply: Sendable, Encodable {
        public var id: String
        public var token: String
        public var answered: Bool
        public var answer: String
        public var citations: [LegalCitation]
        public var confidence: Double
        public var language: String
        public var asOf: String?
        public var refusalReason: String?
        public var modelVersion: String
        public var escalated: Bool
        public var recommendationId: String?
    }

    /// Answers `question` (or refuses and escalates). Only the question text is stored; `region` is where legal aid
    /// would be offered (default: the asker's node).
    public func ask(_ question: String, region: String?, asOf: String?, by client: Principal) async throws -> Reply {
        try client.require(.integrator, .officer, .admin)
        guard let engine else {
            throw AqylError(.unavailable, code: "legal_index_not_configured",
                            "no legal index is loaded: build one with `aqyl legal index` and start the server with AQYL_LEGAL_INDEX")
        }
        try question.checkText("question", max: Self.maxQuestionLength)
        var date: LegalDate?
        if let asOf {
            guard let d = LegalDate(asOf) else { throw AqylError.refused("as_of", "'\(asOf)' is not a calendar date (YYYY-MM-DD)") }
            date = d
        }
        let node = region ?? client.regionKato
        try Region.validateCode(node, field: "region")
        guard try await core.directory().region(node) != nil else {
            throw AqylError.refused("region", "unknown region \(node)", code: "unknown_region")
        }
        guard limiter.admit(client.username, now: core.clock.now()) else {
            throw AqylError(.tooManyRequests, code: "rate_limited", "more than \(limiter.perMinute) questions a minute from this client; try again shortly")
        }
        let text = question.trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = try engine.answerer.ask(text, asOf: date)
        let id = UUID().uuidString.lowercased()
        let token = "lq_" + Hex.encode((0..<20).map { _ in UInt8.random(in: 0...255) })
        let now = core.clock.now()
        var rec: Recommendation?
        if !answer.answered {
            rec = try await escalation(id: id, question: text, region: node, outcome: "refer_to_legal_aid", score: 1 - answer.confidence,
                                       reason: answer.refusalReason ?? "the law in the index does not answer the question",
                                       modelVersion: engine.modelVersion)
        }
        let stored = StoredLegalQuestion(id: id, question: text, language: answer.language, regionKato: node, answer: answer,
                                         modelVersion: engine.modelVersion, recommendationId: rec?.id, createdAt: now,
                                         tokenHash: Hashing.sha256Hex(token))
        let audit = rec.map { AuditEvent.recommendationCreated($0, actor: client.username) }
            ?? AuditEvent(actor: client.username, action: "legal.question.answer", entityType: "legal_question", entityId: id,
                          regionKato: node, detail: "answered, confidence \(String(format: "%.3f", answer.confidence))")
        try await repository.insert(stored, recommendation: rec, audit: audit)
        return Reply(id: id, token: token, answered: answer.answered, answer: answer.answer, citations: answer.citations,
                     confidence: answer.confidence, language: answer.language, asOf: answer.asOf, refusalReason: answer.refusalReason,
                     modelVersion: engine.modelVersion, escalated: rec != nil, recommendationId: rec?.id)
    }

    /// The citizen rates an answer (1–5) with the question's token; `contested` asks a lawyer to review it (a
    /// recommendation, unless one is open already).
    public func rate(id: String, token: String, rating: Int, contested: Bool, by client: Principal) async throws -> StoredLegalQuestion {
        try client.require(.integrator, .officer, .admin)
        guard (1...5).contains(rating) else { throw AqylError.invalid("rating", "rating is 1 to 5") }
        guard let q = try await repository.question(id: id), q.matches(token: token) else {
            throw AqylError.notFound("question \(id) with this token", field: "token")
        }
        var rec: Recommendation?
        if contested && q.recommendationId == nil {
            rec = try await escalation(id: id, question: q.question, region: q.regionKato, outcome: "review_answer", score: q.confidence,
                                       reason: "the citizen contests the answer (rating \(rating))", modelVersion: q.modelVersion)
        }
        let audit = rec.map { AuditEvent.recommendationCreated($0, actor: client.username) }
            ?? AuditEvent(actor: client.username, action: "legal.question.rate", entityType: "legal_question", entityId: id,
                          regionKato: q.regionKato, detail: "rating \(rating)\(contested ? ", contested" : "")")
        try await repository.rate(id: id, rating: rating, contested: contested, recommendation: rec, audit: audit)
        return try await repository.question(id: id) ?? q
    }

    /// The legal-aid queue: escalated questions in the reader's node (or `region` below it), oldest first. The
    /// question texts are citizens' words: the read is audited.
    public func queue(reader: Principal, region: String?, page: PageRequest) async throws -> Page<StoredLegalQuestion> {
        try reader.require(.officer, .analyst, .admin, .auditor)
        let (node, filter, _) = try await core.scope(of: reader, region: region)
        let result = try await repository.escalated(in: filter, page: page)
        try await core.recordRead(AuditEvent(actor: reader.username, action: "legal.question.list", entityType: "legal_question",
                                             entityId: "*", regionKato: node, personal: true, detail: "\(result.items.count) listed"))
        return result
    }

    private func escalation(id: String, question: String, region: String, outcome: String, score: Double, reason: String,
                            modelVersion: String) async throws -> Recommendation {
        let rec = Recommendation(subject: "legal_question:\(id)", domain: Self.domain, modelName: Self.modelName, modelVersion: modelVersion,
                                 score: min(1, max(0, score)), outcome: outcome,
                                 reasons: [Reason(feature: outcome, label: reason, contribution: min(1, max(0, score)))],
                                 inputDigest: Hashing.sha256Hex(question), regionKato: region, createdAt: core.clock.now())
        try await core.validateNew(rec)
        return rec
    }
}

/// At most `perMinute` requests per client in any sliding minute (per server process).
final class RateLimiter: Sendable {
    let perMinute: Int
    private let recent = LockedValue<[String: [Date]]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    func admit(_ client: String, now: Date) -> Bool {
        recent.withLock { all in
            var times = (all[client] ?? []).filter { now.timeIntervalSince($0) < 60 }
            guard times.count < perMinute else { all[client] = times; return false }
            times.append(now)
            all[client] = times
            return true
        }
    }
}
