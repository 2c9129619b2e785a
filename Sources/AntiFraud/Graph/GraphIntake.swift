import AqylKit
import AqylML
import Foundation

/// Reads transaction graphs: the IBM AMLSim layout and the native bank feed (CSV or JSON).
///
/// AMLSim (`nodes.csv` + `transactions.csv`):
/// - `nodes.csv`: `nodeid` (required), `init_balance` (optional), `isFraud` (optional: the label). `fraudStep` is
///   derived from the label (the step of the account's laundering) and is never read; any other column is ignored
///   and named in the report's notes.
/// - `transactions.csv`: `sourceNodeId`, `targetNodeId`, `value`, `time` (a simulation step; taken as one day).
///
/// Native feed (`accounts.csv` + `transfers.csv`, or `accounts.json` + `transfers.json`, or one JSON file holding
/// `{"accounts": [...], "transfers": [...]}`):
/// - accounts: `account` (required), `owner` (pseudonym), `bank` (BIC or code), `opened` (ISO 8601 date or time),
///   `label` (optional 0/1: a confirmed dropper, for training).
/// - transfers: `id`, `from`, `to`, `amount`, `currency` (ISO 4217), `time` (ISO 8601 with a zone, or Unix
///   seconds), `channel` (see `TransferChannel.parse`).
///
/// Every row that breaks a rule is left out and reported with its file, line and column (CSV) or field path (JSON);
/// a transfer that names an unknown (or rejected) account is rejected too. Nothing is repaired by guessing.
public enum GraphIntake {
    public struct Options: Sendable {
        /// Worker threads for parsing.
        public var threads = defaultThreadCount()
        /// Seconds per AMLSim step.
        public var amlsimStepSeconds: Double = 86400
        public init() {}
    }

    /// Loads `path`: a folder in either layout, or one native JSON file.
    public static func load(_ path: String, options: Options = Options()) throws(IntakeError) -> LabeledGraph {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw IntakeError(file: path, "no such file or folder")
        }
        if !isDir.boolValue {
            guard path.lowercased().hasSuffix(".json") else {
                throw IntakeError(file: path, "expected a folder (AMLSim or native feed) or a native .json feed file")
            }
            return try NativeJSONIntake.load(file: path, options: options)
        }
        func has(_ f: String) -> Bool { fm.fileExists(atPath: (path as NSString).appendingPathComponent(f)) }
        if has("nodes.csv") && has("transactions.csv") { return try AMLSimIntake.load(dir: path, options: options) }
        if has("accounts.csv") && has("transfers.csv") { return try NativeCSVIntake.load(dir: path, options: options) }
        if has("accounts.json") && has("transfers.json") { return try NativeJSONIntake.load(dir: path, options: options) }
        throw IntakeError(file: path, "the folder holds neither nodes.csv + transactions.csv (AMLSim) nor accounts + transfers (.csv or .json, native feed)")
    }

    /// Name of a graph for messages: the last path component.
    static func displayName(_ path: String) -> String {
        let s = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
        return s.isEmpty ? path : s
    }
}

/// Per-chunk transfer columns before they are joined.
struct TransferPart: Sendable {
    var source: [Int32] = []
    var target: [Int32] = []
    var amount: [Double] = []
    var time: [Double] = []
    var ids = StringColumn()
    var currency: [String] = []
    var channel: [TransferChannel] = []
    /// Native feed: the CSV line (or JSON array index) of each kept transfer, to name duplicates.
    var refs: [Int] = []
    var issues: [IntakeIssue] = []
    var rejected = 0
}

