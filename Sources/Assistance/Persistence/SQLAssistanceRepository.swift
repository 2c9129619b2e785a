import AqylCore
import AqylStore
import Foundation
import SQLKit

/// The ASP domain's tables (versions 100–199).
public enum AssistanceMigrations {
    public static let versions = 100...199
    public static let all: [Migration] = [v100]

    static let v100 = Migration(version: 100, name: "assistance: models, rule figures, applications") { _ in
        [
            """
            CREATE TABLE assistance_models (
                version TEXT PRIMARY KEY, name TEXT NOT NULL, model TEXT NOT NULL, card TEXT NOT NULL,
                installed_at BIGINT NOT NULL, installed_by TEXT NOT NULL, active INTEGER NOT NULL)
            """,
            """
            CREATE TABLE assistance_figures (
                region TEXT NOT NULL, quarter TEXT NOT NULL, median_income DOUBLE PRECISION,
                subsistence_minimum DOUBLE PRECISION NOT NULL, source TEXT NOT NULL, PRIMARY KEY (region, quarter))
            """,
            """
            CREATE TABLE assistance_applications (
                id TEXT PRIMARY KEY, recommendation_id TEXT NOT NULL UNIQUE REFERENCES recommendations (id),
                household_ref TEXT NOT NULL, district_kato TEXT NOT NULL, applied_on TEXT NOT NULL, month TEXT NOT NULL,
                household TEXT NOT NULL, head_pseudonym TEXT, rule TEXT NOT NULL, rule_eligible INTEGER NOT NULL,
                model_name TEXT NOT NULL, model_version TEXT NOT NULL, probability DOUBLE PRECISION NOT NULL, threshold DOUBLE PRECISION NOT NULL,
                model_recommends TEXT NOT NULL, reasons TEXT NOT NULL, created_at BIGINT NOT NULL, submitted_by TEXT NOT NULL,
                status TEXT NOT NULL, decided_by TEXT, decision_reason TEXT, decided_at BIGINT)
            """,
            "CREATE INDEX assistance_applications_queue ON assistance_applications (district_kato, status, created_at)",
        ]
    }
}

/// `AssistanceRepository` in the platform's SQL database.
public struct SQLAssistanceRepository: AssistanceRepository {
    let store: AqylStore

    public init(_ persistence: any PlatformPersistence) throws { store = try AqylStore.required(persistence) }

    static func json<T: Encodable>(_ v: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return String(decoding: try e.encode(v), as: UTF8.self)
    }

    // MARK: models

