import AqylCore
import AqylKit
import AqylML
import AqylStore
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// The ASP domain's tables (versions 100–199).
public enum AssistanceMigrations {
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

/// One reason behind the model's probability, with labels in Kazakh, Russian and English.
public struct LabelledReason: Sendable, Codable, Equatable {
    public var feature: String
    public var labelKk: String
    public var labelRu: String
    public var labelEn: String
    public var value: String
    /// Signed contribution to the probability of eligibility.
    public var contribution: Double
}

/// The model's second opinion on one application.
public struct ModelOpinion: Sendable, Codable, Equatable {
    public var name: String
    public var version: String
    /// Calibrated probability that the household is eligible.
    public var probability: Double
    public var threshold: Double
    /// `approve` or `reject`.
    public var recommends: String
    public var reasons: [LabelledReason]
}

/// An ASP application as an officer sees it.
public struct ASPApplication: Sendable, Codable, Equatable {
    public var id: String
    public var recommendationId: String
    public var householdRef: String
    public var districtKato: String
    public var appliedOn: String
    public var status: String
    public var household: Household
    public var rule: RuleResult
    /// What the rule alone says: `approve` or `reject`.
    public var ruleRecommends: String
    public var model: ModelOpinion
    public var submittedBy: String
    public var createdAt: Date
    public var decidedBy: String?
    public var decisionReason: String?
    public var decidedAt: Date?
}

/// Agreement between the model and the officers for one district, model version and month.
public struct PilotRow: Sendable, Codable, Equatable {
    public var districtKato: String
    public var districtName: String
    public var modelVersion: String
    /// Month the application was submitted, `YYYY-MM` (UTC+5).
    public var month: String
    public var applications: Int
    public var pending: Int
    public var decided: Int
    public var agreedWithModel: Int
    public var overrodeModel: Int
    public var agreedWithRule: Int
    public var overrodeRule: Int
    public var modelAgreementRate: Double?
    public var modelOverrideRate: Double?
    public var ruleAgreementRate: Double?
    /// Share of decided applications the officer approved.
    public var approvalRate: Double?
}

/// The officer workflow: submit → rule + model → district queue → a named official decides; pilot statistics.
public final class AssistanceService: Sendable {
    public let store: AqylStore
    public static let domain = "assistance"
    private let cache = NIOLockedValueBox<EligibilityModel?>(nil)

    public init(store: AqylStore) { self.store = store }

    // MARK: models

    /// Stores a model in the database and makes it the active one (audited).
    public func install(_ model: EligibilityModel, actor: String) async throws {
        let data = try model.serialized()
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        let card = String(decoding: try e.encode(model.card), as: UTF8.self)
        let dialect = store.db.dialect
        let time = store.clock.now()
        try await store.db.transaction { sql in
            try await sql.raw("UPDATE assistance_models SET active = 0").run()
            try await sql.raw("DELETE FROM assistance_models WHERE version = \(bind: model.version)").run()
            try await sql.raw("""
                INSERT INTO assistance_models (version, name, model, card, installed_at, installed_by, active)
                VALUES (\(bind: model.version), \(bind: model.name), \(bind: data.base64EncodedString()), \(bind: card),
                        \(bind: Clock.millis(time)), \(bind: actor), 1)
                """).run()
            _ = try await AuditLog.append(AuditEvent(actor: actor, action: "assistance.model.install", entityType: "model",
                                                     entityId: model.version, detail: "\(model.name) \(model.version) is now active"),
                                          on: sql, dialect: dialect, at: time)
        }
        cache.withLockedValue { $0 = model }
    }

