import Foundation

/// A JSON document built in code, encoded with sorted keys like every file `site` writes.
public indirect enum JSONValue: Sendable, Equatable, Encodable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A JSON string.
    case string(String)
    /// A JSON number, always a whole one.
    case int(Int)
    /// `true` or `false`.
    case bool(Bool)
    /// A JSON array, in order.
    case array([JSONValue])
    /// A JSON object; its members are written in sorted key order.
    case object([String: JSONValue])

    /// A string, written as a literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A number, written as a literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A Boolean, written as a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array, written as a literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object, written as a literal; of a repeated key, the last value counts.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// CloudFront's list form: `{"Quantity": n, "Items": [...]}`, without `Items` when empty.
    public static func list(_ items: [JSONValue]) -> JSONValue {
        items.isEmpty ? ["Quantity": 0] : ["Quantity": .int(items.count), "Items": .array(items)]
    }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// Encodes the value as the JSON it stands for.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// The value as ``JSON/encode(_:)`` writes it (two-space indent, `"key" : value`, sorted keys,
    /// unescaped slashes, a final newline), written directly: Foundation's encoder costs seconds on
    /// plans with a hundred thousand objects.
    public var prettyData: Data {
        var out: [UInt8] = []
        write(into: &out, indent: 0)
        out.append(0x0A)
        return Data(out)
    }

    /// The value written as a member at nesting depth `indent`, without a final newline.
    func prettyBytes(indent: Int) -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out, indent: indent)
        return out
    }

    private func write(into out: inout [UInt8], indent: Int) {
        func newline(_ depth: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: depth * 2))
        }
        switch self {
        case .string(let value): Self.writeString(value, into: &out)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            out.append(0x0A)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")); out.append(0x0A) }
                out.append(contentsOf: repeatElement(0x20, count: (indent + 1) * 2))
                item.write(into: &out, indent: indent + 1)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            out.append(0x0A)
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")); out.append(0x0A) }
                out.append(contentsOf: repeatElement(0x20, count: (indent + 1) * 2))
                Self.writeString(key, into: &out)
                out.append(contentsOf: " : ".utf8)
                fields[key]?.write(into: &out, indent: indent + 1)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `text` as a JSON string: runs of bytes that need no escape are copied at once.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case 0x0A: out.append(contentsOf: #"\n"#.utf8)
                case 0x0D: out.append(contentsOf: #"\r"#.utf8)
                case 0x09: out.append(contentsOf: #"\t"#.utf8)
                case 0x08: out.append(contentsOf: #"\b"#.utf8)
                case 0x0C: out.append(contentsOf: #"\f"#.utf8)
                default:
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
