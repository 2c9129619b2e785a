import AqylKit
import Foundation

/// A CSV file of texts with 0/1 (or score) label columns.
public struct TextLabeledTable: Sendable {
    public var texts: [String]
    public var labelNames: [String]
    /// `targets[row][label]`, each in [0, 1].
    public var targets: [[Float]]
    /// SHA-256 of the file bytes.
    public var sha256: String

    public init(texts: [String], labelNames: [String], targets: [[Float]], sha256: String = "") {
        self.texts = texts
        self.labelNames = labelNames
        self.targets = targets
        self.sha256 = sha256
    }

    /// How label cells are read.
    public enum LabelPolicy: Sendable, Equatable {
        /// Only 0 and 1 (also written 0.0 / 1.0) are accepted.
        case strictBinary
        /// Any number in [0, 1] is accepted (annotator scores); a value ≥ `threshold` counts as
        /// positive where a binary label is needed.
        case scores(threshold: Float)
    }

    /// Reads `path` with the kit's strict CSV reader; every column except `textColumn` is a label column, unless
    /// `labelColumns` names them (then those must exist and the others are ignored). Errors are `CSVError`s naming
    /// the file, line and column.
    public static func load(
        path: String, textColumn: String, labelColumns: [String]? = nil, policy: LabelPolicy = .strictBinary
    ) throws -> TextLabeledTable {
        try load(try CSVReader(path: path), textColumn: textColumn, labelColumns: labelColumns, policy: policy)
    }

    /// `load` on bytes (`file` names them in errors).
    public static func parse(
        bytes: [UInt8], file: String, textColumn: String, labelColumns: [String]? = nil,
        policy: LabelPolicy = .strictBinary
    ) throws -> TextLabeledTable {
        try load(try CSVReader(data: Data(bytes), file: file), textColumn: textColumn, labelColumns: labelColumns,
                 policy: policy)
    }

    /// `load` on an opened reader.
    public static func load(
        _ csv: CSVReader, textColumn: String, labelColumns: [String]? = nil, policy: LabelPolicy = .strictBinary
    ) throws -> TextLabeledTable {
        let file = csv.file
        let names = csv.header
        func headerError(_ column: String?, _ message: String) -> CSVError {
            CSVError(file: file, line: 1, columnName: column, reason: .missingColumn, message: message)
        }
        guard let textIndex = names.firstIndex(of: textColumn) else {
            throw headerError(textColumn, "text column '\(textColumn)' not found; header has: \(names.joined(separator: ", "))")
        }
        var labelIndices: [Int] = []
        if let wanted = labelColumns {
            for w in wanted {
                guard let k = names.firstIndex(of: w) else { throw headerError(w, "label column '\(w)' not found") }
                labelIndices.append(k)
            }
        } else {
            labelIndices = names.indices.filter { $0 != textIndex }
        }
        guard !labelIndices.isEmpty else { throw headerError(nil, "no label columns") }
        var texts: [String] = []
        var targets: [[Float]] = []
        try csv.forEachRow { row in
            texts.append(row.string(textIndex))
            var t: [Float] = []
            t.reserveCapacity(labelIndices.count)
            for k in labelIndices {
                func bad(_ message: String) -> CSVError {
                    CSVError(file: file, line: row.line, column: k + 1, columnName: names[k], reason: .invalidValue,
                             message: message)
                }
                let raw = row.string(k).trimmingCharacters(in: .whitespaces)
                guard let v = Float(raw), v.isFinite else { throw bad("label value '\(raw)' is not a number (expected 0 or 1)") }
                switch policy {
                case .strictBinary:
                    guard v == 0 || v == 1 else { throw bad("label value '\(raw)' is not 0 or 1") }
                case .scores:
                    guard v >= 0 && v <= 1 else { throw bad("label value '\(raw)' is outside [0, 1]") }
                }
                t.append(v)
            }
            targets.append(t)
        }
        guard !texts.isEmpty else { throw CSVError(file: file, reason: .invalidValue, message: "no data rows") }
        return TextLabeledTable(texts: texts, labelNames: labelIndices.map { names[$0] }, targets: targets,
                                sha256: Hashing.sha256Hex(csv.data))
    }

    /// Binary labels: `targets ≥ threshold`.
    public func binaryLabels(threshold: Float = 0.5) -> [[Bool]] {
        targets.map { $0.map { $0 >= threshold } }
    }
}
