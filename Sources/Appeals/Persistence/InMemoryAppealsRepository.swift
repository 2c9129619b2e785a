import AqylCore
import Foundation

/// `AppealsRepository` in memory, inside the core's `InMemoryStore` transactions. For rule tests.
public struct InMemoryAppealsRepository: AppealsRepository {
    struct Tables: Sendable {
        var reports: [String: AppealReport] = [:]
        var history: [String: [StatusEvent]] = [:]
        var idempotency: [String: (bodyHash: String, reportId: String)] = [:]
        var tracking: [String: String] = [:]
        var clearances: [String: Set<Clearance>] = [:]
        var corrections: [(reportId: String, topics: [RiskTopic], at: Date)] = []
    }
    static let key = "appeals"
    let memory: InMemoryStore

    public init(_ memory: InMemoryStore) { self.memory = memory }

    private func tables() async -> Tables { await memory.read { $0[table: Self.key, default: Tables()] } }

    public func clearances(userId: String) async throws -> Set<Clearance> { await tables().clearances[userId] ?? [] }

    public func grant(_ clearance: Clearance, userId: String, grantedBy: String, at: Date, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            s[table: Self.key, default: Tables()].clearances[userId, default: []].insert(clearance)
            s.append(audit)
        }
    }

    static func appendHistory(_ e: StatusEvent, to t: inout Tables, reportId: String) {
        var e = e
        e.seq = (t.history[reportId]?.last?.seq ?? 0) + 1
        t.history[reportId, default: []].append(e)
    }

    public func insert(_ new: NewReport, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            var t = s[table: Self.key, default: Tables()]
            let idem = new.idempotencyKey.map { "\(new.clientId)\u{1}\($0)" }
            if let idem, t.idempotency[idem] != nil { throw AppealsRaceLost() }
            if let rec = new.recommendation { try s.insertRecommendation(rec, audit: .recommendationCreated(rec, actor: audit.actor)) }
            t.reports[new.report.id] = new.report
            Self.appendHistory(new.history, to: &t, reportId: new.report.id)
            if let idem { t.idempotency[idem] = (new.digest, new.report.id) }
            t.tracking[new.trackingTokenHash] = new.report.id
            s[table: Self.key, default: Tables()] = t
            s.append(audit)
        }
    }

    public func idempotency(clientId: String, key: String) async throws -> (bodyHash: String, reportId: String)? {
        await tables().idempotency["\(clientId)\u{1}\(key)"]
    }

    public func report(id: String) async throws -> AppealReport? { await tables().reports[id] }
    public func history(reportId: String) async throws -> [StatusEvent] { await tables().history[reportId] ?? [] }
    public func reportId(trackingTokenHash: String) async throws -> String? { await tables().tracking[trackingTokenHash] }

    public func located(category: AppealCategory, since: Date, box: (Double, Double, Double, Double)) async throws -> [(id: String, lat: Double, lon: Double)] {
        await tables().reports.values
            .filter { $0.category == category && $0.createdAt >= since }
            .compactMap { r in r.lat.flatMap { la in r.lon.map { (r, la, $0) } } }
            .filter { _, la, lo in la >= box.0 && la <= box.2 && lo >= box.1 && lo <= box.3 }
            .sorted { ($0.0.createdAt, $0.0.id) < ($1.0.createdAt, $1.0.id) }
            .map { ($0.0.id, $0.1, $0.2) }
    }

    public func reports(_ filter: AppealListFilter, page: PageRequest) async throws -> Page<AppealReport> {
        let rows = await tables().reports.values.filter(filter.matches)
        return Page(keyset: rows, page: page, key: { Clock.millis($0.deadlineAt) }, id: \.id)
    }

    public func transition(_ report: AppealReport, from: AppealStatus, history: StatusEvent, audit: AuditEvent) async throws -> Bool {
        try await memory.transaction { s in
            var t = s[table: Self.key, default: Tables()]
            guard var current = t.reports[report.id], current.status == from else { return false }
            current.status = report.status
            current.updatedAt = report.updatedAt
            current.closedAt = report.closedAt
            t.reports[report.id] = current
            Self.appendHistory(history, to: &t, reportId: report.id)
            s[table: Self.key, default: Tables()] = t
            s.append(audit)
            return true
        }
    }

    public func hasTriageDecision(reportId: String) async throws -> Bool {
        await tables().corrections.contains { $0.reportId == reportId }
    }

    public func recordTriageDecision(_ c: TriageDecisionRecord, audit: AuditEvent) async throws {
        try await memory.transaction { s in
            var t = s[table: Self.key, default: Tables()]
            if let (decision, rec) = c.decision {
                try s.recordDecision(decision, on: rec, audit: .decisionMade(decision, on: rec, actor: c.officialName))
            } else if t.corrections.contains(where: { $0.reportId == c.reportId }) {
                throw AqylError(.conflict, code: "already_decided", "the triage advice on this report has already been decided")
            }
            t.corrections.append((c.reportId, c.topics, c.at))
            if c.updatesTopics, var r = t.reports[c.reportId] {
                r.riskTopics = c.topics
                r.updatedAt = c.at
                t.reports[c.reportId] = r
            }
            s[table: Self.key, default: Tables()] = t
            s.append(audit)
        }
    }

    public func corrections() async throws -> [(text: String, topics: [RiskTopic])] {
        let t = await tables()
        return t.corrections.compactMap { c in t.reports[c.reportId].map { ($0.description, c.topics) } }
    }

    public func overdue(now: Date, limit: Int) async throws -> [AppealReport] {
        Array(await tables().reports.values
            .filter { !$0.status.isClosed && $0.deadlineAt < now && $0.level != .centre }
            .sorted { ($0.deadlineAt, $0.id) < ($1.deadlineAt, $1.id) }
            .prefix(limit))
    }

    public func escalate(_ report: AppealReport, to target: Region, deadline: Date, now: Date, history: StatusEvent,
                         audit: AuditEvent) async throws -> Bool {
        try await memory.transaction { s in
            var t = s[table: Self.key, default: Tables()]
            guard var r = t.reports[report.id], r.queueKato == report.queueKato, r.deadlineAt < now, !r.status.isClosed else { return false }
            r.queueKato = target.kato
            r.level = target.level
            r.deadlineAt = deadline
            r.updatedAt = now
            t.reports[report.id] = r
            Self.appendHistory(history, to: &t, reportId: report.id)
            s[table: Self.key, default: Tables()] = t
            s.append(audit)
            return true
        }
    }

    public func publicReports(_ filter: PublicReportFilter) async throws -> [AppealReport] {
        Array(await tables().reports.values.filter(filter.matches)
            .sorted { ($1.createdAt, $0.id) < ($0.createdAt, $1.id) }
            .prefix(filter.limit))
    }

    private func within(_ locations: RegionFilter, excluding: Set<AppealCategory>) async -> [AppealReport] {
        await tables().reports.values.filter { locations.contains($0.locationKato) && !excluding.contains($0.category) }
    }

    public func counts(in locations: RegionFilter, excluding: Set<AppealCategory>, now: Date) async throws -> [AppealCountRow] {
        var acc: [String: AppealCountRow] = [:]
        for r in await within(locations, excluding: excluding) {
            let row = AppealCountRow(locationKato: r.locationKato, queueKato: r.queueKato, category: r.category,
                                     closed: r.status.isClosed, overdue: r.isOverdue(at: now), count: 0)
            let k = "\(row.locationKato)|\(row.queueKato)|\(row.category.rawValue)|\(row.closed)|\(row.overdue)"
            acc[k, default: row].count += 1
        }
        return Array(acc.values)
    }

    public func medianHoursToClose(in locations: RegionFilter, excluding: Set<AppealCategory>) async throws -> Double? {
        let ms = await within(locations, excluding: excluding)
            .compactMap { r in r.closedAt.map { Clock.millis($0) - Clock.millis(r.createdAt) } }.sorted()
        guard !ms.isEmpty else { return nil }
        let mid = ms.count % 2 == 1 ? [ms[ms.count / 2]] : [ms[ms.count / 2 - 1], ms[ms.count / 2]]
        return Double(mid.reduce(0, +)) / Double(mid.count) / 3_600_000
    }

    public func weeklyTopics(in locations: RegionFilter, excluding: Set<AppealCategory>) async throws -> [AppealsTopicWeek] {
        var weeks: [Int64: AppealsTopicWeek] = [:]
        for r in await within(locations, excluding: excluding) {
            let w = (Clock.millis(r.createdAt) / 1000 + 259_200) / 604_800
            var week = weeks[w] ?? AppealsTopicWeek(weekStart: AppealsTopicWeek.start(ofWeek: w), reports: 0, topics: [:])
            week.reports += 1
            for t in Set(r.riskTopics) { week.topics[t.rawValue, default: 0] += 1 }
            weeks[w] = week
        }
        return weeks.keys.sorted().compactMap { weeks[$0] }
    }
}
