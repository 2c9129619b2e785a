import AqylCore
import AqylKit
import Foundation

/// Sends one webhook: the transport behind deliveries (`HTTPWebhookSender` over AsyncHTTPClient; tests use their own).
public protocol WebhookSender: Sendable {
    /// POSTs `body` with `headers`; returns the HTTP status, throws when no answer came.
    func post(url: String, body: Data, headers: [String: String]) async throws -> Int
}

/// Signing of webhook bodies: `X-Aqyl-Signature: t=UNIX,v1=HEX` where HEX is HMAC-SHA256 under the subscription's
/// secret of `"UNIX." + body`, so a receiver checks the sender and refuses replays older than it allows.
public enum WebhookSignature {
    public static let header = "X-Aqyl-Signature"

    public static func sign(body: Data, secret: String, at time: Date) -> String {
        let t = Int(time.timeIntervalSince1970)
        return "t=\(t),v1=" + Hashing.hmacSHA256Hex(key: Data(secret.utf8), message: Data("\(t).".utf8) + body)
    }

    /// Whether `signature` signs `body` under `secret` no more than `tolerance` seconds before `now`.
    public static func verify(_ signature: String, body: Data, secret: String, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var t: Int?, v1: String?
        for part in signature.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            if kv[0] == "t" { t = Int(kv[1]) } else if kv[0] == "v1" { v1 = kv[1] }
        }
        guard let t, let v1, abs(now.timeIntervalSince1970 - Double(t)) <= tolerance else { return false }
        return sign(body: body, secret: secret, at: Date(timeIntervalSince1970: Double(t))) == "t=\(t),v1=\(v1)"
    }
}

/// The forecasting centre's real-time informing: anomaly alerts become recommendations in the analysts' queue
/// (confirm, or dismiss with a reason) and are pushed to the agencies subscribed to their region and category by
/// signed webhooks, retried with backoff and dead-lettered; every delivery is audited. Rules only: storage is the
/// repository's, HTTP the routes'. No person appears anywhere here: alerts are counts for places and periods.
public final class ForecastCentre: Sendable {
    public static let domain = "forecast"
    public static let modelName = "offence-anomalies"

    public struct Options: Sendable {
        /// Attempts before a delivery is dead-lettered.
        public var maxAttempts = 6
        /// The wait after the first failed attempt; doubled after each further one.
        public var firstRetry: TimeInterval = 30
        public var batch = 50
        public init() {}
    }

    public let core: CoreServices
    public let repository: any ForecastRepository
    public let sender: any WebhookSender
    public let options: Options

    public init(core: CoreServices, repository: any ForecastRepository, sender: any WebhookSender, options: Options = Options()) {
        self.core = core
        self.repository = repository
        self.sender = sender
        self.options = options
    }

    /// An alert as published (the `alerts` items of `aqyl forecast dynamics --json`, with a KATO region).
    public struct AlertInput: Sendable {
        public var region: String
        public var category: String
        public var period: String
        public var observed: Int
        public var expected: Double
        public var pValue: Double
        public var qValue: Double
        public var model: String

        public init(region: String, category: String, period: String, observed: Int, expected: Double, pValue: Double, qValue: Double, model: String) {
            self.region = region; self.category = category; self.period = period; self.observed = observed
            self.expected = expected; self.pValue = pValue; self.qValue = qValue; self.model = model
        }
    }

    /// Whether a subscription wants an alert: its region contains the alert's, and the category is one of its
    /// categories or below one (`theft` takes `theft.vehicle`); no categories means all.
    static func wants(_ s: ForecastSubscription, region: String, category: String, directory: RegionDirectory) -> Bool {
        directory.isWithin(region, scope: s.regionKato)
            && (s.categories.isEmpty || s.categories.contains { category == $0 || category.hasPrefix($0 + ".") })
    }

