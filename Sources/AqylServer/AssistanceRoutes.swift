import AqylCore
import AqylStore
import Assistance
import Foundation
import Hummingbird

/// ASP officer workflow: submit an application → the rule and the model assess it → the district queue → a named
/// official decides (a reason is required when disagreeing with the rule or the model) → the applicant's summary.
struct AssistanceRoutes {
    let store: AqylStore
    let service: AssistanceService

    func register(on router: Router<AqylRequestContext>) {
        let g = router.group("v1/assistance")
        g.post("applications", use: submit)
        g.get("applications", use: queue)
        g.get("applications/:id", use: get)
        g.post("applications/:id/decision", use: decide)
        g.get("applications/:id/summary", use: summary)
        g.get("pilot-statistics", use: pilot)
        g.get("figures", use: listFigures)
        g.put("figures", use: putFigures)
        g.get("model", use: model)
    }

    // MARK: input

    struct MemberInput: Decodable {
        var iin: IIN?
        var age: Int?
        var sex: String?
        var relation: String
        var disabilityGroup: Int?
        var employment: String?
        var education: String?
        var student: Bool?
        var pregnant: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case iin, age, sex, relation, employment, education, student, pregnant
            case disabilityGroup = "disability_group"
        }
        init(from decoder: any Decoder) throws {
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

    struct IncomeInput: Decodable {
        var month: String
        var source: String
        var amount: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case month, source, amount }
        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            month = try c.decode(String.self, forKey: .month)
            source = try c.decode(String.self, forKey: .source)
            amount = try c.decode(Double.self, forKey: .amount)
        }
    }

    struct AssetsInput: Decodable {
        var value: Assets
        enum CodingKeys: String, CodingKey, CaseIterable {
            case dwellings, vehicles
            case landHectares = "land_hectares", livestockUnits = "livestock_units"
        }
        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            value = Assets(dwellings: try c.decodeIfPresent(Int.self, forKey: .dwellings) ?? 0,
                           vehicles: try c.decodeIfPresent(Int.self, forKey: .vehicles) ?? 0,
                           landHectares: try c.decodeIfPresent(Double.self, forKey: .landHectares) ?? 0,
                           livestockUnits: try c.decodeIfPresent(Double.self, forKey: .livestockUnits) ?? 0)
        }
    }

    struct HousingInput: Decodable {
        var tenure: String?
        var rooms: Int?
        var pipedWater: Bool?
        var centralHeating: Bool?
        var rural: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case tenure, rooms, rural
            case pipedWater = "piped_water", centralHeating = "central_heating"
        }
        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tenure = try c.decodeIfPresent(String.self, forKey: .tenure)
            rooms = try c.decodeIfPresent(Int.self, forKey: .rooms)
            pipedWater = try c.decodeIfPresent(Bool.self, forKey: .pipedWater)
            centralHeating = try c.decodeIfPresent(Bool.self, forKey: .centralHeating)
            rural = try c.decodeIfPresent(Bool.self, forKey: .rural)
        }
    }

    struct HouseholdInput: Decodable {
        var id: String
        var districtKato: String
        var members: [MemberInput]
        var incomes: [IncomeInput]
        var assets: AssetsInput?
        var housing: HousingInput?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, members, incomes, assets, housing
            case districtKato = "district_kato"
        }
        init(from decoder: any Decoder) throws {
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

    struct ApplicationInput: APIInput {
        var household: HouseholdInput
        var appliedOn: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case household
            case appliedOn = "applied_on"
        }
    }

    static func parseEnum<E: RawRepresentable & CaseIterable>(_ raw: String?, _ type: E.Type, field: String) throws(AqylError) -> E? where E.RawValue == String {
        guard let raw else { return nil }
        guard let v = E(rawValue: raw) else {
            throw .invalid(field, "'\(raw)' is not one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    /// Turns the request into the domain's household; age and sex come from the IIN when one is given.
    static func household(_ input: HouseholdInput, appliedOn: Date) throws(AqylError) -> Household {
        var members: [Member] = []
        for (i, m) in input.members.enumerated() {
            let f = "household.members[\(i)]"
            var age = m.age
            var sex: IIN.Sex? = try parseEnum(m.sex, IIN.Sex.self, field: "\(f).sex")
            if let iin = m.iin {
                let cal = Calendar(identifier: .gregorian)
                if let born = cal.date(from: iin.birthDate) {
                    let years = cal.dateComponents([.year], from: born, to: appliedOn).year ?? 0
                    if let a = age, a != years { throw .invalid("\(f).age", "age \(a) does not match the IIN's birth date (\(years))") }
                    age = years
                }
                if let s = sex, s != iin.sex { throw .invalid("\(f).sex", "sex does not match the IIN") }
                sex = iin.sex
            }
            guard let age else { throw .missing("\(f).age") }
            guard let sex else { throw .missing("\(f).sex") }
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

    // MARK: handlers

    @Sendable func submit(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin, .integrator)
        let input = try await JSON.decode(ApplicationInput.self, from: request, context: context)
        var appliedOn = store.clock.now()
        if let s = input.appliedOn { appliedOn = try AssistanceService.parseDay(s, field: "applied_on") }
        let household = try Self.household(input.household, appliedOn: appliedOn)
        let app = try await service.submit(household, appliedOn: appliedOn, by: p)
        return try JSON.response(ApplicationView(app), status: .created)
    }

    @Sendable func queue(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin, .auditor)
        let status = request.query("status") ?? "pending"
        let limit = try request.queryInt("limit", default: 100, range: 1...1000)
        let apps = try await service.queue(reader: p, region: request.query("region"), status: status == "any" ? nil : status, limit: limit)
        return try JSON.response(["applications": apps.map(QueueItem.init)])
    }

    @Sendable func get(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin, .auditor)
        return try JSON.response(ApplicationView(try await service.application(id: try context.parameters.require("id"), reader: p)))
    }

    struct DecisionInput: APIInput {
        var outcome: String
        var reason: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case outcome, reason }
    }

    @Sendable func decide(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin)
        let input = try await JSON.decode(DecisionInput.self, from: request, context: context)
        let app = try await service.decide(applicationId: try context.parameters.require("id"), official: p,
                                           outcome: input.outcome, reason: input.reason)
        return try JSON.response(ApplicationView(app), status: .created)
    }

    @Sendable func summary(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .admin)
        let lang = request.query("lang") ?? "ru"
        guard ["kk", "ru", "en"].contains(lang) else { throw AqylError.invalid("lang", "lang must be kk, ru or en") }
        let app = try await service.application(id: try context.parameters.require("id"), reader: p,
                                                purpose: "assistance.application.summary")
        return try JSON.response(ApplicantSummary(app, language: lang))
    }

    @Sendable func pilot(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.officer, .analyst, .admin, .auditor)
        let region = request.query("region") ?? p.regionKato
        let dir = try await store.directory()
        guard dir.region(region) != nil else { throw AqylError.invalid("region", "unknown region \(region)", code: "unknown_region") }
        guard dir.isWithin(region, scope: p.regionKato) else { throw AqylError.forbidden("region \(region) is outside your scope (\(p.regionKato))") }
        if let m = request.query("month"), (try? AssistanceService.parseDay(m + "-01", field: "month")) == nil {
            throw AqylError.invalid("month", "month must look like 2026-11")
        }
        return try JSON.response(["rows": try await service.pilotStatistics(scope: region, month: request.query("month"))])
    }

    @Sendable func listFigures(_ request: Request, context: AqylRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        struct Out: Encodable { var figures: [RegionQuarterFigures]; var settings: RuleSettingsView }
        return try JSON.response(Out(figures: try await service.allFigures(), settings: RuleSettingsView(try await service.ruleSettings())))
    }

    struct FiguresInput: APIInput {
        var region: String
        var quarter: String
        var medianIncome: Double?
        var subsistenceMinimum: Double
        var source: String
        enum CodingKeys: String, CodingKey, CaseIterable {
            case region, quarter, source
            case medianIncome = "median_income", subsistenceMinimum = "subsistence_minimum"
        }
    }

    @Sendable func putFigures(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.admin)
        let input = try await JSON.decode(FiguresInput.self, from: request, context: context)
        let source = input.source.trimmingCharacters(in: .whitespaces)
        guard !source.isEmpty, source.count <= 500 else { throw AqylError.invalid("source", "source must name where the figures come from (1–500 characters)") }
        try p.requireScope(input.region, in: try await store.directory())
        let figures = RegionQuarterFigures(region: input.region, quarter: try Quarter(input.quarter), medianIncome: input.medianIncome,
                                           subsistenceMinimum: input.subsistenceMinimum, source: source)
        try await service.putFigures(figures, actor: p.username)
        return try JSON.response(figures)
    }

    @Sendable func model(_ request: Request, context: AqylRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        let m = try await service.activeModel()
        return try JSON.response(m.card)
    }
}

