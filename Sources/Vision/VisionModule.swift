import AqylCore
import Foundation

/// Video events as a platform module: camera configurations, the event queue, the operator's review, the demo replay.
public struct VisionModule: DomainModule {
    public static let domain = VisionService.domain
    public static let migrationVersions = VisionMigrations.versions
    public static var migrations: [Migration] { VisionMigrations.all }

    public let service: VisionService

    public init(service: VisionService) { self.service = service }

    public static func make(_ platform: PlatformContext) async throws -> VisionModule {
        VisionModule(service: VisionService(core: platform.core, repository: try VisionRepositories.make(for: platform.persistence)))
    }

    /// Reviews go through `POST /v1/vision/events/{id}/review`, which also checks the outcome.
    public var decisionPolicy: DecisionPolicy { .ownRoute("POST /v1/vision/events/{id}/review") }
    public var routes: [APIRoute] { VisionRoutes(service: service).all }
    public var demo: (any DemoSeed)? { VisionDemo(service: service) }
}
