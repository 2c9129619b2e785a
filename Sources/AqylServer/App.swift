import AqylCore
import AqylStore
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Settings of one running HTTP server (read once at the entry point).
public struct ServerConfig: Sendable {
    public var host: String
    public var port: Int
    /// How long a login token lasts.
    public var sessionLifetime: TimeInterval

    public init(host: String = "127.0.0.1", port: Int = 8080, sessionLifetime: TimeInterval = 8 * 3600) {
        self.host = host
        self.port = port
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

/// Every route the server answers: the platform's own (health, metrics, contract, core) and each module's.
public func allRoutes(platform: AqylPlatform, config: ServerConfig, registry: PrometheusCollectorRegistry) throws -> [APIRoute] {
    let openapi = try OpenAPIDocument.yaml()
    let persistence = platform.persistence
    var routes: [APIRoute] = [
        APIRoute(.get, "/health") { _ in
            struct Health: Encodable { var status = "ok"; var version = AqylVersion.value; var database: String }
            try await persistence.ping()
            return try .json(Health(database: persistence.engine))
        },
        APIRoute(.get, "/metrics") { _ in
            APIResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Data(registry.emitToBuffer()))
        },
        APIRoute(.get, "/openapi.yaml") { _ in .text(openapi, contentType: "application/yaml; charset=utf-8") },
    ]
    routes += CoreRoutes(core: platform.core, config: config, policy: { platform.decisionPolicy(for: $0) }).all
    for m in platform.modules { routes += m.routes }
    return routes
}

/// Builds the router with every route; tests use this directly.
public func buildRouter(platform: AqylPlatform, config: ServerConfig, registry: PrometheusCollectorRegistry) throws -> Router<AqylRequestContext> {
    let routes = try allRoutes(platform: platform, config: config, registry: registry)
    let router = Router(context: AqylRequestContext.self)
    router.add(middleware: ObservabilityMiddleware(metrics: HTTPMetrics(registry: registry), routes: RouteTable(routes)))
    router.add(middleware: AuthMiddleware(core: platform.core))
    for route in routes { register(route, on: router) }
    return router
}

/// Builds the whole application: the database's connection pool, each module's background jobs and the HTTP
/// server, one service group started in that order and stopped in reverse on SIGTERM/SIGINT. `prepare` runs once the
/// pool is up and before the server accepts requests (migrations, demo data); jobs wait for it.
public func buildApplication(platform: AqylPlatform, store: AqylStore?, config: ServerConfig, logger: Logger,
                             prepare: @escaping @Sendable () async throws -> Void) throws -> some ApplicationProtocol {
    let router = try buildRouter(platform: platform, config: config, registry: PrometheusCollectorRegistry())
    var app = Application(router: router, configuration: .init(address: .hostname(config.host, port: config.port), serverName: "aqyl"),
                          logger: logger)
    let ready = ReadyGate()
    if let store { app.addServices(DatabaseService(store: store)) }
    for job in platform.jobs { app.addServices(JobService(job: job, clock: platform.core.clock, ready: ready, logger: logger)) }
    app.beforeServerStarts {
        try await prepare()
        await ready.open()
    }
    return app
}

/// Keeps the database's connection pool running while the server runs; closes the database last.
struct DatabaseService: Service {
    let store: AqylStore

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await store.runConnections() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await store.close()
    }
}

/// Opens once, for the services that must wait for start-up work (migrations) to finish.
actor ReadyGate {
    private(set) var isOpen = false
    func open() { isOpen = true }

    /// Returns once open (or throws when the task is cancelled first).
    nonisolated func wait() async throws {
        while !(await isOpen) { try await Task.sleep(for: .milliseconds(50)) }
    }
}

/// Runs a module's background job every `interval` until the server shuts down.
struct JobService: Service {
    let job: any BackgroundJob
    let clock: AqylCore.Clock
    let ready: ReadyGate
    let logger: Logger

    func run() async throws {
        do { try await cancelWhenGracefulShutdown { try await ready.wait() } } catch { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // A pass in flight is cancelled on shutdown too (each item is claimed in its own transaction, so
                // what it did not reach is picked up by the next pass or server).
                let n = try await cancelWhenGracefulShutdown { try await job.runOnce(now: clock.now()) }
                if n > 0 { logger.info("\(job.name): \(n) items") }
            } catch {
                logger.error("\(job.name) failed", metadata: ["error": .string(String(describing: error))])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: job.interval) }
        }
    }
}
