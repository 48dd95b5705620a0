import Foundation

/// Work spread over every core, results in input order.
public enum Parallel {
    /// `items.map(transform)`, run concurrently on all cores.
    public static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ transform: @Sendable (Item) -> Output
    ) -> [Output] {
        if items.count < 2 { return items.map(transform) }
        let results = ResultBuffer<Output>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            results.set(index, transform(items[index]))
        }
        return results.values
    }
}

/// Slots written once each from many threads; each index is written by exactly one iteration.
private final class ResultBuffer<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Value] {
        slots.compactMap { $0 }
    }
}

/// Values handed out once each, by index, from any thread; a value taken is no longer held here.
public final class TakeOnce<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    public init(_ values: [Value]) {
        slots = values.map { $0 }
    }

    /// The value at `index`, or nil when it was taken already.
    public func take(_ index: Int) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        guard slots.indices.contains(index) else { return nil }
        let value = slots[index]
        slots[index] = nil
        return value
    }
}
