import AqylCore
import Configuration
import Foundation

/// What a citizen reports. The first six are the "Law and Order" service of eGov Mobile and the bank apps;
/// `appeal` is a free-text appeal of the E-Otinish stream.
public enum AppealCategory: String, Sendable, Codable, CaseIterable {
    case trafficAccident = "traffic_accident"
    case trafficViolation = "traffic_violation"
    case domesticViolence = "domestic_violence"
    case accident
    case childIncident = "child_incident"
    case policeComplaint = "police_complaint"
    case appeal

    public static func parse(_ raw: String, field: String = "service_code") throws(AqylError) -> AppealCategory {
        guard let c = AppealCategory(rawValue: raw) else {
            throw .invalid(field, "unknown service_code '\(raw.prefix(40))'; one of: \(allCases.map(\.rawValue).joined(separator: ", "))",
                           code: "unknown_service")
        }
        return c
    }

    /// The clearance a user needs to see reports of this category at all (`nil`: region scope is enough).
    public var requiredClearance: Clearance? {
        switch self {
        case .domesticViolence: .domesticViolence
        case .childIncident: .childProtection
        case .policeComplaint: .internalSecurity
        default: nil
        }
    }

    /// Reports that never appear in public (Open311) lists or by-id views. Restricted categories because of the
    /// people involved; free-text appeals because their text is personal correspondence with the state.
    public var isPublic: Bool { requiredClearance == nil && self != .appeal }

    /// Complaints about a police officer go to the region's internal-security unit, never to a district unit.
    public var queueKind: QueueKind { self == .policeComplaint ? .internalSecurity : .controlCentre }

    public var nameEn: String {
        switch self {
        case .trafficAccident: "Traffic accident"
        case .trafficViolation: "Traffic violation"
        case .domesticViolence: "Domestic violence"
        case .accident: "Accident"
        case .childIncident: "Incident involving a child"
        case .policeComplaint: "Complaint about a police officer"
        case .appeal: "Appeal (E-Otinish, free text)"
        }
    }

    public var nameRu: String {
        switch self {
        case .trafficAccident: "ДТП"
        case .trafficViolation: "Нарушение ПДД"
        case .domesticViolence: "Бытовое насилие"
        case .accident: "Несчастный случай"
        case .childIncident: "Происшествие с ребёнком"
        case .policeComplaint: "Жалоба на сотрудника полиции"
        case .appeal: "Обращение"
        }
    }

    public var nameKk: String {
        switch self {
        case .trafficAccident: "Жол-көлік оқиғасы"
        case .trafficViolation: "Жол жүру ережесін бұзу"
        case .domesticViolence: "Тұрмыстық зорлық-зомбылық"
        case .accident: "Жазатайым оқиға"
        case .childIncident: "Баламен болған оқиға"
        case .policeComplaint: "Полиция қызметкеріне шағым"
        case .appeal: "Өтініш"
        }
    }

    /// Optional typed attributes of a service (Open311 `attributes`); values are validated at intake.
    public var attributes: [ServiceAttribute] {
        let yesNo = ["yes", "no"]
        switch self {
        case .trafficAccident:
            return [ServiceAttribute(code: "injured", description: "Is anyone injured?", values: yesNo),
                    ServiceAttribute(code: "vehicles", description: "Number of vehicles involved", datatype: .number)]
        case .trafficViolation:
            return [ServiceAttribute(code: "plate", description: "Licence plate of the vehicle, if seen", datatype: .string)]
        case .domesticViolence, .childIncident:
            return [ServiceAttribute(code: "immediate_danger", description: "Is someone in danger right now?", values: yesNo)]
        case .accident:
            return [ServiceAttribute(code: "injured", description: "Is anyone injured?", values: yesNo)]
        case .policeComplaint:
            return [ServiceAttribute(code: "badge_number", description: "Officer's badge number, if known", datatype: .string)]
        case .appeal:
            return []
        }
    }
}

/// Which unit's queue a report sits in.
public enum QueueKind: String, Sendable, Codable, CaseIterable {
    /// The operational control centre of a district, region or the country.
    case controlCentre = "control_centre"
    /// The internal-security unit: exists at region and centre level only.
    case internalSecurity = "internal_security"
}

/// A per-user clearance for restricted categories. No role carries one by default; an admin grants it to a named
/// user (audited), so an officer or analyst without it never sees those reports, however high their node.
public enum Clearance: String, Sendable, Codable, CaseIterable {
    case domesticViolence = "domestic_violence"
    case childProtection = "child_protection"
    case internalSecurity = "internal_security"

