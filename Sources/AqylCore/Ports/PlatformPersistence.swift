import Foundation

/// Filters of the shared recommendation queue.
public struct RecommendationFilter: Sendable, Equatable {
    public var regions: RegionFilter
    public var status: Recommendation.Status?
    public var domain: String?

    public init(regions: RegionFilter, status: Recommendation.Status? = nil, domain: String? = nil) {
        self.regions = regions
        self.status = status
        self.domain = domain
    }
}

/// The core's port to storage: settings, regions, users and tokens, the advisory record and the audit log.
/// `AqylStore` implements it over SQLite or PostgreSQL; `InMemoryStore` in memory (for rule tests).
/// Every write that changes something lands with the audit entry it is given, in one transaction.
/// Domains build their own repositories for the same backend (`RepositoryFactory`).
public protocol PlatformPersistence: Sendable {
    var clock: Clock { get }
    /// `sqlite`, `postgres` or `memory`, for `/health`.
    var engine: String { get }

    func ping() async throws

    // MARK: settings
    func setting(_ key: String) async throws -> String?
    /// The stored value, or stores and returns `make()` when there is none (safe when two callers race).
    func settingOrCreate(_ key: String, _ make: @Sendable () -> String) async throws -> String

    // MARK: regions
    func regions() async throws -> [Region]
    func regionCount() async throws -> Int
    /// Inserts or replaces these regions.
    func upsertRegions(_ regions: [Region], source: String, audit: AuditEvent) async throws

    // MARK: users and tokens
    func userCount() async throws -> Int
    /// Throws 409 `username_taken` when the name exists.
    func insertUser(_ user: User, passwordHash: String?, audit: AuditEvent) async throws
    func user(username: String) async throws -> User?
    func credentials(username: String) async throws -> (user: User, passwordHash: String?)?
    /// Users whose node is in `regions`, by user name.
    func users(in regions: RegionFilter, page: PageRequest) async throws -> Page<User>
    func insertToken(_ token: StoredToken, audit: AuditEvent) async throws
    /// The enabled user holding an unexpired token with this digest.
    func user(tokenDigest: String, now: Date) async throws -> User?

    // MARK: advisory record
    func insertRecommendation(_ recommendation: Recommendation, audit: AuditEvent) async throws
    func recommendation(id: String) async throws -> (Recommendation, Decision?)?
    /// Oldest first (created, id).
    func recommendations(_ filter: RecommendationFilter, page: PageRequest) async throws -> Page<Recommendation>
    /// Claims the pending recommendation (409 `already_decided` when another decision won) and stores the decision.
    func recordDecision(_ decision: Decision, on recommendation: Recommendation, audit: AuditEvent) async throws
    func advisoryStatistics(in regions: RegionFilter, domain: String?) async throws -> [AdvisoryStatistics]

    // MARK: audit log
    @discardableResult
    func appendAudit(_ event: AuditEvent) async throws -> AuditEntry
    /// Entries after `after` in sequence order, only those whose region lies in `regions` (entries without a
    /// region only for `.all`).
    func auditEntries(after: Int64, in regions: RegionFilter, limit: Int) async throws -> [AuditEntry]
    func verifyAudit() async throws -> AuditChain.Report
}

/// A token as stored: only the SHA-256 of the secret.
public struct StoredToken: Sendable, Equatable {
    public var digest: String
    public var userId: String
    /// `session` (expires) or `api` (integrators, until revoked or its lifetime ends).
    public var kind: String
    public var label: String?
    public var createdAt: Date
    public var expiresAt: Date?

    public init(digest: String, userId: String, kind: String, label: String?, createdAt: Date, expiresAt: Date?) {
        self.digest = digest
        self.userId = userId
        self.kind = kind
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

extension AuditEvent {
    /// The entry every new recommendation gets.
    public static func recommendationCreated(_ r: Recommendation, actor: String) -> AuditEvent {
        AuditEvent(actor: actor, action: "recommendation.create", entityType: "recommendation", entityId: r.id,
                   regionKato: r.regionKato,
                   detail: "\(r.domain) \(r.modelName)@\(r.modelVersion) → \(r.outcome) (\(String(format: "%.3f", r.score)))")
    }

    /// The entry every decision gets.
    public static func decisionMade(_ d: Decision, on r: Recommendation, actor: String) -> AuditEvent {
        AuditEvent(actor: actor, action: "decision.create", entityType: "recommendation", entityId: r.id,
                   regionKato: r.regionKato,
                   detail: "\(d.outcome) (\(d.agrees ? "agrees" : "overrides") \(r.modelName)@\(r.modelVersion))")
    }
}
