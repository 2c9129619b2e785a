import AqylCore
import Foundation

/// The forecasting centre over HTTP: alerts published by analysts (or `aqyl forecast dynamics` output), the analysts'
/// queue and review, agencies' subscriptions and the delivery log.
struct ForecastRoutes {
    let centre: ForecastCentre

    var all: [APIRoute] {
        [
            APIRoute(.post, "/v1/forecast/alerts", publish),
            APIRoute(.get, "/v1/forecast/alerts", queue),
            APIRoute(.post, "/v1/forecast/alerts/{id}/review", review),
            APIRoute(.post, "/v1/forecast/subscriptions", subscribe),
            APIRoute(.get, "/v1/forecast/subscriptions", subscriptions),
            APIRoute(.get, "/v1/forecast/deliveries", deliveries),
        ]
    }

    struct AlertInput: APIInput {
        var region: String
        var category: String
        var period: String
        var observed: Int
        var expected: Double
        var pValue: Double
        var qValue: Double
        var model: String
        enum CodingKeys: String, CodingKey, CaseIterable {
            case region, category, period, observed, expected, pValue = "p_value", qValue = "q_value", model
        }
    }

    @Sendable func publish(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.analyst, .admin)
        let i = try r.decode(AlertInput.self)
        try i.category.checkText("category", max: 100)
        try i.period.checkText("period", max: 40)
        try i.model.checkText("model", max: 200)
        guard (0...1_000_000_000).contains(i.observed) else { throw AqylError.invalid("observed", "a count from 0 to 1,000,000,000") }
        guard i.expected.isFinite, (0...1e9).contains(i.expected) else { throw AqylError.invalid("expected", "from 0 to 1,000,000,000") }
        guard (0...1).contains(i.pValue) else { throw AqylError.invalid("p_value", "within 0–1") }
        guard (0...1).contains(i.qValue) else { throw AqylError.invalid("q_value", "within 0–1") }
        let (alert, n) = try await centre.publish(ForecastCentre.AlertInput(
            region: i.region, category: i.category, period: i.period, observed: i.observed, expected: i.expected,
            pValue: i.pValue, qValue: i.qValue, model: i.model), by: p)
        struct Out: Encodable { var alert: StoredForecastAlert; var deliveries: Int }
        return try .json(Out(alert: alert, deliveries: n), status: 201)
    }

    @Sendable func queue(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.analyst, .officer, .admin, .auditor)
        try r.allowOnlyQuery(["region", "status", "limit", "cursor"])
        let status = try r.queryStatus(StoredForecastAlert.Status.self, default: .pending)
        let page = try await centre.queue(reader: p, region: try r.queryRegion(), status: status, page: try r.pageRequest())
        struct Out: Encodable { var alerts: [StoredForecastAlert]; var nextCursor: String? }
        return try .json(Out(alerts: page.items, nextCursor: page.next?.description))
    }

    @Sendable func review(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.analyst, .officer, .admin)
        let input = try r.decode(OutcomeInput.self)
        guard input.outcome == "confirm" || input.outcome == "dismiss" else {
            throw AqylError.invalid("outcome", "confirm or dismiss")
        }
        if let reason = input.reason { try reason.checkText("reason", max: 4000, allowBlank: true) }
        return try .json(try await centre.review(alertId: try r.parameter("id"), official: p, confirm: input.outcome == "confirm",
                                                 reason: input.reason), status: 201)
    }

    struct SubscribeInput: APIInput {
        var agency: String
        var region: String
        var categories: [String]?
        var webhookUrl: String
        enum CodingKeys: String, CodingKey, CaseIterable { case agency, region, categories, webhookUrl = "webhook_url" }
    }

    @Sendable func subscribe(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin)
        let i = try r.decode(SubscribeInput.self)
        guard (i.categories ?? []).count <= 100 else { throw AqylError.invalid("categories", "at most 100 categories") }
        for c in i.categories ?? [] { try c.checkText("categories", max: 100) }
        let (sub, secret) = try await centre.subscribe(agency: i.agency, region: i.region, categories: i.categories ?? [],
                                                       webhookUrl: i.webhookUrl, by: p)
        struct Out: Encodable { var subscription: ForecastSubscription; var secret: String }
        return try .json(Out(subscription: sub, secret: secret), status: 201)
    }

    @Sendable func subscriptions(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin, .auditor)
        try r.allowOnlyQuery([])
        struct Out: Encodable { var subscriptions: [ForecastSubscription] }
        return try .json(Out(subscriptions: try await centre.subscriptions(reader: p)))
    }

    @Sendable func deliveries(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin, .auditor)
        try r.allowOnlyQuery(["status", "limit", "cursor"])
        let status = try r.queryStatus(ForecastDelivery.Status.self, default: .dead)   // the dead-letter list unless asked
        let page = try await centre.deliveries(reader: p, status: status, page: try r.pageRequest())
        struct Out: Encodable { var deliveries: [ForecastDelivery]; var nextCursor: String? }
        return try .json(Out(deliveries: page.items, nextCursor: page.next?.description))
    }
}
