import AqylCore
import Foundation
import Logging
import SQLKit

/// The SQL implementation of the core's storage port (`PlatformPersistence`) over one `Database`, SQLite or
/// PostgreSQL. Domains' SQL repositories reach the database only through `read` and `transaction`, where the audit
/// append lands in the same transaction as the write it records (the unit of work).
public final class AqylStore: PlatformPersistence {
    let db: Database
    public let clock: Clock
    public var dialect: SQLEngine { db.dialect }
    public var engine: String { db.dialect.rawValue }
    public var location: DatabaseLocation { db.location }

    /// The SQL store behind a persistence port, for a domain's SQL repository (a programming error otherwise).
    public static func required(_ persistence: any PlatformPersistence) throws -> AqylStore {
        guard let store = persistence as? AqylStore else {
            throw AqylError(.internalError, code: "wrong_backend", "a SQL repository needs the SQL store, not \(persistence.engine)")
        }
        return store
    }

    init(db: Database, clock: Clock) {
        self.db = db
        self.clock = clock
    }

    /// Opens the database without touching it. PostgreSQL needs `runConnections()` running before the first
    /// statement (the server's database service); CLI commands and tests use `withStore`, which does both.
    public static func open(_ location: DatabaseLocation, clock: Clock = .system,
                            logger: Logger = Logger(label: "aqyl.store")) async throws -> AqylStore {
        AqylStore(db: try await Database.open(location, logger: logger), clock: clock)
    }

