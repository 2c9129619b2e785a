import AqylKit
import Foundation

/// Finds the schema file of a `--format` name: `schemas/forecast-<format>.json` in the given directories or any
/// of their parents (the working directory and the executable's directory, in the CLI).
public enum SchemaLocator {
    public static func fileName(format: String) -> String { "forecast-\(format).json" }

    public static func find(format: String, from directories: [String]) -> String? {
        guard format.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !format.isEmpty else { return nil }
        let fm = FileManager.default
        for start in directories {
            var dir = URL(fileURLWithPath: start).standardizedFileURL
            for _ in 0..<12 {
                let candidate = dir.appendingPathComponent("schemas").appendingPathComponent(fileName(format: format)).path
                if fm.fileExists(atPath: candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    /// The formats with a schema file next to the first `schemas/` directory found.
    public static func available(from directories: [String]) -> [String] {
        let fm = FileManager.default
        for start in directories {
            var dir = URL(fileURLWithPath: start).standardizedFileURL
            for _ in 0..<12 {
                let schemas = dir.appendingPathComponent("schemas")
                if let items = try? fm.contentsOfDirectory(atPath: schemas.path) {
                    let names = items.filter { $0.hasPrefix("forecast-") && $0.hasSuffix(".json") }
                        .map { String($0.dropFirst("forecast-".count).dropLast(".json".count)) }.sorted()
                    if !names.isEmpty { return names }
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return []
    }

    /// CSV of rejected rows: file,line,column,value,reason.
    public static func rejectionsCSV(_ rejections: [IntakeRejection]) -> String {
        func q(_ s: String?) -> String { CSVWriter.escape(s ?? "") }
        var out = "file,line,column,value,reason\n"
        for r in rejections { out += "\(q(r.file)),\(r.line),\(q(r.column)),\(q(r.value)),\(q(r.reason))\n" }
        return out
    }
}
