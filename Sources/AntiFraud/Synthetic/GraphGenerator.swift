import AqylKit
import AqylML
import Foundation

/// A SYNTHETIC native bank feed for scale tests and demos: accounts at Kazakh banks (a few abroad), everyday transfers
/// over 90 days, and planted dropper schemes — victims pay a first dropper, who passes the money on within hours to
/// further droppers, who cash it out, buy crypto or send it abroad. Droppers are labelled 1. No real person or account
/// is in it; deterministic for a seed.
public struct GraphGenerator: Sendable {
    public var accounts = 1_000_000
    public var transfers = 10_000_000
    /// Share of accounts that are droppers.
    public var dropperShare = 0.005
    public var days = 90
    public var seed: UInt64 = 1
    /// Start of the period, Unix seconds (2025-01-01T00:00:00Z).
    public var start = 1_735_689_600.0

    public init() {}

    /// Bank identifier codes of the generated accounts with their shares. The BICs are the banks' published SWIFT codes
    /// (Kaspi Bank CASPKZKA, Halyk Bank HSBKKZKX, Bank CenterCredit KCJBKZKX, ForteBank IRTYKZKA, First Heartland Jusan
    /// Bank TSESKZKA, Eurasian Bank EURIKZKA); the two foreign codes stand for any bank abroad.
    public static let banks: [(bic: String, share: Double)] = [
        ("CASPKZKA", 0.45), ("HSBKKZKX", 0.25), ("KCJBKZKX", 0.09), ("IRTYKZKA", 0.08), ("TSESKZKA", 0.07), ("EURIKZKA", 0.055),
        ("SABRRUMM", 0.003), ("TICSRUMM", 0.002),
    ]

    public struct Summary: Sendable {
        public var accounts: Int
        public var transfers: Int
        public var droppers: Int
        public var schemes: Int
        public var bytes: Int
        public var seconds: Double
    }

    /// Writes `accounts.csv` and `transfers.csv` into `dir` (created if needed).
    public func write(to dir: String) throws -> Summary {
        let t0 = monotonicSeconds()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: seed)
        let n = accounts
        let span = Double(days) * 86400
        // Accounts: bank, opening date, dropper or not.
        var bankOf = [UInt8](repeating: 0, count: n)
        var cumulative: [Double] = []
        var acc = 0.0
        for b in GraphGenerator.banks { acc += b.share; cumulative.append(acc) }
        for i in 0..<n {
            let u = Double(rng.next() >> 11) / Double(1 << 53) * acc
            bankOf[i] = UInt8(cumulative.firstIndex { u < $0 } ?? 0)
        }
        let dropperCount = max(1, Int(Double(n) * dropperShare) / 3) * 3  // whole schemes of three
        var isDropper = [Bool](repeating: false, count: n)
        var droppers: [Int32] = []
        while droppers.count < dropperCount {
            let a = rng.below(n)
            if !isDropper[a] && bankOf[a] < 6 { isDropper[a] = true; droppers.append(Int32(a)) }
        }
        var opened = [Double](repeating: 0, count: n)
        for i in 0..<n {
            // Droppers' accounts are mostly opened shortly before use; others up to five years earlier.
            let back = isDropper[i] ? Double(rng.below(60 * 86400)) : Double(rng.below(5 * 365 * 86400))
            opened[i] = (start - back).rounded(.down)
        }

