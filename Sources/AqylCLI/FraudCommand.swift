import AqylKit
import AntiFraud
import AqylML
import ArgumentParser
import Foundation

/// `aqyl fraud`: the anti-fraud domain's commands (dropper model, follow the money, generator).
struct FraudCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fraud",
        abstract: "Anti-fraud: dropper (money-mule) model, follow-the-money tracing, synthetic graphs.",
        discussion: """
            Graphs are folders in the AMLSim layout (nodes.csv + transactions.csv) or the native bank feed \
            (accounts + transfers, CSV or JSON). Every score is a recommendation an investigator confirms.
            """,
        subcommands: [Train.self, Score.self, Evaluate.self, Trace.self, Generate.self, Features.self])
}

extension FraudCommand {
    /// Loads a graph, printing rejected rows and notes to standard error.
    static func load(_ path: String, quiet: Bool = false) throws -> LabeledGraph {
        let t0 = monotonicSeconds()
        let g: LabeledGraph
        do { g = try GraphIntake.load(path) } catch { throw CLIError(error.description) }
        for issue in g.intake.issues { stderr(issue.description) }
        if g.intake.issueCount > g.intake.issues.count {
            stderr("... and \(g.intake.issueCount - g.intake.issues.count) more rejected rows")
        }
        if !quiet { for note in g.intake.notes { stderr("\(g.graph.name): note: \(note)") } }
        stderr(String(format: "%@: %@ in %.2f s", g.graph.name, g.intake.summary, monotonicSeconds() - t0))
        return g
    }

    static func writeText(_ s: String, to path: String) throws {
        do { try s.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    struct Features: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dropper features of every account as CSV (account_id, label when known, features).")
        @Option(help: "Graph folder (AMLSim or native feed).") var graph: String
        @Option(help: "Output CSV.") var out: String

        func run() async throws {
            let lg = try FraudCommand.load(graph)
            let index = GraphIndex(lg.graph)
            let fm = DropperFeatures.compute(lg.graph, index: index)
            stderr(String(format: "index %.2f s, features %.2f s", index.buildSeconds, fm.seconds))
            var s = "account_id,label," + fm.names.joined(separator: ",") + "\n"
            for r in 0..<fm.rowCount {
                let a = Int(fm.accounts[r])
                s += lg.graph.accountIDs[a] + "," + (lg.labels.map { $0[a] >= 0 ? String($0[a]) : "" } ?? "")
                for c in fm.columns { s += "," + (c[r].isNaN ? "" : String(c[r])) }
                s += "\n"
            }
            try FraudCommand.writeText(s, to: out)
        }
    }

    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the dropper model on labelled graphs; writes MODEL and its model card MODEL.card.md.")
        @Option(help: "Training graph folders, comma-separated (AMLSim layout, or native feeds with a label column).") var graph: String
        @Option(help: "Where to write the model.") var out: String
        @Option(help: "Number of trees.") var trees = DropperModel.Options().trees
        @Option(help: "Random seed.") var seed: UInt64 = DropperModel.Options().seed
        @Option(help: "Minimum accounts per leaf.") var minLeaf = DropperModel.Options().minLeaf
        @Flag(help: "Weigh classes by their inverse frequency.") var balanced = false
        @Flag(help: "Try min leaf 1/3/5 × sqrt/30% features per split, keep the best out-of-bag PR-AUC on the training graphs (6 forests).")
        var select = false
        @Option(help: "Worker threads (default: all cores).") var threads: Int?

        func run() async throws {
            let dirs = graph.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !dirs.isEmpty else { throw ValidationError("--graph names no folder") }
            let graphs = try dirs.map { try FraudCommand.load($0) }
            var o = DropperModel.Options()
            o.trees = trees; o.seed = seed; o.minLeaf = minLeaf; o.balanced = balanced
            if let threads { o.threads = max(1, threads) }
            if select { o.select = DropperModel.Options.selectionGrid }
            let t0 = monotonicSeconds()
            let model: DropperModel
            do { model = try DropperModel.train(graphs: graphs, options: o, progress: { stderr($0) }) } catch {
                throw CLIError("\(error)")
            }
            do { try model.save(to: out) } catch { throw CLIError("cannot write \(out): \(error.localizedDescription)") }
            try FraudCommand.writeText(model.card.markdown, to: out + ".card.md")
            let e = model.card.outOfBag
            print("model dropper \(model.version) → \(out) (card: \(out).card.md) in \(String(format: "%.1f", monotonicSeconds() - t0)) s")
            print(String(format: "out-of-bag on %d training accounts: PR-AUC %.4f, ROC-AUC %.4f, F1 %.4f at threshold %.3f",
                         e.nAccounts, e.prAUC, e.rocAUC, e.f1, model.threshold))
        }
    }

