import AqylCore
import AqylServer
import AqylStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore
import Prometheus
import Testing

/// Each database the HTTP flows must work on. PostgreSQL runs where `AQYL_TEST_POSTGRES_URL` is set
/// (`scripts/test.sh` starts one); without it those cases are skipped with a note.
enum ServerBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    static var available: [ServerBackend] {
        if ProcessInfo.processInfo.environment["AQYL_TEST_POSTGRES_URL"] == nil {
            print("note: AQYL_TEST_POSTGRES_URL is not set; PostgreSQL HTTP tests skipped (scripts/test.sh sets it)")
            return [.sqlite]
        }
        return allCases
    }

    func freshLocation() throws -> DatabaseLocation {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        switch self {
        case .sqlite:
            return .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-http-\(id).sqlite").path)
        case .postgres:
            let url = try #require(ProcessInfo.processInfo.environment["AQYL_TEST_POSTGRES_URL"])
            return try DatabaseLocation.parse(url + "?schema=h_\(id)")
        }
    }
}

/// A fresh server over a new database (SQLite file or PostgreSQL schema) with the platform's migrations,
/// the demo users (cheap bcrypt for speed) and the demo queue.
struct TestServer {
    let store: AqylStore
    let router: Router<AqylRequestContext>

    static func make(_ backend: ServerBackend = .sqlite, clock: Clock = .system, assistance: Bool = false) async throws -> TestServer {
        let store = try await AqylStore.open(try backend.freshLocation(), clock: clock, migrations: Platform.migrations)
        try await Demo.seed(store, bcryptCost: 4, assistance: assistance, vision: false)
        let router = try buildRouter(store: store, config: AppConfig(bcryptCost: 4), registry: PrometheusCollectorRegistry())
        return TestServer(store: store, router: router)
    }

    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "aqyl.test")
        logger.logLevel = .warning
        let app = Application(router: router, logger: logger)
        try await app.test(.router) { client in try await body(client) }
        await store.close()
    }
}

extension TestClientProtocol {
    func login(_ username: String, password: String = Demo.password) async throws -> String {
        let r = try await send(.post, "/v1/auth/login", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
        #expect(r.status == .created, "login \(username)")
        return try #require(r.json["token"] as? String)
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
              rawBody: ByteBuffer? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil || rawBody != nil { headers[.contentType] = "application/json" }
        let body = rawBody ?? json.map { ByteBuffer(string: $0) }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }
}

struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
    var error: [String: Any]? { json["error"] as? [String: Any] }
    var errorCode: String? { error?["code"] as? String }
    var errorField: String? { error?["field"] as? String }
    func list(_ key: String) -> [[String: Any]] { json[key] as? [[String: Any]] ?? [] }
}
