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
