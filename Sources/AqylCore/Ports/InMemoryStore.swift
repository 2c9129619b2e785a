import Foundation

/// Everything the in-memory store holds. A transaction works on a copy and the copy replaces the state only when
/// the transaction returns, so a throw anywhere leaves nothing behind (the SQL store's rollback, in memory).
/// Domains keep their own tables in `self[table:]`, inside the same transaction as the core's rows.
public struct MemoryState: Sendable {
    public var settings: [String: String] = [:]
    public var regions: [String: Region] = [:]
    public var users: [String: User] = [:]
    public var passwordHashes: [String: String] = [:]
    public var tokens: [String: StoredToken] = [:]
    public var recommendations: [String: Recommendation] = [:]
    public var decisions: [String: Decision] = [:]
    public var audit: [AuditEntry] = []
    private var tables: [String: any Sendable] = [:]
    /// The time of the running transaction (the store's clock, read once per transaction).
    public internal(set) var now: Date = Date(timeIntervalSince1970: 0)

    public init() {}

    /// A domain's own tables, created empty on first use.
    public subscript<T: Sendable>(table key: String, default make: @autoclosure () -> T) -> T {
        get { tables[key] as? T ?? make() }
        set { tables[key] = newValue }
    }

    @discardableResult
    public mutating func append(_ e: AuditEvent) -> AuditEntry {
        let seq = (audit.last?.seq ?? 0) + 1
        let prev = audit.last?.hash ?? AuditChain.genesis
        let ms = Clock.millis(now)
        let hash = AuditChain.hash(seq: seq, atMillis: ms, actor: e.actor, action: e.action, entityType: e.entityType,
                                   entityId: e.entityId, regionKato: e.regionKato, personal: e.personal, detail: e.detail,
                                   prevHash: prev)
        let entry = AuditEntry(seq: seq, at: Clock.date(millis: ms), actor: e.actor, action: e.action, entityType: e.entityType,
                               entityId: e.entityId, regionKato: e.regionKato, personal: e.personal, detail: e.detail,
                               prevHash: prev, hash: hash)
        audit.append(entry)
        return entry
    }

    public mutating func insertRecommendation(_ r: Recommendation, audit event: AuditEvent) throws(AqylError) {
        guard recommendations[r.id] == nil else {
            throw AqylError(.conflict, code: "duplicate_id", "recommendation \(r.id) exists")
        }
        recommendations[r.id] = r
        append(event)
    }

    public mutating func recordDecision(_ d: Decision, on r: Recommendation, audit event: AuditEvent) throws(AqylError) {
        guard var current = recommendations[r.id] else { throw AqylError.notFound("recommendation \(r.id)", field: "id") }
        guard current.status == .pending, decisions[r.id] == nil else {
            throw AqylError(.conflict, code: "already_decided", "this recommendation has already been decided")
        }
        current.status = .decided
        recommendations[r.id] = current
        decisions[r.id] = d
        append(event)
    }
}

