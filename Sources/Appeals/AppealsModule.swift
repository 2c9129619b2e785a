import AqylCore
import AqylML
import Foundation

/// Citizen reports and appeals as a platform module: tables, Open311 and native routes, the escalation job, demo.
public struct AppealsModule: DomainModule {
    public static let domain = AppealsService.domain
    public static let migrationVersions = AppealsMigrations.versions
    public static var migrations: [Migration] { AppealsMigrations.all }

    public let service: AppealsService

    public init(service: AppealsService) { self.service = service }

    /// Reads the appeals settings and loads the triage model once (`aqyl.triage.model`; keyword rules only without).
    public static func make(_ platform: PlatformContext) async throws -> AppealsModule {
        let config = try AppealsConfig.from(platform.config)
        let triage = try AppealTriage.load(modelPath: config.triageModelPath,
                                           wordVectorDirectories: TextWordVectors.searchDirectories(
                                               explicit: platform.config.string(forKey: "aqyl.embeddings.dir")))
        return AppealsModule(service: AppealsService(core: platform.core, repository: try AppealsRepositories.make(for: platform.persistence),
                                                     config: config, triage: triage))
    }

    public var routes: [APIRoute] { Open311Routes(service: service).all + AppealsRoutes(service: service).all }
    public var jobs: [any BackgroundJob] { [EscalationJob(service: service)] }
    public var demo: (any DemoSeed)? { AppealsDemo(service: service) }
}

/// Escalates overdue reports while the server runs (every `AppealsConfig.escalationInterval`, 5 minutes by default).
/// Several servers on one database may run it at once: each move is a conditional update, made once.
public struct EscalationJob: BackgroundJob {
    public let service: AppealsService
    public var name: String { "appeals.escalation" }
    public var interval: Duration { .milliseconds(Int64(max(1, service.config.escalationInterval) * 1000)) }
    public func runOnce(now: Date) async throws -> Int { try await service.escalateOverdue(now: now).count }
}
