import AqylCore
import AqylTestSupport
import Foundation
import Testing
@testable import Legal

/// An index of the hand-written test act with a test refusal model beside it (`INDEX.tuned.json`).
func consultationIndex() throws -> (Scratch, String) {
    let s = try Scratch(tinyActs(secondEdition: false))
    let path = s.path("legal.idx")
    _ = try LegalCommands.index(passages: nil, acts: s.path("acts"), out: path, dense: .none, embedder: nil)
    let tuned = LegalCommands.Tuned(retrieval: RetrievalConfig(),
                                    refusal: RefusalModel(weights: [6, 2, 0], bias: -3, threshold: 0.3, provenance: "test"),
                                    rerankWeight: nil)
    try JSONEncoder().encode(tuned).write(to: URL(fileURLWithPath: path + ".tuned.json"))
    return (s, path)
}

/// The consultation's rules on the in-memory store: answers with citations, refusals passed to a lawyer of the
/// region, ratings with the token, contested answers, the region-scoped queue and the rate limit.
@Suite("Legal consultation rules (in memory)")
struct ConsultationRuleTests {
    @Test func answersRefusesEscalatesAndRates() async throws {
        let (_, path) = try consultationIndex()
        let memory = InMemoryStore()
        let core = CoreServices(store: memory, bcryptCost: 4)
        try await core.seedReferenceData()
        let service = LegalConsultation(core: core, repository: InMemoryLegalRepository(memory),
                                        engine: try LegalConsultation.Engine.load(indexPath: path), perMinute: 4)
        let app = Principal(userId: "i", username: "integrator.bank", role: .integrator, regionKato: Region.centreCode)
        let esil = Principal(userId: "o", username: "officer.esil", role: .officer, regionKato: "711210000")
        let alatau = Principal(userId: "a", username: "officer.alatau", role: .officer, regionKato: "751210000")

        let answered = try await service.ask("Куда подается заявление о выдаче справки?", region: "711210000", asOf: nil, by: app)
        #expect(answered.answered && !answered.escalated)
        #expect(answered.citations.first?.article == "2")
        #expect(answered.modelVersion.hasPrefix("bm25-"))
        #expect(answered.token.hasPrefix("lq_"))

        let refused = try await service.ask("Как получить визу в Японию для поездки?", region: "711210000", asOf: nil, by: app)
        #expect(!refused.answered && refused.escalated)
        let recId = try #require(refused.recommendationId)
        let (rec, decision) = try await core.recommendation(id: recId, reader: esil)
        #expect(rec.domain == "legal" && rec.outcome == "refer_to_legal_aid" && rec.regionKato == "711210000" && decision == nil)
        #expect(rec.reasons.first?.label.isEmpty == false)

        // The lawyer's queue holds the refused question, in its region only; the read is audited.
        let queue = try await service.queue(reader: esil, region: nil, page: PageRequest())
        #expect(queue.items.map(\.id) == [refused.id])
        #expect(try await service.queue(reader: alatau, region: nil, page: PageRequest()).items.isEmpty)
        #expect(await memory.read { $0.audit.contains { $0.action == "legal.question.list" && $0.personal } })

        // Rating needs the question's token; contesting an answer opens a review for a lawyer.
        await #expect { try await service.rate(id: answered.id, token: refused.token, rating: 2, contested: true, by: app) }
            throws: { ($0 as? AqylError)?.kind == .notFound }
        await #expect { try await service.rate(id: answered.id, token: answered.token, rating: 9, contested: false, by: app) }
            throws: { ($0 as? AqylError)?.field == "rating" }
        let rated = try await service.rate(id: answered.id, token: answered.token, rating: 2, contested: true, by: app)
        #expect(rated.rating == 2 && rated.contested && rated.recommendationId != nil)
        #expect(try await service.queue(reader: esil, region: nil, page: PageRequest()).items.count == 2)

        // Bad input and the rate limit (4 a minute here).
        await #expect { try await service.ask("   ", region: nil, asOf: nil, by: app) } throws: { ($0 as? AqylError)?.field == "question" }
        await #expect { try await service.ask("Пошлина?", region: "999999999", asOf: nil, by: app) }
            throws: { ($0 as? AqylError)?.code == "unknown_region" }
        await #expect { try await service.ask("Пошлина?", region: nil, asOf: "2024-02-30", by: app) } throws: { ($0 as? AqylError)?.field == "as_of" }
        _ = try await service.ask("Какая пошлина за справку?", region: nil, asOf: nil, by: app)
        _ = try await service.ask("Какая пошлина за справку?", region: nil, asOf: nil, by: app)
        await #expect { try await service.ask("Какая пошлина за справку?", region: nil, asOf: nil, by: app) }
            throws: { ($0 as? AqylError)?.kind == .tooManyRequests }
    }

