import Foundation

/// Runs `body(i)` for i in 0..<count on up to `threads` threads, handing indices out dynamically. Callers write
/// results into per-index slots, so the outcome never depends on scheduling.
func concurrentFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let t = max(1, min(threads, count))
    if t == 1 {
        for i in 0..<count { body(i) }
        return
    }
    let next = AtomicCounter()
    withoutActuallyEscaping(body) { escapable in
        let box = Unchecked(escapable)
        DispatchQueue.concurrentPerform(iterations: t) { _ in
            while true {
                let i = next.increment()
                if i >= count { break }
                box.value(i)
            }
        }
    }
}

/// A value that may cross threads because the caller guarantees disjoint use.
struct Unchecked<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}

/// Lock-protected counter.
final class AtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        n += 1
        return n - 1
    }
}

/// Results written by index from worker threads.
final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); items[i] = v; lock.unlock() }
    func values() -> [T] { items.map { $0! } }
}

/// A raw pointer shared by workers that write disjoint ranges.
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

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
