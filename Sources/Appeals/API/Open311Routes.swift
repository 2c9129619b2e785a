import AqylCore
import Foundation

/// Open311 GeoReport v2 intake for mobile and bank apps (JSON format).
///
/// `api_key` (form or JSON field) is an integrator's API token (a Bearer header works too); errors use Aqyl's
/// `{"error":{code,message,field}}` shape; the public request list and by-id view show `PublicReport` only (see
/// there: restricted categories and free-text appeals omitted entirely, no descriptions, rounded coordinates).
/// Contact fields (`email`, `first_name`, `last_name`, `phone`, `device_id`, `account_id`) are accepted for
/// compatibility and discarded: the integrator holds the citizen's identity, the citizen holds the tracking token.
struct Open311Routes {
    let service: AppealsService

    var all: [APIRoute] {
        [
            APIRoute(.get, "/open311/v2/services.json", services),
            APIRoute(.get, "/open311/v2/services/{code}.json", serviceDefinition),
            APIRoute(.post, "/open311/v2/requests.json", submit),
            APIRoute(.get, "/open311/v2/requests.json", list),
            APIRoute(.get, "/open311/v2/requests/{id}.json", get),
            APIRoute(.get, "/open311/v2/tokens/{tracking_token}.json", token),
        ]
    }

    struct ServiceOut: Encodable {
        var serviceCode: String
        var serviceName: String
        var description: String
        var metadata: Bool
        var type = "realtime"
        var keywords: String
        var group: String
    }

    @Sendable func services(_ r: APIRequest) async throws -> APIResponse {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        return try .json(AppealCategory.allCases.map { c in
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

    @Sendable func serviceDefinition(_ r: APIRequest) async throws -> APIResponse {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        let raw = try r.parameter("code")
        guard let c = AppealCategory(rawValue: raw) else { throw AqylError.notFound("service \(raw.prefix(40))", field: "service_code") }
        struct Out: Encodable { var serviceCode: String; var attributes: [AttributeOut] }
        return try .json(Out(serviceCode: c.rawValue, attributes: c.attributes.enumerated().map { i, a in
            AttributeOut(code: a.code, datatype: a.datatype.rawValue,
                         datatypeDescription: a.datatype == .number ? "a number from 0 to 1000" : a.datatype == .string ? "up to 100 characters" : "one of the values",
                         order: i + 1, description: a.description,
                         values: a.values.isEmpty ? nil : a.values.map { AttributeOut.Value(key: $0, name: $0) })
        }))
    }

    /// The caller: a Bearer token, or Open311's `api_key`.
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

    @Sendable func submit(_ r: APIRequest) async throws -> APIResponse {
        let f = try Open311Form.fields(body: try r.requireBody("request body is empty; send form fields or a JSON object"),
                                       contentType: r.header("content-type"))
        let client = try await caller(r, apiKey: f["api_key"])
        let s = try Open311Form.submission(f)
        let outcome = try await service.submit(s, idempotencyKey: try AppealsRoutes.idempotencyKey(r, body: f["idempotency_key"]),
                                               client: client, names: .open311)
        struct Out: Encodable { var serviceRequestId: String; var token: String; var serviceNotice: String; var accountId: String? }
        return try .json(
            [Out(serviceRequestId: outcome.report.id, token: outcome.trackingToken,
                 serviceNotice: "Keep the token: it is shown once and is the only way to follow this request (GET /open311/v2/tokens/{tracking_token}.json).")],
            status: outcome.replayed ? 200 : 201)
    }

    static func date(_ r: APIRequest, _ name: String) throws(AqylError) -> Date? {
        guard let raw = r.query(name) else { return nil }
        guard let d = RFC3339.parse(raw) else {
            throw .invalid(name, "'\(name)' must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00Z")
        }
        return d
    }

    @Sendable func list(_ r: APIRequest) async throws -> APIResponse {
        try r.allowOnlyQuery(["service_code", "status", "service_request_id", "start_date", "end_date", "limit", "jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        let category = try r.query("service_code").map { code throws(AqylError) in try AppealCategory.parse(code) }
        let closed: Bool?
        switch r.query("status") {
        case nil: closed = nil
        case "open": closed = false
        case "closed": closed = true
        default: throw AqylError.invalid("status", "status must be open or closed")
        }
        let ids = r.query("service_request_id").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        if let ids, ids.contains(where: \.isEmpty) {
            throw AqylError.invalid("service_request_id", "service_request_id must be request ids separated by commas")
        }
        let filter = PublicReportFilter(ids: ids, category: category, closed: closed, from: try Self.date(r, "start_date"),
                                        to: try Self.date(r, "end_date"), limit: try r.queryInt("limit", default: 1000, range: 1...1000))
        return try .json(try await service.publicReports(filter))
    }

    @Sendable func get(_ r: APIRequest) async throws -> APIResponse {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        return try .json([try await service.publicReport(id: try r.parameter("id"))])
    }

    @Sendable func token(_ r: APIRequest) async throws -> APIResponse {
        try r.allowOnlyQuery(["jurisdiction_id", "api_key"])
        try Open311Form.checkQuery(r)
        let token = try r.parameter("tracking_token")
        let s = try await service.track(token: token)
        struct Out: Encodable {
            var serviceRequestId: String; var token: String; var status: String; var statusNotes: String
            var updatedDatetime: Date; var expectedDatetime: Date?; var history: [PublicStatus.Entry]
        }
        return try .json([Out(serviceRequestId: s.serviceRequestId, token: token, status: s.open311Status,
                              statusNotes: s.history.last?.text ?? "", updatedDatetime: s.updatedDatetime,
                              expectedDatetime: s.expectedDatetime, history: s.history)])
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

    static func checkJurisdiction(_ j: String?) throws(AqylError) {
        if let j, j != "kz" { throw AqylError.invalid("jurisdiction_id", "jurisdiction_id must be 'kz' (or left out)") }
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
