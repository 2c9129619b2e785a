import AqylCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// The platform's repositories over one `Database`: regions, users and tokens, the advisory record,
/// the audit log, settings. Every write that matters is audited in the same transaction.
public final class AqylStore: Sendable {
    public let db: Database
    public let clock: Clock
    public let audit: AuditLog
    private let directoryCache = NIOLockedValueBox<RegionDirectory?>(nil)

    public init(db: Database, clock: Clock = .system) {
        self.db = db
        self.clock = clock
        self.audit = AuditLog(db: db, clock: clock)
    }

    /// Opens the database and brings its schema up to date.
    public static func open(_ location: DatabaseLocation, clock: Clock = .system,
                            migrations: [Migration] = CoreMigrations.all,
                            logger: Logger = Logger(label: "aqyl.store")) async throws -> AqylStore {
        let db = try await Database.open(location, logger: logger)
        do {
            _ = try await Migrator.migrate(db, migrations: migrations)
        } catch {
            await db.close()
            throw error
        }
        return AqylStore(db: db, clock: clock)
    }

    public func close() async { await db.close() }

    // MARK: settings

    public func setting(_ key: String) async throws -> String? {
        try await db.withSQL { sql in
            try await sql.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.decode(column: "value", as: String.self)
        }
    }

    /// Returns the stored value, or stores and returns `make()` when there is none.
    public func settingOrCreate(_ key: String, _ make: @Sendable () -> String) async throws -> String {
        let fresh = make()
        return try await db.transaction { sql in
            if let v = try await sql.raw("SELECT value FROM settings WHERE key = \(bind: key)").first() {
                return try v.decode(column: "value", as: String.self)
            }
            try await sql.raw("INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: fresh))").run()
            return fresh
        }
    }

    /// The keyed pseudonymiser; its key is made at first use and kept in the database's settings
    /// (or given by `AQYL_PSEUDONYM_KEY`, hex, which then wins).
    public func pseudonymizer() async throws -> Pseudonymizer {
        if let hex = ProcessInfo.processInfo.environment["AQYL_PSEUDONYM_KEY"], let data = Data(hex: hex) {
            return try Pseudonymizer(key: data)
        }
        let hex = try await settingOrCreate("pseudonym_key") { Pseudonymizer.randomKey().hexString }
        guard let data = Data(hex: hex) else {
            throw AqylError(.internalError, code: "bad_setting", "stored pseudonym key is not hex")
        }
        return try Pseudonymizer(key: data)
    }

    // MARK: regions

    public func upsertRegions(_ regions: [Region], source: String, actor: String) async throws {
        let dialect = db.dialect
        let time = clock.now()
        try await db.transaction { sql in
            for r in regions {
                try await sql.raw("DELETE FROM regions WHERE kato = \(bind: r.kato)").run()
                try await sql.raw("""
                    INSERT INTO regions (kato, parent, level, iso, name_kk, name_ru, name_en, source)
                    VALUES (\(bind: r.kato), \(bind: r.parent), \(bind: r.level.rawValue), \(bind: r.iso),
                            \(bind: r.nameKk), \(bind: r.nameRu), \(bind: r.nameEn), \(bind: source))
                    """).run()
            }
            _ = try await AuditLog.append(
                AuditEvent(actor: actor, action: "regions.import", entityType: "region", entityId: "*",
                           detail: "\(regions.count) regions from \(source)"),
                on: sql, dialect: dialect, at: time)
        }
        directoryCache.withLockedValue { $0 = nil }
    }

