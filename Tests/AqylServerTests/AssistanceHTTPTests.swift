import AqylCore
import AqylServer
import AqylStore
import AqylTestSupport
import AqylDemo
import Assistance
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("ASP officer workflow over HTTP, on SQLite and PostgreSQL")
struct AssistanceHTTPTests {
    /// A family of four in Esil (Astana): 70,000 tenge a month in 2026Q3 → 17,500 per person, below the line
    /// 0.70 × 65,950 = 46,165 (Astana's built-in figure).
    static let poorFamily = """
        {"applied_on": "2026-11-20", "household": {"id": "FAM-1", "district_kato": "711210000",
          "members": [{"iin": "850315400124", "relation": "head", "employment": "unemployed", "education": "secondary"},
                      {"age": 38, "sex": "male", "relation": "spouse", "employment": "employed"},
                      {"age": 4, "sex": "female", "relation": "child"}, {"age": 9, "sex": "male", "relation": "child"}],
          "incomes": [{"month": "2026-07", "source": "wages", "amount": 70000}, {"month": "2026-08", "source": "wages", "amount": 70000},
                      {"month": "2026-09", "source": "wages", "amount": 70000}],
          "assets": {"vehicles": 0}, "housing": {"tenure": "rent", "rooms": 1, "piped_water": true, "central_heating": true}}}
        """

