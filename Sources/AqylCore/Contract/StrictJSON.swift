import Foundation

/// A request body type: its `CodingKeys` list every key it accepts, so unknown keys are refused.
public protocol APIInput: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

/// Strict JSON input: a body must be a JSON object, every key must be one the type knows (also inside nested
/// objects that call `rejectUnknownKeys`), and types must match. Each failure is an `AqylError` naming the field.
public enum StrictJSON {
    public static func decode<T: APIInput>(_ type: T.Type, from data: Data) throws(AqylError) -> T {
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
                            "unknown field '\(unknown.prefix(60))'; allowed: \(allowed.sorted().joined(separator: ", "))",
                            field: String(unknown.prefix(60)))
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let e as AqylError {
            throw e
        } catch let e as DecodingError {
            throw describe(e)
        } catch {
            throw AqylError(.badRequest, code: "invalid_body", "request body does not match the expected shape")
        }
    }

    /// A readable error for a decoding failure, naming the JSON path (`household.members[2].age`).
    public static func describe(_ error: DecodingError) -> AqylError {
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
            return .missing(path(ctx.codingPath + [key]))
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

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Refuses keys a nested object does not know (top-level bodies are checked by `StrictJSON.decode`).
public func rejectUnknownKeys<K: CodingKey & CaseIterable>(in decoder: any Decoder, allowed: K.Type) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let known = Set(K.allCases.map(\.stringValue))
    if let bad = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
        let path = decoder.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        let field = String((path + "." + bad).drop(while: { $0 == "." }))
        throw AqylError(.badRequest, code: "unknown_field",
                        "unknown field '\(bad.prefix(60))'; allowed: \(known.sorted().joined(separator: ", "))", field: field)
    }
}

/// Parses a raw string into a `String`-backed enum, naming the field and the allowed values on failure.
public func parseEnum<E: RawRepresentable & CaseIterable>(_ raw: String?, _ type: E.Type, field: String) throws(AqylError) -> E? where E.RawValue == String {
    guard let raw else { return nil }
    guard let v = E(rawValue: raw) else {
        throw .invalid(field, "'\(raw.prefix(60))' is not one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return v
}

/// The body of every decision and review route: an outcome and, when it disagrees with the recommendation, a reason.
/// Each route checks the outcome against its own enum.
public struct OutcomeInput: APIInput {
    public var outcome: String
    public var reason: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case outcome, reason }
}
