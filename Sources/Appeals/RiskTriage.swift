import AqylCore
import AqylML
import Foundation

/// Aqyl's risk taxonomy for citizen reports and appeals.
public enum RiskTopic: String, Sendable, Codable, CaseIterable {
    case violence
    case threatToLife = "threat_to_life"
    case drugs
    case weapons
    case terrorism
    case trafficking
    case fraud
    case gambling
    case sexualExploitation = "sexual_exploitation"
    case suicideRisk = "suicide_risk"
    case hateSpeech = "hate_speech"
    /// No labelled data yet: keyword rules only (`KeywordRules`).
    case corruption
    /// No labelled data yet: keyword rules only (`KeywordRules`).
    case bullying

    public static func parse(_ raw: String, field: String) throws(AqylError) -> RiskTopic {
        guard let t = RiskTopic(rawValue: raw) else {
            throw .invalid(field, "unknown risk topic '\(raw.prefix(40))'; one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return t
    }

    /// How the 18 topics of the `sensitive_topics` training data (Skoltech, Russian) map onto the taxonomy.
    /// Topics that are not a risk to a person (politics, religion, social injustice) map to nothing: they are
    /// opinions, not incidents. A model trained by `aqyl triage retrain` on officers' corrections may also have
    /// columns named after taxonomy entries (e.g. `corruption`); those map to themselves.
    public static let modelLabelMap: [String: [RiskTopic]] = [
        "offline_crime": [.violence],
        "online_crime": [.fraud],
        "drugs": [.drugs],
        "gambling": [.gambling],
        "pornography": [.sexualExploitation],
        "prostitution": [.sexualExploitation],
        "slavery": [.trafficking],
        "suicide": [.suicideRisk, .threatToLife],
        "terrorism": [.terrorism, .threatToLife],
        "weapons": [.weapons],
        "body_shaming": [.hateSpeech],
        "health_shaming": [.hateSpeech],
        "racism": [.hateSpeech],
        "sexism": [.hateSpeech],
        "sexual_minorities": [.hateSpeech],
        "politics": [],
        "religion": [],
        "social_injustice": [],
    ]

    public static func topics(forModelLabel label: String) -> [RiskTopic] {
        if let mapped = modelLabelMap[label] { return mapped }
        return RiskTopic(rawValue: label).map { [$0] } ?? []
    }

    /// The model label an officer's correction trains (`aqyl triage retrain`): the taxonomy entry's main source
    /// label, or a new column named after the entry when no source label exists (corruption, bullying, ...).
    public var trainingLabel: String {
        switch self {
        case .violence: "offline_crime"
        case .fraud: "online_crime"
        case .drugs: "drugs"
        case .gambling: "gambling"
        case .sexualExploitation: "prostitution"
        case .trafficking: "slavery"
        case .suicideRisk: "suicide"
        case .terrorism: "terrorism"
        case .weapons: "weapons"
        case .threatToLife, .hateSpeech, .corruption, .bullying: rawValue
        }
    }
}

/// Transparent keyword rules for taxonomy entries that have no labelled training data (corruption, bullying).
/// They are rules, not learned: each pattern is a sequence of word stems; a pattern fires when consecutive words
/// of the normalised text begin with its stems in order. Text is normalised by `TextNormalizer` with Latin-script
/// Kazakh always transliterated to Cyrillic and `ё` → `е`, so `para berdi` (Latin Kazakh) matches `пара бер`.
/// Kazakh letters are kept (not folded), so Russian `пара` ("a pair") alone never fires: Kazakh "bribe" needs a
/// verb stem after it (`пара бер-`, `пара ал-`, `пара сұра-`, `пара талап`).
public struct KeywordRules: Sendable {
    public struct Rule: Sendable, Equatable {
        public var topic: RiskTopic
        public var language: String
        /// Space-separated stems, e.g. `"пара бер"`.
        public var pattern: String
    }

    public let rules: [Rule]
    let normalizer = TextNormalizer(foldKazakhLetters: false, latinKazakh: .always)

    public init(rules: [Rule] = KeywordRules.shipped) { self.rules = rules }

    public static let shipped: [Rule] = {
        func r(_ t: RiskTopic, _ lang: String, _ patterns: [String]) -> [Rule] {
            patterns.map { Rule(topic: t, language: lang, pattern: $0) }
        }
        return
            // Corruption, Russian: bribe, bribe-taker, kickback, corruption, bribing, extortion, "on the paw",
            // nepotism, abuse of office, "magarych" (a bribe in kind).
            r(.corruption, "ru", ["взятк", "взяточ", "откат", "коррупц", "подкуп", "вымога", "на лапу", "кумовств",
                                  "злоупотребл полномоч", "превыш полномоч", "магарыч"])
            // Corruption, Kazakh: bribe-taker, corrupt (жемқор), corruption (сыбайлас жемқорлық), give/take/ask a bribe.
            + r(.corruption, "kk", ["парақор", "жемқор", "сыбайлас", "пара бер", "пара ал", "пара сұра", "пара талап",
                                    "қызмет бабын теріс"])
            // Bullying, Russian: bullying, harassment (травля), mocking, humiliating, "gnobit", teasing, cyberbullying.
            + r(.bullying, "ru", ["буллинг", "булинг", "кибербулл", "травл", "затравил", "издева", "унижа", "гноб",
                                  "дразн", "шпыня"])
            // Bullying, Kazakh: bullying, humiliate (қорла-), mock (мазақ), ridicule (келеке), oppress (қудала-).
            + r(.bullying, "kk", ["қорла", "мазақ", "келеке", "қудала", "кемсіт"])
    }()

    public struct Match: Sendable, Equatable, Codable {
        public var topic: RiskTopic
        public var pattern: String
        public var language: String
        /// The words of the text that matched.
        public var matched: String
    }

    /// Every rule that fires on `text`, in rule order, at most once per rule.
    public func matches(_ text: String) -> [Match] {
        let scalars = normalizer.normalizedScalars(text)
        let words = TextTokenizer.wordRanges(scalars).map { String(String.UnicodeScalarView(scalars[$0])) }
        var out: [Match] = []
        for rule in rules {
            let stems = rule.pattern.split(separator: " ").map(String.init)
            guard !stems.isEmpty, words.count >= stems.count else { continue }
            for start in 0...(words.count - stems.count) {
                if zip(stems.indices, stems).allSatisfy({ words[start + $0].hasPrefix($1) }) {
                    out.append(Match(topic: rule.topic, pattern: rule.pattern, language: rule.language,
                                     matched: words[start..<(start + stems.count)].joined(separator: " ")))
                    break
                }
            }
        }
        return out
    }
}

/// One report's triage: which risk topics fired and why. Advice for the officer, never an action.
public struct TriageResult: Sendable, Codable, Equatable {
    public struct Hit: Sendable, Codable, Equatable {
        public var topic: RiskTopic
        /// `model`, `keyword` or `category`.
        public var source: String
        /// The model label or keyword pattern behind it.
        public var evidence: String
        /// Model probability; 1 for keyword and category hits (rules have no probability).
        public var score: Double
    }

    public var topics: [RiskTopic]
    public var hits: [Hit]
    public var modelName: String
    public var modelVersion: String
    /// `flag_risk` when any topic fired, else `no_risk`.
    public var outcome: String
    public var score: Double
}

/// Runs keyword rules and, when configured, the text classifier over a report's description.
public struct AppealTriage: Sendable {
    public let classifier: TextClassifier?
    public let rules: KeywordRules
    /// The classifier's model version: the first 12 hex digits of its training data's SHA-256.
    public let classifierVersion: String?

    public static let rulesVersion = "rules-1"

    public init(classifier: TextClassifier?, rules: KeywordRules = KeywordRules()) {
        self.classifier = classifier
        self.rules = rules
        self.classifierVersion = classifier.map { c in
            let sha = c.info.dataSHA256
            return "text-\(sha.isEmpty ? "unversioned" : String(sha.prefix(12)))-\(c.info.rows)rows"
        }
    }

    /// Loads the model at `path` when given; a model trained with word vectors finds them in
    /// `wordVectorDirectories` (the caller's configuration first, then `.embeddings` in the working directory, the
    /// executable's directory and their parents).
    public static func load(modelPath: String?,
                            wordVectorDirectories: [String] = TextWordVectors.searchDirectories()) throws -> AppealTriage {
        guard let modelPath else { return AppealTriage(classifier: nil) }
        do {
            return AppealTriage(classifier: try TextClassifier.load(from: modelPath, wordVectorDirectories: wordVectorDirectories))
        } catch {
            throw AqylError(.badRequest, code: "triage_model_unreadable", "cannot load triage model \(modelPath): \(error)",
                            field: "AQYL_TRIAGE_MODEL")
        }
    }

    public func run(text: String, category: AppealCategory) -> TriageResult {
        var hits: [TriageResult.Hit] = []
        var maxP: Double = 0
        if category == .domesticViolence {
            hits.append(.init(topic: .violence, source: "category", evidence: category.rawValue, score: 1))
        }
        if let classifier {
            let probs = classifier.probabilities(text)
            maxP = Double(probs.max() ?? 0)
            let on = classifier.decide(probabilities: probs)
            for (i, label) in classifier.labels.enumerated() where on[i] {
                for t in RiskTopic.topics(forModelLabel: label) {
                    hits.append(.init(topic: t, source: "model", evidence: label, score: Double(probs[i])))
                }
            }
        }
        for m in rules.matches(text) {
            hits.append(.init(topic: m.topic, source: "keyword", evidence: "\(m.language): \(m.pattern)", score: 1))
        }
        var topics: [RiskTopic] = []
        for h in hits where !topics.contains(h.topic) { topics.append(h.topic) }
        let modelName = classifier == nil ? "appeals-keyword-rules" : "appeals-triage"
        let version = [classifierVersion, Self.rulesVersion].compactMap { $0 }.joined(separator: "+")
        let score: Double
        if hits.isEmpty {
            // No topic fired: confidence in "no risk" is 1 − the highest model probability (1 with rules only).
            score = 1 - maxP
        } else {
            score = hits.map(\.score).max() ?? 1
        }
        return TriageResult(topics: topics, hits: hits, modelName: modelName, modelVersion: version,
                            outcome: hits.isEmpty ? "no_risk" : "flag_risk", score: min(1, max(0, score)))
    }
}