        // Planted schemes: 3 droppers each (first layer, two second-layer), victims 2–6.
        var scheme: [(s: Int32, d: Int32, amount: Double, time: Double, channel: TransferChannel)] = []
        let schemes = droppers.count / 3
        // Technical accounts after the customers: one cash desk per Kazakh bank (cash-outs are transfers to it) and
        // three crypto exchanges.
        let kzBanks = 6
        let cashDesk = (0..<kzBanks).map { Int32(n + $0) }
        let exchanges = (0..<3).map { Int32(n + kzBanks + $0) }
        let total = n + kzBanks + 3
        func abroad() -> Int32 {
            var a = Int32(rng.below(n))
            while bankOf[Int(a)] < UInt8(kzBanks) { a = Int32(rng.below(n)) }
            return a
        }
        for k in 0..<schemes {
            let first = droppers[3 * k], second = [droppers[3 * k + 1], droppers[3 * k + 2]]
            var t = start + Double(rng.below(Int(span - 10 * 86400)))
            var collected = 0.0
            for _ in 0..<(2 + rng.below(5)) {
                var victim = Int32(rng.below(n))
                while isDropper[Int(victim)] { victim = Int32(rng.below(n)) }
                let amount = (100_000 + Double(rng.below(400_000))).rounded()
                scheme.append((victim, first, amount, t, .transfer))
                collected += amount
                t += Double(600 + rng.below(6 * 3600))
            }
            // The first dropper keeps 3–8% and passes the rest on within a few hours, split in two.
            let passed = (collected * (0.92 + Double(rng.below(50)) / 1000)).rounded()
            let split = 0.4 + Double(rng.below(200)) / 1000
            for (i, d) in second.enumerated() {
                let part = (i == 0 ? passed * split : passed * (1 - split)).rounded()
                let tt = t + Double(1800 + rng.below(4 * 3600))
                scheme.append((first, d, part, tt, .transfer))
                // Second layer: cash out in two withdrawals, or buy crypto, or send abroad.
                let exit = rng.below(3)
                let t2 = tt + Double(1800 + rng.below(12 * 3600))
                switch exit {
                case 0:
                    let w = (part * 0.5).rounded(), desk = cashDesk[Int(bankOf[Int(d)])]
                    scheme.append((d, desk, w, t2, .cashOut)); scheme.append((d, desk, part - w - 500, t2 + 3600, .cashOut))
                case 1:
                    scheme.append((d, exchanges[rng.below(exchanges.count)], (part * 0.97).rounded(), t2, .crypto))
                default:
                    scheme.append((d, abroad(), (part * 0.97).rounded(), t2, .international))
                }
            }
        }
        scheme.sort { $0.time < $1.time }

