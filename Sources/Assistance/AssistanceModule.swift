import AqylCore
import Foundation

/// Social assistance (ASP) as a platform module: its tables, its routes, its demo.
public struct AssistanceModule: DomainModule {
    public static let domain = AssistanceService.domain
    public static let migrationVersions = AssistanceMigrations.versions
    public static var migrations: [Migration] { AssistanceMigrations.all }

    public let service: AssistanceService

    public init(service: AssistanceService) { self.service = service }

    public static func make(_ platform: PlatformContext) async throws -> AssistanceModule {
        AssistanceModule(service: AssistanceService(core: platform.core,
                                                    repository: try AssistanceRepositories.make(for: platform.persistence)))
    }

    /// Decisions go through `POST /v1/assistance/applications/{id}/decision`, which also checks the statutory rule.
    public var decisionPolicy: DecisionPolicy { .ownRoute("POST /v1/assistance/applications/{id}/decision") }
    public var routes: [APIRoute] { AssistanceRoutes(service: service).all }
    public var demo: (any DemoSeed)? { AssistanceDemo(service: service) }
}
