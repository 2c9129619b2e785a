import AqylCore
import Foundation

/// Filters of the district ASP queue.
public struct ApplicationFilter: Sendable, Equatable {
    public var regions: RegionFilter
    public var status: ApplicationStatus?

    public init(regions: RegionFilter, status: ApplicationStatus? = nil) {
        self.regions = regions
        self.status = status
    }
}

/// The ASP domain's data: models, rule figures, applications. Every write is one unit of work with its audit
/// entry (and, for applications, the advisory record's rows). `SQLAssistanceRepository` keeps it in the platform's
/// database; `InMemoryAssistanceRepository` in memory, for rule tests.
public protocol AssistanceRepository: Sendable {
    /// Stores a model and makes it the only active one.
    func installModel(_ model: StoredModel, audit: AuditEvent) async throws
    func activeModelVersion() async throws -> String?
    func model(version: String) async throws -> StoredModel?

    func figures(region: String, quarter: Quarter) async throws -> RegionQuarterFigures?
    /// Replaces the figures of one region and quarter; `audit` nil for built-in figures loaded by the system.
    func putFigures(_ figures: RegionQuarterFigures, audit: AuditEvent?) async throws
    /// Figures by region and quarter (optionally one region), a page at a time.
    func figures(region: String?, page: PageRequest) async throws -> Page<RegionQuarterFigures>

    /// Stores an application (its household already stripped of IINs) with its recommendation, in one unit of work.
    func insert(_ application: ASPApplication, month: String, recommendation: Recommendation, audit: AuditEvent) async throws
    func application(id: String) async throws -> ASPApplication?
    /// Oldest first (created, id).
    func applications(_ filter: ApplicationFilter, page: PageRequest) async throws -> Page<ASPApplication>
    /// Records the official's decision on the application's recommendation (claiming it: 409 when already decided)
    /// and the application's new status, in one unit of work.
    func decide(_ application: ASPApplication, status: ApplicationStatus, decision: Decision, on recommendation: Recommendation,
                audit: AuditEvent) async throws
    /// Counts per district, model version and submission month, within `regions` (optionally one month).
    func pilotCounts(in regions: RegionFilter, month: String?) async throws -> [PilotCounts]
}

/// Builds the ASP repository for the platform's persistence backend.
public enum AssistanceRepositories {
    public static func make(for persistence: any PlatformPersistence) throws -> any AssistanceRepository {
        if let memory = persistence as? InMemoryStore { return InMemoryAssistanceRepository(memory) }
        return try SQLAssistanceRepository(persistence)
    }
}
