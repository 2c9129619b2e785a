import AqylML
import Foundation

/// A validation failure in a configuration or event document: where (JSON path) and why.
public struct ValidationError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var reason: String
    /// True when the document has the published shape but breaks a rule the shape cannot express (collinear zone
    /// points, duplicate rule ids, an end before the start): the API answers 422 rather than 400.
    public var isRule: Bool

    public init(path: String, reason: String, isRule: Bool = false) {
        self.path = path
        self.reason = reason
        self.isRule = isRule
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Reads the members of a JSON object strictly: typed accessors, and `finish()` rejects keys
/// that were never read (unknown keys).
struct ObjectReader {
    let path: String
    let dict: [String: JSONValue]
    private(set) var used: Set<String> = []

    init(_ value: JSONValue, path: String) throws {
        guard case .object(let d) = value else {
            throw ValidationError(path: path, reason: "expected an object, got \(value.typeName)")
        }
        self.path = path
        dict = d
    }

    func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func raw(_ key: String) -> JSONValue? {
        used.insert(key)
        if case .null? = dict[key] { return nil }
        return dict[key]
    }

    mutating func string(_ key: String) throws -> String {
        guard let v = try optionalString(key) else { throw ValidationError(path: sub(key), reason: "missing") }
        return v
    }

    mutating func optionalString(_ key: String) throws -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw ValidationError(path: sub(key), reason: "must be a string, got \(v.typeName)") }
        return s
    }

    mutating func double(_ key: String) throws -> Double {
        guard let v = try optionalDouble(key) else { throw ValidationError(path: sub(key), reason: "missing") }
        return v
    }

    mutating func optionalDouble(_ key: String) throws -> Double? {
        guard let v = raw(key) else { return nil }
        guard case .number(let d) = v else { throw ValidationError(path: sub(key), reason: "must be a number, got \(v.typeName)") }
        guard d.isFinite else { throw ValidationError(path: sub(key), reason: "must be finite") }
        return d
    }

    mutating func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw ValidationError(path: sub(key), reason: "missing") }
        return v
    }

    mutating func optionalInt(_ key: String) throws -> Int? {
        guard let d = try optionalDouble(key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e15 else { throw ValidationError(path: sub(key), reason: "must be an integer, got \(d)") }
        return Int(d)
    }

    mutating func bool(_ key: String, default def: Bool) throws -> Bool {
        guard let v = raw(key) else { return def }
        guard case .bool(let b) = v else { throw ValidationError(path: sub(key), reason: "must be a boolean, got \(v.typeName)") }
        return b
    }

    mutating func stringArray(_ key: String) throws -> [String]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let a) = v else { throw ValidationError(path: sub(key), reason: "must be an array, got \(v.typeName)") }
        return try a.enumerated().map { i, e in
            guard case .string(let s) = e, !s.isEmpty else {
                throw ValidationError(path: "\(sub(key))[\(i)]", reason: "must be a non-empty string")
            }
            return s
        }
    }

    mutating func array(_ key: String) throws -> [JSONValue]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let a) = v else { throw ValidationError(path: sub(key), reason: "must be an array, got \(v.typeName)") }
        return a
    }

    /// `[[x, y], ...]` points.
    mutating func points(_ key: String) throws -> [Point] {
        guard let a = try array(key) else { throw ValidationError(path: sub(key), reason: "missing") }
        return try a.enumerated().map { i, e in
            guard case .array(let xy) = e, xy.count == 2, case .number(let x) = xy[0], case .number(let y) = xy[1],
                  x.isFinite, y.isFinite else {
                throw ValidationError(path: "\(sub(key))[\(i)]", reason: "must be a pair of finite numbers [x, y]")
            }
            return Point(x: x, y: y)
        }
    }

    func finish() throws {
        for k in dict.keys.sorted() where !used.contains(k) {
            throw ValidationError(path: sub(k), reason: "unknown key")
        }
    }
}

/// 9-digit KATO (Kazakhstan administrative-territorial object classifier) code.
func isKATO(_ s: String) -> Bool { s.count == 9 && s.allSatisfy { $0.isASCII && $0.isNumber } }