enum AMLSimIntake {
    static func load(dir: String, options: GraphIntake.Options) throws(IntakeError) -> LabeledGraph {
        let nodesPath = (dir as NSString).appendingPathComponent("nodes.csv")
        let txPath = (dir as NSString).appendingPathComponent("transactions.csv")
        let nodesFile = GraphIntake.displayName(dir) + "/nodes.csv", txFile = GraphIntake.displayName(dir) + "/transactions.csv"
        var report = IntakeReport()
        report.files = [nodesPath, txPath]

        // nodes
        let nodes = try GraphCSV.read(path: nodesPath, file: nodesFile, threads: options.threads) { $0 }
        let nc = CSVColumns(header: nodes.header, file: nodesFile)
        let idCol = try nc.require(["nodeid", "node_id", "id"])
        let balCol = nc.find(["init_balance", "initial_balance"])
        let fraudCol = nc.find(["isFraud", "is_fraud"])
        let known = Set([idCol, balCol, fraudCol].compactMap { $0 })
        if let i = nc.find(["fraudStep", "fraud_step"]) {
            report.notes.append("nodes.csv column '\(nodes.header[i])' is derived from the label and is never read (not a feature)")
        }
        let ignored = nodes.header.indices.filter { !known.contains($0) && !["fraudstep", "fraud_step"].contains(nodes.header[$0].lowercased()) }
        if !ignored.isEmpty { report.notes.append("nodes.csv columns ignored: \(ignored.map { nodes.header[$0] }.joined(separator: ", "))") }
        report.notes.append("AMLSim has no banks, regions, channels, currencies or opening dates: errors by bank cannot be reported and no transfer is an exit")
        report.notes.append("AMLSim times are simulation steps, taken as one day (\(Int(options.amlsimStepSeconds)) s) each")
        report.add(contentsOf: nodes.malformed)
        report.accountsRejected += nodes.malformed.count

        var ids = StringColumn(), balance: [Float] = [], labels: [Int8] = []
        var lookup: [String: Int32] = [:]
        let width = nodes.header.count
        for part in nodes.parts {
            for r in part {
                report.accountsRead += 1
                func reject(_ col: Int?, _ why: String) {
                    report.add(IntakeIssue(file: nodesFile, line: r.line, column: col.map { nodes.header[$0] }, reason: why))
                    report.accountsRejected += 1
                }
                guard r.fields.count == width else { reject(nil, "expected \(width) fields, found \(r.fields.count)"); continue }
                let id = r.fields[idCol].trimmed
                guard !id.isEmpty else { reject(idCol, "the node id is empty"); continue }
                guard lookup[id] == nil else { reject(idCol, "node '\(id)' appears twice (first kept)"); continue }
                var bal = Float.nan
                if let b = balCol {
                    let s = r.fields[b].trimmed
                    if !s.isEmpty {
                        guard let v = Double(s), v.isFinite else { reject(b, "'\(s)' is not a number"); continue }
                        bal = Float(v)
                    }
                }
                var label: Int8 = -1
                if let f = fraudCol {
                    let s = r.fields[f]
                    if !s.trimmed.isEmpty {
                        guard let v = FeedValues.parseFlag(s) else { reject(f, "'\(s)' is not 0/1/true/false"); continue }
                        label = v
                    }
                }
                lookup[id] = Int32(ids.count)
                ids.append(id); balance.append(bal); labels.append(label)
            }
        }

        // transactions
        let tx = try GraphCSV.read(data: NativeCSVIntake.firstLine(txPath, file: txFile), file: txFile, threads: 1) { _ in 0 }
        let tc = CSVColumns(header: tx.header, file: txFile)
        let sCol = try tc.require(["sourceNodeId", "source", "src"]), tCol = try tc.require(["targetNodeId", "target", "dst"])
        let vCol = try tc.require(["value", "amount"]), timeCol = try tc.require(["time", "step"])
        let header = tx.header
        let step = options.amlsimStepSeconds
        let dict = lookup
        let parsed = try GraphCSV.read(path: txPath, file: txFile, threads: options.threads) { records -> TransferPart in
            var p = TransferPart()
            p.source.reserveCapacity(records.count); p.target.reserveCapacity(records.count)
            p.amount.reserveCapacity(records.count); p.time.reserveCapacity(records.count)
            for r in records {
                func reject(_ col: Int?, _ why: String) {
                    p.issues.append(IntakeIssue(file: txFile, line: r.line, column: col.map { header[$0] }, reason: why))
                    p.rejected += 1
                }
                guard r.fields.count == header.count else { reject(nil, "expected \(header.count) fields, found \(r.fields.count)"); continue }
                let s = r.fields[sCol].trimmed, t = r.fields[tCol].trimmed
                guard let si = dict[s] else { reject(sCol, "unknown account '\(s)' (not in nodes.csv, or its row was rejected)"); continue }
                guard let ti = dict[t] else { reject(tCol, "unknown account '\(t)' (not in nodes.csv, or its row was rejected)"); continue }
                let amount: Double
                switch FeedValues.parseAmount(r.fields[vCol]) {
                case .success(let v): amount = v
                case .failure(let e): reject(vCol, "'\(r.fields[vCol])': \(e)"); continue
                }
                let ts = r.fields[timeCol].trimmed
                guard let st = Double(ts), st.isFinite, st >= 0 else { reject(timeCol, "'\(ts)' is not a step number"); continue }
                p.source.append(si); p.target.append(ti); p.amount.append(amount); p.time.append(st * step)
            }
            return p
        }
        report.add(contentsOf: parsed.malformed)
        report.transfersRejected += parsed.malformed.count
        var g = TransactionGraph(layout: .amlsim, name: GraphIntake.displayName(dir), secondsPerStep: step, accountIDs: ids,
                                 initialBalance: balance, opened: [Double](repeating: .nan, count: ids.count),
                                 accountBank: [Int32](repeating: -1, count: ids.count), owners: nil, banks: [],
                                 source: [], target: [], amount: [], time: [], transferIDs: nil, currency: [],
                                 currencies: ["XXX"], channel: [])
        join(parsed.parts, into: &g, report: &report)
        g.currency = [UInt8](repeating: 0, count: g.source.count)
        g.channel = [TransferChannel](repeating: .transfer, count: g.source.count)
        report.notes.append("AMLSim amounts carry no currency (recorded as XXX)")
        let hasLabels = fraudCol != nil
        return LabeledGraph(graph: g, labels: hasLabels ? labels : nil, intake: report)
    }

