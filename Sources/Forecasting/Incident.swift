import Foundation

/// Who brought an incident to police attention. The feedback-loop guard (Ensign, Friedler, Neville, Scheidegger &
/// Venkatasubramanian 2018, "Runaway feedback loops in predictive policing", FAT* 2018) down-weights incidents the
/// police discovered themselves, because where they look is where the last forecast sent them.
public enum IncidentOrigin: String, Sendable, Codable, CaseIterable {
    /// Reported by the public (a call, a citizen report).
    case reported
    /// Found by the police themselves (patrol checks, stops, proactive operations).
    case policeDiscovered = "police-discovered"
    /// The source does not say.
    case unknown
}

/// One incident, whatever its source (a police file read through a schema, or a citizen report through the
/// platform's port): a place, a time interval, a category of the Aqyl offence taxonomy. It names no person.
public struct Incident: Sendable, Hashable, Codable {
    /// First day of the interval in which it occurred (days since 1970-01-01; see `CivilDay`).
    public var day: Int
    /// Length of that interval in days: 1 for a known date, 28–31 for a source with monthly dates.
    public var days: Int
    /// Location in the coordinate system of the set it belongs to (feet for EPSG:2913, degrees for lon/lat).
    public var x: Double
    public var y: Double
    /// Code of `OffenceTaxonomy`.
    public var category: String
    /// The source's own category, as written.
    public var sourceCategory: String
    public var origin: IncidentOrigin
    /// A district-like area for exposure reports (census tract, local authority, KATO district), if known.
    public var district: String?
    /// Where it came from, e.g. "calls.csv:1042" or "appeal:…".
    public var source: String?

    public init(day: Int, days: Int = 1, x: Double, y: Double, category: String, sourceCategory: String? = nil,
                origin: IncidentOrigin = .unknown, district: String? = nil, source: String? = nil) {
        self.day = day
        self.days = max(1, days)
        self.x = x
        self.y = y
        self.category = category
        self.sourceCategory = sourceCategory ?? category
        self.origin = origin
        self.district = district
        self.source = source
    }

    /// A citizen report (or any timestamped, geolocated record): WGS84 longitude/latitude, known to the day.
    public init(reportedAt date: Date, longitude: Double, latitude: Double, category: String,
                sourceCategory: String? = nil, district: String? = nil, source: String? = nil) {
        self.init(day: CivilDay.day(of: date), days: 1, x: longitude, y: latitude, category: category,
                  sourceCategory: sourceCategory, origin: .reported, district: district, source: source)
    }

    /// The day after the interval ends.
    public var endDay: Int { day + days }
    /// Midpoint of the interval in days (the event time used by the self-exciting model).
    public var midpoint: Double { Double(day) + Double(days) / 2 }
}

/// The coordinate system of a set of incidents.
public enum CoordinateSystem: Sendable, Equatable, Codable {
    /// Planar coordinates: `metresPerUnit` converts a unit to metres (0.3048 for the international foot).
    case projected(name: String, metresPerUnit: Double)
    /// WGS84 longitude (x) and latitude (y) in degrees.
    case geographic

    public var isGeographic: Bool { if case .geographic = self { return true } else { return false } }

    public var label: String {
        switch self {
        case .projected(let name, let m): return "\(name) (1 unit = \(m) m)"
        case .geographic: return "WGS84 longitude/latitude (degrees)"
        }
    }
}

/// Incidents in one coordinate system, with what the intake rejected.
public struct IncidentSet: Sendable {
    public var crs: CoordinateSystem
    public var incidents: [Incident]
    public var rejections: [IntakeRejection]
    /// Input files with their SHA-256 and accepted row counts.
    public var files: [InputFile]
    /// The time resolution in days of the source's dates (1 for dates, 31 for months).
    public var resolutionDays: Int
    /// How the discovered/reported origin was told apart (from the schema), for the model card.
    public var originRule: String?
    /// What the district field is (e.g. "census tract"), for the model card.
    public var districtLabel: String?

    public init(crs: CoordinateSystem, incidents: [Incident], rejections: [IntakeRejection] = [], files: [InputFile] = [],
                resolutionDays: Int = 1, originRule: String? = nil, districtLabel: String? = nil) {
        self.crs = crs
        self.incidents = incidents
        self.rejections = rejections
        self.files = files
        self.resolutionDays = resolutionDays
        self.originRule = originRule
        self.districtLabel = districtLabel
    }

    /// Adds another set in the same coordinate system; a different system is an error.
    public mutating func append(_ other: IncidentSet) throws(IntakeError) {
        guard other.crs == crs else {
            throw IntakeError(file: other.files.first?.path ?? "", message: "coordinate system \(other.crs.label) differs from \(crs.label)")
        }
        incidents += other.incidents
        rejections += other.rejections
        files += other.files
        resolutionDays = max(resolutionDays, other.resolutionDays)
        originRule = originRule ?? other.originRule
        districtLabel = districtLabel ?? other.districtLabel
    }
}

public struct InputFile: Sendable, Equatable, Codable {
    public var path: String
    public var sha256: String
    public var rows: Int
    public var accepted: Int
}

/// A rejected input row: file, 1-based line, column and why. Rows are never guessed into shape.
public struct IntakeRejection: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: String?
    public var value: String?
    public var reason: String

    public var description: String {
        var s = "\(file), line \(line)"
        if let column { s += ", column '\(column)'" }
        s += ": \(reason)"
        if let value { s += " (value: '\(value)')" }
        return s
    }
}

/// A whole file (or schema) that cannot be read: missing columns, not CSV, unreadable.
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ", line \(line)" }
        if let column { s += ", column '\(column)'" }
        return s + ": " + message
    }
}

/// The platform's port for incidents from elsewhere (the citizen-report store): the Forecasting domain never
/// imports the domain that owns them; the server wires an implementation.
public protocol IncidentFeed: Sendable {
    /// Incidents whose interval starts in [fromDay, toDay), in WGS84 longitude/latitude.
    func incidents(fromDay: Int, toDay: Int) async throws -> [Incident]
}
