import AqylCore
import Foundation

/// Open311 GeoReport v2 for mobile and bank apps, city systems and FixMyStreet-style tools: every method in both of
/// the specification's formats, chosen by the extension (`.xml`, which the specification requires, or `.json`), the
/// discovery document, and errors in the specification's form and status codes (`Open311Document.error`).
///
/// `api_key` (form or JSON field) is an integrator's API token (a Bearer header works too). The public request list
/// and by-id view show `PublicReport` only (see there: restricted categories and free-text appeals omitted entirely,
/// no descriptions, addresses or media, rounded coordinates). Contact fields (`email`, `first_name`, `last_name`,
/// `phone`, `device_id`, `account_id`) are accepted for compatibility and discarded: the integrator holds the citizen's
/// identity, the citizen holds the tracking token.
struct Open311Routes {
    let service: AppealsService
    typealias Format = Open311Document.Format

    /// When the GeoReport v2 interface of this server last changed (the discovery document's `changeset`).
    static let changeset = "2026-12-01T00:00:00+05:00"

    var all: [APIRoute] {
        var routes: [APIRoute] = []
        for f in [Format.json, .xml] {
            let e = f.rawValue
            routes += [
                APIRoute(.get, "/open311/discovery.\(e)", handle(f, discovery)),
                APIRoute(.get, "/open311/v2/services.\(e)", handle(f, services)),
                APIRoute(.get, "/open311/v2/services/{code}.\(e)", handle(f, serviceDefinition)),
                APIRoute(.post, "/open311/v2/requests.\(e)", handle(f, submit)),
                APIRoute(.get, "/open311/v2/requests.\(e)", handle(f, list)),
                APIRoute(.get, "/open311/v2/requests/{id}.\(e)", handle(f, get)),
                APIRoute(.get, "/open311/v2/tokens/{tracking_token}.\(e)", handle(f, token)),
            ]
        }
        return routes
    }

    /// A handler answering in `format`, its errors in the specification's form.
    func handle(_ format: Format, _ body: @escaping @Sendable (APIRequest) async throws -> (Open311Document, Int))
        -> @Sendable (APIRequest) async throws -> APIResponse {
        { r in
            do {
                let (doc, status) = try await body(r)
                return doc.response(format, status: status)
            } catch let e as AqylError {
                return Open311Document.error(e, format: format)
            }
        }
    }

