import Foundation

/// The result of a trace: the accounts and transfers the money passed through, how much of the traced money each
/// carried, where it stopped, and each account's dropper score when a model was given. A case is a recommendation for
/// an investigator: it says where to look, not what to freeze.
public struct CaseGraph: Sendable, Codable, Equatable {
    public struct StartPoint: Sendable, Codable, Equatable {
        public var kind: String
        public var id: String
        public var account: String?
    }

    public struct Totals: Sendable, Codable, Equatable {
        /// Money at the start (the transfer's amount, or the account's transfers' total).
        public var start = 0.0
        /// Traced money by where it stopped (`MoneyTrace.Stop` raw values).
        public var stopped: [String: Double] = [:]
        /// Money of the start account in other currencies, not traced.
        public var otherCurrencyAtStart = 0.0

        enum CodingKeys: String, CodingKey {
            case start, stopped
            case otherCurrencyAtStart = "other_currency_at_start"
        }
    }

    public struct Account: Sendable, Codable, Equatable {
        public var id: String
        public var bank: String?
        /// Fewest transfers from the start (the start account is 0).
        public var hop: Int
        /// Traced money that reached the account (backward: traced back to it).
        public var tracedIn: Double
        /// Traced money it passed on to the next hop.
        public var tracedOut: Double
        /// Traced money that stopped here, by reason.
        public var stops: [String: Double]
        public var dropperScore: Double?

        enum CodingKeys: String, CodingKey {
            case id, bank, hop, stops
            case tracedIn = "traced_in", tracedOut = "traced_out", dropperScore = "dropper_score"
        }
    }

    public struct Transfer: Sendable, Codable, Equatable {
        public var id: String
        public var from: String
        public var to: String
        public var amount: Double
        /// The part of the amount that is traced money.
        public var traced: Double
        public var time: String
        public var hop: Int
        public var channel: String
        public var currency: String
    }

    struct AccountBuilder {
        var hop: Int
        var `in` = 0.0
        var out = 0.0
        var stops: [String: Double] = [:]
    }

    public var start: StartPoint
    public var direction: MoneyTrace.Direction
    public var options: MoneyTrace.Options
    public var currency: String
    public var totals: Totals
    public var accounts: [Account]
    public var transfers: [Transfer]
    /// Portions of money followed (a measure of the work done).
    public var portions: Int
    public var seconds: Double
    public var notes: [String]

    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    static func isExitChannel(_ c: String) -> Bool { TransferChannel(rawValue: c)?.isExit ?? false }

    /// Exit kinds that end money's path in the feed.
    static let exitStops: Set<String> = ["cash_out", "crypto", "international", "foreign_bank", "exit_bank", "origin"]

    public var maxHop: Int { accounts.map(\.hop).max() ?? 0 }

    // MARK: pictures

    static func amount(_ x: Double) -> String {
        let v = (x * 100).rounded() / 100
        if abs(v) >= 1e6 { return String(format: "%.2fM", v / 1e6) }
        if abs(v) >= 1e4 { return String(format: "%.1fk", v / 1e3) }
        return v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.2f", v)
    }