    struct Score: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score every account of a graph: SCORES.csv with account_id,score,reasons.",
            discussion: """
                The score is the calibrated dropper probability. Reasons (the features that raised the score most, in \
                plain words, '; '-separated) are given for flagged accounts (score at or above the model's threshold): \
                exact TreeSHAP for the --shap-limit highest, path attribution beyond; other accounts get an empty field \
                unless --explain all. The graph's nodes.csv may lack isFraud and fraudStep.
                """)
        @Option(help: "Model file from `aqyl fraud train`.") var model: String
        @Option(help: "Graph folder (AMLSim or native feed).") var graph: String
        @Option(help: "Where to write the scores CSV.") var out: String
        @Option(help: "Language of the reasons: en, ru or kk.") var lang = "en"
        @Option(help: "Reasons per account.") var reasons = 3
        @Option(help: "Which accounts get reasons: flagged (default), all, none.") var explain = "flagged"
        @Option(help: "At most this many accounts get exact TreeSHAP reasons (the highest scores); the rest path attribution.") var shapLimit = 5000
        @Option(help: "Worker threads (default: all cores).") var threads: Int?

        func run() async throws {
            guard ["en", "ru", "kk"].contains(lang) else { throw ValidationError("--lang must be en, ru or kk") }
            guard ["flagged", "all", "none"].contains(explain) else { throw ValidationError("--explain must be flagged, all or none") }
            let threads = max(1, self.threads ?? defaultThreadCount())
            let t0 = monotonicSeconds()
            let m: DropperModel
            do { m = try DropperModel.load(path: model) } catch { throw CLIError("\(error)") }
            let lg = try FraudCommand.load(graph, quiet: true)
            let tLoad = monotonicSeconds()
            let g = lg.graph
            let index = GraphIndex(g, threads: threads)
            let fm = m.features(g, index: index, threads: threads)
            let tFeat = monotonicSeconds()
            let s: [Double]
            do { s = try m.scores(fm, threads: threads) } catch { throw CLIError("\(error)") }
            let tScore = monotonicSeconds()
            // Reasons.
            var wanted: [Int] = []
            switch explain {
            case "all": wanted = Array(s.indices)
            case "flagged": wanted = s.indices.filter { s[$0] >= m.threshold }
            default: break
            }
            wanted.sort { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
            let texts = UnsafeMutableBufferPointer<String>.allocate(capacity: s.count)
            texts.initialize(repeating: "")
            defer { texts.deinitialize(); texts.deallocate() }
            let shared = UncheckedBox(value: texts)
            let lang = self.lang, count = reasons, limit = shapLimit
            let failure = FailureBox()
            let order = wanted
            parallelFor(order.count, threads: threads) { k in
                let r = order[k]
                do {
                    let rs = try m.reasons(fm, row: r, count: count, language: lang, method: k < limit ? .treeSHAP : .path)
                    shared.value[r] = rs.map(\.text).joined(separator: "; ")
                } catch { failure.set("\(error)") }
            }
            if let f = failure.message { throw CLIError(f) }
            let tReasons = monotonicSeconds()
            var outBytes: [UInt8] = []
            outBytes.reserveCapacity(s.count * 24)
            outBytes += Array("account_id,score,reasons\n".utf8)
            for r in 0..<s.count {
                outBytes += Array(CSVWriter.escape(g.accountIDs[Int(fm.accounts[r])]).utf8)
                outBytes += Array(String(format: ",%.6f,", s[r]).utf8)
                outBytes += Array(CSVWriter.escape(texts[r]).utf8)
                outBytes.append(0x0A)
            }
            do { try Data(outBytes).write(to: URL(fileURLWithPath: out)) } catch {
                throw CLIError("cannot write \(out): \(error.localizedDescription)")
            }
            let tEnd = monotonicSeconds()
            let flagged = s.filter { $0 >= m.threshold }.count
            print("scored \(s.count) accounts → \(out); \(flagged) flagged (score ≥ \(String(format: "%.3f", m.threshold))), \(wanted.count) explained")
            stderr(String(format: "timing: load %.2f s, index %.2f s, features %.2f s, forest %.2f s, reasons %.2f s, write %.2f s, total %.2f s; threads %d; peak memory %@",
                          tLoad - t0, index.buildSeconds, tFeat - tLoad - index.buildSeconds, tScore - tFeat, tReasons - tScore, tEnd - tReasons,
                          tEnd - t0, threads, peakResidentBytes().map { String(format: "%.0f MiB", Double($0) / 1048576) } ?? "n/a"))
        }
    }

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate the dropper model on a labelled graph: PR-AUC, ROC-AUC, F1 at the model's threshold, errors by bank.")
        @Option(help: "Model file from `aqyl fraud train`.") var model: String
        @Option(help: "Labelled graph folder.") var graph: String
        @Flag(help: "Print JSON (pr_auc, roc_auc, f1, n_accounts, ...).") var json = false
        @Flag(help: "Add the figures to the model card (rewrites MODEL and MODEL.card.md).") var card = false
        @Option(help: "Worker threads (default: all cores).") var threads: Int?

        func run() async throws {
            var m: DropperModel
            do { m = try DropperModel.load(path: model) } catch { throw CLIError("\(error)") }
            let lg = try FraudCommand.load(graph, quiet: true)
            let e: DropperEvaluation
            do { e = try m.evaluate(lg, threads: max(1, threads ?? defaultThreadCount())) } catch { throw CLIError("\(error)") }
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(e), as: UTF8.self))
            } else {
                print(String(format: "%@: %d accounts (%d droppers): PR-AUC %.4f, ROC-AUC %.4f, F1 %.4f (precision %.3f, recall %.3f) at threshold %.3f, precision@100 %.2f",
                             e.graph, e.nAccounts, e.nDroppers, e.prAUC, e.rocAUC, e.f1, e.precision, e.recall, e.threshold, e.precisionAt100))
                for n in e.notes { print("note: \(n)") }
            }
            if card {
                m.card.evaluations.removeAll { $0.graph == e.graph }
                m.card.evaluations.append(e)
                do { try m.save(to: model) } catch { throw CLIError("cannot write \(model): \(error.localizedDescription)") }
                try FraudCommand.writeText(m.card.markdown, to: model + ".card.md")
            }
        }
    }
}

