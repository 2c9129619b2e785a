import Foundation

/// HTTP methods a route may answer.
public enum HTTPMethodName: String, Sendable, CaseIterable, Codable {
    case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
}

/// One route of the public API, described without any HTTP library: the server maps it onto its router.
/// Domains supply their routes through `DomainModule`; a route only maps a request to a domain call and the
/// result to a response. Paths use OpenAPI's template syntax, e.g. `/v1/assistance/applications/{id}`, and must
/// appear in `openapi.yaml` with the same method (a test keeps the two in step).
public struct APIRoute: Sendable {
    public var method: HTTPMethodName
    public var path: String
    public var handler: @Sendable (APIRequest) async throws -> APIResponse

    public init(_ method: HTTPMethodName, _ path: String, _ handler: @escaping @Sendable (APIRequest) async throws -> APIResponse) {
        self.method = method
        self.path = path
        self.handler = handler
    }

    /// The names of the path's `{parameters}`, in order.
    public var parameterNames: [String] {
        var names: [String] = []
        var current: String?
        for c in path {
            if c == "{" { current = "" } else if c == "}" { if let n = current { names.append(n) }; current = nil }
            else if current != nil { current!.append(c) }
        }
        return names
    }
}

/// Query parameters in the order given. An empty value (`?region=`) is a value, not an absent one: the route
/// validates it like any other (and refuses it where the contract does).
public struct QueryParameters: Sendable, Equatable {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    public static func == (a: QueryParameters, b: QueryParameters) -> Bool {
        a.pairs.map(\.name) == b.pairs.map(\.name) && a.pairs.map(\.value) == b.pairs.map(\.value)
    }

    /// The first value of `name`, nil when absent.
    public func get(_ name: String) -> String? {
        pairs.first(where: { $0.name == name })?.value
    }

    public var names: [String] { pairs.map(\.name) }
}

/// A request as a route handler sees it: who is calling, the path's parameters, the query, the headers it may
/// need and the body (already limited in size by the server).
public struct APIRequest: Sendable {
    public var method: HTTPMethodName
    public var path: String
    public var principal: Principal?
    public var pathParameters: [String: String]
    public var query: QueryParameters
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data?
    public var requestId: String

    public init(method: HTTPMethodName, path: String, principal: Principal? = nil, pathParameters: [String: String] = [:],
                query: QueryParameters = QueryParameters(), headers: [String: String] = [:], body: Data? = nil,
                requestId: String = UUID().uuidString.lowercased()) {
        self.method = method
        self.path = path
        self.principal = principal
        self.pathParameters = pathParameters
        self.query = query
        self.headers = headers
        self.body = body
        self.requestId = requestId
    }

    /// The signed-in principal, or 401.
    public func requirePrincipal() throws(AqylError) -> Principal {
        guard let principal else { throw .unauthenticated }
        return principal
    }

    /// The signed-in principal, if it has one of `roles` (401 without a principal, 403 with another role).
    public func require(_ roles: Role...) throws(AqylError) -> Principal {
        guard let principal else { throw .unauthenticated }
        guard roles.contains(principal.role) else {
            throw .forbidden("role '\(principal.role.rawValue)' may not do this; needs one of: \(roles.map(\.rawValue).joined(separator: ", "))")
        }
        return principal
    }

    public func parameter(_ name: String) throws(AqylError) -> String {
        guard let v = pathParameters[name], !v.isEmpty else { throw .missing(name) }
        return v
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Checks that every query parameter is one the route knows (`names`), so a typo is a 400, not silently ignored.
    public func allowOnlyQuery(_ names: Set<String>) throws(AqylError) {
        if let bad = query.names.first(where: { !names.contains($0) }) {
            throw AqylError(.badRequest, code: "unknown_parameter",
                            "unknown query parameter '\(bad.prefix(60))'; allowed: \(names.sorted().joined(separator: ", "))",
                            field: String(bad.prefix(60)))
        }
    }

    public func query(_ name: String) -> String? { query.get(name) }

    /// An integer query parameter within `range`, or `value` when absent.
    public func queryInt(_ name: String, default value: Int, range: ClosedRange<Int>) throws(AqylError) -> Int {
        guard let raw = query.get(name) else { return value }
        guard let n = Int(raw), range.contains(n) else {
            throw .invalid(name, "'\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// A query parameter that must be one of an enum's raw values, or `value` when absent.
    public func queryEnum<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type, default value: E) throws(AqylError) -> E where E.RawValue == String {
        guard let raw = query.get(name) else { return value }
        guard let v = E(rawValue: raw) else {
            throw .invalid(name, "'\(name)' must be one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    /// A list's `status` filter: absent means `pending`-like `value`, `any` means every status (nil), else one of the
    /// enum's raw values.
    public func queryStatus<E: RawRepresentable & CaseIterable>(_ type: E.Type, default value: E, name: String = "status") throws(AqylError) -> E? where E.RawValue == String {
        switch query.get(name) {
        case nil: return value
        case "any": return nil
        case let s?:
            guard let v = E(rawValue: s) else {
                throw .invalid(name, "\(name) must be \((E.allCases.map(\.rawValue) + ["any"]).joined(separator: ", "))")
            }
            return v
        }
    }

    /// A KATO code query parameter, validated.
    public func queryRegion(_ name: String = "region") throws(AqylError) -> String? {
        guard let r = query.get(name) else { return nil }
        try Region.validateCode(r, field: name)
        return r
    }

    /// The page cursor (`cursor`) and size (`limit`) of a list route.
    public func pageRequest(defaultLimit: Int = 100, maxLimit: Int = 1000) throws(AqylError) -> PageRequest {
        PageRequest(cursor: try query.get("cursor").map { c throws(AqylError) in try Cursor(c) },
                    limit: try queryInt("limit", default: defaultLimit, range: 1...maxLimit))
    }

    /// The body, or 400 `empty_body`.
    public func requireBody(_ message: String = "request body must be a JSON object") throws(AqylError) -> Data {
        guard let body, !body.isEmpty else { throw AqylError(.badRequest, code: "empty_body", message) }
        return body
    }

    /// The body decoded strictly as `T` (see `StrictJSON.decode`).
    public func decode<T: APIInput>(_ type: T.Type) throws(AqylError) -> T {
        try StrictJSON.decode(T.self, from: try requireBody())
    }
}

/// What a route answers.
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// JSON with snake_case keys, ISO 8601 dates and sorted keys: every JSON answer of the API looks the same.
    public static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")],
                    body: try APIJSON.encoder.encode(value))
    }

    public static func text(_ text: String, contentType: String, status: Int = 200) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", contentType)], body: Data(text.utf8))
    }

    /// The platform's error shape: `{"error": {"code", "message", "field", "request_id"}}`.
    public static func error(_ error: AqylError, requestId: String?) -> APIResponse {
        struct Body: Encodable {
            struct Inner: Encodable { var code: String; var message: String; var field: String?; var requestId: String? }
            var error: Inner
        }
        let body = Body(error: .init(code: error.code, message: error.message, field: error.field, requestId: requestId))
        let data = (try? APIJSON.encoder.encode(body)) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
        return APIResponse(status: error.kind.status, headers: [("Content-Type", "application/json; charset=utf-8")], body: data)
    }
}

/// The API's JSON conventions in one place.
public enum APIJSON {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()
}