    static func escapeDOT(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// GraphViz DOT: accounts left to right by hop; exits as octagons; edges labelled traced / amount.
    public func dot() -> String {
        var s = "digraph money_trace {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
        s += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        s += "  labelloc=t; label=\"\(CaseGraph.escapeDOT(title))\";\n"
        for a in accounts {
            var label = a.id
            if let b = a.bank { label += "\\n\(CaseGraph.escapeDOT(b))" }
            if let sc = a.dropperScore { label += String(format: "\\nscore %.2f", sc) }
            label += "\\nin \(CaseGraph.amount(a.tracedIn)) / out \(CaseGraph.amount(a.tracedOut))"
            let exits = a.stops.filter { CaseGraph.exitStops.contains($0.key) }
            if !exits.isEmpty { label += "\\n" + exits.keys.sorted().map { "\($0) \(CaseGraph.amount(exits[$0]!))" }.joined(separator: ", ") }
            let shape = a.hop == 0 ? "doubleoctagon" : (exits.isEmpty ? "box" : "octagon")
            s += "  \"\(CaseGraph.escapeDOT(a.id))\" [label=\"\(label)\", shape=\(shape), fillcolor=\"\(fill(a))\"];\n"
        }
        for t in transfers {
            let w = max(1, min(6, 1 + 5 * t.traced / max(totals.start, 1e-9)))
            s += "  \"\(CaseGraph.escapeDOT(t.from))\" -> \"\(CaseGraph.escapeDOT(t.to))\" [label=\"\(CaseGraph.escapeDOT(t.id)): \(CaseGraph.amount(t.traced)) of \(CaseGraph.amount(t.amount))\\n\(CaseGraph.escapeDOT(t.time))\(t.channel == "transfer" ? "" : " " + t.channel)\", penwidth=\(String(format: "%.1f", w))\(CaseGraph.isExitChannel(t.channel) ? ", color=\"#c0392b\"" : "")];\n"
        }
        return s + "}\n"
    }

    var title: String {
        "\(direction == .forward ? "Where the money went" : "Where the money came from"): \(start.kind) \(start.id), \(CaseGraph.amount(totals.start)) \(currency), up to \(options.hops) hops"
    }

    func fill(_ a: Account) -> String {
        if a.hop == 0 { return "#d6eaf8" }
        if a.stops.keys.contains(where: { CaseGraph.exitStops.contains($0) }) { return "#f5cba7" }
        guard let sc = a.dropperScore else { return "#f2f3f4" }
        // white → red with the score
        let g = Int(255 - 180 * min(1, max(0, sc))), b = Int(255 - 200 * min(1, max(0, sc)))
        return String(format: "#ff%02x%02x", g, b)
    }

    static func escapeXML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// An SVG picture drawn without GraphViz: one column per hop, accounts ordered by traced money, at most
    /// `maxPerColumn` per column (the rest summarised), edges as curves with their traced amounts.
    public func svg(maxPerColumn: Int = 12) -> String {
        let colW = 340.0, boxW = 190.0, boxH = 58.0, rowH = 84.0, top = 60.0, left = 20.0
        var columns: [Int: [Account]] = [:]
        for a in accounts { columns[a.hop, default: []].append(a) }
        var pos: [String: (x: Double, y: Double)] = [:]
        var hidden: [Int: Int] = [:]
        let hops = (columns.keys.max() ?? 0)
        for h in 0...hops {
            let list = (columns[h] ?? []).sorted { $0.tracedIn + $0.tracedOut > $1.tracedIn + $1.tracedOut || ($0.tracedIn + $0.tracedOut == $1.tracedIn + $1.tracedOut && $0.id < $1.id) }
            for (i, a) in list.prefix(maxPerColumn).enumerated() {
                pos[a.id] = (left + Double(h) * colW, top + Double(i) * rowH)
            }
            if list.count > maxPerColumn { hidden[h] = list.count - maxPerColumn }
        }
        let rows = min(maxPerColumn, columns.values.map(\.count).max() ?? 1) + (hidden.isEmpty ? 0 : 1)
        let width = left * 2 + Double(hops) * colW + boxW, height = top + Double(rows) * rowH + 20
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        s += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(Int(left))\" y=\"24\" font-size=\"14\" font-weight=\"bold\">\(CaseGraph.escapeXML(title))</text>\n"
        let stopped = totals.stopped.sorted { $0.key < $1.key }.map { "\($0.key) \(CaseGraph.amount($0.value))" }.joined(separator: ", ")
        s += "<text x=\"\(Int(left))\" y=\"42\" font-size=\"11\" fill=\"#444\">\(CaseGraph.escapeXML("stopped: " + stopped))</text>\n"
        // edges first, under the boxes
        for t in transfers {
            guard let a = pos[t.from], let b = pos[t.to] else { continue }
            let x1 = a.x + boxW, y1 = a.y + boxH / 2, x2 = b.x, y2 = b.y + boxH / 2
            let w = max(1, min(6, 1 + 5 * t.traced / max(totals.start, 1e-9)))
            let color = CaseGraph.isExitChannel(t.channel) ? "#c0392b" : "#555"
            let path: String
            if x2 > x1 {
                let mx = (x1 + x2) / 2
                path = String(format: "M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f", x1, y1, mx, y1, mx, y2, x2, y2)
            } else {
                // back edge (a cycle): loop under the boxes
                let yb = max(a.y, b.y) + boxH + 14
                path = String(format: "M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f", a.x + boxW / 2, a.y + boxH, a.x + boxW / 2, yb, b.x + boxW / 2, yb, b.x + boxW / 2, b.y + boxH)
            }
            s += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(String(format: "%.1f", w))\" marker-end=\"url(#arrow)\" opacity=\"0.8\"/>\n"
            let lx = x2 > x1 ? (x1 + x2) / 2 : (a.x + b.x) / 2 + boxW / 2, ly = x2 > x1 ? (y1 + y2) / 2 - 5 : max(a.y, b.y) + boxH + 12
            s += "<text x=\"\(String(format: "%.1f", lx))\" y=\"\(String(format: "%.1f", ly))\" font-size=\"9\" text-anchor=\"middle\" fill=\"\(color)\">\(CaseGraph.escapeXML("\(CaseGraph.amount(t.traced)) of \(CaseGraph.amount(t.amount))\(t.channel == "transfer" ? "" : " " + t.channel)"))</text>\n"
        }
        for a in accounts {
            guard let p = pos[a.id] else { continue }
            let exits = a.stops.filter { CaseGraph.exitStops.contains($0.key) }
            s += "<rect x=\"\(p.x)\" y=\"\(p.y)\" width=\"\(boxW)\" height=\"\(boxH)\" rx=\"8\" fill=\"\(fill(a))\" stroke=\"\(a.hop == 0 ? "#1f618d" : "#777")\" stroke-width=\"\(a.hop == 0 ? 2 : 1)\"/>\n"
            var lines = [a.id + (a.bank.map { " · \($0)" } ?? "")]
            lines.append("in \(CaseGraph.amount(a.tracedIn)) · out \(CaseGraph.amount(a.tracedOut))" + (a.dropperScore.map { String(format: " · score %.2f", $0) } ?? ""))
            if !exits.isEmpty { lines.append(exits.keys.sorted().map { "\($0) \(CaseGraph.amount(exits[$0]!))" }.joined(separator: ", ")) }
            for (i, l) in lines.enumerated() {
                s += "<text x=\"\(p.x + 8)\" y=\"\(p.y + 17 + Double(i) * 15)\" font-size=\"\(i == 0 ? 11 : 10)\"\(i == 0 ? " font-weight=\"bold\"" : "")>\(CaseGraph.escapeXML(l))</text>\n"
            }
        }
        for (h, n) in hidden.sorted(by: { $0.key < $1.key }) {
            s += "<text x=\"\(left + Double(h) * colW + 8)\" y=\"\(top + Double(maxPerColumn) * rowH + 14)\" font-size=\"10\" fill=\"#777\">+ \(n) more accounts at hop \(h) (in the JSON)</text>\n"
        }
        return s + "</svg>\n"
    }
}
