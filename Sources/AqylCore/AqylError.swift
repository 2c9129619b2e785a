import Foundation

/// The one error type users of Aqyl see. Every bad input becomes one of these, never a crash.
///
/// Rendered over HTTP as `{"error": {"code": ..., "message": ..., "field": ...}}` with `status`,
/// and by the CLI as `error: message (field)`.
public struct AqylError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badRequest, unauthorized, forbidden, notFound, methodNotAllowed, conflict, payloadTooLarge, unprocessable, tooManyRequests,
             internalError, unavailable
        /// The HTTP status code for this kind.
        public var status: Int {
            switch self {
            case .badRequest: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .conflict: 409
            case .payloadTooLarge: 413
            case .unprocessable: 422
            case .tooManyRequests: 429
            case .internalError: 500
            case .unavailable: 503
            }
        }
    }

    public var kind: Kind
    /// Stable, machine-readable code, e.g. `invalid_iin`.
    public var code: String
    public var message: String
    /// The input field at fault, when there is one.
    public var field: String?

    public init(_ kind: Kind, code: String, _ message: String, field: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        field.map { "\(message) (field: \($0))" } ?? message
    }

    public static func invalid(_ field: String, _ message: String, code: String = "invalid_field") -> AqylError {
        AqylError(.badRequest, code: code, message, field: field)
    }
    /// The request fits the published contract, but a rule the contract cannot express refuses it (an unknown
    /// region code, a check digit, a cross-field rule such as "a reason when disagreeing"): 422.
    public static func refused(_ field: String?, _ message: String, code: String = "rule_violated") -> AqylError {
        AqylError(.unprocessable, code: code, message, field: field)
    }
    public static func missing(_ field: String) -> AqylError {
        AqylError(.badRequest, code: "missing_field", "'\(field)' is required", field: field)
    }
    public static func notFound(_ what: String, field: String? = nil) -> AqylError {
        AqylError(.notFound, code: "not_found", "\(what) not found", field: field)
    }
    public static func forbidden(_ message: String) -> AqylError {
        AqylError(.forbidden, code: "forbidden", message)
    }
    public static let unauthenticated = AqylError(
        .unauthorized, code: "unauthenticated", "a valid bearer token is required (Authorization: Bearer ...)")
}
