import Appeals
import AqylCore
import AqylStore
import Assistance
import Configuration
import Forecasting
import Foundation
import Legal
import Logging
import Vision

/// The platform's domain modules. The server knows no domain by name anywhere else: adding a domain is one new
/// module and one line here.
public enum PlatformModules {
    public static let all: [any DomainModule.Type] = [
        AssistanceModule.self,
        AppealsModule.self,
        VisionModule.self,
        LegalModule.self,
        ForecastingModule.self,
    ]
}

/// The composed platform: the core's services over one persistence backend and every module built on them.
public final class AqylPlatform: Sendable {
    public let context: PlatformContext
    public let modules: [any DomainModule]
    public let moduleTypes: [any DomainModule.Type]

    public var core: CoreServices { context.core }
    public var persistence: any PlatformPersistence { context.persistence }

    /// Every migration of the core and the modules, ranges checked (throws naming the module at fault).
    public static func migrations(_ modules: [any DomainModule.Type] = PlatformModules.all) throws -> [Migration] {
        try PlatformSchema.migrations(core: CoreMigrations.all, modules: modules)
    }

    init(context: PlatformContext, modules: [any DomainModule], moduleTypes: [any DomainModule.Type]) {
        self.context = context
        self.modules = modules
        self.moduleTypes = moduleTypes
    }

    /// Builds the core's services and each module once. `config` is the configuration read at the entry point.
    public static func make(persistence: any PlatformPersistence, config: ConfigReader, logger: Logger = Logger(label: "aqyl"),
                            modules moduleTypes: [any DomainModule.Type] = PlatformModules.all) async throws -> AqylPlatform {
        _ = try migrations(moduleTypes)   // checks the migration ranges at start
        let keyHex = config.string(forKey: "aqyl.pseudonym.key", isSecret: true)
        var key: Data?
        if let keyHex, !keyHex.isEmpty {
            guard let k = Data(hexString: keyHex) else {
                throw AqylError.invalid("AQYL_PSEUDONYM_KEY", "the pseudonym key must be hex (at least 32 digits)")
            }
            key = k
        }
        let bcryptCost = UInt8(clamping: config.int(forKey: "aqyl.bcrypt.cost", default: 12))
        let core = CoreServices(store: persistence, bcryptCost: max(4, bcryptCost), pseudonymKey: key)
        let context = PlatformContext(core: core, persistence: persistence, config: config, logger: logger)
        var modules: [any DomainModule] = []
        for t in moduleTypes { modules.append(try await t.make(context)) }
        return AqylPlatform(context: context, modules: modules, moduleTypes: moduleTypes)
    }

    /// The decision policy of a domain's recommendations (the core's route for domains without a module).
    public func decisionPolicy(for domain: String) -> DecisionPolicy {
        for (t, m) in zip(moduleTypes, modules) where t.domain == domain { return m.decisionPolicy }
        return .coreRoute
    }

    /// The built module of a type (the CLI uses its services directly).
    public func module<M: DomainModule>(_ type: M.Type) throws -> M {
        guard let m = modules.lazy.compactMap({ $0 as? M }).first else {
            throw AqylError(.internalError, code: "module_missing", "module \(M.domain) is not part of this platform")
        }
        return m
    }

    public var jobs: [any BackgroundJob] { modules.flatMap(\.jobs) }
    public var demoSeeds: [any DemoSeed] { modules.compactMap(\.demo) }
}
