import AqylCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Per-request state: who is calling (set by `AuthMiddleware`).
public struct AqylRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// Bodies above this size are refused with 413 before any parsing.
    public var maxUploadSize: Int { 1 << 20 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The signed-in principal, or 401.
    public func requirePrincipal() throws(AqylError) -> Principal {
        guard let principal else { throw .unauthenticated }
        return principal
    }
}

/// JSON in and out, in one place, so every route answers the same way.
enum JSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(_ error: AqylError, requestId: String?) -> Response {
        struct Body: Encodable {
            struct Inner: Encodable { var code: String; var message: String; var field: String?; var requestId: String? }
            var error: Inner
        }
        let body = Body(error: .init(code: error.code, message: error.message, field: error.field, requestId: requestId))
        let data = (try? encoder.encode(body)) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
        return Response(status: .init(code: error.kind.status),
                        headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads a JSON object body strictly: it must be a JSON object, every key must be one `T` knows,
    /// and types must match. Each failure is a 4xx naming the field.
    static func decode<T: APIInput>(_ type: T.Type, from request: Request, context: AqylRequestContext) async throws -> T {
        let data = try await body(of: request, context: context)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw AqylError(.badRequest, code: "malformed_json", "request body is not valid JSON")
        }
        guard let dict = object as? [String: Any] else {
            throw AqylError(.badRequest, code: "malformed_json", "request body must be a JSON object")
        }
        let allowed = Set(T.CodingKeys.allCases.map(\.stringValue))
        if let unknown = dict.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw AqylError(.badRequest, code: "unknown_field",
                            "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))", field: unknown)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let e as AqylError {
            throw e
        } catch let e as DecodingError {
            throw Self.describe(e)
        }
    }

    /// The request body, at most the context's upload limit (413 beyond it) and not empty (400 `empty_body`).
    static func body(of request: Request, context: AqylRequestContext,
                     emptyMessage: String = "request body must be a JSON object") async throws -> Data {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw AqylError(.payloadTooLarge, code: "body_too_large",
                            "request body is larger than \(context.maxUploadSize) bytes")
        }
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw AqylError(.badRequest, code: "empty_body", emptyMessage) }
        return data
    }

    static func describe(_ error: DecodingError) -> AqylError {
        func path(_ p: [any CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let ctx):
            return AqylError(.badRequest, code: "wrong_type", "'\(path(ctx.codingPath))' must be \(describeType(type))",
                             field: path(ctx.codingPath))
        case .valueNotFound(let type, let ctx):
            return AqylError(.badRequest, code: "missing_field", "'\(path(ctx.codingPath))' must be \(describeType(type)), not null",
                             field: path(ctx.codingPath))
        case .keyNotFound(let key, let ctx):
            let f = path(ctx.codingPath + [key])
            return .missing(f)
        case .dataCorrupted(let ctx):
            if let underlying = ctx.underlyingError as? AqylError { return underlying }
            return AqylError(.badRequest, code: "invalid_field", "'\(path(ctx.codingPath))': \(ctx.debugDescription)",
                             field: path(ctx.codingPath))
        @unknown default:
            return AqylError(.badRequest, code: "invalid_body", "request body does not match the expected shape")
        }
    }

    static func describeType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object of the right shape"
        }
    }
}

/// Refuses keys a nested object does not know (top-level bodies are checked by `JSON.decode`).
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

func rejectUnknownKeys<K: CodingKey & CaseIterable>(in decoder: any Decoder, allowed: K.Type) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let known = Set(K.allCases.map(\.stringValue))
    if let bad = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
        let path = decoder.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        let field = String((path + "." + bad).drop(while: { $0 == "." }))
        throw AqylError(.badRequest, code: "unknown_field",
                        "unknown field '\(bad)'; allowed: \(known.sorted().joined(separator: ", "))", field: field)
    }
}

/// A request body type: its `CodingKeys` list every key it accepts, so unknown keys are refused.
protocol APIInput: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension Request {
    /// A query parameter as a string, trimmed; nil when absent or empty.
    func query(_ name: String) -> String? {
        guard let v = uri.queryParameters.get(name), !v.isEmpty else { return nil }
        return v
    }

    func queryInt(_ name: String, default value: Int, range: ClosedRange<Int>) throws(AqylError) -> Int {
        guard let raw = query(name) else { return value }
        guard let n = Int(raw), range.contains(n) else {
            throw .invalid(name, "'\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }
}

extension AqylError {
    /// Maps any error escaping a handler to what the client sees. Unknown errors are 500s and are logged.
    static func from(_ error: any Error) -> AqylError {
        switch error {
        case let e as AqylError: return e
        case let e as DecodingError: return JSON.describe(e)
        case let e as HTTPError:
            let kind: AqylError.Kind = switch e.status.code {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 413: .payloadTooLarge
            case 400..<500: .badRequest
            default: .internalError
            }
            let message = e.body ?? (e.status.code == 404 ? "no such route" : e.status.reasonPhrase)
            return AqylError(kind, code: e.status.code == 404 ? "not_found" : "http_\(e.status.code)", message)
        default:
            return AqylError(.internalError, code: "internal", "internal error; the request id identifies it in the server log")
        }
    }
}
