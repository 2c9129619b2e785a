import AqylCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO

/// Which SQL engine is behind a `Database` (the core's `SQLEngine`, which migrations are written for).
public typealias Dialect = SQLEngine

/// Where the data lives: `sqlite:PATH` (the embedded default), `sqlite::memory:`, or
/// `postgres://user:password@host:port/database`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// `schema` (URL query `?schema=NAME`) keeps Aqyl's tables in their own PostgreSQL schema.
    case postgres(host: String, port: Int, username: String, password: String?, database: String, schema: String? = nil)

    public static func parse(_ raw: String, field: String = "database") throws(AqylError) -> DatabaseLocation {
        if raw.hasPrefix("sqlite:") {
            let path = String(raw.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw .invalid(field, "sqlite location needs a path: sqlite:PATH") }
            return .sqlite(path: path)
        }
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
            guard let c = URLComponents(string: raw), let host = c.host, !host.isEmpty else {
                throw .invalid(field, "cannot read the PostgreSQL URL; expected postgres://user:password@host:port/database")
            }
            let db = c.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard let user = c.user, !user.isEmpty else { throw .invalid(field, "the PostgreSQL URL needs a user name") }
            guard !db.isEmpty else { throw .invalid(field, "the PostgreSQL URL needs a database name") }
            let schema = c.queryItems?.first(where: { $0.name == "schema" })?.value
            if let schema, schema.isEmpty || !schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                throw .invalid(field, "schema must be letters, digits and '_'")
            }
            return .postgres(host: host, port: c.port ?? 5432, username: user.removingPercentEncoding ?? user,
                             password: c.password?.removingPercentEncoding, database: db, schema: schema)
        }
        throw .invalid(field, "database must be sqlite:PATH or postgres://user:password@host:port/database")
    }

    public var description: String {
        switch self {
        case .sqlite(let p): "sqlite:\(p)"
        case .postgres(let h, let port, let u, _, let d, let schema):
            "postgres://\(u)@\(h):\(port)/\(d)" + (schema.map { "?schema=\($0)" } ?? "")
        }
    }
}

/// An async mutual-exclusion lock (FIFO), used to give the single SQLite connection to one caller at a time.
final class AsyncLock: @unchecked Sendable {
    private let lock = NIOLock()
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if !locked { locked = true; return true }
                waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    func release() {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            if waiters.isEmpty { locked = false; return nil }
            return waiters.removeFirst()
        }
        next?.resume()
    }

    func withLock<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}

/// One query layer over SQLite and PostgreSQL (vapor/sql-kit). Repositories write portable SQL with
/// bound parameters; the few dialect differences are named where they occur. Only `AqylStore` and the domains'
/// SQL repositories (through `AqylStore.read` and `AqylStore.transaction`) reach it.
final class Database: Sendable {
    let dialect: Dialect
    let location: DatabaseLocation
    private let backend: Backend
    private let logger: Logger

    private enum Backend: Sendable {
        case sqlite(SQLiteConnection, AsyncLock)
        case postgres(PostgresClient, schema: String?)
    }

    private init(dialect: Dialect, location: DatabaseLocation, backend: Backend, logger: Logger) {
        self.dialect = dialect
        self.location = location
        self.backend = backend
        self.logger = logger
    }

    /// Opens (and for SQLite, creates) the database. Does not migrate: call `Migrator.migrate`. A PostgreSQL
    /// database needs `runConnections()` running (the server's database service, or `AqylStore.withStore`) before
    /// its first statement; connection errors surface then.
    static func open(_ location: DatabaseLocation, logger: Logger = Logger(label: "aqyl.store")) async throws -> Database {
        switch location {
        case .sqlite(let path):
            if path != ":memory:" {
                let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
                try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            }
            let storage: SQLiteConnection.Storage = path == ":memory:" ? .memory : .file(path: path)
            let conn: SQLiteConnection
            do {
                conn = try await SQLiteConnection.open(storage: storage, logger: logger).get()
            } catch {
                throw AqylError(.badRequest, code: "database_unavailable", "cannot open SQLite database at \(path): \(error)", field: "database")
            }
            let sql = conn.sql(queryLogLevel: .trace)
            if path != ":memory:" { try await sql.raw("PRAGMA journal_mode=WAL").run() }
            try await sql.raw("PRAGMA foreign_keys=ON").run()
            try await sql.raw("PRAGMA busy_timeout=5000").run()
            return Database(dialect: .sqlite, location: location, backend: .sqlite(conn, AsyncLock()), logger: logger)
        case .postgres(let host, let port, let user, let password, let database, let schema):
            var config = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                      database: database, tls: .disable)
            config.options.maximumConnections = 8
            if let schema {
                // Every pooled connection starts with this search path; the schema is made on first use.
                config.options.additionalStartupParameters = [("search_path", schema)]
            }
            let client = PostgresClient(configuration: config, backgroundLogger: logger)
            return Database(dialect: .postgres, location: location, backend: .postgres(client, schema: schema), logger: logger)
        }
    }

    /// Runs PostgreSQL's connection pool until the surrounding task is cancelled (returns at once for SQLite).
    func runConnections() async {
        if case .postgres(let client, _) = backend { await client.run() }
    }

    /// Checks the connection (and makes the configured PostgreSQL schema), with a clear error when it fails.
    func connect() async throws {
        do {
            try await withSQL { sql in
                try await sql.raw("SELECT 1").run()
                if case .postgres(_, let schema?) = self.backend {
                    try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
                }
            }
        } catch {
            throw AqylError(.badRequest, code: "database_unavailable",
                            "cannot connect to \(location): \(String(reflecting: error).prefix(300))", field: "database")
        }
    }

    /// Runs `body` with a connection for plain statements.
    func withSQL<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let conn, let lock):
            return try await lock.withLock { try await body(conn.sql(queryLogLevel: .trace)) }
        case .postgres(let client, _):
            return try await client.withConnection { conn in try await body(conn.sql(queryLogLevel: .trace)) }
        }
    }

    /// Runs `body` inside one transaction: all of it lands, or none.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        func run(_ sql: any SQLDatabase) async throws -> T {
            try await sql.raw("BEGIN").run()
            do {
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
        switch backend {
        case .sqlite(let conn, let lock):
            return try await lock.withLock { try await run(conn.sql(queryLogLevel: .trace)) }
        case .postgres(let client, _):
            return try await client.withConnection { conn in try await run(conn.sql(queryLogLevel: .trace)) }
        }
    }

    /// Closes connections (SQLite; PostgreSQL's pool closes when `runConnections` is cancelled). Safe to call more than once.
    func close() async {
        switch backend {
        case .sqlite(let conn, let lock):
            await lock.acquire()
            if !conn.isClosed {
                _ = try? await conn.sql().raw("PRAGMA wal_checkpoint(TRUNCATE)").all()
                try? await conn.close().get()
            }
            lock.release()
        case .postgres:
            break
        }
    }
}
