import Foundation

/// A value behind a lock, for small caches shared across tasks.
public final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    public var current: Value { withLock { $0 } }
}

/// The core's rules over its storage port: region scope, users and tokens, the advisory record (a named official
/// decides; disagreeing needs a reason), audited reads of personal data, pseudonyms. Domains and the server's
/// platform routes call these; nothing here knows SQL or HTTP.
public final class CoreServices: Sendable {
    public let store: any PlatformPersistence
    public let clock: Clock
    /// bcrypt cost for passwords set through the API or the CLI.
    public let bcryptCost: UInt8
    /// An explicit pseudonym key (configuration); otherwise one is made at first use and kept in settings.
    private let pseudonymKey: Data?
    private let directoryCache = LockedValue<RegionDirectory?>(nil)
    private let pseudonymizerCache = LockedValue<Pseudonymizer?>(nil)

    public init(store: any PlatformPersistence, bcryptCost: UInt8 = 12, pseudonymKey: Data? = nil) {
        self.store = store
        self.clock = store.clock
        self.bcryptCost = bcryptCost
        self.pseudonymKey = pseudonymKey
    }

    // MARK: reference data

    /// Loads the built-in regions when the store has none (a fresh database). Returns true when it loaded them.
    @discardableResult
    public func seedReferenceData() async throws -> Bool {
        guard try await store.regionCount() == 0 else { return false }
        try await upsertRegions(KazakhstanRegions.all, source: KazakhstanRegions.source, actor: "system")
        return true
    }

    public func upsertRegions(_ regions: [Region], source: String, actor: String) async throws {
        try await store.upsertRegions(regions, source: source, audit: AuditEvent(
            actor: actor, action: "regions.import", entityType: "region", entityId: "*",
            detail: "\(regions.count) regions from \(source)"))
        directoryCache.withLock { $0 = nil }
    }

    /// The hierarchy for scope checks, cached until regions change through this object.
    public func directory() async throws -> RegionDirectory {
        if let d = directoryCache.current { return d }
        let d = RegionDirectory(try await store.regions())
        directoryCache.withLock { $0 = d }
        return d
    }

    /// The node a reader asks for (`region`, default their own), checked: it must exist (404) and lie within the
    /// reader's scope (403). Returns the node and the filter covering its subtree.
    public func scope(of reader: Principal, region: String?) async throws -> (node: String, filter: RegionFilter, directory: RegionDirectory) {
        let dir = try await directory()
        let node = region ?? reader.regionKato
        guard dir.region(node) != nil else {
            throw AqylError(.notFound, code: "unknown_region", "region \(node) not found", field: "region")
        }
        guard dir.isWithin(node, scope: reader.regionKato) else {
            throw AqylError.forbidden("region \(node) is outside your scope (\(reader.regionKato))")
        }
        return (node, RegionFilter.subtree(of: node, in: dir), dir)
    }

    /// The keyed pseudonymiser (configuration's key when given, else the installation's key from settings).
    public func pseudonymizer() async throws -> Pseudonymizer {
        if let p = pseudonymizerCache.current { return p }
        let p: Pseudonymizer
        if let pseudonymKey {
            p = try Pseudonymizer(key: pseudonymKey)
        } else {
            let hex = try await store.settingOrCreate("pseudonym_key") { Pseudonymizer.randomKey().map { String(format: "%02x", $0) }.joined() }
            guard let data = Data(hexString: hex) else {
                throw AqylError(.internalError, code: "bad_setting", "stored pseudonym key is not hex")
            }
            p = try Pseudonymizer(key: data)
        }
        pseudonymizerCache.withLock { $0 = p }
        return p
    }

    /// Records a read of personal data (or any other read worth recording) in the audit log.
    public func recordRead(_ event: AuditEvent) async throws {
        try await store.appendAudit(event)
    }

    // MARK: users and tokens

    public func hasNoUsers() async throws -> Bool { try await store.userCount() == 0 }

