import AqylCore
import AqylKit
import AqylML
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Proactive screening: scores every household of a registry (member-level CSV in the model's schema) and lists the
/// likely-eligible ones that have no application. Streams the file (memory-mapped, the kit's strict CSV reader) in as
/// many slices as there are cores, each cut at a household boundary, and builds exactly the features
/// `HouseholdAggregator` builds (tests check that the features and probabilities match, quoted or not).
public struct Screening: Sendable {
    public struct Options: Sendable {
        /// Households with a calibrated probability at or above this are candidates (the model's threshold when nil).
        public var threshold: Double?
        /// Top reasons written for each candidate (path attribution, `ForestModel.explainPath`: exact TreeSHAP visits
        /// every node and is far too slow for millions of rows; the officer's view of an application uses TreeSHAP).
        public var reasons = 3
        public var threads = defaultThreadCount()
        /// Column whose value 1 marks a household that already applied (skipped when absent from the file).
        public var appliedColumn = "applied"
        /// Called with each household's id and feature row (in `model.featureNames` order) as it is built, from the
        /// screening threads; for tests and audits. Nil (the default) costs nothing.
        public var onFeatures: (@Sendable (String, [Float]) -> Void)?
        public init() {}
    }

    public struct Summary: Sendable, Codable {
        public var households: Int
        public var memberRows: Int
        public var candidates: Int
        public var alreadyApplied: Int
        public var rejected: [RowIssue]
        public var rejectedCount: Int
        public var seconds: Double
        public var peakMemoryMB: Double
        public var threshold: Double
        public var modelVersion: String
    }

    /// A base value read while streaming: member(column slot, 0 mean / 1 min / 2 max); household(slot among the head's columns).
    enum Source: Sendable, Equatable { case members, member(Int, Int), household(Int) }
    /// A model feature: a base value, or a derived one (index into the derived plan).
    enum Feature: Sendable { case source(Int), derived(Int) }

    public static func run(registry path: String, model: EligibilityModel, out: String, options: Options = Options(),
                           progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> Summary {
        let start = Date()
        let csv: CSVReader
        do { csv = try CSVReader(path: path) } catch { throw AqylError.invalid("registry", error.description) }
        let schema = model.schema
        let threshold = options.threshold ?? model.threshold
        let header = csv.header
        var index: [String: Int] = [:]
        for (i, h) in header.enumerated() where index[h] == nil { index[h] = i }
        func need(_ c: String, _ role: String) throws -> Int {
            guard let i = index[c] else { throw AqylError.invalid("registry", "\(path): the \(role) column '\(c)' is not in the header") }
            return i
        }
        let hidCol = try need(schema.householdId, "household id")
        let headCol = try need(schema.head.column, "head")
        let memberCols = try schema.memberColumns.map { try need($0, "member") }
        let appliedCol = index[options.appliedColumn]
        let regionCol = schema.regionColumn.flatMap { index[$0] }
        if !schema.valueMaps.isEmpty {
            throw AqylError.invalid("registry", "screening reads numbers only; this model's schema maps text values (value_maps) — export the registry with numbers")
        }
        // Base values (model features and the inputs of derived ones), each read once per household.
        var sources: [Source] = []
        var householdCols: [Int] = []
        func source(_ f: String) throws -> Int {
            let s: Source
            if f == "members" { s = .members }
            else if let slot = schema.memberColumns.firstIndex(where: { f == $0 + "_mean" || f == $0 + "_min" || f == $0 + "_max" }) {
                s = .member(slot, f.hasSuffix("_mean") ? 0 : f.hasSuffix("_min") ? 1 : 2)
            } else {
                let c = try need(f, "feature")
                if let slot = householdCols.firstIndex(of: c) { s = .household(slot) }
                else { householdCols.append(c); s = .household(householdCols.count - 1) }
            }
            if let k = sources.firstIndex(of: s) { return k }
            sources.append(s)
            return sources.count - 1
        }
        var plan: [Feature] = []
        var derivedPlan: [(formula: MemberSchema.Derived.Formula, inputs: [Int])] = []
        for f in model.featureNames {
            if let d = schema.derived.first(where: { $0.name == f }) {
                derivedPlan.append((d.formula, try d.inputs.map(source)))
                plan.append(.derived(derivedPlan.count - 1))
            } else {
                plan.append(.source(try source(f)))
            }
        }
        let headValue = Array(schema.head.equals.utf8)
        let positive = try EligibilityModel.positiveIndex(model.forest)
        let F = plan.count

        // Slices cut at record boundaries by the reader's quote-parity scan, the rows of a household kept together.
        let slices = csv.slices(max(1, min(options.threads, 64)), keepingTogether: hidCol)
        let T = slices.count

        struct Part { var rows = 0; var households = 0; var applied = 0; var candidates = 0; var out = ""; var issues: [RowIssue] = []; var issueCount = 0 }
        let parts = Slots<Part>(count: T)
        let failures = Slots<CSVError?>(count: T)
        let forest = model.forest
        let version = model.version
        let featureNames = model.featureNames
        let fplan = plan, hcols = householdCols, splan = sources, dplan = derivedPlan
        let onFeatures = options.onFeatures
        DispatchQueue.concurrentPerform(iterations: T) { t in
            var part = Part()
            let slice = slices[t]
            let M = memberCols.count
            // current household
            var curId: [UInt8] = []
            var curIdText = ""
            var count = 0
            var sum = [Float](repeating: 0, count: M), cnt = [Int](repeating: 0, count: M)
            var mn = [Float](repeating: 0, count: M), mx = [Float](repeating: 0, count: M)
            var headVals = [Float](repeating: .nan, count: hcols.count)
            var src = [Float](repeating: .nan, count: splan.count)
            var values = [Float](repeating: 0, count: M)
            var hasHead = false, applied = false
            var region = ""
            var firstLine = 0
            // batch
            let batchSize = 8192
            var matrix: [Float] = []
            matrix.reserveCapacity(batchSize * F)
            var batchIds: [String] = [], batchRegions: [String] = [], batchApplied: [Bool] = []
            let step = max(1, slice.range.count / 20)
            var nextReport = slice.range.lowerBound + step

            func flushBatch() {
                guard !batchIds.isEmpty else { return }
                var p = forest.predictProbabilities(matrix: matrix, threads: 1)
                if let cal = forest.calibrator { p = cal.apply(p) }
                for r in 0..<batchIds.count {
                    let prob = p[r, positive]
                    if batchApplied[r] { part.applied += 1; continue }
                    guard prob >= threshold else { continue }
                    part.candidates += 1
                    var line = "\(CSVWriter.escape(batchIds[r])),\(CSVWriter.escape(batchRegions[r])),\(String(format: "%.4f", prob)),\(version)"
                    if options.reasons > 0 {
                        let row = Array(matrix[(r * F)..<((r + 1) * F)])
                        let top = forest.explainPath(row: row).topReasons(forClass: positive, count: options.reasons)
                        for k in 0..<options.reasons {
                            if k < top.count {
                                let fi = featureNames.firstIndex(of: top[k].feature) ?? 0
                                let v = row[fi]
                                let vs = v.isNaN ? "unknown" : (v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v))
                                line += ",\(top[k].feature)=\(vs) (\(String(format: "%+.3f", top[k].contribution)))"
                            } else { line += "," }
                        }
                    }
                    part.out += line + "\n"
                }
                matrix.removeAll(keepingCapacity: true)
                batchIds.removeAll(keepingCapacity: true); batchRegions.removeAll(keepingCapacity: true)
                batchApplied.removeAll(keepingCapacity: true)
            }
            func finishHousehold() {
                guard count > 0 else { return }
                if !hasHead {
                    part.issueCount += 1
                    if part.issues.count < 100 {
                        part.issues.append(RowIssue(row: firstLine, column: schema.head.column,
                                                    reason: "household \(curIdText) has no head (\(schema.head.column) = \(schema.head.equals)); its \(count) rows are left out"))
                    }
                } else {
                    part.households += 1
                    for (k, s) in splan.enumerated() {
                        switch s {
                        case .members: src[k] = Float(count)
                        case .member(let j, let agg):
                            src[k] = cnt[j] == 0 ? .nan : agg == 0 ? sum[j] / Float(cnt[j]) : agg == 1 ? mn[j] : mx[j]
                        case .household(let slot): src[k] = headVals[slot]
                        }
                    }
                    let rowStart = matrix.count
                    for f in fplan {
                        switch f {
                        case .source(let k): matrix.append(src[k])
                        case .derived(let d):
                            let inputs = dplan[d].inputs
                            matrix.append(dplan[d].formula.value { src[inputs[$0]] })
                        }
                    }
                    if let onFeatures { onFeatures(curIdText, Array(matrix[rowStart...])) }
                    batchIds.append(curIdText); batchRegions.append(region); batchApplied.append(applied)
                    if batchIds.count >= batchSize { flushBatch() }
                }
                count = 0; hasHead = false; applied = false
                for j in 0..<M { sum[j] = 0; cnt[j] = 0 }
            }
            func reject(_ line: Int, _ column: String?, _ reason: String) {
                part.issueCount += 1
                if part.issues.count < 100 { part.issues.append(RowIssue(row: line, column: column, reason: reason)) }
            }
            do {
                try csv.forEachRow(in: slice, onRaggedRecord: { e in
                    part.rows += 1
                    reject(e.line ?? 0, nil, e.message)
                }) { row in
                    part.rows += 1
                    let idBytes = row.bytes(hidCol)
                    if idBytes.isEmpty { reject(row.line, schema.householdId, "household id is empty"); return }
                    if !idBytes.elementsEqual(curId) {
                        finishHousehold()
                        curId = Array(idBytes)
                        curIdText = row.string(hidCol)
                        firstLine = row.line
                    }
                    // member values
                    for (j, c) in memberCols.enumerated() {
                        guard let v = number(row, c) else {
                            reject(row.line, header[c], "'\(row.string(c).prefix(30))' is not a number")
                            return
                        }
                        values[j] = v
                    }
                    count += 1
                    for j in 0..<M where !values[j].isNaN {
                        let v = values[j]
                        if cnt[j] == 0 { mn[j] = v; mx[j] = v } else { mn[j] = min(mn[j], v); mx[j] = max(mx[j], v) }
                        sum[j] += v; cnt[j] += 1
                    }
                    if !hasHead && isHead(row, headCol, headValue, schema.head.equals) {
                        hasHead = true
                        for (k, c) in hcols.enumerated() { headVals[k] = number(row, c) ?? .nan }
                        if let ac = appliedCol { applied = number(row, ac) == 1 }
                        if let rc = regionCol { region = row.string(rc) }
                    }
                    if t == 0 && row.offset >= nextReport {
                        progress("screening: \(Int(Double(row.offset - slice.range.lowerBound) / Double(max(1, slice.range.count)) * 100))% of the first slice")
                        nextReport += step
                    }
                }
                finishHousehold()
                flushBatch()
                failures.set(t, nil)
            } catch {
                failures.set(t, error as? CSVError ?? CSVError(file: path, reason: .invalidValue, message: "\(error)"))
            }
            parts.set(t, part)
        }
        // A malformed file: the first slice that failed holds the error sequential reading meets first.
        if let failure = failures.values().compactMap({ $0 }).first { throw AqylError.invalid("registry", failure.description) }
        let done = parts.values()
        var issues: [RowIssue] = []
        for p in done { issues += p.issues }
        var outHeader = "household_id,region,probability,model_version"
        for k in 0..<options.reasons { outHeader += ",reason_\(k + 1)" }
        guard FileManager.default.createFile(atPath: out, contents: nil), let h = FileHandle(forWritingAtPath: out) else {
            throw AqylError.invalid("out", "cannot create \(out)")
        }
        defer { try? h.close() }
        try h.write(contentsOf: Data((outHeader + "\n").utf8))
        for p in done { try h.write(contentsOf: Data(p.out.utf8)) }
        return Summary(households: done.reduce(0) { $0 + $1.households }, memberRows: done.reduce(0) { $0 + $1.rows },
                       candidates: done.reduce(0) { $0 + $1.candidates }, alreadyApplied: done.reduce(0) { $0 + $1.applied },
                       rejected: issues, rejectedCount: done.reduce(0) { $0 + $1.issueCount }, seconds: Date().timeIntervalSince(start),
                       peakMemoryMB: Self.peakMemoryMB(), threshold: threshold, modelVersion: version)
    }

    /// A member value as training reads it (`HouseholdAggregator.number`): spaces around it ignored; empty or `NA`
    /// (any case) is missing (NaN); a finite number (`CSVNumber.double`) is the value; anything else is nil.
    @inline(__always)
    static func number(_ row: CSVRow, _ i: Int) -> Float? {
        if row.hasDoubledQuotes(i) { return nil }
        let b = row.bytes(i, trimmed: true)
        if b.isEmpty { return .nan }
        if let d = CSVNumber.double(b) { return d.isFinite ? Float(d) : nil }
        if b.count == 2 && b[0] | 0x20 == 0x6E && b[1] | 0x20 == 0x61 { return .nan }
        return nil
    }

    /// The head column holds the schema's head value (spaces around it ignored).
    @inline(__always)
    static func isHead(_ row: CSVRow, _ i: Int, _ value: [UInt8], _ text: String) -> Bool {
        if row.hasDoubledQuotes(i) { return row.string(i).trimmingCharacters(in: .whitespaces) == text }
        return row.bytes(i, trimmed: true).elementsEqual(value)
    }

    /// Peak resident memory of this process, MB (getrusage).
    public static func peakMemoryMB() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024
    }
}
