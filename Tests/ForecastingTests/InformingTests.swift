import AqylCore
import AqylKit
import AqylTestSupport
import Foundation
import Testing
@testable import Forecasting

/// A webhook receiver that fails the first `failures` posts, then answers 200; it records what it received.
final class FakeReceiver: WebhookSender, @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int
    private(set) var received: [(url: String, body: Data, headers: [String: String])] = []
    init(failures: Int) { left = failures }
    func post(url: String, body: Data, headers: [String: String]) async throws -> Int {
        lock.withLock {
            received.append((url, body, headers))
            if left > 0 { left -= 1; return 503 }
            return 200
        }
    }
}

/// Real-time informing on the in-memory store: region scoping of alerts and subscriptions, the analysts' review,
/// signed deliveries retried with backoff and dead-lettered, every attempt audited.
@Suite("Forecast alerts and webhooks (in memory)")
struct InformingRuleTests {
    static let almaty = "750000000", alatau = "751210000", astana = "710000000"

    func centre(_ sender: any WebhookSender, maxAttempts: Int = 6) async throws -> (ForecastCentre, InMemoryStore) {
        let memory = InMemoryStore()
        let core = CoreServices(store: memory, bcryptCost: 4)
        try await core.seedReferenceData()
        var o = ForecastCentre.Options()
        o.maxAttempts = maxAttempts
        return (ForecastCentre(core: core, repository: InMemoryForecastRepository(memory), sender: sender, options: o), memory)
    }

    static func alert(_ region: String, _ category: String = "theft.vehicle") -> ForecastCentre.AlertInput {
        ForecastCentre.AlertInput(region: region, category: category, period: "2026-11", observed: 41, expected: 18.5,
                                  pValue: 0.00012, qValue: 0.003, model: "negative-binomial, 24 months")
    }

    @Test func alertsReachTheSubscribersOfTheirRegionSignedAndRetried() async throws {
        let receiver = FakeReceiver(failures: 2)
        let (centre, memory) = try await centre(receiver)
        let admin = Principal(userId: "a", username: "admin", role: .admin, regionKato: Region.centreCode)
        let analyst = Principal(userId: "n", username: "analyst", role: .analyst, regionKato: Region.centreCode)
        let (almatyPolice, secret) = try await centre.subscribe(agency: "Almaty police department", region: Self.almaty,
                                                                 categories: ["theft"], webhookUrl: "https://police.example/hook", by: admin)
        _ = try await centre.subscribe(agency: "Astana police department", region: Self.astana, categories: [],
                                       webhookUrl: "https://astana.example/hook", by: admin)
        _ = try await centre.subscribe(agency: "Almaty drugs unit", region: Self.almaty, categories: ["drugs"],
                                       webhookUrl: "https://drugs.example/hook", by: admin)

        // An alert in Alatau district of Almaty goes to the Almaty theft subscription only.
        let (alert, n) = try await centre.publish(Self.alert(Self.alatau), by: analyst)
        #expect(n == 1)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await centre.deliverDue(now: t0) == 1)                 // 503: retry in 30 s
        #expect(try await centre.deliverDue(now: t0.addingTimeInterval(10)) == 0)
        #expect(try await centre.deliverDue(now: t0.addingTimeInterval(31)) == 1)   // 503 again: retry in 60 s
        #expect(try await centre.deliverDue(now: t0.addingTimeInterval(31 + 59)) == 0)
        let t3 = t0.addingTimeInterval(31 + 61)
        #expect(try await centre.deliverDue(now: t3) == 1)                 // delivered
        #expect(receiver.received.count == 3 && receiver.received.allSatisfy { $0.url == almatyPolice.webhookUrl })
        let last = try #require(receiver.received.last)
        let signature = try #require(last.headers[WebhookSignature.header])
        #expect(WebhookSignature.verify(signature, body: last.body, secret: secret, now: t3))
        #expect(!WebhookSignature.verify(signature, body: last.body + Data("x".utf8), secret: secret, now: t3))
        #expect(!WebhookSignature.verify(signature, body: last.body, secret: "whsec_other", now: t3))
        #expect(!WebhookSignature.verify(signature, body: last.body, secret: secret, now: t3.addingTimeInterval(3600)))   // a replay
        let body = try #require(try JSONSerialization.jsonObject(with: last.body) as? [String: Any])
        #expect((body["alert"] as? [String: Any])?["id"] as? String == alert.id)
        #expect(body["agency"] as? String == "Almaty police department")
        let delivered = try await centre.deliveries(reader: admin, status: .delivered, page: PageRequest())
        #expect(delivered.items.count == 1 && delivered.items[0].attempts == 3)
        let actions = await memory.read { $0.audit.map(\.action) }
        #expect(actions.filter { $0 == "forecast.delivery.retry" }.count == 2 && actions.contains("forecast.delivery.delivered"))

        // The analysts' queue is region-scoped; dismissing needs a reason.
        let almatyAnalyst = Principal(userId: "m", username: "analyst.almaty", role: .analyst, regionKato: Self.almaty)
        let astanaAnalyst = Principal(userId: "s", username: "analyst.astana", role: .analyst, regionKato: Self.astana)
        #expect(try await centre.queue(reader: almatyAnalyst, region: nil, status: .pending, page: PageRequest()).items.map(\.id) == [alert.id])
        #expect(try await centre.queue(reader: astanaAnalyst, region: nil, status: .pending, page: PageRequest()).items.isEmpty)
        await #expect { try await centre.review(alertId: alert.id, official: astanaAnalyst, confirm: true, reason: nil) }
            throws: { ($0 as? AqylError)?.kind == .notFound }
        await #expect { try await centre.review(alertId: alert.id, official: almatyAnalyst, confirm: false, reason: nil) }
            throws: { ($0 as? AqylError)?.code == "reason_required" }
        let reviewed = try await centre.review(alertId: alert.id, official: almatyAnalyst, confirm: true, reason: nil)
        #expect(reviewed.status == .confirmed && reviewed.reviewedBy != nil)

        // An analyst cannot publish outside their node, nor into an unknown region.
        await #expect { try await centre.publish(Self.alert(Self.astana), by: almatyAnalyst) } throws: { ($0 as? AqylError)?.kind == .forbidden }
        await #expect { try await centre.publish(Self.alert("759999999"), by: analyst) } throws: { ($0 as? AqylError)?.code == "unknown_region" }
    }