extension FraudCommand {
    struct Trace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow the money from an account or a transfer: a case graph as JSON, GraphViz DOT and SVG.",
            discussion: """
                Money is split over the onward transfers in proportion to their amounts, within --window-hours of \
                arriving, up to --hops transfers, and stops at exits (cash_out, crypto, international channels and \
                accounts at foreign banks). AMLSim graphs have no exits: say so in the case. With --model, every account \
                in the case gets its dropper score. Writes CASE.json, CASE.dot and CASE.svg (beside --out).
                """)
        @Option(help: "Graph folder (AMLSim or native feed).") var graph: String
        @Option(help: "Start from this account (all its transfers in --since/--until).") var fromAccount: String?
        @Option(help: "Start from this transfer (the feed's id; AMLSim: tx<line in transactions.csv>).") var fromTransfer: String?
        @Option(help: "Most transfers on a path.") var hops = 4
        @Option(help: "forward (where the money went) or backward (where it came from).") var direction = "forward"
        @Option(help: "Onward transfers within this many hours of the money arriving.") var windowHours: Double = 72
        @Option(help: "Portions under this share of the start amount are not followed.") var minShare: Double = 0.01
        @Option(help: "Transfers under this amount are not followed.") var minAmount: Double = 0
        @Option(help: "From an account: only its transfers at or after this time (ISO 8601 or Unix seconds).") var since: String?
        @Option(help: "From an account: only its transfers at or before this time.") var until: String?
        @Option(help: "Banks (codes as in the feed) whose accounts are exits too, comma-separated.") var exitBanks: String?
        @Option(help: "Dropper model: score every account in the case.") var model: String?
        @Option(help: "Where to write the case JSON (CASE.dot and CASE.svg are written beside it).") var out: String
        @Option(help: "Worker threads (default: all cores).") var threads: Int?

        func run() async throws {
            guard (fromAccount == nil) != (fromTransfer == nil) else { throw ValidationError("give exactly one of --from-account and --from-transfer") }
            guard let dir = MoneyTrace.Direction(rawValue: direction) else { throw ValidationError("--direction must be forward or backward") }
            guard hops >= 1 && hops <= 20 else { throw ValidationError("--hops must be between 1 and 20") }
            let threads = max(1, self.threads ?? defaultThreadCount())
            var o = MoneyTrace.Options()
            o.direction = dir; o.hops = hops; o.windowHours = windowHours; o.minShare = minShare; o.minAmount = minAmount
            func time(_ s: String?, _ name: String) throws -> Double? {
                guard let s else { return nil }
                switch FeedValues.parseTime(s, allowDateOnly: true) {
                case .success(let t): return t
                case .failure(let e): throw ValidationError("\(name): \(e)")
                }
            }
            o.since = try time(since, "--since"); o.until = try time(until, "--until")
            o.exitBanks = exitBanks.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
            let dropper: DropperModel?
            do { dropper = try model.map { try DropperModel.load(path: $0) } } catch { throw CLIError("\(error)") }
            let t0 = monotonicSeconds()
            let lg = try FraudCommand.load(graph, quiet: true)
            let g = lg.graph
            let tLoad = monotonicSeconds()
            let index = GraphIndex(g, threads: threads)
            let start: MoneyTrace.Start
            if let a = fromAccount {
                guard let i = g.accountIDs.firstIndex(of: a) else { throw CLIError("\(graph): no account '\(a)'") }
                start = .account(i)
            } else {
                guard let j = g.transferIndex(named: fromTransfer!) else {
                    throw CLIError("\(graph): no transfer '\(fromTransfer!)'\(g.transferIDs == nil ? " (AMLSim transfers are named tx<line>, e.g. tx2 for the first data line)" : "")")
                }
                start = .transfer(j)
            }
            let tracer = MoneyTrace(graph: g, index: index)
            var c: CaseGraph
            do { c = try tracer.run(from: start, options: o) } catch { throw CLIError("\(error)") }
            var tScore = 0.0
            if let m = dropper {
                let s0 = monotonicSeconds()
                let lookup = Dictionary(uniqueKeysWithValues: c.accounts.compactMap { a in g.accountIDs.firstIndex(of: a.id).map { (a.id, Int32($0)) } })
                let ids = c.accounts.compactMap { lookup[$0.id] }
                let fm = m.features(g, index: index, accounts: ids, threads: threads)
                let sc: [Double]
                do { sc = try m.scores(fm, threads: threads) } catch { throw CLIError("\(error)") }
                var byID: [String: Double] = [:]
                for (r, a) in fm.accounts.enumerated() { byID[g.accountIDs[Int(a)]] = (sc[r] * 1e6).rounded() / 1e6 }
                for i in c.accounts.indices { c.accounts[i].dropperScore = byID[c.accounts[i].id] }
                c.notes.append("dropper scores from model \(m.version) (threshold \(String(format: "%.3f", m.threshold)))")
                tScore = monotonicSeconds() - s0
            }
            let base = out.hasSuffix(".json") ? String(out.dropLast(5)) : out
            do { try c.json().write(to: URL(fileURLWithPath: out)) } catch { throw CLIError("cannot write \(out): \(error.localizedDescription)") }
            try FraudCommand.writeText(c.dot(), to: base + ".dot")
            try FraudCommand.writeText(c.svg(), to: base + ".svg")
            let stops = c.totals.stopped.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }.joined(separator: ", ")
            print("case: \(c.accounts.count) accounts, \(c.transfers.count) transfers, \(c.maxHop) hops; start \(String(format: "%.2f", c.totals.start)) \(c.currency); stopped: \(stops)")
            print("→ \(out), \(base).dot, \(base).svg")
            stderr(String(format: "timing: load %.2f s, index %.2f s, trace %.4f s (%d portions), scoring %.3f s; peak memory %@",
                          tLoad - t0, index.buildSeconds, c.seconds, c.portions, tScore,
                          peakResidentBytes().map { String(format: "%.0f MiB", Double($0) / 1048576) } ?? "n/a"))
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a SYNTHETIC native feed (accounts.csv, transfers.csv) with planted dropper schemes, for scale tests.")
        @Option(help: "Customer accounts.") var accounts = 1_000_000
        @Option(help: "Transfers.") var transfers = 10_000_000
        @Option(help: "Share of accounts that are droppers.") var dropperShare = 0.005
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "Output folder.") var out: String

        func run() async throws {
            guard accounts >= 10, transfers >= 10 else { throw ValidationError("--accounts and --transfers must be at least 10") }
            var gen = GraphGenerator()
            gen.accounts = accounts; gen.transfers = transfers; gen.dropperShare = dropperShare; gen.seed = seed
            let s: GraphGenerator.Summary
            do { s = try gen.write(to: out) } catch { throw CLIError("\(error)") }
            print(String(format: "SYNTHETIC feed → %@: %d accounts (%d droppers in %d schemes), %d transfers, %.0f MB, %.1f s",
                         out, s.accounts, s.droppers, s.schemes, s.transfers, Double(s.bytes) / 1e6, s.seconds))
        }
    }
}

/// The first error message reported by any worker.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var message: String?
    func set(_ m: String) { lock.lock(); if message == nil { message = m }; lock.unlock() }
}

