import AqylCore
import AqylStore
import Foundation
import Hummingbird

/// Routes of the platform core: auth, users, regions, IIN, advisory record, audit.
struct CoreRoutes {
    let store: AqylStore
    let config: AppConfig

    func register(on router: Router<AqylRequestContext>) {
        let v1 = router.group("v1")
        v1.post("auth/login", use: login)
        v1.get("me", use: me)
        v1.get("users", use: listUsers)
        v1.post("users", use: createUser)
        v1.post("users/:username/tokens", use: createToken)
        v1.get("regions", use: listRegions)
        v1.get("regions/:kato", use: getRegion)
        v1.post("iin/validate", use: validateIIN)
        v1.post("recommendations", use: createRecommendation)
        v1.get("recommendations", use: listRecommendations)
        v1.get("recommendations/:id", use: getRecommendation)
        v1.post("recommendations/:id/decision", use: decide)
        v1.get("statistics/advisory", use: advisoryStatistics)
        v1.get("audit", use: auditEntries)
        v1.get("audit/verify", use: auditVerify)
    }

    // MARK: auth

    struct LoginInput: APIInput {
        var username: String
        var password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case username, password }
    }

    struct TokenOutput: Encodable {
        var token: String
        var tokenType = "Bearer"
        var expiresAt: Date?
        var user: User
    }

    @Sendable func login(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let input = try await JSON.decode(LoginInput.self, from: request, context: context)
        guard let user = try await store.authenticate(username: input.username, password: input.password) else {
            throw AqylError(.unauthorized, code: "invalid_credentials", "user name or password is wrong")
        }
        let issued = try await store.issueToken(for: user, kind: "session", label: nil, lifetime: config.sessionLifetime,
                                                actor: user.username)
        return try JSON.response(TokenOutput(token: issued.token, expiresAt: issued.expiresAt, user: user), status: .created)
    }

    @Sendable func me(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let dir = try await store.directory()
        struct Me: Encodable { var principal: Principal; var region: Region? }
        return try JSON.response(Me(principal: p, region: dir.region(p.regionKato)))
    }

    // MARK: users

    @Sendable func listUsers(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.admin, .auditor)
        let users = try await store.users(within: p.regionKato)
        try await store.audit.record(AuditEvent(actor: p.username, action: "user.list", entityType: "user", entityId: "*",
                                                regionKato: p.regionKato, personal: true, detail: "\(users.count) users"))
        return try JSON.response(["users": users])
    }

    struct CreateUserInput: APIInput {
        var username: String
        var displayName: String?
        var role: String
        var region: String
        var password: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case username, role, region, password
            case displayName = "display_name"
        }
    }

    @Sendable func createUser(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.admin)
        let input = try await JSON.decode(CreateUserInput.self, from: request, context: context)
        let role = try Role.parse(input.role)
        try Region.validateCode(input.region, field: "region")
        try p.requireScope(input.region, in: try await store.directory())
        if role != .integrator && input.password == nil { throw AqylError.missing("password") }
        let user = try await store.createUser(username: input.username, displayName: input.displayName, role: role,
                                              regionKato: input.region, password: input.password,
                                              bcryptCost: config.bcryptCost, actor: p.username)
        return try JSON.response(user, status: .created)
    }

    struct CreateTokenInput: APIInput {
        var label: String?
        var lifetimeDays: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case label
            case lifetimeDays = "lifetime_days"
        }
    }

    @Sendable func createToken(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.admin)
        let username = try context.parameters.require("username")
        let input = try await JSON.decode(CreateTokenInput.self, from: request, context: context)
        if let d = input.lifetimeDays, !(1...3650).contains(d) {
            throw AqylError.invalid("lifetime_days", "lifetime_days must be 1–3650")
        }
        guard let user = try await store.user(username: username),
              try await store.directory().isWithin(user.regionKato, scope: p.regionKato) else {
            throw AqylError.notFound("user \(username)", field: "username")
        }
        let issued = try await store.issueToken(for: user, kind: "api", label: input.label,
                                                lifetime: input.lifetimeDays.map { Double($0) * 86400 }, actor: p.username)
        return try JSON.response(TokenOutput(token: issued.token, expiresAt: issued.expiresAt, user: user), status: .created)
    }

    // MARK: regions

    @Sendable func listRegions(_ request: Request, context: AqylRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        let dir = try await store.directory()
        let parent = request.query("parent") ?? Region.centreCode
        try Region.validateCode(parent, field: "parent")
        guard dir.region(parent) != nil else { throw AqylError.notFound("region \(parent)", field: "parent") }
        return try JSON.response(["regions": dir.children(of: parent)])
    }

    @Sendable func getRegion(_ request: Request, context: AqylRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        let kato = try context.parameters.require("kato")
        try Region.validateCode(kato, field: "kato")
        let dir = try await store.directory()
        guard let region = dir.region(kato) else { throw AqylError.notFound("region \(kato)", field: "kato") }
        struct Out: Encodable { var region: Region; var path: [Region]; var children: [Region] }
        return try JSON.response(Out(region: region, path: Array(dir.path(to: kato).dropFirst()), children: dir.children(of: kato)))
    }

    // MARK: IIN

    struct IINInput: APIInput {
        var iin: String
        enum CodingKeys: String, CodingKey, CaseIterable { case iin }
    }

    @Sendable func validateIIN(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let input = try await JSON.decode(IINInput.self, from: request, context: context)
        let iin = try IIN(input.iin)
        struct Out: Encodable { var valid = true; var masked: String; var birthDate: String; var sex: IIN.Sex; var pseudonym: String? }
        // Analysts get the pseudonym they would see in analytics; nobody gets it back for an IIN they did not send.
        let pseudonym = p.role == .analyst || p.role == .admin ? try await store.pseudonymizer().pseudonym(for: iin) : nil
        return try JSON.response(Out(masked: iin.description, birthDate: iin.birthDateISO, sex: iin.sex, pseudonym: pseudonym))
    }

    // MARK: advisory record

    struct RecommendationInput: APIInput {
        var subject: String
        var domain: String
        var modelName: String
        var modelVersion: String
        var score: Double
        var outcome: String
        var reasons: [ReasonInput]?
        var inputDigest: String
        var region: String
        var subjectIin: IIN?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case subject, domain, score, outcome, reasons, region
            case modelName = "model_name", modelVersion = "model_version", inputDigest = "input_digest"
            case subjectIin = "subject_iin"
        }
    }

    struct ReasonInput: Decodable {
        var feature: String
        var label: String
        var contribution: Double
        var value: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case feature, label, contribution, value }

        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            feature = try c.decode(String.self, forKey: .feature)
            label = try c.decode(String.self, forKey: .label)
            contribution = try c.decode(Double.self, forKey: .contribution)
            value = try c.decodeIfPresent(String.self, forKey: .value)
        }
    }

    @Sendable func createRecommendation(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.admin, .integrator, .operator)
        let input = try await JSON.decode(RecommendationInput.self, from: request, context: context)
        try Region.validateCode(input.region, field: "region")
        let dir = try await store.directory()
        guard dir.region(input.region) != nil else {
            throw AqylError.invalid("region", "unknown region \(input.region)", code: "unknown_region")
        }
        try p.requireScope(input.region, in: dir)
        var pseudonym: String?
        if let iin = input.subjectIin { pseudonym = try await store.pseudonymizer().pseudonym(for: iin) }
        let rec = Recommendation(
            subject: input.subject, domain: input.domain, modelName: input.modelName, modelVersion: input.modelVersion,
            score: input.score, outcome: input.outcome,
            reasons: (input.reasons ?? []).map { Reason(feature: $0.feature, label: $0.label, contribution: $0.contribution, value: $0.value) },
            inputDigest: input.inputDigest, regionKato: input.region, createdAt: store.clock.now(), subjectPseudonym: pseudonym)
        return try JSON.response(try await store.createRecommendation(rec, actor: p.username), status: .created)
    }

    @Sendable func listRecommendations(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin, .operator, .auditor)
        let status: Recommendation.Status?
        switch request.query("status") {
        case nil: status = .pending
        case "any": status = nil
        case let s?:
            guard let st = Recommendation.Status(rawValue: s) else {
                throw AqylError.invalid("status", "status must be pending, decided or any")
            }
            status = st
        }
        if let r = request.query("region") { try Region.validateCode(r, field: "region") }
        let limit = try request.queryInt("limit", default: 100, range: 1...1000)
        let recs = try await store.queue(scope: p.regionKato, region: request.query("region"), status: status,
                                         domain: request.query("domain"), limit: limit, reader: p)
        return try JSON.response(["recommendations": recs])
    }

    @Sendable func getRecommendation(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin, .operator, .auditor)
        let (rec, decision) = try await store.recommendation(id: try context.parameters.require("id"), reader: p)
        struct Out: Encodable { var recommendation: Recommendation; var decision: Decision? }
        return try JSON.response(Out(recommendation: rec, decision: decision))
    }

    struct DecisionInput: APIInput {
        var outcome: String
        var reason: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case outcome, reason }
    }

    @Sendable func decide(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin)
        let input = try await JSON.decode(DecisionInput.self, from: request, context: context)
        let decision = try await store.decide(recommendationId: try context.parameters.require("id"), official: p,
                                              outcome: input.outcome, reason: input.reason) { _, rec, _ in
            if let route = Platform.ownDecisionRoutes[rec.domain] {
                throw AqylError(.conflict, code: "domain_decision",
                                "\(rec.domain) recommendations are decided through \(route), which applies that domain's own checks")
            }
        }
        return try JSON.response(decision, status: .created)
    }

    @Sendable func advisoryStatistics(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .analyst, .admin, .auditor)
        return try JSON.response(["statistics": try await store.advisoryStatistics(scope: p.regionKato, domain: request.query("domain"))])
    }

    // MARK: audit

    @Sendable func auditEntries(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.auditor, .admin)
        let afterRaw = request.query("after") ?? "0"
        guard let after = Int64(afterRaw), after >= 0 else { throw AqylError.invalid("after", "'after' must be a non-negative integer") }
        let limit = try request.queryInt("limit", default: 100, range: 1...1000)
        let dir = try await store.directory()
        var entries = try await store.audit.entries(after: after, limit: limit)
        if p.regionKato != Region.centreCode {
            entries = entries.filter { $0.regionKato.map { dir.isWithin($0, scope: p.regionKato) } ?? false }
        }
        return try JSON.response(["entries": entries])
    }

    @Sendable func auditVerify(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.auditor, .admin)
        guard p.regionKato == Region.centreCode else { throw AqylError.forbidden("only the centre verifies the whole log") }
        return try JSON.response(try await store.audit.verify())
    }
}

extension Parameters {
    func require(_ name: String) throws(AqylError) -> String {
        guard let v = get(name), !v.isEmpty else { throw .missing(name) }
        return v
    }
}
