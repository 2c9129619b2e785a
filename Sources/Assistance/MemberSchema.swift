import AqylCore
import AqylKit
import AqylML
import Foundation

/// Describes a member-level file (one row per person) so it can be turned into one row per household.
///
/// Member columns are aggregated over the household (count, mean, min, max); every other column is a household
/// column taken from the head's row. Protected attributes are never features: columns whose names look like
/// ethnicity, nationality, religion or language are refused unless the schema lists them under `protected`
/// (kept out of the model) — see `ProtectedAttributes`. Sex is not a feature of the ASP model either: columns in
/// `fairness_only` are used only to report errors by group.
public struct MemberSchema: Sendable, Codable, Equatable {
    public struct Head: Sendable, Codable, Equatable {
        public var column: String
        public var equals: String
    }
    public struct Target: Sendable, Codable, Equatable {
        public var column: String
        /// Target values that mean "eligible".
        public var eligible: [String]
    }
    /// A grouping for fairness reports: one column mapped to labels, or several one-hot columns.
    public struct Group: Sendable, Codable, Equatable {
        public var column: String?
        public var map: [String: String]?
        /// One-hot columns → label: the group is the label whose column holds 1.
        public var oneHot: [String: String]?
        /// `head` (default): the head's value; `any`: "yes" when any member has a non-zero value.
        public var aggregate: String?

        enum CodingKeys: String, CodingKey { case column, map, aggregate, oneHot = "one_hot" }
    }
    /// A feature computed after aggregation from base household features (never from other derived ones): a ratio of
    /// two, or a sum of several. Training, evaluation and screening compute it with the same functions.
    public struct Derived: Sendable, Codable, Equatable {
        public var name: String
        /// [numerator, denominator]: missing when the denominator is 0 or missing, or the numerator is missing.
        public var ratio: [String]?
        /// Inputs added up, a missing input counting as 0.
        public var sum: [String]?
        /// Base features whose missing value counts as 0 before a ratio is taken (e.g. a count left empty when the
        /// household has none).
        public var missingAsZero: [String]?

        enum CodingKeys: String, CodingKey { case name, ratio, sum, missingAsZero = "missing_as_zero" }

        public init(name: String, ratio: [String]? = nil, sum: [String]? = nil, missingAsZero: [String]? = nil) {
            self.name = name; self.ratio = ratio; self.sum = sum; self.missingAsZero = missingAsZero
        }

        /// The base features it reads, in order (numerator, denominator for a ratio).
        public var inputs: [String] { ratio ?? sum ?? [] }

        /// The arithmetic, ready to apply (what training, evaluation and screening all call).
        public var formula: Formula { Formula(self) }

        public struct Formula: Sendable {
            public let isRatio: Bool
            /// Per input: a missing value counts as 0.
            public let zeroIfMissing: [Bool]

            init(_ d: Derived) {
                isRatio = d.ratio != nil
                let zero = Set(d.missingAsZero ?? [])
                zeroIfMissing = d.inputs.map { d.ratio == nil || zero.contains($0) }
            }

            /// The value from the inputs' values, `x(k)` for input k (same order as `inputs`).
            @inline(__always)
            public func value(_ x: (Int) -> Float) -> Float {
                if isRatio {
                    var a = x(0), b = x(1)
                    if a.isNaN && zeroIfMissing[0] { a = 0 }
                    if b.isNaN && zeroIfMissing[1] { b = 0 }
                    return a.isNaN || b.isNaN || b == 0 ? .nan : a / b
                }
                var s: Float = 0
                for k in zeroIfMissing.indices { let v = x(k); if !v.isNaN { s += v } }
                return s
            }
        }

        func validate() throws {
            let problem: String? = switch (ratio, sum) {
            case (let r?, nil): r.count == 2 ? nil : "a ratio names two features, numerator and denominator"
            case (nil, let s?): s.isEmpty ? "a sum names at least one feature" : nil
            default: "give exactly one of ratio or sum"
            }
            if let problem { throw AqylError.invalid("schema", "derived feature '\(name)': \(problem)") }
        }
    }

    public var name: String
    /// Where the data comes from and what the target means (copied into the model card).
    public var description: String?
    public var householdId: String
    public var head: Head
    public var target: Target?
    /// Columns read but never used (ids, derived squares, ...).
    public var ignore: [String]
    /// Columns that hold protected attributes: never features.
    public var protected: [String]
    /// Columns used only for fairness groups, never as features.
    public var fairnessOnly: [String]
    /// Columns aggregated over members.
    public var memberColumns: [String]
    /// Per-column text → number maps (e.g. yes → 1, no → 0).
    public var valueMaps: [String: [String: Double]]
    /// Fairness groups reported in the model card.
    public var groups: [String: Group]
    /// Column holding the household's region code (KATO in Aqyl's own data), when there is one.
    public var regionColumn: String?
    /// Column holding monthly income per person, for reports by income decile, when there is one.
    public var incomeColumn: String?
    /// Features computed from the base household features after aggregation (ratios and sums).
    public var derived: [Derived]

