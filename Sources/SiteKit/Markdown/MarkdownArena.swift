import CCmarkGFM
import Foundation

/// Memory for cmark-gfm while it parses and renders one page: allocation moves a pointer through
/// large blocks, freeing does nothing, and everything goes at once when the page is done.
///
/// cmark-gfm allocates every node, line and buffer of a page separately (a few thousand calls a
/// page), which made the system allocator one of the largest costs of a build. Each thread has
/// its own arena (cmark-gfm's callbacks carry no context, so they find it through a thread-local
/// key); a page is parsed and rendered on one thread.
enum MarkdownArena {
    /// The allocator to give `cmark_parser_new_with_mem` (written once, then only read).
    nonisolated(unsafe) static let memory: UnsafeMutablePointer<cmark_mem> = {
        let memory = UnsafeMutablePointer<cmark_mem>.allocate(capacity: 1)
        memory.initialize(
            to: cmark_mem(
                calloc: { count, size in Arena.withCurrent { $0.allocate(count &* size) } },
                realloc: { pointer, size in Arena.withCurrent { $0.reallocate(pointer, to: size) } },
                free: { _ in }))
        return memory
    }()

    /// Runs `body`, then releases everything cmark-gfm allocated in this thread's arena meanwhile.
    static func scoped<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        defer { Arena.withCurrent { $0.reset() } }
        return try body()
    }
}

/// One thread's blocks.
private final class Arena {
    /// Each allocation is preceded by its size, and starts 16-byte aligned.
    private static let header = 16
    private static let blockSize = 1 << 20

    private var block: UnsafeMutableRawPointer
    private var used = 0
    private var capacity = blockSize
    /// Blocks filled before `block`, and allocations too large for a block, freed on reset.
    private var retired: [UnsafeMutableRawPointer] = []
    /// The start of the last allocation, which can grow in place.
    private var last: UnsafeMutableRawPointer?

    private init() {
        block = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: 16)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { arena in
            if let arena { Unmanaged<Arena>.fromOpaque(arena).release() }
        }
        return key
    }()

    /// Runs `body` with this thread's arena, made on first use; the thread's key holds it, so no
    /// reference is counted on each of cmark-gfm's calls.
    static func withCurrent<T>(_ body: (Arena) -> T) -> T {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<Arena>.fromOpaque(existing)._withUnsafeGuaranteedRef(body)
        }
        let made = Arena()
        pthread_setspecific(key, Unmanaged.passRetained(made).toOpaque())
        return body(made)
    }

    deinit {
        reset()
        block.deallocate()
    }

    /// `size` zeroed bytes.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let rounded = (size + 15) & ~15
        let needed = Self.header + rounded
        if needed > Self.blockSize / 4 {
            // Large: a block of its own.
            let own = UnsafeMutableRawPointer.allocate(byteCount: needed, alignment: 16)
            retired.append(own)
            own.storeBytes(of: size, as: Int.self)
            let start = own + Self.header
            start.initializeMemory(as: UInt8.self, repeating: 0, count: rounded)
            last = nil
            return start
        }
        if used + needed > capacity {
            retired.append(block)
            block = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: 16)
            used = 0
            capacity = Self.blockSize
        }
        let headerStart = block + used
        headerStart.storeBytes(of: size, as: Int.self)
        let start = headerStart + Self.header
        start.initializeMemory(as: UInt8.self, repeating: 0, count: rounded)
        used += needed
        last = start
        return start
    }

    /// `pointer`'s bytes in an allocation of `size`; the last allocation grows where it is.
    func reallocate(_ pointer: UnsafeMutableRawPointer?, to size: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return allocate(size) }
        let old = (pointer - Self.header).load(as: Int.self)
        if pointer == last {
            let oldRounded = (old + 15) & ~15
            let rounded = (size + 15) & ~15
            if used - oldRounded + rounded <= capacity {
                if rounded > oldRounded {
                    (pointer + oldRounded).initializeMemory(as: UInt8.self, repeating: 0, count: rounded - oldRounded)
                }
                used += rounded - oldRounded
                (pointer - Self.header).storeBytes(of: size, as: Int.self)
                return pointer
            }
        }
        guard let moved = allocate(size) else { return nil }
        moved.copyMemory(from: pointer, byteCount: min(old, size))
        return moved
    }

    /// Lets go of everything: the current block is kept for the next page.
    func reset() {
        for retiredBlock in retired { retiredBlock.deallocate() }
        retired = []
        used = 0
        capacity = Self.blockSize
        last = nil
    }
}