    public func regions() async throws -> [Region] {
        let rows = try await db.withSQL { sql in try await sql.raw("SELECT * FROM regions ORDER BY kato").all() }
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

    /// The hierarchy for scope checks, cached until regions change.
    public func directory() async throws -> RegionDirectory {
        if let d = directoryCache.withLockedValue({ $0 }) { return d }
        let d = RegionDirectory(try await regions())
        directoryCache.withLockedValue { $0 = d }
        return d
    }

    // MARK: users and tokens

    public func createUser(username: String, displayName: String?, role: Role, regionKato: String,
                           password: String?, bcryptCost: UInt8 = 12, actor: String) async throws -> User {
        try User.validateUsername(username)
        try Region.validateCode(regionKato, field: "region")
        guard try await directory().region(regionKato) != nil else {
            throw AqylError.invalid("region", "unknown region \(regionKato)", code: "unknown_region")
        }
        let hash = try password.map { pw throws(AqylError) in try Passwords.hash(pw, cost: bcryptCost) }
        let user = User(id: UUID().uuidString.lowercased(), username: username,
                        displayName: displayName ?? username, role: role, regionKato: regionKato, createdAt: clock.now())
        let dialect = db.dialect
        let time = clock.now()
        try await db.transaction { sql in
            if try await sql.raw("SELECT id FROM users WHERE username = \(bind: username)").first() != nil {
                throw AqylError(.conflict, code: "username_taken", "user '\(username)' already exists", field: "username")
            }
            try await sql.raw("""
                INSERT INTO users (id, username, display_name, role, region_kato, password_hash, created_at, disabled)
                VALUES (\(bind: user.id), \(bind: user.username), \(bind: user.displayName), \(bind: role.rawValue),
                        \(bind: regionKato), \(bind: hash), \(bind: Clock.millis(user.createdAt)), 0)
                """).run()
            _ = try await AuditLog.append(
                AuditEvent(actor: actor, action: "user.create", entityType: "user", entityId: user.id, regionKato: regionKato,
                           detail: "\(username) as \(role.rawValue)"),
                on: sql, dialect: dialect, at: time)
        }
        return user
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
        try await db.withSQL { sql in
            try await sql.raw("SELECT * FROM users WHERE username = \(bind: username)").first().map(Self.decodeUser)
        }
    }

    /// Users whose node lies within `scope`.
    public func users(within scope: String) async throws -> [User] {
        let dir = try await directory()
        let rows = try await db.withSQL { sql in try await sql.raw("SELECT * FROM users ORDER BY username").all() }
        return try rows.map(Self.decodeUser).filter { dir.isWithin($0.regionKato, scope: scope) }
    }

    /// Checks a password; returns the user when it matches and the account is enabled.
    public func authenticate(username: String, password: String) async throws -> User? {
        let row = try await db.withSQL { sql in
            try await sql.raw("SELECT * FROM users WHERE username = \(bind: username)").first()
        }
        guard let row, let hash = try row.decode(column: "password_hash", as: String?.self) else {
            // Spend the same time as a real check so user names cannot be probed by timing.
            _ = Passwords.verify(password, hash: "$2b$12$C6UzMDM.H6dfI/f/IKcEeO7Ov5dXh3tFjwrT2i3s8kXh1yVNN.W5K")
            return nil
        }
        let user = try Self.decodeUser(row)
        guard !user.disabled, Passwords.verify(password, hash: hash) else { return nil }
        return user
    }

    /// Issues a token for `user`: `session` tokens expire, `api` tokens (integrators) last until revoked.
    public func issueToken(for user: User, kind: String, label: String?, lifetime: TimeInterval?, actor: String) async throws -> (token: String, expiresAt: Date?) {
        let token = Passwords.newToken()
        let now = clock.now()
        let expires = lifetime.map { now.addingTimeInterval($0) }
        let dialect = db.dialect
        try await db.transaction { sql in
            try await sql.raw("""
                INSERT INTO tokens (digest, user_id, kind, label, created_at, expires_at)
                VALUES (\(bind: Passwords.tokenDigest(token)), \(bind: user.id), \(bind: kind), \(bind: label),
                        \(bind: Clock.millis(now)), \(bind: expires.map(Clock.millis)))
                """).run()
            _ = try await AuditLog.append(
                AuditEvent(actor: actor, action: "token.issue", entityType: "user", entityId: user.id,
                           regionKato: user.regionKato, detail: "\(kind) token\(label.map { " '\($0)'" } ?? "")"),
                on: sql, dialect: dialect, at: now)
        }
        return (token, expires)
    }

    /// The user a bearer token belongs to, if it is known, unexpired and the user is enabled.
    public func user(forToken token: String) async throws -> User? {
        let now = Clock.millis(clock.now())
        return try await db.withSQL { sql in
            guard let row = try await sql.raw("""
                SELECT u.*, t.expires_at AS token_expires FROM tokens t JOIN users u ON u.id = t.user_id
                WHERE t.digest = \(bind: Passwords.tokenDigest(token))
                """).first() else { return nil }
            if let exp = try row.decode(column: "token_expires", as: Int64?.self), exp < now { return nil }
            let user = try Self.decodeUser(row)
            return user.disabled ? nil : user
        }
    }
}

extension Data {
    init?(hex: String) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var it = hex.utf8.makeIterator()
        while let a = it.next(), let b = it.next() {
            guard let hi = Self.nibble(a), let lo = Self.nibble(b) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.init(bytes)
    }
    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
