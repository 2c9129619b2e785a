import Appeals
import AqylCore
import AqylKit
import AqylML
import AqylStore
import ArgumentParser
import Foundation

/// `appeals`: control of citizen reports from the command line.
struct AppealsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appeals",
        abstract: "Citizen reports and appeals: escalate overdue reports, analytics per level.",
        subcommands: [Escalate.self, Analytics.self])

    /// The CLI acts as the system, at the centre.
    static let system = Principal(userId: "cli", username: "system", role: .admin, regionKato: Region.centreCode)

    struct Escalate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move every open report past its deadline one level up (district → region → centre); audited as 'system'.")
        @OptionGroup var db: DatabaseOption
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            try await withPlatform(db) { platform in
                let service = try platform.module(AppealsModule.self).service
                let moved = try await service.escalateOverdue(now: platform.core.clock.now())
                if json { try printJSON(["escalated": moved]) } else {
                    print("escalated \(moved.count) overdue report(s)")
                    for m in moved { print("  \(m.reportId): \(m.from) → \(m.to) (\(m.level.rawValue))") }
                }
            }
        }
    }

    struct Analytics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open, overdue, closed, median time to close and weekly risk topics for a node and its children (all categories).")
        @OptionGroup var db: DatabaseOption
        @Option(help: "KATO code of the node (default: the centre).") var region: String = Region.centreCode
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            do { try Region.validateCode(region, field: "--region") } catch { throw ValidationError(error.description) }
            try await withPlatform(db) { platform in
                let service = try platform.module(AppealsModule.self).service
                let a = try await service.analytics(reader: AppealsCommand.system, region: region, clearances: Set(Clearance.allCases))
                if json { try printJSON(a); return }
                func line(_ n: AppealsNodeStats) -> String {
                    "\(n.kato) \(n.name) [\(n.level.rawValue)]: open \(n.open), overdue \(n.overdue), closed \(n.closed), queued here \(n.queuedHere), median hours to close \(n.medianHoursToClose.map { String(format: "%.1f", $0) } ?? "-")"
                }
                print(line(a.node))
                for c in a.children where c.open + c.closed > 0 { print("  " + line(c)) }
                for w in a.topicTrends {
                    print("  week of \(w.weekStart): \(w.reports) reports; " + w.topics.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                }
            }
        }
    }
}

extension TriageCommand {
    /// `triage retrain`: the old model's options, its training data plus officers' stored corrections.
    public struct Retrain: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Retrain a triage model with officers' topic corrections from the database added as training rows; writes MODEL and MODEL.card.md.")

        @Option(help: "Model written by 'triage train' (its options are reused).") var model: String
        @Option(help: "The training CSV the old model was trained on (or a newer one with the same label columns).") var data: String
        @Option(help: "Where to write the new model.") var out: String
        @Option(help: "Label values of --data: binary or scores.") var labelValues: TriageLabelValues = .binary
        @OptionGroup var db: DatabaseOption

        public init() {}

        public func run() async throws {
            let old: TextClassifier
            do { old = try TextClassifier.load(from: model, wordVectorDirectories: wordVectorDirectories()) } catch { throw ValidationError("\(error)") }
            let base: TextLabeledTable
            do {
                base = try TextLabeledTable.load(
                    path: data, textColumn: old.info.textColumn, labelColumns: old.labels,
                    policy: labelValues == .binary ? .strictBinary : .scores(threshold: old.info.options.labelThreshold))
            } catch let e as CSVError { throw ValidationError(e.description) }
            let corrections = try await withPlatform(db) { platform in
                try await platform.module(AppealsModule.self).service.corrections(reader: Settings.operatorName)
            }
            let table = TriageRetraining.merge(base: base, corrections: corrections)
            triageLog("\(base.texts.count) base rows + \(corrections.count) corrections; labels: \(table.labelNames.joined(separator: ", "))")
            let progress = TriageProgress()
            var options = old.info.options
            options.calibrationFolds = min(options.calibrationFolds, table.texts.count)
            let trained = try TextClassifier.train(
                texts: table.texts, targets: table.targets, labels: table.labelNames, options: options,
                textColumn: old.info.textColumn, dataSHA256: table.sha256, dataFile: data,
                wordVectorDirectories: wordVectorDirectories(), progress: { progress.log($0) })
            try trained.save(to: out)
            let card = TriageRetraining.modelCard(modelPath: out, baseRows: base.texts.count, corrections: corrections,
                                                  labels: trained.labels, scores: trained.info.outOfFold)
            try card.write(toFile: out + ".card.md", atomically: true, encoding: .utf8)
            triageLog("wrote \(out) and \(out).card.md")
        }
    }
}
