import Foundation

/// Ranking and threshold metrics for a rare positive class (droppers).
public enum FraudMetrics {
    /// Average precision (area under the precision–recall curve, as scikit-learn's `average_precision_score`):
    /// Σ (Rₙ − Rₙ₋₁) Pₙ over score thresholds, tied scores taken together. NaN without positives.
    public static func averagePrecision(scores: [Double], truth: [Bool]) -> Double {
        let pos = truth.filter { $0 }.count
        guard pos > 0, scores.count == truth.count else { return .nan }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0, fp = 0, ap = 0.0, lastRecall = 0.0
        var i = 0
        while i < order.count {
            let s = scores[order[i]]
            var j = i
            while j < order.count && scores[order[j]] == s {
                if truth[order[j]] { tp += 1 } else { fp += 1 }
                j += 1
            }
            let recall = Double(tp) / Double(pos), precision = Double(tp) / Double(tp + fp)
            ap += (recall - lastRecall) * precision
            lastRecall = recall
            i = j
        }
        return ap
    }

    /// Area under the ROC curve (Mann–Whitney, ties count half). NaN unless both classes occur.
    public static func rocAUC(scores: [Double], truth: [Bool]) -> Double {
        let pos = truth.filter { $0 }.count, neg = truth.count - pos
        guard pos > 0, neg > 0, scores.count == truth.count else { return .nan }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j < order.count && scores[order[j]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j + 1) / 2  // mean 1-based rank of the tie block
            for k in i..<j where truth[order[k]] { rankSum += rank }
            i = j
        }
        return (rankSum - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
    }

    /// Precision, recall and F1 of the positive class at `score >= threshold`.
    public static func f1(scores: [Double], truth: [Bool], threshold: Double) -> (precision: Double, recall: Double, f1: Double) {
        var tp = 0, fp = 0, fn = 0
        for (s, t) in zip(scores, truth) {
            if s >= threshold { if t { tp += 1 } else { fp += 1 } } else if t { fn += 1 }
        }
        let p = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
        let r = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
        return (p, r, p + r > 0 ? 2 * p * r / (p + r) : 0)
    }

    /// The score threshold with the best F1 (ties: the higher threshold, i.e. fewer accounts flagged).
    public static func bestF1Threshold(scores: [Double], truth: [Bool]) -> Double {
        let pos = truth.filter { $0 }.count
        guard pos > 0 else { return 0.5 }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0, fp = 0, best = (f1: -1.0, t: 0.5)
        var i = 0
        while i < order.count {
            let s = scores[order[i]]
            var j = i
            while j < order.count && scores[order[j]] == s {
                if truth[order[j]] { tp += 1 } else { fp += 1 }
                j += 1
            }
            let p = Double(tp) / Double(tp + fp), r = Double(tp) / Double(pos)
            let f = p + r > 0 ? 2 * p * r / (p + r) : 0
            if f > best.f1 + 1e-12 { best = (f, s) }
            i = j
        }
        return best.t
    }

    /// Share of positives among the `k` highest scores.
    public static func precisionAtK(scores: [Double], truth: [Bool], k: Int) -> Double {
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        let top = order.prefix(k)
        return top.isEmpty ? .nan : Double(top.filter { truth[$0] }.count) / Double(top.count)
    }
}

/// Errors of a flagged/not-flagged decision within one group (a bank, or everything).
public struct GroupErrors: Sendable, Codable, Equatable {
    public var accounts: Int
    public var droppers: Int
    public var flagged: Int
    /// Droppers not flagged / droppers.
    public var missRate: Double?
    /// Flagged accounts that are not droppers / flagged.
    public var falseFlagRate: Double?

    public init(truth: [Bool], flagged: [Bool]) {
        accounts = truth.count
        droppers = truth.filter { $0 }.count
        self.flagged = flagged.filter { $0 }.count
        let missed = zip(truth, flagged).filter { $0.0 && !$0.1 }.count
        let wrong = zip(truth, flagged).filter { !$0.0 && $0.1 }.count
        missRate = droppers > 0 ? Double(missed) / Double(droppers) : nil
        falseFlagRate = self.flagged > 0 ? Double(wrong) / Double(self.flagged) : nil
    }

    enum CodingKeys: String, CodingKey {
        case accounts, droppers, flagged
        case missRate = "miss_rate", falseFlagRate = "false_flag_rate"
    }
}

/// A model's figures on one labelled graph.
public struct DropperEvaluation: Sendable, Codable, Equatable {
    public var graph: String
    public var nAccounts: Int
    public var nDroppers: Int
    public var prAUC: Double
    public var rocAUC: Double
    /// F1 of the dropper class at the model's threshold.
    public var f1: Double
    public var precision: Double
    public var recall: Double
    public var threshold: Double
    /// Share of droppers among the 100 highest scores (a day's investigator queue).
    public var precisionAt100: Double
    /// Errors by the account's bank; empty where the feed has no banks (AMLSim).
    public var byBank: [String: GroupErrors]
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case graph, threshold, precision, recall, f1, notes
        case nAccounts = "n_accounts", nDroppers = "n_droppers", prAUC = "pr_auc", rocAUC = "roc_auc"
        case precisionAt100 = "precision_at_100", byBank = "by_bank"
    }

    /// Figures of `scores` against `truth` (rows where the label is known).
    public static func compute(graph: String, scores: [Double], truth: [Bool], threshold: Double, banks: [String?]) -> DropperEvaluation {
        let (p, r, f) = FraudMetrics.f1(scores: scores, truth: truth, threshold: threshold)
        var byBank: [String: ([Bool], [Bool])] = [:]
        for i in scores.indices {
            guard let b = banks[i] else { continue }
            byBank[b, default: ([], [])].0.append(truth[i])
            byBank[b, default: ([], [])].1.append(scores[i] >= threshold)
        }
        var notes: [String] = []
        if byBank.isEmpty { notes.append("the graph has no banks (AMLSim has neither banks nor regions): errors by bank cannot be reported") }
        return DropperEvaluation(
            graph: graph, nAccounts: scores.count, nDroppers: truth.filter { $0 }.count,
            prAUC: FraudMetrics.averagePrecision(scores: scores, truth: truth), rocAUC: FraudMetrics.rocAUC(scores: scores, truth: truth),
            f1: f, precision: p, recall: r, threshold: threshold,
            precisionAt100: FraudMetrics.precisionAtK(scores: scores, truth: truth, k: 100),
            byBank: byBank.mapValues { GroupErrors(truth: $0.0, flagged: $0.1) }, notes: notes)
    }
}
