import AqylCore
import AqylKit
import Foundation

/// Metadata of a file the citizen attached (the file itself stays with the integrator or a media store).
public struct AttachmentMeta: Sendable, Codable, Equatable {
    public var name: String
    public var mimeType: String
    public var size: Int64
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String
    public var url: String?

    public init(name: String, mimeType: String, size: Int64, sha256: String, url: String? = nil) {
        self.name = name
        self.mimeType = mimeType
        self.size = size
        self.sha256 = sha256
        self.url = url
    }

    public static let maxSize: Int64 = 100 << 20

    public func validate(index i: Int) throws(AqylError) {
        let f = "attachments[\(i)]"
        try name.checkText("\(f).name", max: 200)
        guard !name.contains("/"), !name.contains("\\") else {
            throw .invalid("\(f).name", "name must be a plain file name of at most 200 characters")
        }
        let parts = mimeType.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, mimeType.utf8.count <= 100, !parts[1].isEmpty,
              parts[1].utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2B || $0 == 0x2E || $0 == 0x2D }) else {
            throw .invalid("\(f).mime_type", "mime_type must look like type/subtype, e.g. image/jpeg")
        }
        guard ["image", "video", "audio", "application", "text"].contains(String(parts[0])) else {
            throw .invalid("\(f).mime_type", "mime_type must be an image, video, audio, application or text type")
        }
        guard size > 0, size <= Self.maxSize else {
            throw .invalid("\(f).size", "size must be 1 to \(Self.maxSize) bytes")
        }
        guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw .invalid("\(f).sha256", "sha256 must be 64 lower-case hex digits")
        }
        if let u = url { try AppealSubmission.validateURL(u, field: "\(f).url") }
    }
}

/// What a citizen submits, from Open311 or the native API, after parsing.
public struct AppealSubmission: Sendable, Codable, Equatable {
    public var category: AppealCategory
    public var description: String
    public var lat: Double?
    public var lon: Double?
    public var kato: String?
    public var address: String?
    public var mediaUrl: String?
    public var attributes: [String: String]
    public var attachments: [AttachmentMeta]
    /// `open311` or `native`.
    public var channel: String

    public init(category: AppealCategory, description: String, lat: Double? = nil, lon: Double? = nil,
                kato: String? = nil, address: String? = nil, mediaUrl: String? = nil,
                attributes: [String: String] = [:], attachments: [AttachmentMeta] = [], channel: String = "native") {
        self.category = category
        self.description = description
        self.lat = lat
        self.lon = lon
        self.kato = kato
        self.address = address
        self.mediaUrl = mediaUrl
        self.attributes = attributes
        self.attachments = attachments
        self.channel = channel
    }

    /// Field names as the caller knows them (Open311 says `long`, the native API `lon`).
    public struct FieldNames: Sendable {
        public var lat = "lat", lon = "lon", kato = "kato", description = "description", address = "address"
        public static let native = FieldNames()
        public static let open311 = FieldNames(lat: "lat", lon: "long", kato: "kato", description: "description",
                                               address: "address_string")
    }

    /// The contract's `HttpURL` pattern (400), then a URL this server can read (422).
    static func validateURL(_ u: String, field: String) throws(AqylError) {
        guard ContractPattern.isHTTPURL(u) else { throw .invalid(field, "'\(field)' must be an http(s) URL") }
        guard let c = URLComponents(string: u), c.scheme == "https" || c.scheme == "http", c.host?.isEmpty == false else {
            throw .refused(field, "'\(field)' is not a URL this server can read")
        }
    }

    /// Checks every field; throws naming the first bad one.
    public func validate(names: FieldNames = .native) throws(AqylError) {
        try description.checkText(names.description, max: 10_000)
        switch (lat, lon) {
        case (nil, nil): if kato == nil {
            throw .refused(names.lat, "a location is required: '\(names.lat)' and '\(names.lon)', or '\(names.kato)'", code: "missing_location")
        }
        case (nil, _): throw .refused(names.lat, "'\(names.lat)' is required with '\(names.lon)'", code: "missing_field")
        case (_, nil): throw .refused(names.lon, "'\(names.lon)' is required with '\(names.lat)'", code: "missing_field")
        case (let la?, let lo?):
            guard la.isFinite, (-90...90).contains(la) else { throw .invalid(names.lat, "'\(names.lat)' must be a latitude from -90 to 90") }
            guard lo.isFinite, (-180...180).contains(lo) else { throw .invalid(names.lon, "'\(names.lon)' must be a longitude from -180 to 180") }
        }
        if let k = kato { try Region.validateCode(k, field: names.kato) }
        if let a = address { try a.checkText(names.address, max: 500, allowBlank: true) }
        if let m = mediaUrl { try Self.validateURL(m, field: "media_url") }
        let known = Dictionary(uniqueKeysWithValues: category.attributes.map { ($0.code, $0) })
        for key in attributes.keys.sorted() {
            guard let def = known[key] else {
                throw .refused("attribute[\(key.prefix(40))]",
                               "service '\(category.rawValue)' has no attribute '\(key.prefix(40))'"
                               + (known.isEmpty ? "" : "; it has: \(known.keys.sorted().joined(separator: ", "))"),
                               code: "unknown_attribute")
            }
            try def.validate(attributes[key]!)
        }
        guard attachments.count <= 20 else { throw .invalid("attachments", "at most 20 attachments") }
        for (i, a) in attachments.enumerated() { try a.validate(index: i) }
    }

