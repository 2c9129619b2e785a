import AqylKit
import Foundation

/// Runs `body(i)` for i in 0..<count on up to `threads` threads (AqylKit's `parallelFor`) and returns the results in
/// index order, so the outcome does not depend on scheduling.
func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let results = Slots<T>(count: count)
    parallelFor(count, threads: threads) { i in results.set(i, body(i)) }
    return results.values()
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs (Foundation's `trimmingCharacters` is slow
    /// on Linux, and the sources only pad with these).
    var trimmedASCII: String {
        let u = self.utf8
        guard let f = u.first, let l = u.last else { return self }
        func pad(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        if !pad(f) && !pad(l) { return self }
        guard let start = u.firstIndex(where: { !pad($0) }) else { return "" }
        let end = u.lastIndex(where: { !pad($0) })!
        return String(self[start...end])
    }
}