    static func join(_ parts: [TransferPart], into g: inout TransactionGraph, report: inout IntakeReport) {
        let total = parts.reduce(0) { $0 + $1.source.count }
        g.source.reserveCapacity(total); g.target.reserveCapacity(total); g.amount.reserveCapacity(total); g.time.reserveCapacity(total)
        for p in parts {
            g.source += p.source; g.target += p.target; g.amount += p.amount; g.time += p.time
            report.transfersRead += p.source.count + p.rejected
            report.transfersRejected += p.rejected
            report.add(contentsOf: p.issues)
        }
    }
}

/// Shared rules of the native feed, whichever the file format.
struct NativeRules {
    var currencies: [String] = []
    var currencyIndex: [String: UInt8] = [:]
    var banks: [String] = []
    var bankIndex: [String: Int32] = [:]

    static func validCurrency(_ c: String) -> Bool {
        c.utf8.count == 3 && c.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    mutating func currencyCode(_ c: String) -> UInt8? {
        if let i = currencyIndex[c] { return i }
        guard currencies.count < 255 else { return nil }
        currencyIndex[c] = UInt8(currencies.count)
        currencies.append(c)
        return UInt8(currencies.count - 1)
    }

    mutating func bankCode(_ b: String) -> Int32 {
        if b.isEmpty { return -1 }
        if let i = bankIndex[b] { return i }
        bankIndex[b] = Int32(banks.count)
        banks.append(b)
        return Int32(banks.count - 1)
    }

    static let channelHelp = "accepted: transfer, payment, cash_out, cash_in, crypto, international, other (and the synonyms in the documentation)"
}

enum NativeCSVIntake {
    static func load(dir: String, options: GraphIntake.Options) throws(IntakeError) -> LabeledGraph {
        let aPath = (dir as NSString).appendingPathComponent("accounts.csv")
        let tPath = (dir as NSString).appendingPathComponent("transfers.csv")
        let name = GraphIntake.displayName(dir)
        let aFile = name + "/accounts.csv", tFile = name + "/transfers.csv"
        var report = IntakeReport()
        report.files = [aPath, tPath]
        var rules = NativeRules()

        let acc = try GraphCSV.read(path: aPath, file: aFile, threads: options.threads) { $0 }
        let ac = CSVColumns(header: acc.header, file: aFile)
        let idCol = try ac.require(["account", "account_id", "id"])
        let ownerCol = ac.find(["owner", "owner_pseudonym", "owner_id"]), bankCol = ac.find(["bank", "bank_bic", "bic"])
        let openedCol = ac.find(["opened", "opened_at", "open_date"]), labelCol = ac.find(["label", "is_dropper", "isFraud"])
        report.add(contentsOf: acc.malformed)
        report.accountsRejected += acc.malformed.count
        var ids = StringColumn(), owners = StringColumn(), opened: [Double] = [], bank: [Int32] = [], labels: [Int8] = []
        var lookup: [String: Int32] = [:]
        for part in acc.parts {
            for r in part {
                report.accountsRead += 1
                func reject(_ col: Int?, _ why: String) {
                    report.add(IntakeIssue(file: aFile, line: r.line, column: col.map { acc.header[$0] }, reason: why))
                    report.accountsRejected += 1
                }
                guard r.fields.count == acc.header.count else { reject(nil, "expected \(acc.header.count) fields, found \(r.fields.count)"); continue }
                let id = r.fields[idCol].trimmed
                guard !id.isEmpty else { reject(idCol, "the account is empty"); continue }
                guard lookup[id] == nil else { reject(idCol, "account '\(id)' appears twice (first kept)"); continue }
                var op = Double.nan
                if let c = openedCol, !r.fields[c].trimmed.isEmpty {
                    switch FeedValues.parseTime(r.fields[c], allowDateOnly: true) {
                    case .success(let t): op = t
                    case .failure(let e): reject(c, "'\(r.fields[c])': \(e)"); continue
                    }
                }
                var label: Int8 = -1
                if let c = labelCol, !r.fields[c].trimmed.isEmpty {
                    guard let v = FeedValues.parseFlag(r.fields[c]) else { reject(c, "'\(r.fields[c])' is not 0/1/true/false"); continue }
                    label = v
                }
                lookup[id] = Int32(ids.count)
                ids.append(id)
                owners.append(ownerCol.map { r.fields[$0].trimmed } ?? "")
                bank.append(rules.bankCode(bankCol.map { r.fields[$0].trimmed } ?? ""))
                opened.append(op); labels.append(label)
            }
        }

        let probe = try GraphCSV.read(data: firstLine(tPath, file: tFile), file: tFile, threads: 1) { _ in 0 }
        let tc = CSVColumns(header: probe.header, file: tFile)
        let idT = try tc.require(["id", "transfer_id"]), fromC = try tc.require(["from", "from_account", "source"])
        let toC = try tc.require(["to", "to_account", "target"]), amountC = try tc.require(["amount", "value"])
        let timeC = try tc.require(["time", "timestamp", "at"])
        let curC = tc.find(["currency"]), chC = tc.find(["channel"])
        if curC == nil { report.notes.append("transfers.csv has no currency column: amounts recorded as currency XXX (unknown)") }
        if chC == nil { report.notes.append("transfers.csv has no channel column: every transfer is a plain transfer, so no exit is known") }
        let header = probe.header
        let dict = lookup
        let parsed = try GraphCSV.read(path: tPath, file: tFile, threads: options.threads) { records -> TransferPart in
            var p = TransferPart()
            for r in records {
                func reject(_ col: Int?, _ why: String) {
                    p.issues.append(IntakeIssue(file: tFile, line: r.line, column: col.map { header[$0] }, reason: why))
                    p.rejected += 1
                }
                guard r.fields.count == header.count else { reject(nil, "expected \(header.count) fields, found \(r.fields.count)"); continue }
                let row = NativeRow(id: r.fields[idT], from: r.fields[fromC], to: r.fields[toC], amount: r.fields[amountC],
                                    time: r.fields[timeC], currency: curC.map { r.fields[$0] }, channel: chC.map { r.fields[$0] })
                switch row.check(dict) {
                case .failure(let e):
                    let col: Int? = switch e.field {
                    case .id: idT
                    case .from: fromC
                    case .to: toC
                    case .amount: amountC
                    case .time: timeC
                    case .currency: curC
                    case .channel: chC
                    }
                    reject(col, e.reason)
                case .success(let v):
                    p.source.append(v.from); p.target.append(v.to); p.amount.append(v.amount); p.time.append(v.time)
                    p.ids.append(v.id); p.currency.append(v.currency); p.channel.append(v.channel); p.refs.append(r.line)
                }
            }
            return p
        }
        report.add(contentsOf: parsed.malformed)
        report.transfersRejected += parsed.malformed.count
        return try finish(name: name, ids: ids, owners: owners, opened: opened, bank: bank, labels: labels, labelColumn: labelCol != nil,
                          parts: parsed.parts, rules: &rules, report: &report, file: tFile)
    }