    enum CodingKeys: String, CodingKey {
        case name, description, head, target, ignore, protected, groups, derived
        case householdId = "household_id", fairnessOnly = "fairness_only", memberColumns = "member_columns"
        case valueMaps = "value_maps", regionColumn = "region_column", incomeColumn = "income_column"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        householdId = try c.decode(String.self, forKey: .householdId)
        head = try c.decode(Head.self, forKey: .head)
        target = try c.decodeIfPresent(Target.self, forKey: .target)
        ignore = try c.decodeIfPresent([String].self, forKey: .ignore) ?? []
        protected = try c.decodeIfPresent([String].self, forKey: .protected) ?? []
        fairnessOnly = try c.decodeIfPresent([String].self, forKey: .fairnessOnly) ?? []
        memberColumns = try c.decodeIfPresent([String].self, forKey: .memberColumns) ?? []
        valueMaps = try c.decodeIfPresent([String: [String: Double]].self, forKey: .valueMaps) ?? [:]
        groups = try c.decodeIfPresent([String: Group].self, forKey: .groups) ?? [:]
        regionColumn = try c.decodeIfPresent(String.self, forKey: .regionColumn)
        incomeColumn = try c.decodeIfPresent(String.self, forKey: .incomeColumn)
        derived = try c.decodeIfPresent([Derived].self, forKey: .derived) ?? []
        for d in derived { try d.validate() }
    }

    public static func load(path: String) throws -> MemberSchema {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw AqylError.invalid("schema", "cannot read schema \(path)")
        }
        do { return try JSONDecoder().decode(MemberSchema.self, from: data) } catch let e as DecodingError {
            throw AqylError.invalid("schema", "\(path): \(Self.describe(e))")
        }
    }

    static func describe(_ e: DecodingError) -> String {
        switch e {
        case .keyNotFound(let k, _): "missing key '\(k.stringValue)'"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            "'\(ctx.codingPath.map(\.stringValue).joined(separator: "."))': \(ctx.debugDescription)"
        @unknown default: "not a valid schema"
        }
    }
}

/// Names that mark protected attributes (Latin, Russian and Kazakh stems).
public enum ProtectedAttributes {
    public static let stems = ["ethnic", "nationality", "religio", "language", "race", "этнич", "национальн", "религи",
                               "язык", "ұлт", "дін", "тіл"]

    public static func looksProtected(_ column: String) -> Bool {
        let c = column.lowercased()
        return stems.contains { c.contains($0) }
    }
}

/// One rejected input row: where and why.
public struct RowIssue: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    public var row: Int
    public var column: String?
    public var reason: String
    public var description: String { "row \(row)\(column.map { ", column \($0)" } ?? ""): \(reason)" }
}

/// Households as model rows.
public struct HouseholdTable: Sendable {
    public var ids: [String]
    public var table: DataTable
    /// Raw target value per household (the head's), when the schema has a target.
    public var target: [String]?
    /// Fairness group label per household, by group name.
    public var groups: [String: [String]]
    public var regions: [String?]
    public var incomePerPerson: [Double?]
    public var memberCounts: [Int]
    /// Rows and households left out, each with its reason.
    public var rejected: [RowIssue]
}

public enum HouseholdAggregator {
    public static let aggregates = ["mean", "min", "max"]

    /// Reads member-level CSV text and builds one row per household (see `aggregate(csv:...)`).
    public static func aggregate(csvText: String, file: String, schema: MemberSchema, requireTarget: Bool,
                                 expectedFeatures: [String]? = nil) throws -> HouseholdTable {
        let csv: CSVReader
        do { csv = try CSVReader(text: csvText, file: file) } catch { throw AqylError.invalid("data", error.description) }
        return try aggregate(csv: csv, schema: schema, requireTarget: requireTarget, expectedFeatures: expectedFeatures)
    }

