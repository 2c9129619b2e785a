import AqylCore
import AqylStore
import Foundation
import SQLKit
import Testing

/// The audit log must catch an edited, deleted, reordered or truncated entry, even when the tamperer
/// has the database itself and removes the append-only triggers first.
@Suite("Audit log tamper detection")
struct AuditTamperTests {
    /// A store with 6 entries: region seeding (1) plus 5 reads.
    func populated(_ backend: Backend) async throws -> (AqylStore, DatabaseLocation, String?) {
        let (store, loc, path) = try await backend.openStore()
        for i in 1...5 {
            try await store.audit.record(AuditEvent(actor: "officer.esil", action: "recommendation.read", entityType: "recommendation",
                                                    entityId: "rec-\(i)", regionKato: "711210000", personal: true,
                                                    detail: "marker-\(i)-zzzz"))
        }
        #expect(try await store.audit.verify().ok)
        return (store, loc, path)
    }

    /// Opens the same database without the store, as an attacker with file or superuser access would.
    func tamper(_ loc: DatabaseLocation, _ statements: [String]) async throws {
        let db = try await Database.open(loc)
        let drop = db.dialect == .sqlite
            ? ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
            : ["DROP TRIGGER audit_log_no_update ON audit_log"]
        try await db.withSQL { sql in
            for s in drop + statements { try await sql.raw(SQLQueryString(s)).run() }
        }
        await db.close()
    }

    @Test(arguments: Backend.available)
    func theDatabaseRefusesUpdatesAndDeletes(_ backend: Backend) async throws {
        let (store, _, _) = try await populated(backend)
        await #expect(throws: (any Error).self) {
            try await store.db.withSQL { sql in try await sql.raw("UPDATE audit_log SET detail = 'x' WHERE seq = 2").run() }
        }
        await #expect(throws: (any Error).self) {
            try await store.db.withSQL { sql in try await sql.raw("DELETE FROM audit_log WHERE seq = 2").run() }
        }
        #expect(try await store.audit.verify().ok)
        await store.close()
    }

    @Test(arguments: Backend.available)
    func editedEntry(_ backend: Backend) async throws {
        let (store, loc, _) = try await populated(backend)
        try await tamper(loc, ["UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3"])
        let report = try await store.audit.verify()
        #expect(!report.ok)
        #expect(report.problems.contains { $0.seq == 3 && $0.kind == "edited" })
        await store.close()
    }

    @Test(arguments: Backend.available)
    func deletedEntry(_ backend: Backend) async throws {
        let (store, loc, _) = try await populated(backend)
        try await tamper(loc, ["DELETE FROM audit_log WHERE seq = 4"])
        let report = try await store.audit.verify()
        #expect(report.problems.contains { $0.kind == "gap" && $0.seq == 5 })
        await store.close()
    }

    @Test(arguments: Backend.available)
    func reorderedEntries(_ backend: Backend) async throws {
        let (store, loc, _) = try await populated(backend)
        try await tamper(loc, [
            "UPDATE audit_log SET seq = 1000 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = 1000",
        ])
        let report = try await store.audit.verify()
        #expect(!report.ok)
        #expect(report.problems.contains { $0.seq == 2 })
        await store.close()
    }

    @Test(arguments: Backend.available)
    func truncatedTail(_ backend: Backend) async throws {
        let (store, loc, _) = try await populated(backend)
        try await tamper(loc, ["DELETE FROM audit_log WHERE seq = 6"])
        let report = try await store.audit.verify()
        #expect(report.problems.map(\.kind) == ["truncated"])
        await store.close()
    }

    /// Flips one byte of an entry inside the SQLite file itself, bypassing SQL entirely.
    @Test func byteEditInTheSQLiteFile() async throws {
        let (store, loc, path) = try await populated(.sqlite)
        await store.close()
        let file = try #require(path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let marker = Array("marker-4-zzzz".utf8)
        let at = try #require(bytes.indices.first { i in i + marker.count <= bytes.count && Array(bytes[i..<i + marker.count]) == marker })
        bytes[at + 7] = UInt8(ascii: "9")  // marker-4 → marker-9
        try Data(bytes).write(to: URL(fileURLWithPath: file))

        let reopened = try await AqylStore.open(loc)
        let report = try await reopened.audit.verify()
        #expect(report.problems.map(\.kind) == ["edited"])
        #expect(report.problems.first?.seq == 5)
        await reopened.close()
    }
}
