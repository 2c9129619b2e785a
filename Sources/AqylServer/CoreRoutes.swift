import AqylCore
import Foundation

/// The platform's own routes: auth, users, regions, IIN, the shared advisory record, audit. Like a domain's routes,
/// each maps a request to one call on the core's services.
struct CoreRoutes {
    let core: CoreServices
    let config: ServerConfig
    /// Which domains let the shared decision route decide their recommendations.
    let policy: @Sendable (String) -> DecisionPolicy

    var all: [APIRoute] {
        [
            APIRoute(.post, "/v1/auth/login", login),
            APIRoute(.get, "/v1/me", me),
            APIRoute(.get, "/v1/users", listUsers),
            APIRoute(.post, "/v1/users", createUser),
            APIRoute(.post, "/v1/users/{username}/tokens", createToken),
            APIRoute(.get, "/v1/regions", listRegions),
            APIRoute(.get, "/v1/regions/{kato}", getRegion),
            APIRoute(.post, "/v1/iin/validate", validateIIN),
            APIRoute(.post, "/v1/recommendations", createRecommendation),
            APIRoute(.get, "/v1/recommendations", listRecommendations),
            APIRoute(.get, "/v1/recommendations/{id}", getRecommendation),
            APIRoute(.post, "/v1/recommendations/{id}/decision", decide),
            APIRoute(.get, "/v1/statistics/advisory", advisoryStatistics),
            APIRoute(.get, "/v1/audit", auditEntries),
            APIRoute(.get, "/v1/audit/verify", auditVerify),
        ]
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

    @Sendable func login(_ r: APIRequest) async throws -> APIResponse {
        let input = try r.decode(LoginInput.self)
        try input.username.checkText("username", max: 200, allowBlank: true)
        try input.password.checkText("password", max: 1000, allowBlank: true)
        guard let user = try await core.authenticate(username: input.username, password: input.password) else {
            throw AqylError(.unauthorized, code: "invalid_credentials", "user name or password is wrong")
        }
        let issued = try await core.issueToken(for: user, kind: "session", label: nil, lifetime: config.sessionLifetime, actor: user.username)
        return try .json(TokenOutput(token: issued.token, expiresAt: issued.expiresAt, user: user), status: 201)
    }

    @Sendable func me(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        struct Me: Encodable { var principal: Principal; var region: Region? }
        return try .json(Me(principal: p, region: try await core.directory().region(p.regionKato)))
    }

    // MARK: users

    @Sendable func listUsers(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin, .auditor)
        try r.allowOnlyQuery(["region", "limit", "cursor"])
        let page = try await core.users(reader: p, region: try r.queryRegion(), page: try r.pageRequest())
        struct Out: Encodable { var users: [User]; var nextCursor: String? }
        return try .json(Out(users: page.items, nextCursor: page.next?.description))
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

    @Sendable func createUser(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin)
        let input = try r.decode(CreateUserInput.self)
        let role = try Role.parse(input.role)
        try Region.validateCode(input.region, field: "region")
        try p.requireScope(input.region, in: try await core.directory())
        if let d = input.displayName, d.isEmpty || d.codePointCount > 200 { throw AqylError.invalid("display_name", "display_name must be 1–200 characters") }
        let user = try await core.createUser(username: input.username, displayName: input.displayName, role: role,
                                             regionKato: input.region, password: input.password, actor: p.username)
        return try .json(user, status: 201)
    }

