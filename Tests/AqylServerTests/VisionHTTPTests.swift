import AqylCore
import AqylML
import AqylServer
import AqylStore
import AqylTestSupport
import AqylDemo
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Vision

@Suite("Video events: operator queue, confirm/dismiss, camera ingestion, on SQLite and PostgreSQL")
struct VisionHTTPTests {
    static let camera = """
        {"version": 1, "camera_id": "cam-alatau-1", "district_kato": "751210000", "fps": 10,
         "start_time": "2026-11-20T10:00:00Z",
         "rules": [{"id": "gate", "type": "line_crossing", "line": [[100, 0], [100, 200]], "hysteresis_px": 2, "in_direction": "left_to_right"},
                   {"id": "yard", "type": "intrusion", "zone": [[150, 0], [200, 0], [200, 200], [150, 200]], "min_dwell_seconds": 0.5}]}
        """

    @Test(arguments: ServerBackend.databases)
    func operatorConfirmsAndDismissesEventsWithEvidence(_ backend: ServerBackend) async throws {
        try await TestServer.run(backend) { server, client in
            let store = server.core
            let admin = try await client.login("admin")
            let put = try await client.send(.put, "/v1/vision/cameras/cam-alatau-1", token: admin, json: Self.camera)
            #expect(put.status == .ok, "\(put.body)")
            // The same version again is refused: configurations are versioned.
            #expect(try await client.send(.put, "/v1/vision/cameras/cam-alatau-1", token: admin, json: Self.camera).status == .conflict)
            #expect(try await client.send(.put, "/v1/vision/cameras/other", token: admin, json: Self.camera).errorField == "camera_id")
            let bad = Self.camera.replacingOccurrences(of: "\"fps\": 10", with: "\"fps\": \"fast\"")
            #expect(try await client.send(.put, "/v1/vision/cameras/cam-alatau-1", token: admin, json: bad).status == .badRequest)

            // A person walks right across the gate into the yard and stays: one crossing, one intrusion.
            let config = try CameraConfiguration.parse(Data(Self.camera.utf8))
            let tracks = (1...30).map { f in
                TrackedBox(frame: f, trackID: 7, box: BoundingBox(x: Double(40 + f * 5), y: 80, w: 20, h: 40), score: 1, classLabel: "person")
            }
            let stored = try await server.platform.module(VisionModule.self).service.replay(config, tracks: tracks, actor: "test")
            #expect(Set(stored.map(\.event.ruleID)) == ["gate", "yard"])

            let alatau = try await client.login("officer.alatau")
            let esil = try await client.login("officer.esil")
            let queue = try await client.send(.get, "/v1/vision/events", token: alatau)
            let events = queue.list("events")
            #expect(events.count == 2)
            let gate = try #require(events.first { ($0["event"] as? [String: Any])?["rule_id"] as? String == "gate" })
            let gateEvent = try #require(gate["event"] as? [String: Any])
            #expect(gateEvent["track_ids"] as? [Int] == [7])
            #expect(gateEvent["rule_version"] as? Int == 1)
            #expect((gateEvent["evidence"] as? [[String: Any]])?.isEmpty == false)
            #expect(gateEvent["start_time"] as? String != nil)
            let gateId = try #require(gate["id"] as? String)
            let yardId = try #require(events.first { $0["id"] as? String != gateId }?["id"] as? String)

            // Another district's officer sees nothing and cannot act.
            #expect(try await client.send(.get, "/v1/vision/events", token: esil).list("events").isEmpty)
            #expect(try await client.send(.post, "/v1/vision/events/\(gateId)/review", token: esil, json: #"{"outcome":"confirm"}"#).status == .notFound)

            let confirm = try await client.send(.post, "/v1/vision/events/\(gateId)/review", token: alatau, json: #"{"outcome":"confirm"}"#)
            #expect(confirm.status == .created && confirm.json["status"] as? String == "confirmed")
            let noReason = try await client.send(.post, "/v1/vision/events/\(yardId)/review", token: alatau, json: #"{"outcome":"dismiss"}"#)
            #expect(noReason.errorCode == "reason_required")
            let dismissed = try await client.send(.post, "/v1/vision/events/\(yardId)/review", token: alatau,
                                                  json: #"{"outcome":"dismiss","reason":"Groundskeeper on duty"}"#)
            #expect(dismissed.json["status"] as? String == "dismissed" && dismissed.json["review_reason"] as? String == "Groundskeeper on duty")
            #expect(try await client.send(.post, "/v1/vision/events/\(yardId)/review", token: alatau,
                                          json: #"{"outcome":"confirm"}"#).status == .conflict)
            // The core decision route refuses vision recommendations.
            let recId = try #require(gate["recommendation_id"] as? String)
            #expect(try await client.send(.post, "/v1/recommendations/\(recId)/decision", token: alatau, json: #"{"outcome":"confirm"}"#).status == .conflict)

            // Cameras' own analytics: idempotent on event_id; malformed input names the field.
            let bank = try await client.login("operator.almaty")
            let ext = #"{"schema_version":1,"event_id":"ev-1","camera_id":"cam-alatau-1","vendor":"acme","event_type":"crowd","start_time":"2026-11-20T11:00:00Z","confidence":0.7,"objects":[{"class":"person","track_id":1,"box":{"x":1,"y":2,"w":3,"h":4}}]}"#
            let first = try await client.send(.post, "/v1/vision/events", token: bank, json: ext)
            #expect(first.status == .created, "\(first.body)")
            let retry = try await client.send(.post, "/v1/vision/events", token: bank, json: ext)
            #expect(retry.status == .ok && retry.json["id"] as? String == first.json["id"] as? String)
            #expect(first.json["district_kato"] as? String == "751210000" && first.json["source"] as? String == "camera:acme")
            let wrong = try await client.send(.post, "/v1/vision/events", token: bank, json: ext.replacingOccurrences(of: #""confidence":0.7"#, with: #""confidence":7"#))
            #expect(wrong.status == .badRequest && wrong.errorField == "confidence", "\(wrong.body)")

            // A camera stays with its district: an admin of another district cannot move it, and a camera event
            // cannot claim another district.
            _ = try await store.createUser(username: "admin.esil", displayName: nil, role: .admin, regionKato: "711210000",
                                           password: "pw-esil-2026", actor: "test")
            let esilAdmin = try await client.login("admin.esil", password: "pw-esil-2026")
            let takeover = Self.camera.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 5")
                .replacingOccurrences(of: "751210000", with: "711210000")
            #expect(try await client.send(.put, "/v1/vision/cameras/cam-alatau-1", token: esilAdmin, json: takeover).status == .forbidden)
            let moved = try await client.send(.post, "/v1/vision/events", token: bank,
                                              json: ext.replacingOccurrences(of: #""event_id":"ev-1""#, with: #""event_id":"ev-2","district_kato":"711210000""#))
            #expect(moved.status == .unprocessableContent && moved.errorField == "district_kato", "\(moved.body)")

            // Every step is in the audit log.
            let auditor = try await client.login("auditor")
            let actions = try await client.send(.get, "/v1/audit?limit=500", token: auditor).list("entries").compactMap { $0["action"] as? String }
            #expect(actions.contains("vision.camera.configure"))
            #expect(actions.contains("decision.create"))
            #expect(actions.contains("vision.event.list"))
        }
    }

    @Test(arguments: ServerBackend.databases)
    func concurrentDecisionsOneWins(_ backend: ServerBackend) async throws {
        try await TestServer.run(backend) { server, client in
            let esil = try await client.login("officer.esil")
            let id = try #require(try await client.send(.get, "/v1/recommendations?domain=demo", token: esil).list("recommendations").first?["id"] as? String)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for outcome in ["approve", "reject", "approve", "reject"] {
                    group.addTask {
                        try await client.send(.post, "/v1/recommendations/\(id)/decision", token: esil,
                                              json: #"{"outcome":"\#(outcome)","reason":"checked"}"#).status.code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 3, "\(statuses)")
        }
    }
}
