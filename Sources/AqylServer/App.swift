import AqylCore
import AqylStore
import Assistance
import Vision
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Settings of one running server.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    /// bcrypt cost for passwords set through the API.
    public var bcryptCost: UInt8
    /// How long a login token lasts.
    public var sessionLifetime: TimeInterval

    public init(host: String = "127.0.0.1", port: Int = 8080, bcryptCost: UInt8 = 12, sessionLifetime: TimeInterval = 8 * 3600) {
        self.host = host
        self.port = port
        self.bcryptCost = bcryptCost
        self.sessionLifetime = sessionLifetime
    }
}

/// The OpenAPI contract shipped with the server.
public enum OpenAPIDocument {
    public static func yaml() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw AqylError(.internalError, code: "openapi_missing", "openapi.yaml is missing from the bundle")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// Builds the router with every route; tests use this directly.
public func buildRouter(store: AqylStore, config: AppConfig, registry: PrometheusCollectorRegistry) throws -> Router<AqylRequestContext> {
    let router = Router(context: AqylRequestContext.self)
    router.add(middleware: ObservabilityMiddleware(metrics: HTTPMetrics(registry: registry)))
    router.add(middleware: AuthMiddleware(store: store))
    let openapi = try OpenAPIDocument.yaml()

    router.get("health") { _, _ in
        struct Health: Encodable { var status = "ok"; var version = AqylVersion.value; var database: String }
        try await store.db.withSQL { sql in try await sql.raw("SELECT 1").run() }
        return try JSON.response(Health(database: store.db.dialect.rawValue))
    }
    router.get("metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                 body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
    router.get("openapi.yaml") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: openapi)))
    }
    CoreRoutes(store: store, config: config).register(on: router)
    AssistanceRoutes(store: store, service: AssistanceService(store: store)).register(on: router)
    VisionRoutes(store: store, service: VisionService(store: store)).register(on: router)
    try AppealsRoutes(store: store).register(on: router)
    return router
}

/// Builds the whole application: router, server, and the store closed on shutdown.
public func buildApplication(store: AqylStore, config: AppConfig, logger: Logger) throws -> some ApplicationProtocol {
    let router = try buildRouter(store: store, config: config, registry: PrometheusCollectorRegistry())
    var app = Application(router: router, configuration: .init(address: .hostname(config.host, port: config.port),
                                                               serverName: "aqyl"),
                          logger: logger)
    app.addServices(StoreService(store: store))
    app.addServices(try AppealsRoutes.escalationService(store: store, logger: logger))
    return app
}

/// Closes the database after the HTTP server has drained, on SIGTERM/SIGINT.
struct StoreService: Service {
    let store: AqylStore
    func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}
