import Foundation

/// Work spread over every core, results in input order.
public enum Parallel {
    /// `items.map(transform)`, run concurrently on all cores.
    public static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ transform: @Sendable (Item) -> Output
    ) -> [Output] {
        if items.count < 2 { return items.map(transform) }
        // Each iteration initializes its own slot of the result, once: no lock is needed.
        return [Output](unsafeUninitializedCapacity: items.count) { buffer, initialized in
            // Two or more items: the buffer has room, so it has an address.
            guard let base = buffer.baseAddress else { return }
            let slots = Slots(base: base)
            DispatchQueue.concurrentPerform(iterations: items.count) { index in
                (slots.base + index).initialize(to: transform(items[index]))
            }
            initialized = items.count
        }
    }
}

/// The result's storage, shared with the iterations that fill it (each writes one slot).
private struct Slots<Value>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Value>
}

/// Values handed out once each, by index, from any thread; a value taken is no longer held here.
public final class TakeOnce<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    /// Holds `values` until each is taken.
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

/// Keys marked used, and values stored by key, from many threads at once: spread over locks by
/// the key's hash, so that threads rarely wait for one another (a build looks up every page of
/// the site in its caches from every core).
final class KeyShards<Value>: @unchecked Sendable {
    private final class Shard {
        let lock = NSLock()
        var used = Set<String>()
        var stored: [String: Value] = [:]
    }

    private let shards: [Shard]

    init(count: Int = 16) {
        shards = (0..<max(1, count)).map { _ in Shard() }
    }

    private func shard(_ key: String) -> Shard {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }

    /// Marks `key` used; the value stored for it, if any.
    func use(_ key: String) -> Value? {
        let shard = shard(key)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        shard.used.insert(key)
        return shard.stored[key]
    }

    /// Stores `value` for `key`, and marks the key used.
    func store(_ value: Value, for key: String) {
        let shard = shard(key)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        shard.used.insert(key)
        shard.stored[key] = value
    }

    /// The value stored for `key`, removed (nil when there is none, or it was taken already).
    func take(_ key: String) -> Value? {
        let shard = shard(key)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        return shard.stored.removeValue(forKey: key)
    }

    /// Every key used (each once, in no particular order), and every value stored, so far.
    func snapshot() -> (used: [String], stored: [String: Value]) {
        // A key lives in one shard only: the shards' sets are joined, not merged.
        var used: [String] = []
        var stored: [String: Value] = [:]
        for shard in shards {
            shard.lock.lock()
            used.append(contentsOf: shard.used)
            stored.merge(shard.stored) { $1 }
            shard.lock.unlock()
        }
        return (used, stored)
    }
}
