import Foundation

/// Strings stored back to back in one byte buffer with offsets: about 4 bytes of overhead per string instead of a
/// `String`'s 16 plus its heap block, so ten million transfer ids stay compact.
public struct StringColumn: Sendable, Equatable {
    public private(set) var bytes: [UInt8] = []
    /// `offsets[i]..<offsets[i + 1]` are the bytes of string `i`.
    public private(set) var offsets: [UInt32] = [0]

    public init() {}
    public init(_ strings: [String]) {
        for s in strings { append(s) }
    }

    public var count: Int { offsets.count - 1 }

    public mutating func reserve(strings: Int, bytes n: Int) {
        offsets.reserveCapacity(strings + 1)
        bytes.reserveCapacity(n)
    }

    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append(utf8: $0) }
    }

    public mutating func append(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: utf8)
        precondition(bytes.count <= Int(UInt32.max), "StringColumn holds at most 4 GiB of text")
        offsets.append(UInt32(bytes.count))
    }

    public mutating func append(contentsOf other: StringColumn) {
        let base = UInt32(bytes.count)
        bytes.append(contentsOf: other.bytes)
        precondition(bytes.count <= Int(UInt32.max), "StringColumn holds at most 4 GiB of text")
        offsets.append(contentsOf: other.offsets.dropFirst().map { $0 + base })
    }

    public subscript(i: Int) -> String {
        let lo = Int(offsets[i]), hi = Int(offsets[i + 1])
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[lo..<hi]), as: UTF8.self) }
    }

    /// True when string `i` equals the UTF-8 bytes of `s` (no allocation).
    public func equals(_ i: Int, _ s: String) -> Bool {
        var s = s
        let lo = Int(offsets[i]), hi = Int(offsets[i + 1])
        return s.withUTF8 { u in
            guard u.count == hi - lo else { return false }
            return bytes.withUnsafeBufferPointer { b in
                for k in 0..<u.count where b[lo + k] != u[k] { return false }
                return true
            }
        }
    }

    /// Index of the first string equal to `s` (linear scan; build a dictionary for repeated look-ups).
    public func firstIndex(of s: String) -> Int? {
        for i in 0..<count where equals(i, s) { return i }
        return nil
    }

    public var memoryBytes: Int { bytes.capacity + offsets.capacity * 4 }
}

/// How a transfer moved money; the exits of "follow the money" are channels too.
public enum TransferChannel: String, Sendable, Codable, CaseIterable {
    /// Card-to-card or account-to-account inside the country (the default).
    case transfer
    /// Payment to a merchant.
    case payment
    /// Cash withdrawal (ATM or branch): the money leaves the banking system.
    case cashOut = "cash_out"
    /// Cash deposited into the account.
    case cashIn = "cash_in"
    /// Purchase on, or transfer to, a crypto exchange.
    case crypto
    /// International transfer (SWIFT or a money-transfer system) to a foreign bank.
    case international
    /// A channel the feed names that is not one of the above (kept as `other`, never guessed into one).
    case other

    /// The feed's spelling to channel: documented synonyms only.
    public static func parse(_ raw: String) -> TransferChannel? {
        switch raw.lowercased() {
        case "", "transfer", "p2p", "card_transfer", "card2card", "account_transfer", "wire", "internal": return .transfer
        case "payment", "purchase", "pos", "merchant": return .payment
        case "cash_out", "cash-out", "cashout", "atm", "withdrawal": return .cashOut
        case "cash_in", "cash-in", "cashin", "deposit": return .cashIn
        case "crypto", "crypto_exchange", "exchange": return .crypto
        case "international", "swift", "foreign", "cross_border", "remittance": return .international
        case "other": return .other
        default: return nil
        }
    }

    /// Money that leaves through this channel cannot be followed further in the feed.
    public var isExit: Bool { self == .cashOut || self == .crypto || self == .international }
}

/// Where a transaction graph came from.
public enum GraphLayout: String, Sendable, Codable {
    /// IBM AMLSim's `nodes.csv` + `transactions.csv`: no banks, channels, currencies or opening dates; times are steps.
    case amlsim
    /// The native bank feed (accounts and transfers, CSV or JSON).
    case native
}

/// Accounts and transfers in columns (struct of arrays). Account `i` is index `i` of every account column; transfer
/// `j` likewise. Labels are NOT here (see `LabeledGraph`), so nothing that computes features can read them.
public struct TransactionGraph: Sendable {
    public var layout: GraphLayout
    /// A name for messages and model cards (usually the folder).
    public var name: String
    /// Seconds per time unit of the source (AMLSim: one step = 86,400 s, an assumption the simulator does not state).
    public var secondsPerStep: Double

