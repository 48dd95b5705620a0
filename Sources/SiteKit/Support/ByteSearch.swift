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
        haystack.withUnsafeBytes { first(needle, in: $0, from: start) }
    }

    /// The offset of the first `needle` in the bytes of `haystack` at or after `start`.
    ///
    /// `memchr` looks for the needle's byte at `anchor` first: a byte that is rare in the haystack
    /// (the `]` of `\n  ]` rather than the line break) keeps long searches fast.
    public static func first(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from start: Int, anchor: Int = 0) -> Int? {
        guard needle.indices.contains(anchor), start >= 0, haystack.count - start >= needle.count, let base = haystack.baseAddress
        else { return nil }
        return needle.withUnsafeBufferPointer { pattern -> Int? in
            guard let patternBase = pattern.baseAddress else { return nil }
            // Candidate starts run from `start` to `last`; their anchor bytes from start + anchor.
            var position = start + anchor
            let last = haystack.count - pattern.count + anchor
            while position <= last {
                guard let hit = memchr(base + position, Int32(pattern[anchor]), last - position + 1) else { return nil }
                let offset = UnsafeRawPointer(hit) - base - anchor
                if memcmp(base + offset, patternBase, pattern.count) == 0 { return offset }
                position = offset + anchor + 1
            }
            return nil
        }
    }
}

extension ByteSearch {
    /// `bytes` with every `needle` replaced by `replacement`, left to right, in one pass.
    public static func replacingAll(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard var found = first(needle, in: bytes, from: 0) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        var index = 0
        while true {
            output += bytes[index..<found]
            output += replacement
            index = found + needle.count
            guard let next = first(needle, in: bytes, from: index) else { break }
            found = next
        }
        output += bytes[index...]
        return output
    }
}

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// `trimmingCharacters(in: .whitespaces)` without Foundation's UTF-16 bridge when, as almost
    /// always, the text starts and ends with a visible ASCII character.
    public func trimmingSpaces() -> String {
        let utf8 = self.utf8
        guard let head = utf8.first, let tail = utf8.last else { return "" }
        if head > 0x20, head < 0x80, tail > 0x20, tail < 0x80 { return String(self) }
        return trimmingCharacters(in: .whitespaces)
    }
}