    /// This server's address as the client reached it (`Host`, and `X-Forwarded-Proto` behind a proxy).
    static func baseURL(_ r: APIRequest) -> String {
        let host = r.header("host").flatMap { h in h.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != "/" } ? h : nil } ?? "127.0.0.1"
        let scheme = r.header("x-forwarded-proto") == "https" ? "https" : "http"
        return "\(scheme)://\(host)"
    }

    @Sendable func discovery(_ r: APIRequest) async throws -> (Open311Document, Int) {
        try r.allowOnlyQuery([])
        let endpoint: Open311Document.Value = .object([
            ("specification", .string(Open311Document.specification)),
            ("url", .string(Self.baseURL(r) + "/open311/v2")),
            ("changeset", .string(Self.changeset)),
            ("type", .string("production")),
            ("formats", .list(item: "format", [.string("text/xml"), .string("application/json")])),
        ])
        return (Open311Document(root: "discovery", value: .object([
            ("changeset", .string(Self.changeset)),
            ("contact", .string("The operator of this Aqyl installation; see /openapi.yaml for the whole API.")),
            ("key_service", .string("API keys (integrator tokens) are issued by an administrator: POST /v1/users/{username}/tokens.")),
            ("endpoints", .list(item: "endpoint", [endpoint])),
        ])), 200)
    }

    @Sendable func services(_ r: APIRequest) async throws -> (Open311Document, Int) {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        return (Open311Document(root: "services", value: .list(item: "service", AppealCategory.allCases.map { c in
            .object([
                ("service_code", .string(c.rawValue)),
                ("service_name", .string(c.nameEn)),
                ("description", .string("\(c.nameRu) / \(c.nameKk)")),
                ("metadata", .bool(!c.attributes.isEmpty)),
                ("type", .string("realtime")),
                ("keywords", .string(c.rawValue.replacingOccurrences(of: "_", with: ","))),
                ("group", .string(c == .appeal ? "appeals" : "law_and_order")),
            ])
        })), 200)
    }

    @Sendable func serviceDefinition(_ r: APIRequest) async throws -> (Open311Document, Int) {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        let raw = try r.parameter("code")
        guard let c = AppealCategory(rawValue: raw) else { throw AqylError.notFound("service \(raw.prefix(40))", field: "service_code") }
        let attributes: [Open311Document.Value] = c.attributes.enumerated().map { i, a in
            .object([
                ("variable", .bool(true)),
                ("code", .string(a.code)),
                ("datatype", .string(a.datatype.rawValue)),
                ("required", .bool(false)),
                ("datatype_description", .string(a.datatype == .number ? "a number from 0 to 1000" : a.datatype == .string ? "up to 100 characters" : "one of the values")),
                ("order", .int(i + 1)),
                ("description", .string(a.description)),
                ("values", a.values.isEmpty ? nil : .list(item: "value", a.values.map { .object([("key", .string($0)), ("name", .string($0))]) })),
            ])
        }
        return (Open311Document(root: "service_definition", value: .object([
            ("service_code", .string(c.rawValue)),
            ("attributes", .list(item: "attribute", attributes)),
        ])), 200)
    }

    /// The caller: a Bearer token, or Open311's `api_key` (403 in the specification when missing or invalid).
    func caller(_ r: APIRequest, apiKey: String?) async throws -> Principal {
        if let p = r.principal { return p }
        guard let key = apiKey, !key.isEmpty else {
            throw AqylError(.unauthorized, code: "unauthenticated", "an integrator's api_key (or Authorization: Bearer) is required", field: "api_key")
        }
        guard let user = try await service.core.user(forToken: key) else {
            throw AqylError(.unauthorized, code: "invalid_token", "api_key is unknown, revoked or expired", field: "api_key")
        }
        return user.principal
    }

    @Sendable func submit(_ r: APIRequest) async throws -> (Open311Document, Int) {
        let f = try Open311Form.fields(body: try r.requireBody("request body is empty; send form fields or a JSON object"),
                                       contentType: r.header("content-type"))
        let client = try await caller(r, apiKey: f["api_key"])
        let s = try Open311Form.submission(f)
        let outcome = try await service.submit(s, idempotencyKey: try AppealsRoutes.idempotencyKey(r, body: f["idempotency_key"]),
                                               client: client, names: .open311)
        let doc = Open311Document(root: "service_requests", value: .list(item: "request", [.object([
            ("service_request_id", .string(outcome.report.id)),
            ("token", .string(outcome.trackingToken)),
            ("service_notice", .string("Keep the token: it is shown once and is the only way to follow this request (GET /open311/v2/tokens/{token}). " + service.serviceNotice(outcome.report.category))),
        ])]))
        return (doc, outcome.replayed ? 200 : 201)
    }

    static func date(_ r: APIRequest, _ name: String) throws(AqylError) -> Date? {
        guard let raw = r.query(name) else { return nil }
        guard let d = RFC3339.parse(raw) else {
            throw .invalid(name, "'\(name)' must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00Z")
        }
        return d
    }

    /// A comma-delimited query list (the specification allows several service codes and statuses).
    static func commaList(_ r: APIRequest, _ name: String) throws(AqylError) -> [String]? {
        guard let raw = r.query(name) else { return nil }
        let items = raw.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !items.contains(where: \.isEmpty) else { throw .invalid(name, "'\(name)' must be values separated by commas") }
        return items
    }

    /// The specification's window: `start_date`/`end_date` may not span more than 90 days, and default to the most
    /// recent 90 days. `service_request_id` overrides every other filter.
    @Sendable func list(_ r: APIRequest) async throws -> (Open311Document, Int) {
        try r.allowOnlyQuery(["service_code", "status", "service_request_id", "start_date", "end_date", "limit", "jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        let categories = try Self.commaList(r, "service_code").map { codes throws(AqylError) in
            Set(try codes.map { code throws(AqylError) in try AppealCategory.parse(code) })
        }
        var closed: Bool?
        if let statuses = try Self.commaList(r, "status") {
            guard statuses.allSatisfy({ $0 == "open" || $0 == "closed" }) else {
                throw AqylError.invalid("status", "status must be open, closed, or both separated by a comma")
            }
            closed = Set(statuses).count == 2 ? nil : statuses.first == "closed"
        }
        let ids = try Self.commaList(r, "service_request_id")
        let start = try Self.date(r, "start_date"), end = try Self.date(r, "end_date")
        let window: TimeInterval = 90 * 86400
        let now = service.core.clock.now()
        let from = start ?? (end ?? now).addingTimeInterval(-window)
        let to = end ?? (start.map { min(now, $0.addingTimeInterval(window)) } ?? now)
        if to.timeIntervalSince(from) > window {
            throw AqylError.invalid("end_date", "start_date and end_date may not span more than 90 days")
        }
        if to < from { throw AqylError.invalid("end_date", "end_date is before start_date") }
        let limit = try r.queryInt("limit", default: 1000, range: 1...1000)
        let filter = ids != nil ? PublicReportFilter(ids: ids, limit: limit)
            : PublicReportFilter(categories: categories, closed: closed, from: from, to: to, limit: limit)
        let reports = try await service.publicReports(filter)
        return (Open311Document(root: "service_requests", value: .list(item: "request", reports.map(\.open311))), 200)
    }

    @Sendable func get(_ r: APIRequest) async throws -> (Open311Document, Int) {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        let report = try await service.publicReport(id: try r.parameter("id"))
        return (Open311Document(root: "service_requests", value: .list(item: "request", [report.open311])), 200)
    }

    /// What the specification's token method answers: the request id a token stands for.
    @Sendable func token(_ r: APIRequest) async throws -> (Open311Document, Int) {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        let token = try r.parameter("tracking_token")
        let s = try await service.track(token: token)
        return (Open311Document(root: "service_requests", value: .list(item: "request", [.object([
            ("service_request_id", .string(s.serviceRequestId)),
            ("token", .string(token)),
        ])])), 200)
    }
}

