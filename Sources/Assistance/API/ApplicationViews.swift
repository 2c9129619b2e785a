import AqylCore
import Foundation

// What officers and applicants are shown of an application: the officer's full view (IINs masked), a queue line
// without member details, and the applicant's letter in Kazakh, Russian or English.

public struct RuleSettingsView: Encodable, Sendable {
    var medianShare: Double
    var subsistenceShare: Double
    var excludedSources: [String]
    var childSupplement: Double
    var childSupplementAges: [Int]
    public init(_ s: RuleSettings) {
        medianShare = s.medianShare
        subsistenceShare = s.subsistenceShare
        excludedSources = s.excludedSources.map(\.rawValue).sorted()
        childSupplement = s.childSupplement
        childSupplementAges = [s.childSupplementAges.lowerBound, s.childSupplementAges.upperBound]
    }
}

/// An application as the officer sees it (IINs masked).
public struct ApplicationView: Encodable, Sendable {
    public struct MemberView: Encodable, Sendable {
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
    var status: ApplicationStatus
    var members: [MemberView]
    var incomes: [IncomeRecord]
    var assets: Assets
    var housing: Housing
    var rule: RuleResult
    var ruleRecommends: ASPOutcome
    var model: ModelOpinion
    var submittedBy: String
    var createdAt: Date
    var decision: DecisionView?
    /// What a decision must respect: a reason is needed when the outcome differs from these.
    var reasonRequiredUnless: [ASPOutcome]

    public struct DecisionView: Encodable, Sendable { var outcome: ASPOutcome; var reason: String?; var official: String; var decidedAt: Date }

    public init(_ a: ASPApplication) {
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
        if let by = a.decidedBy, let at = a.decidedAt, let outcome = a.status.decision {
            decision = DecisionView(outcome: outcome, reason: a.decisionReason, official: by, decidedAt: at)
        }
        reasonRequiredUnless = a.reasonRequiredUnless
    }
}

/// One line of the district queue: no member details.
public struct QueueItem: Encodable, Sendable {
    var id: String
    var householdId: String
    var districtKato: String
    var appliedOn: String
    var status: ApplicationStatus
    var members: Int
    var ruleRecommends: ASPOutcome
    var incomePerPerson: Double
    var povertyLine: Double
    var modelRecommends: ASPOutcome
    var modelProbability: Double
    var modelVersion: String
    var agree: Bool
    public init(_ a: ASPApplication) {
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
public struct ApplicantSummary: Encodable, Sendable {
    var applicationId: String
    var language: String
    var status: ApplicationStatus
    var decision: ASPOutcome?
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

    public struct AdvisoryPart: Encodable, Sendable {
        var version: String
        var probability: Double
        var note: String
        var mainFactors: [String]
    }

    public init(_ a: ASPApplication, language: String) {
        applicationId = a.id
        self.language = language
        status = a.status
        decision = a.decidedBy == nil ? nil : a.status.decision
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
            "\(reason.label(language)): \(reason.value)"
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
