import Foundation

/// Deterministic JSON output.
public enum JSON {
    /// `value` as pretty JSON with sorted keys, unescaped slashes and a final newline.
    public static func encode(_ value: some Encodable) throws -> Data {
        if let value = value as? JSONValue { return value.prettyData }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}

/// The layout of an object with fixed members, as ``JSONValue/prettyData`` writes it, for lists
/// too long to build as ``JSONValue`` first: the bytes around each value are made once, and an
/// element is written by appending them with its values between.
struct PrettyObjectLayout: Sendable {
    /// `{`, the line break and indent of the first member, its name and ` : `.
    private let prefixes: [[UInt8]]
    /// The line break, indent and `}` after the last value.
    private let suffix: [UInt8]

    /// An object whose closing brace is indented `depth` levels, with `members` in the order
    /// they are written (sorted, to match sorted keys).
    init(depth: Int, members: [String]) {
        let indent = [UInt8](repeating: 0x20, count: (depth + 1) * 2)
        prefixes = members.enumerated().map { index, name in
            var prefix: [UInt8] = index == 0 ? [UInt8(ascii: "{"), 0x0A] : [UInt8(ascii: ","), 0x0A]
            prefix += indent
            JSONValue.writeString(name, into: &prefix)
            prefix += " : ".utf8
            return prefix
        }
        suffix = [0x0A] + [UInt8](repeating: 0x20, count: depth * 2) + [UInt8(ascii: "}")]
    }

    /// Appends member `index` with a string value.
    func member(_ index: Int, _ value: String, into out: inout [UInt8]) {
        out += prefixes[index]
        JSONValue.writeString(value, into: &out)
    }

    /// Appends member `index` with a number value.
    func member(_ index: Int, _ value: Int, into out: inout [UInt8]) {
        out += prefixes[index]
        out.appendDecimal(Int64(value))
    }

    /// Appends the end of the object.
    func close(into out: inout [UInt8]) {
        out += suffix
    }
}

extension [UInt8] {
    /// Appends `value` in decimal, without making a string of it (record files have tens of
    /// thousands of numbers).
    mutating func appendDecimal(_ value: Int64) {
        appendDecimal(negative: value < 0, magnitude: value.magnitude)
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal(_ value: UInt64) {
        appendDecimal(negative: false, magnitude: value)
    }

    /// Appends a minus sign when `negative`, then the digits of `magnitude`.
    mutating func appendDecimal(negative: Bool, magnitude: UInt64) {
        if negative { append(0x2D) }
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let start = count
        append(contentsOf: repeatElement(0x30, count: digits))
        withUnsafeMutableBufferPointer { buffer in
            var value = magnitude
            var index = start + digits - 1
            repeat {
                buffer[index] = 0x30 + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
                index -= 1
            } while value > 0
        }
    }
}

/// Writes one JSON document member by member, in the layout ``JSON/encode(_:)`` gives it (two
/// spaces a level, ` : ` after each key): for documents too large to build as one value first.
///
/// The caller gives the members in sorted key order. A member's value is either written with
/// ``JSON/encode(_:)`` and indented to its depth, or, for long lists, element by element: the
/// elements are written in chunks on every core, or copied from an earlier encoding of the same
/// document when the caller knows that list is unchanged there.
struct PrettyJSONWriter {
    private enum Part {
        case bytes([UInt8])
        case chunks(Range<Int>)
        case earlier(Range<Int>)
    }

    /// A list written element by element.
    private struct List: Sendable {
        var head: [UInt8]
        var tail: [UInt8]
        var depth: Int
        var write: @Sendable (Int, inout [UInt8]) -> Void
    }

    private var parts: [Part] = []
    private var pending: [UInt8] = []
    private var jobs: [(list: List, range: Range<Int>)] = []
    /// For each object open, whether no member has been written in it yet.
    private var empty: [Bool] = []
    private let earlier: Data?

    /// A writer whose lists may be copied from `earlier`, an encoding of the same document.
    init(earlier: Data? = nil) {
        self.earlier = earlier
    }

    /// Starts an object (the document, or the value of the key just written).
    mutating func openObject() {
        pending.append(UInt8(ascii: "{"))
        empty.append(true)
    }

    /// Ends the object opened last, whose key was at `depth` (0 for the document).
    mutating func closeObject(depth: Int) {
        empty.removeLast()
        pending.append(0x0A)
        pending += Self.indent(depth)
        pending.append(UInt8(ascii: "}"))
    }

