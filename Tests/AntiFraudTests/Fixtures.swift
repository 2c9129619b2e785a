@testable import AntiFraud
import Foundation

/// Tiny hand-made feeds written to a fresh temporary folder.
enum Fixtures {
    static func folder(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("antifraud-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    /// A native graph from (from, to, amount, hours after 2025-01-01T00:00Z[, channel]) rows; accounts are named by
    /// the strings used; banks optional.
    static func graph(_ transfers: [(String, String, Double, Double)], channels: [String] = [], banks: [String: String] = [:],
                      accounts extra: [String] = []) throws -> TransactionGraph {
        var names: [String] = []
        for (a, b, _, _) in transfers { for x in [a, b] where !names.contains(x) { names.append(x) } }
        for x in extra where !names.contains(x) { names.append(x) }
        var acc = "account,owner,bank,opened\n"
        for n in names { acc += "\(n),P-\(n),\(banks[n] ?? ""),2024-01-01\n" }
        var tr = "id,from,to,amount,currency,time,channel\n"
        let base = 1_735_689_600.0  // 2025-01-01T00:00:00Z
        for (i, t) in transfers.enumerated() {
            let ch = i < channels.count ? channels[i] : "transfer"
            tr += "T\(i + 1),\(t.0),\(t.1),\(t.2),KZT,\(Int(base + t.3 * 3600)),\(ch)\n"
        }
        let dir = try folder(["accounts.csv": acc, "transfers.csv": tr])
        let lg = try GraphIntake.load(dir)
        precondition(lg.intake.issueCount == 0, "fixture rejected: \(lg.intake.issues)")
        return lg.graph
    }

    /// Stage-1 and stage-2 features of every account, by account id.
    static func features(_ g: TransactionGraph) -> [String: [String: Float]] {
        let index = GraphIndex(g, threads: 1)
        let fm = DropperFeatures.compute(g, index: index, threads: 1)
        var out: [String: [String: Float]] = [:]
        for r in 0..<fm.rowCount {
            var d: [String: Float] = [:]
            for (f, name) in fm.names.enumerated() { d[name] = fm.columns[f][r] }
            out[g.accountIDs[Int(fm.accounts[r])]] = d
        }
        return out
    }
}