    @Test func aDeliveryThatNeverSucceedsIsDeadLettered() async throws {
        let (centre, _) = try await centre(FakeReceiver(failures: 1000), maxAttempts: 3)
        let admin = Principal(userId: "a", username: "admin", role: .admin, regionKato: Region.centreCode)
        _ = try await centre.subscribe(agency: "Akimat", region: Region.centreCode, categories: [], webhookUrl: "http://akimat.example/h", by: admin)
        _ = try await centre.publish(Self.alert(Self.alatau, "violence"), by: admin)
        var t = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<3 { _ = try await centre.deliverDue(now: t); t = t.addingTimeInterval(3600) }
        let dead = try await centre.deliveries(reader: admin, status: .dead, page: PageRequest())
        #expect(dead.items.count == 1 && dead.items[0].attempts == 3 && dead.items[0].lastError == "HTTP 503")
        #expect(try await centre.deliverDue(now: t) == 0)
        await #expect { try await centre.subscribe(agency: "X", region: Self.almaty, categories: [], webhookUrl: "ftp://x", by: admin) }
            throws: { ($0 as? AqylError)?.field == "webhook_url" }
    }

    @Test func theHTTPSenderReportsAnUnreachableReceiverAsAFailure() async throws {
        let (centre, _) = try await centre(HTTPWebhookSender(), maxAttempts: 2)
        let admin = Principal(userId: "a", username: "admin", role: .admin, regionKato: Region.centreCode)
        _ = try await centre.subscribe(agency: "Nobody", region: Region.centreCode, categories: [], webhookUrl: "http://127.0.0.1:9/hook", by: admin)
        _ = try await centre.publish(Self.alert(Self.alatau), by: admin)
        // Due at the publishing instant, which the clock keeps in whole milliseconds: a second later it surely is.
        #expect(try await centre.deliverDue(now: Date().addingTimeInterval(1)) == 1)
        let pending = try await centre.deliveries(reader: admin, status: .pending, page: PageRequest())
        #expect(pending.items.count == 1 && pending.items[0].attempts == 1 && pending.items[0].lastError != nil)
    }
}

/// The same over HTTP, on SQLite and PostgreSQL.
@Suite("Forecast alerts over HTTP, on SQLite and PostgreSQL")
struct InformingHTTPTests {
    @Test(arguments: ServerBackend.databases)
    func analystsPublishAndReviewAlertsAgenciesSubscribe(_ backend: ServerBackend) async throws {
        try await TestServer.run(backend, demo: []) { server, client in
            let admin = try await client.login("admin")
            let sub = try await client.send(.post, "/v1/forecast/subscriptions", token: admin, json: """
                {"agency": "Almaty police department", "region": "750000000", "categories": ["theft"], "webhook_url": "https://police.example/hook"}
                """)
            #expect(sub.status == .created, "\(sub.body)")
            #expect((sub.json["secret"] as? String)?.hasPrefix("whsec_") == true)
            let analyst = try await client.login("analyst")
            let alert = """
                {"region": "751210000", "category": "theft.vehicle", "period": "2026-11", "observed": 41, "expected": 18.5,
                 "p_value": 0.00012, "q_value": 0.003, "model": "negative-binomial, 24 months"}
                """
            let pub = try await client.send(.post, "/v1/forecast/alerts", token: analyst, json: alert)
            #expect(pub.status == .created, "\(pub.body)")
            #expect(pub.json["deliveries"] as? Int == 1)
            let id = try #require((pub.json["alert"] as? [String: Any])?["id"] as? String)
            #expect(try await client.send(.post, "/v1/forecast/alerts", token: analyst,
                                          json: alert.replacingOccurrences(of: "0.003", with: "3")).status == .badRequest)

            let alatau = try await client.login("officer.alatau")
            let esil = try await client.login("officer.esil")
            #expect(try await client.send(.get, "/v1/forecast/alerts", token: alatau).list("alerts").count == 1)
            #expect(try await client.send(.get, "/v1/forecast/alerts", token: esil).list("alerts").isEmpty)
            #expect(try await client.send(.post, "/v1/forecast/alerts/\(id)/review", token: esil, json: #"{"outcome": "confirm"}"#).status == .notFound)
            #expect(try await client.send(.post, "/v1/forecast/alerts/\(id)/review", token: alatau, json: #"{"outcome": "dismiss"}"#).status
                == .unprocessableContent)
            let ok = try await client.send(.post, "/v1/forecast/alerts/\(id)/review", token: alatau,
                                           json: #"{"outcome": "dismiss", "reason": "A police operation against car thieves found these"}"#)
            #expect(ok.status == .created && ok.json["status"] as? String == "dismissed", "\(ok.body)")
            // The core decision route may not decide forecasting recommendations: the review route checks more.
            #expect(try await client.send(.get, "/v1/forecast/deliveries?status=pending", token: admin).list("deliveries").count == 1)
            #expect(try await client.send(.get, "/v1/forecast/subscriptions", token: analyst).status == .forbidden)
            _ = server
        }
    }
}