/// The core's storage port in memory: what domain rule tests run on (no database). Not for production: every
/// transaction copies the state it changes.
public actor InMemoryStore: PlatformPersistence {
    public nonisolated let clock: Clock
    public nonisolated var engine: String { "memory" }
    private var state = MemoryState()

    public init(clock: Clock = .system) { self.clock = clock }

    /// Runs `body` on a copy of the state; the copy is kept only if `body` returns.
    public func transaction<T: Sendable>(_ body: @Sendable (inout MemoryState) throws -> T) throws -> T {
        var copy = state
        copy.now = clock.now()
        let result = try body(&copy)
        state = copy
        return result
    }

    /// Reads the state without changing it.
    public func read<T: Sendable>(_ body: @Sendable (MemoryState) throws -> T) rethrows -> T { try body(state) }

    public func ping() async throws {}

    public func setting(_ key: String) async throws -> String? { state.settings[key] }

    public func settingOrCreate(_ key: String, _ make: @Sendable () -> String) async throws -> String {
        if let v = state.settings[key] { return v }
        let v = make()
        state.settings[key] = v
        return v
    }

    public func regions() async throws -> [Region] { state.regions.values.sorted { $0.kato < $1.kato } }
    public func regionCount() async throws -> Int { state.regions.count }

    public func upsertRegions(_ regions: [Region], source: String, audit: AuditEvent) async throws {
        try transaction { s in
            for r in regions { s.regions[r.kato] = r }
            s.append(audit)
        }
    }

    public func userCount() async throws -> Int { state.users.count }

    public func insertUser(_ user: User, passwordHash: String?, audit: AuditEvent) async throws {
        try transaction { s in
            guard !s.users.values.contains(where: { $0.username == user.username }) else {
                throw AqylError(.conflict, code: "username_taken", "user '\(user.username)' already exists", field: "username")
            }
            s.users[user.id] = user
            if let passwordHash { s.passwordHashes[user.id] = passwordHash }
            s.append(audit)
        }
    }

    public func user(username: String) async throws -> User? { state.users.values.first { $0.username == username } }

    public func credentials(username: String) async throws -> (user: User, passwordHash: String?)? {
        guard let u = state.users.values.first(where: { $0.username == username }) else { return nil }
        return (u, state.passwordHashes[u.id])
    }

    public func users(in regions: RegionFilter, page: PageRequest) async throws -> Page<User> {
        let rows = state.users.values.filter { regions.contains($0.regionKato) }
            .sorted { $0.username < $1.username }
            .filter { u in page.cursor.map { u.username > $0.id } ?? true }
        return Page(rows: Array(rows.prefix(page.limit + 1)), limit: page.limit) { Cursor(key: 0, id: $0.username) }
    }

    public func insertToken(_ token: StoredToken, audit: AuditEvent) async throws {
        try transaction { s in
            s.tokens[token.digest] = token
            s.append(audit)
        }
    }

    public func user(tokenDigest: String, now: Date) async throws -> User? {
        guard let t = state.tokens[tokenDigest], let u = state.users[t.userId], !u.disabled else { return nil }
        if let exp = t.expiresAt, exp < now { return nil }
        return u
    }

    public func insertRecommendation(_ recommendation: Recommendation, audit: AuditEvent) async throws {
        try transaction { s in try s.insertRecommendation(recommendation, audit: audit) }
    }

    public func recommendation(id: String) async throws -> (Recommendation, Decision?)? {
        guard let r = state.recommendations[id] else { return nil }
        return (r, state.decisions[id])
    }

    public func recommendations(_ filter: RecommendationFilter, page: PageRequest) async throws -> Page<Recommendation> {
        let rows = state.recommendations.values.filter { r in
            filter.regions.contains(r.regionKato) && (filter.status.map { r.status == $0 } ?? true)
                && (filter.domain.map { r.domain == $0 } ?? true)
        }
        return Page(keyset: rows, page: page, key: { Clock.millis($0.createdAt) }, id: \.id)
    }

    public func recordDecision(_ decision: Decision, on recommendation: Recommendation, audit: AuditEvent) async throws {
        try transaction { s in try s.recordDecision(decision, on: recommendation, audit: audit) }
    }

    public func advisoryStatistics(in regions: RegionFilter, domain: String?) async throws -> [AdvisoryStatistics] {
        var acc: [[String]: (Int, Int, Int, Int)] = [:]
        for r in state.recommendations.values where regions.contains(r.regionKato) && (domain.map { r.domain == $0 } ?? true) {
            let k = [r.domain, r.modelName, r.modelVersion]
            var a = acc[k] ?? (0, 0, 0, 0)
            a.0 += 1
            if let d = state.decisions[r.id] { if d.agrees { a.2 += 1 } else { a.3 += 1 } } else { a.1 += 1 }
            acc[k] = a
        }
        return acc.map { k, a in
            AdvisoryStatistics(domain: k[0], modelName: k[1], modelVersion: k[2], total: a.0, pending: a.1, agreed: a.2, overridden: a.3)
        }.sorted { ($0.domain, $0.modelName, $0.modelVersion) < ($1.domain, $1.modelName, $1.modelVersion) }
    }

    public func appendAudit(_ event: AuditEvent) async throws -> AuditEntry {
        try transaction { s in s.append(event) }
    }

    public func auditEntries(after: Int64, in regions: RegionFilter, limit: Int) async throws -> [AuditEntry] {
        Array(state.audit.lazy.filter { e in
            e.seq > after && (regions == .all || e.regionKato.map { regions.contains($0) } ?? false)
        }.prefix(limit))
    }

    public func verifyAudit() async throws -> AuditChain.Report {
        AuditChain.verify(state.audit, headSeq: state.audit.last?.seq ?? 0, headHash: state.audit.last?.hash ?? AuditChain.genesis)
    }
}