    /// The header line of a CSV file (to learn its columns before the parallel pass).
    static func firstLine(_ path: String, file: String) throws(IntakeError) -> Data {
        guard let h = FileHandle(forReadingAtPath: path) else { throw IntakeError(file: file, "cannot read the file") }
        defer { try? h.close() }
        var out = Data()
        while true {
            guard let d = try? h.read(upToCount: 65536), !d.isEmpty else { break }
            if let nl = d.firstIndex(of: 0x0A) { out.append(d[d.startIndex...nl]); break }
            out.append(d)
            if out.count > 1 << 20 { break }
        }
        return out
    }

    /// Joins chunk parts, rejects duplicate transfer ids (the first is kept) and builds the graph.
    static func finish(name: String, ids: StringColumn, owners: StringColumn, opened: [Double], bank: [Int32], labels: [Int8],
                       labelColumn: Bool, parts: [TransferPart], rules: inout NativeRules, report: inout IntakeReport,
                       file: String, json: Bool = false) throws(IntakeError) -> LabeledGraph {
        var g = TransactionGraph(layout: .native, name: name, secondsPerStep: 1, accountIDs: ids,
                                 initialBalance: [Float](repeating: .nan, count: ids.count), opened: opened, accountBank: bank,
                                 owners: owners, banks: [], source: [], target: [], amount: [], time: [], transferIDs: StringColumn(),
                                 currency: [], currencies: [], channel: [])
        var seen = Set<String>()
        var tids = StringColumn()
        for p in parts {
            report.transfersRead += p.source.count + p.rejected
            report.transfersRejected += p.rejected
            report.add(contentsOf: p.issues)
            for k in 0..<p.source.count {
                let id = p.ids[k]
                guard seen.insert(id).inserted else {
                    let ref = k < p.refs.count ? p.refs[k] : 0
                    report.add(json ? IntakeIssue(file: file, column: "transfers[\(ref)].id", reason: "transfer id '\(id)' appears twice (first kept)")
                                    : IntakeIssue(file: file, line: ref, column: "id", reason: "transfer id '\(id)' appears twice (first kept)"))
                    report.transfersRejected += 1
                    continue
                }
                guard let c = rules.currencyCode(p.currency[k]) else {
                    report.add(IntakeIssue(file: file, column: "currency", reason: "more than 255 currencies"))
                    report.transfersRejected += 1
                    continue
                }
                g.source.append(p.source[k]); g.target.append(p.target[k]); g.amount.append(p.amount[k]); g.time.append(p.time[k])
                tids.append(id); g.currency.append(c); g.channel.append(p.channel[k])
            }
        }
        g.transferIDs = tids
        g.currencies = rules.currencies
        g.banks = rules.banks
        if g.currencies.isEmpty { g.currencies = ["XXX"] }
        if !g.opened.contains(where: { !$0.isNaN }) {
            report.notes.append("no account has an opening date: account age is measured from its first transfer in the feed")
        }
        if g.banks.isEmpty { report.notes.append("no account has a bank: errors by bank cannot be reported and no bank is foreign") }
        return LabeledGraph(graph: g, labels: labelColumn ? labels : nil, intake: report)
    }
}

/// One native transfer's raw values, checked the same way for CSV and JSON.
struct NativeRow {
    enum Field { case id, from, to, amount, time, currency, channel }
    struct Valid {
        var id: String, from: Int32, to: Int32, amount: Double, time: Double, currency: String, channel: TransferChannel
    }
    var id: String, from: String, to: String, amount: String, time: String, currency: String?, channel: String?

