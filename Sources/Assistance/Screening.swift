import AqylCore
import AqylML
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Proactive screening: scores every household of a registry (member-level CSV in the model's schema) and lists the
/// likely-eligible ones that have no application. Streams the file (memory-mapped) in as many slices as there are
/// cores, each cut at a household boundary, and builds exactly the features `HouseholdAggregator` builds (a test
/// checks that the probabilities match).
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
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw AqylError.invalid("registry", "cannot read \(path)")
        }
        let schema = model.schema
        let threshold = options.threshold ?? model.threshold
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Summary in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            guard n > 0 else { throw AqylError.invalid("registry", "\(path) is empty") }
            // Header.
            var headerEnd = 0
            while headerEnd < n && bytes[headerEnd] != 10 { headerEnd += 1 }
            var headerText = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<headerEnd]), as: UTF8.self)
            if headerText.hasSuffix("\r") { headerText.removeLast() }
            if headerText.hasPrefix("\u{FEFF}") { headerText.removeFirst() }
            let header = headerText.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            var index: [String: Int] = [:]
            for (i, h) in header.enumerated() {
                if index[h] != nil { throw AqylError.invalid("registry", "\(path): column '\(h)' appears twice in the header") }
                index[h] = i
            }
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

            // Slices cut at household boundaries.
            let T = max(1, min(options.threads, 64))
            var cuts = [headerEnd + 1]
            for t in 1..<T {
                var p = max(cuts[t - 1], (headerEnd + 1) + (n - headerEnd - 1) * t / T)
                while p < n && bytes[p - 1] != 10 { p += 1 }   // start of a line
                // advance while the household id equals the previous line's
                func idAt(_ lineStart: Int) -> ArraySlice<UInt8>? {
                    guard lineStart < n else { return nil }
                    var field = 0, s = lineStart, i = lineStart
                    while i < n && bytes[i] != 10 {
                        if bytes[i] == 44 { if field == hidCol { break }; field += 1; s = i + 1 }
                        i += 1
                    }
                    return field == hidCol ? Array(UnsafeBufferPointer(rebasing: bytes[s..<i]))[...] : nil
                }
                var prev = p - 1
                while prev > cuts[t - 1] && bytes[prev - 1] != 10 { prev -= 1 }
                let prevId = prev >= cuts[t - 1] ? idAt(prev) : nil
                while p < n, let id = idAt(p), id == prevId {
                    while p < n && bytes[p] != 10 { p += 1 }
                    p += 1
                }
                cuts.append(min(p, n))
            }
            cuts.append(n)

            struct Part { var lines = 0; var households = 0; var applied = 0; var candidates = 0; var out = ""; var issues: [RowIssue] = []; var issueCount = 0 }
            var parts = [Part](repeating: Part(), count: T)
            let forest = model.forest
            let version = model.version
            let featureNames = model.featureNames
            let sliceCuts = cuts
            nonisolated(unsafe) let buf = bytes
            let fplan = plan, hcols = householdCols, splan = sources, dplan = derivedPlan
            let onFeatures = options.onFeatures
            parts.withUnsafeMutableBufferPointer { pp in
                nonisolated(unsafe) let partsPtr = pp.baseAddress!
                DispatchQueue.concurrentPerform(iterations: T) { t in
                    var part = Part()
                    let lo = sliceCuts[t], hi = sliceCuts[t + 1]
                    let M = memberCols.count
                    var fieldStart = [Int](repeating: 0, count: header.count + 1)
                    var fieldEnd = [Int](repeating: 0, count: header.count + 1)
                    // current household
                    var curId: [UInt8] = []
                    var count = 0
                    var sum = [Float](repeating: 0, count: M), cnt = [Int](repeating: 0, count: M)
                    var mn = [Float](repeating: 0, count: M), mx = [Float](repeating: 0, count: M)
                    var headVals = [Float](repeating: .nan, count: hcols.count)
                    var src = [Float](repeating: .nan, count: splan.count)
                    var hasHead = false, applied = false
                    var region = ""
                    var firstLine = 0
                    // batch
                    let batchSize = 8192
                    var matrix: [Float] = []
                    matrix.reserveCapacity(batchSize * F)
                    var batchIds: [String] = [], batchRegions: [String] = [], batchApplied: [Bool] = []
                    let step = max(1, (hi - lo) / 20)
                    var nextReport = lo + step

                    func flushBatch() {
                        guard !batchIds.isEmpty else { return }
                        var p = forest.predictProbabilities(matrix: matrix, threads: 1)
                        if let cal = forest.calibrator { p = cal.apply(p) }
                        for r in 0..<batchIds.count {
                            let prob = p[r, positive]
                            if batchApplied[r] { part.applied += 1; continue }
                            guard prob >= threshold else { continue }
                            part.candidates += 1
                            var line = "\(CSVReader.escape(batchIds[r])),\(CSVReader.escape(batchRegions[r])),\(String(format: "%.4f", prob)),\(version)"
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
                        let id = String(decoding: curId, as: UTF8.self)
                        if !hasHead {
                            part.issueCount += 1
                            if part.issues.count < 100 {
                                part.issues.append(RowIssue(row: firstLine, column: schema.head.column,
                                                            reason: "household \(id) has no head (\(schema.head.column) = \(schema.head.equals)); its \(count) rows are left out"))
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
                            if let onFeatures { onFeatures(id, Array(matrix[rowStart...])) }
                            batchIds.append(id); batchRegions.append(region); batchApplied.append(applied)
                            if batchIds.count >= batchSize { flushBatch() }
                        }
                        count = 0; hasHead = false; applied = false
                        for j in 0..<M { sum[j] = 0; cnt[j] = 0 }
                    }
                    func parseFloat(_ s: Int, _ e: Int) -> Float? {   // nil = not a number; NaN = missing
                        var a = s, b = e
                        while a < b && buf[a] == 32 { a += 1 }
                        while b > a && (buf[b - 1] == 32 || buf[b - 1] == 13) { b -= 1 }
                        if a == b { return .nan }
                        var i = a, neg = false
                        if buf[i] == 45 { neg = true; i += 1 } else if buf[i] == 43 { i += 1 }
                        var v: Double = 0, digits = 0
                        while i < b, buf[i] >= 48, buf[i] <= 57 { v = v * 10 + Double(buf[i] - 48); i += 1; digits += 1 }
                        if i < b && buf[i] == 46 {
                            i += 1
                            var scale = 0.1
                            while i < b, buf[i] >= 48, buf[i] <= 57 { v += Double(buf[i] - 48) * scale; scale *= 0.1; i += 1; digits += 1 }
                        }
                        if i == b && digits > 0 { return Float(neg ? -v : v) }
                        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[a..<b]), as: UTF8.self)
                        if text.uppercased() == "NA" { return .nan }
                        if let d = Double(text), d.isFinite { return Float(d) }
                        return nil
                    }

                    var pos = lo
                    while pos < hi {
                        var end = pos
                        while end < hi && buf[end] != 10 { end += 1 }
                        part.lines += 1
                        let lineNo = part.lines   // relative; fixed up after
                        defer { pos = end + 1 }
                        if end == pos || (end == pos + 1 && buf[pos] == 13) { continue }
                        // split fields
                        var nf = 0, s = pos, quoted = false
                        for i in pos..<end where buf[i] == 44 || buf[i] == 34 {
                            if buf[i] == 34 { quoted = true; break }
                            if nf < header.count { fieldStart[nf] = s; fieldEnd[nf] = i }
                            nf += 1; s = i + 1
                        }
                        if nf < header.count { fieldStart[nf] = s; fieldEnd[nf] = end }
                        nf += 1
                        func reject(_ column: String?, _ reason: String) {
                            part.issueCount += 1
                            if part.issues.count < 100 { part.issues.append(RowIssue(row: -lineNo, column: column, reason: reason)) }
                        }
                        if quoted { reject(nil, "quoted fields are not supported by screening; export the registry without quotes"); continue }
                        guard nf == header.count else { reject(nil, "has \(nf) fields but the header has \(header.count)"); continue }
                        let idSlice = UnsafeBufferPointer(rebasing: buf[fieldStart[hidCol]..<fieldEnd[hidCol]])
                        if idSlice.isEmpty { reject(schema.householdId, "household id is empty"); continue }
                        if !idSlice.elementsEqual(curId) {
                            finishHousehold()
                            curId = Array(idSlice)
                            firstLine = -lineNo
                        }
                        // member values
                        var values = [Float](repeating: 0, count: M)
                        var bad = false
                        for (j, c) in memberCols.enumerated() {
                            guard let v = parseFloat(fieldStart[c], fieldEnd[c]) else {
                                reject(header[c], "'\(String(decoding: UnsafeBufferPointer(rebasing: buf[fieldStart[c]..<fieldEnd[c]]), as: UTF8.self).prefix(30))' is not a number")
                                bad = true; break
                            }
                            values[j] = v
                        }
                        if bad { continue }
                        count += 1
                        for j in 0..<M where !values[j].isNaN {
                            let v = values[j]
                            if cnt[j] == 0 { mn[j] = v; mx[j] = v } else { mn[j] = min(mn[j], v); mx[j] = max(mx[j], v) }
                            sum[j] += v; cnt[j] += 1
                        }
                        var a = fieldStart[headCol], b = fieldEnd[headCol]
                        while a < b && buf[a] == 32 { a += 1 }
                        while b > a && (buf[b - 1] == 32 || buf[b - 1] == 13) { b -= 1 }
                        if !hasHead && UnsafeBufferPointer(rebasing: buf[a..<b]).elementsEqual(headValue) {
                            hasHead = true
                            for (k, c) in hcols.enumerated() {
                                headVals[k] = parseFloat(fieldStart[c], fieldEnd[c]) ?? .nan
                            }
                            if let ac = appliedCol { applied = parseFloat(fieldStart[ac], fieldEnd[ac]) == 1 }
                            if let rc = regionCol {
                                region = String(decoding: UnsafeBufferPointer(rebasing: buf[fieldStart[rc]..<fieldEnd[rc]]), as: UTF8.self)
                            }
                        }
                        if t == 0 && end >= nextReport {
                            progress("screening: \(Int(Double(end - lo) / Double(max(1, hi - lo)) * 100))% of the first slice")
                            nextReport += step
                        }
                    }
                    finishHousehold()
                    flushBatch()
                    partsPtr[t] = part
                }
            }
            // Line numbers: slice-relative (stored negated) → file line numbers (header is line 1).
            var offset = 1
            var issues: [RowIssue] = []
            var issueCount = 0
            for p in parts {
                issues += p.issues.map { RowIssue(row: -$0.row + offset, column: $0.column, reason: $0.reason) }
                issueCount += p.issueCount
                offset += p.lines
            }
            var outHeader = "household_id,region,probability,model_version"
            for k in 0..<options.reasons { outHeader += ",reason_\(k + 1)" }
            guard FileManager.default.createFile(atPath: out, contents: nil), let h = FileHandle(forWritingAtPath: out) else {
                throw AqylError.invalid("out", "cannot create \(out)")
            }
            defer { try? h.close() }
            try h.write(contentsOf: Data((outHeader + "\n").utf8))
            for p in parts { try h.write(contentsOf: Data(p.out.utf8)) }
            return Summary(households: parts.reduce(0) { $0 + $1.households }, memberRows: parts.reduce(0) { $0 + $1.lines },
                           candidates: parts.reduce(0) { $0 + $1.candidates }, alreadyApplied: parts.reduce(0) { $0 + $1.applied },
                           rejected: issues, rejectedCount: issueCount, seconds: Date().timeIntervalSince(start),
                           peakMemoryMB: Self.peakMemoryMB(), threshold: threshold, modelVersion: version)
        }
    }

    /// Peak resident memory of this process, MB (getrusage).
    public static func peakMemoryMB() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024
    }
}
