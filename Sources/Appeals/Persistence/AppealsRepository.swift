import AqylCore
import Foundation

/// Which reports an official's list covers; built by `AppealsService` from the reader's scope and clearances.
public struct AppealListFilter: Sendable, Equatable {
    /// Reports located within these nodes.
    public var locations: RegionFilter
    /// Categories the reader may not see (restricted without clearance; police complaints below region level).
    public var excludedCategories: Set<AppealCategory>
    /// Only reports whose unit's queue is this node (the node's own working queue).
    public var queuedAt: String?
    public var category: AppealCategory?
    /// nil: any status.
    public var statuses: Set<AppealStatus>?

    public init(locations: RegionFilter, excludedCategories: Set<AppealCategory>, queuedAt: String? = nil,
                category: AppealCategory? = nil, statuses: Set<AppealStatus>? = nil) {
        self.locations = locations
        self.excludedCategories = excludedCategories
        self.queuedAt = queuedAt
        self.category = category
        self.statuses = statuses
    }

    /// The in-memory form of the same filter (the SQL repository writes it as SQL).
    public func matches(_ r: AppealReport) -> Bool {
        locations.contains(r.locationKato) && !excludedCategories.contains(r.category)
            && (queuedAt.map { r.queueKato == $0 } ?? true) && (category.map { r.category == $0 } ?? true)
            && (statuses.map { $0.contains(r.status) } ?? true)
    }
}

/// The public (Open311) list's filters: public categories only, always.
public struct PublicReportFilter: Sendable, Equatable {
    public var ids: [String]?
    public var categories: Set<AppealCategory>?
    /// Open311's `open` / `closed`.
    public var closed: Bool?
    public var from: Date?
    public var to: Date?
    public var limit: Int

    public init(ids: [String]? = nil, categories: Set<AppealCategory>? = nil, closed: Bool? = nil, from: Date? = nil, to: Date? = nil,
                limit: Int = 1000) {
        self.ids = ids
        self.categories = categories
        self.closed = closed
        self.from = from
        self.to = to
        self.limit = limit
    }

    public func matches(_ r: AppealReport) -> Bool {
        r.category.isPublic && (ids.map { $0.contains(r.id) } ?? true) && (categories.map { $0.contains(r.category) } ?? true)
            && (closed.map { r.status.isClosed == $0 } ?? true) && (from.map { r.createdAt >= $0 } ?? true)
            && (to.map { r.createdAt <= $0 } ?? true)
    }
}

/// A new report with everything that must land with it.
public struct NewReport: Sendable {
    public var report: AppealReport
    public var submittedBy: String
    public var digest: String
    public var history: StatusEvent
    /// The client's idempotency key, if any (a second report for the same client and key is refused).
    public var idempotencyKey: String?
    public var clientId: String
    public var trackingTokenHash: String
    /// The triage recommendation (nil for restricted categories, which never enter the shared queue).
    public var recommendation: Recommendation?
}

/// An officer's decision on a report's triage advice and the topic correction it carries, stored together.
public struct TriageDecisionRecord: Sendable {
    public var correctionId: String
    public var reportId: String
    public var topics: [RiskTopic]
    public var previousTopics: [RiskTopic]
    /// Whether the report's topics change (a correction was sent).
    public var updatesTopics: Bool
    public var outcome: String
    public var reason: String?
    public var officialId: String
    public var officialName: String
    public var at: Date
    /// The advisory-record decision, for reports that have a recommendation.
    public var decision: (Decision, Recommendation)?
}

/// One group of the analytics aggregate: reports located at `locationKato`, queued at `queueKato`, of a category,
/// open or closed, overdue or not.
public struct AppealCountRow: Sendable, Equatable {
    public var locationKato: String
    public var queueKato: String
    public var category: AppealCategory
    public var closed: Bool
    public var overdue: Bool
    public var count: Int
}

/// Appeals' data behind one protocol: `SQLAppealsRepository` in the platform database, `InMemoryAppealsRepository`
/// for rule tests. Each write is one unit of work with its audit entry.
public protocol AppealsRepository: Sendable {
    func clearances(userId: String) async throws -> Set<Clearance>
    func grant(_ clearance: Clearance, userId: String, grantedBy: String, at: Date, audit: AuditEvent) async throws

    /// Stores a report with its history, idempotency key, tracking token and recommendation. Throws
    /// `AppealsRaceLost` when the client's key was stored meanwhile.
    func insert(_ new: NewReport, audit: AuditEvent) async throws
    func idempotency(clientId: String, key: String) async throws -> (bodyHash: String, reportId: String)?
    func report(id: String) async throws -> AppealReport?
    func history(reportId: String) async throws -> [StatusEvent]
    func reportId(trackingTokenHash: String) async throws -> String?
    /// Reports of `category` created at or after `since` whose coordinates lie in the box (south, west, north, east).
    func located(category: AppealCategory, since: Date, box: (Double, Double, Double, Double)) async throws -> [(id: String, lat: Double, lon: Double)]

    /// Soonest deadline first (deadline, id).
    func reports(_ filter: AppealListFilter, page: PageRequest) async throws -> Page<AppealReport>
    /// Moves a report from `from` to the report's status; false when it was no longer in `from`.
    func transition(_ report: AppealReport, from: AppealStatus, history: StatusEvent, audit: AuditEvent) async throws -> Bool

    func hasTriageDecision(reportId: String) async throws -> Bool
    /// The decision (claiming the recommendation), the correction row and the topic change, in one transaction.
    func recordTriageDecision(_ record: TriageDecisionRecord, audit: AuditEvent) async throws
    func corrections() async throws -> [(text: String, topics: [RiskTopic])]

    /// Open reports below the centre whose deadline passed, soonest first, at most `limit`.
    func overdue(now: Date, limit: Int) async throws -> [AppealReport]
    /// Moves an overdue report up; false when it was closed or moved meanwhile (another process, say).
    func escalate(_ report: AppealReport, to target: Region, deadline: Date, now: Date, history: StatusEvent, audit: AuditEvent) async throws -> Bool

    /// Public categories only, newest first.
    func publicReports(_ filter: PublicReportFilter) async throws -> [AppealReport]

    /// Counts grouped by location, queue, category, closed and overdue, within `locations`.
    func counts(in locations: RegionFilter, excluding: Set<AppealCategory>, now: Date) async throws -> [AppealCountRow]
    /// The median hours from submission to closing over closed reports in `locations`; nil before the first.
    func medianHoursToClose(in locations: RegionFilter, excluding: Set<AppealCategory>) async throws -> Double?
    /// Reports and risk-topic counts per ISO week (Monday, UTC) of submission.
    func weeklyTopics(in locations: RegionFilter, excluding: Set<AppealCategory>) async throws -> [AppealsTopicWeek]
}

/// Raised by `insert` when a concurrent retry with the same idempotency key won.
public struct AppealsRaceLost: Error {}

/// Builds the appeals repository for the platform's persistence backend.
public enum AppealsRepositories {
    public static func make(for persistence: any PlatformPersistence) throws -> any AppealsRepository {
        if let memory = persistence as? InMemoryStore { return InMemoryAppealsRepository(memory) }
        return try SQLAppealsRepository(persistence)
    }
}
