import AqylCore
@testable import AqylStore
import AqylTestSupport
import Foundation
import SQLKit
import Testing

/// The audit log must catch an edited, deleted, reordered or truncated entry, even when the tamperer
/// has the database itself and removes the append-only triggers first.
@Suite("Audit log tamper detection")
struct AuditTamperTests {
    /// Runs `body` with a store holding 6 entries: region seeding (1) plus 5 reads.
    func populated(_ backend: ServerBackend, location: DatabaseLocation? = nil,
                   _ body: @Sendable (AqylStore, DatabaseLocation) async throws -> Void) async throws {
        let loc = try location ?? backend.freshLocation()
        try await AqylStore.withStore(loc, migrations: CoreMigrations.all) { store in
            try await CoreServices(store: store).seedReferenceData()
            for i in 1...5 {
                try await store.appendAudit(AuditEvent(actor: "officer.esil", action: "recommendation.read", entityType: "recommendation",
                                                       entityId: "rec-\(i)", regionKato: "711210000", personal: true,
                                                       detail: "marker-\(i)-zzzz"))
            }
            #expect(try await store.verifyAudit().ok)
            try await body(store, loc)
        }
    }

    /// Opens the same database without the store, as an attacker with file or superuser access would.
    func tamper(_ loc: DatabaseLocation, _ statements: [String]) async throws {
        try await AqylStore.withStore(loc) { store in
            let drop = store.dialect == .sqlite
                ? ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
                : ["DROP TRIGGER audit_log_no_update ON audit_log"]
            try await store.db.withSQL { sql in
                for s in drop + statements { try await sql.raw(SQLQueryString(s)).run() }
            }
        }
    }

    @Test(arguments: ServerBackend.databases)
    func theDatabaseRefusesUpdatesAndDeletes(_ backend: ServerBackend) async throws {
        try await populated(backend) { store, _ in
            await #expect(throws: (any Error).self) {
                try await store.db.withSQL { sql in try await sql.raw("UPDATE audit_log SET detail = 'x' WHERE seq = 2").run() }
            }
            await #expect(throws: (any Error).self) {
                try await store.db.withSQL { sql in try await sql.raw("DELETE FROM audit_log WHERE seq = 2").run() }
            }
            let report = try await store.verifyAudit()
            #expect(report.ok)
        }
    }

    @Test(arguments: ServerBackend.databases)
    func editedEntry(_ backend: ServerBackend) async throws {
        try await populated(backend) { store, loc in
            try await tamper(loc, ["UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3"])
            let report = try await store.verifyAudit()
            #expect(!report.ok)
            #expect(report.problems.contains { $0.seq == 3 && $0.kind == "edited" })
        }
    }

    @Test(arguments: ServerBackend.databases)
    func deletedEntry(_ backend: ServerBackend) async throws {
        try await populated(backend) { store, loc in
            try await tamper(loc, ["DELETE FROM audit_log WHERE seq = 4"])
            let report = try await store.verifyAudit()
            #expect(report.problems.contains { $0.kind == "gap" && $0.seq == 5 })
        }
    }

    @Test(arguments: ServerBackend.databases)
    func reorderedEntries(_ backend: ServerBackend) async throws {
        try await populated(backend) { store, loc in
            try await tamper(loc, [
                "UPDATE audit_log SET seq = 1000 WHERE seq = 2",
                "UPDATE audit_log SET seq = 2 WHERE seq = 3",
                "UPDATE audit_log SET seq = 3 WHERE seq = 1000",
            ])
            let report = try await store.verifyAudit()
            #expect(!report.ok)
            #expect(report.problems.contains { $0.seq == 2 })
        }
    }

    @Test(arguments: ServerBackend.databases)
    func truncatedTail(_ backend: ServerBackend) async throws {
        try await populated(backend) { store, loc in
            try await tamper(loc, ["DELETE FROM audit_log WHERE seq = 6"])
            let report = try await store.verifyAudit()
            #expect(report.problems.map(\.kind) == ["truncated"])
        }
    }

    /// Flips one byte of an entry inside the SQLite file itself, bypassing SQL entirely.
    @Test func byteEditInTheSQLiteFile() async throws {
        let loc = try ServerBackend.sqlite.freshLocation()
        try await populated(.sqlite, location: loc) { _, _ in }
        guard case .sqlite(let file) = loc else { return }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let marker = Array("marker-4-zzzz".utf8)
        let at = try #require(bytes.indices.first { i in i + marker.count <= bytes.count && Array(bytes[i..<i + marker.count]) == marker })
        bytes[at + 7] = UInt8(ascii: "9")  // marker-4 → marker-9
        try Data(bytes).write(to: URL(fileURLWithPath: file))

        try await AqylStore.withStore(loc) { reopened in
            let report = try await reopened.verifyAudit()
            #expect(report.problems.map(\.kind) == ["edited"])
            #expect(report.problems.first?.seq == 5)
        }
    }
}
