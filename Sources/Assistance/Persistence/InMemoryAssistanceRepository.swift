import AqylCore
import Foundation

/// `AssistanceRepository` in memory, inside the core's `InMemoryStore` transactions (so an application and its
/// recommendation land together or not at all). For rule tests; not for production.
public struct InMemoryAssistanceRepository: AssistanceRepository {
    struct Tables: Sendable {
        var models: [String: StoredModel] = [:]
        var active: String?
        var figures: [String: RegionQuarterFigures] = [:]
        var applications: [String: ASPApplication] = [:]
        var months: [String: String] = [:]
    }
    static let key = "assistance"
    let memory: InMemoryStore

    public init(_ memory: InMemoryStore) { self.memory = memory }

    private func tables() async -> Tables { await memory.read { $0[table: Self.key, default: Tables()] } }

    public func installModel(_ model: StoredModel, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            s[table: Self.key, default: Tables()].models[model.version] = model
            s[table: Self.key, default: Tables()].active = model.version
            s.append(audit)
        }
    }

    public func activeModelVersion() async throws -> String? { await tables().active }
    public func model(version: String) async throws -> StoredModel? { await tables().models[version] }

    public func figures(region: String, quarter: Quarter) async throws -> RegionQuarterFigures? {
        await tables().figures["\(region)/\(quarter)"]
    }

    public func putFigures(_ figures: RegionQuarterFigures, audit: AuditEvent?) async throws {
        try await memory.transaction { s in
            s[table: Self.key, default: Tables()].figures["\(figures.region)/\(figures.quarter)"] = figures
            if let audit { s.append(audit) }
        }
    }

    public func figures(region: String?, page: PageRequest) async throws -> Page<RegionQuarterFigures> {
        let rows = await tables().figures.values.filter { f in region.map { f.region == $0 } ?? true }
            .filter { f in page.cursor.map { "\(f.region)/\(f.quarter)" > $0.id } ?? true }
            .sorted { ($0.region, $0.quarter) < ($1.region, $1.quarter) }
        return Page(rows: Array(rows.prefix(page.limit + 1)), limit: page.limit) { Cursor(key: 0, id: "\($0.region)/\($0.quarter)") }
    }

    public func insert(_ application: ASPApplication, month: String, recommendation: Recommendation, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            try s.insertRecommendation(recommendation, audit: audit)
            s[table: Self.key, default: Tables()].applications[application.id] = application
            s[table: Self.key, default: Tables()].months[application.id] = month
        }
    }

    public func application(id: String) async throws -> ASPApplication? { await tables().applications[id] }

    public func applications(_ filter: ApplicationFilter, page: PageRequest) async throws -> Page<ASPApplication> {
        let rows = await tables().applications.values.filter { a in
            filter.regions.contains(a.districtKato) && (filter.status.map { a.status == $0 } ?? true)
        }
        return Page(keyset: rows, page: page, key: { Clock.millis($0.createdAt) }, id: \.id)
    }

    public func decide(_ application: ASPApplication, status: ApplicationStatus, decision: Decision, on recommendation: Recommendation,
                       audit: AuditEvent) async throws {
        try await memory.transaction { s in
            try s.recordDecision(decision, on: recommendation, audit: audit)
            guard var a = s[table: Self.key, default: Tables()].applications[application.id], a.status == .pending else { return }
            a.status = status
            a.decidedBy = decision.officialName
            a.decisionReason = decision.reason
            a.decidedAt = decision.decidedAt
            s[table: Self.key, default: Tables()].applications[application.id] = a
        }
    }

    public func pilotCounts(in regions: RegionFilter, month: String?) async throws -> [PilotCounts] {
        let t = await tables()
        var acc: [[String]: PilotCounts] = [:]
        for a in t.applications.values where regions.contains(a.districtKato) {
            let m = t.months[a.id] ?? ""
            if let month, m != month { continue }
            let k = [a.districtKato, a.model.version, m]
            var c = acc[k] ?? PilotCounts(districtKato: a.districtKato, modelVersion: a.model.version, month: m)
            c.add(a)
            acc[k] = c
        }
        return Array(acc.values)
    }
}
