import Foundation

/// GitHub-compatible heading ids: lower-case, punctuation dropped, spaces to hyphens, and `-1`,
/// `-2`, ... for repeats within a page.
public struct Slugger: Sendable {
    private var used: [String: Int] = [:]
    private var taken: Set<String> = []

    public init(reserved: some Sequence<String> = [String]()) {
        taken = Set(reserved)
    }

    /// The slug of `text` as GitHub writes it, without de-duplication.
    public static func slug(_ text: String) -> String {
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