    /// SHA-256 of the canonical form: what an idempotent retry must repeat exactly.
    public var digest: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var copy = self
        copy.channel = ""
        copy.description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        let data = (try? e.encode(copy)) ?? Data()
        return Hashing.sha256Hex(data)
    }
}

/// One report as officials see it.
public struct AppealReport: Sendable, Codable, Equatable {
    public var id: String
    public var category: AppealCategory
    public var description: String
    public var lat: Double?
    public var lon: Double?
    public var address: String?
    public var mediaUrl: String?
    /// Where it happened (a district, or a region when only that is known).
    public var locationKato: String
    /// The region (oblys or city of republican significance) containing the location.
    public var regionKato: String
    /// The node whose unit holds it now, and which unit.
    public var queueKato: String
    public var queueKind: QueueKind
    public var level: Region.Level
    public var status: AppealStatus
    public var attributes: [String: String]
    public var riskTopics: [RiskTopic]
    public var triage: TriageResult
    /// Likely duplicates (same category, near in space and time): suggested, never merged.
    public var duplicates: [String]
    public var recommendationId: String?
    public var channel: String
    public var createdAt: Date
    public var updatedAt: Date
    public var deadlineAt: Date
    public var closedAt: Date?
    public var attachments: [AttachmentMeta]

    public func isOverdue(at now: Date) -> Bool { !status.isClosed && now > deadlineAt }
}

/// One entry of a report's status history.
public struct StatusEvent: Sendable, Codable, Equatable {
    public var seq: Int
    public var at: Date
    /// `submitted`, `status`, `escalated`.
    public var kind: String
    public var status: AppealStatus
    public var level: Region.Level
    public var queueKato: String
    /// What the reporter reads.
    public var publicNote: String?
    /// Officials only.
    public var actor: String?
    public var internalNote: String?
}

/// What the reporter sees through the tracking token: public wording, no officer names, no internal notes.
public struct PublicStatus: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public var at: Date
        public var status: String
        public var text: String
    }
    public var serviceRequestId: String
    public var serviceCode: String
    public var status: String
    public var open311Status: String
    public var level: String
    public var requestedDatetime: Date
    public var updatedDatetime: Date
    public var expectedDatetime: Date?
    public var history: [Entry]
}

/// The result of `submit`.
public struct SubmitOutcome: Sendable {
    public var report: AppealReport
    /// Given to the citizen; only its SHA-256 is stored. An idempotent retry gets the same token back.
    public var trackingToken: String
    /// True when an earlier submission with the same idempotency key and body was returned.
    public var replayed: Bool
}

/// One move up the chain made by `escalateOverdue`.
public struct Escalation: Sendable, Codable, Equatable {
    public var reportId: String
    public var from: String
    public var to: String
    public var level: Region.Level
    public var newDeadline: Date
}

/// What anyone may see of a public category's report (the Open311 list and by-id view): never the description,
/// media or attachments, coordinates rounded to 0.001° (about 100 m), the unit responsible by name only.
public struct PublicReport: Sendable, Codable, Equatable {
    public var serviceRequestId: String
    public var status: String
    public var statusNotes: String
    public var serviceName: String
    public var serviceCode: String
    public var agencyResponsible: String
    /// What the unit will do and by when (the category's deadline per level).
    public var serviceNotice: String?
    public var requestedDatetime: Date
    public var updatedDatetime: Date
    public var expectedDatetime: Date?
    public var lat: Double?
    public var long: Double?

    /// Coordinates as the public sees them.
    public static func rounded(_ v: Double?) -> Double? { v.map { ($0 * 1000).rounded() / 1000 } }

    public init(_ r: AppealReport, directory: RegionDirectory, serviceNotice: String? = nil) {
        self.serviceNotice = serviceNotice
        let unit = directory.region(r.queueKato).map { $0.nameEn ?? $0.nameRu } ?? r.queueKato
        serviceRequestId = r.id
        status = r.status.open311
        statusNotes = r.status.publicText
        serviceName = r.category.nameEn
        serviceCode = r.category.rawValue
        agencyResponsible = "\(r.queueKind == .internalSecurity ? "Internal security" : "Control centre"), \(unit)"
        requestedDatetime = r.createdAt
        updatedDatetime = r.updatedAt
        expectedDatetime = r.status.isClosed ? nil : r.deadlineAt
        lat = Self.rounded(r.lat)
        long = Self.rounded(r.lon)
    }
}
