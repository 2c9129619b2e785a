import AqylCore
import Foundation

/// `ForecastRepository` in memory, inside the core's `InMemoryStore` transactions. For rule tests.
public struct InMemoryForecastRepository: ForecastRepository {
    struct Tables: Sendable {
        var alerts: [String: StoredForecastAlert] = [:]
        var subscriptions: [String: (ForecastSubscription, String)] = [:]
        var deliveries: [String: ForecastDelivery] = [:]
    }
    static let key = "forecast"
    let memory: InMemoryStore

    public init(_ memory: InMemoryStore) { self.memory = memory }

    private func tables() async -> Tables { await memory.read { $0[table: Self.key, default: Tables()] } }

    public func insertAlert(_ alert: StoredForecastAlert, recommendation: Recommendation, deliveries: [ForecastDelivery], audit: AuditEvent) async throws {
        try await memory.transaction { s in
            try s.insertRecommendation(recommendation, audit: audit)
            s[table: Self.key, default: Tables()].alerts[alert.id] = alert
            for d in deliveries { s[table: Self.key, default: Tables()].deliveries[d.id] = d }
        }
    }

    public func alert(id: String) async throws -> StoredForecastAlert? { await tables().alerts[id] }

    public func alerts(in regions: RegionFilter, status: StoredForecastAlert.Status?, page: PageRequest) async throws -> Page<StoredForecastAlert> {
        let rows = await tables().alerts.values
            .filter { a in regions.contains(a.regionKato) && (status.map { a.status == $0 } ?? true) }
        return Page(keyset: rows, page: page, key: { Clock.millis($0.createdAt) }, id: \.id)
    }

    public func review(_ alert: StoredForecastAlert, status: StoredForecastAlert.Status, decision: Decision, on recommendation: Recommendation,
                       audit: AuditEvent) async throws {
        try await memory.transaction { s in
            try s.recordDecision(decision, on: recommendation, audit: audit)
            guard var a = s[table: Self.key, default: Tables()].alerts[alert.id] else { return }
            a.status = status
            a.reviewedBy = decision.officialName
            a.reviewReason = decision.reason
            a.reviewedAt = decision.decidedAt
            s[table: Self.key, default: Tables()].alerts[alert.id] = a
        }
    }

    public func insertSubscription(_ subscription: ForecastSubscription, secret: String, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            s[table: Self.key, default: Tables()].subscriptions[subscription.id] = (subscription, secret)
            s.append(audit)
        }
    }

    public func allSubscriptions() async throws -> [ForecastSubscription] {
        await tables().subscriptions.values.map(\.0).sorted { $0.id < $1.id }
    }

    public func claimDue(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedDelivery] {
        try await memory.transaction { s in
            var t = s[table: Self.key, default: Tables()]
            let due = t.deliveries.values.filter { $0.status == .pending && $0.nextAttemptAt <= now }
                .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }.prefix(limit)
            var out: [ClaimedDelivery] = []
            for var d in due {
                guard let (sub, secret) = t.subscriptions[d.subscriptionId], let alert = t.alerts[d.alertId] else { continue }
                d.nextAttemptAt = now.addingTimeInterval(lease)
                t.deliveries[d.id] = d
                out.append(ClaimedDelivery(delivery: d, subscription: sub, secret: secret, alert: alert))
            }
            s[table: Self.key, default: Tables()] = t
            return out
        }
    }

    public func finish(_ deliveryId: String, status: ForecastDelivery.Status, attempts: Int, nextAttempt: Date, error: String?, at: Date,
                       audit: AuditEvent) async throws {
        try await memory.transaction { s in
            guard var d = s[table: Self.key, default: Tables()].deliveries[deliveryId] else { return }
            d.status = status
            d.attempts = attempts
            d.nextAttemptAt = nextAttempt
            d.lastError = error
            if status == .delivered { d.deliveredAt = at }
            s[table: Self.key, default: Tables()].deliveries[deliveryId] = d
            s.append(audit)
        }
    }

    public func deliveries(status: ForecastDelivery.Status?, page: PageRequest) async throws -> Page<ForecastDelivery> {
        let rows = await tables().deliveries.values
            .filter { d in status.map { d.status == $0 } ?? true }
        return Page(keyset: rows, page: page, key: { Clock.millis($0.createdAt) }, id: \.id)
    }
}