    @Test(arguments: ServerBackend.databases)
    func submitQueueDecideAndSummarise(_ backend: ServerBackend) async throws {
        try await TestServer.run(backend, demo: ["assistance", "appeals"]) { server, client in
            let esil = try await client.login("officer.esil")
            let saryarka = try await client.login("officer.saryarka")
            let created = try await client.send(.post, "/v1/assistance/applications", token: esil, json: Self.poorFamily)
            #expect(created.status == .created, "\(created.body)")
            let app = created.json
            let id = try #require(app["id"] as? String)
            let rule = try #require(app["rule"] as? [String: Any])
            #expect(rule["eligible"] as? Bool == true)
            #expect(abs((rule["income_per_person"] as? Double ?? 0) - 17_500) < 1e-6)
            #expect(abs((rule["poverty_line"] as? Double ?? 0) - 46_165) < 1e-6)
            // (46,165 − 17,500) × 4 + 1 child aged 1–6 × 6,487.5 = 121,147.5
            #expect(abs((rule["monthly_benefit"] as? Double ?? 0) - 121_147.5) < 1e-6)
            let model = try #require(app["model"] as? [String: Any])
            #expect((model["version"] as? String)?.hasPrefix("1.0-") == true)
            let p = try #require(model["probability"] as? Double)
            #expect((0...1).contains(p))
            let reasons = try #require(model["reasons"] as? [[String: Any]])
            #expect(reasons.count == 5)
            #expect(reasons.allSatisfy { ($0["label_kk"] as? String)?.isEmpty == false && ($0["label_ru"] as? String)?.isEmpty == false })
            // The IIN is masked in the officer's view; age and sex came from it.
            let members = try #require(app["members"] as? [[String: Any]])
            #expect((members[0]["iin"] as? String)?.contains("850315") == false)
            #expect(members[0]["age"] as? Int == 41 && members[0]["sex"] as? String == "female")

            // The district queue: Esil sees it, Saryarka does not (and cannot read it by id).
            let queue = try await client.send(.get, "/v1/assistance/applications", token: esil)
            #expect(queue.list("applications").contains { $0["id"] as? String == id })
            let other = try await client.send(.get, "/v1/assistance/applications", token: saryarka)
            #expect(!other.list("applications").contains { $0["id"] as? String == id })
            #expect(try await client.send(.get, "/v1/assistance/applications/\(id)", token: saryarka).status == .notFound)
            #expect(try await client.send(.get, "/v1/assistance/applications?region=711210000", token: saryarka).status == .forbidden)
            #expect(try await client.send(.post, "/v1/assistance/applications/\(id)/decision", token: saryarka,
                                          json: #"{"outcome":"approve","reason":"x"}"#).status == .notFound)
            // The core decision route refuses assistance recommendations (they need the domain's checks).
            let recId = try #require(app["recommendation_id"] as? String)
            let core = try await client.send(.post, "/v1/recommendations/\(recId)/decision", token: esil, json: #"{"outcome":"reject","reason":"r"}"#)
            #expect(core.status == .conflict && core.errorCode == "domain_decision")

            // Rejecting goes against the rule: a reason is required.
            let noReason = try await client.send(.post, "/v1/assistance/applications/\(id)/decision", token: esil, json: #"{"outcome":"reject"}"#)
            #expect(noReason.status == .unprocessableContent && noReason.errorCode == "reason_required" && noReason.errorField == "reason")
            let badOutcome = try await client.send(.post, "/v1/assistance/applications/\(id)/decision", token: esil, json: #"{"outcome":"maybe"}"#)
            #expect(badOutcome.errorField == "outcome")
            let decided = try await client.send(.post, "/v1/assistance/applications/\(id)/decision", token: esil,
                                                json: #"{"outcome":"reject","reason":"Undeclared rental income found on the home visit"}"#)
            #expect(decided.status == .created, "\(decided.body)")
            #expect(decided.json["status"] as? String == "rejected")
            let again = try await client.send(.post, "/v1/assistance/applications/\(id)/decision", token: esil,
                                              json: #"{"outcome":"approve","reason":"changed my mind"}"#)
            #expect(again.status == .conflict)

            // The applicant's summary, in Kazakh and Russian.
            let kk = try await client.send(.get, "/v1/assistance/applications/\(id)/summary?lang=kk", token: esil)
            #expect(kk.status == .ok)
            #expect(kk.json["decision"] as? String == "reject")
            #expect((kk.json["text"] as? String)?.contains("17500") == true)
            #expect((kk.json["appeal"] as? String)?.contains(id) == true)
            #expect((kk.json["arithmetic"] as? [String])?.contains { $0.contains("70000") || $0.contains("210000.00") } == true)
            let ru = try await client.send(.get, "/v1/assistance/applications/\(id)/summary?lang=ru", token: esil)
            #expect((ru.json["text"] as? String)?.contains("Черта бедности") == true)
            #expect(try await client.send(.get, "/v1/assistance/applications/\(id)/summary?lang=de", token: esil).errorField == "lang")

            // Pilot statistics count the override of the rule.
            let analyst = try await client.login("analyst")
            let pilot = try await client.send(.get, "/v1/assistance/pilot-statistics?region=711210000", token: analyst)
            #expect(pilot.status == .ok)
            let rows = pilot.list("rows")
            let total = rows.reduce(0) { $0 + ($1["overrode_rule"] as? Int ?? 0) }
            #expect(total >= 1)
            #expect(rows.allSatisfy { $0["district_kato"] as? String == "711210000" && ($0["month"] as? String)?.count == 7 })

            // Every read of the application is in the audit log.
            let auditor = try await client.login("auditor")
            let audit = try await client.send(.get, "/v1/audit?limit=200", token: auditor)
            let actions = audit.list("entries").compactMap { $0["action"] as? String }
            #expect(actions.contains("assistance.application.summary"))
            #expect(actions.contains("decision.create"))
        }
    }

    @Test func badApplicationsNameTheField() async throws {
        try await TestServer.run(.sqlite, demo: ["assistance", "appeals"]) { server, client in
            let esil = try await client.login("officer.esil")
            func post(_ body: String) async throws -> Reply {
                try await client.send(.post, "/v1/assistance/applications", token: esil, json: body)
            }
            let base = #"{"id":"X","district_kato":"711210000","members":[{"age":30,"sex":"female","relation":"head"}],"incomes":[]}"#
            #expect(try await post(#"{"household":\#(base)}"#).status == .created)
            let cases: [(String, String)] = [
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"age":30,"sex":"female","relation":"boss"}]}}"#, "household.members[0].relation"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"age":300,"sex":"female","relation":"head"}]}}"#, "household.members[0].age"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"sex":"female","relation":"head"}]}}"#, "household.members[0].age"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"age":30,"sex":"female","relation":"child"}]}}"#, "household.members"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"age":30,"sex":"female","relation":"head","hobby":"x"}]}}"#, "household.members[0].hobby"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"iin":"850315400129","relation":"head"}]}}"#, "household.members[0].iin"),
                (#"{"household":{"id":"X","district_kato":"7112","members":[{"age":30,"sex":"female","relation":"head"}]}}"#, "household.district_kato"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"age":30,"sex":"female","relation":"head"}],"incomes":[{"month":"2026-13","source":"wages","amount":1}]}}"#, "household.incomes[0].month"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"age":30,"sex":"female","relation":"head"}],"incomes":[{"month":"2026-07","source":"wages","amount":-5}]}}"#, "household.incomes[0].amount"),
                (#"{"household":{"id":"X","district_kato":"711210000","members":[{"age":30,"sex":"female","relation":"head"}],"incomes":[{"month":"2026-07","source":"lottery","amount":5}]}}"#, "household.incomes[0].source"),
                (#"{"household":\#(base),"applied_on":"20-11-2026"}"#, "applied_on"),
                (#"{"household":{"id":"X","district_kato":"711310000","members":[{"age":30,"sex":"female","relation":"head"}]}}"#, ""),
            ]
            for (body, field) in cases {
                let r = try await post(body)
                #expect(r.status.code >= 400 && r.status.code < 500, "\(body) → \(r.status)")
                if field.isEmpty { #expect(r.status == .forbidden) } else { #expect(r.errorField == field, "\(body) → \(r.body)") }
            }
            let analyst = try await client.login("analyst")
            #expect(try await client.send(.post, "/v1/assistance/applications", token: analyst, json: #"{"household":\#(base)}"#).status == .forbidden)
        }
    }
}
