import AqylCore
import Foundation

/// One person in an applying household.
public struct Member: Sendable, Codable, Equatable {
    public enum Relation: String, Sendable, Codable, CaseIterable { case head, spouse, child, parent, sibling, grandchild, other }
    public enum Employment: String, Sendable, Codable, CaseIterable {
        case employed, selfEmployed = "self_employed", unemployed, student, retired, caregiver, unknown
    }

    public var iin: IIN?
    public var age: Int
    public var sex: IIN.Sex
    public var relation: Relation
    /// 0 = none; 1, 2, 3 = disability group under Kazakhstan's law.
    public var disabilityGroup: Int
    public var employment: Employment
    public var pregnant: Bool
    public var education: Education
    /// In full-time study (school pupils aged 16+, college and university students).
    public var student: Bool

    public enum Education: String, Sendable, Codable, CaseIterable {
        case none, primary, secondary, vocational, higher, unknown
        /// Ordinal level used as a model feature (unknown = missing).
        public var level: Double? {
            switch self { case .none: 0; case .primary: 1; case .secondary: 2; case .vocational: 3; case .higher: 4; case .unknown: nil }
        }
    }

    public init(iin: IIN? = nil, age: Int, sex: IIN.Sex, relation: Relation, disabilityGroup: Int = 0,
                employment: Employment = .unknown, pregnant: Bool = false, education: Education = .unknown,
                student: Bool = false) {
        self.education = education
        self.student = student
        self.iin = iin
        self.age = age
        self.sex = sex
        self.relation = relation
        self.disabilityGroup = disabilityGroup
        self.employment = employment
        self.pregnant = pregnant
    }
}

/// Income received by the household in one calendar month, by source.
public struct IncomeRecord: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable {
        case wages, selfEmployment = "self_employment", pension, benefits, alimony, subsidiaryPlot = "subsidiary_plot",
             livestock, landPlot = "land_plot", rent, other
    }
    /// `YYYY-MM`.
    public var month: String
    public var source: Source
    /// Tenge, before the rule's exclusions.
    public var amount: Double

    public init(month: String, source: Source, amount: Double) {
        self.month = month
        self.source = source
        self.amount = amount
    }
}

/// What the household owns. Counts and sizes only; the rule does not use them, the model may.
public struct Assets: Sendable, Codable, Equatable {
    /// Dwellings owned (flats, houses), including the one lived in.
    public var dwellings: Int
    public var vehicles: Int
    /// Land plots, hectares.
    public var landHectares: Double
    /// Livestock in conventional head (1 cow = 1, 1 sheep = 0.2, 1 horse = 1.2 — see `Kazakhstan` features).
    public var livestockUnits: Double

    public init(dwellings: Int = 0, vehicles: Int = 0, landHectares: Double = 0, livestockUnits: Double = 0) {
        self.dwellings = dwellings
        self.vehicles = vehicles
        self.landHectares = landHectares
        self.livestockUnits = livestockUnits
    }
}

/// Living conditions as the application or a home visit records them.
public struct Housing: Sendable, Codable, Equatable {
    public enum Tenure: String, Sendable, Codable, CaseIterable { case own, rent, relatives, social, other }
    public var tenure: Tenure
    public var rooms: Int
    public var pipedWater: Bool
    public var centralHeating: Bool
    public var rural: Bool

    public init(tenure: Tenure = .own, rooms: Int = 1, pipedWater: Bool = true, centralHeating: Bool = true, rural: Bool = false) {
        self.tenure = tenure
        self.rooms = rooms
        self.pipedWater = pipedWater
        self.centralHeating = centralHeating
        self.rural = rural
    }
}

public struct Household: Sendable, Codable, Equatable {
    public var id: String
    /// KATO code of the district where the household lives.
    public var districtKato: String
    public var members: [Member]
    public var incomes: [IncomeRecord]
    public var assets: Assets
    public var housing: Housing

    public init(id: String, districtKato: String, members: [Member], incomes: [IncomeRecord],
                assets: Assets = Assets(), housing: Housing = Housing()) {
        self.id = id
        self.districtKato = districtKato
        self.members = members
        self.incomes = incomes
        self.assets = assets
        self.housing = housing
    }
}

/// A calendar quarter, e.g. 2026Q3.
public struct Quarter: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var quarter: Int

    public init(year: Int, quarter: Int) throws(AqylError) {
        guard (1...4).contains(quarter), (2000...2100).contains(year) else {
            throw .invalid("quarter", "quarter must be 1–4 and the year 2000–2100")
        }
        self.year = year
        self.quarter = quarter
    }

    /// A quarter computed from a date (no range check: the quarter before 2000Q1 is 1999Q4).
    private init(computedYear year: Int, quarter: Int) {
        self.year = year
        self.quarter = quarter
    }

    /// Parses `2026Q3`.
    public init(_ text: String, field: String = "quarter") throws(AqylError) {
        let parts = text.uppercased().split(separator: "Q")
        guard parts.count == 2, let y = Int(parts[0]), let q = Int(parts[1]) else {
            throw .invalid(field, "quarter must look like 2026Q3")
        }
        try self.init(year: y, quarter: q)
    }

    /// Gregorian calendar in UTC+5, Kazakhstan's single time zone since 2024.
    public static var kazakhstanCalendar: Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 5 * 3600)!
        return cal
    }

    /// The quarter a date falls in (UTC+5).
    public static func containing(_ date: Date) -> Quarter {
        let c = kazakhstanCalendar.dateComponents([.year, .month], from: date)
        return Quarter(computedYear: c.year!, quarter: (c.month! - 1) / 3 + 1)
    }

    public var previous: Quarter {
        quarter == 1 ? Quarter(computedYear: year - 1, quarter: 4) : Quarter(computedYear: year, quarter: quarter - 1)
    }

    /// The three months, `YYYY-MM`.
    public var months: [String] {
        (0..<3).map { String(format: "%04d-%02d", year, (quarter - 1) * 3 + 1 + $0) }
    }

    public var description: String { "\(year)Q\(quarter)" }
    public static func < (a: Quarter, b: Quarter) -> Bool { (a.year, a.quarter) < (b.year, b.quarter) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
    /// Reads a stored quarter (any year: a rule result may hold 1999Q4, the quarter before an application of 2000).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.uppercased().split(separator: "Q")
        guard parts.count == 2, let y = Int(parts[0]), let q = Int(parts[1]), (1...4).contains(q) else {
            throw AqylError.invalid("quarter", "quarter must look like 2026Q3")
        }
        self.init(computedYear: y, quarter: q)
    }
}