    /// The active model (cached after the first read).
    public func activeModel() async throws -> EligibilityModel {
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("SELECT version FROM assistance_models WHERE active = 1").all()
        }
        guard let version = try rows.first?.decode(column: "version", as: String.self) else {
            throw AqylError(.conflict, code: "no_model",
                            "no ASP model is installed; train one (aqyl assistance train) and install it (aqyl assistance install)")
        }
        if let m = cache.withLockedValue({ $0 }), m.version == version { return m }
        let text = try await store.db.withSQL { sql in
            try await sql.raw("SELECT model FROM assistance_models WHERE version = \(bind: version)").first()?.decode(column: "model", as: String.self)
        }
        guard let text, let data = Data(base64Encoded: text) else {
            throw AqylError(.internalError, code: "bad_model", "the stored model \(version) is damaged")
        }
        let model = try EligibilityModel(data: data, origin: "database model \(version)")
        cache.withLockedValue { $0 = model }
        return model
    }

    // MARK: figures

    /// Loads the built-in figures for every top-level region where none are stored yet.
    @discardableResult
    public func seedFigures() async throws -> Int {
        let regions = try await store.regions().filter { $0.level == .region }.map(\.kato)
        var added = 0
        for f in Kazakhstan.builtInFigures(regions: regions) {
            let exists = try await store.db.withSQL { sql in
                try await sql.raw("SELECT 1 AS x FROM assistance_figures WHERE region = \(bind: f.region) AND quarter = \(bind: f.quarter.description)").first()
            }
            if exists == nil { try await putFigures(f, actor: "system", audit: false); added += 1 }
        }
        return added
    }

    public func putFigures(_ f: RegionQuarterFigures, actor: String, audit: Bool = true) async throws {
        guard f.subsistenceMinimum.isFinite, f.subsistenceMinimum > 0 else {
            throw AqylError.invalid("subsistence_minimum", "subsistence minimum must be a positive number of tenge")
        }
        if let m = f.medianIncome, !(m.isFinite && m > 0) { throw AqylError.invalid("median_income", "median income must be a positive number of tenge") }
        try Region.validateCode(f.region, field: "region")
        guard try await store.directory().region(f.region)?.level == .region else {
            throw AqylError.invalid("region", "figures are set per region (oblast or city of republican significance), not for \(f.region)")
        }
        let dialect = store.db.dialect
        let time = store.clock.now()
        try await store.db.transaction { sql in
            try await sql.raw("DELETE FROM assistance_figures WHERE region = \(bind: f.region) AND quarter = \(bind: f.quarter.description)").run()
            try await sql.raw("""
                INSERT INTO assistance_figures (region, quarter, median_income, subsistence_minimum, source)
                VALUES (\(bind: f.region), \(bind: f.quarter.description), \(bind: f.medianIncome), \(bind: f.subsistenceMinimum), \(bind: f.source))
                """).run()
            if audit {
                _ = try await AuditLog.append(AuditEvent(actor: actor, action: "assistance.figures.set", entityType: "figures",
                                                         entityId: "\(f.region)/\(f.quarter)", regionKato: f.region,
                                                         detail: "subsistence minimum \(f.subsistenceMinimum), median \(f.medianIncome.map { String($0) } ?? "none")"),
                                              on: sql, dialect: dialect, at: time)
            }
        }
    }

