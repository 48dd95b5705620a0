import Foundation

/// A level-1 ATX heading (`# Title`) on the first line of a body that is not blank: how documents
/// written for other publishing tools carry their title.
struct LeadingHeading: Equatable {
    /// The heading's text, without the `#` marks.
    var text: String
    /// 1-based line within the body, and 1-based column of the text.
    var line: Int
    var column: Int
    /// The heading's line in the body, without its line break.
    private var range: Range<String.Index>

    /// nil when the body's first non-blank line is not `# Text` (up to three spaces before the `#`,
    /// one or more blanks after it, optionally closed by `#` marks).
    init?(in body: String) {
        var line = 1
        var start = body.startIndex
        while start < body.endIndex {
            let end = body[start...].firstIndex(where: \.isLineBreak) ?? body.endIndex
            let text = body[start..<end]
            if text.allSatisfy({ $0 == " " || $0 == "\t" }) {
                guard end < body.endIndex else { return nil }
                start = body.index(after: end)
                line += 1
                continue
            }
            let indent = text.prefix { $0 == " " }.count
            let rest = text.dropFirst(indent)
            guard indent <= 3, rest.hasPrefix("#"), rest.dropFirst().first == " " || rest.dropFirst().first == "\t" else { return nil }
            var title = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            let column = text.distance(from: text.startIndex, to: title.startIndex) + 1
            // A closing sequence of `#` counts only after a blank (`# C#` keeps its `#`).
            let trimmed = title.reversed().drop { $0 == " " || $0 == "\t" }
            let marks = trimmed.prefix { $0 == "#" }.count
            if marks > 0 {
                let beforeMarks = trimmed.dropFirst(marks)
                if beforeMarks.first == " " || beforeMarks.first == "\t" || beforeMarks.isEmpty {
                    title = Substring(String(beforeMarks.reversed()))
                }
            }
            let clean = title.trimmingCharacters(in: .whitespaces)
            guard !clean.isEmpty else { return nil }
            self.text = clean
            self.line = line
            self.column = column
            self.range = start..<end
            return
        }
        return nil
    }

    /// `body` with the heading's line left empty: every other line keeps its number.
    func bodyWithout(_ body: String) -> String {
        String(body[..<range.lowerBound]) + String(body[range.upperBound...])
    }
}
