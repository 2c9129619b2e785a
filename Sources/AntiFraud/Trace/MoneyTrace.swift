import Foundation

/// "Follow the money": from a reported transfer or an account, where did the money go (forward) or come from
/// (backward)?
///
/// The rule at each hop: money `x` that reached account `u` at time `t` leaves through `u`'s transfers within the
/// time window after `t` (same currency, not yet fully claimed by earlier traced money). When those transfers carry
/// `S`, each transfer `e` takes `capacity(e) × min(1, x / S)`: the traced money is split in proportion to the amounts,
/// and what `S` cannot carry (`x − S` when `S < x`) stays at `u`. Money is handled in time order, so earlier money
/// claims a transfer's capacity first, and no transfer ever carries more traced money than its amount. Backward is the
/// mirror image (transfers into `u` within the window before `t`).
///
/// A path stops at an exit (cash-out, crypto, international transfer, or an account at a foreign bank), after `hops`
/// transfers, when its share falls under `minShare` of the start, or where no transfer leaves in the window.
/// AMLSim has no channels or banks, so nothing is an exit there: its traces stop only at the hop limit, the amount
/// floor and the time window.
public struct MoneyTrace {
    public enum Direction: String, Sendable, Codable { case forward, backward }

    public enum Start: Sendable, Equatable {
        case account(Int)
        case transfer(Int)
    }

    public struct Options: Sendable, Codable, Equatable {
        public var direction: Direction = .forward
        /// Most transfers on one path (the start transfer counts as the first).
        public var hops = 4
        /// Money moves on only through transfers within this many hours after it arrived (before, backward).
        public var windowHours: Double = 72
        /// Portions under this share of the start amount are recorded but not followed further.
        public var minShare: Double = 0.01
        /// Transfers under this amount are not followed (0: none skipped).
        public var minAmount: Double = 0
        /// At most this many onward transfers per portion (the largest shares); the rest is reported as not followed.
        public var maxBranches = 64
        /// From an account: its transfers within [since, until] (Unix seconds) start the trace; nil = all.
        public var since: Double?
        public var until: Double?
        /// Banks whose accounts are exits besides foreign banks (BIC-like codes whose country is not `homeCountry`).
        public var exitBanks: [String] = []
        public var homeCountry = "KZ"
        public init() {}
    }

    public let graph: TransactionGraph
    public let index: GraphIndex

    public init(graph: TransactionGraph, index: GraphIndex) {
        self.graph = graph; self.index = index
    }

    /// Why money stopped where it did.
    public enum Stop: String, Sendable, Codable {
        case cashOut = "cash_out", crypto, international, foreignBank = "foreign_bank", exitBank = "exit_bank"
        /// Backward only: where the money entered (cash deposit, from a crypto exchange, from abroad).
        case origin
        case hopLimit = "hop_limit", belowMinimum = "below_minimum", resting, branchLimit = "branch_limit"
    }