    public func installModel(_ model: StoredModel, audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.sql.raw("UPDATE assistance_models SET active = 0").run()
            try await tx.sql.raw("DELETE FROM assistance_models WHERE version = \(bind: model.version)").run()
            try await tx.sql.raw("""
                INSERT INTO assistance_models (version, name, model, card, installed_at, installed_by, active)
                VALUES (\(bind: model.version), \(bind: model.name), \(bind: model.data), \(bind: model.card),
                        \(bind: Clock.millis(model.installedAt)), \(bind: model.installedBy), 1)
                """).run()
            try await tx.append(audit)
        }
    }

    public func activeModelVersion() async throws -> String? {
        try await store.read { sql in
            try await sql.raw("SELECT version FROM assistance_models WHERE active = 1").first()?.decode(column: "version", as: String.self)
        }
    }

    public func model(version: String) async throws -> StoredModel? {
        let row = try await store.read { sql in
            try await sql.raw("SELECT * FROM assistance_models WHERE version = \(bind: version)").first()
        }
        guard let row else { return nil }
        return StoredModel(version: version, name: try row.decode(column: "name", as: String.self),
                           data: try row.decode(column: "model", as: String.self), card: try row.decode(column: "card", as: String.self),
                           installedAt: Clock.date(millis: try row.decode(column: "installed_at", as: Int64.self)),
                           installedBy: try row.decode(column: "installed_by", as: String.self))
    }

    // MARK: figures

    static func decodeFigures(_ row: any SQLRow) throws -> RegionQuarterFigures {
        RegionQuarterFigures(region: try row.decode(column: "region", as: String.self),
                             quarter: try Quarter(try row.decode(column: "quarter", as: String.self)),
                             medianIncome: try row.decode(column: "median_income", as: Double?.self),
                             subsistenceMinimum: try row.decode(column: "subsistence_minimum", as: Double.self),
                             source: try row.decode(column: "source", as: String.self))
    }

    public func figures(region: String, quarter: Quarter) async throws -> RegionQuarterFigures? {
        try await store.read { sql in
            try await sql.raw("SELECT * FROM assistance_figures WHERE region = \(bind: region) AND quarter = \(bind: quarter.description)").first()
        }.map(Self.decodeFigures)
    }

    public func putFigures(_ f: RegionQuarterFigures, audit: AuditEvent?) async throws {
        try await store.transaction { tx in
            try await tx.sql.raw("DELETE FROM assistance_figures WHERE region = \(bind: f.region) AND quarter = \(bind: f.quarter.description)").run()
            try await tx.sql.raw("""
                INSERT INTO assistance_figures (region, quarter, median_income, subsistence_minimum, source)
                VALUES (\(bind: f.region), \(bind: f.quarter.description), \(bind: f.medianIncome), \(bind: f.subsistenceMinimum), \(bind: f.source))
                """).run()
            if let audit { try await tx.append(audit) }
        }
    }

    public func figures(region: String?, page: PageRequest) async throws -> Page<RegionQuarterFigures> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM assistance_figures WHERE 1 = 1")
            q.appendEquals("region", region)
            if let c = page.cursor {
                // The cursor's id is "region/quarter": keyset on the primary key.
                let parts = c.id.split(separator: "/", maxSplits: 1).map(String.init)
                q.appendInterpolation(unsafeRaw: " AND (region > ")
                q.appendInterpolation(bind: parts.first ?? "")
                q.appendInterpolation(unsafeRaw: " OR (region = ")
                q.appendInterpolation(bind: parts.first ?? "")
                q.appendInterpolation(unsafeRaw: " AND quarter > ")
                q.appendInterpolation(bind: parts.count > 1 ? parts[1] : "")
                q.appendInterpolation(unsafeRaw: "))")
            }
            q.appendInterpolation(unsafeRaw: " ORDER BY region, quarter LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decodeFigures), limit: page.limit) { Cursor(key: 0, id: "\($0.region)/\($0.quarter)") }
    }

    // MARK: applications

    public func insert(_ app: ASPApplication, month: String, recommendation rec: Recommendation, audit: AuditEvent) async throws {
        let household = try Self.json(app.household)
        let rule = try Self.json(app.rule)
        let reasons = try Self.json(app.model.reasons)
        try await store.transaction { tx in
            try await tx.insertRecommendation(rec, audit: audit)
            try await tx.sql.raw("""
                INSERT INTO assistance_applications (id, recommendation_id, household_ref, district_kato, applied_on, month,
                    household, head_pseudonym, rule, rule_eligible, model_name, model_version, probability, threshold, model_recommends,
                    reasons, created_at, submitted_by, status)
                VALUES (\(bind: app.id), \(bind: rec.id), \(bind: app.householdRef), \(bind: app.districtKato), \(bind: app.appliedOn),
                        \(bind: month), \(bind: household), \(bind: app.headPseudonym), \(bind: rule),
                        \(bind: app.rule.eligible ? 1 : 0), \(bind: app.model.name), \(bind: app.model.version), \(bind: app.model.probability),
                        \(bind: app.model.threshold), \(bind: app.model.recommends.rawValue), \(bind: reasons), \(bind: Clock.millis(app.createdAt)),
                        \(bind: app.submittedBy), \(bind: app.status.rawValue))
                """).run()
        }
    }

    static func decodeApplication(_ row: any SQLRow) throws -> ASPApplication {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        let household = try d.decode(Household.self, from: Data(try row.decode(column: "household", as: String.self).utf8))
        let rule = try d.decode(RuleResult.self, from: Data(try row.decode(column: "rule", as: String.self).utf8))
        let reasons = try d.decode([LabelledReason].self, from: Data(try row.decode(column: "reasons", as: String.self).utf8))
        return ASPApplication(
            id: try row.decode(column: "id", as: String.self),
            recommendationId: try row.decode(column: "recommendation_id", as: String.self),
            householdRef: try row.decode(column: "household_ref", as: String.self),
            districtKato: try row.decode(column: "district_kato", as: String.self),
            appliedOn: try row.decode(column: "applied_on", as: String.self),
            status: ApplicationStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            household: household, headPseudonym: try row.decode(column: "head_pseudonym", as: String?.self),
            rule: rule, ruleRecommends: ASPOutcome(eligible: rule.eligible),
            model: ModelOpinion(name: try row.decode(column: "model_name", as: String.self),
                                version: try row.decode(column: "model_version", as: String.self),
                                probability: try row.decode(column: "probability", as: Double.self),
                                threshold: try row.decode(column: "threshold", as: Double.self),
                                recommends: ASPOutcome(rawValue: try row.decode(column: "model_recommends", as: String.self)) ?? .reject,
                                reasons: reasons),
            submittedBy: try row.decode(column: "submitted_by", as: String.self),
            createdAt: Clock.date(millis: try row.decode(column: "created_at", as: Int64.self)),
            decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decisionReason: try row.decode(column: "decision_reason", as: String?.self),
            decidedAt: try row.decode(column: "decided_at", as: Int64?.self).map(Clock.date(millis:)))
    }

    public func application(id: String) async throws -> ASPApplication? {
        try await store.read { sql in
            try await sql.raw("SELECT * FROM assistance_applications WHERE id = \(bind: id)").first()
        }.map(Self.decodeApplication)
    }

    public func applications(_ filter: ApplicationFilter, page: PageRequest) async throws -> Page<ASPApplication> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM assistance_applications WHERE 1 = 1")
            q.appendRegionFilter("district_kato", filter.regions)
            q.appendEquals("status", filter.status?.rawValue)
            q.appendAfter(page.cursor, key: "created_at", id: "id")
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at, id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decodeApplication), limit: page.limit) {
            Cursor(key: Clock.millis($0.createdAt), id: $0.id)
        }
    }

    public func decide(_ app: ASPApplication, status: ApplicationStatus, decision: Decision, on rec: Recommendation,
                       audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.recordDecision(decision, on: rec, audit: audit)
            try await tx.sql.raw("""
                UPDATE assistance_applications SET status = \(bind: status.rawValue), decided_by = \(bind: decision.officialName),
                    decision_reason = \(bind: decision.reason), decided_at = \(bind: Clock.millis(decision.decidedAt))
                WHERE id = \(bind: app.id) AND status = 'pending'
                """).run()
        }
    }

    public func pilotCounts(in regions: RegionFilter, month: String?) async throws -> [PilotCounts] {
        let rows = try await store.read { sql in
            var q = SQLQueryString("""
                SELECT district_kato, model_version, month, COUNT(*) AS applications,
                    SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
                    SUM(CASE WHEN (status = 'approved' AND model_recommends = 'approve')
                              OR (status = 'rejected' AND model_recommends = 'reject') THEN 1 ELSE 0 END) AS agreed_model,
                    SUM(CASE WHEN (status = 'approved' AND rule_eligible = 1)
                              OR (status = 'rejected' AND rule_eligible = 0) THEN 1 ELSE 0 END) AS agreed_rule,
                    SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END) AS approved
                FROM assistance_applications WHERE 1 = 1
                """)
            q.appendRegionFilter("district_kato", regions)
            q.appendEquals("month", month)
            q.appendInterpolation(unsafeRaw: " GROUP BY district_kato, model_version, month")
            return try await sql.raw(q).all()
        }
        return try rows.map { row in
            var c = PilotCounts(districtKato: try row.decode(column: "district_kato", as: String.self),
                                modelVersion: try row.decode(column: "model_version", as: String.self),
                                month: try row.decode(column: "month", as: String.self))
            c.applications = try row.decode(column: "applications", as: Int.self)
            c.pending = try row.decode(column: "pending", as: Int.self)
            c.agreedWithModel = try row.decode(column: "agreed_model", as: Int.self)
            c.agreedWithRule = try row.decode(column: "agreed_rule", as: Int.self)
            c.approved = try row.decode(column: "approved", as: Int.self)
            return c
        }
    }
}
