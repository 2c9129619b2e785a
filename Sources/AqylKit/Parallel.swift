import Foundation

/// Number of worker threads to use when the caller asks for "all cores".
public func defaultThreadCount() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// Runs `body(i)` for i in 0..<count on up to `threads` threads. Work is handed out dynamically; callers must write
/// results into per-index slots so the outcome does not depend on scheduling.
public func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let t = max(1, min(threads, count))
    if t == 1 {
        for i in 0..<count { body(i) }
        return
    }
    let counter = WorkCounter(limit: count)
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedBox(value: escapable)
        DispatchQueue.concurrentPerform(iterations: t) { _ in
            while let i = counter.take() { box.value(i) }
        }
    }
}

/// Lock-protected work counter handing indices `0..<limit` to worker threads, each once.
public final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let limit: Int
    public init(limit: Int) { self.limit = limit }
    public func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        if nextIndex >= limit { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
}

/// A thread-safe counter: `increment()` returns 1, 2, 3, ...
public final class SharedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    public init() {}
    public func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}

/// Wrapper asserting that a value may cross threads (closures over disjoint writes).
public struct UncheckedBox<T>: @unchecked Sendable {
    public let value: T
    @inlinable public init(value: T) { self.value = value }
}

/// Per-index result slots written from worker threads (each index written by exactly one worker).
public final class Slots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T?]
    public init(count: Int) { items = Array(repeating: nil, count: count) }
    public func set(_ i: Int, _ value: T) { lock.lock(); items[i] = value; lock.unlock() }
    /// Every slot's value; each must have been set.
    public func values() -> [T] { lock.lock(); defer { lock.unlock() }; return items.map { $0! } }
}

/// A raw mutable pointer that workers writing disjoint ranges may share.
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    @inlinable public init(base: UnsafeMutablePointer<T>) { self.base = base }
}
