import AqylCore
import Foundation

/// The native JSON API for officials and integrators: submit, the control-centre queue, status changes, triage
/// decisions, clearances, the citizen's tracking view and analytics.
struct AppealsRoutes {
    let service: AppealsService

    var all: [APIRoute] {
        [
            APIRoute(.post, "/v1/appeals", submit),
            APIRoute(.get, "/v1/appeals", list),
            APIRoute(.get, "/v1/appeals/analytics", analytics),
            APIRoute(.post, "/v1/appeals/clearances", grantClearance),
            APIRoute(.get, "/v1/appeals/tracking/{tracking_token}", track),
            APIRoute(.get, "/v1/appeals/{id}", get),
            APIRoute(.post, "/v1/appeals/{id}/status", transition),
            APIRoute(.post, "/v1/appeals/{id}/triage", decideTriage),
        ]
    }

    /// The `Idempotency-Key` header or the body's `idempotency_key` (they must agree when both are given).
    static func idempotencyKey(_ r: APIRequest, body: String?) throws(AqylError) -> String? {
        let header = r.header("idempotency-key")
        if let h = header, let b = body, h != b {
            throw .refused("idempotency_key", "the Idempotency-Key header and the idempotency_key field differ")
        }
        return header ?? body
    }

    struct AttachmentInput: Decodable {
        var name: String
        var mimeType: String
        var size: Int64
        var sha256: String
        var url: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, size, sha256, url
            case mimeType = "mime_type"
        }
        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            mimeType = try c.decode(String.self, forKey: .mimeType)
            size = try c.decode(Int64.self, forKey: .size)
            sha256 = try c.decode(String.self, forKey: .sha256)
            url = try c.decodeIfPresent(String.self, forKey: .url)
        }
    }

    struct SubmitInput: APIInput {
        var category: String
        var description: String
        var lat: Double?
        var lon: Double?
        var kato: String?
        var address: String?
        var mediaUrl: String?
        var attributes: [String: String]?
        var attachments: [AttachmentInput]?
        var idempotencyKey: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case category, description, lat, lon, kato, address, attributes, attachments
            case mediaUrl = "media_url", idempotencyKey = "idempotency_key"
        }
    }

    struct SubmitOut: Encodable {
        var id: String
        var trackingToken: String
        var category: AppealCategory
        var status: AppealStatus
        var locationKato: String
        var level: Region.Level
        var requestedAt: Date
        var expectedAt: Date
        var replayed: Bool
    }

    @Sendable func submit(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        let input = try r.decode(SubmitInput.self)
        let s = AppealSubmission(
            category: try AppealCategory.parse(input.category, field: "category"), description: input.description,
            lat: input.lat, lon: input.lon, kato: input.kato, address: input.address, mediaUrl: input.mediaUrl,
            attributes: input.attributes ?? [:],
            attachments: (input.attachments ?? []).map { AttachmentMeta(name: $0.name, mimeType: $0.mimeType, size: $0.size, sha256: $0.sha256, url: $0.url) },
            channel: "native")
        let o = try await service.submit(s, idempotencyKey: try Self.idempotencyKey(r, body: input.idempotencyKey), client: p)
        let rep = o.report
        return try .json(SubmitOut(id: rep.id, trackingToken: o.trackingToken, category: rep.category, status: rep.status,
                                   locationKato: rep.locationKato, level: rep.level, requestedAt: rep.createdAt,
                                   expectedAt: rep.deadlineAt, replayed: o.replayed),
                         status: o.replayed ? 200 : 201)
    }

    /// A report as an official sees it, with whether it is overdue now.
    struct OfficialView: Encodable {
        var report: AppealReport
        var overdue: Bool
        init(_ r: AppealReport, now: Date) { report = r; overdue = r.isOverdue(at: now) }
        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            enum K: String, CodingKey { case overdue }
            var c = encoder.container(keyedBy: K.self)
            try c.encode(overdue, forKey: .overdue)
        }
    }

    @Sendable func list(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        try r.allowOnlyQuery(["region", "status", "queue", "category", "limit", "cursor"])
        let status = try r.queryEnum("status", AppealsService.StatusFilter.self, default: .open)
        let queuedHere: Bool
        switch r.query("queue") {
        case nil, "all": queuedHere = false
        case "here": queuedHere = true
        default: throw AqylError.invalid("queue", "queue must be here or all")
        }
        let category = try r.query("category").map { c throws(AqylError) in try AppealCategory.parse(c, field: "category") }
        let page = try await service.list(reader: p, region: try r.queryRegion(), status: status, queuedHere: queuedHere,
                                          category: category, page: try r.pageRequest())
        let now = service.core.clock.now()
        struct Out: Encodable { var appeals: [OfficialView]; var nextCursor: String? }
        return try .json(Out(appeals: page.items.map { OfficialView($0, now: now) }, nextCursor: page.next?.description))
    }

    @Sendable func get(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        let (rep, history) = try await service.report(id: try r.parameter("id"), reader: p)
        struct Out: Encodable { var appeal: OfficialView; var history: [StatusEvent] }
        return try .json(Out(appeal: OfficialView(rep, now: service.core.clock.now()), history: history))
    }

    struct TransitionInput: APIInput {
        var status: String
        var publicNote: String?
        var note: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case status, note
            case publicNote = "public_note"
        }
    }

    @Sendable func transition(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        let input = try r.decode(TransitionInput.self)
        guard let next = AppealStatus(rawValue: input.status) else {
            throw AqylError.invalid("status", "status must be one of: \(AppealStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let rep = try await service.transition(id: try r.parameter("id"), to: next, publicNote: input.publicNote,
                                               note: input.note, official: p)
        return try .json(["appeal": OfficialView(rep, now: service.core.clock.now())])
    }

    struct TriageInput: APIInput {
        var outcome: String
        var reason: String?
        var topics: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable { case outcome, reason, topics }
    }

    @Sendable func decideTriage(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        let input = try r.decode(TriageInput.self)
        var topics: [RiskTopic]?
        if let raw = input.topics {
            var out: [RiskTopic] = []
            for (i, t) in raw.enumerated() {
                let topic = try RiskTopic.parse(t, field: "topics[\(i)]")
                if !out.contains(topic) { out.append(topic) }
            }
            topics = out
        }
        let result = try await service.decideTriage(id: try r.parameter("id"), outcome: input.outcome,
                                                    reason: input.reason, topics: topics, official: p)
        struct Out: Encodable { var decision: Decision?; var correctionId: String? }
        return try .json(Out(decision: result.decision, correctionId: result.correctionId), status: 201)
    }

    @Sendable func track(_ r: APIRequest) async throws -> APIResponse {
        try .json(try await service.track(token: try r.parameter("tracking_token")))
    }

    @Sendable func analytics(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.requirePrincipal()
        try r.allowOnlyQuery(["region"])
        return try .json(try await service.analytics(reader: p, region: try r.queryRegion()))
    }

    struct ClearanceInput: APIInput {
        var username: String
        var clearance: String
        enum CodingKeys: String, CodingKey, CaseIterable { case username, clearance }
    }

    @Sendable func grantClearance(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin)
        let input = try r.decode(ClearanceInput.self)
        let c = try Clearance.parse(input.clearance)
        try await service.grant(c, to: input.username, by: p)
        return try .json(["username": input.username, "clearance": c.rawValue], status: 201)
    }
}
