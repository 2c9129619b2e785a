/// Precision, recall and F1 of one label.
public struct TextLabelScore: Sendable, Codable, Equatable {
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var support: Int
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int

    enum CodingKeys: String, CodingKey {
        case precision, recall, f1, support
        case truePositives = "tp"
        case falsePositives = "fp"
        case falseNegatives = "fn"
    }

    public init(tp: Int, fp: Int, fn: Int) {
        truePositives = tp
        falsePositives = fp
        falseNegatives = fn
        support = tp + fn
        precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
        recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
        f1 = 2 * tp + fp + fn > 0 ? Double(2 * tp) / Double(2 * tp + fp + fn) : 0
    }
}

/// Multi-label scores: micro and macro averages (scikit-learn conventions, zero_division = 0)
/// and per-label scores.
public struct TextMultiLabelScores: Sendable, Codable, Equatable {
    public var n: Int
    public var microF1: Double
    public var microPrecision: Double
    public var microRecall: Double
    public var macroF1: Double
    public var labels: [String: TextLabelScore]
    public var labelOrder: [String]

    enum CodingKeys: String, CodingKey {
        case n
        case microF1 = "micro_f1"
        case microPrecision = "micro_precision"
        case microRecall = "micro_recall"
        case macroF1 = "macro_f1"
        case labels
        case labelOrder = "label_order"
    }

    /// `truth[row][label]` and `predicted[row][label]`.
    public init(labelNames: [String], truth: [[Bool]], predicted: [[Bool]]) {
        precondition(truth.count == predicted.count)
        n = truth.count
        var tp = [Int](repeating: 0, count: labelNames.count)
        var fp = tp
        var fn = tp
        for (t, p) in zip(truth, predicted) {
            for l in labelNames.indices {
                if t[l] && p[l] { tp[l] += 1 } else if p[l] { fp[l] += 1 } else if t[l] { fn[l] += 1 }
            }
        }
        var map: [String: TextLabelScore] = [:]
        var macro = 0.0
        for (l, name) in labelNames.enumerated() {
            let s = TextLabelScore(tp: tp[l], fp: fp[l], fn: fn[l])
            map[name] = s
            macro += s.f1
        }
        let all = TextLabelScore(tp: tp.reduce(0, +), fp: fp.reduce(0, +), fn: fn.reduce(0, +))
        labels = map
        labelOrder = labelNames
        microF1 = all.f1
        microPrecision = all.precision
        microRecall = all.recall
        macroF1 = labelNames.isEmpty ? 0 : macro / Double(labelNames.count)
    }
}
