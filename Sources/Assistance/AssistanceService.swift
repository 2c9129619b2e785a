import AqylCore
import AqylKit
import AqylML
import Foundation

/// The officer workflow: submit → rule + model → district queue → a named official decides; pilot statistics.
/// Rules only: storage is the repository's, HTTP the routes'.
public final class AssistanceService: Sendable {
    public static let domain = "assistance"
    public let core: CoreServices
    public let repository: any AssistanceRepository
    private let cache = LockedValue<EligibilityModel?>(nil)

    public init(core: CoreServices, repository: any AssistanceRepository) {
        self.core = core
        self.repository = repository
    }

    var clock: Clock { core.clock }

    // MARK: models

    /// Stores a model and makes it the active one (audited).
    public func install(_ model: EligibilityModel, actor: String) async throws {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        let stored = StoredModel(version: model.version, name: model.name, data: try model.serialized().base64EncodedString(),
                                 card: String(decoding: try e.encode(model.card), as: UTF8.self),
                                 installedAt: clock.now(), installedBy: actor)
        try await repository.installModel(stored, audit: AuditEvent(
            actor: actor, action: "assistance.model.install", entityType: "model", entityId: model.version,
            detail: "\(model.name) \(model.version) is now active"))
        cache.withLock { $0 = model }
    }

    /// The active model (cached after the first read).
    public func activeModel() async throws -> EligibilityModel {
        guard let version = try await repository.activeModelVersion() else {
            throw AqylError(.conflict, code: "no_model",
                            "no ASP model is installed; train one (aqyl assistance train) and install it (aqyl assistance install)")
        }
        if let m = cache.current, m.version == version { return m }
        guard let stored = try await repository.model(version: version), let data = Data(base64Encoded: stored.data) else {
            throw AqylError(.internalError, code: "bad_model", "the stored model \(version) is damaged")
        }
        let model = try EligibilityModel(data: data, origin: "database model \(version)")
        cache.withLock { $0 = model }
        return model
    }

    // MARK: figures

    /// Loads the built-in figures for every top-level region where none are stored yet.
    @discardableResult
    public func seedFigures() async throws -> Int {
        let regions = try await core.directory().byCode.values.filter { $0.level == .region }.map(\.kato).sorted()
        var added = 0
        for f in Kazakhstan.builtInFigures(regions: regions) where try await repository.figures(region: f.region, quarter: f.quarter) == nil {
            try await putFigures(f, actor: "system", audit: false)
            added += 1
        }
        return added
    }

    public func putFigures(_ f: RegionQuarterFigures, actor: String, audit: Bool = true) async throws {
        guard f.subsistenceMinimum.isFinite, f.subsistenceMinimum > 0 else {
            throw AqylError.invalid("subsistence_minimum", "subsistence minimum must be a positive number of tenge")
        }
        if let m = f.medianIncome, !(m.isFinite && m > 0) { throw AqylError.invalid("median_income", "median income must be a positive number of tenge") }
        try Region.validateCode(f.region, field: "region")
        guard try await core.directory().region(f.region)?.level == .region else {
            throw AqylError.refused("region", "figures are set per region (oblast or city of republican significance), not for \(f.region)")
        }
        try f.source.checkText("source", max: 500)
        try await repository.putFigures(f, audit: audit ? AuditEvent(
            actor: actor, action: "assistance.figures.set", entityType: "figures", entityId: "\(f.region)/\(f.quarter)",
            regionKato: f.region,
            detail: "subsistence minimum \(f.subsistenceMinimum), median \(f.medianIncome.map { String($0) } ?? "none")") : nil)
    }

    /// An admin sets figures for a region within their scope.
    public func putFigures(_ f: RegionQuarterFigures, by admin: Principal) async throws {
        try admin.require(.admin)
        try Region.validateCode(f.region, field: "region")
        try admin.requireScope(f.region, in: try await core.directory())
        try await putFigures(f, actor: admin.username)
    }

    public func figures(region: String, quarter: Quarter) async throws -> RegionQuarterFigures? {
        try await repository.figures(region: region, quarter: quarter)
    }

    public func figures(region: String?, page: PageRequest) async throws -> Page<RegionQuarterFigures> {
        try await repository.figures(region: region, page: page)
    }

    /// Shares and supplements: stored in settings as JSON, defaulting to the current law (35% / 70%, 1.5 MCI per child 1–6).
    public func ruleSettings() async throws -> RuleSettings {
        if let json = try await core.store.setting("assistance.rule_settings"),
           let s = try? JSONDecoder().decode(RuleSettings.self, from: Data(json.utf8)) { return s }
        return RuleSettings(childSupplement: Kazakhstan.childSupplement2026)
    }