    public func figures(region: String, quarter: Quarter) async throws -> RegionQuarterFigures? {
        let row = try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM assistance_figures WHERE region = \(bind: region) AND quarter = \(bind: quarter.description)").first()
        }
        guard let row else { return nil }
        return RegionQuarterFigures(region: region, quarter: quarter,
                                    medianIncome: try row.decode(column: "median_income", as: Double?.self),
                                    subsistenceMinimum: try row.decode(column: "subsistence_minimum", as: Double.self),
                                    source: try row.decode(column: "source", as: String.self))
    }

    public func allFigures() async throws -> [RegionQuarterFigures] {
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM assistance_figures ORDER BY region, quarter").all()
        }
        return try rows.map { row in
            RegionQuarterFigures(region: try row.decode(column: "region", as: String.self),
                                 quarter: try Quarter(try row.decode(column: "quarter", as: String.self)),
                                 medianIncome: try row.decode(column: "median_income", as: Double?.self),
                                 subsistenceMinimum: try row.decode(column: "subsistence_minimum", as: Double.self),
                                 source: try row.decode(column: "source", as: String.self))
        }
    }

    /// Shares and supplements: stored in settings as JSON, defaulting to the current law (35% / 70%, 1.5 MCI per child 1–6).
    public func ruleSettings() async throws -> RuleSettings {
        if let json = try await store.setting("assistance.rule_settings"),
           let s = try? JSONDecoder().decode(RuleSettings.self, from: Data(json.utf8)) { return s }
        return RuleSettings(childSupplement: Kazakhstan.childSupplement2026)
    }

    // MARK: applications

    /// Checks an application's household; throws naming the first bad field.
    public static func validate(_ h: Household) throws(AqylError) {
        guard !h.id.trimmingCharacters(in: .whitespaces).isEmpty, h.id.count <= 80 else {
            throw .invalid("household.id", "household id must be 1–80 characters")
        }
        try Region.validateCode(h.districtKato, field: "household.district_kato")
        guard !h.members.isEmpty, h.members.count <= 30 else { throw .invalid("household.members", "a household has 1–30 members") }
        guard h.members.filter({ $0.relation == .head }).count == 1 else {
            throw .invalid("household.members", "exactly one member must have relation 'head'")
        }
        for (i, m) in h.members.enumerated() {
            guard (0...120).contains(m.age) else { throw .invalid("household.members[\(i)].age", "age must be 0–120") }
            guard (0...3).contains(m.disabilityGroup) else {
                throw .invalid("household.members[\(i)].disability_group", "disability group must be 0 (none), 1, 2 or 3")
            }
            if m.pregnant && m.sex != .female { throw .invalid("household.members[\(i)].pregnant", "only a female member can be pregnant") }
        }
        guard h.incomes.count <= 600 else { throw .invalid("household.incomes", "at most 600 income records") }
        for (i, inc) in h.incomes.enumerated() {
            let parts = inc.month.split(separator: "-")
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let mo = Int(parts[1]),
                  (2000...2100).contains(y), (1...12).contains(mo) else {
                throw .invalid("household.incomes[\(i)].month", "month must look like 2026-07")
            }
            guard inc.amount.isFinite, inc.amount >= 0, inc.amount < 1e12 else {
                throw .invalid("household.incomes[\(i)].amount", "amount must be a non-negative number of tenge")
            }
        }
        let a = h.assets
        guard a.dwellings >= 0, a.vehicles >= 0, a.landHectares.isFinite, a.landHectares >= 0,
              a.livestockUnits.isFinite, a.livestockUnits >= 0 else {
            throw .invalid("household.assets", "asset counts and sizes must be non-negative numbers")
        }
        guard (1...50).contains(h.housing.rooms) else { throw .invalid("household.housing.rooms", "rooms must be 1–50") }
    }

    /// The rule and the model on one household, without storing anything (also used for previews).
    public func assess(_ household: Household, appliedOn: Date) async throws -> (RuleResult, ModelOpinion) {
        try Self.validate(household)
        let dir = try await store.directory()
        guard dir.region(household.districtKato) != nil else {
            throw AqylError.invalid("household.district_kato", "unknown district \(household.districtKato)", code: "unknown_region")
        }
        let quarter = Quarter.containing(appliedOn).previous
        let region = Kazakhstan.regionCode(of: household.districtKato)
        guard let figures = try await figures(region: region, quarter: quarter) else {
            throw AqylError(.conflict, code: "no_figures", "no poverty-line figures for region \(region), quarter \(quarter); set them with PUT /v1/assistance/figures",
                            field: "applied_on")
        }
        let rule = try StatutoryRule.evaluate(household, appliedOn: appliedOn, figures: figures, settings: try await ruleSettings())
        let model = try await activeModel()
        let hh = try Kazakhstan.table([(household, quarter)], features: model.featureNames)
        guard hh.ids.count == 1 else {
            throw AqylError.invalid("household", hh.rejected.first?.description ?? "the household could not be turned into model features")
        }
        let p = try model.probabilities(hh.table)[0]
        let top = try model.reasons(for: hh.table, row: 0, count: 5)
        let reasons = top.map { r -> LabelledReason in
            let v = hh.table.column(named: r.feature).map { col -> String in
                let x = Double(col.values[0])
                if col.kind.isCategorical { return !x.isNaN && col.kind.levels.indices.contains(Int(x)) ? col.kind.levels[Int(x)] : "unknown" }
                return x.isNaN ? "unknown" : (x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x))
            } ?? ""
            return LabelledReason(feature: r.feature, labelKk: Kazakhstan.label(r.feature, language: "kk"),
                                  labelRu: Kazakhstan.label(r.feature, language: "ru"), labelEn: Kazakhstan.label(r.feature, language: "en"),
                                  value: v, contribution: r.contribution)
        }
        let opinion = ModelOpinion(name: model.name, version: model.version, probability: p, threshold: model.threshold,
                                   recommends: p >= model.threshold ? "approve" : "reject", reasons: reasons)
        return (rule, opinion)
    }

    /// Submits an application: the rule and the model assess it, and it joins its district's queue (audited).
    public func submit(_ household: Household, appliedOn: Date, by submitter: Principal) async throws -> ASPApplication {
        try submitter.require(.officer, .admin, .integrator)
        let dir = try await store.directory()
        if dir.region(household.districtKato) != nil, !dir.isWithin(household.districtKato, scope: submitter.regionKato) {
            throw AqylError.forbidden("district \(household.districtKato) is outside your scope (\(submitter.regionKato))")
        }
        let (rule, opinion) = try await assess(household, appliedOn: appliedOn)
        let pseudonymizer = try await store.pseudonymizer()
        let headIIN = household.members.first { $0.relation == .head }?.iin
        let pseudonym = headIIN.map { pseudonymizer.pseudonym(for: $0) }
        let e = Self.encoder()
        // Minimisation: the stored household keeps no IIN (the head's pseudonym is on the record; age and sex stay).
        var stored = household
        for i in stored.members.indices { stored.members[i].iin = nil }
        let householdJSON = String(decoding: try e.encode(stored), as: UTF8.self)
        var digest = SHA256Digest()
        digest.update(string: householdJSON + "|" + Self.day(appliedOn))
        let score = opinion.recommends == "approve" ? opinion.probability : 1 - opinion.probability
        let rec = Recommendation(subject: "asp-application:\(household.id)", domain: Self.domain, modelName: opinion.name,
                                 modelVersion: opinion.version, score: score, outcome: opinion.recommends,
                                 reasons: opinion.reasons.map { Reason(feature: $0.feature, label: $0.labelEn, contribution: $0.contribution, value: $0.value) },
                                 inputDigest: digest.finalizeHex(), regionKato: household.districtKato, createdAt: store.clock.now(),
                                 subjectPseudonym: pseudonym)
        let app = ASPApplication(id: UUID().uuidString.lowercased(), recommendationId: rec.id, householdRef: household.id,
                              districtKato: household.districtKato, appliedOn: Self.day(appliedOn), status: "pending",
                              household: household, rule: rule, ruleRecommends: rule.eligible ? "approve" : "reject",
                              model: opinion, submittedBy: submitter.username, createdAt: rec.createdAt)
        let ruleJSON = String(decoding: try e.encode(rule), as: UTF8.self)
        let reasonsJSON = String(decoding: try e.encode(opinion.reasons), as: UTF8.self)
        _ = try await store.createRecommendation(rec, actor: submitter.username) { sql in
            try await sql.raw("""
                INSERT INTO assistance_applications (id, recommendation_id, household_ref, district_kato, applied_on, month,
                    household, head_pseudonym, rule, rule_eligible, model_name, model_version, probability, threshold, model_recommends,
                    reasons, created_at, submitted_by, status)
                VALUES (\(bind: app.id), \(bind: rec.id), \(bind: household.id), \(bind: household.districtKato), \(bind: app.appliedOn),
                        \(bind: Self.month(rec.createdAt)), \(bind: householdJSON), \(bind: pseudonym), \(bind: ruleJSON),
                        \(bind: rule.eligible ? 1 : 0), \(bind: opinion.name), \(bind: opinion.version), \(bind: opinion.probability),
                        \(bind: opinion.threshold), \(bind: opinion.recommends), \(bind: reasonsJSON), \(bind: Clock.millis(rec.createdAt)),
                        \(bind: submitter.username), 'pending')
                """).run()
        }
        return app
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
            status: try row.decode(column: "status", as: String.self),
            household: household, rule: rule, ruleRecommends: rule.eligible ? "approve" : "reject",
            model: ModelOpinion(name: try row.decode(column: "model_name", as: String.self),
                                version: try row.decode(column: "model_version", as: String.self),
                                probability: try row.decode(column: "probability", as: Double.self), threshold: try row.decode(column: "threshold", as: Double.self),
                                recommends: try row.decode(column: "model_recommends", as: String.self), reasons: reasons),
            submittedBy: try row.decode(column: "submitted_by", as: String.self),
            createdAt: Clock.date(millis: try row.decode(column: "created_at", as: Int64.self)),
            decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decisionReason: try row.decode(column: "decision_reason", as: String?.self),
            decidedAt: try row.decode(column: "decided_at", as: Int64?.self).map(Clock.date(millis:)))
    }

    /// One application, read by `reader` within their scope (audited as a read of personal data).
    public func application(id: String, reader: Principal, purpose: String = "assistance.application.read") async throws -> ASPApplication {
        let row = try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM assistance_applications WHERE id = \(bind: id)").first()
        }
        guard let row else { throw AqylError.notFound("application \(id)", field: "id") }
        let app = try Self.decodeApplication(row)
        guard try await store.directory().isWithin(app.districtKato, scope: reader.regionKato) else {
            throw AqylError.notFound("application \(id)", field: "id")
        }
        try await store.audit.record(AuditEvent(actor: reader.username, action: purpose, entityType: "application",
                                                entityId: id, regionKato: app.districtKato, personal: true))
        return app
    }

    /// The queue under the reader's scope (optionally one node below it), oldest first (audited).
    public func queue(reader: Principal, region: String?, status: String?, limit: Int) async throws -> [ASPApplication] {
        if let status, !["pending", "approved", "rejected"].contains(status) {
            throw AqylError.invalid("status", "status must be pending, approved or rejected")
        }
        let (node, rows) = try await store.queueRows(table: "assistance_applications", regionColumn: "district_kato", scope: reader.regionKato,
                                                     region: region, filters: [("status", status)], limit: limit)
        let apps = try rows.map(Self.decodeApplication)
        try await store.audit.record(AuditEvent(actor: reader.username, action: "assistance.application.list", entityType: "application",
                                                entityId: "*", regionKato: node, personal: true,
                                                detail: "\(apps.count) listed, status \(status ?? "any")"))
        return apps
    }

    /// A named official decides. A reason is required when the decision differs from the rule or from the model.
    public func decide(applicationId: String, official: Principal, outcome: String, reason: String?) async throws -> ASPApplication {
        try official.require(.officer, .admin)
        guard outcome == "approve" || outcome == "reject" else {
            throw AqylError.invalid("outcome", "outcome must be approve or reject")
        }
        let row = try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM assistance_applications WHERE id = \(bind: applicationId)").first()
        }
        guard let row else { throw AqylError.notFound("application \(applicationId)", field: "id") }
        let app = try Self.decodeApplication(row)
        guard try await store.directory().isWithin(app.districtKato, scope: official.regionKato) else {
            throw AqylError.notFound("application \(applicationId)", field: "id")
        }
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var disagreesWith: [String] = []
        if outcome != app.ruleRecommends { disagreesWith.append("the statutory rule ('\(app.ruleRecommends)')") }
        if outcome != app.model.recommends { disagreesWith.append("the model ('\(app.model.recommends)')") }
        if !disagreesWith.isEmpty && trimmed.isEmpty {
            throw AqylError(.badRequest, code: "reason_required",
                            "a reason is required: '\(outcome)' differs from \(disagreesWith.joined(separator: " and "))", field: "reason")
        }
        let status = outcome == "approve" ? "approved" : "rejected"
        let appId = app.id
        _ = try await store.decide(recommendationId: app.recommendationId, official: official, outcome: outcome,
                                   reason: trimmed.isEmpty ? nil : trimmed) { sql, _, decision in
            try await sql.raw("""
                UPDATE assistance_applications SET status = \(bind: status), decided_by = \(bind: official.username),
                    decision_reason = \(bind: decision.reason), decided_at = \(bind: Clock.millis(decision.decidedAt))
                WHERE id = \(bind: appId) AND status = 'pending'
                """).run()
        }
        return try await application(id: app.id, reader: official, purpose: "assistance.application.read")
    }

    // MARK: pilot statistics

    /// Agreement and override rates between the model, the rule and officers, by district, model version and month,
    /// over applications within `scope` (optionally one month `YYYY-MM`).
    public func pilotStatistics(scope: String, month: String? = nil) async throws -> [PilotRow] {
        let dir = try await store.directory()
        guard dir.region(scope) != nil else { throw AqylError.invalid("region", "unknown region \(scope)", code: "unknown_region") }
        let inScope = Set(dir.subtree(of: scope))
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("SELECT district_kato, model_version, month, status, rule_eligible, model_recommends FROM assistance_applications").all()
        }
        struct Key: Hashable { var d, v, m: String }
        var acc: [Key: PilotRow] = [:]
        var approvals: [Key: Int] = [:]
        for row in rows {
            let district = try row.decode(column: "district_kato", as: String.self)
            guard inScope.contains(district) else { continue }
            let m = try row.decode(column: "month", as: String.self)
            if let month, m != month { continue }
            let k = Key(d: district, v: try row.decode(column: "model_version", as: String.self), m: m)
            var r = acc[k] ?? PilotRow(districtKato: district, districtName: dir.region(district)?.nameEn ?? district,
                                       modelVersion: k.v, month: m, applications: 0, pending: 0, decided: 0, agreedWithModel: 0,
                                       overrodeModel: 0, agreedWithRule: 0, overrodeRule: 0)
            r.applications += 1
            let status = try row.decode(column: "status", as: String.self)
            if status == "pending" { r.pending += 1 } else {
                r.decided += 1
                let officer = status == "approved" ? "approve" : "reject"
                if officer == (try row.decode(column: "model_recommends", as: String.self)) { r.agreedWithModel += 1 } else { r.overrodeModel += 1 }
                let ruleSays = try row.decode(column: "rule_eligible", as: Int.self) != 0 ? "approve" : "reject"
                if officer == ruleSays { r.agreedWithRule += 1 } else { r.overrodeRule += 1 }
                if officer == "approve" { approvals[k, default: 0] += 1 }
            }
            acc[k] = r
        }
        return acc.map { k, r in
            var r = r
            if r.decided > 0 {
                let d = Double(r.decided)
                r.modelAgreementRate = Double(r.agreedWithModel) / d
                r.modelOverrideRate = Double(r.overrodeModel) / d
                r.ruleAgreementRate = Double(r.agreedWithRule) / d
                r.approvalRate = Double(approvals[k] ?? 0) / d
            }
            return r
        }.sorted { ($0.districtKato, $0.modelVersion, $0.month) < ($1.districtKato, $1.modelVersion, $1.month) }
    }

    // MARK: helpers

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    /// `YYYY-MM-DD` in UTC+5.
    public static func day(_ date: Date) -> String {
        let c = Quarter.kazakhstanCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// `YYYY-MM` in UTC+5.
    public static func month(_ date: Date) -> String { String(day(date).prefix(7)) }

    /// Parses `YYYY-MM-DD` as noon in UTC+5.
    public static func parseDay(_ s: String, field: String) throws(AqylError) -> Date {
        let p = s.split(separator: "-")
        guard p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (2000...2100).contains(y),
              let date = Quarter.kazakhstanCalendar.date(from: DateComponents(year: y, month: m, day: d, hour: 12)),
              day(date) == String(format: "%04d-%02d-%02d", y, m, d) else {
            throw .invalid(field, "\(field) must be a date like 2026-11-20")
        }
        return date
    }
}
