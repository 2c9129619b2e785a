import AqylCore
import Configuration
import Foundation

/// Crime-threat forecasting as a platform module: the analysts' alert queue, agencies' subscriptions, signed
/// webhook deliveries (a background job, `aqyl.forecast.delivery.interval` seconds, 10 by default).
public struct ForecastingModule: DomainModule {
    public static let domain = ForecastCentre.domain
    public static let migrationVersions = ForecastMigrations.versions
    public static var migrations: [Migration] { ForecastMigrations.all }

    public let centre: ForecastCentre
    let deliveryInterval: Duration

    public init(centre: ForecastCentre, deliveryInterval: Duration = .seconds(10)) {
        self.centre = centre
        self.deliveryInterval = deliveryInterval
    }

    public static func make(_ platform: PlatformContext) async throws -> ForecastingModule {
        let seconds = platform.config.double(forKey: "aqyl.forecast.delivery.interval", default: 10)
        return ForecastingModule(centre: ForecastCentre(core: platform.core, repository: try ForecastRepositories.make(for: platform.persistence),
                                                        sender: HTTPWebhookSender()),
                                 deliveryInterval: .milliseconds(Int64(max(0.1, seconds) * 1000)))
    }

    public var decisionPolicy: DecisionPolicy { .ownRoute("POST /v1/forecast/alerts/{id}/review") }
    public var routes: [APIRoute] { ForecastRoutes(centre: centre).all }
    public var jobs: [any BackgroundJob] { [WebhookDeliveryJob(centre: centre, interval: deliveryInterval)] }
}