    /// Queues the alert for the analysts of its region and a delivery for every subscription that wants it.
    public func publish(_ input: AlertInput, by publisher: Principal) async throws -> (StoredForecastAlert, deliveries: Int) {
        try publisher.require(.analyst, .admin)
        try Region.validateCode(input.region, field: "region")
        let directory = try await core.directory()
        guard directory.region(input.region) != nil else { throw AqylError.refused("region", "unknown region \(input.region)", code: "unknown_region") }
        try publisher.requireScope(input.region, in: directory)
        let now = core.clock.now()
        let score = min(1, max(0, 1 - input.qValue))
        let canonical = "\(input.region)|\(input.category)|\(input.period)|\(input.observed)|\(input.expected)|\(input.pValue)|\(input.qValue)|\(input.model)"
        let rec = Recommendation(
            subject: "offences:\(input.region):\(input.category):\(input.period)", domain: Self.domain, modelName: Self.modelName,
            modelVersion: input.model, score: score, outcome: "confirm",
            reasons: [Reason(feature: "observed_vs_expected",
                             label: String(format: "%d observed against %.1f expected (p = %.2g, q = %.2g)", input.observed, input.expected,
                                           input.pValue, input.qValue),
                             contribution: score, value: "\(input.observed)")],
            inputDigest: Hashing.sha256Hex(canonical), regionKato: input.region, createdAt: now)
        try await core.validateNew(rec)
        let alert = StoredForecastAlert(id: UUID().uuidString.lowercased(), recommendationId: rec.id, regionKato: input.region,
                                        category: input.category, period: input.period, observed: input.observed, expected: input.expected,
                                        pValue: input.pValue, qValue: input.qValue, model: input.model, status: .pending, createdAt: now)
        let deliveries = try await repository.allSubscriptions()
            .filter { Self.wants($0, region: input.region, category: input.category, directory: directory) }
            .map { ForecastDelivery(id: UUID().uuidString.lowercased(), subscriptionId: $0.id, alertId: alert.id, status: .pending,
                                    attempts: 0, nextAttemptAt: now, createdAt: now) }
        try await repository.insertAlert(alert, recommendation: rec, deliveries: deliveries, audit: .recommendationCreated(rec, actor: publisher.username))
        return (alert, deliveries.count)
    }

    /// The analysts' queue: alerts at the reader's node (or `region` below it), oldest first.
    public func queue(reader: Principal, region: String?, status: StoredForecastAlert.Status?, page: PageRequest) async throws -> Page<StoredForecastAlert> {
        try reader.require(.analyst, .officer, .admin, .auditor)
        let (_, filter, _) = try await core.scope(of: reader, region: region)
        return try await repository.alerts(in: filter, status: status, page: page)
    }

    /// Confirm or dismiss (a dismissal needs a reason), through the advisory record.
    public func review(alertId: String, official: Principal, confirm: Bool, reason: String?) async throws -> StoredForecastAlert {
        try official.require(.analyst, .officer, .admin)
        guard let a = try await repository.alert(id: alertId), try await core.directory().isWithin(a.regionKato, scope: official.regionKato) else {
            throw AqylError.notFound("alert \(alertId)", field: "id")
        }
        let (rec, decision) = try await core.prepareDecision(recommendationId: a.recommendationId, official: official,
                                                             outcome: confirm ? "confirm" : "dismiss", reason: reason)
        try await repository.review(a, status: confirm ? .confirmed : .dismissed, decision: decision, on: rec,
                                    audit: .decisionMade(decision, on: rec, actor: official.username))
        return try await repository.alert(id: alertId) ?? a
    }

