import AqylCore
import Foundation

/// The figures the rule needs for one region and quarter, as the akimat and the statistics bureau publish them.
public struct RegionQuarterFigures: Sendable, Codable, Equatable {
    /// KATO code of the region (or city of republican significance).
    public var region: String
    public var quarter: Quarter
    /// Median monthly income per person, tenge (nil when not published: the line then rests on the subsistence minimum).
    public var medianIncome: Double?
    /// Regional subsistence minimum per person per month, tenge.
    public var subsistenceMinimum: Double
    /// Where these figures come from.
    public var source: String

    public init(region: String, quarter: Quarter, medianIncome: Double?, subsistenceMinimum: Double, source: String) {
        self.region = region
        self.quarter = quarter
        self.medianIncome = medianIncome
        self.subsistenceMinimum = subsistenceMinimum
        self.source = source
    }
}

/// Settings of the rule that are law or policy, not data: shares, exclusions, supplements.
public struct RuleSettings: Sendable, Codable, Equatable {
    /// Share of the median income in the poverty line (0.35).
    public var medianShare: Double
    /// Share of the subsistence minimum in the poverty line (0.70).
    public var subsistenceShare: Double
    /// Income sources the akimat has declared not to count (e.g. livestock, land plots).
    public var excludedSources: Set<IncomeRecord.Source>
    /// Monthly supplement per child aged `childSupplementAges`, tenge.
    public var childSupplement: Double
    public var childSupplementAges: ClosedRange<Int>

    public init(medianShare: Double = 0.35, subsistenceShare: Double = 0.70, excludedSources: Set<IncomeRecord.Source> = [],
                childSupplement: Double = 0, childSupplementAges: ClosedRange<Int> = 1...6) {
        self.medianShare = medianShare
        self.subsistenceShare = subsistenceShare
        self.excludedSources = excludedSources
        self.childSupplement = childSupplement
        self.childSupplementAges = childSupplementAges
    }
}

/// The rule's answer for one household, with every figure it used, so an officer and an applicant can check it.
public struct RuleResult: Sendable, Codable, Equatable {
    public var eligible: Bool
    public var quarterAssessed: Quarter
    public var members: Int
    public var countedIncome: Double
    public var excludedIncome: Double
    public var incomePerPerson: Double
    public var povertyLine: Double
    /// Which term set the line: `median` or `subsistence`.
    public var lineBasis: String
    /// Estimated monthly benefit: (line − income per person) × members, plus child supplements. 0 when not eligible.
    public var monthlyBenefit: Double
    public var childrenSupplemented: Int
    /// The arithmetic, one step per line, in plain words.
    public var steps: [String]
    public var figuresSource: String
}

public enum StatutoryRule {
    /// Applies the rule: average monthly income per person over the quarter before the application, compared
    /// with the poverty line max(medianShare × median income, subsistenceShare × subsistence minimum).
    public static func evaluate(_ household: Household, appliedOn date: Date, figures: RegionQuarterFigures,
                                settings: RuleSettings) throws(AqylError) -> RuleResult {
        guard !household.members.isEmpty else { throw .invalid("members", "a household needs at least one member") }
        let quarter = Quarter.containing(date).previous
        let months = Set(quarter.months)
        var counted = 0.0
        var excluded = 0.0
        var bySource: [IncomeRecord.Source: Double] = [:]
        for (i, inc) in household.incomes.enumerated() {
            guard inc.amount.isFinite, inc.amount >= 0 else {
                throw .invalid("incomes[\(i)].amount", "income must be a non-negative number of tenge")
            }
            guard months.contains(inc.month) else { continue }
            if settings.excludedSources.contains(inc.source) { excluded += inc.amount } else {
                counted += inc.amount
                bySource[inc.source, default: 0] += inc.amount
            }
        }
        let n = household.members.count
        let perPerson = counted / Double(n) / 3
        let medianTerm = figures.medianIncome.map { $0 * settings.medianShare }
        let subsistenceTerm = figures.subsistenceMinimum * settings.subsistenceShare
        let line = max(medianTerm ?? 0, subsistenceTerm)
        let basis = (medianTerm ?? 0) > subsistenceTerm ? "median" : "subsistence"
        let eligible = perPerson < line
        let children = household.members.filter { settings.childSupplementAges.contains($0.age) }.count
        let benefit = eligible ? (line - perPerson) * Double(n) + Double(children) * settings.childSupplement : 0

        func t(_ x: Double) -> String { String(format: "%.2f", x) }
        var steps: [String] = []
        steps.append("Quarter assessed: \(quarter) (\(quarter.months.joined(separator: ", "))), the quarter before the application.")
        let sources = bySource.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \(t($0.value))" }
        steps.append("Income counted: \(t(counted)) tenge" + (sources.isEmpty ? "" : " (\(sources.joined(separator: ", ")))") + ".")
        if excluded > 0 {
            steps.append("Income not counted (declared exclusions: \(settings.excludedSources.map(\.rawValue).sorted().joined(separator: ", "))): \(t(excluded)) tenge.")
        }
        steps.append("Income per person per month: \(t(counted)) ÷ \(n) members ÷ 3 months = \(t(perPerson)) tenge.")
        if let m = figures.medianIncome, let mt = medianTerm {
            steps.append("\(Int(settings.medianShare * 100))% of the median income \(t(m)) = \(t(mt)) tenge.")
        }
        steps.append("\(Int(settings.subsistenceShare * 100))% of the subsistence minimum \(t(figures.subsistenceMinimum)) = \(t(subsistenceTerm)) tenge.")
        steps.append("Poverty line for \(figures.region), \(figures.quarter): the greater, \(t(line)) tenge (\(basis)).")
        steps.append(eligible
            ? "\(t(perPerson)) < \(t(line)): the household is below the poverty line and qualifies."
            : "\(t(perPerson)) ≥ \(t(line)): the household is not below the poverty line.")
        if eligible {
            steps.append("Benefit: (\(t(line)) − \(t(perPerson))) × \(n) = \(t((line - perPerson) * Double(n))) tenge a month"
                         + (children > 0 && settings.childSupplement > 0
                            ? ", plus \(children) × \(t(settings.childSupplement)) for children aged \(settings.childSupplementAges.lowerBound)–\(settings.childSupplementAges.upperBound) = \(t(benefit)) tenge."
                            : "."))
        }
        return RuleResult(eligible: eligible, quarterAssessed: quarter, members: n, countedIncome: counted, excludedIncome: excluded,
                          incomePerPerson: perPerson, povertyLine: line, lineBasis: basis, monthlyBenefit: benefit,
                          childrenSupplemented: eligible ? children : 0, steps: steps, figuresSource: figures.source)
    }
}
