import AqylML
import Testing
@testable import Appeals

@Suite struct RetrainingTests {
    @Test func correctionsBecomeRowsAndNewColumns() {
        let base = TextLabeledTable(texts: ["a", "b"], labelNames: ["offline_crime", "drugs"], targets: [[1, 0], [0, 1]])
        let merged = TriageRetraining.merge(base: base, corrections: [
            (text: "учитель берёт взятки", topics: [.corruption]),
            (text: "избили и отобрали наркотики", topics: [.violence, .drugs]),
        ])
        #expect(merged.labelNames == ["offline_crime", "drugs", "corruption"])
        #expect(merged.texts.count == 4)
        #expect(merged.targets[0] == [1, 0, 0])
        #expect(merged.targets[2] == [0, 0, 1])
        #expect(merged.targets[3] == [1, 1, 0])
        let card = TriageRetraining.modelCard(modelPath: "m.json", baseRows: 2, corrections: [(text: "x", topics: [.corruption])],
                                              labels: merged.labelNames, scores: nil)
        #expect(card.contains("not learned"))
        #expect(card.contains("`corruption`: 1 positive"))
    }

    @Test func classifierTopicsMapOntoTheTaxonomy() throws {
        let texts = ["купил наркотики у закладчика", "продают наркотики в подъезде", "закладки с наркотой во дворе",
                     "избил прохожего на улице", "драка и грабеж у магазина", "ограбили и избили соседа"]
        let targets: [[Float]] = [[0, 1], [0, 1], [0, 1], [1, 0], [1, 0], [1, 0]]
        var options = TextClassifierOptions()
        options.calibrationFolds = 0
        options.thresholdObjective = .fixed
        options.features.minDocumentFrequency = 1
        options.features.hashBits = 14
        let model = try TextClassifier.train(texts: texts, targets: targets, labels: ["offline_crime", "drugs"], options: options)
        let r = AppealTriage(classifier: model).run(text: "в подъезде продают наркотики", category: .appeal)
        #expect(r.topics.contains(.drugs))
        #expect(r.hits.contains { $0.source == "model" && $0.evidence == "drugs" })
        #expect(r.modelName == "appeals-triage")
        #expect(r.modelVersion.hasSuffix("+rules-1"))
    }
}
