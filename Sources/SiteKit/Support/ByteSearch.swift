#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Substring search over UTF-8 bytes: the hot paths use it instead of Foundation's `range(of:)`,
/// which bridges through UTF-16 and grows quadratic on long pages.
public enum ByteSearch {
    /// The offset of the first `needle` in `haystack` at or after `start`.
    public static func first(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let head = needle.first, start >= 0, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay -> Int? in
            needle.withUnsafeBufferPointer { pattern -> Int? in
                guard let base = hay.baseAddress, let patternBase = pattern.baseAddress else { return nil }
                var position = start
                let last = hay.count - pattern.count
                while position <= last {
                    guard let hit = memchr(base + position, Int32(head), last - position + 1) else { return nil }
                    let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                    if memcmp(base + offset, patternBase, pattern.count) == 0 { return offset }
                    position = offset + 1
                }
                return nil
            }
        }
    }
}
