import AqylCore
import AqylML
import Assistance
import ArgumentParser
import Foundation

/// `aqyl assistance`: the ASP domain's data-science commands.
struct AssistanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistance", abstract: "Social assistance (ASP): train and evaluate the eligibility model.",
        subcommands: [Train.self, Evaluate.self, ExportFeatures.self])

    static func readHouseholds(data: String, schema: MemberSchema, requireTarget: Bool, expected: [String]? = nil) throws -> HouseholdTable {
        let text: String
        do { text = try String(contentsOfFile: data, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(data) as UTF-8 text")
        }
        do {
            let hh = try HouseholdAggregator.aggregate(csvText: text, file: data, schema: schema, requireTarget: requireTarget,
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
        @Option(help: "Minimum households per leaf.") var minLeaf = 2

        func run() async throws {
            let schema: MemberSchema
            do { schema = try MemberSchema.load(path: self.schema) } catch let e as AqylError { throw CLIError(e.description) }
            let hh = try AssistanceCommand.readHouseholds(data: data, schema: schema, requireTarget: true)
            var options = EligibilityModel.Options()
            options.trees = trees
            options.seed = seed
            options.minLeaf = minLeaf
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
            print(String(format: "test households %d: accuracy %.3f, binary macro-F1 %.3f, exclusion error %.3f, inclusion error %.3f",
                         t.nHouseholds, t.accuracy, t.macroF1, t.exclusionError ?? .nan, t.inclusionError ?? .nan)
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
                print(String(format: "households %d: accuracy %.3f, macro-F1 %.3f, exclusion error %.3f, inclusion error %.3f",
                             ev.nHouseholds, ev.accuracy, ev.macroF1, ev.exclusionError ?? .nan, ev.inclusionError ?? .nan))
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
                    if v.isNaN { cells.append("") } else if c.kind.isCategorical { cells.append(CSVReader.escape(c.kind.levels[Int(v)])) } else { cells.append(String(v)) }
                }
                lines.append(cells.joined(separator: ","))
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(hh.ids.count) households × \(hh.table.columnCount) features to \(out)")
        }
    }
}
