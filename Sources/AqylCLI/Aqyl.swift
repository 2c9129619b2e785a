import AqylCore
import AqylDemo
import AqylServer
import AqylStore
import ArgumentParser
import Configuration
import Foundation
import Hummingbird
import Logging

/// `aqyl`: the platform's command line. Every command that touches data takes `--database`.
@main
struct Aqyl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aqyl",
        abstract: "Aqyl: AI-assisted public services. The machine advises, a named official decides, every step is audited.",
        version: AqylVersion.value,
        subcommands: [Serve.self, Migrate.self, AuditCommand.self, UsersCommand.self, RegionsCommand.self, ForestCommand.self, AssistanceCommand.self, TriageCommand.self, AppealsCommand.self, VisionCommand.self, ForecastCommand.self, LegalCommand.self, FraudCommand.self])
}

/// The one configuration of a run, read here at the entry point and passed down: command-line flags first, then the
/// environment (`AQYL_…`: key `aqyl.triage.model` is `AQYL_TRIAGE_MODEL`), then the defaults written at each read.
/// No library reads the environment.
enum Settings {
    static func reader(flags: [String: String] = [:]) -> ConfigReader {
        ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: flags),
            EnvironmentVariablesProvider(secretsSpecifier: .specific(["AQYL_PSEUDONYM_KEY", "AQYL_DATABASE"])),
        ])
    }

    /// The user running the CLI, for the audit log.
    static var operatorName: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? NSUserName()) }
}

/// The embedded default: a SQLite file in the working directory.
let defaultDatabase = "sqlite:aqyl.sqlite"

struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "sqlite:PATH (embedded default, sqlite:aqyl.sqlite) or postgres://user:password@host:port/database; also AQYL_DATABASE")
    var database: String?

    /// The configuration with this command's flags on top.
    func config(_ flags: [String: String] = [:]) -> ConfigReader {
        var f = flags
        if let database { f["AQYL_DATABASE"] = database }
        return Settings.reader(flags: f)
    }

    func location(_ config: ConfigReader) throws -> DatabaseLocation {
        let raw = config.string(forKey: "aqyl.database", isSecret: true, default: defaultDatabase)
        do { return try DatabaseLocation.parse(raw) } catch { throw ValidationError(error.description) }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs `body` with the platform over the configured database (migrated, reference data loaded), its connection
/// pool running beside it, and closes everything afterwards. Errors users caused become one readable line.
func withPlatform<T: Sendable>(_ option: DatabaseOption, flags: [String: String] = [:],
                               _ body: @Sendable (AqylPlatform) async throws -> T) async throws -> T {
    let config = option.config(flags)
    let location = try option.location(config)
    do {
        return try await AqylStore.withStore(location, migrations: try AqylPlatform.migrations()) { store in
            let platform = try await AqylPlatform.make(persistence: store, config: config, logger: Logger(label: "aqyl"))
            try await platform.core.seedReferenceData()
            return try await body(platform)
        }
    } catch let e as AqylError {
        throw CLIError(e.description)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    e.keyEncodingStrategy = .convertToSnakeCase
    e.dateEncodingStrategy = .iso8601
    print(String(decoding: try e.encode(value), as: UTF8.self))
}

func stderr(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API (migrates first; loads demo data on a fresh embedded database).")
    @OptionGroup var db: DatabaseOption
    @Option(help: "Address to listen on (AQYL_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (AQYL_PORT; default 8080).") var port: Int?
    @Flag(inversion: .prefixedNo, help: "Load synthetic demo users and a demo queue into an empty database (default: on for SQLite).")
    var demo: Bool?

    func run() async throws {
        var flags: [String: String] = [:]
        if let host { flags["AQYL_HOST"] = host }
        if let port { flags["AQYL_PORT"] = String(port) }
        let config = db.config(flags)
        let location = try db.location(config)
        var logger = Logger(label: "aqyl")
        logger.logLevel = .info
        let server = ServerConfig(host: config.string(forKey: "aqyl.host", default: "127.0.0.1"),
                                  port: config.int(forKey: "aqyl.port", default: 8080),
                                  sessionLifetime: config.double(forKey: "aqyl.session.hours", default: 8) * 3600)
        let useDemo: Bool
        if case .sqlite = location { useDemo = demo ?? true } else { useDemo = demo ?? false }
        let store: AqylStore
        let platform: AqylPlatform
        do {
            store = try await AqylStore.open(location, logger: Logger(label: "aqyl.store"))
            platform = try await AqylPlatform.make(persistence: store, config: config, logger: logger)
        } catch let e as AqylError { throw CLIError(e.description) }
        let migrations = try AqylPlatform.migrations()
        let app = try buildApplication(platform: platform, store: store, config: server, logger: logger) {
            // Runs once the database's pool is up, before the first request.
            do {
                try await store.migrate(migrations)
                try await platform.core.seedReferenceData()
                if useDemo, try await Demo.seed(platform) {
                    stderr("""
                        Loaded SYNTHETIC demo data (no real people). Demo users, password '\(Demo.password)':
                          \(Demo.accounts.filter { $0.role != .integrator }.map { "\($0.username) (\($0.role.rawValue))" }.joined(separator: ", "))
                        """)
                }
            } catch let e as AqylError {
                stderr("error: \(e.description)")
                throw e
            }
            stderr("aqyl \(AqylVersion.value): \(location) — listening on http://\(server.host):\(server.port)  (OpenAPI: /openapi.yaml)")
        }
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date and load built-in reference data.")
    @OptionGroup var db: DatabaseOption

    func run() async throws {
        let config = db.config()
        let location = try db.location(config)
        do {
            try await AqylStore.withStore(location) { store in
                let applied = try await store.migrate(try AqylPlatform.migrations())
                let seeded = try await CoreServices(store: store).seedReferenceData()
                if applied.isEmpty { print("\(location): schema is up to date") }
                for m in applied { print("applied \(m.version): \(m.name)") }
                if seeded { print("loaded built-in regions (\(KazakhstanRegions.all.count))") }
            }
        } catch let e as AqylError { throw CLIError(e.description) }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Inspect the audit log.",
                                                    subcommands: [Verify.self, Tail.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every entry's hash chain; exit code 1 when the log was altered.")
        @OptionGroup var db: DatabaseOption
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let report = try await withPlatform(db) { try await $0.core.verifyAudit() }
            if json {
                try printJSON(report)
            } else if report.ok {
                print("audit log OK: \(report.entries) entries, head \(report.headSeq) \(report.headHash)")
            } else {
                print("audit log ALTERED: \(report.problems.count) problem(s) in \(report.entries) entries")
                for p in report.problems { print("  entry \(p.seq): \(p.kind): \(p.message)") }
            }
            if !report.ok { throw ExitCode(1) }
        }
    }

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print audit entries after a sequence number.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "Print entries after this sequence number.") var after: Int64 = 0
        @Option(help: "At most this many entries.") var limit = 50

        func run() async throws {
            let entries = try await withPlatform(db) { try await $0.persistence.auditEntries(after: after, in: .all, limit: limit) }
            let f = ISO8601DateFormatter()
            for e in entries {
                print("\(e.seq)\t\(f.string(from: e.at))\t\(e.actor)\t\(e.action)\t\(e.entityType):\(e.entityId)\t\(e.personal ? "personal" : "-")\t\(e.detail)")
            }
        }
    }
}

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "users", abstract: "Manage users and API tokens.",
                                                    subcommands: [Add.self, Token.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user bound to a region node.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "Login name.") var username: String
        @Option(help: "admin, analyst, officer, operator, auditor or integrator.") var role: String
        @Option(help: "KATO code of the user's node; 000000000 is the centre.") var region: String
        @Option(help: "Full name shown in decisions.") var displayName: String?
        @Flag(help: "Read the password from standard input (one line). Not needed for integrators.") var passwordStdin = false

        func run() async throws {
            let role: Role
            do { role = try Role.parse(self.role) } catch { throw ValidationError(error.description) }
            var password: String?
            if passwordStdin {
                password = readLine(strippingNewline: true)
                if password == nil { throw ValidationError("no password on standard input") }
            } else if role != .integrator {
                throw ValidationError("--password-stdin is required for role \(role.rawValue)")
            }
            let pw = password
            let user = try await withPlatform(db) { platform in
                try await platform.core.createUser(username: username, displayName: displayName, role: role, regionKato: region,
                                                   password: pw, actor: Settings.operatorName)
            }
            print("added \(user.username) (\(user.role.rawValue)) at \(user.regionKato), id \(user.id)")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an API token (printed once; only its hash is stored).")
        @OptionGroup var db: DatabaseOption
        @Option(help: "The user the token acts as.") var username: String
        @Option(help: "A label to recognise the token by.") var label: String?
        @Option(help: "Lifetime in days (default: until revoked).") var days: Int?

        func run() async throws {
            if let d = days, d < 1 { throw ValidationError("--days must be at least 1") }
            let token = try await withPlatform(db) { platform in
                guard let user = try await platform.core.user(username: username) else { throw CLIError("no user '\(username)'") }
                return try await platform.core.issueToken(for: user, kind: "api", label: label, lifetime: days.map { Double($0) * 86400 },
                                                          actor: Settings.operatorName).token
            }
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users within a region node.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "KATO code of the node (default: the centre, i.e. everyone).") var region = Region.centreCode

        func run() async throws {
            let reader = Principal(userId: "cli", username: Settings.operatorName, role: .admin, regionKato: Region.centreCode)
            try await withPlatform(db) { platform in
                var page = PageRequest(limit: 1000)
                while true {
                    let result = try await platform.core.users(reader: reader, region: region, page: page)
                    for u in result.items { print("\(u.username)\t\(u.role.rawValue)\t\(u.regionKato)\t\(u.displayName)") }
                    guard let next = result.next else { break }
                    page.cursor = next
                }
            }
        }
    }
}

