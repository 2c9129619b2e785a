import Foundation

/// The benchmark's relevance rule (bench/README.md): tokens are maximal runs of letters and digits of the
/// lower-cased text (Python `[^\W_]+`, no other folding); a passage is a hit for a question when
/// Σ_t min(count_gold(t), count_passage(t)) ≥ 0.5 × (number of gold-evidence tokens).
public enum BenchmarkRule {
    /// Lower-cased letter/digit runs, as Python's `re.findall(r"[^\W_]+", text.lower())`.
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var cur = String.UnicodeScalarView()
        for s in text.lowercased().unicodeScalars {
            if isAlnum(s) {
                cur.append(s)
            } else if !cur.isEmpty {
                out.append(String(cur))
                cur = String.UnicodeScalarView()
            }
        }
        if !cur.isEmpty { out.append(String(cur)) }
        return out
    }

    /// Python's `str.isalnum()` for one code point: letters (L*) and numbers (Nd, Nl, No).
    static func isAlnum(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Token counts of a text.
    public static func bag(_ text: String) -> [String: Int] {
        var b: [String: Int] = [:]
        for t in tokens(text) { b[t, default: 0] += 1 }
        return b
    }

    /// Whether `passage` is a hit for the gold evidence `gold` (given as its token bag).
    public static func isHit(gold: [String: Int], passage: String) -> Bool {
        let total = gold.values.reduce(0, +)
        guard total > 0 else { return false }
        let p = bag(passage)
        var overlap = 0
        for (t, c) in gold { overlap += min(c, p[t] ?? 0) }
        return Double(overlap) >= 0.5 * Double(total)
    }
}

/// Retrieval and refusal figures over a question set.
public struct LegalMetrics: Sendable, Codable, Equatable {
    public var questions: Int
    public var answerable: Int
    public var unanswerable: Int
    public var hitAt1: Double
    public var mrrAt10: Double
    public var recallAt5: Double
    public var recallAt10: Double
    /// Share of unanswerable questions refused.
    public var refusedUnanswerable: Double
    /// Share of answerable questions refused.
    public var refusedAnswerable: Double
    /// Share of answerable questions answered with a top-1 hit.
    public var answeredCorrectly: Double
    public var threshold: Double
    public var medianMilliseconds: Double
    public var p95Milliseconds: Double
}

/// One question's outcome.
public struct QuestionOutcome: Sendable {
    public var id: String
    public var answerable: Bool
    /// Rank (1-based) of the first hit in the list, nil when none in it.
    public var firstHit: Int?
    public var confidence: Double
    public var milliseconds: Double
    public var features: RefusalFeatures
}

public enum LegalEvaluator {
    /// Outcomes for questions that carry gold evidence / answerability.
    public static func outcomes(_ questions: [LegalCSV.Question], retriever: LegalRetriever, refusal: RefusalModel,
                                top: Int = 10, vectors: [String: [Float]] = [:]) throws -> [QuestionOutcome] {
        var out: [QuestionOutcome] = []
        for q in questions {
            let r = try retriever.search(q.text, top: top, queryVector: vectors[q.id])
            let answerable = q.answerable ?? !(q.goldEvidence ?? "").isEmpty
            var first: Int?
            if answerable, let g = q.goldEvidence, !g.isEmpty {
                let gold = BenchmarkRule.bag(g)
                for (k, s) in r.ranked.enumerated() where BenchmarkRule.isHit(gold: gold, passage: retriever.index.text(s.chunk)) {
                    first = k + 1
                    break
                }
            }
            let f = RefusalFeatures(r)
            out.append(QuestionOutcome(id: q.id, answerable: answerable, firstHit: first, confidence: refusal.confidence(f),
                                       milliseconds: r.milliseconds, features: f))
        }
        return out
    }

    public static func metrics(_ o: [QuestionOutcome], threshold: Double) -> LegalMetrics {
        let ans = o.filter(\.answerable)
        let un = o.filter { !$0.answerable }
        func share(_ xs: [QuestionOutcome], _ p: (QuestionOutcome) -> Bool) -> Double { xs.isEmpty ? 0 : Double(xs.filter(p).count) / Double(xs.count) }
        let mrr = ans.isEmpty ? 0 : ans.reduce(0.0) { $0 + (($1.firstHit.map { $0 <= 10 ? 1 / Double($0) : 0 }) ?? 0) } / Double(ans.count)
        let times = o.map(\.milliseconds).sorted()
        func pct(_ p: Double) -> Double { times.isEmpty ? 0 : times[min(times.count - 1, Int((Double(times.count - 1) * p).rounded()))] }
        return LegalMetrics(questions: o.count, answerable: ans.count, unanswerable: un.count,
                            hitAt1: share(ans) { $0.firstHit == 1 }, mrrAt10: mrr, recallAt5: share(ans) { ($0.firstHit ?? 99) <= 5 },
                            recallAt10: share(ans) { ($0.firstHit ?? 99) <= 10 },
                            refusedUnanswerable: share(un) { $0.confidence < threshold }, refusedAnswerable: share(ans) { $0.confidence < threshold },
                            answeredCorrectly: share(ans) { $0.confidence >= threshold && $0.firstHit == 1 }, threshold: threshold,
                            medianMilliseconds: pct(0.5), p95Milliseconds: pct(0.95))
    }
}