    // MARK: applications

    /// Checks an application's household; throws naming the first bad field.
    public static func validate(_ h: Household) throws(AqylError) {
        try h.id.checkText("household.id", max: 80)
        try Region.validateCode(h.districtKato, field: "household.district_kato")
        guard !h.members.isEmpty, h.members.count <= 30 else { throw .invalid("household.members", "a household has 1–30 members") }
        guard h.members.filter({ $0.relation == .head }).count == 1 else {
            throw .refused("household.members", "exactly one member must have relation 'head'")
        }
        for (i, m) in h.members.enumerated() {
            guard (0...120).contains(m.age) else { throw .invalid("household.members[\(i)].age", "age must be 0–120") }
            guard (0...3).contains(m.disabilityGroup) else {
                throw .invalid("household.members[\(i)].disability_group", "disability group must be 0 (none), 1, 2 or 3")
            }
            if m.pregnant && m.sex != .female { throw .refused("household.members[\(i)].pregnant", "only a female member can be pregnant") }
        }
        guard h.incomes.count <= 600 else { throw .invalid("household.incomes", "at most 600 income records") }
        for (i, inc) in h.incomes.enumerated() {
            let parts = inc.month.split(separator: "-", omittingEmptySubsequences: false)
            guard inc.month.count == 7, parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]),
                  let mo = Int(parts[1]), (2000...2100).contains(y), (1...12).contains(mo) else {
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
        guard try await core.directory().region(household.districtKato) != nil else {
            throw AqylError.refused("household.district_kato", "unknown district \(household.districtKato)", code: "unknown_region")
        }
        let quarter = Quarter.containing(appliedOn).previous
        let region = Kazakhstan.regionCode(of: household.districtKato)
        guard let figures = try await figures(region: region, quarter: quarter) else {
            throw AqylError(.conflict, code: "no_figures", "no poverty-line figures for region \(region), quarter \(quarter); set them with PUT /v1/assistance/figures",
                            field: "applied_on")
        }
        let rule = try StatutoryRule.evaluate(household, appliedOn: appliedOn, figures: figures, settings: try await ruleSettings())
        let model = try await activeModel()
        return (rule, try Self.opinion(of: model, on: household, quarter: quarter))
    }

    /// The model's probability and top reasons for one household, labelled in three languages.
    static func opinion(of model: EligibilityModel, on household: Household, quarter: Quarter) throws -> ModelOpinion {
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
        return ModelOpinion(name: model.name, version: model.version, probability: p, threshold: model.threshold,
                            recommends: p >= model.threshold ? .approve : .reject, reasons: reasons)
    }

    /// Submits an application: the rule and the model assess it, and it joins its district's queue (audited).
    /// The answer still holds the IINs it came with; what is stored does not (the head's pseudonym is kept).
    public func submit(_ household: Household, appliedOn: Date, by submitter: Principal) async throws -> ASPApplication {
        try submitter.require(.officer, .admin, .integrator)
        let dir = try await core.directory()
        if dir.region(household.districtKato) != nil, !dir.isWithin(household.districtKato, scope: submitter.regionKato) {
            throw AqylError.forbidden("district \(household.districtKato) is outside your scope (\(submitter.regionKato))")
        }
        let (rule, opinion) = try await assess(household, appliedOn: appliedOn)
        let pseudonymizer = try await core.pseudonymizer()
        let pseudonym = household.members.first { $0.relation == .head }?.iin.map { pseudonymizer.pseudonym(for: $0) }
        // Minimisation: the stored household keeps no IIN (the head's pseudonym is on the record; age and sex stay).
        var stored = household
        for i in stored.members.indices { stored.members[i].iin = nil }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        let day = KazakhstanTime.day(appliedOn)
        let digest = Hashing.sha256Hex(String(decoding: try e.encode(stored), as: UTF8.self) + "|" + day)
        let score = opinion.recommends == .approve ? opinion.probability : 1 - opinion.probability
        let now = clock.now()
        let rec = Recommendation(subject: "asp-application:\(household.id)", domain: Self.domain, modelName: opinion.name,
                                 modelVersion: opinion.version, score: score, outcome: opinion.recommends.rawValue,
                                 reasons: opinion.reasons.map { Reason(feature: $0.feature, label: $0.labelEn, contribution: $0.contribution, value: $0.value) },
                                 inputDigest: digest, regionKato: household.districtKato, createdAt: now, subjectPseudonym: pseudonym)
        try await core.validateNew(rec)
        var app = ASPApplication(id: UUID().uuidString.lowercased(), recommendationId: rec.id, householdRef: household.id,
                                 districtKato: household.districtKato, appliedOn: day, status: .pending,
                                 household: stored, headPseudonym: pseudonym, rule: rule, ruleRecommends: ASPOutcome(eligible: rule.eligible),
                                 model: opinion, submittedBy: submitter.username, createdAt: now)
        try await repository.insert(app, month: KazakhstanTime.month(now), recommendation: rec,
                                    audit: .recommendationCreated(rec, actor: submitter.username))
        app.household = household
        return app
    }

