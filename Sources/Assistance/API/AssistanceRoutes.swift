import AqylCore
import Foundation

/// ASP over HTTP: submit an application → the rule and the model assess it → the district queue → a named official
/// decides (a reason is required when disagreeing with the rule or the model) → the applicant's summary. Each route
/// maps the request to one service call and the result to a response.
struct AssistanceRoutes {
    let service: AssistanceService

    var all: [APIRoute] {
        [
            APIRoute(.post, "/v1/assistance/applications", submit),
            APIRoute(.get, "/v1/assistance/applications", queue),
            APIRoute(.get, "/v1/assistance/applications/{id}", get),
            APIRoute(.post, "/v1/assistance/applications/{id}/decision", decide),
            APIRoute(.get, "/v1/assistance/applications/{id}/summary", summary),
            APIRoute(.get, "/v1/assistance/pilot-statistics", pilot),
            APIRoute(.get, "/v1/assistance/figures", listFigures),
            APIRoute(.put, "/v1/assistance/figures", putFigures),
            APIRoute(.get, "/v1/assistance/model", model),
        ]
    }

    @Sendable func submit(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin, .integrator)
        let input = try r.decode(ApplicationInput.Body.self)
        let appliedOn = try input.appliedOn.map { d throws(AqylError) in try KazakhstanTime.parseDay(d, field: "applied_on") }
            ?? service.core.clock.now()
        let household = try ApplicationInput.household(input.household, appliedOn: appliedOn)
        return try .json(ApplicationView(try await service.submit(household, appliedOn: appliedOn, by: p)), status: 201)
    }

    @Sendable func queue(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin, .auditor)
        try r.allowOnlyQuery(["region", "status", "limit", "cursor"])
        let status = try r.queryStatus(ApplicationStatus.self, default: .pending)
        let page = try await service.queue(reader: p, region: try r.queryRegion(), status: status, page: try r.pageRequest())
        struct Out: Encodable { var applications: [QueueItem]; var nextCursor: String? }
        return try .json(Out(applications: page.items.map(QueueItem.init), nextCursor: page.next?.description))
    }

    @Sendable func get(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin, .auditor)
        return try .json(ApplicationView(try await service.application(id: try r.parameter("id"), reader: p)))
    }

    @Sendable func decide(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin)
        let input = try r.decode(OutcomeInput.self)
        guard let outcome = ASPOutcome(rawValue: input.outcome) else {
            throw AqylError.invalid("outcome", "outcome must be approve or reject")
        }
        let app = try await service.decide(applicationId: try r.parameter("id"), official: p, outcome: outcome, reason: input.reason)
        return try .json(ApplicationView(app), status: 201)
    }

    @Sendable func summary(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .admin)
        try r.allowOnlyQuery(["lang"])
        let lang = r.query("lang") ?? "ru"
        guard ["kk", "ru", "en"].contains(lang) else { throw AqylError.invalid("lang", "lang must be kk, ru or en") }
        let app = try await service.application(id: try r.parameter("id"), reader: p, purpose: "assistance.application.summary")
        return try .json(ApplicantSummary(app, language: lang))
    }

    @Sendable func pilot(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.officer, .analyst, .admin, .auditor)
        try r.allowOnlyQuery(["region", "month"])
        return try .json(["rows": try await service.pilotStatistics(reader: p, region: try r.queryRegion(), month: r.query("month"))])
    }

    @Sendable func listFigures(_ r: APIRequest) async throws -> APIResponse {
        _ = try r.requirePrincipal()
        try r.allowOnlyQuery(["region", "limit", "cursor"])
        let page = try await service.figures(region: try r.queryRegion(), page: try r.pageRequest())
        struct Out: Encodable { var figures: [RegionQuarterFigures]; var settings: RuleSettingsView; var nextCursor: String? }
        return try .json(Out(figures: page.items, settings: RuleSettingsView(try await service.ruleSettings()), nextCursor: page.next?.description))
    }

    struct FiguresInput: APIInput {
        var region: String
        var quarter: String
        var medianIncome: Double?
        var subsistenceMinimum: Double
        var source: String
        enum CodingKeys: String, CodingKey, CaseIterable {
            case region, quarter, source
            case medianIncome = "median_income", subsistenceMinimum = "subsistence_minimum"
        }
    }

    @Sendable func putFigures(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin)
        let input = try r.decode(FiguresInput.self)
        // The contract's pattern: 2000–2100, `Q` upper case.
        let q = input.quarter.utf8
        guard q.count == 6, Array(q)[4] == UInt8(ascii: "Q") else { throw AqylError.invalid("quarter", "quarter must look like 2026Q3") }
        let figures = RegionQuarterFigures(region: input.region, quarter: try Quarter(input.quarter), medianIncome: input.medianIncome,
                                           subsistenceMinimum: input.subsistenceMinimum,
                                           source: input.source.trimmingCharacters(in: .whitespaces))
        try await service.putFigures(figures, by: p)
        return try .json(figures)
    }

    @Sendable func model(_ r: APIRequest) async throws -> APIResponse {
        _ = try r.requirePrincipal()
        return try .json(try await service.activeModel().card)
    }
}
