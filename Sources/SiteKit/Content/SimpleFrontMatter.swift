/// Reads the front matter most pages have, lines of `key: value` with known keys and single-line
/// values, without a YAML parser: Yams resolves every scalar's type with regular expressions
/// (also to compare keys for duplicates), which made front matter a twentieth of a large build.
///
/// It answers only when the YAML means exactly what it reads, and the page has no finding: a
/// known key once per line, at the start of the line; a plain value that cannot be anything but
/// text (or `true`/`false` for `draft` and `toc`), or a quoted one without escapes; a valid route
/// and dates. For anything else (a comment, a list, an escape, a value YAML would read as null,
/// a mistake to report) it gives nil and ``FrontMatter`` reads the YAML with Yams, whose result
/// is the same where both answer.
enum SimpleFrontMatter {
    /// One `key: value` line: the value's text, whether it was quoted, and where it starts.
    struct Entry {
        var key: String
        var value: String
        var quoted: Bool
        /// 1-based line within the YAML text and 1-based column of the value's first character.
        var line: Int
        var column: Int
    }

    /// The entries of `yaml`, or nil when it is not this simple form.
    static func entries(_ yaml: String) -> [Entry]? {
        var entries: [Entry] = []
        var lineNumber = 0
        for line in yaml.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            guard let entry = entry(Array(line), line: lineNumber) else { return nil }
            entries.append(entry)
        }
        return entries.isEmpty ? nil : entries
    }

    private static func entry(_ bytes: [UInt8], line: Int) -> Entry? {
        // key: lower-case letters and underscores, then ": ".
        var index = 0
        while index < bytes.count, (bytes[index] >= 0x61 && bytes[index] <= 0x7A) || bytes[index] == 0x5F { index += 1 }
        guard index > 0, index + 2 < bytes.count, bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: " ") else {
            return nil
        }
        let key = String(decoding: bytes[..<index], as: UTF8.self)
        let start = index + 2
        let raw = bytes[start...]
        // Every character printable as YAML has it: no tab, carriage return or other control, no
        // C1 control or next-line character (U+0080 to U+009F), line or paragraph separator, byte
        // order mark or U+FFFE/U+FFFF.
        guard raw.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }), !containsNonPrintable(raw) else { return nil }
        // Columns count characters (Unicode scalars); the key and ": " are ASCII.
        let column = start + 1
        guard let first = raw.first, let last = raw.last else { return nil }
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            // Quoted: one closing quote, at the end, and nothing to unescape inside.
            let inside = raw.dropFirst().dropLast()
            guard raw.count >= 2, last == first, !inside.contains(first), !inside.contains(UInt8(ascii: "\\")) else { return nil }
            return Entry(key: key, value: String(decoding: inside, as: UTF8.self), quoted: true, line: line, column: column)
        }
        // Plain: starts with a letter or `/` (or is a date), no trailing blank, no comment, no
        // ": ". YAML reads nothing else than text from such a value but the words of ``nonText``,
        // which ``page(_:split:file:defaultRoute:defaultTemplate:)`` takes only where it wants a
        // boolean.
        let isLetter = (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) || first == UInt8(ascii: "/")
        guard isLetter || isDateForm(raw), last != UInt8(ascii: " "), last != UInt8(ascii: ":") else { return nil }
        var previous: UInt8 = 0
        for byte in raw {
            if byte == UInt8(ascii: "#") && previous == UInt8(ascii: " ") { return nil }
            if previous == UInt8(ascii: ":") && byte == UInt8(ascii: " ") { return nil }
            previous = byte
        }
        return Entry(key: key, value: String(decoding: raw, as: UTF8.self), quoted: false, line: line, column: column)
    }

    /// Whether `bytes` are `dddd-dd-dd` (a date, or not, as ``FrontMatter/isDate(_:)`` decides).
    static func isDateForm(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10 else { return false }
        for (offset, byte) in bytes.enumerated() {
            let isDigit = byte >= 0x30 && byte <= 0x39
            if offset == 4 || offset == 7 ? byte != UInt8(ascii: "-") : !isDigit { return false }
        }
        return true
    }

    /// Whether UTF-8 `bytes` hold a character YAML does not allow in a one-line scalar.
    static func containsNonPrintable(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            let next = index + 1 < bytes.endIndex ? bytes[index + 1] : 0
            let third = index + 2 < bytes.endIndex ? bytes[index + 2] : 0
            if byte == 0xC2, next >= 0x80, next <= 0x9F { return true }
            if byte == 0xE2, next == 0x80, third == 0xA8 || third == 0xA9 { return true }
            if byte == 0xEF, next == 0xBB, third == 0xBF { return true }
            if byte == 0xEF, next == 0xBF, third == 0xBE || third == 0xBF { return true }
            index += 1
        }
        return false
    }

    /// Plain words starting with a letter that YAML (as Yams resolves it) reads as a boolean or null.
    static let nonText: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
        "off", "Off", "OFF", "null", "Null", "NULL",
    ]

    /// The page `entries` describe, or nil when one of them needs the YAML reader (which also
    /// reports the mistakes).
    static func page(
        _ entries: [Entry], split: FrontMatter.Split, file: String, defaultRoute: String, defaultTemplate: String
    ) -> ContentPage? {
        var page = ContentPage(
            source: file, route: defaultRoute, title: "", description: "", effectiveDate: nil, updatedDate: nil,
            template: defaultTemplate, draft: false, aliases: [], showTOC: true, body: split.body,
            bodyLine: split.bodyLine, locations: [:])
        var seen = Set<String>()
        for entry in entries {
            guard seen.insert(entry.key).inserted else { return nil }
            // The YAML text starts on the file's second line, after the opening ---.
            page.locations[entry.key] = SourceLocation(file: file, line: entry.line + 1, column: entry.column)
            switch entry.key {
            case "draft", "toc":
                guard !entry.quoted, entry.value == "true" || entry.value == "false" else { return nil }
                if entry.key == "draft" { page.draft = entry.value == "true" } else { page.showTOC = entry.value == "true" }
            case _ where !entry.quoted && nonText.contains(entry.value):
                return nil
            case _ where !entry.quoted && isDateForm(ArraySlice(entry.value.utf8)) && entry.key != "effective" && entry.key != "updated":
                // A date where text is wanted: Yams would give the same text, but keep to the common forms.
                return nil
            case "title":
                page.title = entry.value.trimmingSpaces()
                if page.title.isEmpty { return nil }
            case "description": page.description = entry.value.trimmingSpaces()
            case "template": page.template = entry.value
            case "route":
                guard URLPath.problem(in: entry.value) == nil, entry.value == "/" || !entry.value.hasSuffix("/") else { return nil }
                page.route = entry.value
            case "effective", "updated":
                guard FrontMatter.isDate(entry.value) else { return nil }
                if entry.key == "effective" { page.effectiveDate = entry.value } else { page.updatedDate = entry.value }
            default:
                // aliases (a list) and unknown keys.
                return nil
            }
        }
        return seen.contains("title") ? page : nil
    }
}
