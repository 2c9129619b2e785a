import AqylCore
import Foundation
import SQLKit

public struct AppliedMigration: Sendable, Codable, Equatable {
    public var version: Int
    public var name: String
}

/// Runs migrations in order, each in its own transaction, recording them in `schema_migrations`.
/// The list comes from `PlatformSchema.migrations` (the core's and every module's, ranges checked).
enum Migrator {
    static func migrate(_ db: Database, migrations: [Migration]) async throws -> [AppliedMigration] {
        try await db.withSQL { sql in
            try await sql.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """).run()
        }
        let done = try await appliedVersions(db)
        var applied: [AppliedMigration] = []
        let versions = migrations.map(\.version)
        guard Set(versions).count == versions.count else {
            throw AqylError(.internalError, code: "duplicate_migration", "two migrations share a version number")
        }
        for m in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(m.version) {
            let dialect = db.dialect
            try await db.transaction { sql in
                for statement in m.statements(dialect) { try await sql.raw(SQLQueryString(statement)).run() }
                try await sql.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: m.version), \(bind: m.name), \(bind: Clock.millis(Date())))
                    """).run()
            }
            applied.append(AppliedMigration(version: m.version, name: m.name))
        }
        return applied
    }

    static func appliedVersions(_ db: Database) async throws -> Set<Int> {
        let rows = try await db.withSQL { sql in try await sql.raw("SELECT version FROM schema_migrations").all() }
        return Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
    }
}

/// The platform core's schema.
public enum CoreMigrations {
    public static let all: [Migration] = [core, auditAppendOnly]

    static let core = Migration(version: 1, name: "core: settings, regions, users, tokens, advisory record, audit log") { _ in
        [
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE regions (
                kato TEXT PRIMARY KEY, parent TEXT, level TEXT NOT NULL, iso TEXT,
                name_kk TEXT NOT NULL, name_ru TEXT NOT NULL, name_en TEXT, source TEXT)
            """,
            "CREATE INDEX regions_parent ON regions (parent)",
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
                role TEXT NOT NULL, region_kato TEXT NOT NULL, password_hash TEXT,
                created_at BIGINT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE tokens (
                digest TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id), kind TEXT NOT NULL,
                label TEXT, created_at BIGINT NOT NULL, expires_at BIGINT)
            """,
            """
            CREATE TABLE recommendations (
                id TEXT PRIMARY KEY, subject TEXT NOT NULL, domain TEXT NOT NULL, model_name TEXT NOT NULL,
                model_version TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, outcome TEXT NOT NULL,
                reasons TEXT NOT NULL, input_digest TEXT NOT NULL, region_kato TEXT NOT NULL,
                created_at BIGINT NOT NULL, status TEXT NOT NULL, subject_pseudonym TEXT)
            """,
            "CREATE INDEX recommendations_queue ON recommendations (region_kato, status, created_at)",
            """
            CREATE TABLE decisions (
                id TEXT PRIMARY KEY, recommendation_id TEXT NOT NULL UNIQUE REFERENCES recommendations (id),
                official_id TEXT NOT NULL, official_name TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT,
                agrees INTEGER NOT NULL, decided_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, region_kato TEXT,
                personal INTEGER NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)
            """,
            "CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)",
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\(AuditChain.genesis)')",
        ]
    }

    /// The database itself refuses to change or delete audit entries (a tamperer must first drop these
    /// triggers, which `aqyl audit verify` then still catches through the hash chain).
    static let auditAppendOnly = Migration(version: 2, name: "audit log: refuse UPDATE and DELETE") { dialect in
        switch dialect {
        case .sqlite:
            [
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
            ]
        case .postgres:
            [
                """
                CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql
                """,
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            ]
        }
    }
}
