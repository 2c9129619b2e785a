import AqylCore
import AqylServer
import AqylStore
import AqylTestSupport
import AqylDemo
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Testing

@Suite("HTTP API")
struct HTTPTests {
    @Test func healthMetricsAndContract() async throws {
        try await TestServer.run { _, client in
            let health = try await client.send(.get, "/health")
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            #expect(health.headers[HTTPField.Name("X-Request-Id")!] != nil)
            let spec = try await client.send(.get, "/openapi.yaml")
            #expect(spec.status == .ok)
            #expect(spec.body.hasPrefix("openapi: 3.1"))
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.body.contains("aqyl_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 1"))
        }
    }

    /// Every route the router serves is in the OpenAPI document, and the document lists no route that does not exist.
    @Test func openAPIMatchesTheRouter() async throws {
        try await TestServer.run { server, _ in
        let served = Set(server.routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" })
        var documented: Set<String> = []
        var inPaths = false
        var currentPath: String?
        for line in try OpenAPIDocument.yaml().split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, first != " ", first != "#" { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let p = currentPath, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(method) { documented.insert("\(method) \(p)") }
            }
        }
        #expect(served.count >= 18)
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        }
    }

    @Test func authenticationIsRequiredAndChecked() async throws {
        try await TestServer.run { _, client in
            #expect(try await client.send(.get, "/v1/recommendations").status == .unauthorized)
            let bad = try await client.send(.get, "/v1/recommendations", token: "aqyl_forged")
            #expect(bad.status == .unauthorized && bad.errorCode == "invalid_token")
            let wrong = try await client.send(.post, "/v1/auth/login", json: #"{"username":"admin","password":"not the password"}"#)
            #expect(wrong.status == .unauthorized && wrong.errorCode == "invalid_credentials")
            let me = try await client.send(.get, "/v1/me", token: try await client.login("officer.esil"))
            #expect((me.json["principal"] as? [String: Any])?["region_kato"] as? String == "711210000")
        }
    }

    @Test func aDistrictOfficerSeesOnlyTheirDistrict() async throws {
        try await TestServer.run { _, client in
            let esil = try await client.login("officer.esil")
            let queue = try await client.send(.get, "/v1/recommendations", token: esil)
            #expect(queue.status == .ok)
            let regions = Set(queue.list("recommendations").compactMap { $0["region_kato"] as? String })
            #expect(regions == ["711210000"])

            // The city officer sees both Astana districts, not Almaty.
            let astana = try await client.login("officer.astana")
            let cityQueue = try await client.send(.get, "/v1/recommendations", token: astana)
            #expect(Set(cityQueue.list("recommendations").compactMap { $0["region_kato"] as? String }) == ["711210000", "711310000"])
            let saryarkaId = try #require(cityQueue.list("recommendations").first { $0["region_kato"] as? String == "711310000" }?["id"] as? String)

            // Another district: not found by id, forbidden as a filter, and cannot be decided.
            #expect(try await client.send(.get, "/v1/recommendations/\(saryarkaId)", token: esil).status == .notFound)
            #expect(try await client.send(.get, "/v1/recommendations?region=711310000", token: esil).status == .forbidden)
            let decide = try await client.send(.post, "/v1/recommendations/\(saryarkaId)/decision", token: esil, json: #"{"outcome":"approve"}"#)
            #expect(decide.status == .notFound)
            #expect(try await client.send(.get, "/v1/recommendations/\(saryarkaId)", token: astana).status == .ok)
        }
    }

    @Test func rolesAreChecked() async throws {
        try await TestServer.run { _, client in
            let analyst = try await client.login("analyst")
            #expect(try await client.send(.get, "/v1/recommendations", token: analyst).status == .forbidden)
            #expect(try await client.send(.get, "/v1/statistics/advisory", token: analyst).status == .ok)
            let officer = try await client.login("officer.esil")
            let create = try await client.send(.post, "/v1/users", token: officer,
                                               json: #"{"username":"x.y.z","role":"officer","region":"711210000","password":"12345678"}"#)
            #expect(create.status == .forbidden)
            #expect(try await client.send(.get, "/v1/audit", token: officer).status == .forbidden)
            #expect(try await client.send(.get, "/v1/audit/verify", token: try await client.login("auditor")).json["ok"] as? Bool == true)
        }
    }

    @Test func decisionsNeedAReasonToDisagree() async throws {
        try await TestServer.run { _, client in
            let esil = try await client.login("officer.esil")
            let queue = try await client.send(.get, "/v1/recommendations?domain=demo", token: esil).list("recommendations")
            let rec = try #require(queue.first)
            let id = try #require(rec["id"] as? String)
            let other = rec["outcome"] as? String == "approve" ? "reject" : "approve"
            let noReason = try await client.send(.post, "/v1/recommendations/\(id)/decision", token: esil, json: #"{"outcome":"\#(other)"}"#)
            #expect(noReason.status == .unprocessableContent && noReason.errorField == "reason" && noReason.errorCode == "reason_required")
            let ok = try await client.send(.post, "/v1/recommendations/\(id)/decision", token: esil,
                                           json: #"{"outcome":"\#(other)","reason":"Household income re-checked with the employer"}"#)
            #expect(ok.status == .created)
            #expect(ok.json["agrees"] as? Bool == false)
            let again = try await client.send(.post, "/v1/recommendations/\(id)/decision", token: esil, json: #"{"outcome":"\#(other)","reason":"x"}"#)
            #expect(again.status == .conflict)
            let stats = try await client.send(.get, "/v1/statistics/advisory?domain=demo", token: esil).list("statistics")
            #expect(stats.first?["overridden"] as? Int == 1)
            // The read and the decision are in the audit log.
            let audit = try await client.send(.get, "/v1/audit?limit=1000", token: try await client.login("auditor")).list("entries")
            #expect(audit.contains { $0["action"] as? String == "decision.create" && $0["entity_id"] as? String == id })
            #expect(audit.contains { $0["action"] as? String == "recommendation.list" && $0["personal"] as? Bool == true })
        }
    }

    @Test func integratorsSubmitWithAnAPITokenAndIINsArePseudonymised() async throws {
        try await TestServer.run { _, client in
            let admin = try await client.login("admin")
            let issued = try await client.send(.post, "/v1/users/integrator.bank/tokens", token: admin, json: #"{"label":"bank app"}"#)
            #expect(issued.status == .created)
            let token = try #require(issued.json["token"] as? String)
            let body = """
                {"subject":"bank-app-7","domain":"assistance","model_name":"forest","model_version":"1.0","score":0.81,
                 "outcome":"approve","input_digest":"abc123","region":"711210000","subject_iin":"900101301233",
                 "reasons":[{"feature":"income","label":"Income per person","contribution":0.3}]}
                """
            let created = try await client.send(.post, "/v1/recommendations", token: token, json: body)
            #expect(created.status == .created)
            #expect((created.json["subject_pseudonym"] as? String)?.hasPrefix("p_") == true)
            #expect(!created.body.contains("900101301233"))
            let badIIN = try await client.send(.post, "/v1/recommendations", token: token,
                                               json: body.replacingOccurrences(of: "900101301233", with: "900101301234"))
            #expect(badIIN.status == .unprocessableContent && badIIN.errorField == "subject_iin" && badIIN.errorCode == "invalid_iin")
            // Integrators submit; they do not read queues.
            #expect(try await client.send(.get, "/v1/recommendations", token: token).status == .forbidden)
        }
    }

    @Test func aRegionAdminCreatesUsersOnlyInTheirSubtree() async throws {
        try await TestServer.run { _, client in
            let admin = try await client.login("admin")
            let made = try await client.send(.post, "/v1/users", token: admin,
                                             json: #"{"username":"admin.astana","role":"admin","region":"710000000","password":"astana-admin-1"}"#)
            #expect(made.status == .created)
            let cityAdmin = try await client.login("admin.astana", password: "astana-admin-1")
            let inside = try await client.send(.post, "/v1/users", token: cityAdmin,
                                               json: #"{"username":"officer.nura","role":"officer","region":"711510000","password":"nura-officer-1"}"#)
            #expect(inside.status == .created)
            let outside = try await client.send(.post, "/v1/users", token: cityAdmin,
                                                json: #"{"username":"officer.medeu","role":"officer","region":"751710000","password":"medeu-officer-1"}"#)
            #expect(outside.status == .forbidden)
            let users = try await client.send(.get, "/v1/users", token: cityAdmin).list("users")
            #expect(Set(users.compactMap { $0["region_kato"] as? String }).isSubset(of: ["710000000", "711210000", "711310000", "711510000"]))
        }
    }

    @Test func regionsAndIIN() async throws {
        try await TestServer.run { _, client in
            let officer = try await client.login("officer.esil")
            let top = try await client.send(.get, "/v1/regions", token: officer).list("regions")
            #expect(top.count == 20)
            let astana = try await client.send(.get, "/v1/regions/710000000", token: officer)
            #expect((astana.json["region"] as? [String: Any])?["iso"] as? String == "KZ-71")
            #expect(astana.list("children").count == 6)
            #expect(try await client.send(.get, "/v1/regions/71", token: officer).errorField == "kato")
            #expect(try await client.send(.get, "/v1/regions/123456789", token: officer).status == .notFound)
            let iin = try await client.send(.post, "/v1/iin/validate", token: officer, json: #"{"iin":"900101301233"}"#)
            #expect(iin.json["birth_date"] as? String == "1990-01-01")
            #expect(iin.json["pseudonym"] == nil)
            let bad = try await client.send(.post, "/v1/iin/validate", token: officer, json: #"{"iin":"900101301234"}"#)
            #expect(bad.status == .unprocessableContent && bad.errorField == "iin")
        }
    }
}

/// Bad input of every kind is a 4xx with a JSON error body, never a 5xx.
@Suite("HTTP bad input")
struct BadInputTests {
    @Test func malformedWrongTypesUnknownFieldsAndHugeBodies() async throws {
        try await TestServer.run { _, client in
            let token = try await client.login("admin")
            let cases: [(String, String?, ByteBuffer?, HTTPResponse.Status, String, String?)] = [
                ("/v1/recommendations", "{not json", nil, .badRequest, "malformed_json", nil),
                ("/v1/recommendations", "[1,2,3]", nil, .badRequest, "malformed_json", nil),
                ("/v1/recommendations", "", nil, .badRequest, "empty_body", nil),
                ("/v1/recommendations", #"{"subject":"s","domain":"d","model_name":"m","model_version":"1","score":"high","outcome":"o","input_digest":"x","region":"711210000"}"#,
                 nil, .badRequest, "wrong_type", "score"),
                ("/v1/recommendations", #"{"subject":"s","domain":"d","model_name":"m","model_version":"1","score":0.5,"outcome":"o","input_digest":"x","region":"711210000","extra":1}"#,
                 nil, .badRequest, "unknown_field", "extra"),
                ("/v1/recommendations", #"{"subject":"s","domain":"d","model_name":"m","model_version":"1","score":0.5,"outcome":"o","input_digest":"x"}"#,
                 nil, .badRequest, "missing_field", "region"),
                ("/v1/recommendations", #"{"subject":"s","domain":"d","model_name":"m","model_version":"1","score":7,"outcome":"o","input_digest":"x","region":"711210000"}"#,
                 nil, .badRequest, "invalid_field", "score"),
                ("/v1/recommendations", #"{"subject":"s","domain":"d","model_name":"m","model_version":"1","score":0.5,"outcome":"o","input_digest":"x","region":"71121"}"#,
                 nil, .badRequest, "invalid_kato", "region"),
                ("/v1/recommendations", #"{"subject":"s","domain":"d","model_name":"m","model_version":"1","score":0.5,"outcome":"o","input_digest":"x","region":"711210000","reasons":[{"feature":"f","label":"l","contribution":"big"}]}"#,
                 nil, .badRequest, "wrong_type", "reasons[0].contribution"),
                ("/v1/recommendations", #"{"subject":"s","domain":"d","model_name":"m","model_version":"1","score":0.5,"outcome":"o","input_digest":"x","region":"711210000","reasons":[{"feature":"f","label":"l","contribution":1,"weight":2}]}"#,
                 nil, .badRequest, "unknown_field", "reasons[0].weight"),
                ("/v1/recommendations", nil, ByteBuffer(repeating: UInt8(ascii: "a"), count: 2 << 20), .contentTooLarge, "body_too_large", nil),
                ("/v1/users", #"{"username":"ok.name","role":"wizard","region":"711210000","password":"12345678"}"#, nil, .badRequest, "invalid_role", "role"),
                ("/v1/users", #"{"username":"ok.name","role":"officer","region":"711210000","password":"short"}"#, nil, .badRequest, "invalid_field", "password"),
                ("/v1/users", #"{"username":"a b","role":"officer","region":"711210000","password":"12345678"}"#, nil, .badRequest, "invalid_field", "username"),
            ]
            for (uri, json, raw, status, code, field) in cases {
                let r = try await client.send(.post, uri, token: token, json: json, rawBody: raw)
                #expect(r.status == status, "\(uri) \(json?.prefix(60) ?? "raw") → \(r.status) \(r.body.prefix(200))")
                #expect(r.errorCode == code, "\(json?.prefix(60) ?? "raw"): \(r.body.prefix(200))")
                #expect(r.errorField == field, "\(json?.prefix(60) ?? "raw"): \(r.body.prefix(200))")
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            for uri in ["/v1/recommendations?limit=abc", "/v1/recommendations?limit=0", "/v1/recommendations?status=maybe",
                        "/v1/recommendations?region=abc", "/v1/audit?after=-1", "/v1/regions?parent=x"] {
                let r = try await client.send(.get, uri, token: token)
                #expect(r.status == .badRequest, "\(uri) → \(r.status)")
                #expect(r.errorField != nil, "\(uri): \(r.body)")
            }
            let missing = try await client.send(.get, "/v1/recommendations/does-not-exist", token: token)
            #expect(missing.status == .notFound && missing.errorCode == "not_found")
            let noRoute = try await client.send(.get, "/v2/anything", token: token)
            #expect(noRoute.status == .notFound && noRoute.error != nil)
            let badAuth = try await client.send(.get, "/v1/me", token: nil, json: nil)
            #expect(badAuth.status == .unauthorized && badAuth.errorCode == "unauthenticated")
        }
    }

    /// Random bytes and random JSON-ish bodies never produce a 5xx.
    @Test func fuzzedBodiesNeverCauseA5xx() async throws {
        try await TestServer.run { _, client in
            let token = try await client.login("admin")
            var rng = SystemRandomNumberGenerator()
            let fragments = ["{", "}", "[", "]", "\"score\":", "\"region\":", "null", "true", "1e999", "-0", "\"\\u0000\"",
                             ",", ":", "\"subject\"", "\"711210000\"", "0.5", "\"reasons\":[{}]", "\"a\"", "{\"iin\":1}"]
            for i in 0..<150 {
                let body: ByteBuffer
                if i % 3 == 0 {
                    body = ByteBuffer(bytes: (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
                } else {
                    body = ByteBuffer(string: (0..<Int.random(in: 1..<12, using: &rng)).map { _ in fragments.randomElement(using: &rng)! }.joined())
                }
                for uri in ["/v1/recommendations", "/v1/users", "/v1/iin/validate", "/v1/auth/login"] {
                    let r = try await client.send(.post, uri, token: token, rawBody: body)
                    #expect(r.status.code < 500, "\(uri) \(String(buffer: body).prefix(80)) → \(r.status)")
                    #expect(r.error != nil || r.status.code < 300)
                }
            }
        }
    }
}
