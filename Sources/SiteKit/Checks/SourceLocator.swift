import Foundation

/// Finds where a piece of rendered HTML came from: a line of a Markdown file (through the
/// `data-sourcepos` cmark leaves on blocks until checks are done) or a line of a template.
struct SourceLocator: Sendable {
    let templates: TemplateSet
    /// Each template's lines, split once.
    let templateLines: [String: LineIndex]

    init(templates: TemplateSet) {
        self.templates = templates
        self.templateLines = templates.sources.mapValues { LineIndex($0.text) }
    }

    /// Where `needle` (a URL, an id) of element `index` on `page` was written; `body` indexes the
    /// lines of the page's Markdown.
    func locate(_ needle: String, element index: Int, in document: HTMLDocument, page: SiteChecker.Page) -> SourceLocation {
        locate(needle, sourcepos: document.nearest("data-sourcepos", from: index), page: page) {
            LineIndex(page.content?.body ?? "")
        }
    }

    /// Where `needle` was written, given the `data-sourcepos` of the block around it (nil: a template).
    func locate(_ needle: String, sourcepos: String?, page: SiteChecker.Page, body: () -> LineIndex) -> SourceLocation {
        if let content = page.content, let sourcepos, let range = Self.lines(sourcepos) {
            return Self.find(needle, in: body(), file: content.source, lines: range, offset: content.bodyLine - 1)
        }
        return inTemplates(needle, page: page)
    }

    /// Searches the page's template first, then every other template, for `needle`.
    func inTemplates(_ needle: String, page: SiteChecker.Page) -> SourceLocation {
        let preferred = templates.sources[page.template].map { [$0] } ?? []
        let others = templates.sources.keys.sorted().filter { $0 != page.template }.compactMap { templates.sources[$0] }
        if !needle.isEmpty {
            for source in preferred + others {
                let location = Self.find(
                    needle, in: templateLines[source.name] ?? LineIndex(source.text), file: source.file, lines: 1...Int.max, offset: 0)
                if location.line > 0 { return location }
            }
        }
        return SourceLocation(file: templates.file(of: page.template))
    }

    /// The template line whose text is the rendered `line` (trimmed), for markup written literally in a template.
    func templateLine(matching line: String, column: Int, page: SiteChecker.Page) -> SourceLocation? {
        let wanted = line.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { return nil }
        let preferred = templates.sources[page.template].map { [$0] } ?? []
        let others = templates.sources.keys.sorted().filter { $0 != page.template }.compactMap { templates.sources[$0] }
        for source in preferred + others {
            var number = 0
            for candidate in source.text.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreak) {
                number += 1
                if candidate.trimmingCharacters(in: .whitespaces) == wanted {
                    let indent = candidate.prefix { $0 == " " || $0 == "\t" }.count
                    let offset = line.prefix { $0 == " " || $0 == "\t" }.count
                    return SourceLocation(file: source.file, line: number, column: max(1, column - offset + indent))
                }
            }
        }
        // Lines with variables: the literal parts between tags must appear, in order, in the rendered line.
        for source in preferred + others {
            var number = 0
            for candidate in source.text.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreak) {
                number += 1
                let pieces = Self.literalPieces(of: candidate)
                guard pieces.reduce(0, { $0 + $1.count }) >= 8 else { continue }
                // Every literal piece in order, and the error's column inside one of them.
                var rest = Substring(line)
                var hit: Int?
                var matches = true
                for piece in pieces {
                    guard let range = rest.range(of: piece) else {
                        matches = false
                        break
                    }
                    let lower = line.utf8.distance(from: line.startIndex, to: range.lowerBound) + 1
                    let upper = line.utf8.distance(from: line.startIndex, to: range.upperBound)
                    if column >= lower, column <= upper + 1, let inTemplate = candidate.range(of: piece) {
                        hit = candidate.utf8.distance(from: candidate.startIndex, to: inTemplate.lowerBound) + 1 + (column - lower)
                    }
                    rest = rest[range.upperBound...]
                }
                if matches, let hit { return SourceLocation(file: source.file, line: number, column: hit) }
            }
        }
        return nil
    }

    /// The text of a template line outside its `{{...}}` tags, trimmed.
    static func literalPieces(of line: Substring) -> [String] {
        var pieces: [String] = []
        var rest = line
        while let open = rest.range(of: "{{") {
            pieces.append(String(rest[..<open.lowerBound]))
            guard let close = rest[open.upperBound...].range(of: "}}") else { return [] }
            rest = rest[close.upperBound...]
            if rest.hasPrefix("}") { rest = rest.dropFirst() }
        }
        pieces.append(String(rest))
        return pieces.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `"12:1-14:3"` -> 12...14.
    static func lines(_ sourcepos: String) -> ClosedRange<Int>? {
        // `line:column-line:column`; the line of each side is what comes before its first `:`.
        func line(_ side: Substring) -> Int? { Int(side[..<(side.firstIndex(of: ":") ?? side.endIndex)]) }
        let dash = sourcepos.firstIndex(of: "-")
        guard let start = line(sourcepos[..<(dash ?? sourcepos.endIndex)]) else { return nil }
        let end = dash.flatMap { line(sourcepos[sourcepos.index(after: $0)...]) } ?? start
        return start...max(start, end)
    }

    /// The first place in `range` of `lines` where `needle` appears; the first line of the range otherwise.
    static func find(_ needle: String, in lines: LineIndex, file: String, lines range: ClosedRange<Int>, offset: Int) -> SourceLocation {
        let last = min(range.upperBound, lines.count)
        if !needle.isEmpty, range.lowerBound <= last {
            let pattern = Array(needle.utf8)
            for number in range.lowerBound...last {
                let line = lines[number]
                let hit =
                    line.utf8.withContiguousStorageIfAvailable { ByteSearch.first(pattern, in: UnsafeRawBufferPointer($0), from: 0) }
                    ?? Array(line.utf8).withUnsafeBytes { ByteSearch.first(pattern, in: $0, from: 0) }
                if let hit {
                    let found = line.utf8.index(line.startIndex, offsetBy: hit)
                    return SourceLocation(file: file, line: number + offset, column: line[..<found].count + 1)
                }
            }
        }
        return range.upperBound == Int.max
            ? SourceLocation(file: file) : SourceLocation(file: file, line: range.lowerBound + offset, column: 0)
    }
}

/// The lines of a text, found once by scanning its UTF-8 bytes; lines are 1-based.
final class LineIndex: @unchecked Sendable {
    let text: String
    /// The start of each line (immutable after init).
    private let starts: [String.Index]

    init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        self.text = text
        // Byte offsets of the line breaks, found with memchr; native strings index their UTF-8 in O(1).
        let offsets: [Int] =
            text.utf8.withContiguousStorageIfAvailable { bytes -> [Int] in
                guard let base = bytes.baseAddress else { return [] }
                var offsets: [Int] = []
                var position = 0
                while position < bytes.count, let found = memchr(base + position, 0x0A, bytes.count - position) {
                    position = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found)) + 1
                    offsets.append(position)
                }
                return offsets
            } ?? []
        let utf8 = text.utf8
        self.starts = [text.startIndex] + offsets.map { utf8.index(utf8.startIndex, offsetBy: $0) }
    }

    var count: Int { starts.count }

    /// Line `number` (1-based) without its line break.
    subscript(number: Int) -> Substring {
        let start = starts[number - 1]
        var end = number < starts.count ? text.utf8.index(before: starts[number]) : text.endIndex
        if end > start, text.utf8[text.utf8.index(before: end)] == 0x0D { end = text.utf8.index(before: end) }
        return text[start..<end]
    }
}