    func check(_ accounts: [String: Int32]) -> Result<Valid, NativeRowError> {
        let id = self.id.trimmed
        guard !id.isEmpty else { return .failure(NativeRowError(.id, "the transfer id is empty")) }
        let f = from.trimmed, t = to.trimmed
        guard let fi = accounts[f] else { return .failure(NativeRowError(.from, "unknown account '\(f)' (not in accounts, or its row was rejected)")) }
        guard let ti = accounts[t] else { return .failure(NativeRowError(.to, "unknown account '\(t)' (not in accounts, or its row was rejected)")) }
        let a: Double
        switch FeedValues.parseAmount(amount) {
        case .success(let v): a = v
        case .failure(let e): return .failure(NativeRowError(.amount, "'\(amount)': \(e)"))
        }
        let tm: Double
        switch FeedValues.parseTime(time) {
        case .success(let v): tm = v
        case .failure(let e): return .failure(NativeRowError(.time, "'\(time)': \(e)"))
        }
        var cur = "XXX"
        if let c = currency {
            cur = c.trimmed.uppercased()
            guard NativeRules.validCurrency(cur) else { return .failure(NativeRowError(.currency, "'\(c)' is not an ISO 4217 code such as KZT")) }
        }
        var ch = TransferChannel.transfer
        if let c = channel {
            guard let v = TransferChannel.parse(c.trimmed) else {
                return .failure(NativeRowError(.channel, "unknown channel '\(c)' (\(NativeRules.channelHelp))"))
            }
            ch = v
        }
        return .success(Valid(id: id, from: fi, to: ti, amount: a, time: tm, currency: cur, channel: ch))
    }
}

struct NativeRowError: Error {
    var field: NativeRow.Field
    var reason: String
    init(_ f: NativeRow.Field, _ r: String) { field = f; reason = r }
}

enum NativeJSONIntake {
    static func load(dir: String, options: GraphIntake.Options) throws(IntakeError) -> LabeledGraph {
        let a = (dir as NSString).appendingPathComponent("accounts.json"), t = (dir as NSString).appendingPathComponent("transfers.json")
        let name = GraphIntake.displayName(dir)
        let accounts = try array(try object(a, file: name + "/accounts.json"), key: "accounts", file: name + "/accounts.json")
        let transfers = try array(try object(t, file: name + "/transfers.json"), key: "transfers", file: name + "/transfers.json")
        return try build(name: name, accounts: accounts, aFile: name + "/accounts.json", transfers: transfers,
                         tFile: name + "/transfers.json", files: [a, t])
    }