struct RuleSettingsView: Encodable {
    var medianShare: Double
    var subsistenceShare: Double
    var excludedSources: [String]
    var childSupplement: Double
    var childSupplementAges: [Int]
    init(_ s: RuleSettings) {
        medianShare = s.medianShare
        subsistenceShare = s.subsistenceShare
        excludedSources = s.excludedSources.map(\.rawValue).sorted()
        childSupplement = s.childSupplement
        childSupplementAges = [s.childSupplementAges.lowerBound, s.childSupplementAges.upperBound]
    }
}

/// An application as the officer sees it (IINs masked).
struct ApplicationView: Encodable {
    struct MemberView: Encodable {
        var iin: String?
        var age: Int
        var sex: String
        var relation: String
        var disabilityGroup: Int
        var employment: String
        var education: String
        var student: Bool
        var pregnant: Bool
    }
    var id: String
    var recommendationId: String
    var householdId: String
    var districtKato: String
    var appliedOn: String
    var status: String
    var members: [MemberView]
    var incomes: [IncomeRecord]
    var assets: Assets
    var housing: Housing
    var rule: RuleResult
    var ruleRecommends: String
    var model: ModelOpinion
    var submittedBy: String
    var createdAt: Date
    var decision: DecisionView?
    /// What a decision must respect: a reason is needed when the outcome differs from these.
    var reasonRequiredUnless: [String]