    /// Writes the key of the next member, at `depth`, and what separates it from the one before.
    mutating func key(_ name: String, depth: Int) {
        if empty.last == false { pending.append(UInt8(ascii: ",")) }
        if !empty.isEmpty { empty[empty.count - 1] = false }
        pending.append(0x0A)
        pending += Self.indent(depth)
        JSONValue.writeString(name, into: &pending)
        pending += " : ".utf8
    }

    /// A member whose value ``JSON/encode(_:)`` writes, each of its lines indented to `depth`.
    mutating func member(_ name: String, _ value: some Encodable, depth: Int) throws {
        key(name, depth: depth)
        if let text = value as? String { return JSONValue.writeString(text, into: &pending) }
        if let number = value as? Int { return pending.appendDecimal(Int64(number)) }
        let encoded = try JSON.encode(value)
        let indent = Self.indent(depth)
        var previous: UInt8 = 0
        // Without its final newline; a blank line (an empty list's) stays blank.
        for byte in encoded.dropLast() {
            if previous == 0x0A, byte != 0x0A { pending += indent }
            pending.append(byte)
            previous = byte
        }
    }

    /// A member whose value is a list of `count` elements that `write` appends, each at
    /// `depth + 1`. With `reusable`, the elements are copied from the earlier encoding when it
    /// holds such a list.
    mutating func list(
        _ name: String, depth: Int, count: Int, reusable: Bool, write: @escaping @Sendable (Int, inout [UInt8]) -> Void
    ) throws {
        guard count > 0 else { return try member(name, [String](), depth: depth) }
        key(name, depth: depth)
        pending.append(UInt8(ascii: "["))
        pending.append(0x0A)
        let list = List(
            head: Array("\"\(name)\" : [\n".utf8), tail: [0x0A] + Self.indent(depth) + [UInt8(ascii: "]")], depth: depth, write: write)
        flush()
        if reusable, let range = earlierElements(of: list, depth: depth) {
            parts.append(.earlier(range))
        } else {
            let first = jobs.count
            for start in stride(from: 0, to: count, by: 2_048) { jobs.append((list, start..<Swift.min(start + 2_048, count))) }
            parts.append(.chunks(first..<jobs.count))
        }
        pending += list.tail
    }

    /// Appends bytes as they are.
    mutating func bytes(_ more: [UInt8]) {
        pending += more
    }

    /// The document.
    mutating func data() -> Data {
        flush()
        let jobs = jobs
        let written = Parallel.map(Array(jobs.indices)) { job -> [UInt8] in
            let (list, range) = jobs[job]
            let indent = Self.indent(list.depth + 1)
            var out: [UInt8] = []
            for index in range {
                if index > 0 { out += ",\n".utf8 }
                out += indent
                list.write(index, &out)
            }
            return out
        }
        var total = 0
        for part in parts {
            switch part {
            case .bytes(let bytes): total += bytes.count
            case .earlier(let range): total += range.count
            case .chunks(let range): total += written[range].reduce(0) { $0 + $1.count }
            }
        }
        var data = Data(capacity: total)
        for part in parts {
            switch part {
            case .bytes(let bytes): data.append(contentsOf: bytes)
            case .chunks(let range): for chunk in written[range] { data.append(contentsOf: chunk) }
            case .earlier(let range):
                earlier.map { data.append($0[($0.startIndex + range.lowerBound)..<($0.startIndex + range.upperBound)]) }
            }
        }
        return data
    }

    private mutating func flush() {
        if !pending.isEmpty { parts.append(.bytes(pending)) }
        pending = []
    }

    /// The elements of `list` in the earlier encoding: between its key's line and its closing
    /// bracket at `depth` (every line inside is indented deeper).
    private func earlierElements(of list: List, depth: Int) -> Range<Int>? {
        guard let earlier else { return nil }
        let head = [0x0A] + Self.indent(depth) + list.head
        return earlier.withUnsafeBytes { bytes -> Range<Int>? in
            guard let open = ByteSearch.first(head, in: bytes, from: 0),
                let close = ByteSearch.first(list.tail, in: bytes, from: open + head.count)
            else { return nil }
            return (open + head.count)..<close
        }
    }

    private static func indent(_ depth: Int) -> [UInt8] {
        [UInt8](repeating: 0x20, count: depth * 2)
    }
}
