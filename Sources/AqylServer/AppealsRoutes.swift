import Appeals
import AqylCore
import AqylStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// Citizen reports and appeals: Open311 GeoReport v2 intake for mobile and bank apps, the native JSON API for
/// officials and integrators, the citizen's tracking view and analytics.
///
/// Open311 notes: `api_key` (form or JSON field) is an integrator's API token (a Bearer header works too);
/// errors use Aqyl's `{"error":{code,message,field}}` shape rather than Open311's array; the public request list
/// and by-id view omit domestic-violence, child, police-complaint and free-text reports entirely and never show
/// descriptions, media or exact coordinates (rounded to 0.001°, about 100 m). Contact fields (`email`,
/// `first_name`, `last_name`, `phone`, `device_id`, `account_id`) are accepted for compatibility and discarded:
/// the integrator holds the citizen's identity, the citizen holds the tracking token.
struct AppealsRoutes {
    let store: AqylStore
    let service: AppealsService

    init(store: AqylStore, config: AppealsConfig? = nil) throws {
        self.store = store
        self.service = try AppealsService(store: store, config: config ?? AppealsConfig.fromEnvironment())
    }

    /// The background service that escalates overdue reports while the server runs.
    static func escalationService(store: AqylStore, logger: Logger) throws -> some Service {
        AppealsEscalationService(service: try AppealsService(store: store, config: .fromEnvironment()), logger: logger)
    }

    func register(on router: Router<AqylRequestContext>) {
        let o = router.group("open311/v2")
        o.get("services.json", use: services)
        o.get("services/{code}.json", use: serviceDefinition)
        o.post("requests.json", use: open311Submit)
        o.get("requests.json", use: open311List)
        o.get("requests/{id}.json", use: open311Get)
        o.get("tokens/{token}.json", use: open311Token)
        let v1 = router.group("v1/appeals")
        v1.post("", use: submit)
        v1.get("", use: list)
        v1.get("analytics", use: analytics)
        v1.post("clearances", use: grantClearance)
        v1.get("tracking/{token}", use: track)
        v1.get("{id}", use: get)
        v1.post("{id}/status", use: transition)
        v1.post("{id}/triage", use: decideTriage)
    }

    // MARK: Open311 services

    struct ServiceOut: Encodable {
        var serviceCode: String
        var serviceName: String
        var description: String
        var metadata: Bool
        var type = "realtime"
        var keywords: String
        var group: String
    }

    @Sendable func services(_ request: Request, context: AqylRequestContext) async throws -> Response {
        try JSON.response(AppealCategory.allCases.map { c in
            ServiceOut(serviceCode: c.rawValue, serviceName: c.nameEn, description: "\(c.nameRu) / \(c.nameKk)",
                       metadata: !c.attributes.isEmpty, keywords: c.rawValue.replacingOccurrences(of: "_", with: ","),
                       group: c == .appeal ? "appeals" : "law_and_order")
        })
    }

    struct AttributeOut: Encodable {
        struct Value: Encodable { var key: String; var name: String }
        var variable = true
        var code: String
        var datatype: String
        var required = false
        var datatypeDescription: String
        var order: Int
        var description: String
        var values: [Value]?
    }

    @Sendable func serviceDefinition(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let raw = try context.parameters.require("code")
        guard let c = AppealCategory(rawValue: raw) else { throw AqylError.notFound("service \(raw.prefix(40))", field: "service_code") }
        struct Out: Encodable { var serviceCode: String; var attributes: [AttributeOut] }
        return try JSON.response(Out(serviceCode: c.rawValue, attributes: c.attributes.enumerated().map { i, a in
            AttributeOut(code: a.code, datatype: a.datatype.rawValue,
                         datatypeDescription: a.datatype == .number ? "a number from 0 to 1000" : a.datatype == .string ? "up to 100 characters" : "one of the values",
                         order: i + 1, description: a.description,
                         values: a.values.isEmpty ? nil : a.values.map { AttributeOut.Value(key: $0, name: $0) })
        }))
    }

    // MARK: Open311 requests

    static let open311Fields: Set<String> = [
        "service_code", "lat", "long", "address_string", "address_id", "description", "media_url", "api_key",
        "jurisdiction_id", "idempotency_key", "kato", "email", "device_id", "account_id", "first_name", "last_name", "phone",
    ]