    struct DecisionView: Encodable { var outcome: String; var reason: String?; var official: String; var decidedAt: Date }

    init(_ a: ASPApplication) {
        id = a.id
        recommendationId = a.recommendationId
        householdId = a.householdRef
        districtKato = a.districtKato
        appliedOn = a.appliedOn
        status = a.status
        members = a.household.members.map {
            MemberView(iin: $0.iin?.description, age: $0.age, sex: $0.sex.rawValue, relation: $0.relation.rawValue,
                       disabilityGroup: $0.disabilityGroup, employment: $0.employment.rawValue, education: $0.education.rawValue,
                       student: $0.student, pregnant: $0.pregnant)
        }
        incomes = a.household.incomes
        assets = a.household.assets
        housing = a.household.housing
        rule = a.rule
        ruleRecommends = a.ruleRecommends
        model = a.model
        submittedBy = a.submittedBy
        createdAt = a.createdAt
        if let by = a.decidedBy, let at = a.decidedAt {
            decision = DecisionView(outcome: a.status == "approved" ? "approve" : "reject", reason: a.decisionReason, official: by, decidedAt: at)
        }
        reasonRequiredUnless = Array(Set([a.ruleRecommends, a.model.recommends])).count == 1 ? [a.ruleRecommends] : []
    }
}

/// One line of the district queue: no member details.
struct QueueItem: Encodable {
    var id: String
    var householdId: String
    var districtKato: String
    var appliedOn: String
    var status: String
    var members: Int
    var ruleRecommends: String
    var incomePerPerson: Double
    var povertyLine: Double
    var modelRecommends: String
    var modelProbability: Double
    var modelVersion: String
    var agree: Bool
    init(_ a: ASPApplication) {
        id = a.id
        householdId = a.householdRef
        districtKato = a.districtKato
        appliedOn = a.appliedOn
        status = a.status
        members = a.household.members.count
        ruleRecommends = a.ruleRecommends
        incomePerPerson = a.rule.incomePerPerson
        povertyLine = a.rule.povertyLine
        modelRecommends = a.model.recommends
        modelProbability = a.model.probability
        modelVersion = a.model.version
        agree = a.ruleRecommends == a.model.recommends
    }
}

