import Configuration
import Foundation
import Logging

/// Which SQL engine a migration is written for.
public enum SQLEngine: String, Sendable, CaseIterable { case sqlite, postgres }

/// A numbered schema change. Statements are portable SQL unless a dialect needs its own. Versions are unique
/// across the platform: the core uses 1–99 and each domain module declares its own range (`migrationVersions`),
/// which the platform checks at start.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var statements: @Sendable (SQLEngine) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (SQLEngine) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

/// How a domain's recommendations may be decided.
public enum DecisionPolicy: Sendable, Equatable {
    /// The core's `POST /v1/recommendations/{id}/decision` may decide them (the core's rule only: a named official
    /// in scope, a reason when disagreeing).
    case coreRoute
    /// Only the domain's own route may, because it checks more than the core does (it is named in the refusal).
    case ownRoute(String)
}

/// Work a module does in the background while the server runs (escalating overdue reports, say). One pass at a
/// time per process, every `interval`; a pass must be safe when several server processes run it at once against one
/// database (each due item claimed by a conditional update or a lock), so nothing is done twice.
public protocol BackgroundJob: Sendable {
    var name: String { get }
    var interval: Duration { get }
    /// One pass; returns how many items it handled (for the log).
    func runOnce(now: Date) async throws -> Int
}

/// What a demo seed may use: the demo accounts (already created) and where the shared data sets are.
public struct DemoContext: Sendable {
    public var platform: PlatformContext
    /// The demo accounts by user name.
    public var accounts: [String: Principal]
    /// `../shared/data` beside the checkout, when present (real public data sets used by some demos).
    public var dataRoot: String?

    public init(platform: PlatformContext, accounts: [String: Principal], dataRoot: String?) {
        self.platform = platform
        self.accounts = accounts
        self.dataRoot = dataRoot
    }

    public func account(_ username: String) throws(AqylError) -> Principal {
        guard let p = accounts[username] else {
            throw AqylError(.internalError, code: "demo_account_missing", "demo account \(username) is missing")
        }
        return p
    }
}

/// A module's SYNTHETIC demo content, loaded into an empty embedded database by `aqyl serve` (never in production).
public protocol DemoSeed: Sendable {
    func seed(_ context: DemoContext) async throws
}

/// Everything a module is built from: the core's services and ports, the configuration read once at the entry
/// point, a logger. Modules never read the environment themselves.
public struct PlatformContext: Sendable {
    public var core: CoreServices
    /// The persistence backend (the SQL store, or the in-memory store in tests); each module builds its own
    /// repositories for it (`RepositoryFactory`).
    public var persistence: any PlatformPersistence
    public var config: ConfigReader
    public var logger: Logger

    public init(core: CoreServices, persistence: any PlatformPersistence, config: ConfigReader, logger: Logger) {
        self.core = core
        self.persistence = persistence
        self.config = config
        self.logger = logger
    }

    public var clock: Clock { core.clock }
}

/// One domain of the platform (assistance, appeals, vision, ...). The server composes a list of modules and knows
/// none by name: adding a domain is one new module and one line in that list.
public protocol DomainModule: Sendable {
    /// The domain word: recommendations carry it, routes and audit actions start with it.
    static var domain: String { get }
    /// The module's migration versions; every migration of `migrations` must lie inside.
    static var migrationVersions: ClosedRange<Int> { get }
    static var migrations: [Migration] { get }
    /// Builds the module's services once, at start.
    static func make(_ platform: PlatformContext) async throws -> Self

    var decisionPolicy: DecisionPolicy { get }
    var routes: [APIRoute] { get }
    var jobs: [any BackgroundJob] { get }
    var demo: (any DemoSeed)? { get }
}

extension DomainModule {
    public var decisionPolicy: DecisionPolicy { .coreRoute }
    public var jobs: [any BackgroundJob] { [] }
    public var demo: (any DemoSeed)? { nil }
}

/// The platform's schema: the core's migrations and each module's, checked for overlap and range.
public enum PlatformSchema {
    public static let coreVersions = 1...99

    /// All migrations in version order; throws naming the module when one lies outside its range, two ranges
    /// overlap or two migrations share a version.
    public static func migrations(core: [Migration], modules: [any DomainModule.Type]) throws(AqylError) -> [Migration] {
        var ranges: [(String, ClosedRange<Int>)] = [("core", coreVersions)]
        var all: [Migration] = []
        func check(_ owner: String, _ range: ClosedRange<Int>, _ ms: [Migration]) throws(AqylError) {
            for (other, r) in ranges where other != owner && r.overlaps(range) {
                throw AqylError(.internalError, code: "migration_ranges_overlap",
                                "module \(owner)'s migration versions \(range) overlap \(other)'s \(r)")
            }
            for m in ms where !range.contains(m.version) {
                throw AqylError(.internalError, code: "migration_out_of_range",
                                "\(owner) migration \(m.version) (\(m.name)) lies outside its range \(range)")
            }
            all += ms
        }
        try check("core", coreVersions, core)
        for m in modules {
            try check(m.domain, m.migrationVersions, m.migrations)
            ranges.append((m.domain, m.migrationVersions))
        }
        let versions = all.map(\.version)
        if Set(versions).count != versions.count {
            throw AqylError(.internalError, code: "duplicate_migration", "two migrations share a version number")
        }
        return all.sorted { $0.version < $1.version }
    }
}
