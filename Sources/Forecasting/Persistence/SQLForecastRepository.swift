import AqylCore
import AqylStore
import Foundation
import SQLKit

/// The Forecasting domain's tables (versions 400–499).
public enum ForecastMigrations {
    public static let versions = 400...499
    public static let all: [Migration] = [v400]

    static let v400 = Migration(version: 400, name: "forecast: anomaly alerts, agencies' subscriptions, webhook deliveries") { _ in
        [
            """
            CREATE TABLE forecast_alerts (
                id TEXT PRIMARY KEY, recommendation_id TEXT NOT NULL UNIQUE REFERENCES recommendations (id),
                region_kato TEXT NOT NULL, category TEXT NOT NULL, period TEXT NOT NULL, observed BIGINT NOT NULL,
                expected DOUBLE PRECISION NOT NULL, p_value DOUBLE PRECISION NOT NULL, q_value DOUBLE PRECISION NOT NULL,
                model TEXT NOT NULL, status TEXT NOT NULL, reviewed_by TEXT, review_reason TEXT, reviewed_at BIGINT,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX forecast_alerts_queue ON forecast_alerts (region_kato, status, created_at)",
            """
            CREATE TABLE forecast_subscriptions (
                id TEXT PRIMARY KEY, agency TEXT NOT NULL, region_kato TEXT NOT NULL, categories TEXT NOT NULL,
                webhook_url TEXT NOT NULL, secret TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE forecast_deliveries (
                id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL REFERENCES forecast_subscriptions (id),
                alert_id TEXT NOT NULL REFERENCES forecast_alerts (id), status TEXT NOT NULL, attempts BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL, last_error TEXT, delivered_at BIGINT, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX forecast_deliveries_due ON forecast_deliveries (status, next_attempt_at)",
        ]
    }
}

/// `ForecastRepository` in the platform's SQL database.
public struct SQLForecastRepository: ForecastRepository {
    let store: AqylStore

    public init(_ persistence: any PlatformPersistence) throws { store = try AqylStore.required(persistence) }

    static func decodeAlert(_ r: any SQLRow) throws -> StoredForecastAlert {
        StoredForecastAlert(
            id: try r.decode(column: "id", as: String.self), recommendationId: try r.decode(column: "recommendation_id", as: String.self),
            regionKato: try r.decode(column: "region_kato", as: String.self), category: try r.decode(column: "category", as: String.self),
            period: try r.decode(column: "period", as: String.self), observed: try r.decode(column: "observed", as: Int.self),
            expected: try r.decode(column: "expected", as: Double.self), pValue: try r.decode(column: "p_value", as: Double.self),
            qValue: try r.decode(column: "q_value", as: Double.self), model: try r.decode(column: "model", as: String.self),
            status: StoredForecastAlert.Status(rawValue: try r.decode(column: "status", as: String.self)) ?? .pending,
            reviewedBy: try r.decode(column: "reviewed_by", as: String?.self), reviewReason: try r.decode(column: "review_reason", as: String?.self),
            reviewedAt: try r.decode(column: "reviewed_at", as: Int64?.self).map(Clock.date(millis:)),
            createdAt: Clock.date(millis: try r.decode(column: "created_at", as: Int64.self)))
    }

    static func decodeSubscription(_ r: any SQLRow) throws -> ForecastSubscription {
        let cats = try r.decode(column: "categories", as: String.self)
        return ForecastSubscription(
            id: try r.decode(column: "id", as: String.self), agency: try r.decode(column: "agency", as: String.self),
            regionKato: try r.decode(column: "region_kato", as: String.self),
            categories: cats.isEmpty ? [] : cats.split(separator: ",").map(String.init),
            webhookUrl: try r.decode(column: "webhook_url", as: String.self), createdBy: try r.decode(column: "created_by", as: String.self),
            createdAt: Clock.date(millis: try r.decode(column: "created_at", as: Int64.self)))
    }

    static func decodeDelivery(_ r: any SQLRow) throws -> ForecastDelivery {
        ForecastDelivery(
            id: try r.decode(column: "id", as: String.self), subscriptionId: try r.decode(column: "subscription_id", as: String.self),
            alertId: try r.decode(column: "alert_id", as: String.self),
            status: ForecastDelivery.Status(rawValue: try r.decode(column: "status", as: String.self)) ?? .pending,
            attempts: try r.decode(column: "attempts", as: Int.self),
            nextAttemptAt: Clock.date(millis: try r.decode(column: "next_attempt_at", as: Int64.self)),
            lastError: try r.decode(column: "last_error", as: String?.self),
            deliveredAt: try r.decode(column: "delivered_at", as: Int64?.self).map(Clock.date(millis:)),
            createdAt: Clock.date(millis: try r.decode(column: "created_at", as: Int64.self)))
    }

    public func insertAlert(_ a: StoredForecastAlert, recommendation rec: Recommendation, deliveries: [ForecastDelivery], audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.insertRecommendation(rec, audit: audit)
            try await tx.sql.raw("""
                INSERT INTO forecast_alerts (id, recommendation_id, region_kato, category, period, observed, expected, p_value, q_value,
                    model, status, created_at)
                VALUES (\(bind: a.id), \(bind: rec.id), \(bind: a.regionKato), \(bind: a.category), \(bind: a.period), \(bind: a.observed),
                        \(bind: a.expected), \(bind: a.pValue), \(bind: a.qValue), \(bind: a.model), \(bind: a.status.rawValue),
                        \(bind: Clock.millis(a.createdAt)))
                """).run()
            for d in deliveries {
                try await tx.sql.raw("""
                    INSERT INTO forecast_deliveries (id, subscription_id, alert_id, status, attempts, next_attempt_at, created_at)
                    VALUES (\(bind: d.id), \(bind: d.subscriptionId), \(bind: d.alertId), \(bind: d.status.rawValue), \(bind: d.attempts),
                            \(bind: Clock.millis(d.nextAttemptAt)), \(bind: Clock.millis(d.createdAt)))
                    """).run()
            }
        }
    }

    public func alert(id: String) async throws -> StoredForecastAlert? {
        try await store.read { sql in try await sql.raw("SELECT * FROM forecast_alerts WHERE id = \(bind: id)").first() }.map(Self.decodeAlert)
    }

    public func alerts(in regions: RegionFilter, status: StoredForecastAlert.Status?, page: PageRequest) async throws -> Page<StoredForecastAlert> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM forecast_alerts WHERE 1 = 1")
            q.appendRegionFilter("region_kato", regions)
            q.appendEquals("status", status?.rawValue)
            q.appendAfter(page.cursor, key: "created_at", id: "id")
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at, id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decodeAlert), limit: page.limit) { Cursor(key: Clock.millis($0.createdAt), id: $0.id) }
    }

    public func review(_ a: StoredForecastAlert, status: StoredForecastAlert.Status, decision: Decision, on rec: Recommendation,
                       audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.recordDecision(decision, on: rec, audit: audit)
            try await tx.sql.raw("""
                UPDATE forecast_alerts SET status = \(bind: status.rawValue), reviewed_by = \(bind: decision.officialName),
                    review_reason = \(bind: decision.reason), reviewed_at = \(bind: Clock.millis(decision.decidedAt))
                WHERE id = \(bind: a.id)
                """).run()
        }
    }

    public func insertSubscription(_ s: ForecastSubscription, secret: String, audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.sql.raw("""
                INSERT INTO forecast_subscriptions (id, agency, region_kato, categories, webhook_url, secret, created_by, created_at)
                VALUES (\(bind: s.id), \(bind: s.agency), \(bind: s.regionKato), \(bind: s.categories.joined(separator: ",")),
                        \(bind: s.webhookUrl), \(bind: secret), \(bind: s.createdBy), \(bind: Clock.millis(s.createdAt)))
                """).run()
            _ = try await tx.append(audit)
        }
    }

    public func allSubscriptions() async throws -> [ForecastSubscription] {
        try await store.read { sql in try await sql.raw("SELECT * FROM forecast_subscriptions ORDER BY id").all() }.map(Self.decodeSubscription)
    }

    public func claimDue(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedDelivery] {
        let nowMs = Clock.millis(now), leaseMs = Clock.millis(now.addingTimeInterval(lease))
        return try await store.transaction { tx in
            let due = try await tx.sql.raw("""
                SELECT id, next_attempt_at FROM forecast_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: nowMs)
                ORDER BY next_attempt_at, id LIMIT \(bind: limit)
                """).all()
            var out: [ClaimedDelivery] = []
            for row in due {
                let id = try row.decode(column: "id", as: String.self)
                let was = try row.decode(column: "next_attempt_at", as: Int64.self)
                // Conditional: another process that claimed it first moved next_attempt_at, and this update takes nothing.
                let claimed = try await tx.sql.raw("""
                    UPDATE forecast_deliveries SET next_attempt_at = \(bind: leaseMs)
                    WHERE id = \(bind: id) AND status = 'pending' AND next_attempt_at = \(bind: was) RETURNING id
                    """).all()
                guard !claimed.isEmpty else { continue }
                guard let d = try await tx.sql.raw("SELECT * FROM forecast_deliveries WHERE id = \(bind: id)").first().map(Self.decodeDelivery),
                      let srow = try await tx.sql.raw("SELECT * FROM forecast_subscriptions WHERE id = \(bind: d.subscriptionId)").first(),
                      let a = try await tx.sql.raw("SELECT * FROM forecast_alerts WHERE id = \(bind: d.alertId)").first().map(Self.decodeAlert)
                else { continue }
                out.append(ClaimedDelivery(delivery: d, subscription: try Self.decodeSubscription(srow),
                                           secret: try srow.decode(column: "secret", as: String.self), alert: a))
            }
            return out
        }
    }

    public func finish(_ deliveryId: String, status: ForecastDelivery.Status, attempts: Int, nextAttempt: Date, error: String?, at: Date,
                       audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.sql.raw("""
                UPDATE forecast_deliveries SET status = \(bind: status.rawValue), attempts = \(bind: attempts),
                    next_attempt_at = \(bind: Clock.millis(nextAttempt)), last_error = \(bind: error),
                    delivered_at = \(bind: status == .delivered ? Clock.millis(at) : nil)
                WHERE id = \(bind: deliveryId)
                """).run()
            _ = try await tx.append(audit)
        }
    }

    public func deliveries(status: ForecastDelivery.Status?, page: PageRequest) async throws -> Page<ForecastDelivery> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM forecast_deliveries WHERE 1 = 1")
            q.appendEquals("status", status?.rawValue)
            q.appendAfter(page.cursor, key: "created_at", id: "id")
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at, id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decodeDelivery), limit: page.limit) { Cursor(key: Clock.millis($0.createdAt), id: $0.id) }
    }
}