/// What the applicant is told: the decision, what counted, the figures, and how to appeal. No other person's data.
struct ApplicantSummary: Encodable {
    var applicationId: String
    var language: String
    var status: String
    var decision: String?
    var decisionReason: String?
    var decidedBy: String?
    var decidedAt: Date?
    var quarterAssessed: String
    var members: Int
    var countedIncome: Double
    var excludedIncome: Double
    var incomePerPerson: Double
    var povertyLine: Double
    var lineBasis: String
    var eligibleUnderRule: Bool
    var estimatedMonthlyBenefit: Double
    var figuresSource: String
    var arithmetic: [String]
    var advisoryModel: AdvisoryPart
    var text: String
    var appeal: String

    struct AdvisoryPart: Encodable {
        var version: String
        var probability: Double
        var note: String
        var mainFactors: [String]
    }

    init(_ a: ASPApplication, language: String) {
        applicationId = a.id
        self.language = language
        status = a.status
        decision = a.decidedBy == nil ? nil : (a.status == "approved" ? "approve" : "reject")
        decisionReason = a.decisionReason
        decidedBy = a.decidedBy
        decidedAt = a.decidedAt
        let r = a.rule
        quarterAssessed = r.quarterAssessed.description
        members = r.members
        countedIncome = r.countedIncome
        excludedIncome = r.excludedIncome
        incomePerPerson = r.incomePerPerson
        povertyLine = r.povertyLine
        lineBasis = r.lineBasis
        eligibleUnderRule = r.eligible
        estimatedMonthlyBenefit = r.monthlyBenefit
        figuresSource = r.figuresSource
        arithmetic = r.steps
        func money(_ x: Double) -> String { String(format: "%.0f", x) }
        let factors = a.model.reasons.prefix(3).map { reason -> String in
            let label = language == "kk" ? reason.labelKk : language == "ru" ? reason.labelRu : reason.labelEn
            return "\(label): \(reason.value)"
        }
        advisoryModel = AdvisoryPart(
            version: a.model.version, probability: a.model.probability,
            note: language == "kk" ? "Модель тек кеңес береді; шешімді лауазымды тұлға қабылдайды."
                : language == "ru" ? "Модель только советует; решение принимает должностное лицо."
                : "The model only advises; an official decides.",
            mainFactors: Array(factors))
        let q = r.quarterAssessed.description
        switch language {
        case "kk":
            text = "\(q) тоқсанындағы отбасы табысы \(money(r.countedIncome)) теңге, \(r.members) адамға және 3 айға бөлгенде бір адамға айына \(money(r.incomePerPerson)) теңге. Кедейлік шегі \(money(r.povertyLine)) теңге. "
                + (r.eligible ? "Табыс шектен төмен: ереже бойынша отбасы АӘК алуға құқылы." : "Табыс шектен төмен емес: ереже бойынша отбасы АӘК алуға құқылы емес.")
            appeal = "Шешімге жоғары тұрған органға немесе сотқа шағымдануға болады (ҚР Әкімшілік рәсімдік-процестік кодексі). Өтініш нөмірі: \(a.id)."
        case "ru":
            text = "Доход семьи за \(q) — \(money(r.countedIncome)) тенге; на \(r.members) чел. и 3 месяца это \(money(r.incomePerPerson)) тенге на человека в месяц. Черта бедности — \(money(r.povertyLine)) тенге. "
                + (r.eligible ? "Доход ниже черты: по правилу семья имеет право на АСП." : "Доход не ниже черты: по правилу семья не имеет права на АСП.")
            appeal = "Решение можно обжаловать в вышестоящем органе или в суде (Административный процедурно-процессуальный кодекс РК). Номер заявления: \(a.id)."
        default:
            text = "Household income in \(q): \(money(r.countedIncome)) tenge; over \(r.members) people and 3 months that is \(money(r.incomePerPerson)) tenge per person a month. Poverty line: \(money(r.povertyLine)) tenge. "
                + (r.eligible ? "Income is below the line: under the rule the household qualifies for ASP." : "Income is not below the line: under the rule the household does not qualify for ASP.")
            appeal = "The decision can be appealed to the higher authority or in court (Administrative Procedural and Process Code). Application number: \(a.id)."
        }
    }
}
