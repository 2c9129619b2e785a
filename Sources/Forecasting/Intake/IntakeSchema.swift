import Foundation

/// A source format described by a JSON schema file shipped in `schemas/` (e.g. `schemas/forecast-portland-nij.json`):
/// which columns hold the date, the coordinates, the category and the district; how dates are written; the
/// coordinate system and the bounds a valid coordinate lies in; the mapping of every source category onto
/// `OffenceTaxonomy`; which records the police discovered themselves.
public struct IntakeSchema: Sendable, Codable, Equatable {
    public var format: String
    public var title: String
    /// Must be `OffenceTaxonomy.version`.
    public var taxonomy: String
    public var columns: Columns
    public var date: DateSpec
    public var coordinates: Coordinates
    /// Source category (in `columns.category`) → taxonomy code. A value missing here rejects the row.
    public var categories: [String: String]
    public var origin: OriginSpec?
    public var district: DistrictSpec?
    /// Free-text notes about the source (shown on model cards).
    public var notes: [String]?

    public struct Columns: Sendable, Codable, Equatable {
        public var date: String
        public var x: String
        public var y: String
        /// The column whose values `categories` maps.
        public var category: String
        /// Recorded as the incident's source category (defaults to `category`).
        public var sourceCategory: String?
        public var district: String?

        enum CodingKeys: String, CodingKey {
            case date, x, y, category, district
            case sourceCategory = "source_category"
        }
    }

    public struct DateSpec: Sendable, Codable, Equatable {
        /// "YYYY-MM-DD" (a date) or "YYYY-MM" (a month: the incident's interval is the whole month).
        public var format: String
    }

    public struct Coordinates: Sendable, Codable, Equatable {
        /// "projected" or "geographic" (WGS84 degrees, x = longitude, y = latitude).
        public var system: String
        /// Name of a projected system, e.g. "EPSG:2913".
        public var name: String?
        /// Metres per unit of a projected system (0.3048 for the international foot).
        public var metresPerUnit: Double?
        /// A coordinate outside these bounds is rejected (e.g. the 0,0 that some exports write for "no location").
        public var bounds: Bounds

        enum CodingKeys: String, CodingKey {
            case system, name, bounds
            case metresPerUnit = "metres_per_unit"
        }
    }

    public struct Bounds: Sendable, Codable, Equatable {
        public var xMin: Double
        public var xMax: Double
        public var yMin: Double
        public var yMax: Double

        enum CodingKeys: String, CodingKey {
            case xMin = "x_min", xMax = "x_max", yMin = "y_min", yMax = "y_max"
        }
    }

    public struct OriginSpec: Sendable, Codable, Equatable {
        /// Column whose values tell the origin.
        public var column: String
        /// Values that mark an incident the police discovered themselves.
        public var policeDiscovered: [String]
        /// Origin of every other row: "reported" or "unknown".
        public var otherwise: String
        /// How this was decided and how good a proxy it is (shown on model cards).
        public var rule: String

        enum CodingKeys: String, CodingKey {
            case column, otherwise, rule
            case policeDiscovered = "police_discovered"
        }
    }

    public struct DistrictSpec: Sendable, Codable, Equatable {
        /// What the district field is, e.g. "census tract".
        public var label: String
        /// "none", or "drop-last-word" (police.uk LSOA names "Leeds 111B" → local authority "Leeds").
        public var transform: String?
    }

    enum CodingKeys: String, CodingKey {
        case format, title, taxonomy, columns, date, coordinates, categories, origin, district, notes
    }

    public var crs: CoordinateSystem {
        if coordinates.system == "geographic" { return .geographic }
        return .projected(name: coordinates.name ?? "projected", metresPerUnit: coordinates.metresPerUnit ?? 1)
    }

    /// Every problem in the schema, each naming its field.
    public func problems() -> [String] {
        var out: [String] = []
        if taxonomy != OffenceTaxonomy.version {
            out.append("taxonomy: '\(taxonomy)' is not \(OffenceTaxonomy.version)")
        }
        if !["YYYY-MM-DD", "YYYY-MM"].contains(date.format) {
            out.append("date.format: '\(date.format)' is not YYYY-MM-DD or YYYY-MM")
        }
        switch coordinates.system {
        case "geographic":
            let b = coordinates.bounds
            if b.xMin < -180 || b.xMax > 180 || b.yMin < -90 || b.yMax > 90 {
                out.append("coordinates.bounds: geographic bounds must lie within ±180° longitude and ±90° latitude")
            }
        case "projected":
            if let m = coordinates.metresPerUnit, !(m > 0) { out.append("coordinates.metres_per_unit: must be positive") }
            if coordinates.metresPerUnit == nil { out.append("coordinates.metres_per_unit: required for a projected system") }
        default:
            out.append("coordinates.system: '\(coordinates.system)' is not projected or geographic")
        }
        let b = coordinates.bounds
        if !(b.xMin < b.xMax && b.yMin < b.yMax) { out.append("coordinates.bounds: min must be below max") }
        if categories.isEmpty { out.append("categories: no mapping") }
        for (source, code) in categories.sorted(by: { $0.key < $1.key }) where !OffenceTaxonomy.isKnown(code) {
            out.append("categories.\(source): '\(code)' is not a code of \(OffenceTaxonomy.version)")
        }
        if let o = origin, !["reported", "unknown"].contains(o.otherwise) {
            out.append("origin.otherwise: '\(o.otherwise)' is not reported or unknown")
        }
        if let t = district?.transform, !["none", "drop-last-word"].contains(t) {
            out.append("district.transform: '\(t)' is not none or drop-last-word")
        }
        return out
    }

    /// Decodes and checks a schema file's bytes; errors name the file and the field.
    public static func decode(_ data: Data, file: String) throws(IntakeError) -> IntakeSchema {
        let schema: IntakeSchema
        do {
            schema = try JSONDecoder().decode(IntakeSchema.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw IntakeError(file: file, column: (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."),
                              message: "required field is missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw IntakeError(file: file, column: ctx.codingPath.map(\.stringValue).joined(separator: "."),
                              message: "wrong type: \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw IntakeError(file: file, column: ctx.codingPath.map(\.stringValue).joined(separator: "."),
                              message: "value is null")
        } catch {
            throw IntakeError(file: file, message: "not a valid schema JSON document: \(error.localizedDescription)")
        }
        if let first = schema.problems().first { throw IntakeError(file: file, message: first) }
        return schema
    }

    public static func load(path: String) throws(IntakeError) -> IntakeSchema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IntakeError(file: path, message: "cannot read the schema file")
        }
        return try decode(data, file: path)
    }
}
