import AqylCore
import Configuration
import Foundation

/// Legal consultation as a platform module: the questions table, the citizens' and lawyers' routes. The index is
/// built offline (`aqyl legal index`) and named by `aqyl.legal.index` (`AQYL_LEGAL_INDEX`); without one the question
/// route answers 503 and the rest still works.
public struct LegalModule: DomainModule {
    public static let domain = LegalConsultation.domain
    public static let migrationVersions = LegalMigrations.versions
    public static var migrations: [Migration] { LegalMigrations.all }

    public let service: LegalConsultation

    public init(service: LegalConsultation) { self.service = service }

    public static func make(_ platform: PlatformContext) async throws -> LegalModule {
        var engine: LegalConsultation.Engine?
        if let path = platform.config.string(forKey: "aqyl.legal.index"), !path.isEmpty {
            do { engine = try LegalConsultation.Engine.load(indexPath: path) } catch {
                throw AqylError(.badRequest, code: "legal_index_unreadable", "cannot load the legal index \(path): \(error)", field: "AQYL_LEGAL_INDEX")
            }
        }
        let perMinute = platform.config.int(forKey: "aqyl.legal.questions.per.minute", default: 30)
        return LegalModule(service: LegalConsultation(core: platform.core, repository: try LegalRepositories.make(for: platform.persistence),
                                                      engine: engine, perMinute: max(1, perMinute)))
    }

    /// A lawyer takes (accepts) or declines an escalated question through the core's decision route.
    public var decisionPolicy: DecisionPolicy { .coreRoute }
    public var routes: [APIRoute] { LegalRoutes(service: service).all }
}