    /// Reads a member-level CSV (the kit's strict reader: a malformed file is an error naming its line and column; a
    /// row with the wrong number of fields is rejected and reported like a bad value) and builds one row per household.
    /// - Parameter requireTarget: training and evaluation need the target; screening does not.
    public static func aggregate(csv: CSVReader, schema: MemberSchema, requireTarget: Bool,
                                 expectedFeatures: [String]? = nil) throws -> HouseholdTable {
        let file = csv.file
        let header = csv.header
        var index: [String: Int] = [:]
        for (i, h) in header.enumerated() {
            if index[h] != nil { throw AqylError.invalid("data", "\(file): column '\(h)' appears twice in the header") }
            index[h] = i
        }
        func need(_ col: String, _ role: String) throws -> Int {
            guard let i = index[col] else { throw AqylError.invalid("data", "\(file): the \(role) column '\(col)' is not in the header") }
            return i
        }
        let hidCol = try need(schema.householdId, "household id")
        let headCol = try need(schema.head.column, "head")
        var targetCol = schema.target.flatMap { index[$0.column] }
        if requireTarget {
            guard let t = schema.target else { throw AqylError.invalid("schema", "the schema has no target") }
            targetCol = try need(t.column, "target")
        }
        for c in schema.memberColumns { _ = try need(c, "member") }

        // Features: every column not excluded. A protected-looking column that is not excluded is refused.
        let excluded = Set(schema.ignore + schema.protected + schema.fairnessOnly + [schema.householdId] + (schema.target.map { [$0.column] } ?? []))
        var refused: [String] = []
        for h in header where !excluded.contains(h) && ProtectedAttributes.looksProtected(h) { refused.append(h) }
        for p in schema.protected where schema.memberColumns.contains(p) { refused.append(p) }
        if !refused.isEmpty {
            throw AqylError(.badRequest, code: "protected_attribute",
                            "refused: \(refused.joined(separator: ", ")) look like protected attributes (ethnicity, nationality, religion, language) and may not be model features; list them under \"protected\" in the schema to keep them out",
                            field: refused[0])
        }
        let memberSet = Set(schema.memberColumns)
        let householdCols = header.filter { !excluded.contains($0) && !memberSet.contains($0) }

        var rejected: [RowIssue] = []
        struct HH { var rows: [Int] = []; var head: Int? }
        var households: [String: HH] = [:]
        var order: [String] = []
        var parsedMember: [[Float]] = []   // per accepted row, member column values
        var rowFields: [[String]] = []
        var rowLines: [Int] = []
        let records: [CSVRecord]
        do {
            records = try csv.records(onRaggedRecord: { e in rejected.append(RowIssue(row: e.line ?? 0, column: nil, reason: e.message)) })
        } catch let e as CSVError {
            throw AqylError.invalid("data", e.description)
        }
        for rec in records {
            let hid = rec.fields[hidCol].trimmingCharacters(in: .whitespaces)
            guard !hid.isEmpty else {
                rejected.append(RowIssue(row: rec.line, column: schema.householdId, reason: "household id is empty")); continue
            }
            var values: [Float] = []
            var bad: RowIssue?
            for c in schema.memberColumns {
                switch number(rec.fields[index[c]!], column: c, maps: schema.valueMaps) {
                case .value(let v): values.append(v)
                case .missing: values.append(.nan)
                case .notNumber(let s):
                    bad = RowIssue(row: rec.line, column: c, reason: "'\(s.prefix(30))' is not a number")
                }
                if bad != nil { break }
            }
            if let bad { rejected.append(bad); continue }
            if let t = targetCol, requireTarget, rec.fields[t].trimmingCharacters(in: .whitespaces).isEmpty {
                rejected.append(RowIssue(row: rec.line, column: header[t], reason: "target is empty")); continue
            }
            let r = rowFields.count
            rowFields.append(rec.fields)
            rowLines.append(rec.line)
            parsedMember.append(values)
            if households[hid] == nil { order.append(hid); households[hid] = HH() }
            households[hid]!.rows.append(r)
            if rec.fields[headCol].trimmingCharacters(in: .whitespaces) == schema.head.equals {
                if let first = households[hid]!.head {
                    rejected.append(RowIssue(row: rec.line, column: schema.head.column,
                                             reason: "household \(hid) already has a head at row \(rowLines[first]); this row counts as a member"))
                } else {
                    households[hid]!.head = r
                }
            }
        }

        var ids: [String] = []
        var headRows: [Int] = []
        var memberRows: [[Int]] = []
        for hid in order {
            let hh = households[hid]!
            guard let head = hh.head else {
                rejected.append(RowIssue(row: rowLines[hh.rows[0]], column: schema.head.column,
                                         reason: "household \(hid) has no head (\(schema.head.column) = \(schema.head.equals)); its \(hh.rows.count) rows are left out"))
                continue
            }
            ids.append(hid)
            headRows.append(head)
            memberRows.append(hh.rows)
        }

        var columns: [Column] = [Column(name: "members", values: memberRows.map { Float($0.count) })]
        for (j, c) in schema.memberColumns.enumerated() {
            var mean: [Float] = [], mn: [Float] = [], mx: [Float] = []
            for rows in memberRows {
                let vs = rows.map { parsedMember[$0][j] }.filter { !$0.isNaN }
                if vs.isEmpty { mean.append(.nan); mn.append(.nan); mx.append(.nan); continue }
                mean.append(vs.reduce(0, +) / Float(vs.count))
                mn.append(vs.min()!)
                mx.append(vs.max()!)
            }
            columns.append(Column(name: "\(c)_mean", values: mean))
            columns.append(Column(name: "\(c)_min", values: mn))
            columns.append(Column(name: "\(c)_max", values: mx))
        }
        for c in householdCols {
            let raw = headRows.map { rowFields[$0][index[c]!] }
            var nums: [Float] = []
            var numeric = true
            for s in raw {
                switch number(s, column: c, maps: schema.valueMaps) {
                case .value(let v): nums.append(v)
                case .missing: nums.append(.nan)
                case .notNumber: numeric = false
                }
                if !numeric { break }
            }
            columns.append(numeric ? Column(name: c, values: nums)
                                   : Column(name: c, categories: raw.map { $0.trimmingCharacters(in: .whitespaces) }))
        }
        columns += try derivedColumns(schema.derived, from: columns, file: file)
        var table = try DataTable(columns: columns)
        if let expected = expectedFeatures {
            let have = Set(table.featureNames)
            if let missing = expected.first(where: { !have.contains($0) }) {
                throw AqylError.invalid("data", "\(file): the model needs feature '\(missing)', which this file does not give")
            }
            table = try DataTable(columns: expected.map { table.column(named: $0)! })
        }

        var groups: [String: [String]] = [:]
        for (name, g) in schema.groups {
            var labels: [String] = []
            for (k, head) in headRows.enumerated() {
                if let oneHot = g.oneHot {
                    let hit = oneHot.keys.sorted().first { col in
                        index[col].map { Double(rowFields[head][$0].trimmingCharacters(in: .whitespaces)) == 1 } ?? false
                    }
                    labels.append(hit.map { oneHot[$0]! } ?? "unknown")
                } else if let col = g.column, let ci = index[col] {
                    if g.aggregate == "any" {
                        let any = memberRows[k].contains { (Double(rowFields[$0][ci].trimmingCharacters(in: .whitespaces)) ?? 0) != 0 }
                        labels.append(g.map?[any ? "1" : "0"] ?? (any ? "yes" : "no"))
                    } else {
                        let v = rowFields[head][ci].trimmingCharacters(in: .whitespaces)
                        labels.append(g.map?[v] ?? (v.isEmpty ? "unknown" : v))
                    }
                } else {
                    throw AqylError.invalid("schema", "group '\(name)' names no column in the data")
                }
            }
            groups[name] = labels
        }
        let target = targetCol.map { t in headRows.map { rowFields[$0][t].trimmingCharacters(in: .whitespaces) } }
        let regions = headRows.map { r in schema.regionColumn.flatMap { index[$0] }.map { rowFields[r][$0] } }
        let incomes = headRows.map { r in schema.incomeColumn.flatMap { index[$0] }.flatMap { Double(rowFields[r][$0]) } }
        return HouseholdTable(ids: ids, table: table, target: target, groups: groups, regions: regions,
                              incomePerPerson: incomes, memberCounts: memberRows.map(\.count),
                              rejected: rejected.sorted { $0.row < $1.row })
    }