extension PublicReport {
    /// The specification's request element, in its order; Aqyl never shows a description, address or media.
    var open311: Open311Document.Value {
        .object([
            ("service_request_id", .string(serviceRequestId)),
            ("status", .string(status)),
            ("status_notes", .string(statusNotes)),
            ("service_name", .string(serviceName)),
            ("service_code", .string(serviceCode)),
            ("agency_responsible", .string(agencyResponsible)),
            ("service_notice", serviceNotice.map { .string($0) }),
            ("requested_datetime", .date(requestedDatetime)),
            ("updated_datetime", .date(updatedDatetime)),
            ("expected_datetime", expectedDatetime.map { .date($0) }),
            ("lat", lat.map { .number($0) }),
            ("long", long.map { .number($0) }),
        ])
    }
}

/// Reading an Open311 POST body, form-encoded (as the specification says) or JSON, into a submission.
enum Open311Form {
    static let fields: Set<String> = [
        "service_code", "lat", "long", "address_string", "description", "media_url", "api_key",
        "jurisdiction_id", "idempotency_key", "kato", "email", "device_id", "account_id", "first_name", "last_name", "phone",
    ]

    /// The query fields every Open311 read accepts: `jurisdiction_id` (`kz`) and an ignored `api_key`.
    static func checkQuery(_ r: APIRequest) throws(AqylError) {
        try checkJurisdiction(r.query("jurisdiction_id"))
        try r.query("api_key")?.checkText("api_key", max: 200, allowBlank: true)
    }

