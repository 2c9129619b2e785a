import AqylCore
import Foundation

/// The legal consultation over HTTP: citizens' apps ask and rate (integrator tokens), legal-aid lawyers read the
/// escalated questions of their region; they take a case through the core's decision route.
struct LegalRoutes {
    let service: LegalConsultation

    var all: [APIRoute] {
        [
            APIRoute(.post, "/v1/legal/questions", ask),
            APIRoute(.get, "/v1/legal/questions", queue),
            APIRoute(.post, "/v1/legal/questions/{id}/rating", rate),
        ]
    }

    struct AskInput: APIInput {
        var question: String
        var region: String?
        var asOf: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case question, region, asOf = "as_of" }
    }

    @Sendable func ask(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.integrator, .officer, .admin)
        let input = try r.decode(AskInput.self)
        return try .json(try await service.ask(input.question, region: input.region, asOf: input.asOf, by: p), status: 201)
    }

    struct RateInput: APIInput {
        var token: String
        var rating: Int
        var contested: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case token, rating, contested }
    }

    @Sendable func rate(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.integrator, .officer, .admin)
        let input = try r.decode(RateInput.self)
        let q = try await service.rate(id: try r.parameter("id"), token: input.token, rating: input.rating,
                                       contested: input.contested ?? false, by: p)
        struct Out: Encodable { var id: String; var rating: Int?; var contested: Bool; var escalated: Bool; var recommendationId: String? }
        return try .json(Out(id: q.id, rating: q.rating, contested: q.contested, escalated: q.recommendationId != nil,
                             recommendationId: q.recommendationId))
    }

    /// A question as the legal-aid lawyer sees it (never the token).
    struct QuestionView: Encodable {
        var id: String
        var question: String
        var language: String
        var regionKato: String
        var answered: Bool
        var confidence: Double
        var refusalReason: String?
        var citations: [LegalCitation]
        var modelVersion: String
        var recommendationId: String?
        var rating: Int?
        var contested: Bool
        var createdAt: Date

        init(_ q: StoredLegalQuestion) {
            id = q.id; question = q.question; language = q.language; regionKato = q.regionKato; answered = q.answered
            confidence = q.confidence; refusalReason = q.answer.refusalReason; citations = q.answer.citations
            modelVersion = q.modelVersion; recommendationId = q.recommendationId; rating = q.rating; contested = q.contested
            createdAt = q.createdAt
        }
    }

    @Sendable func queue(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .analyst, .admin, .auditor)
        try r.allowOnlyQuery(["region", "limit", "cursor"])
        let page = try await service.queue(reader: p, region: try r.queryRegion(), page: try r.pageRequest())
        struct Out: Encodable { var questions: [QuestionView]; var nextCursor: String? }
        return try .json(Out(questions: page.items.map(QuestionView.init), nextCursor: page.next?.description))
    }
}
