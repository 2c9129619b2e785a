import AqylCore
import Foundation

/// The JSON an officer or an integrator sends for an ASP application, decoded strictly (unknown keys refused at
/// every level), and its conversion into the domain's household: age and sex come from the IIN when one is given
/// (and must agree with any age or sex sent beside it).
public enum ApplicationInput {
    public struct MemberInput: Decodable {
        public var iin: IIN?
        public var age: Int?
        public var sex: String?
        public var relation: String
        public var disabilityGroup: Int?
        public var employment: String?
        public var education: String?
        public var student: Bool?
        public var pregnant: Bool?
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case iin, age, sex, relation, employment, education, student, pregnant
            case disabilityGroup = "disability_group"
        }
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            iin = try c.decodeIfPresent(IIN.self, forKey: .iin)
            age = try c.decodeIfPresent(Int.self, forKey: .age)
            sex = try c.decodeIfPresent(String.self, forKey: .sex)
            relation = try c.decode(String.self, forKey: .relation)
            disabilityGroup = try c.decodeIfPresent(Int.self, forKey: .disabilityGroup)
            employment = try c.decodeIfPresent(String.self, forKey: .employment)
            education = try c.decodeIfPresent(String.self, forKey: .education)
            student = try c.decodeIfPresent(Bool.self, forKey: .student)
            pregnant = try c.decodeIfPresent(Bool.self, forKey: .pregnant)
        }
    }

    public struct IncomeInput: Decodable {
        public var month: String
        public var source: String
        public var amount: Double
        public enum CodingKeys: String, CodingKey, CaseIterable { case month, source, amount }
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            month = try c.decode(String.self, forKey: .month)
            source = try c.decode(String.self, forKey: .source)
            amount = try c.decode(Double.self, forKey: .amount)
        }
    }

    public struct AssetsInput: Decodable {
        public var value: Assets
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case dwellings, vehicles
            case landHectares = "land_hectares", livestockUnits = "livestock_units"
        }
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            value = Assets(dwellings: try c.decodeIfPresent(Int.self, forKey: .dwellings) ?? 0,
                           vehicles: try c.decodeIfPresent(Int.self, forKey: .vehicles) ?? 0,
                           landHectares: try c.decodeIfPresent(Double.self, forKey: .landHectares) ?? 0,
                           livestockUnits: try c.decodeIfPresent(Double.self, forKey: .livestockUnits) ?? 0)
        }
    }

    public struct HousingInput: Decodable {
        public var tenure: String?
        public var rooms: Int?
        public var pipedWater: Bool?
        public var centralHeating: Bool?
        public var rural: Bool?
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case tenure, rooms, rural
            case pipedWater = "piped_water", centralHeating = "central_heating"
        }
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tenure = try c.decodeIfPresent(String.self, forKey: .tenure)
            rooms = try c.decodeIfPresent(Int.self, forKey: .rooms)
            pipedWater = try c.decodeIfPresent(Bool.self, forKey: .pipedWater)
            centralHeating = try c.decodeIfPresent(Bool.self, forKey: .centralHeating)
            rural = try c.decodeIfPresent(Bool.self, forKey: .rural)
        }
    }

    public struct HouseholdInput: Decodable {
        public var id: String
        public var districtKato: String
        public var members: [MemberInput]
        public var incomes: [IncomeInput]
        public var assets: AssetsInput?
        public var housing: HousingInput?
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case id, members, incomes, assets, housing
            case districtKato = "district_kato"
        }
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            districtKato = try c.decode(String.self, forKey: .districtKato)
            members = try c.decode([MemberInput].self, forKey: .members)
            incomes = try c.decodeIfPresent([IncomeInput].self, forKey: .incomes) ?? []
            assets = try c.decodeIfPresent(AssetsInput.self, forKey: .assets)
            housing = try c.decodeIfPresent(HousingInput.self, forKey: .housing)
        }
    }

    public struct Body: APIInput {
        public var household: HouseholdInput
        public var appliedOn: String?
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case household
            case appliedOn = "applied_on"
        }
    }

    /// Turns the request into the domain's household; age and sex come from the IIN when one is given.
    public static func household(_ input: HouseholdInput, appliedOn: Date) throws(AqylError) -> Household {
        var members: [Member] = []
        for (i, m) in input.members.enumerated() {
            let f = "household.members[\(i)]"
            var age = m.age
            var sex: IIN.Sex? = try parseEnum(m.sex, IIN.Sex.self, field: "\(f).sex")
            if let iin = m.iin {
                let cal = Calendar(identifier: .gregorian)
                if let born = cal.date(from: iin.birthDate) {
                    let years = cal.dateComponents([.year], from: born, to: appliedOn).year ?? 0
                    if let a = age, a != years { throw .refused("\(f).age", "age \(a) does not match the IIN's birth date (\(years))") }
                    guard (0...120).contains(years) else {
                        throw .refused("\(f).iin", "the IIN's birth date gives an age of \(years) on the day of application")
                    }
                    age = years
                }
                if let s = sex, s != iin.sex { throw .refused("\(f).sex", "sex does not match the IIN") }
                sex = iin.sex
            }
            // Age and sex come from the IIN when one is sent; without one both are required.
            guard let age else { throw .refused("\(f).age", "'\(f).age' is required without an IIN", code: "missing_field") }
            guard let sex else { throw .refused("\(f).sex", "'\(f).sex' is required without an IIN", code: "missing_field") }
            guard let relation = try parseEnum(m.relation, Member.Relation.self, field: "\(f).relation") else { throw .missing("\(f).relation") }
            members.append(Member(iin: m.iin, age: age, sex: sex, relation: relation, disabilityGroup: m.disabilityGroup ?? 0,
                                  employment: try parseEnum(m.employment, Member.Employment.self, field: "\(f).employment") ?? .unknown,
                                  pregnant: m.pregnant ?? false,
                                  education: try parseEnum(m.education, Member.Education.self, field: "\(f).education") ?? .unknown,
                                  student: m.student ?? false))
        }
        var incomes: [IncomeRecord] = []
        for (i, inc) in input.incomes.enumerated() {
            guard let source = try parseEnum(inc.source, IncomeRecord.Source.self, field: "household.incomes[\(i)].source") else {
                throw .missing("household.incomes[\(i)].source")
            }
            incomes.append(IncomeRecord(month: inc.month, source: source, amount: inc.amount))
        }
        var housing = Housing()
        if let h = input.housing {
            housing = Housing(tenure: try parseEnum(h.tenure, Housing.Tenure.self, field: "household.housing.tenure") ?? .own,
                              rooms: h.rooms ?? 1, pipedWater: h.pipedWater ?? true, centralHeating: h.centralHeating ?? true,
                              rural: h.rural ?? false)
        }
        return Household(id: input.id, districtKato: input.districtKato, members: members, incomes: incomes,
                         assets: input.assets?.value ?? Assets(), housing: housing)
    }

}
