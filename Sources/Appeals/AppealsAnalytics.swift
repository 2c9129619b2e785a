import AqylCore
import AqylStore
import Foundation

/// Counts for one node of the control-centre tree (centre, region or district).
public struct AppealsNodeStats: Sendable, Codable, Equatable {
    public var kato: String
    public var name: String
    public var level: Region.Level
    /// Reports located within the node that are not closed.
    public var open: Int
    /// Open reports past their deadline.
    public var overdue: Int
    public var closed: Int
    /// Open reports the node's own units hold now (escalated to it, or routed to it).
    public var queuedHere: Int
    /// Median hours from submission to closing, over closed reports; nil before the first.
    public var medianHoursToClose: Double?
}

/// Risk-topic counts of one ISO week (by submission time, UTC).
public struct AppealsTopicWeek: Sendable, Codable, Equatable {
    /// Monday of the week, `YYYY-MM-DD`.
    public var weekStart: String
    public var reports: Int
    public var topics: [String: Int]
}

public struct AppealsAnalytics: Sendable, Codable, Equatable {
    public var node: AppealsNodeStats
    public var children: [AppealsNodeStats]
    public var byCategory: [String: Int]
    public var topicTrends: [AppealsTopicWeek]
    /// Restricted categories the reader is not cleared for are left out of every figure.
    public var excludedCategories: [String]
    public var generatedAt: Date
}

extension AppealsService {
    /// Analytics for `region` (default: the reader's node) and its children. Aggregates only: no descriptions,
    /// no locations. A category the reader is not cleared for is left out of every count.
    /// `clearances` overrides the reader's stored clearances (the CLI, run by the database's operator, passes all).
    public func analytics(reader: Principal, region: String? = nil, clearances override: Set<Clearance>? = nil) async throws -> AppealsAnalytics {
        try reader.require(.analyst, .officer, .operator, .admin)
        let dir = try await store.directory()
        let node = region ?? reader.regionKato
        guard let nodeRegion = dir.region(node) else { throw AqylError.invalid("region", "unknown region \(node)", code: "unknown_region") }
        guard dir.isWithin(node, scope: reader.regionKato) else {
            throw AqylError.forbidden("region \(node) is outside your scope (\(reader.regionKato))")
        }
        let cl: Set<Clearance>
        if let override { cl = override } else { cl = try await clearances(userId: reader.userId) }
        var excluded = AppealCategory.allCases.filter { c in c.requiredClearance.map { !cl.contains($0) } ?? false }
        // Police complaints are never visible below region level (see `canSee`), not even as counts.
        if let level = dir.region(reader.regionKato)?.level, level > .region { excluded.append(.policeComplaint) }
        let reports = try await scan(under: node, dir: dir).filter { !excluded.contains($0.category) }
        let now = clock.now()

        func stats(_ r: Region) -> AppealsNodeStats {
            let sub = r.kato == node ? reports : reports.filter { dir.isWithin($0.locationKato, scope: r.kato) }
            let open = sub.filter { !$0.status.isClosed }
            let hours = sub.compactMap { x in x.closedAt.map { $0.timeIntervalSince(x.createdAt) / 3600 } }.sorted()
            let median: Double? = hours.isEmpty ? nil
                : hours.count % 2 == 1 ? hours[hours.count / 2] : (hours[hours.count / 2 - 1] + hours[hours.count / 2]) / 2
            return AppealsNodeStats(kato: r.kato, name: r.nameEn ?? r.nameRu, level: r.level, open: open.count,
                                    overdue: open.filter { $0.isOverdue(at: now) }.count,
                                    closed: sub.count - open.count,
                                    queuedHere: open.filter { $0.queueKato == r.kato }.count,
                                    medianHoursToClose: median.map { ($0 * 100).rounded() / 100 })
        }

        var byCategory: [String: Int] = [:]
        for r in reports { byCategory[r.category.rawValue, default: 0] += 1 }
        var utc = Calendar(identifier: .iso8601)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let fmt = DateFormatter()
        fmt.calendar = utc
        fmt.timeZone = utc.timeZone
        fmt.locale = Locale(identifier: "en_US_POSIX")
        fmt.dateFormat = "yyyy-MM-dd"
        var weeks: [String: AppealsTopicWeek] = [:]
        for r in reports {
            let start = utc.dateInterval(of: .weekOfYear, for: r.createdAt)?.start ?? r.createdAt
            let key = fmt.string(from: start)
            var w = weeks[key] ?? AppealsTopicWeek(weekStart: key, reports: 0, topics: [:])
            w.reports += 1
            for t in r.riskTopics { w.topics[t.rawValue, default: 0] += 1 }
            weeks[key] = w
        }
        let result = AppealsAnalytics(
            node: stats(nodeRegion), children: dir.children(of: node).map(stats), byCategory: byCategory,
            topicTrends: weeks.values.sorted { $0.weekStart < $1.weekStart },
            excludedCategories: excluded.map(\.rawValue), generatedAt: now)
        try await store.audit.record(AuditEvent(actor: reader.username, action: "appeal.analytics", entityType: "appeal",
                                                entityId: "*", regionKato: node, detail: "\(reports.count) reports aggregated"))
        return result
    }
}
