import Foundation

/// Runs `body(i)` for i in 0..<count on up to `threads` threads and returns the results in index order, so the
/// outcome does not depend on scheduling.
func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let t = max(1, min(threads, count))
    if t == 1 { return (0..<count).map(body) }
    let results = ResultSlots<T>(count: count)
    let next = IndexCounter()
    DispatchQueue.concurrentPerform(iterations: t) { _ in
        while let i = next.take(below: count) { results.set(i, body(i)) }
    }
    return results.values()
}

private final class IndexCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

private final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); items[i] = v; lock.unlock() }
    func values() -> [T] { items.map { $0! } }
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
