import AqylCore
import Foundation
import SQLKit

extension AqylStore {
    /// Loads the built-in regions when the store has none (a fresh database).
    @discardableResult
    public func seedReferenceData() async throws -> Bool {
        let count = try await db.withSQL { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM regions").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        guard count == 0 else { return false }
        try await upsertRegions(KazakhstanRegions.all, source: KazakhstanRegions.source, actor: "system")
        return true
    }

    /// True when no user exists yet.
    public func hasNoUsers() async throws -> Bool {
        try await db.withSQL { sql in
            (try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0) == 0
        }
    }
}