    static func load(file: String, options: GraphIntake.Options) throws(IntakeError) -> LabeledGraph {
        let name = GraphIntake.displayName(file)
        let root = try object(file, file: name)
        guard let dict = root as? [String: Any] else {
            throw IntakeError(file: name, "expected an object with 'accounts' and 'transfers' arrays")
        }
        let accounts = try array(dict, key: "accounts", file: name, required: true)
        let transfers = try array(dict, key: "transfers", file: name, required: true)
        return try build(name: name, accounts: accounts, aFile: name, transfers: transfers, tFile: name, files: [file])
    }

    static func object(_ path: String, file: String) throws(IntakeError) -> Any {
        guard let data = FileManager.default.contents(atPath: path) else { throw IntakeError(file: file, "cannot read the file") }
        do { return try JSONSerialization.jsonObject(with: data) } catch {
            throw IntakeError(file: file, "not valid JSON: \(error.localizedDescription)")
        }
    }

    /// A bare array, or the array under `key` of an object.
    static func array(_ root: Any, key: String, file: String, required: Bool = false) throws(IntakeError) -> [Any] {
        if !required, let a = root as? [Any] { return a }
        if let d = root as? [String: Any], let a = d[key] as? [Any] { return a }
        throw IntakeError(file: file, column: key, "expected an array '\(key)'\(required ? "" : " (or a bare array)")")
    }

    /// A JSON value as text: strings as they are, numbers in their shortest form; nil for null or absent.
    static func text(_ v: Any?) -> String? {
        switch v {
        case nil, is NSNull: return nil
        case let s as String: return s
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }  // JSON true/false
            let d = n.doubleValue
            if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
            return String(d)
        default: return nil
        }
    }