    /// Opens the store, runs its connection pool beside `body` (structured: the pool stops when `body` returns),
    /// checks the connection, applies `migrations` when given, and closes the store at the end.
    public static func withStore<T: Sendable>(_ location: DatabaseLocation, clock: Clock = .system,
                                              migrations: [Migration]? = nil,
                                              logger: Logger = Logger(label: "aqyl.store"),
                                              _ body: @Sendable (AqylStore) async throws -> T) async throws -> T {
        let store = try await open(location, clock: clock, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runConnections() }
            defer { group.cancelAll() }
            do {
                try await store.db.connect()
                if let migrations { _ = try await store.migrate(migrations) }
                let result = try await body(store)
                await store.close()
                return result
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// Runs PostgreSQL's connection pool until cancelled (returns at once for SQLite).
    public func runConnections() async { await db.runConnections() }

    /// Checks the connection with a clear error (`database_unavailable`).
    public func connect() async throws { try await db.connect() }

    public func close() async { await db.close() }

    /// Applies pending migrations, each in its own transaction (recorded in `schema_migrations`).
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [AppliedMigration] {
        try await db.connect()
        return try await Migrator.migrate(db, migrations: migrations)
    }

    // MARK: unit of work

    /// Runs `body` with a connection for reads (and single statements that need no audit entry).
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await db.withSQL(body)
    }

    /// Runs `body` in one transaction: its statements and the audit entries it appends land together, or none do.
    public func transaction<T: Sendable>(_ body: @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        let dialect = db.dialect
        let now = clock.now()
        return try await db.transaction { sql in try await body(StoreTransaction(sql: sql, dialect: dialect, now: now)) }
    }

    public func ping() async throws {
        try await read { sql in try await sql.raw("SELECT 1").run() }
    }

    // MARK: settings

    public func setting(_ key: String) async throws -> String? {
        try await read { sql in
            try await sql.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.decode(column: "value", as: String.self)
        }
    }

    public func settingOrCreate(_ key: String, _ make: @Sendable () -> String) async throws -> String {
        let fresh = make()
        do {
            return try await db.transaction { sql in
                if let v = try await sql.raw("SELECT value FROM settings WHERE key = \(bind: key)").first() {
                    return try v.decode(column: "value", as: String.self)
                }
                try await sql.raw("INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: fresh))").run()
                return fresh
            }
        } catch {
            // Two first uses raced to create it: the other one stored it.
            guard let stored = try await setting(key) else { throw error }
            return stored
        }
    }

    // MARK: regions

    public func regions() async throws -> [Region] {
        let rows = try await read { sql in try await sql.raw("SELECT * FROM regions ORDER BY kato").all() }
        return try rows.map { row in
            Region(kato: try row.decode(column: "kato", as: String.self),
                   parent: try row.decode(column: "parent", as: String?.self),
                   level: Region.Level(rawValue: try row.decode(column: "level", as: String.self)) ?? .locality,
                   iso: try row.decode(column: "iso", as: String?.self),
                   nameKk: try row.decode(column: "name_kk", as: String.self),
                   nameRu: try row.decode(column: "name_ru", as: String.self),
                   nameEn: try row.decode(column: "name_en", as: String?.self))
        }
    }

    public func regionCount() async throws -> Int {
        try await read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM regions").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func upsertRegions(_ regions: [Region], source: String, audit: AuditEvent) async throws {
        try await transaction { tx in
            for r in regions {
                try await tx.sql.raw("DELETE FROM regions WHERE kato = \(bind: r.kato)").run()
                try await tx.sql.raw("""
                    INSERT INTO regions (kato, parent, level, iso, name_kk, name_ru, name_en, source)
                    VALUES (\(bind: r.kato), \(bind: r.parent), \(bind: r.level.rawValue), \(bind: r.iso),
                            \(bind: r.nameKk), \(bind: r.nameRu), \(bind: r.nameEn), \(bind: source))
                    """).run()
            }
            try await tx.append(audit)
        }
    }

    // MARK: users and tokens

    public func userCount() async throws -> Int {
        try await read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func insertUser(_ user: User, passwordHash: String?, audit: AuditEvent) async throws {
        try await transaction { tx in
            if try await tx.sql.raw("SELECT id FROM users WHERE username = \(bind: user.username)").first() != nil {
                throw AqylError(.conflict, code: "username_taken", "user '\(user.username)' already exists", field: "username")
            }
            try await tx.sql.raw("""
                INSERT INTO users (id, username, display_name, role, region_kato, password_hash, created_at, disabled)
                VALUES (\(bind: user.id), \(bind: user.username), \(bind: user.displayName), \(bind: user.role.rawValue),
                        \(bind: user.regionKato), \(bind: passwordHash), \(bind: Clock.millis(user.createdAt)), \(bind: user.disabled ? 1 : 0))
                """).run()
            try await tx.append(audit)
        }
    }

    static func decodeUser(_ row: any SQLRow) throws -> User {
        User(id: try row.decode(column: "id", as: String.self),
             username: try row.decode(column: "username", as: String.self),
             displayName: try row.decode(column: "display_name", as: String.self),
             role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .analyst,
             regionKato: try row.decode(column: "region_kato", as: String.self),
             createdAt: Clock.date(millis: try row.decode(column: "created_at", as: Int64.self)),
             disabled: try row.decode(column: "disabled", as: Int.self) != 0)
    }

    public func user(username: String) async throws -> User? {
        try await read { sql in
            try await sql.raw("SELECT * FROM users WHERE username = \(bind: username)").first().map(Self.decodeUser)
        }
    }

    public func credentials(username: String) async throws -> (user: User, passwordHash: String?)? {
        let row = try await read { sql in try await sql.raw("SELECT * FROM users WHERE username = \(bind: username)").first() }
        guard let row else { return nil }
        return (try Self.decodeUser(row), try row.decode(column: "password_hash", as: String?.self))
    }

    public func users(in regions: RegionFilter, page: PageRequest) async throws -> Page<User> {
        let rows = try await read { sql in
            var q = SQLQueryString("SELECT * FROM users WHERE 1 = 1")
            q.appendRegionFilter("region_kato", regions)
            if let c = page.cursor { q.appendInterpolation(unsafeRaw: " AND username > "); q.appendInterpolation(bind: c.id) }
            q.appendInterpolation(unsafeRaw: " ORDER BY username LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decodeUser), limit: page.limit) { Cursor(key: 0, id: $0.username) }
    }

    public func insertToken(_ token: StoredToken, audit: AuditEvent) async throws {
        try await transaction { tx in
            try await tx.sql.raw("""
                INSERT INTO tokens (digest, user_id, kind, label, created_at, expires_at)
                VALUES (\(bind: token.digest), \(bind: token.userId), \(bind: token.kind), \(bind: token.label),
                        \(bind: Clock.millis(token.createdAt)), \(bind: token.expiresAt.map(Clock.millis)))
                """).run()
            try await tx.append(audit)
        }
    }

    public func user(tokenDigest: String, now: Date) async throws -> User? {
        let nowMs = Clock.millis(now)
        return try await read { sql in
            guard let row = try await sql.raw("""
                SELECT u.*, t.expires_at AS token_expires FROM tokens t JOIN users u ON u.id = t.user_id
                WHERE t.digest = \(bind: tokenDigest)
                """).first() else { return nil }
            if let exp = try row.decode(column: "token_expires", as: Int64?.self), exp < nowMs { return nil }
            let user = try Self.decodeUser(row)
            return user.disabled ? nil : user
        }
    }
}

/// One transaction of the store: SQL for the caller's own rows, and the core's rows that must land with them
/// (audit entries, recommendations, decisions).
public struct StoreTransaction: Sendable {
    public let sql: any SQLDatabase
    public let dialect: SQLEngine
    /// The time of this transaction (the store's clock, read once).
    public let now: Date

    /// Appends to the hash-chained audit log inside this transaction.
    @discardableResult
    public func append(_ event: AuditEvent) async throws -> AuditEntry {
        try await AuditLog.append(event, on: sql, dialect: dialect, at: now)
    }
}

extension SQLQueryString {
    /// ` AND column IN (...)` for a node list (nothing for `.all`; a never-true condition for an empty list).
    public mutating func appendRegionFilter(_ column: String, _ regions: RegionFilter) {
        guard case .nodes(let nodes) = regions else { return }
        guard !nodes.isEmpty else { appendInterpolation(unsafeRaw: " AND 1 = 0"); return }
        appendInterpolation(unsafeRaw: " AND \(column) IN (")
        for (i, n) in nodes.enumerated() {
            if i > 0 { appendInterpolation(unsafeRaw: ", ") }
            appendInterpolation(bind: n)
        }
        appendInterpolation(unsafeRaw: ")")
    }

    /// ` AND (keyColumn, idColumn) > (cursor)` in the portable form (both engines), for keyset paging.
    public mutating func appendAfter(_ cursor: Cursor?, key keyColumn: String, id idColumn: String) {
        guard let c = cursor else { return }
        appendInterpolation(unsafeRaw: " AND (\(keyColumn) > ")
        appendInterpolation(bind: c.key)
        appendInterpolation(unsafeRaw: " OR (\(keyColumn) = ")
        appendInterpolation(bind: c.key)
        appendInterpolation(unsafeRaw: " AND \(idColumn) > ")
        appendInterpolation(bind: c.id)
        appendInterpolation(unsafeRaw: "))")
    }

    /// ` AND column = value` when the value is given.
    public mutating func appendEquals(_ column: String, _ value: String?) {
        guard let value else { return }
        appendInterpolation(unsafeRaw: " AND \(column) = ")
        appendInterpolation(bind: value)
    }
}