    /// Adds a user (audited). `bcryptCost` overrides the configured cost (the demo's fast accounts).
    public func createUser(username: String, displayName: String?, role: Role, regionKato: String,
                           password: String?, actor: String, bcryptCost: UInt8? = nil) async throws -> User {
        try User.validateUsername(username)
        try Region.validateCode(regionKato, field: "region")
        guard try await directory().region(regionKato) != nil else {
            throw AqylError.refused("region", "unknown region \(regionKato)", code: "unknown_region")
        }
        if role != .integrator && password == nil {
            throw AqylError.refused("password", "a password is required for every role but integrator", code: "missing_field")
        }
        let cost = bcryptCost ?? self.bcryptCost
        let hash = try password.map { pw throws(AqylError) in try Passwords.hash(pw, cost: cost) }
        let user = User(id: UUID().uuidString.lowercased(), username: username, displayName: displayName ?? username,
                        role: role, regionKato: regionKato, createdAt: clock.now())
        try await store.insertUser(user, passwordHash: hash, audit: AuditEvent(
            actor: actor, action: "user.create", entityType: "user", entityId: user.id, regionKato: regionKato,
            detail: "\(username) as \(role.rawValue)"))
        return user
    }

    public func user(username: String) async throws -> User? { try await store.user(username: username) }

    /// Checks a password; the user when it matches and the account is enabled. A wrong user name costs as much time
    /// as a wrong password, so names cannot be probed by timing.
    public func authenticate(username: String, password: String) async throws -> User? {
        guard let (user, hash) = try await store.credentials(username: username), let hash else {
            _ = Passwords.verify(password, hash: "$2b$12$C6UzMDM.H6dfI/f/IKcEeO7Ov5dXh3tFjwrT2i3s8kXh1yVNN.W5K")
            return nil
        }
        guard !user.disabled, Passwords.verify(password, hash: hash) else { return nil }
        return user
    }

    /// Issues a token for `user`: `session` tokens expire, `api` tokens (integrators) last until their lifetime ends.
    public func issueToken(for user: User, kind: String, label: String?, lifetime: TimeInterval?, actor: String) async throws -> (token: String, expiresAt: Date?) {
        let token = Passwords.newToken()
        let now = clock.now()
        let expires = lifetime.map { now.addingTimeInterval($0) }
        try await store.insertToken(
            StoredToken(digest: Passwords.tokenDigest(token), userId: user.id, kind: kind, label: label, createdAt: now, expiresAt: expires),
            audit: AuditEvent(actor: actor, action: "token.issue", entityType: "user", entityId: user.id,
                              regionKato: user.regionKato, detail: "\(kind) token\(label.map { " '\($0)'" } ?? "")"))
        return (token, expires)
    }

    /// The user a bearer token belongs to, if it is known, unexpired and the user is enabled.
    public func user(forToken token: String) async throws -> User? {
        try await store.user(tokenDigest: Passwords.tokenDigest(token), now: clock.now())
    }

    /// Users within `region` (default: the reader's node), a page at a time, audited.
    public func users(reader: Principal, region: String? = nil, page: PageRequest) async throws -> Page<User> {
        let (node, filter, _) = try await scope(of: reader, region: region)
        let result = try await store.users(in: filter, page: page)
        try await recordRead(AuditEvent(actor: reader.username, action: "user.list", entityType: "user", entityId: "*",
                                        regionKato: node, personal: true, detail: "\(result.items.count) users"))
        return result
    }

    // MARK: advisory record

    /// Stores a recommendation (audited) after checking its fields and region.
    public func createRecommendation(_ rec: Recommendation, actor: String) async throws -> Recommendation {
        try await validateNew(rec)
        try await store.insertRecommendation(rec, audit: .recommendationCreated(rec, actor: actor))
        return rec
    }

    /// Checks a new recommendation's fields and that its region exists (domains call this before their own write).
    public func validateNew(_ rec: Recommendation) async throws {
        try rec.validate()
        guard try await directory().region(rec.regionKato) != nil else {
            throw AqylError.refused("region", "unknown region \(rec.regionKato)", code: "unknown_region")
        }
    }

