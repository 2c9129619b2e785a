import AqylCore
import AqylKit
import AqylML
import Assistance
import ArgumentParser
import Foundation

/// `aqyl assistance`: the ASP domain's data-science commands.
struct AssistanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistance", abstract: "Social assistance (ASP): train, evaluate and install the eligibility model; pilot statistics; proactive screening.",
        subcommands: [Train.self, Evaluate.self, ExportFeatures.self, Synth.self, Install.self, PilotReport.self, Screen.self])

    /// " (95% interval 0.672–0.748)" after a macro-F1 figure, or nothing when the evaluation has no interval.
    static func interval(_ e: Evaluation) -> String {
        e.macroF1Interval.map { String(format: " (95%% interval %.3f–%.3f)", $0[0], $0[1]) } ?? ""
    }

    static func readHouseholds(data: String, schema: MemberSchema, requireTarget: Bool, expected: [String]? = nil) throws -> HouseholdTable {
        let csv: CSVReader
        do { csv = try CSVReader(path: data) } catch { throw CLIError(error.description) }
        do {
            let hh = try HouseholdAggregator.aggregate(csv: csv, schema: schema, requireTarget: requireTarget,
                                                       expectedFeatures: expected)
            for issue in hh.rejected { stderr("\(data): \(issue)") }
            stderr("\(data): \(hh.ids.count) households, \(hh.rejected.count) rows/households rejected (listed above)")
            return hh
        } catch let e as AqylError {
            throw CLIError(e.description)
        }
    }

    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the eligibility forest on member-level data; writes the model and its model card (MODEL.card.md).")
        @Option(help: "Member-level CSV, one row per person.") var data: String
        @Option(help: "Schema JSON describing the file (see schemas/).") var schema: String
        @Option(help: "Where to write the model.") var out: String
        @Option(help: "Number of trees.") var trees = 300
        @Option(help: "Random seed (split and forest).") var seed: UInt64 = 42
        @Option(help: "Minimum households per leaf (the default was chosen by cross-validation on the training part of the Costa Rica data, see Benchmarks/assistance/cv_swift.sh).") var minLeaf = EligibilityModel.Options().minLeaf
        @Option(help: "Calibration and threshold from out-of-bag probabilities (out-of-bag, default) or a held-out 20% of the training part (held-out).")
        var calibration = "out-of-bag"
        @Flag(inversion: .prefixedNo, help: "Fit min leaf 1, 2, 4, 8 × sqrt or 30% of features per split and keep the best by out-of-bag macro-F1 (8 forests; the test part is never used). Off by default: one forest with --min-leaf, which scored better in cross-validation.")
        var select = false

        func run() async throws {
            guard let cal = EligibilityModel.Options.Calibration(rawValue: calibration) else {
                throw ValidationError("--calibration must be out-of-bag or held-out")
            }
            let schema: MemberSchema
            do { schema = try MemberSchema.load(path: self.schema) } catch let e as AqylError { throw CLIError(e.description) }
            let hh = try AssistanceCommand.readHouseholds(data: data, schema: schema, requireTarget: true)
            var options = EligibilityModel.Options()
            options.trees = trees
            options.seed = seed
            options.minLeaf = minLeaf
            options.calibration = cal
            if select {
                options.selectFrom = [1, 2, 4, 8].flatMap { leaf in [(leaf, MaxFeatures.sqrt), (leaf, MaxFeatures.fraction(0.3))] }
            }
            let model: EligibilityModel
            do {
                model = try EligibilityModel.train(households: hh, schema: schema, options: options,
                                                   dataDescription: (schema.description ?? schema.name) + " File: \(URL(fileURLWithPath: data).lastPathComponent).",
                                                   progress: { stderr($0) })
            } catch let e as AqylError { throw CLIError(e.description) }
            try model.save(to: out)
            try model.card.markdown.write(toFile: out + ".card.md", atomically: true, encoding: .utf8)
            let t = model.card.test
            print("model \(model.name) \(model.version) → \(out) (card: \(out).card.md)")
            print(String(format: "test households %d: accuracy %.3f, binary macro-F1 %.3f", t.nHouseholds, t.accuracy, t.macroF1)
                  + AssistanceCommand.interval(t)
                  + String(format: ", exclusion error %.3f, inclusion error %.3f", t.exclusionError ?? .nan, t.inclusionError ?? .nan)
                  + (model.card.fourClassMacroF1.map { String(format: ", 4-class macro-F1 %.3f", $0) } ?? ""))
        }
    }

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Score a labelled member-level file with a trained model.")
        @Option(help: "A model written by `aqyl assistance train`.") var model: String
        @Option(help: "Member-level CSV with the target column.") var data: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let model: EligibilityModel
            do { model = try EligibilityModel.load(path: self.model) } catch let e as AqylError { throw CLIError(e.description) }
            let hh = try AssistanceCommand.readHouseholds(data: data, schema: model.schema, requireTarget: true, expected: model.featureNames)
            let ev: Evaluation
            do { ev = try model.evaluate(hh) } catch let e as AqylError { throw CLIError(e.description) }
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.sortedKeys]
                print(String(decoding: try e.encode(ev), as: UTF8.self))
            } else {
                print(String(format: "households %d: accuracy %.3f, macro-F1 %.3f", ev.nHouseholds, ev.accuracy, ev.macroF1)
                      + AssistanceCommand.interval(ev)
                      + String(format: ", exclusion error %.3f, inclusion error %.3f", ev.exclusionError ?? .nan, ev.inclusionError ?? .nan))
            }
        }
    }

    struct ExportFeatures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-features",
            abstract: "Write the household feature table with the train/calibration/test split `train` uses (for reference runs).")
        @Option(help: "Member-level CSV.") var data: String
        @Option(help: "Schema JSON.") var schema: String
        @Option(help: "Where to write the CSV.") var out: String
        @Option(help: "Seed (same as train's).") var seed: UInt64 = 42

        func run() async throws {
            let schema: MemberSchema
            do { schema = try MemberSchema.load(path: self.schema) } catch let e as AqylError { throw CLIError(e.description) }
            let hh = try AssistanceCommand.readHouseholds(data: data, schema: schema, requireTarget: true)
            guard let raw = hh.target, let target = schema.target else { throw CLIError("no target") }
            let eligible = raw.map { target.eligible.contains($0) ? "1" : "0" }
            let opts = EligibilityModel.Options()
            let (trainAll, test) = EligibilityModel.stratifiedSplit(labels: eligible, share: opts.testShare, seed: seed)
            let (_, cal) = EligibilityModel.stratifiedSplit(labels: trainAll.map { eligible[$0] }, share: opts.calibrationShare, seed: seed &+ 1)
            var split = [String](repeating: "fit", count: hh.ids.count)
            for r in test { split[r] = "test" }
            for r in cal { split[trainAll[r]] = "calibration" }
            var lines = [(["household", "split", "target", "eligible"] + hh.table.featureNames).joined(separator: ",")]
            for r in hh.ids.indices {
                var cells = [hh.ids[r], split[r], raw[r], eligible[r]]
                for c in hh.table.columns {
                    let v = c.values[r]
                    if v.isNaN { cells.append("") } else if c.kind.isCategorical { cells.append(CSVWriter.escape(c.kind.levels[Int(v)])) } else { cells.append(String(v)) }
                }
                lines.append(cells.joined(separator: ","))
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(hh.ids.count) households × \(hh.table.columnCount) features to \(out)")
        }
    }

    struct Synth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write SYNTHETIC Kazakhstan households as a member-level CSV (schemas/kazakhstan.json layout; no real people).")
        @Option(help: "Number of households.") var households = 10_000
        @Option(help: "Where to write the CSV.") var out: String
        @Option(help: "Random seed.") var seed: UInt64 = 2026
        @Option(help: "Quarter whose incomes are generated, e.g. 2026Q3.") var quarter = "2026Q3"
        @Option(help: "Comma-separated region KATO codes (all regions when empty).") var regions = ""

        func run() async throws {
            guard households > 0, households <= 50_000_000 else { throw ValidationError("--households must be 1–50,000,000") }
            let q: Quarter
            do { q = try Quarter(quarter, field: "quarter") } catch { throw ValidationError(error.description) }
            let list = regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for r in list where SyntheticPopulation.populationWeights[r] == nil {
                throw ValidationError("unknown region \(r); use the 9-digit KATO code of a region or city of republican significance")
            }
            let pop = SyntheticPopulation(seed: seed, quarter: q, regions: list)
            let started = Date()
            let total = households
            var last = Date.distantPast
            try pop.write(count: households, to: out) { done in
                if Date().timeIntervalSince(last) > 2 || done == total {
                    stderr("synth: \(done)/\(total) households (\(Int(Double(done) / Double(total) * 100))%)")
                    last = Date()
                }
            }
            print(String(format: "wrote %d SYNTHETIC households to %@ in %.1f s", households, out, Date().timeIntervalSince(started)))
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a trained model in the database and make it the one the officer workflow uses (audited).")
        @OptionGroup var db: DatabaseOption
        @Option(help: "A model written by `aqyl assistance train`.") var model: String
        @Option(help: "Who installs it (recorded in the audit log; default: cli:$USER).") var actor: String?

        func run() async throws {
            let m: EligibilityModel
            do { m = try EligibilityModel.load(path: model) } catch let e as AqylError { throw CLIError(e.description) }
            let who = actor ?? Settings.operatorName
            try await withPlatform(db) { platform in
                let service = try platform.module(AssistanceModule.self).service
                try await service.seedFigures()
                try await service.install(m, actor: who)
            }
            print("installed \(m.name) \(m.version) as the active ASP model")
        }
    }

    struct PilotReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pilot-report",
            abstract: "Agreement and override rates between the model, the rule and officers, by district, model version and month.")
        @OptionGroup var db: DatabaseOption
        @Option(help: "Region or district KATO code (default: the whole country).") var region = Region.centreCode
        @Option(help: "Only this month, YYYY-MM.") var month: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let rows = try await withPlatform(db) { platform in
                try await platform.module(AssistanceModule.self).service.pilotStatistics(scope: region, month: month)
            }
            if json { try printJSON(["rows": rows]); return }
            func pct(_ x: Double?) -> String { x.map { String(format: "%5.1f%%", $0 * 100) } ?? "    – " }
            print("district    month    model version          apps  pend  dec  agree-model  override-model  agree-rule  approved")
            for r in rows {
                print("\(r.districtKato)  \(r.month)  \(r.modelVersion.padding(toLength: 21, withPad: " ", startingAt: 0))  \(String(format: "%4d  %4d  %3d", r.applications, r.pending, r.decided))       \(pct(r.modelAgreementRate))          \(pct(r.modelOverrideRate))      \(pct(r.ruleAgreementRate))    \(pct(r.approvalRate))  \(r.districtName)")
            }
            if rows.isEmpty { print("(no applications in \(region)\(month.map { " for \($0)" } ?? ""))") }
        }
    }

    struct Screen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score every household of a registry and list likely-eligible ones that have not applied (proactive assignment).")
        @Option(help: "Member-level registry CSV in the model's schema (rows of a household together; column `applied` = 1 marks an existing application).")
        var registry: String
        @Option(help: "A model written by `aqyl assistance train`.") var model: String
        @Option(help: "Where to write the candidates CSV.") var out: String
        @Option(help: "Probability threshold (default: the model's own).") var threshold: Double?
        @Option(help: "Top reasons per candidate (path attribution along each tree's decision path).") var reasons = 3
        @Option(help: "Worker threads (default: all cores).") var threads: Int?

        func run() async throws {
            let m: EligibilityModel
            do { m = try EligibilityModel.load(path: model) } catch let e as AqylError { throw CLIError(e.description) }
            if let t = threshold, !(0...1).contains(t) { throw ValidationError("--threshold must be between 0 and 1") }
            guard (0...10).contains(reasons) else { throw ValidationError("--reasons must be 0–10") }
            var options = Screening.Options()
            options.threshold = threshold
            options.reasons = reasons
            if let threads { options.threads = max(1, threads) }
            let summary: Screening.Summary
            do {
                summary = try Screening.run(registry: registry, model: m, out: out, options: options, progress: { stderr($0) })
            } catch let e as AqylError { throw CLIError(e.description) }
            for issue in summary.rejected { stderr("\(registry): \(issue)") }
            if summary.rejectedCount > summary.rejected.count {
                stderr("\(registry): … and \(summary.rejectedCount - summary.rejected.count) more rejected rows")
            }
            print(String(format: "screened %d households (%d member rows) in %.2f s, peak memory %.0f MB; %d already applied; %d candidates (probability ≥ %.2f, model %@) → %@; %d rows rejected",
                         summary.households, summary.memberRows, summary.seconds, summary.peakMemoryMB, summary.alreadyApplied,
                         summary.candidates, summary.threshold, summary.modelVersion, out, summary.rejectedCount))
        }
    }
}
