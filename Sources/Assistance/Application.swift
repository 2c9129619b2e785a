import AqylCore
import Foundation

/// What the rule, the model or an officer says about an application.
public enum ASPOutcome: String, Sendable, Codable, CaseIterable {
    case approve, reject

    public init(eligible: Bool) { self = eligible ? .approve : .reject }
}

/// Where an application stands: pending in its district's queue until a named official decides.
public enum ApplicationStatus: String, Sendable, Codable, CaseIterable {
    case pending, approved, rejected

    public init(decision: ASPOutcome) { self = decision == .approve ? .approved : .rejected }

    /// The decision behind a decided status.
    public var decision: ASPOutcome? {
        switch self {
        case .pending: nil
        case .approved: .approve
        case .rejected: .reject
        }
    }
}

/// One reason behind the model's probability, with labels in Kazakh, Russian and English.
public struct LabelledReason: Sendable, Codable, Equatable {
    public var feature: String
    public var labelKk: String
    public var labelRu: String
    public var labelEn: String
    public var value: String
    /// Signed contribution to the probability of eligibility.
    public var contribution: Double

    public func label(_ language: String) -> String { language == "kk" ? labelKk : language == "ru" ? labelRu : labelEn }
}

/// The model's second opinion on one application.
public struct ModelOpinion: Sendable, Codable, Equatable {
    public var name: String
    public var version: String
    /// Calibrated probability that the household is eligible.
    public var probability: Double
    public var threshold: Double
    public var recommends: ASPOutcome
    public var reasons: [LabelledReason]
}

/// An ASP application as the domain keeps it. The stored household carries no IIN (the head's pseudonym is kept
/// instead); an application just submitted still holds the IINs it arrived with, for the answer to the submitter.
public struct ASPApplication: Sendable, Codable, Equatable {
    public var id: String
    public var recommendationId: String
    public var householdRef: String
    public var districtKato: String
    public var appliedOn: String
    public var status: ApplicationStatus
    public var household: Household
    public var headPseudonym: String?
    public var rule: RuleResult
    /// What the rule alone says.
    public var ruleRecommends: ASPOutcome
    public var model: ModelOpinion
    public var submittedBy: String
    public var createdAt: Date
    public var decidedBy: String?
    public var decisionReason: String?
    public var decidedAt: Date?

    /// The outcomes a decision can take without a written reason: only one that agrees with both the rule and the
    /// model (none when they disagree with each other).
    public var reasonRequiredUnless: [ASPOutcome] { ruleRecommends == model.recommends ? [ruleRecommends] : [] }

    /// What a decision with `outcome` disagrees with, in words (empty when it agrees with both).
    public func disagreements(with outcome: ASPOutcome) -> [String] {
        var out: [String] = []
        if outcome != ruleRecommends { out.append("the statutory rule ('\(ruleRecommends.rawValue)')") }
        if outcome != model.recommends { out.append("the model ('\(model.recommends.rawValue)')") }
        return out
    }
}

/// Agreement between the model, the rule and the officers for one district, model version and month.
public struct PilotRow: Sendable, Codable, Equatable {
    public var districtKato: String
    public var districtName: String
    public var modelVersion: String
    /// Month the application was submitted, `YYYY-MM` (UTC+5).
    public var month: String
    public var applications: Int
    public var pending: Int
    public var decided: Int
    public var agreedWithModel: Int
    public var overrodeModel: Int
    public var agreedWithRule: Int
    public var overrodeRule: Int
    public var modelAgreementRate: Double?
    public var modelOverrideRate: Double?
    public var ruleAgreementRate: Double?
    /// Share of decided applications the officer approved.
    public var approvalRate: Double?

    /// Builds a row from counts; the rates follow from them.
    public init(districtKato: String, districtName: String, modelVersion: String, month: String, counts: PilotCounts) {
        self.districtKato = districtKato
        self.districtName = districtName
        self.modelVersion = modelVersion
        self.month = month
        applications = counts.applications
        pending = counts.pending
        decided = counts.applications - counts.pending
        agreedWithModel = counts.agreedWithModel
        overrodeModel = decided - counts.agreedWithModel
        agreedWithRule = counts.agreedWithRule
        overrodeRule = decided - counts.agreedWithRule
        if decided > 0 {
            let d = Double(decided)
            modelAgreementRate = Double(agreedWithModel) / d
            modelOverrideRate = Double(overrodeModel) / d
            ruleAgreementRate = Double(agreedWithRule) / d
            approvalRate = Double(counts.approved) / d
        }
    }
}

/// Raw counts for one district, model version and month (what the repository aggregates).
public struct PilotCounts: Sendable, Equatable {
    public var districtKato: String
    public var modelVersion: String
    public var month: String
    public var applications = 0
    public var pending = 0
    public var agreedWithModel = 0
    public var agreedWithRule = 0
    public var approved = 0

    public init(districtKato: String, modelVersion: String, month: String) {
        self.districtKato = districtKato
        self.modelVersion = modelVersion
        self.month = month
    }

    /// Adds one application (the in-memory repository's way; SQL sums the same conditions).
    public mutating func add(_ a: ASPApplication) {
        applications += 1
        guard let officer = a.status.decision else { pending += 1; return }
        if officer == a.model.recommends { agreedWithModel += 1 }
        if officer == a.ruleRecommends { agreedWithRule += 1 }
        if officer == .approve { approved += 1 }
    }
}

/// A stored model: the serialized forest and its card.
public struct StoredModel: Sendable, Equatable {
    public var version: String
    public var name: String
    /// Base64 of the model file.
    public var data: String
    /// The model card as JSON.
    public var card: String
    public var installedAt: Date
    public var installedBy: String
}