    /// True for a bank outside `homeCountry` (8 or 11 letter BIC whose 5th–6th letters are the country) or a listed one.
    public static func isExitBank(_ bank: String?, options: Options) -> Stop? {
        guard let b = bank, !b.isEmpty else { return nil }
        if options.exitBanks.contains(b) { return .exitBank }
        let u = Array(b.uppercased().utf8)
        if (u.count == 8 || u.count == 11) && u.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }) {
            let country = String(decoding: u[4..<6], as: UTF8.self)
            if country.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) && country != options.homeCountry.uppercased() { return .foreignBank }
        }
        return nil
    }

    struct Portion {
        var account: Int32
        var amount: Double
        var time: Double
        var hop: Int
        var via: Int32
        var seq: Int
    }

    /// Runs the trace. `scores` (account index → dropper score) are copied into the case where given.
    public func run(from start: Start, options: Options = Options(), scores: [Int32: Double] = [:]) throws -> CaseGraph {
        let t0 = monotonicSeconds()
        let g = graph
        let forward = options.direction == .forward
        let window = options.windowHours * 3600
        var capacity: [Int32: Double] = [:]
        var traced: [Int32: Double] = [:]
        var transferHop: [Int32: Int] = [:]
        var accounts: [Int32: CaseGraph.AccountBuilder] = [:]
        var heap = PortionHeap(forward: forward)
        var seq = 0
        var totals = CaseGraph.Totals()
        var startCurrency: UInt8?

        func touch(_ a: Int32, hop: Int) {
            if accounts[a] == nil { accounts[a] = CaseGraph.AccountBuilder(hop: hop) } else { accounts[a]!.hop = min(accounts[a]!.hop, hop) }
        }
        func channelStop(_ j: Int) -> Stop? {
            let c = g.channel[j]
            if forward {
                switch c {
                case .cashOut: return .cashOut
                case .crypto: return .crypto
                case .international: return .international
                default: return nil
                }
            }
            return c == .cashIn || c == .crypto || c == .international ? .origin : nil
        }
        // The account money reaches by transfer j (forward: its receiver; backward: its sender).
        func next(_ j: Int) -> Int32 { forward ? g.target[j] : g.source[j] }
        func add(_ s: Stop, _ x: Double, at a: Int32?) {
            totals.stopped[s.rawValue, default: 0] += x
            if let a { accounts[a]?.stops[s.rawValue, default: 0] += x }
        }
        // Records money carried by transfer j at `hop` and schedules what happens next.
        func carry(_ j: Int, _ x: Double, hop: Int, startTotal: Double) {
            let jj = Int32(j)
            traced[jj, default: 0] += x
            transferHop[jj] = min(transferHop[jj] ?? hop, hop)
            let from = forward ? g.source[j] : g.target[j], to = next(j)
            touch(to, hop: hop)
            accounts[from]?.out += x
            accounts[to]!.in += x
            if let s = channelStop(j) { add(s, x, at: to); return }
            if let s = MoneyTrace.isExitBank(g.bankName(ofAccount: Int(to)), options: options) { add(s, x, at: to); return }
            if x < options.minShare * startTotal { add(.belowMinimum, x, at: to); return }
            if hop >= options.hops { add(.hopLimit, x, at: to); return }
            heap.push(Portion(account: to, amount: x, time: g.time[j], hop: hop, via: jj, seq: seq))
            seq += 1
        }

        var startTotal = 0.0
        var startDescription: CaseGraph.StartPoint
        switch start {
        case .transfer(let j):
            guard j >= 0 && j < g.transferCount else { throw TraceError("no transfer \(j)") }
            startTotal = g.amount[j]
            startCurrency = g.currency[j]
            startDescription = .init(kind: "transfer", id: g.transferName(j), account: nil)
            let origin = forward ? g.source[j] : g.target[j]
            touch(origin, hop: 0)
            capacity[Int32(j)] = 0
            carry(j, g.amount[j], hop: 1, startTotal: startTotal)
        case .account(let a):
            guard a >= 0 && a < g.accountCount else { throw TraceError("no account \(a)") }
            startDescription = .init(kind: "account", id: g.accountIDs[a], account: g.accountIDs[a])
            touch(Int32(a), hop: 0)
            let list = forward ? index.outgoing(a) : index.incoming(a)
            var chosen: [Int] = []
            for j32 in list {
                let j = Int(j32)
                if g.source[j] == g.target[j] { continue }
                if let s = options.since, g.time[j] < s { continue }
                if let u = options.until, g.time[j] > u { continue }
                chosen.append(j)
            }
            guard !chosen.isEmpty else { throw TraceError("account \(g.accountIDs[a]) has no \(forward ? "outgoing" : "incoming") transfer in the time range") }
            // Start in the account's main currency (most money); other currencies are left out and reported.
            var byCurrency: [UInt8: Double] = [:]
            for j in chosen { byCurrency[g.currency[j], default: 0] += g.amount[j] }
            let main = byCurrency.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            startCurrency = main
            for j in chosen where g.currency[j] != main { totals.otherCurrencyAtStart += g.amount[j] }
            chosen = chosen.filter { g.currency[$0] == main }
            startTotal = chosen.reduce(0) { $0 + g.amount[$1] }
            for j in chosen {
                capacity[Int32(j)] = 0
                carry(j, g.amount[j], hop: 1, startTotal: startTotal)
            }
        }
        totals.start = startTotal
        let currency = startCurrency!

        var processed = 0
        var candidates: [(j: Int, cap: Double)] = []
        while let p = heap.pop() {
            processed += 1
            let u = Int(p.account)
            let list = forward ? index.outgoing(u) : index.incoming(u)
            // Time-sorted list: binary search the window's first transfer.
            let lo = forward ? p.time : p.time - window, hi = forward ? p.time + window : p.time
            var a = list.startIndex, b = list.endIndex
            while a < b {
                let m = (a + b) / 2
                if g.time[Int(list[m])] < lo { a = m + 1 } else { b = m }
            }
            candidates.removeAll(keepingCapacity: true)
            var total = 0.0
            var k = a
            while k < list.endIndex && g.time[Int(list[k])] <= hi {
                let j = Int(list[k]); k += 1
                let j32 = Int32(j)
                if j32 == p.via || g.source[j] == g.target[j] || g.currency[j] != currency || g.amount[j] < options.minAmount { continue }
                let cap = capacity[j32] ?? g.amount[j]
                if cap <= 0 { continue }
                candidates.append((j, cap))
                total += cap
            }
            if total <= 0 { add(.resting, p.amount, at: p.account); continue }
            let factor = min(1, p.amount / total)
            if p.amount > total { add(.resting, p.amount - total, at: p.account) }
            if candidates.count > options.maxBranches {
                candidates.sort { $0.cap > $1.cap || ($0.cap == $1.cap && $0.j < $1.j) }
                var dropped = 0.0
                for c in candidates[options.maxBranches...] { dropped += c.cap * factor }
                add(.branchLimit, dropped, at: p.account)
                candidates.removeLast(candidates.count - options.maxBranches)
            }
            for c in candidates {
                let share = c.cap * factor
                capacity[Int32(c.j)] = c.cap - share
                carry(c.j, share, hop: p.hop + 1, startTotal: startTotal)
            }
        }

        // Assemble the case.
        var caseAccounts: [CaseGraph.Account] = []
        for (a, b) in accounts {
            let i = Int(a)
            caseAccounts.append(CaseGraph.Account(
                id: g.accountIDs[i], bank: g.bankName(ofAccount: i), hop: b.hop, tracedIn: b.in, tracedOut: b.out,
                stops: b.stops, dropperScore: scores[a].map { ($0 * 1e6).rounded() / 1e6 }))
        }
        caseAccounts.sort { $0.hop < $1.hop || ($0.hop == $1.hop && ($0.tracedIn > $1.tracedIn || ($0.tracedIn == $1.tracedIn && $0.id < $1.id))) }
        var caseTransfers: [CaseGraph.Transfer] = []
        for (j32, x) in traced {
            let j = Int(j32)
            caseTransfers.append(CaseGraph.Transfer(
                id: g.transferName(j), from: g.accountIDs[Int(g.source[j])], to: g.accountIDs[Int(g.target[j])], amount: g.amount[j],
                traced: x, time: g.layout == .amlsim ? "step \(Int((g.time[j] / g.secondsPerStep).rounded()))" : FeedValues.isoTime(g.time[j]),
                hop: transferHop[j32] ?? 0, channel: g.channel[j].rawValue, currency: g.currencies[Int(g.currency[j])]))
        }
        caseTransfers.sort { $0.hop < $1.hop || ($0.hop == $1.hop && ($0.traced > $1.traced || ($0.traced == $1.traced && $0.id < $1.id))) }
        var notes: [String] = []
        if g.layout == .amlsim {
            notes.append("AMLSim has no channels or banks: no transfer or account is an exit, so the trace stops only at the hop limit, the amount floor and the time window; times are simulation steps (one day each)")
        }
        if totals.otherCurrencyAtStart > 0 { notes.append("transfers of the start account in other currencies were not traced") }
        notes.append("proportional rule: a transfer carries capacity × min(1, traced money / money leaving in the window); earlier money claims capacity first")
        return CaseGraph(start: startDescription, direction: options.direction, options: options,
                         currency: g.currencies[Int(currency)], totals: totals, accounts: caseAccounts, transfers: caseTransfers,
                         portions: processed, seconds: monotonicSeconds() - t0, notes: notes)
    }
}

public struct TraceError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Portions by time: earliest first going forward, latest first going backward; ties in the order they were made.
struct PortionHeap {
    let forward: Bool
    var items: [MoneyTrace.Portion] = []
    init(forward: Bool) { self.forward = forward }

    func before(_ a: MoneyTrace.Portion, _ b: MoneyTrace.Portion) -> Bool {
        if a.time != b.time { return forward ? a.time < b.time : a.time > b.time }
        return a.seq < b.seq
    }
    mutating func push(_ p: MoneyTrace.Portion) {
        items.append(p)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !before(items[i], items[parent]) { break }
            items.swapAt(i, parent); i = parent
        }
    }
    mutating func pop() -> MoneyTrace.Portion? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && before(items[l], items[m]) { m = l }
                if r < items.count && before(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m); i = m
            }
        }
        return top
    }
}
