import Foundation

/// One reason behind a score: a feature, how it reads to a person, and how much it moved the score.
public struct Reason: Sendable, Codable, Equatable {
    public var feature: String
    /// Plain words, in the language of the request where available.
    public var label: String
    /// Signed contribution to the score (positive pushes towards the recommended outcome).
    public var contribution: Double
    public var value: String?

    public init(feature: String, label: String, contribution: Double, value: String? = nil) {
        self.feature = feature
        self.label = label
        self.contribution = contribution
        self.value = value
    }
}

/// What the machine advises. It stays `pending` until a named official decides.
public struct Recommendation: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, decided }

    public var id: String
    /// What the recommendation is about: an application, report or account reference (not an IIN).
    public var subject: String
    /// The domain word: `assistance`, `appeals`, `vision`, ...
    public var domain: String
    public var modelName: String
    public var modelVersion: String
    /// Model score in [0, 1] (probability of `outcome` being right).
    public var score: Double
    /// The outcome the model recommends, e.g. `approve`, `reject`, `escalate`.
    public var outcome: String
    public var reasons: [Reason]
    /// SHA-256 of the exact input the model scored, so the score can be reproduced.
    public var inputDigest: String
    public var regionKato: String
    public var createdAt: Date
    public var status: Status
    /// Keyed pseudonym of the person concerned, when there is one (never the IIN itself).
    public var subjectPseudonym: String?

    public init(id: String = UUID().uuidString.lowercased(), subject: String, domain: String, modelName: String,
                modelVersion: String, score: Double, outcome: String, reasons: [Reason], inputDigest: String,
                regionKato: String, createdAt: Date, status: Status = .pending, subjectPseudonym: String? = nil) {
        self.id = id
        self.subject = subject
        self.domain = domain
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.score = score
        self.outcome = outcome
        self.reasons = reasons
        self.inputDigest = inputDigest
        self.regionKato = regionKato
        self.createdAt = createdAt
        self.status = status
        self.subjectPseudonym = subjectPseudonym
    }

    /// Checks the fields a caller supplies; throws naming the first bad one.
    public func validate() throws(AqylError) {
        func nonEmpty(_ v: String, _ f: String, max: Int = 200) throws(AqylError) {
            try v.checkText(f, max: max)
        }
        try nonEmpty(subject, "subject")
        try nonEmpty(domain, "domain", max: 40)
        try nonEmpty(modelName, "model_name")
        try nonEmpty(modelVersion, "model_version", max: 80)
        try nonEmpty(outcome, "outcome", max: 40)
        guard score.isFinite, (0...1).contains(score) else {
            throw .invalid("score", "score must be a number between 0 and 1")
        }
        guard reasons.count <= 50 else { throw .invalid("reasons", "at most 50 reasons") }
        for (i, r) in reasons.enumerated() where !r.contribution.isFinite {
            throw .invalid("reasons[\(i)].contribution", "contribution must be a finite number")
        }
        try Region.validateCode(regionKato, field: "region")
        try nonEmpty(inputDigest, "input_digest", max: 128)
    }
}

/// What a named official decided about a recommendation.
public struct Decision: Sendable, Codable, Equatable {
    public var id: String
    public var recommendationId: String
    /// User id of the official.
    public var officialId: String
    public var officialName: String
    public var outcome: String
    /// Required when `outcome` differs from the recommendation's.
    public var reason: String?
    public var agrees: Bool
    public var decidedAt: Date

    public init(id: String = UUID().uuidString.lowercased(), recommendationId: String, officialId: String,
                officialName: String, outcome: String, reason: String?, agrees: Bool, decidedAt: Date) {
        self.id = id
        self.recommendationId = recommendationId
        self.officialId = officialId
        self.officialName = officialName
        self.outcome = outcome
        self.reason = reason
        self.agrees = agrees
        self.decidedAt = decidedAt
    }

    /// Builds a decision on `recommendation`, enforcing the rule: disagreeing needs a reason.
    public static func make(on recommendation: Recommendation, by official: Principal, outcome: String,
                            reason: String?, at time: Date) throws(AqylError) -> Decision {
        guard recommendation.status == .pending else {
            throw AqylError(.conflict, code: "already_decided", "this recommendation has already been decided")
        }
        try outcome.checkText("outcome", max: 40)
        if let r = reason, r.codePointCount > 4000 { throw .invalid("reason", "reason is longer than 4000 characters") }
        let outcome = outcome.trimmingCharacters(in: .whitespaces)
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        let agrees = outcome == recommendation.outcome
        if !agrees && (reason ?? "").isBlank {
            throw AqylError(.unprocessable, code: "reason_required",
                            "a reason is required when the decision ('\(outcome)') differs from the recommendation ('\(recommendation.outcome)')",
                            field: "reason")
        }
        return Decision(recommendationId: recommendation.id, officialId: official.userId,
                        officialName: official.username, outcome: outcome,
                        reason: (reason?.isEmpty ?? true) ? nil : reason, agrees: agrees, decidedAt: time)
    }
}

/// Agreement between a model version and the officials who decided on its recommendations.
public struct AdvisoryStatistics: Sendable, Codable, Equatable {
    public var domain: String
    public var modelName: String
    public var modelVersion: String
    public var total: Int
    public var pending: Int
    public var decided: Int
    public var agreed: Int
    public var overridden: Int
    /// agreed / decided; nil before the first decision.
    public var agreementRate: Double?
    public var overrideRate: Double?

    public init(domain: String, modelName: String, modelVersion: String, total: Int, pending: Int, agreed: Int, overridden: Int) {
        self.domain = domain
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.total = total
        self.pending = pending
        self.decided = agreed + overridden
        self.agreed = agreed
        self.overridden = overridden
        self.agreementRate = decided > 0 ? Double(agreed) / Double(decided) : nil
        self.overrideRate = decided > 0 ? Double(overridden) / Double(decided) : nil
    }
}
