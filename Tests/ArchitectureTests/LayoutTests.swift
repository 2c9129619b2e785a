import Foundation
import Testing

/// The platform's layout rules, checked on the sources themselves (DESIGN.md, issue 13): the environment is read
/// only at the entry point, SQL lives only in persistence files, the server holds no demo code, data flows one way
/// down the target table (no domain imports another domain or the server).
@Suite("Layout rules")
struct LayoutTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let domains = ["Assistance", "Appeals", "Vision", "Forecasting", "AntiFraud", "Legal"]

    /// Every Swift file under `Sources/`, as (path relative to the package, text).
    static func sources() throws -> [(path: String, text: String)] {
        let base = root.appendingPathComponent("Sources")
        guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var out: [(String, String)] = []
        for case let url as URL in e where url.pathExtension == "swift" {
            let rel = String(url.path.dropFirst(root.path.count + 1))
            out.append((rel, try String(contentsOf: url, encoding: .utf8)))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    static func target(_ path: String) -> String { path.split(separator: "/").dropFirst().first.map(String.init) ?? "" }

    @Test func theEnvironmentIsReadOnlyAtTheEntryPoint() throws {
        let allowed = ["AqylCLI", "AqylTestSupport"]   // the CLI's configuration; the test database URL for tests
        let offenders = try Self.sources().filter { f in
            !allowed.contains(Self.target(f.path)) && (f.text.contains("processInfo.environment") || f.text.contains("getenv("))
        }.map(\.path)
        #expect(offenders.isEmpty, "environment read outside the entry point: \(offenders)")
    }

    @Test func sqlLivesOnlyInPersistenceFiles() throws {
        let offenders = try Self.sources().filter { f in
            let persistence = Self.target(f.path) == "AqylStore" || f.path.contains("/Persistence/")
            return !persistence && (f.text.contains("sql.raw(") || f.text.contains("SQLQueryString(") || f.text.contains("import SQLKit"))
        }.map(\.path)
        #expect(offenders.isEmpty, "SQL outside the persistence files: \(offenders)")
    }

    @Test func theServerHoldsNoDemoCode() throws {
        let offenders = try Self.sources().filter { f in
            Self.target(f.path) == "AqylServer" && (f.path.contains("Demo") || f.text.contains("SYNTHETIC") || f.text.contains("Demo."))
        }.map(\.path)
        #expect(offenders.isEmpty, "demo code in the server: \(offenders)")
    }

    @Test func dataFlowsOneWayDownTheTargets() throws {
        for f in try Self.sources() {
            let t = Self.target(f.path)
            let imports = f.text.split(separator: "\n").filter { $0.hasPrefix("import ") || $0.hasPrefix("@testable import ") }
                .map { String($0.split(separator: " ").last ?? "") }
            if Self.domains.contains(t) {
                let others = imports.filter { Self.domains.contains($0) && $0 != t }
                #expect(others.isEmpty, "\(f.path): a domain imports another domain \(others)")
                #expect(!imports.contains("AqylServer") && !imports.contains("Hummingbird"), "\(f.path): a domain imports the server")
            }
            if t == "AqylCore" || t == "AqylML" {
                let up = imports.filter { ["AqylStore", "AqylServer", "Hummingbird"].contains($0) || Self.domains.contains($0) }
                #expect(up.isEmpty, "\(f.path): \(t) imports \(up)")
            }
            if t == "AqylStore" {
                let up = imports.filter { $0 == "AqylServer" || Self.domains.contains($0) }
                #expect(up.isEmpty, "\(f.path): the store imports \(up)")
            }
        }
    }

    /// Adding a domain is one module and one line: the server names domains only in its module list.
    @Test func theServerNamesDomainsOnlyInTheModuleList() throws {
        for f in try Self.sources() where Self.target(f.path) == "AqylServer" {
            let named = Self.domains.filter { f.text.contains("import \($0)\n") }
            if !named.isEmpty {
                #expect(f.path.hasSuffix("AqylServer/Platform.swift"), "\(f.path) imports the domain(s) \(named)")
            }
        }
    }

    /// One CSV reader (AqylKit's strict RFC 4180 reader) serves every command; the older readers are gone and the
    /// core does not reach into the ML library for it.
    @Test func oneCSVReaderAndTheCoreDoesNotImportML() throws {
        let files = try Self.sources()
        let second = files.filter { f in
            Self.target(f.path) != "AqylKit"
                && ["struct CSVRecords", "enum TextCSV", "struct TextCSV", "class CSVReader", "struct CSVReader"].contains { f.text.contains($0) }
        }.map(\.path)
        #expect(second.isEmpty, "a second CSV reader: \(second)")
        let coreML = files.filter { Self.target($0.path) == "AqylCore" && $0.text.contains("import AqylML\n") }.map(\.path)
        #expect(coreML.isEmpty, "AqylCore imports AqylML: \(coreML)")
    }
}