    /// The schema's derived features, computed row by row from the base columns (numeric ones only).
    static func derivedColumns(_ derived: [MemberSchema.Derived], from base: [Column], file: String) throws -> [Column] {
        guard !derived.isEmpty else { return [] }
        let byName = Dictionary(base.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Column] = []
        for d in derived {
            guard byName[d.name] == nil, !out.contains(where: { $0.name == d.name }) else {
                throw AqylError.invalid("schema", "derived feature '\(d.name)' has the name of another feature")
            }
            let inputs = try d.inputs.map { name -> [Float] in
                guard let c = byName[name] else {
                    throw AqylError.invalid("data", "\(file): derived feature '\(d.name)' needs '\(name)', which is not a base feature of this file")
                }
                guard !c.kind.isCategorical else {
                    throw AqylError.invalid("data", "\(file): derived feature '\(d.name)' needs '\(name)' to be numeric")
                }
                return c.values
            }
            let f = d.formula
            let n = inputs.first?.count ?? 0
            out.append(Column(name: d.name, values: (0..<n).map { r in f.value { inputs[$0][r] } }))
        }
        return out
    }

    enum Parsed { case value(Float), missing, notNumber(String) }

    static func number(_ raw: String, column: String, maps: [String: [String: Double]]) -> Parsed {
        let s = raw.trimmingCharacters(in: .whitespaces)
        if s.isEmpty || s.uppercased() == "NA" { return .missing }
        if let m = maps[column]?[s] ?? maps["*"]?[s] { return .value(Float(m)) }
        if let d = CSVNumber.double(s), d.isFinite { return .value(Float(d)) }
        return .notNumber(s)
    }
}