    @Test func withoutAnIndexTheServiceSaysSo() async throws {
        let memory = InMemoryStore()
        let core = CoreServices(store: memory, bcryptCost: 4)
        try await core.seedReferenceData()
        let service = LegalConsultation(core: core, repository: InMemoryLegalRepository(memory), engine: nil)
        let app = Principal(userId: "i", username: "app", role: .integrator, regionKato: Region.centreCode)
        await #expect { try await service.ask("Вопрос", region: nil, asOf: nil, by: app) }
            throws: { ($0 as? AqylError)?.code == "legal_index_not_configured" && ($0 as? AqylError)?.kind.status == 503 }
    }
}

/// The same over HTTP on SQLite and PostgreSQL: a citizen's app asks, a refused question reaches the Esil lawyer's
/// queue, the lawyer takes the case through the core's decision route.
@Suite("Legal consultation over HTTP, on SQLite and PostgreSQL")
struct ConsultationHTTPTests {
    @Test(arguments: ServerBackend.databases)
    func citizensAskLawyersTakeRefusedQuestions(_ backend: ServerBackend) async throws {
        let (_, path) = try consultationIndex()
        try await TestServer.run(backend, demo: [], config: ["AQYL_LEGAL_INDEX": path]) { server, client in
            // A citizens' app holds an API token (integrators do not sign in with a password).
            let user = try #require(try await server.core.user(username: "integrator.bank"))
            let app = try await server.core.issueToken(for: user, kind: "api", label: "test", lifetime: nil, actor: "test").token
            let ok = try await client.send(.post, "/v1/legal/questions", token: app,
                                           json: #"{"question": "Куда подается заявление о выдаче справки?", "region": "711210000"}"#)
            #expect(ok.status == .created, "\(ok.body)")
            #expect(ok.json["answered"] as? Bool == true)
            #expect((ok.json["citations"] as? [[String: Any]])?.first?["article"] as? String == "2")
            let no = try await client.send(.post, "/v1/legal/questions", token: app,
                                           json: #"{"question": "Как получить визу в Японию?", "region": "711210000"}"#)
            #expect(no.json["answered"] as? Bool == false && no.json["escalated"] as? Bool == true)
            let recId = try #require(no.json["recommendation_id"] as? String)

            #expect(try await client.send(.post, "/v1/legal/questions", token: app, json: #"{"question": "x", "name": "Айгуль"}"#).status == .badRequest)
            #expect(try await client.send(.post, "/v1/legal/questions", json: #"{"question": "x"}"#).status == .unauthorized)

            let esil = try await client.login("officer.esil")
            let queue = try await client.send(.get, "/v1/legal/questions", token: esil)
            #expect(queue.status == .ok)
            #expect(queue.list("questions").map { $0["id"] as? String } == [no.json["id"] as? String])
            #expect(queue.list("questions").first?["token"] == nil)
            let alatau = try await client.login("officer.alatau")
            #expect(try await client.send(.get, "/v1/legal/questions", token: alatau).list("questions").isEmpty)

            let take = try await client.send(.post, "/v1/recommendations/\(recId)/decision", token: esil,
                                             json: #"{"outcome": "refer_to_legal_aid"}"#)
            #expect(take.status == .created || take.status == .ok, "\(take.body)")

            let token = try #require(ok.json["token"] as? String)
            let id = try #require(ok.json["id"] as? String)
            let rate = try await client.send(.post, "/v1/legal/questions/\(id)/rating", token: app, json: #"{"token": "\#(token)", "rating": 5}"#)
            #expect(rate.status == .ok && rate.json["rating"] as? Int == 5 && rate.json["escalated"] as? Bool == false)
        }
    }
}
