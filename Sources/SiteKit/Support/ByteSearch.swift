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
    /// `memchr` looks for the needle's byte at `anchor` first; by default the byte of the needle
    /// that is rarest in HTML and prose (the `=` of ` data-sourcepos="`, not its leading space,
    /// which would stop the search at every word).
    public static func first(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from start: Int, anchor: Int? = nil) -> Int? {
        let anchor = anchor ?? rarestByte(of: needle)
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
    /// How often each byte turns up in HTML and English prose, roughly: higher is more common.
    static let frequency: [UInt8] = (0...255).map { value -> UInt8 in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: " "): return 100
        case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"), UInt8(ascii: "n"): return 90
        case UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "d"), UInt8(ascii: "c"): return 80
        case 0x0A: return 70
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return 60
        case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "/"): return 50
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "="): return 30
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return 25
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return 20
        case 0x80...0xFF: return 20
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"): return 5
        default: return 10
        }
    }

    /// The index of the byte of `needle` least likely to occur, the first of equals.
    static func rarestByte(of needle: [UInt8]) -> Int {
        if needle.count < 2 { return 0 }
        var best = 0
        for index in needle.indices where frequency[Int(needle[index])] < frequency[Int(needle[best])] { best = index }
        return best
    }

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

extension String {
    /// Whether `needle` occurs in the string, compared as UTF-8 bytes (Foundation's `contains`
    /// goes through UTF-16 and costs a bridge a call). For ASCII needles this is the same answer.
    func containsBytes(_ needle: StaticString) -> Bool {
        let wanted = UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = wanted.first else { return true }
        var text = self
        return text.withUTF8 { bytes in
            guard bytes.count >= wanted.count, let start = bytes.baseAddress, let needleStart = wanted.baseAddress else { return false }
            var index = 0
            while index <= bytes.count - wanted.count {
                if bytes[index] == first, memcmp(start + index, needleStart, wanted.count) == 0 { return true }
                index += 1
            }
            return false
        }
    }
}