    /// One recommendation as `reader` may see it (out of scope reads as not found, so ids cannot be probed); audited.
    public func recommendation(id: String, reader: Principal) async throws -> (Recommendation, Decision?) {
        guard let found = try await store.recommendation(id: id),
              try await directory().isWithin(found.0.regionKato, scope: reader.regionKato) else {
            throw AqylError.notFound("recommendation \(id)", field: "id")
        }
        try await recordRead(AuditEvent(actor: reader.username, action: "recommendation.read", entityType: "recommendation",
                                        entityId: id, regionKato: found.0.regionKato, personal: true))
        return found
    }

    /// The queue under the reader's scope (optionally one node below it), oldest first, a page at a time; audited.
    public func queue(reader: Principal, region: String?, status: Recommendation.Status?, domain: String?,
                      page: PageRequest) async throws -> Page<Recommendation> {
        let (node, filter, _) = try await scope(of: reader, region: region)
        let result = try await store.recommendations(RecommendationFilter(regions: filter, status: status, domain: domain), page: page)
        try await recordRead(AuditEvent(actor: reader.username, action: "recommendation.list", entityType: "recommendation",
                                        entityId: "*", regionKato: node, personal: true,
                                        detail: "\(result.items.count) listed, status \(status?.rawValue ?? "any")"))
        return result
    }

    /// Reads a recommendation `official` may decide and builds the decision by the core's rule (scope; a reason
    /// when disagreeing). Domains store it with their own rows (`PlatformPersistence.recordDecision` or inside their
    /// transaction), which claims the recommendation atomically.
    public func prepareDecision(recommendationId: String, official: Principal, outcome: String,
                                reason: String?) async throws -> (Recommendation, Decision) {
        guard let (rec, _) = try await store.recommendation(id: recommendationId),
              try await directory().isWithin(rec.regionKato, scope: official.regionKato) else {
            throw AqylError.notFound("recommendation \(recommendationId)", field: "id")
        }
        let decision = try Decision.make(on: rec, by: official, outcome: outcome, reason: reason, at: clock.now())
        return (rec, decision)
    }

    /// A named official decides on a recommendation (core rule only); `policy` says whether its domain allows it.
    public func decide(recommendationId: String, official: Principal, outcome: String, reason: String?,
                       policy: @Sendable (String) -> DecisionPolicy = { _ in .coreRoute }) async throws -> Decision {
        try official.require(.officer, .admin)
        let (rec, decision) = try await prepareDecision(recommendationId: recommendationId, official: official,
                                                        outcome: outcome, reason: reason)
        if case .ownRoute(let route) = policy(rec.domain) {
            throw AqylError(.conflict, code: "domain_decision",
                            "\(rec.domain) recommendations are decided through \(route), which applies that domain's own checks")
        }
        try await store.recordDecision(decision, on: rec, audit: .decisionMade(decision, on: rec, actor: official.username))
        return decision
    }

    /// Agreement and override counts per domain, model and version, within the reader's scope.
    public func advisoryStatistics(reader: Principal, domain: String?) async throws -> [AdvisoryStatistics] {
        let (_, filter, _) = try await scope(of: reader, region: nil)
        return try await store.advisoryStatistics(in: filter, domain: domain)
    }

    // MARK: audit

    /// Audit entries after `after` that the reader's node covers (all for the centre), filtered in the store so a
    /// regional auditor can page to the end.
    public func auditEntries(reader: Principal, after: Int64, limit: Int) async throws -> [AuditEntry] {
        let (_, filter, _) = try await scope(of: reader, region: nil)
        return try await store.auditEntries(after: after, in: filter, limit: limit)
    }

    public func verifyAudit() async throws -> AuditChain.Report { try await store.verifyAudit() }
}

extension Data {
    /// Bytes from hex digits; nil when the text is not even-length hex.
    public init?(hexString hex: String) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var it = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        while let a = it.next(), let b = it.next() {
            guard let hi = nibble(a), let lo = nibble(b) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.init(bytes)
    }
}