    /// An agency subscribes (admin of the region or above); the secret that signs its webhooks is returned once.
    public func subscribe(agency: String, region: String, categories: [String], webhookUrl: String, by admin: Principal) async throws
        -> (ForecastSubscription, secret: String)
    {
        try admin.require(.admin)
        try agency.checkText("agency", max: 200)
        guard ContractPattern.isHTTPURL(webhookUrl) else { throw AqylError.invalid("webhook_url", "an http(s) URL is required") }
        try Region.validateCode(region, field: "region")
        let directory = try await core.directory()
        guard directory.region(region) != nil else { throw AqylError.refused("region", "unknown region \(region)", code: "unknown_region") }
        try admin.requireScope(region, in: directory)
        let sub = ForecastSubscription(id: UUID().uuidString.lowercased(), agency: agency, regionKato: region,
                                       categories: Array(Set(categories)).sorted(), webhookUrl: webhookUrl, createdBy: admin.username,
                                       createdAt: core.clock.now())
        let secret = "whsec_" + Hex.encode((0..<24).map { _ in UInt8.random(in: 0...255) })
        try await repository.insertSubscription(sub, secret: secret, audit: AuditEvent(
            actor: admin.username, action: "forecast.subscription.create", entityType: "forecast_subscription", entityId: sub.id,
            regionKato: region, detail: "\(agency): \(sub.categories.isEmpty ? "all categories" : sub.categories.joined(separator: ","))"))
        return (sub, secret)
    }

    public func subscriptions(reader: Principal) async throws -> [ForecastSubscription] {
        try reader.require(.admin, .auditor)
        let directory = try await core.directory()
        return try await repository.allSubscriptions().filter { directory.isWithin($0.regionKato, scope: reader.regionKato) }
    }

    public func deliveries(reader: Principal, status: ForecastDelivery.Status?, page: PageRequest) async throws -> Page<ForecastDelivery> {
        try reader.require(.admin, .auditor)
        guard reader.regionKato == Region.centreCode else { throw AqylError.forbidden("the delivery log is the centre's") }
        return try await repository.deliveries(status: status, page: page)
    }

    /// The webhook body: the alert and where it came from.
    public static func payload(_ c: ClaimedDelivery) throws -> Data {
        struct Body: Encodable { var delivery: String; var subscription: String; var agency: String; var kind: String; var alert: StoredForecastAlert }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        return try e.encode(Body(delivery: c.delivery.id, subscription: c.subscription.id, agency: c.subscription.agency, kind: "anomaly_alert",
                                 alert: c.alert))
    }

    /// One delivery pass: every due delivery tried once; returns how many were tried.
    public func deliverDue(now: Date) async throws -> Int {
        let claimed = try await repository.claimDue(now: now, lease: 120, limit: options.batch)
        for c in claimed {
            try Task.checkCancellation()   // shutting down: the rest keep their lease and are tried again later
            let body = try Self.payload(c)
            let headers = ["Content-Type": "application/json", WebhookSignature.header: WebhookSignature.sign(body: body, secret: c.secret, at: now),
                           "X-Aqyl-Delivery": c.delivery.id]
            var failure: String?
            do {
                let code = try await sender.post(url: c.subscription.webhookUrl, body: body, headers: headers)
                if !(200..<300).contains(code) { failure = "HTTP \(code)" }
            } catch { failure = "\(error)" }
            let attempts = c.delivery.attempts + 1
            let status: ForecastDelivery.Status = failure == nil ? .delivered : (attempts >= options.maxAttempts ? .dead : .pending)
            let next = now.addingTimeInterval(options.firstRetry * pow(2, Double(attempts - 1)))
            try await repository.finish(c.delivery.id, status: status, attempts: attempts, nextAttempt: next, error: failure, at: now, audit: AuditEvent(
                actor: "system", action: "forecast.delivery.\(status == .pending ? "retry" : status.rawValue)", entityType: "forecast_delivery",
                entityId: c.delivery.id, regionKato: c.alert.regionKato,
                detail: "alert \(c.alert.id) to \(c.subscription.agency), attempt \(attempts)" + (failure.map { ": \($0)" } ?? "")))
        }
        return claimed.count
    }
}

/// Delivers due webhooks while the server runs (safe with several servers: deliveries are claimed first).
public struct WebhookDeliveryJob: BackgroundJob {
    public let centre: ForecastCentre
    public let interval: Duration
    public var name: String { "forecast-webhooks" }

    public init(centre: ForecastCentre, interval: Duration) {
        self.centre = centre
        self.interval = interval
    }

    public func runOnce(now: Date) async throws -> Int { try await centre.deliverDue(now: now) }
}