    /// The only jurisdiction is `kz`; another is "not found" (404), as the specification says.
    static func checkJurisdiction(_ j: String?) throws(AqylError) {
        if let j, j != "kz" { throw AqylError.notFound("jurisdiction '\(j.prefix(40))'", field: "jurisdiction_id") }
    }

    /// `attribute[CODE]`, CODE 1–40 lower-case letters or `_` (the contract's pattern).
    static func isAttributeKey(_ k: String) -> Bool {
        guard k.hasPrefix("attribute["), k.hasSuffix("]") else { return false }
        let code = k.utf8.dropFirst(10).dropLast()
        return (1...40).contains(code.count) && code.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }

    /// Fields read as text of at most this many characters (contact fields are accepted and discarded).
    static let maxLength: [String: Int] = [
        "address_string": 500, "api_key": 200, "email": 500, "first_name": 500, "last_name": 500, "phone": 500,
        "device_id": 500, "account_id": 500,
    ]

    /// Field → value; unknown fields, repeated fields and bad encodings are 400s naming the field.
    static func fields(body data: Data, contentType: String?) throws(AqylError) -> [String: String] {
        let contentType = contentType?.lowercased() ?? ""
        var out: [String: String] = [:]
        if contentType.hasPrefix("application/json") {
            guard let obj = try? JSONSerialization.jsonObject(with: data), let dict = obj as? [String: Any] else {
                throw AqylError(.badRequest, code: "malformed_json", "request body must be a JSON object")
            }
            // JSON is typed: `lat` and `long` are numbers, every other field is a string.
            for (k, v) in dict {
                let numeric = k == "lat" || k == "long"
                switch v {
                case let s as String where !numeric: out[k] = s
                case let n as NSNumber where numeric && !["c", "B"].contains(String(cString: n.objCType)): out[k] = n.stringValue
                case is NSNull: continue
                default:
                    throw AqylError(.badRequest, code: "wrong_type", "'\(k.prefix(60))' must be \(numeric ? "a number" : "a string")",
                                    field: String(k.prefix(60)))
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
                guard out[key] == nil else {
                    throw AqylError(.badRequest, code: "duplicate_field", "'\(key.prefix(60))' is given more than once", field: String(key.prefix(60)))
                }
                out[key] = kv.count > 1 ? try decode(kv[1]) : ""
            }
        } else {
            throw AqylError(.badRequest, code: "unsupported_media_type",
                            "Content-Type must be application/x-www-form-urlencoded or application/json", field: "Content-Type")
        }
        for key in out.keys.sorted() where !fields.contains(key) && !isAttributeKey(key) {
            throw AqylError(.badRequest, code: "unknown_field",
                            "unknown field '\(key.prefix(60))'; allowed: \(fields.sorted().joined(separator: ", ")), attribute[CODE]",
                            field: String(key.prefix(60)))
        }
        for (key, max) in maxLength { try out[key]?.checkText(key, max: max, allowBlank: true) }
        for (key, value) in out where isAttributeKey(key) { try value.checkText(key, max: 100, allowBlank: true) }
        return out
    }

    static func number(_ fields: [String: String], _ name: String) throws(AqylError) -> Double? {
        guard let raw = fields[name] else { return nil }
        guard let v = Double(raw), v.isFinite else { throw .invalid(name, "'\(name)' must be a number") }
        return v
    }

    static func submission(_ f: [String: String]) throws(AqylError) -> AppealSubmission {
        try checkJurisdiction(f["jurisdiction_id"])
        guard let code = f["service_code"] else { throw AqylError.missing("service_code") }
        var attributes: [String: String] = [:]
        for (k, v) in f where isAttributeKey(k) { attributes[String(k.dropFirst(10).dropLast())] = v }
        return AppealSubmission(
            category: try AppealCategory.parse(code), description: f["description"] ?? "",
            lat: try number(f, "lat"), lon: try number(f, "long"), kato: f["kato"],
            address: f["address_string"].flatMap { $0.isEmpty ? nil : $0 }, mediaUrl: f["media_url"],
            attributes: attributes, channel: "open311")
    }
}