    struct CreateTokenInput: APIInput {
        var label: String?
        var lifetimeDays: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case label
            case lifetimeDays = "lifetime_days"
        }
    }

    @Sendable func createToken(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin)
        let username = try r.parameter("username")
        let input = try r.decode(CreateTokenInput.self)
        if let d = input.lifetimeDays, !(1...3650).contains(d) {
            throw AqylError.invalid("lifetime_days", "lifetime_days must be 1–3650")
        }
        if let l = input.label { try l.checkText("label", max: 200, allowBlank: true) }
        guard let user = try await core.user(username: username),
              try await core.directory().isWithin(user.regionKato, scope: p.regionKato) else {
            throw AqylError.notFound("user \(username)", field: "username")
        }
        let issued = try await core.issueToken(for: user, kind: "api", label: input.label,
                                               lifetime: input.lifetimeDays.map { Double($0) * 86400 }, actor: p.username)
        return try .json(TokenOutput(token: issued.token, expiresAt: issued.expiresAt, user: user), status: 201)
    }

    // MARK: regions

    @Sendable func listRegions(_ r: APIRequest) async throws -> APIResponse {
        _ = try r.requirePrincipal()
        try r.allowOnlyQuery(["parent"])
        let dir = try await core.directory()
        let parent = r.query("parent") ?? Region.centreCode
        try Region.validateCode(parent, field: "parent")
        guard dir.region(parent) != nil else { throw AqylError.notFound("region \(parent)", field: "parent") }
        return try .json(["regions": dir.children(of: parent)])
    }

    @Sendable func getRegion(_ r: APIRequest) async throws -> APIResponse {
        _ = try r.requirePrincipal()
        let kato = try r.parameter("kato")
        try Region.validateCode(kato, field: "kato")
        let dir = try await core.directory()
        guard let region = dir.region(kato) else { throw AqylError.notFound("region \(kato)", field: "kato") }
        struct Out: Encodable { var region: Region; var path: [Region]; var children: [Region] }
        return try .json(Out(region: region, path: Array(dir.path(to: kato).dropFirst()), children: dir.children(of: kato)))
    }

    // MARK: IIN

    struct IINInput: APIInput {
        var iin: String
        enum CodingKeys: String, CodingKey, CaseIterable { case iin }
    }

    @Sendable func validateIIN(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        let iin = try IIN(try r.decode(IINInput.self).iin)
        struct Out: Encodable { var valid = true; var masked: String; var birthDate: String; var sex: IIN.Sex; var pseudonym: String? }
        // Analysts get the pseudonym they would see in analytics; nobody gets it back for an IIN they did not send.
        let pseudonym = p.role == .analyst || p.role == .admin ? try await core.pseudonymizer().pseudonym(for: iin) : nil
        return try .json(Out(masked: iin.description, birthDate: iin.birthDateISO, sex: iin.sex, pseudonym: pseudonym))
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

    @Sendable func createRecommendation(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin, .integrator, .operator)
        let input = try r.decode(RecommendationInput.self)
        try Region.validateCode(input.region, field: "region")
        let dir = try await core.directory()
        guard dir.region(input.region) != nil else {
            throw AqylError.refused("region", "unknown region \(input.region)", code: "unknown_region")
        }
        try p.requireScope(input.region, in: dir)
        var pseudonym: String?
        if let iin = input.subjectIin { pseudonym = try await core.pseudonymizer().pseudonym(for: iin) }
        if let reasons = input.reasons {
            for (i, reason) in reasons.enumerated() {
                try reason.feature.checkText("reasons[\(i)].feature", max: 200, allowBlank: true)
                try reason.label.checkText("reasons[\(i)].label", max: 500, allowBlank: true)
                if let v = reason.value { try v.checkText("reasons[\(i)].value", max: 500, allowBlank: true) }
            }
        }
        let rec = Recommendation(
            subject: input.subject, domain: input.domain, modelName: input.modelName, modelVersion: input.modelVersion,
            score: input.score, outcome: input.outcome,
            reasons: (input.reasons ?? []).map { Reason(feature: $0.feature, label: $0.label, contribution: $0.contribution, value: $0.value) },
            inputDigest: input.inputDigest, regionKato: input.region, createdAt: core.clock.now(), subjectPseudonym: pseudonym)
        return try .json(try await core.createRecommendation(rec, actor: p.username), status: 201)
    }

    @Sendable func listRecommendations(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin, .operator, .auditor)
        try r.allowOnlyQuery(["region", "status", "domain", "limit", "cursor"])
        let status = try r.queryStatus(Recommendation.Status.self, default: .pending)
        try r.query("domain")?.checkText("domain", max: 40)
        let page = try await core.queue(reader: p, region: try r.queryRegion(), status: status, domain: r.query("domain"),
                                        page: try r.pageRequest())
        struct Out: Encodable { var recommendations: [Recommendation]; var nextCursor: String? }
        return try .json(Out(recommendations: page.items, nextCursor: page.next?.description))
    }

    @Sendable func getRecommendation(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin, .operator, .auditor)
        let (rec, decision) = try await core.recommendation(id: try r.parameter("id"), reader: p)
        struct Out: Encodable { var recommendation: Recommendation; var decision: Decision? }
        return try .json(Out(recommendation: rec, decision: decision))
    }

    @Sendable func decide(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin)
        let input = try r.decode(OutcomeInput.self)
        let decision = try await core.decide(recommendationId: try r.parameter("id"), official: p, outcome: input.outcome,
                                             reason: input.reason, policy: policy)
        return try .json(decision, status: 201)
    }

    @Sendable func advisoryStatistics(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .analyst, .admin, .auditor)
        try r.allowOnlyQuery(["domain"])
        try r.query("domain")?.checkText("domain", max: 40)
        return try .json(["statistics": try await core.advisoryStatistics(reader: p, domain: r.query("domain"))])
    }

    // MARK: audit

    @Sendable func auditEntries(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.auditor, .admin)
        try r.allowOnlyQuery(["after", "limit"])
        let afterRaw = r.query("after") ?? "0"
        guard let after = Int64(afterRaw), after >= 0 else { throw AqylError.invalid("after", "'after' must be a non-negative integer") }
        let limit = try r.queryInt("limit", default: 100, range: 1...1000)
        return try .json(["entries": try await core.auditEntries(reader: p, after: after, limit: limit)])
    }

    @Sendable func auditVerify(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.auditor, .admin)
        guard p.regionKato == Region.centreCode else { throw AqylError.forbidden("only the centre verifies the whole log") }
        return try .json(try await core.verifyAudit())
    }
}
