import Foundation

/// The type of a feature column.
public enum FeatureKind: Sendable, Equatable, Codable {
    /// Real-valued column; `Float.nan` marks a missing value.
    case numeric
    /// Integer-coded categorical column: value `i` means `levels[i]`; `Float.nan` marks a missing value.
    case categorical(levels: [String])

    public var isCategorical: Bool {
        if case .categorical = self { return true }
        return false
    }

    public var levels: [String] {
        if case .categorical(let levels) = self { return levels }
        return []
    }
}

/// One named column of a `DataTable`.
public struct Column: Sendable, Equatable {
    public var name: String
    public var kind: FeatureKind
    /// Values, one per row. Categorical columns hold level codes (0, 1, 2, ...). NaN = missing.
    public var values: [Float]

    public init(name: String, kind: FeatureKind = .numeric, values: [Float]) {
        self.name = name
        self.kind = kind
        self.values = values
    }

    /// Builds a categorical column from strings; `nil` or empty strings are missing. Levels are sorted.
    public init(name: String, categories: [String?]) {
        let levels = Array(Set(categories.compactMap { $0 }.filter { !$0.isEmpty })).sorted()
        var index: [String: Int] = [:]
        for (i, l) in levels.enumerated() { index[l] = i }
        self.name = name
        self.kind = .categorical(levels: levels)
        self.values = categories.map { c in
            guard let c, let i = index[c] else { return Float.nan }
            return Float(i)
        }
    }
}

/// Errors raised when tables and models do not fit together.
public enum DataError: Error, CustomStringConvertible, Equatable {
    case columnLengthMismatch(column: String, expected: Int, found: Int)
    case duplicateColumn(String)
    case missingFeature(String)
    case incompatibleFeature(name: String, reason: String)
    case invalidLabels(String)
    case notFitted
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .columnLengthMismatch(let c, let e, let f):
            return "column '\(c)' has \(f) values, expected \(e)"
        case .duplicateColumn(let c): return "duplicate column '\(c)'"
        case .missingFeature(let f): return "the table lacks feature '\(f)' that the model was trained on"
        case .incompatibleFeature(let n, let r): return "feature '\(n)': \(r)"
        case .invalidLabels(let r): return "invalid labels: \(r)"
        case .notFitted: return "the classifier has not been fitted"
        case .invalidParameter(let r): return "invalid parameter: \(r)"
        }
    }
}

/// A column-oriented table of features with names and types.
public struct DataTable: Sendable, Equatable {
    public private(set) var columns: [Column]
    public let rowCount: Int

    public init(columns: [Column]) throws {
        let n = columns.first?.values.count ?? 0
        var seen = Set<String>()
        for c in columns {
            if c.values.count != n { throw DataError.columnLengthMismatch(column: c.name, expected: n, found: c.values.count) }
            if !seen.insert(c.name).inserted { throw DataError.duplicateColumn(c.name) }
        }
        self.columns = columns
        self.rowCount = n
    }

    /// Builds an all-numeric table from rows (row-major) and optional names (default f0, f1, ...).
    public init(rows: [[Float]], names: [String]? = nil) throws {
        let d = rows.first?.count ?? names?.count ?? 0
        let names = names ?? (0..<d).map { "f\($0)" }
        var cols: [Column] = []
        for j in 0..<d { cols.append(Column(name: names[j], values: rows.map { $0[j] })) }
        try self.init(columns: cols)
    }

    public var columnCount: Int { columns.count }
    public var featureNames: [String] { columns.map(\.name) }

    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    public subscript(row: Int, column: Int) -> Float { columns[column].values[row] }

    /// A new table holding the given rows, in order.
    public func selecting(rows: [Int]) -> DataTable {
        // Safe: all columns keep equal length.
        try! DataTable(columns: columns.map { c in
            Column(name: c.name, kind: c.kind, values: rows.map { c.values[$0] })
        })
    }

    /// A new table without the named columns.
    public func removing(columns names: Set<String>) -> DataTable {
        try! DataTable(columns: columns.filter { !names.contains($0.name) })
    }
}