    public static func parse(_ raw: String, field: String = "clearance") throws(AqylError) -> Clearance {
        guard let c = Clearance(rawValue: raw) else {
            throw .invalid(field, "unknown clearance '\(raw.prefix(40))'; one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return c
    }
}

/// An Open311 service attribute definition.
public struct ServiceAttribute: Sendable, Codable, Equatable {
    public enum DataType: String, Sendable, Codable { case string, number, singlevaluelist }
    public var code: String
    public var description: String
    public var datatype: DataType
    public var values: [String]

    public init(code: String, description: String, datatype: DataType = .singlevaluelist, values: [String] = []) {
        self.code = code
        self.description = description
        self.datatype = datatype
        self.values = values
    }

    /// Checks one submitted value; the field is named the Open311 way, `attribute[code]`.
    public func validate(_ value: String) throws(AqylError) {
        let field = "attribute[\(code)]"
        // The contract types attributes as text; what each service accepts is its own rule (422).
        switch datatype {
        case .string:
            guard value.codePointCount <= 100 else { throw .refused(field, "'\(field)' is longer than 100 characters") }
        case .number:
            guard let n = Double(value), n.isFinite, n >= 0, n <= 1000 else {
                throw .refused(field, "'\(field)' must be a number from 0 to 1000")
            }
        case .singlevaluelist:
            guard values.contains(value) else {
                throw .refused(field, "'\(field)' must be one of: \(values.joined(separator: ", "))")
            }
        }
    }
}

/// Status of a report. `resolved` and `rejected` are closed (Open311 `closed`); the others are open.
public enum AppealStatus: String, Sendable, Codable, CaseIterable {
    case submitted, inProgress = "in_progress", resolved, rejected

    public var isClosed: Bool { self == .resolved || self == .rejected }
    public var open311: String { isClosed ? "closed" : "open" }

    /// Transitions an official may make.
    public func canMove(to next: AppealStatus) -> Bool {
        switch (self, next) {
        case (.submitted, .inProgress), (.submitted, .resolved), (.submitted, .rejected),
             (.inProgress, .resolved), (.inProgress, .rejected): true
        default: false
        }
    }

    /// What the reporter reads (Russian / Kazakh / English): no names, no internal detail.
    public var publicText: String {
        switch self {
        case .submitted: "Обращение принято / Өтініш қабылданды / Received"
        case .inProgress: "Обращение в работе / Өтініш қаралуда / In progress"
        case .resolved: "Обращение рассмотрено / Өтініш қаралды / Resolved"
        case .rejected: "Обращение отклонено / Өтініш қабылданбады / Rejected"
        }
    }
}

/// Deadlines and escalation settings. A report must be closed within its category's deadline at each level;
/// if it is not, `escalateOverdue` moves it one level up (district → region → centre) and its clock restarts.
///
/// Default deadlines (Aqyl's operational defaults, not statutory terms; configure per deployment):
/// | category | hours per level | why |
/// |---|---|---|
/// | domestic_violence, child_incident | 12 | people may be in danger |
/// | traffic_accident, accident | 24 | on-scene work is done, the report must be taken up within a day |
/// | traffic_violation | 72 | evidence review |
/// | police_complaint | 120 | internal-security inquiry (5 days) |
/// | appeal | 360 | 15 days, close to the 15-working-day term for appeals in the Administrative Procedural and Process Code |
public struct AppealsConfig: Sendable {
    public var deadlines: [AppealCategory: TimeInterval]
    /// Two reports are suggested as likely duplicates when the category is the same, both have coordinates,
    /// they are within this many metres and this many seconds of each other.
    public var duplicateRadiusMeters: Double
    public var duplicateWindow: TimeInterval
    /// How often the server's background service runs `escalateOverdue`.
    public var escalationInterval: TimeInterval
    /// A text-classifier model file (`aqyl triage train`), or nil for keyword rules only.
    public var triageModelPath: String?

    public static let defaultDeadlineHours: [AppealCategory: Double] = [
        .domesticViolence: 12, .childIncident: 12, .trafficAccident: 24, .accident: 24,
        .trafficViolation: 72, .policeComplaint: 120, .appeal: 360,
    ]

    public init(deadlines: [AppealCategory: TimeInterval] = defaultDeadlineHours.mapValues { $0 * 3600 },
                duplicateRadiusMeters: Double = 300, duplicateWindow: TimeInterval = 2 * 3600,
                escalationInterval: TimeInterval = 300, triageModelPath: String? = nil) {
        self.deadlines = deadlines
        self.duplicateRadiusMeters = duplicateRadiusMeters
        self.duplicateWindow = duplicateWindow
        self.escalationInterval = escalationInterval
        self.triageModelPath = triageModelPath
    }

    public func deadline(for category: AppealCategory) -> TimeInterval {
        deadlines[category] ?? (Self.defaultDeadlineHours[category] ?? 24) * 3600
    }

    /// Reads the appeals settings from the platform's configuration (read once at the entry point):
    /// `aqyl.triage.model` (env `AQYL_TRIAGE_MODEL`, a model path) and `aqyl.appeals.deadline.hours`
    /// (env `AQYL_APPEALS_DEADLINE_HOURS`, `category=hours,category=hours`, e.g. `traffic_violation=48,appeal=240`).
    public static func from(_ config: ConfigReader) throws(AqylError) -> AppealsConfig {
        var c = AppealsConfig()
        if let p = config.string(forKey: "aqyl.triage.model"), !p.isEmpty { c.triageModelPath = p }
        if let raw = config.string(forKey: "aqyl.appeals.deadline.hours"), !raw.isEmpty {
            for part in raw.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, let h = Double(kv[1]), h > 0 else {
                    throw .invalid("AQYL_APPEALS_DEADLINE_HOURS", "expected category=hours, got '\(part)'")
                }
                c.deadlines[try AppealCategory.parse(kv[0], field: "AQYL_APPEALS_DEADLINE_HOURS")] = h * 3600
            }
        }
        if let seconds = config.double(forKey: "aqyl.appeals.escalation.interval"), seconds > 0 { c.escalationInterval = seconds }
        return c
    }
}
