import Foundation

/// GitHub-compatible heading ids: lower-case, punctuation dropped, spaces to hyphens, and `-1`,
/// `-2`, ... for repeats within a page.
public struct Slugger: Sendable {
    private var used: [String: Int] = [:]
    private var taken: Set<String> = []

    /// A slugger that never gives out the ids in `reserved`.
    public init(reserved: some Sequence<String> = [String]()) {
        taken = Set(reserved)
    }

    /// The slug of `text` as GitHub writes it, without de-duplication.
    public static func slug(_ text: String) -> String {
        // Most headings are ASCII: their bytes decide alone, without Unicode properties.
        let utf8 = text.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(utf8.count)
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: " "): bytes.append(UInt8(ascii: "-"))
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte | 0x20)
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    bytes.append(byte)
                default: continue
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return unicodeSlug(text)
    }

    /// ``slug(_:)`` by Unicode properties, for any text.
    static func unicodeSlug(_ text: String) -> String {
        var result = ""
        for character in text.lowercased() {
            if character == " " {
                result.append("-")
            } else if character == "-" || character == "_" || character.isLetter || character.isNumber
                || character.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .nonspacingMark })
            {
                result.append(character)
            }
        }
        return result
    }

    /// A unique id for a heading with `text`.
    public mutating func id(for text: String) -> String {
        let base = Self.slug(text.trimmingSpaces())
        let root = base.isEmpty ? "section" : base
        var candidate = root
        var count = used[root, default: 0]
        while taken.contains(candidate) {
            count += 1
            candidate = "\(root)-\(count)"
        }
        used[root] = count
        taken.insert(candidate)
        return candidate
    }

    /// Claims an id written explicitly; false when it is already taken.
    public mutating func claim(_ id: String) -> Bool {
        taken.insert(id).inserted
    }
}
