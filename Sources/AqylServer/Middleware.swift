import AqylCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus

/// Outermost: request id, access log, metrics, and every error rendered as JSON.
/// A path some route serves but not with this method answers 405 with `Allow`, not 404.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext
    let metrics: HTTPMetrics
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestId = request.headers[HTTPField.Name.requestID].flatMap { $0.count <= 128 ? $0 : nil } ?? context.id
        context.logger[metadataKey: "request_id"] = .string(requestId)
        context.requestId = requestId
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var e = AqylError.from(error)
            var allow: String?
            // The router found no route: when some route serves this path with another method, say so (405).
            if let h = error as? HTTPError, h.status == .notFound || h.status == .methodNotAllowed,
               let methods = routes.methods(for: request.uri.path),
               !(HTTPMethodName(rawValue: request.method.rawValue).map(methods.contains) ?? false) {
                allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
                e = AqylError(.methodNotAllowed, code: "method_not_allowed",
                              "\(request.method.rawValue) is not allowed on this path; allowed: \(allow ?? "")")
            }
            if e.kind == .internalError {
                context.logger.error("request failed", metadata: ["error": .string(String(reflecting: error))])
            }
            response = Response(APIResponse.error(e, requestId: requestId))
            if let allow { response.headers[.allow] = allow }
        }
        response.headers[HTTPField.Name.requestID] = requestId
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)",
                            metadata: ["ms": .stringConvertible(Double(elapsed.components.seconds) * 1000
                                                                + Double(elapsed.components.attoseconds) / 1e15)])
        return response
    }
}

/// Reads `Authorization: Bearer TOKEN` when present and sets the principal. Routes decide whether they need one.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext
    let core: CoreServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw AqylError(.unauthorized, code: "bad_authorization", "Authorization must be 'Bearer TOKEN'", field: "Authorization")
            }
            guard let user = try await core.user(forToken: String(parts[1])) else {
                throw AqylError(.unauthorized, code: "invalid_token", "token is unknown, revoked or expired", field: "Authorization")
            }
            context.principal = user.principal
            context.logger[metadataKey: "user"] = .string(user.username)
        }
        return try await next(request, context)
    }
}

/// Prometheus series for HTTP traffic; one registry per application.
final class HTTPMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "aqyl", subsystem: "http", metricName: "requests", unitName: "total",
                                               helpText: "HTTP requests by method, route and status")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "aqyl", subsystem: "http", metricName: "request_duration",
                                               unitName: "seconds", helpText: "HTTP request duration")
    }

    func record(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: Self.duration, labels: [("method", method), ("route", route)],
            buckets: [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10)]
        ).record(duration)
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
