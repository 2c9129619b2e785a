import AqylCore
import AqylServer
import AqylStore
import ArgumentParser
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
        subcommands: [Serve.self, Migrate.self, AuditCommand.self, UsersCommand.self, RegionsCommand.self, ForestCommand.self, AssistanceCommand.self, TriageCommand.self, AppealsCommand.self, VisionCommand.self, FraudCommand.self])
}

/// The embedded default: a SQLite file in the working directory.
let defaultDatabase = "sqlite:aqyl.sqlite"

struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "sqlite:PATH (embedded default) or postgres://user:password@host:port/database")
    var database: String = ProcessInfo.processInfo.environment["AQYL_DATABASE"] ?? defaultDatabase

    func location() throws -> DatabaseLocation {
        do { return try DatabaseLocation.parse(database) } catch { throw ValidationError(error.description) }
    }

    func open() async throws -> AqylStore {
        do {
            let store = try await AqylStore.open(try location(), migrations: Platform.migrations, logger: Logger(label: "aqyl.store"))
            try await store.seedReferenceData()
            return store
        } catch let e as AqylError {
            throw CLIError(e.description)
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs `body` with an open store and always closes it.
func withStore<T>(_ option: DatabaseOption, _ body: (AqylStore) async throws -> T) async throws -> T {
    let store = try await option.open()
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch let e as AqylError {
        await store.close()
        throw CLIError(e.description)
    } catch {
        await store.close()
        throw error
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
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(inversion: .prefixedNo, help: "Load synthetic demo users and a demo queue into an empty database (default: on for SQLite).")
    var demo: Bool?

    func run() async throws {
        var logger = Logger(label: "aqyl")
        logger.logLevel = .info
        let store = try await db.open()
        let location = try db.location()
        let useDemo: Bool
        if case .sqlite = location { useDemo = demo ?? true } else { useDemo = demo ?? false }
        if useDemo {
            if try await Demo.seed(store) {
                stderr("""
                    Loaded SYNTHETIC demo data (no real people). Demo users, password '\(Demo.password)':
                      \(Demo.accounts.filter { $0.role != .integrator }.map { "\($0.username) (\($0.role.rawValue))" }.joined(separator: ", "))
                    """)
            }
        }
        stderr("aqyl \(AqylVersion.value): \(location) — listening on http://\(host):\(port)  (OpenAPI: /openapi.yaml)")
        let app = try buildApplication(store: store, config: AppConfig(host: host, port: port), logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date and load built-in reference data.")
    @OptionGroup var db: DatabaseOption

    func run() async throws {
        let location = try db.location()
        let database: Database
        do { database = try await Database.open(location) } catch let e as AqylError { throw CLIError(e.description) }
        do {
            let applied = try await Migrator.migrate(database, migrations: Platform.migrations)
            let store = AqylStore(db: database)
            let seeded = try await store.seedReferenceData()
            if applied.isEmpty { print("\(location): schema is up to date") }
            for m in applied { print("applied \(m.version): \(m.name)") }
            if seeded { print("loaded built-in regions (\(KazakhstanRegions.all.count))") }
            await database.close()
        } catch {
            await database.close()
            throw error
        }
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
            let report = try await withStore(db) { try await $0.audit.verify() }
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
            let entries = try await withStore(db) { try await $0.audit.entries(after: after, limit: limit) }
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
            let user = try await withStore(db) { store in
                try await store.createUser(username: username, displayName: displayName, role: role, regionKato: region,
                                           password: password, actor: "cli:\(NSUserName())")
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
            let token = try await withStore(db) { store in
                guard let user = try await store.user(username: username) else { throw CLIError("no user '\(username)'") }
                return try await store.issueToken(for: user, kind: "api", label: label, lifetime: days.map { Double($0) * 86400 },
                                                  actor: "cli:\(NSUserName())").token
            }
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users within a region node.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "KATO code of the node (default: the centre, i.e. everyone).") var region = Region.centreCode

        func run() async throws {
            let users = try await withStore(db) { store in
                let users = try await store.users(within: region)
                try await store.audit.record(AuditEvent(actor: "cli:\(NSUserName())", action: "user.list", entityType: "user",
                                                        entityId: "*", regionKato: region, personal: true))
                return users
            }
            for u in users { print("\(u.username)\t\(u.role.rawValue)\t\(u.regionKato)\t\(u.displayName)") }
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
            let dir = try await withStore(db) { try await $0.directory() }
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
            try await withStore(db) { store in
                let known = try await store.regions()
                let result: KATOImporter.Result
                do { result = try KATOImporter.parse(csv: text, known: known) } catch { throw CLIError("\(file): \(error)") }
                for e in result.errors { stderr("\(file): \(e)") }
                if !dryRun && !result.regions.isEmpty {
                    try await store.upsertRegions(result.regions, source: URL(fileURLWithPath: file).lastPathComponent,
                                                  actor: "cli:\(NSUserName())")
                }
                print("\(dryRun ? "checked" : "imported") \(result.regions.count) regions, \(result.errors.count) rows rejected")
            }
        }
    }
}
