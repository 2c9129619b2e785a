import AqylKit
import Foundation

/// Peak resident memory of this process in bytes (Linux `VmHWM`), nil where unavailable.
public func peakResidentBytes() -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first
        return kb.map { $0 * 1024 }
    }
    return nil
}

/// Seconds since an arbitrary start, for timing phases.
public func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// `1234567.891` → "1234567.89": money to two decimals without locale grouping.
func money(_ x: Double) -> String { String(format: "%.2f", x) }

extension String {
    /// The string without leading and trailing spaces and tabs; returns `self` unchanged (no copy) when there are none.
    @inline(__always)
    var trimmed: String {
        guard let f = utf8.first, let l = utf8.last else { return self }
        if f != 0x20 && f != 0x09 && l != 0x20 && l != 0x09 { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}