    /// One application, read by `reader` within their scope (audited as a read of personal data).
    public func application(id: String, reader: Principal, purpose: String = "assistance.application.read") async throws -> ASPApplication {
        try reader.require(.officer, .admin, .auditor)
        guard let app = try await repository.application(id: id),
              try await core.directory().isWithin(app.districtKato, scope: reader.regionKato) else {
            throw AqylError.notFound("application \(id)", field: "id")
        }
        try await core.recordRead(AuditEvent(actor: reader.username, action: purpose, entityType: "application",
                                             entityId: id, regionKato: app.districtKato, personal: true))
        return app
    }

    /// The queue under the reader's scope (optionally one node below it), oldest first, a page at a time (audited).
    public func queue(reader: Principal, region: String?, status: ApplicationStatus?, page: PageRequest) async throws -> Page<ASPApplication> {
        try reader.require(.officer, .admin, .auditor)
        let (node, filter, _) = try await core.scope(of: reader, region: region)
        let result = try await repository.applications(ApplicationFilter(regions: filter, status: status), page: page)
        try await core.recordRead(AuditEvent(actor: reader.username, action: "assistance.application.list", entityType: "application",
                                             entityId: "*", regionKato: node, personal: true,
                                             detail: "\(result.items.count) listed, status \(status?.rawValue ?? "any")"))
        return result
    }

    /// A named official decides. A reason is required when the decision differs from the rule or from the model.
    public func decide(applicationId: String, official: Principal, outcome: ASPOutcome, reason: String?) async throws -> ASPApplication {
        try official.require(.officer, .admin)
        guard let app = try await repository.application(id: applicationId),
              try await core.directory().isWithin(app.districtKato, scope: official.regionKato) else {
            throw AqylError.notFound("application \(applicationId)", field: "id")
        }
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let disagreesWith = app.disagreements(with: outcome)
        if !disagreesWith.isEmpty && trimmed.isEmpty {
            throw AqylError(.unprocessable, code: "reason_required",
                            "a reason is required: '\(outcome.rawValue)' differs from \(disagreesWith.joined(separator: " and "))", field: "reason")
        }
        let (rec, decision) = try await core.prepareDecision(recommendationId: app.recommendationId, official: official,
                                                             outcome: outcome.rawValue, reason: trimmed.isEmpty ? nil : trimmed)
        try await repository.decide(app, status: ApplicationStatus(decision: outcome), decision: decision, on: rec,
                                    audit: .decisionMade(decision, on: rec, actor: official.username))
        return try await application(id: app.id, reader: official, purpose: "assistance.application.read")
    }

    // MARK: pilot statistics

    /// Agreement and override rates between the model, the rule and officers, by district, model version and month,
    /// over applications within `region` (default: the reader's node; optionally one month `YYYY-MM`).
    public func pilotStatistics(reader: Principal, region: String?, month: String? = nil) async throws -> [PilotRow] {
        try reader.require(.officer, .analyst, .admin, .auditor)
        if let month { try KazakhstanTime.validateMonth(month, field: "month") }
        let (_, filter, dir) = try await core.scope(of: reader, region: region)
        return try await repository.pilotCounts(in: filter, month: month).map { c in
            PilotRow(districtKato: c.districtKato, districtName: dir.region(c.districtKato)?.nameEn ?? c.districtKato,
                     modelVersion: c.modelVersion, month: c.month, counts: c)
        }.sorted { ($0.districtKato, $0.modelVersion, $0.month) < ($1.districtKato, $1.modelVersion, $1.month) }
    }

    /// The same statistics for the database's operator (the CLI), over a node of their choosing.
    public func pilotStatistics(scope: String, month: String? = nil) async throws -> [PilotRow] {
        try await pilotStatistics(reader: Principal(userId: "cli", username: "cli", role: .admin, regionKato: Region.centreCode),
                                  region: scope, month: month)
    }
}