    // accounts
    public var accountIDs: StringColumn
    /// Opening balance where the feed has one (AMLSim `init_balance`), else NaN.
    public var initialBalance: [Float]
    /// When the account was opened, seconds since 1970 (native feed), else NaN.
    public var opened: [Double]
    /// Index into `banks`, or -1 when the feed has no bank (AMLSim).
    public var accountBank: [Int32]
    /// Owner pseudonyms (native feed), empty strings when absent.
    public var owners: StringColumn?
    public var banks: [String]

    // transfers
    public var source: [Int32]
    public var target: [Int32]
    public var amount: [Double]
    /// Seconds (AMLSim: step × `secondsPerStep`; native: Unix time).
    public var time: [Double]
    /// The feed's transfer ids; nil for AMLSim, whose transfers are named by their line in transactions.csv.
    public var transferIDs: StringColumn?
    /// Index into `currencies`.
    public var currency: [UInt8]
    public var currencies: [String]
    public var channel: [TransferChannel]

    public init(layout: GraphLayout, name: String, secondsPerStep: Double = 1, accountIDs: StringColumn,
                initialBalance: [Float], opened: [Double], accountBank: [Int32], owners: StringColumn?, banks: [String],
                source: [Int32], target: [Int32], amount: [Double], time: [Double], transferIDs: StringColumn?,
                currency: [UInt8], currencies: [String], channel: [TransferChannel]) {
        self.layout = layout; self.name = name; self.secondsPerStep = secondsPerStep; self.accountIDs = accountIDs
        self.initialBalance = initialBalance; self.opened = opened; self.accountBank = accountBank; self.owners = owners
        self.banks = banks; self.source = source; self.target = target; self.amount = amount; self.time = time
        self.transferIDs = transferIDs; self.currency = currency; self.currencies = currencies; self.channel = channel
    }

    public var accountCount: Int { accountIDs.count }
    public var transferCount: Int { source.count }

    /// A transfer's name: the feed's id, or for AMLSim `tx<line>` (its line in transactions.csv, header = line 1).
    public func transferName(_ j: Int) -> String {
        if let ids = transferIDs { return ids[j] }
        return "tx\(j + 2)"
    }

    /// Account index by id (builds a dictionary: do it once and keep it).
    public func accountLookup() -> [String: Int32] {
        var d: [String: Int32] = [:]
        d.reserveCapacity(accountCount)
        for i in 0..<accountCount { d[accountIDs[i]] = Int32(i) }
        return d
    }

    /// Transfer index by name (the feed's id, or `tx<line>` for AMLSim).
    public func transferIndex(named name: String) -> Int? {
        if let ids = transferIDs { return ids.firstIndex(of: name) }
        guard name.hasPrefix("tx"), let line = Int(name.dropFirst(2)), line >= 2, line - 2 < transferCount else { return nil }
        return line - 2
    }

    public func bankName(ofAccount i: Int) -> String? {
        let b = accountBank[i]
        return b >= 0 ? banks[Int(b)] : nil
    }

    /// Approximate bytes held by the columns.
    public var memoryBytes: Int {
        accountIDs.memoryBytes + initialBalance.capacity * 4 + opened.capacity * 8 + accountBank.capacity * 4
            + (owners?.memoryBytes ?? 0) + source.capacity * 4 + target.capacity * 4 + amount.capacity * 8 + time.capacity * 8
            + (transferIDs?.memoryBytes ?? 0) + currency.capacity + channel.capacity
    }
}

/// A graph with what is known of its accounts: 1 = confirmed dropper (AMLSim `isFraud`), 0 = not, -1 = unknown.
/// Kept beside the graph, never inside it, so that features cannot see labels.
public struct LabeledGraph: Sendable {
    public var graph: TransactionGraph
    /// nil when the feed carries no labels at all.
    public var labels: [Int8]?
    public var intake: IntakeReport

    public init(graph: TransactionGraph, labels: [Int8]?, intake: IntakeReport) {
        self.graph = graph; self.labels = labels; self.intake = intake
    }

    public var labeledCount: Int { labels?.filter { $0 >= 0 }.count ?? 0 }
    public var positiveCount: Int { labels?.filter { $0 == 1 }.count ?? 0 }
}