        // Everyday transfers: skewed activity, mostly within a circle of 30 acquaintances, times in order.
        let normal = max(0, transfers - scheme.count)
        let ids = GraphGenerator.idWidth(max(n, transfers))
        var accBytes: [UInt8] = []
        accBytes.reserveCapacity(n * 48)
        accBytes += Array("account,owner,bank,opened,label\n".utf8)
        for i in 0..<total {
            GraphGenerator.appendID(&accBytes, "A", i + 1, ids); accBytes.append(0x2C)
            if i < n {
                GraphGenerator.appendID(&accBytes, "P", i + 1, ids); accBytes.append(0x2C)
                accBytes += Array(GraphGenerator.banks[Int(bankOf[i])].bic.utf8); accBytes.append(0x2C)
                GraphGenerator.appendInt(&accBytes, Int(opened[i])); accBytes.append(0x2C)
                accBytes.append(isDropper[i] ? 0x31 : 0x30)
            } else if i < n + kzBanks {
                accBytes += Array("cash-desk,\(GraphGenerator.banks[i - n].bic),2015-01-01,0".utf8)
            } else {
                accBytes += Array("crypto-exchange-\(i - n - kzBanks + 1),CASPKZKA,2019-01-01,0".utf8)
            }
            accBytes.append(0x0A)
        }
        try Data(accBytes).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent("accounts.csv")))
        accBytes = []

        guard let out = FileHandle(forWritingAtPath: {
            let p = (dir as NSString).appendingPathComponent("transfers.csv")
            _ = FileManager.default.createFile(atPath: p, contents: nil)
            return p
        }()) else { throw TraceError("cannot write \(dir)/transfers.csv") }
        defer { try? out.close() }
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 22)
        buf += Array("id,from,to,amount,currency,time,channel\n".utf8)
        var written = 0, bytes = 0
        var si = 0
        var t = start
        let step = span / Double(max(normal, 1))
        func emit(_ s: Int32, _ d: Int32, _ amount: Double, _ time: Double, _ ch: TransferChannel) throws {
            written += 1
            GraphGenerator.appendID(&buf, "T", written, ids); buf.append(0x2C)
            GraphGenerator.appendID(&buf, "A", Int(s) + 1, ids); buf.append(0x2C)
            GraphGenerator.appendID(&buf, "A", Int(d) + 1, ids); buf.append(0x2C)
            GraphGenerator.appendMoney(&buf, amount); buf += [0x2C, 0x4B, 0x5A, 0x54, 0x2C]  // ,KZT,
            GraphGenerator.appendInt(&buf, Int(time)); buf.append(0x2C)
            buf += Array(ch.rawValue.utf8); buf.append(0x0A)
            if buf.count >= 1 << 22 { bytes += buf.count; out.write(Data(buf)); buf.removeAll(keepingCapacity: true) }
        }
        for _ in 0..<normal {
            t += step * (0.5 + Double(rng.below(1000)) / 1000)
            while si < scheme.count && scheme[si].time <= t {
                let x = scheme[si]; si += 1
                try emit(x.s, x.d, x.amount, x.time, x.channel)
            }
            // Activity skew: the source is drawn with density ∝ 1/sqrt(rank).
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            let s = Int(Double(n) * u * u)
            var d: Int
            if rng.below(10) < 7 {
                // acquaintances: 30 fixed neighbours per account (a hash of the pair)
                let k = UInt64(rng.below(30))
                var h = UInt64(s) &* 0x9E37_79B9_7F4A_7C15 ^ (k &* 0xC2B2_AE3D_27D4_EB4F)
                h ^= h >> 29
                d = Int(h % UInt64(n))
            } else {
                d = rng.below(n)
            }
            while d == s { d = rng.below(n) }
            let r = rng.below(100)
            let ch: TransferChannel = r < 80 ? .transfer : (r < 95 ? .payment : (r < 98 ? .cashOut : (r < 99 ? .crypto : .international)))
            let to: Int32 = switch ch {
            case .cashOut: cashDesk[Int(min(bankOf[s], UInt8(kzBanks - 1)))]
            case .crypto: exchanges[rng.below(exchanges.count)]
            case .international: abroad()
            default: Int32(d)
            }
            // log-normal-ish amounts around 15,000 tenge
            let z = (Double(rng.below(1000)) + Double(rng.below(1000)) + Double(rng.below(1000))) / 1000 - 1.5
            let amount = max(100, (15_000 * exp(1.6 * z)).rounded())
            try emit(Int32(s), to, amount, min(t, start + span), ch)
        }
        while si < scheme.count {
            let x = scheme[si]; si += 1
            try emit(x.s, x.d, x.amount, x.time, x.channel)
        }
        bytes += buf.count
        out.write(Data(buf))
        return Summary(accounts: total, transfers: written, droppers: droppers.count, schemes: schemes, bytes: bytes,
                       seconds: monotonicSeconds() - t0)
    }

    static func idWidth(_ n: Int) -> Int { max(7, String(n).count) }

    static func appendInt(_ b: inout [UInt8], _ v: Int) {
        if v == 0 { b.append(0x30); return }
        var x = v, digits: [UInt8] = []
        if x < 0 { b.append(0x2D); x = -x }
        while x > 0 { digits.append(UInt8(0x30 + x % 10)); x /= 10 }
        b += digits.reversed()
    }

    static func appendID(_ b: inout [UInt8], _ prefix: String, _ v: Int, _ width: Int) {
        b += Array(prefix.utf8)
        let s = String(v)
        for _ in 0..<max(0, width - s.count) { b.append(0x30) }
        b += Array(s.utf8)
    }

    static func appendMoney(_ b: inout [UInt8], _ x: Double) {
        let cents = Int((x * 100).rounded())
        appendInt(&b, cents / 100)
        b.append(0x2E)
        let c = cents % 100
        b.append(UInt8(0x30 + c / 10)); b.append(UInt8(0x30 + c % 10))
    }
}
