import AqylML
import Foundation

/// Turns officers' topic corrections into training rows for `aqyl triage retrain`.
public enum TriageRetraining {
    /// The base table plus one row per correction. Each corrected topic sets its `trainingLabel` to 1; a topic
    /// whose training label is not yet a column (corruption, bullying, threat_to_life, hate_speech) adds that
    /// column, 0 for every base row, so corrections become the first labelled data for it.
    public static func merge(base: TextLabeledTable, corrections: [(text: String, topics: [RiskTopic])]) -> TextLabeledTable {
        var labels = base.labelNames
        for c in corrections {
            for t in c.topics where !labels.contains(t.trainingLabel) { labels.append(t.trainingLabel) }
        }
        let extra = labels.count - base.labelNames.count
        var texts = base.texts
        var targets = base.targets.map { $0 + [Float](repeating: 0, count: extra) }
        for c in corrections {
            var row = [Float](repeating: 0, count: labels.count)
            for t in c.topics { if let i = labels.firstIndex(of: t.trainingLabel) { row[i] = 1 } }
            texts.append(c.text)
            targets.append(row)
        }
        return TextLabeledTable(texts: texts, labelNames: labels, targets: targets,
                                sha256: base.sha256 + "+\(corrections.count)corrections")
    }

    /// A short model card for a retrained triage model.
    public static func modelCard(modelPath: String, baseRows: Int, corrections: [(text: String, topics: [RiskTopic])],
                                 labels: [String], scores: TextMultiLabelScores?) -> String {
        var positives: [String: Int] = [:]
        for c in corrections { for t in c.topics { positives[t.trainingLabel, default: 0] += 1 } }
        var s = """
            # Model card: appeals triage text classifier

            Model file: `\(modelPath)`. Trained by `aqyl triage retrain` on \(baseRows) rows of the base data plus \
            \(corrections.count) officers' corrections (each correction is the report's text with the topics the officer confirmed).

            Labels (\(labels.count)): \(labels.joined(separator: ", ")). They map onto Aqyl's risk taxonomy as set out in
            `RiskTopic.modelLabelMap` (Sources/Appeals/RiskTriage.swift).

            ## Corruption and bullying

            The base data (`sensitive_topics`, Russian) has **no labels for corruption or bullying**. In production these two
            taxonomy entries are flagged by **transparent keyword rules in Russian and Kazakh** (`KeywordRules`, listed in
            Sources/Appeals/RiskTriage.swift), **not learned**. Officers' corrections supply the first labels:

            """
        for label in ["corruption", "bullying"] {
            s += "- `\(label)`: \(positives[label] ?? 0) positive corrections\(labels.contains(label) ? " (column trained; too few rows to trust until evaluated on held-out corrections)" : " (no column yet)")\n"
        }
        s += "\nThe keyword rules stay on beside the model either way: the triage reports which source (model, keyword, category) fired.\n"
        if let scores {
            s += String(format: "\n## Out-of-fold scores\n\nmicro-F1 %.4f, macro-F1 %.4f over %d rows.\n", scores.microF1, scores.macroF1, scores.n)
        }
        s += "\nThe model advises; a named officer decides on every report, and disagreement needs a written reason.\n"
        return s
    }
}
