import AqylCore
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

extension AppealsTopicWeek {
    /// Monday of week `n` counted from the epoch (UTC): 1970-01-01 was a Thursday, so week n starts
    /// n × 7 days − 3 days after it.
    public static func start(ofWeek n: Int64) -> String {
        let seconds = n * 604_800 - 259_200
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let c = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}

extension AppealsService {
    /// Analytics for `region` (default: the reader's node) and its children, aggregated by the database (no report
    /// is read whole). Aggregates only: no descriptions, no locations. A category the reader is not cleared for is
    /// left out of every count. `clearances` overrides the reader's stored clearances (the CLI, run by the database's
    /// operator, passes all).
    public func analytics(reader: Principal, region: String? = nil, clearances override: Set<Clearance>? = nil) async throws -> AppealsAnalytics {
        try reader.require(.analyst, .officer, .operator, .admin)
        let (node, locations, dir) = try await core.scope(of: reader, region: region)
        guard let nodeRegion = dir.region(node) else { throw AqylError.invalid("region", "unknown region \(node)", code: "unknown_region") }
        let cl: Set<Clearance>
        if let override { cl = override } else { cl = try await clearances(userId: reader.userId) }
        let excluded = Self.hiddenCategories(clearances: cl, readerLevel: dir.region(reader.regionKato)?.level)
        let now = clock.now()
        let rows = try await repository.counts(in: locations, excluding: excluded, now: now)

        func stats(_ r: Region) async throws -> AppealsNodeStats {
            let sub = r.kato == node ? rows : rows.filter { dir.isWithin($0.locationKato, scope: r.kato) }
            let open = sub.filter { !$0.closed }
            let median = try await repository.medianHoursToClose(in: r.kato == node ? locations : RegionFilter.subtree(of: r.kato, in: dir),
                                                                 excluding: excluded)
            return AppealsNodeStats(kato: r.kato, name: r.nameEn ?? r.nameRu, level: r.level,
                                    open: open.reduce(0) { $0 + $1.count },
                                    overdue: open.filter(\.overdue).reduce(0) { $0 + $1.count },
                                    closed: sub.filter(\.closed).reduce(0) { $0 + $1.count },
                                    queuedHere: open.filter { $0.queueKato == r.kato }.reduce(0) { $0 + $1.count },
                                    medianHoursToClose: median.map { ($0 * 100).rounded() / 100 })
        }

        var byCategory: [String: Int] = [:]
        for r in rows { byCategory[r.category.rawValue, default: 0] += r.count }
        var children: [AppealsNodeStats] = []
        for c in dir.children(of: node) { children.append(try await stats(c)) }
        let result = AppealsAnalytics(
            node: try await stats(nodeRegion), children: children, byCategory: byCategory,
            topicTrends: try await repository.weeklyTopics(in: locations, excluding: excluded),
            excludedCategories: excluded.map(\.rawValue).sorted(), generatedAt: now)
        try await core.recordRead(AuditEvent(actor: reader.username, action: "appeal.analytics", entityType: "appeal",
                                             entityId: "*", regionKato: node, detail: "\(rows.reduce(0) { $0 + $1.count }) reports aggregated"))
        return result
    }
}