struct RegionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "regions", abstract: "Kazakhstan's administrative hierarchy (KATO).",
                                                    subcommands: [List.self, Import.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the children of a node.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "KATO code of the parent (default: the centre).") var parent = Region.centreCode

        func run() async throws {
            let dir = try await withPlatform(db) { try await $0.core.directory() }
            guard dir.region(parent) != nil else { throw ValidationError("unknown region \(parent)") }
            for r in dir.children(of: parent) {
                print("\(r.kato)\t\(r.level.rawValue)\t\(r.iso ?? "-")\t\(r.nameKk)\t\(r.nameRu)\t\(r.nameEn ?? "")")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the official KATO classifier (saved as UTF-8 CSV). Bad rows are reported and skipped, never guessed.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "The CSV file: columns te/code, name_kaz, name_rus, optional parent.") var file: String
        @Flag(help: "Check the file and report, but write nothing.") var dryRun = false

        func run() async throws {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ValidationError("cannot read \(file) as UTF-8 text: \(error.localizedDescription)")
            }
            try await withPlatform(db) { platform in
                let known = try await platform.persistence.regions()
                let result: KATOImporter.Result
                do { result = try KATOImporter.parse(csv: text, known: known) } catch { throw CLIError("\(file): \(error)") }
                for e in result.errors { stderr("\(file): \(e)") }
                if !dryRun && !result.regions.isEmpty {
                    try await platform.core.upsertRegions(result.regions, source: URL(fileURLWithPath: file).lastPathComponent,
                                                          actor: Settings.operatorName)
                }
                print("\(dryRun ? "checked" : "imported") \(result.regions.count) regions, \(result.errors.count) rows rejected")
            }
        }
    }
}
