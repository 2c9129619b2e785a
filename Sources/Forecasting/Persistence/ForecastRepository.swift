import AqylCore
import Foundation

/// An anomaly alert in the forecasting centre's analyst queue: counts for a region and category, never a person.
public struct StoredForecastAlert: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, confirmed, dismissed }

    public var id: String
    public var recommendationId: String
    public var regionKato: String
    public var category: String
    public var period: String
    public var observed: Int
    public var expected: Double
    public var pValue: Double
    public var qValue: Double
    public var model: String
    public var status: Status
    public var reviewedBy: String?
    public var reviewReason: String?
    public var reviewedAt: Date?
    public var createdAt: Date
}

/// An agency's subscription: alerts of a region (and everything below it) and of some categories (all when empty),
/// pushed to its webhook signed with the subscription's secret.
public struct ForecastSubscription: Sendable, Equatable, Codable {
    public var id: String
    public var agency: String
    public var regionKato: String
    public var categories: [String]
    public var webhookUrl: String
    public var createdBy: String
    public var createdAt: Date
}

/// One alert's delivery to one subscription: retried with backoff, then dead-lettered.
public struct ForecastDelivery: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, delivered, dead }

    public var id: String
    public var subscriptionId: String
    public var alertId: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
}

/// A delivery claimed for an attempt, with what the attempt needs.
public struct ClaimedDelivery: Sendable {
    public var delivery: ForecastDelivery
    public var subscription: ForecastSubscription
    public var secret: String
    public var alert: StoredForecastAlert
}

/// The forecasting centre's data. `SQLForecastRepository` in the platform database, `InMemoryForecastRepository`
/// for rule tests; every write lands with its audit entry.
public protocol ForecastRepository: Sendable {
    /// Stores an alert, its recommendation and one pending delivery per matching subscription.
    func insertAlert(_ alert: StoredForecastAlert, recommendation: Recommendation, deliveries: [ForecastDelivery], audit: AuditEvent) async throws
    func alert(id: String) async throws -> StoredForecastAlert?
    /// Oldest first (created, id).
    func alerts(in regions: RegionFilter, status: StoredForecastAlert.Status?, page: PageRequest) async throws -> Page<StoredForecastAlert>
    func review(_ alert: StoredForecastAlert, status: StoredForecastAlert.Status, decision: Decision, on recommendation: Recommendation,
                audit: AuditEvent) async throws

    func insertSubscription(_ subscription: ForecastSubscription, secret: String, audit: AuditEvent) async throws
    /// Every subscription (a short list: agencies, not people).
    func allSubscriptions() async throws -> [ForecastSubscription]

    /// Claims up to `limit` pending deliveries due at `now` for one attempt: each is pushed to `now + lease` first, so
    /// another server process does not take it while this one tries.
    func claimDue(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedDelivery]
    /// The attempt's outcome: delivered, retry at `nextAttempt`, or dead (no more attempts).
    func finish(_ deliveryId: String, status: ForecastDelivery.Status, attempts: Int, nextAttempt: Date, error: String?, at: Date,
                audit: AuditEvent) async throws
    /// By created, id.
    func deliveries(status: ForecastDelivery.Status?, page: PageRequest) async throws -> Page<ForecastDelivery>
}

public enum ForecastRepositories {
    public static func make(for persistence: any PlatformPersistence) throws -> any ForecastRepository {
        if let memory = persistence as? InMemoryStore { return InMemoryForecastRepository(memory) }
        return try SQLForecastRepository(persistence)
    }
}
