import AqylCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Per-request state: who is calling (set by `AuthMiddleware`).
public struct AqylRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    public var requestId: String = ""
    /// Bodies above this size are refused with 413 before any parsing.
    public var maxUploadSize: Int { 1 << 20 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}

extension HTTPMethodName {
    var hummingbird: HTTPRequest.Method {
        switch self {
        case .get: .get
        case .post: .post
        case .put: .put
        case .patch: .patch
        case .delete: .delete
        }
    }
}

/// Adds one transport-neutral route to the Hummingbird router: the request becomes an `APIRequest` (body collected
/// up to the upload limit: 413 beyond it), the handler's `APIResponse` becomes the response.
func register(_ route: APIRoute, on router: Router<AqylRequestContext>) {
    let names = route.parameterNames
    router.on(RouterPath(route.path), method: route.method.hummingbird) { request, context -> Response in
        var params: [String: String] = [:]
        for n in names { if let v = context.parameters.get(n) { params[n] = v } }
        var headers: [String: String] = [:]
        for f in request.headers { headers[f.name.canonicalName] = f.value }
        if let authority = request.head.authority { headers["host"] = authority }   // HTTP/1.1's Host arrives as :authority
        let body: Data?
        if request.method == .post || request.method == .put || request.method == .patch {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: context.maxUploadSize)
            } catch {
                throw AqylError(.payloadTooLarge, code: "body_too_large", "request body is larger than \(context.maxUploadSize) bytes")
            }
            body = buffer.readableBytes == 0 ? nil : Data(buffer.readableBytesView)
        } else {
            body = nil
        }
        let query = QueryParameters(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
        let api = APIRequest(method: route.method, path: request.uri.path, principal: context.principal, pathParameters: params,
                             query: query, headers: headers, body: body, requestId: context.requestId)
        return Response(try await route.handler(api))
    }
}

extension Response {
    init(_ r: APIResponse) {
        var fields = HTTPFields()
        for (name, value) in r.headers { if let n = HTTPField.Name(name) { fields[n] = value } }
        self.init(status: .init(code: r.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}

/// The routes' path templates, to tell "no such path" (404) from "no such method on this path" (405 with `Allow`).
struct RouteTable: Sendable {
    struct Entry: Sendable { var segments: [Substring]; var methods: Set<HTTPMethodName> }
    let entries: [Entry]

    init(_ routes: [APIRoute]) {
        var byPath: [String: Set<HTTPMethodName>] = [:]
        for r in routes { byPath[r.path, default: []].insert(r.method) }
        entries = byPath.map { Entry(segments: $0.key.split(separator: "/"), methods: $0.value) }
    }

    /// The methods the route answers for `path`, or nil when no route has this path. Like the router, a literal
    /// segment wins over a parameter (`/v1/appeals/clearances` is not `/v1/appeals/{id}`).
    func methods(for path: String) -> Set<HTTPMethodName>? {
        let parts = path.split(separator: "/")
        var best: (literals: Int, methods: Set<HTTPMethodName>)?
        for e in entries where e.segments.count == parts.count && zip(e.segments, parts).allSatisfy({ Self.matches($0, $1) }) {
            let literals = e.segments.filter { !$0.contains("{") }.count
            if best == nil || literals > best!.literals { best = (literals, e.methods) }
            else if literals == best!.literals { best!.methods.formUnion(e.methods) }
        }
        return best?.methods
    }

    /// A template segment (`{id}`, `{code}.json`, or literal text) against a request segment.
    static func matches(_ template: Substring, _ segment: Substring) -> Bool {
        guard let open = template.firstIndex(of: "{"), let close = template.firstIndex(of: "}") else { return template == segment }
        let prefix = template[..<open], suffix = template[template.index(after: close)...]
        return segment.count > prefix.count + suffix.count && segment.hasPrefix(prefix) && segment.hasSuffix(suffix)
    }
}

extension AqylError {
    /// Maps any error escaping a handler to what the client sees. Unknown errors are 500s and are logged.
    static func from(_ error: any Error) -> AqylError {
        switch error {
        case let e as AqylError: return e
        case let e as DecodingError: return StrictJSON.describe(e)
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