    static func build(name: String, accounts: [Any], aFile: String, transfers: [Any], tFile: String,
                      files: [String]) throws(IntakeError) -> LabeledGraph {
        var report = IntakeReport()
        report.files = files
        var rules = NativeRules()
        var ids = StringColumn(), owners = StringColumn(), opened: [Double] = [], bank: [Int32] = [], labels: [Int8] = []
        var lookup: [String: Int32] = [:]
        var anyLabel = false
        let accountKeys: Set<String> = ["account", "owner", "bank", "opened", "label"]
        for (i, item) in accounts.enumerated() {
            report.accountsRead += 1
            let path = "accounts[\(i)]"
            func reject(_ field: String?, _ why: String) {
                report.add(IntakeIssue(file: aFile, column: field.map { "\(path).\($0)" } ?? path, reason: why))
                report.accountsRejected += 1
            }
            guard let o = item as? [String: Any] else { reject(nil, "expected an object"); continue }
            if let extra = o.keys.sorted().first(where: { !accountKeys.contains($0) }) { reject(extra, "unknown field (accepted: account, owner, bank, opened, label)"); continue }
            guard let id = text(o["account"])?.trimmed, !id.isEmpty else { reject("account", "required, a non-empty string"); continue }
            guard lookup[id] == nil else { reject("account", "account '\(id)' appears twice (first kept)"); continue }
            var op = Double.nan
            if let s = text(o["opened"]) {
                switch FeedValues.parseTime(s, allowDateOnly: true) {
                case .success(let t): op = t
                case .failure(let e): reject("opened", "'\(s)': \(e)"); continue
                }
            }
            var label: Int8 = -1
            if let s = text(o["label"]) {
                guard let v = FeedValues.parseFlag(s) else { reject("label", "'\(s)' is not 0/1/true/false"); continue }
                label = v; anyLabel = true
            }
            lookup[id] = Int32(ids.count)
            ids.append(id); owners.append(text(o["owner"]) ?? ""); bank.append(rules.bankCode(text(o["bank"]) ?? ""))
            opened.append(op); labels.append(label)
        }
        var part = TransferPart()
        let transferKeys: Set<String> = ["id", "from", "to", "amount", "currency", "time", "channel"]
        for (i, item) in transfers.enumerated() {
            let path = "transfers[\(i)]"
            func reject(_ field: String?, _ why: String) {
                part.issues.append(IntakeIssue(file: tFile, column: field.map { "\(path).\($0)" } ?? path, reason: why))
                part.rejected += 1
            }
            guard let o = item as? [String: Any] else { reject(nil, "expected an object"); continue }
            if let extra = o.keys.sorted().first(where: { !transferKeys.contains($0) }) {
                reject(extra, "unknown field (accepted: id, from, to, amount, currency, time, channel)"); continue
            }
            var missing: String?
            for k in ["id", "from", "to", "amount", "time"] where text(o[k]) == nil { missing = k; break }
            if let m = missing { reject(m, "required"); continue }
            let row = NativeRow(id: text(o["id"])!, from: text(o["from"])!, to: text(o["to"])!, amount: text(o["amount"])!,
                                time: text(o["time"])!, currency: o["currency"] == nil ? nil : (text(o["currency"]) ?? ""),
                                channel: o["channel"] == nil ? nil : (text(o["channel"]) ?? ""))
            switch row.check(lookup) {
            case .failure(let e):
                let f: String = switch e.field {
                case .id: "id"
                case .from: "from"
                case .to: "to"
                case .amount: "amount"
                case .time: "time"
                case .currency: "currency"
                case .channel: "channel"
                }
                reject(f, e.reason)
            case .success(let v):
                part.source.append(v.from); part.target.append(v.to); part.amount.append(v.amount); part.time.append(v.time)
                part.ids.append(v.id); part.currency.append(v.currency); part.channel.append(v.channel); part.refs.append(i)
            }
        }
        return try NativeCSVIntake.finish(name: name, ids: ids, owners: owners, opened: opened, bank: bank, labels: labels,
                                          labelColumn: anyLabel, parts: [part], rules: &rules, report: &report, file: tFile, json: true)
    }
}
