import AqylCore
import AqylDemo
import AqylServer
import AqylStore
import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Testing

/// Each backend the platform must work on. PostgreSQL runs where `AQYL_TEST_POSTGRES_URL` is set
/// (`scripts/test.sh` starts one); without it those cases are skipped with a note. `memory` is the in-memory store
/// (no database at all).
public enum ServerBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres, memory
    public var testDescription: String { rawValue }

    /// SQLite and, where a server is configured, PostgreSQL: the databases every HTTP flow must work on.
    public static var databases: [ServerBackend] {
        if ProcessInfo.processInfo.environment["AQYL_TEST_POSTGRES_URL"] == nil {
            print("note: AQYL_TEST_POSTGRES_URL is not set; PostgreSQL cases skipped (scripts/test.sh sets it)")
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }

    /// A new, empty database: a temporary SQLite file or a PostgreSQL schema of its own.
    public func freshLocation() throws -> DatabaseLocation {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        switch self {
        case .sqlite, .memory:
            return .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-test-\(id).sqlite").path)
        case .postgres:
            let url = try #require(ProcessInfo.processInfo.environment["AQYL_TEST_POSTGRES_URL"])
            return try DatabaseLocation.parse(url + "?schema=t_\(id)")
        }
    }
}

/// Runs `body` with a store on a fresh database of `backend` (migrated), its connection pool running beside it.
/// For `.memory`, an `InMemoryStore`.
public func withPersistence<T: Sendable>(_ backend: ServerBackend, clock: AqylCore.Clock = .system,
                                         _ body: @Sendable (any PlatformPersistence, AqylStore?) async throws -> T) async throws -> T {
    if backend == .memory {
        return try await body(InMemoryStore(clock: clock), nil)
    }
    return try await AqylStore.withStore(try backend.freshLocation(), clock: clock, migrations: try AqylPlatform.migrations()) { store in
        try await body(store, store)
    }
}

/// A fresh platform and its router over a new database, with the demo users (cheap bcrypt for speed), the generic
/// demo queue and the demo content of the modules in `demo`.
public struct TestServer: Sendable {
    public let platform: AqylPlatform
    /// Every route the router serves.
    public let routes: [APIRoute]
    /// The SQL store, for tests that must reach past the API (tampering with the audit log, say); nil in memory.
    public let store: AqylStore?
    public var core: CoreServices { platform.core }

    /// Builds the server and runs `body` with it and an in-process client; everything is closed afterwards.
    public static func run(_ backend: ServerBackend = .sqlite, clock: AqylCore.Clock = .system, demo: Set<String> = ["appeals"],
                           config: [String: String] = [:],   // e.g. ["AQYL_APPEALS_DEADLINE_HOURS": "appeal=1"]
                           _ body: @Sendable (TestServer, any TestClientProtocol) async throws -> Void) async throws {
        try await withPersistence(backend, clock: clock) { persistence, store in
            // Configuration as the environment would give it (`AQYL_…` names), never the process's own environment.
            let env = ["AQYL_BCRYPT_COST": "4"].merging(config) { $1 }
            var logger = Logger(label: "aqyl.test")
            logger.logLevel = .warning
            let platform = try await AqylPlatform.make(persistence: persistence, config: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: env)),
                                                       logger: logger)
            try await Demo.seed(platform, bcryptCost: 4, only: demo)
            let registry = PrometheusCollectorRegistry()
            let router = try buildRouter(platform: platform, config: ServerConfig(), registry: registry)
            let server = TestServer(platform: platform, routes: try allRoutes(platform: platform, config: ServerConfig(), registry: registry),
                                    store: store)
            let app = Application(router: router, logger: logger)
            try await app.test(.router) { client in try await body(server, client) }
        }
    }
}

extension TestClientProtocol {
    /// Signs in a demo user and returns the bearer token.
    public func login(_ username: String, password: String = Demo.password) async throws -> String {
        let r = try await send(.post, "/v1/auth/login", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
        #expect(r.status == .created, "login \(username)")
        return try #require(r.json["token"] as? String)
    }

    public func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
                     rawBody: ByteBuffer? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers: HTTPFields = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if (json != nil || rawBody != nil) && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let body = rawBody ?? json.map { ByteBuffer(string: $0) }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }
}

/// A response as tests read it.
public struct Reply: Sendable {
    public init(status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: String

    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
    public var array: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []
    }
    public var error: [String: Any]? { json["error"] as? [String: Any] }
    public var errorCode: String? { error?["code"] as? String }
    public var errorField: String? { error?["field"] as? String }
    public func list(_ key: String) -> [[String: Any]] { json[key] as? [[String: Any]] ?? [] }
}