    /// Reads an Open311 POST body, form-encoded (per the spec) or JSON, into field → value.
    func open311Fields(_ request: Request, context: AqylRequestContext) async throws -> [String: String] {
        let data = try await JSON.body(of: request, context: context,
                                       emptyMessage: "request body is empty; send form fields or a JSON object")
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        var fields: [String: String] = [:]
        if contentType.hasPrefix("application/json") {
            guard let obj = try? JSONSerialization.jsonObject(with: data), let dict = obj as? [String: Any] else {
                throw AqylError(.badRequest, code: "malformed_json", "request body must be a JSON object")
            }
            for (k, v) in dict {
                switch v {
                case let s as String: fields[k] = s
                case let n as NSNumber where !["c", "B"].contains(String(cString: n.objCType)): fields[k] = n.stringValue
                default: throw AqylError(.badRequest, code: "wrong_type", "'\(k.prefix(60))' must be a string or a number", field: String(k.prefix(60)))
                }
            }
        } else if contentType.isEmpty || contentType.hasPrefix("application/x-www-form-urlencoded") {
            guard let text = String(data: data, encoding: .utf8) else {
                throw AqylError(.badRequest, code: "malformed_form", "form body must be UTF-8")
            }
            for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ s: Substring) throws(AqylError) -> String {
                    guard let d = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                        throw AqylError(.badRequest, code: "malformed_form", "bad percent-encoding in '\(s.prefix(40))'")
                    }
                    return d
                }
                let key = try decode(kv[0])
                guard fields[key] == nil else {
                    throw AqylError(.badRequest, code: "duplicate_field", "'\(key.prefix(60))' is given more than once", field: String(key.prefix(60)))
                }
                fields[key] = kv.count > 1 ? try decode(kv[1]) : ""
            }
        } else {
            throw AqylError(.badRequest, code: "unsupported_media_type",
                            "Content-Type must be application/x-www-form-urlencoded or application/json", field: "Content-Type")
        }
        for key in fields.keys.sorted() where !Self.open311Fields.contains(key) && !Self.isAttributeKey(key) {
            throw AqylError(.badRequest, code: "unknown_field",
                            "unknown field '\(key.prefix(60))'; allowed: \(Self.open311Fields.sorted().joined(separator: ", ")), attribute[CODE]",
                            field: String(key.prefix(60)))
        }
        return fields
    }

    static func isAttributeKey(_ k: String) -> Bool { k.hasPrefix("attribute[") && k.hasSuffix("]") && k.count > 11 }

    static func number(_ fields: [String: String], _ name: String) throws(AqylError) -> Double? {
        guard let raw = fields[name], !raw.isEmpty else { return nil }
        guard let v = Double(raw), v.isFinite else { throw .invalid(name, "'\(name)' must be a number") }
        return v
    }

    /// The caller: a Bearer token, or Open311's `api_key`.
    func caller(_ context: AqylRequestContext, apiKey: String?) async throws -> Principal {
        if let p = context.principal { return p }
        guard let key = apiKey, !key.isEmpty else {
            throw AqylError(.unauthorized, code: "unauthenticated", "an integrator's api_key (or Authorization: Bearer) is required", field: "api_key")
        }
        guard let user = try await store.user(forToken: key) else {
            throw AqylError(.unauthorized, code: "invalid_token", "api_key is unknown, revoked or expired", field: "api_key")
        }
        return user.principal
    }

    static func idempotencyKey(_ request: Request, body: String?) throws(AqylError) -> String? {
        let header = request.headers[HTTPField.Name.idempotencyKey]
        if let h = header, let b = body, h != b {
            throw .invalid("idempotency_key", "the Idempotency-Key header and the idempotency_key field differ")
        }
        return header ?? body
    }

    @Sendable func open311Submit(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let f = try await open311Fields(request, context: context)
        let client = try await caller(context, apiKey: f["api_key"])
        if let j = f["jurisdiction_id"], !j.isEmpty, j != "kz" {
            throw AqylError.invalid("jurisdiction_id", "jurisdiction_id must be 'kz' (or left out)")
        }
        if let a = f["address_id"], !a.isEmpty { throw AqylError.invalid("address_id", "address_id is not supported; send lat/long or kato") }
        guard let code = f["service_code"], !code.isEmpty else { throw AqylError.missing("service_code") }
        var attributes: [String: String] = [:]
        for (k, v) in f where Self.isAttributeKey(k) { attributes[String(k.dropFirst(10).dropLast())] = v }
        let s = AppealSubmission(
            category: try AppealCategory.parse(code), description: f["description"] ?? "",
            lat: try Self.number(f, "lat"), lon: try Self.number(f, "long"), kato: f["kato"].flatMap { $0.isEmpty ? nil : $0 },
            address: f["address_string"].flatMap { $0.isEmpty ? nil : $0 }, mediaUrl: f["media_url"].flatMap { $0.isEmpty ? nil : $0 },
            attributes: attributes, channel: "open311")
        let outcome = try await service.submit(s, idempotencyKey: try Self.idempotencyKey(request, body: f["idempotency_key"]),
                                               client: client, names: .open311)
        struct Out: Encodable { var serviceRequestId: String; var token: String; var serviceNotice: String; var accountId: String? }
        return try JSON.response(
            [Out(serviceRequestId: outcome.report.id, token: outcome.trackingToken,
                 serviceNotice: "Keep the token: it is shown once and is the only way to follow this request (GET /open311/v2/tokens/{token}.json).")],
            status: outcome.replayed ? .ok : .created)
    }

    struct Open311Request: Encodable {
        var serviceRequestId: String
        var status: String
        var statusNotes: String
        var serviceName: String
        var serviceCode: String
        var agencyResponsible: String
        var requestedDatetime: Date
        var updatedDatetime: Date
        var expectedDatetime: Date?
        var lat: Double?
        var long: Double?
    }

    func open311View(_ r: AppealReport, dir: RegionDirectory) -> Open311Request {
        func round(_ v: Double?) -> Double? { v.map { ($0 * 1000).rounded() / 1000 } }
        let unit = dir.region(r.queueKato).map { $0.nameEn ?? $0.nameRu } ?? r.queueKato
        return Open311Request(
            serviceRequestId: r.id, status: r.status.open311, statusNotes: r.status.publicText, serviceName: r.category.nameEn,
            serviceCode: r.category.rawValue,
            agencyResponsible: "\(r.queueKind == .internalSecurity ? "Internal security" : "Control centre"), \(unit)",
            requestedDatetime: r.createdAt, updatedDatetime: r.updatedAt,
            expectedDatetime: r.status.isClosed ? nil : r.deadlineAt, lat: round(r.lat), long: round(r.lon))
    }

    static func date(_ request: Request, _ name: String) throws(AqylError) -> Date? {
        guard let raw = request.query(name) else { return nil }
        guard let d = ISO8601DateFormatter().date(from: raw) else {
            throw .invalid(name, "'\(name)' must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00Z")
        }
        return d
    }

    @Sendable func open311List(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let category = try request.query("service_code").map { code throws(AqylError) in try AppealCategory.parse(code) }
        let status = request.query("status")
        if let s = status, s != "open", s != "closed" { throw AqylError.invalid("status", "status must be open or closed") }
        let ids = request.query("service_request_id").map { $0.split(separator: ",").map(String.init) }
        let limit = try request.queryInt("limit", default: 1000, range: 1...1000)
        let reports = try await service.publicReports(ids: ids, category: category, status: status,
                                                      from: try Self.date(request, "start_date"), to: try Self.date(request, "end_date"),
                                                      limit: limit)
        let dir = try await store.directory()
        return try JSON.response(reports.map { open311View($0, dir: dir) })
    }

    @Sendable func open311Get(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let r = try await service.publicReport(id: try context.parameters.require("id"))
        return try JSON.response([open311View(r, dir: try await store.directory())])
    }

    @Sendable func open311Token(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let s = try await service.track(token: token)
        struct Out: Encodable {
            var serviceRequestId: String; var token: String; var status: String; var statusNotes: String
            var updatedDatetime: Date; var expectedDatetime: Date?; var history: [PublicStatus.Entry]
        }
        return try JSON.response([Out(serviceRequestId: s.serviceRequestId, token: token, status: s.open311Status,
                                      statusNotes: s.history.last?.text ?? "", updatedDatetime: s.updatedDatetime,
                                      expectedDatetime: s.expectedDatetime, history: s.history)])
    }

    // MARK: native API

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
        var category: String
        var status: String
        var locationKato: String
        var level: String
        var requestedAt: Date
        var expectedAt: Date
        var replayed: Bool
    }

    @Sendable func submit(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let input = try await JSON.decode(SubmitInput.self, from: request, context: context)
        let s = AppealSubmission(
            category: try AppealCategory.parse(input.category, field: "category"), description: input.description,
            lat: input.lat, lon: input.lon, kato: input.kato, address: input.address, mediaUrl: input.mediaUrl,
            attributes: input.attributes ?? [:],
            attachments: (input.attachments ?? []).map { AttachmentMeta(name: $0.name, mimeType: $0.mimeType, size: $0.size, sha256: $0.sha256, url: $0.url) },
            channel: "native")
        let o = try await service.submit(s, idempotencyKey: try Self.idempotencyKey(request, body: input.idempotencyKey), client: p)
        let r = o.report
        return try JSON.response(SubmitOut(id: r.id, trackingToken: o.trackingToken, category: r.category.rawValue,
                                           status: r.status.rawValue, locationKato: r.locationKato,
                                           level: r.level.rawValue, requestedAt: r.createdAt, expectedAt: r.deadlineAt,
                                           replayed: o.replayed),
                                 status: o.replayed ? .ok : .created)
    }

    @Sendable func list(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        if let r = request.query("region") { try Region.validateCode(r, field: "region") }
        let status: AppealsService.StatusFilter
        if let raw = request.query("status") {
            guard let s = AppealsService.StatusFilter(rawValue: raw) else { throw AqylError.invalid("status", "status must be open, closed or any") }
            status = s
        } else { status = .open }
        let queuedHere: Bool
        switch request.query("queue") {
        case nil, "all": queuedHere = false
        case "here": queuedHere = true
        default: throw AqylError.invalid("queue", "queue must be here or all")
        }
        let category = try request.query("category").map { c throws(AqylError) in try AppealCategory.parse(c, field: "category") }
        let limit = try request.queryInt("limit", default: 100, range: 1...1000)
        let reports = try await service.list(reader: p, region: request.query("region"), status: status, queuedHere: queuedHere,
                                             category: category, limit: limit)
        let now = store.clock.now()
        return try JSON.response(["appeals": reports.map { OfficialView($0, now: now) }])
    }

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

    @Sendable func get(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let (r, history) = try await service.report(id: try context.parameters.require("id"), reader: p)
        struct Out: Encodable { var appeal: OfficialView; var history: [StatusEvent] }
        return try JSON.response(Out(appeal: OfficialView(r, now: store.clock.now()), history: history))
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

    @Sendable func transition(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let input = try await JSON.decode(TransitionInput.self, from: request, context: context)
        guard let next = AppealStatus(rawValue: input.status) else {
            throw AqylError.invalid("status", "status must be one of: \(AppealStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let r = try await service.transition(id: try context.parameters.require("id"), to: next, publicNote: input.publicNote,
                                             note: input.note, official: p)
        return try JSON.response(["appeal": OfficialView(r, now: store.clock.now())])
    }

    struct TriageInput: APIInput {
        var outcome: String
        var reason: String?
        var topics: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable { case outcome, reason, topics }
    }

    @Sendable func decideTriage(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let input = try await JSON.decode(TriageInput.self, from: request, context: context)
        var topics: [RiskTopic]?
        if let raw = input.topics {
            var out: [RiskTopic] = []
            for (i, t) in raw.enumerated() {
                let topic = try RiskTopic.parse(t, field: "topics[\(i)]")
                if !out.contains(topic) { out.append(topic) }
            }
            topics = out
        }
        let result = try await service.decideTriage(id: try context.parameters.require("id"), outcome: input.outcome,
                                                    reason: input.reason, topics: topics, official: p)
        struct Out: Encodable { var decision: Decision?; var correctionId: String? }
        return try JSON.response(Out(decision: result.decision, correctionId: result.correctionId), status: .created)
    }

    @Sendable func track(_ request: Request, context: AqylRequestContext) async throws -> Response {
        try JSON.response(try await service.track(token: try context.parameters.require("token")))
    }

    @Sendable func analytics(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        if let r = request.query("region") { try Region.validateCode(r, field: "region") }
        return try JSON.response(try await service.analytics(reader: p, region: request.query("region")))
    }

    struct ClearanceInput: APIInput {
        var username: String
        var clearance: String
        enum CodingKeys: String, CodingKey, CaseIterable { case username, clearance }
    }

    @Sendable func grantClearance(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.admin)
        let input = try await JSON.decode(ClearanceInput.self, from: request, context: context)
        let c = try Clearance.parse(input.clearance)
        try await service.grant(c, to: input.username, by: p)
        return try JSON.response(["username": input.username, "clearance": c.rawValue], status: .created)
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

/// Runs `escalateOverdue` every `interval` seconds until the server shuts down.
struct AppealsEscalationService: Service {
    let service: AppealsService
    let logger: Logger

    func run() async throws {
        let interval = max(1, service.config.escalationInterval)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let moved = try await service.escalateOverdue(now: service.store.clock.now())
                if !moved.isEmpty { logger.info("escalated \(moved.count) overdue appeals") }
            } catch {
                logger.error("appeals escalation failed", metadata: ["error": .string(String(describing: error))])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }
}
