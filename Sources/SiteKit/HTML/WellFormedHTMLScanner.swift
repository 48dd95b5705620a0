import CLibXML2
import Foundation

/// Reads a page that is plain, well-formed HTML (what `site` renders from Markdown and sound
/// templates) into the same ``HTMLDocument`` that libxml2's HTML parser gives, in one pass over
/// the bytes and without libxml2's per-character work.
///
/// It answers only for what it reads exactly as libxml2 does, and gives nil for anything else,
/// which is then parsed by libxml2: a doctype other than `<!DOCTYPE html>`, an unquoted or
/// repeated attribute, a start tag libxml2 would close another element for, an end tag that is
/// not the innermost open element, an entity libxml2 does not know, text where libxml2 would
/// imply a paragraph, a control character, invalid UTF-8, a carriage return, a `<meta charset>`
/// other than UTF-8, an element left open at the end. A page it reads has no parse error.
///
/// Which elements are empty, which entities exist and which start tags close which open
/// elements are asked of libxml2 itself (``HTMLTagRules``), so the two readings cannot drift.
enum WellFormedHTMLScanner {
    /// The document, or nil when libxml2 must read the page.
    static func scan(_ bytes: UnsafeRawBufferPointer) -> HTMLDocument? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var scanner = Scanner(base: base, count: bytes.count)
        guard scanner.run() else { return nil }
        return HTMLDocument(elements: scanner.elements, errors: [], hasHTML5Doctype: true)
    }
}

private let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&"), slash = UInt8(ascii: "/")
private let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
private let doubleQuote = UInt8(ascii: "\""), singleQuote = UInt8(ascii: "'"), equals = UInt8(ascii: "=")

/// `byte` with ASCII upper case made lower case, as libxml2 folds tag and attribute names.
private func asciiLowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

private struct Scanner {
    let base: UnsafePointer<UInt8>
    let count: Int
    var position = 0
    /// The 1-based line of `position`.
    var line = 1
    var elements: [HTMLDocument.Element] = []
    /// Indexes of the open elements, innermost last, and their names' ids.
    var open: [Int] = []
    var openNames: [Int] = []
    /// Open `title` and `h1` elements, whose text is kept.
    var collecting = 0
    var seenHTML = false, seenHead = false, seenBody = false
    /// The page's tag and attribute names, each made into a string once.
    var names = NameTable()
    /// What libxml2 answered for this page's tags (by name ids), so the shared rules are asked once a page.
    var answers = Answers()

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    mutating func run() -> Bool {
        skipBlanks()
        guard readDoctype() else { return false }
        while position < count {
            if base[position] == lt {
                guard position + 1 < count else { return false }
                let next = base[position + 1]
                if next == slash {
                    guard endTag() else { return false }
                } else if next == UInt8(ascii: "!") {
                    guard comment() else { return false }
                } else if isLetter(next) {
                    guard startTag() else { return false }
                } else {
                    return false
                }
            } else {
                guard text() else { return false }
            }
        }
        return open.isEmpty
    }

    // MARK: Pieces of markup

    /// `<!DOCTYPE html>` in any case, the only doctype read here.
    mutating func readDoctype() -> Bool {
        let doctype = Array("<!doctype html>".utf8)
        guard count - position >= doctype.count else { return false }
        for offset in 0..<doctype.count where asciiLowercased(base[position + offset]) != doctype[offset] { return false }
        position += doctype.count
        return true
    }

    /// Text up to the next `<`: blank where libxml2 would imply a paragraph, entities it knows.
    mutating func text() -> Bool {
        let keeping = collecting > 0
        // Only outside any element and directly in <html> or <head> does text need to be blank:
        // libxml2 opens an implied <p> for any other.
        let top = openNames.last
        let mustBeBlank = top == nil || top == NameTable.html || top == NameTable.head
        let end =
            memchr(base + position, Int32(lt), count - position).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base }
            ?? count
        var kept: [UInt8] = []
        var start = position
        while position < end {
            // Eight bytes at a time while none needs a look of its own (a space or control
            // character, `&`, or a byte of a longer character): the loop below only steps over those.
            if !mustBeBlank {
                while end - position >= 8 {
                    let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                    let high: UInt64 = 0x8080_8080_8080_8080
                    let low: UInt64 = 0x0101_0101_0101_0101
                    let special =
                        (word & high) | ((word &- low &* 0x21) & ~word & high)
                        | (((word ^ (low &* 0x26)) &- low) & ~(word ^ (low &* 0x26)) & high)
                    if special != 0 { break }
                    position += 8
                }
                if position >= end { break }
            }
            let byte = base[position]
            if byte > space && byte < 0x80 && byte != amp {
                if mustBeBlank { return false }
                position += 1
                continue
            }
            if byte == space || byte == tab {
                position += 1
            } else if byte == newline {
                line += 1
                position += 1
            } else if byte == amp {
                if mustBeBlank { return false }
                if keeping { kept.append(contentsOf: UnsafeBufferPointer(start: base + start, count: position - start)) }
                guard let scalar = reference() else { return false }
                if keeping { append(scalar, to: &kept) }
                start = position
            } else if byte >= 0x80 {
                guard !mustBeBlank, let length = validUTF8(at: position) else { return false }
                position += length
            } else {
                return false  // another control character
            }
        }
        if keeping {
            kept.append(contentsOf: UnsafeBufferPointer(start: base + start, count: position - start))
            let text = String(decoding: kept, as: UTF8.self)
            for index in open where elements[index].text != nil { elements[index].text? += text }
        }
        return true
    }

    /// `<!-- ... -->` without `--` inside.
    mutating func comment() -> Bool {
        guard count - position >= 7, base[position + 2] == UInt8(ascii: "-"), base[position + 3] == UInt8(ascii: "-") else { return false }
        position += 4
        guard position < count, base[position] != gt, base[position] != UInt8(ascii: "-") else { return false }
        while position < count {
            let byte = base[position]
            if byte == UInt8(ascii: "-"), position + 1 < count, base[position + 1] == UInt8(ascii: "-") {
                guard position + 2 < count, base[position + 2] == gt else { return false }
                position += 3
                return true
            }
            guard stepOverCharacter() else { return false }
        }
        return false
    }

    /// `</name>`, closing the innermost open element.
    mutating func endTag() -> Bool {
        position += 2
        guard let name = tagName() else { return false }
        skipBlanks()
        guard position < count, base[position] == gt else { return false }
        position += 1
        guard let top = open.last, openNames.last == name else { return false }
        open.removeLast()
        openNames.removeLast()
        if elements[top].text != nil { collecting -= 1 }
        return true
    }

    /// `<name attribute="value" ...>` or `.../>`.
    mutating func startTag() -> Bool {
        position += 1
        guard let name = tagName() else { return false }
        var attributes: [HTMLDocument.Attribute] = []
        /// Ids of the attribute names seen (bit `id % 64`), to find a repeated one without comparing strings.
        var seenNames: UInt64 = 0
        var charset: (id: Int, value: String)?
        var selfClosing = false
        while true {
            let hadBlank = skipBlanks()
            guard position < count else { return false }
            let byte = base[position]
            if byte == gt { break }
            if byte == slash {
                guard position + 1 < count, base[position + 1] == gt else { return false }
                selfClosing = true
                break
            }
            guard hadBlank, let (id, attribute) = self.attribute() else { return false }
            let bit: UInt64 = 1 << UInt64(id & 63)
            if seenNames & bit != 0, attributes.contains(where: { $0.name == attribute.name }) { return false }
            seenNames |= bit
            if id == NameTable.charset || id == NameTable.httpEquiv { charset = (id, attribute.value) }
            attributes.append(attribute)
        }
        // libxml2 reports the element with the line of its `>`.
        let elementLine = line
        position += selfClosing ? 2 : 1
        guard fits(name) else { return false }
        if name == NameTable.meta, let charset {
            // Another encoding would make libxml2 decode the rest differently.
            guard charset.id == NameTable.charset, charset.value.lowercased() == "utf-8" else { return false }
        }
        let keepsText = name == NameTable.title || name == NameTable.h1
        elements.append(
            HTMLDocument.Element(
                name: names[name], attributes: attributes, line: elementLine, parent: open.last, text: keepsText ? "" : nil))
        switch name {
        case NameTable.html: seenHTML = true
        case NameTable.head: seenHead = true
        case NameTable.body: seenBody = true
        default: break
        }
        if selfClosing || isEmpty(name) { return true }
        open.append(elements.count - 1)
        openNames.append(name)
        if keepsText { collecting += 1 }
        if name == NameTable.script || name == NameTable.style { return rawText(name) }
        return true
    }

    /// Whether libxml2 would place element `name` where it stands, inside the innermost open
    /// element, without closing or moving anything.
    mutating func fits(_ name: Int) -> Bool {
        let top = openNames.last
        switch name {
        case NameTable.html: return top == nil && !seenHTML && elements.isEmpty
        case NameTable.head: return top == NameTable.html && open.count == 1 && !seenHead && !seenBody
        case NameTable.body: return top == NameTable.html && open.count == 1 && !seenBody
        default: break
        }
        guard let top, top != NameTable.html else { return false }
        if top == NameTable.head { return Self.inHead.contains(names[name]) }
        return !closes(top, name)
    }

    static let inHead: Set<String> = ["title", "meta", "link", "style", "script", "base"]

    /// Whether a start tag `name` makes libxml2 close the open element `top`.
    mutating func closes(_ top: Int, _ name: Int) -> Bool {
        if let known = answers.closes(top, name) { return known }
        let answer = HTMLTagRules.shared.closes(names[top], for: names[name])
        answers.setCloses(top, name, answer)
        return answer
    }

    mutating func isEmpty(_ name: Int) -> Bool {
        if let known = answers.empty(name) { return known }
        let answer = HTMLTagRules.shared.isEmpty(names[name])
        answers.setEmpty(name, answer)
        return answer
    }

    /// The content of `script` or `style` up to its end tag, which must be the first `</` in it.
    mutating func rawText(_ name: Int) -> Bool {
        while position < count {
            let byte = base[position]
            if byte == lt, position + 1 < count, base[position + 1] == slash {
                let saved = position
                position += 2
                guard tagName() == name, position < count, base[position] == gt || isBlank(base[position]) else { return false }
                position = saved
                return endTag()
            }
            if byte == lt, position + 1 < count, isLetter(base[position + 1]) {
                // libxml2 looks for tags that close the element even here (`<frameset>` ends a style).
                var end = position + 1
                while end < count, isNameByte(base[end]) { end += 1 }
                if closes(name, names.id(base + position + 1, end - position - 1)) { return false }
            }
            guard stepOverCharacter() else { return false }
        }
        return false
    }

    /// `name`, `name="value"` or `name='value'`; libxml2 lower-cases the name and decodes the value.
    mutating func attribute() -> (Int, HTMLDocument.Attribute)? {
        let start = position
        guard position < count, isLetter(base[position]) || base[position] == UInt8(ascii: "_") || base[position] == UInt8(ascii: ":")
        else { return nil }
        position += 1
        while position < count, isNameByte(base[position]) { position += 1 }
        let id = names.id(base + start, position - start)
        let name = names[id]
        guard position < count else { return nil }
        if base[position] != equals {
            guard isBlank(base[position]) || base[position] == gt || base[position] == slash else { return nil }
            return (id, HTMLDocument.Attribute(name: name, value: ""))
        }
        position += 1
        guard position < count else { return nil }
        let quote = base[position]
        guard quote == doubleQuote || quote == singleQuote else { return nil }
        position += 1
        var value: [UInt8] = []
        var runStart = position
        while true {
            guard position < count else { return nil }
            let byte = base[position]
            if byte == quote { break }
            if byte == amp {
                value.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: position - runStart))
                guard let scalar = reference() else { return nil }
                append(scalar, to: &value)
                runStart = position
            } else if !stepOverCharacter() {
                return nil
            }
        }
        let text: String
        if value.isEmpty {
            text = String(decoding: UnsafeBufferPointer(start: base + runStart, count: position - runStart), as: UTF8.self)
        } else {
            value.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: position - runStart))
            text = String(decoding: value, as: UTF8.self)
        }
        position += 1
        guard position < count, isBlank(base[position]) || base[position] == gt || base[position] == slash else { return nil }
        return (id, HTMLDocument.Attribute(name: name, value: text))
    }

    /// `&name;`, `&#123;` or `&#x7B;` at `position`: the character, or nil for what libxml2 reads
    /// differently (no `;`, a name it does not know, a character XML does not allow).
    mutating func reference() -> Unicode.Scalar? {
        position += 1
        guard position < count else { return nil }
        let start = position
        if base[position] == UInt8(ascii: "#") {
            position += 1
            var hex = false
            if position < count, base[position] | 0x20 == UInt8(ascii: "x") {
                hex = true
                position += 1
            }
            var value: UInt32 = 0
            var digits = 0
            while position < count, digits <= 8 {
                let byte = base[position]
                let digit: UInt32
                if byte >= 0x30 && byte <= 0x39 {
                    digit = UInt32(byte - 0x30)
                } else if hex, byte | 0x20 >= UInt8(ascii: "a"), byte | 0x20 <= UInt8(ascii: "f") {
                    digit = UInt32(byte | 0x20) - 0x57
                } else {
                    break
                }
                value = value * (hex ? 16 : 10) + digit
                digits += 1
                position += 1
            }
            guard digits > 0, digits <= 7, position < count, base[position] == UInt8(ascii: ";") else { return nil }
            position += 1
            let allowed =
                value == 0x9 || value == 0xA || (value >= 0x20 && value <= 0xD7FF) || (value >= 0xE000 && value <= 0xFFFD)
                || (value >= 0x10000 && value <= 0x10FFFF)
            return allowed ? Unicode.Scalar(value) : nil
        }
        guard isLetter(base[position]) else { return nil }
        while position < count, isLetter(base[position]) || (base[position] >= 0x30 && base[position] <= 0x39) { position += 1 }
        guard position < count, base[position] == UInt8(ascii: ";"), position - start <= 16 else { return nil }
        let name = UnsafeBufferPointer(start: base + start, count: position - start)
        position += 1
        switch String(decoding: name, as: UTF8.self) {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case let other: return HTMLTagRules.shared.entity(other)
        }
    }

    // MARK: Bytes

    func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z") }
    func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == newline || byte == tab }
    func isNameByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
    }

    /// Skips spaces, tabs and line feeds; whether there were any.
    @discardableResult
    mutating func skipBlanks() -> Bool {
        let start = position
        while position < count, isBlank(base[position]) {
            if base[position] == newline { line += 1 }
            position += 1
        }
        return position > start
    }

    /// A tag name (letters, digits, `-`), as the id of its lower-cased form; nil when none or
    /// followed by anything else.
    mutating func tagName() -> Int? {
        let start = position
        guard position < count, isLetter(base[position]) else { return nil }
        while position < count,
            isLetter(base[position]) || (base[position] >= 0x30 && base[position] <= 0x39) || base[position] == UInt8(ascii: "-")
        {
            position += 1
        }
        guard position < count, isBlank(base[position]) || base[position] == gt || base[position] == slash else { return nil }
        return names.id(base + start, position - start)
    }

    /// Steps over the character at `position` of text read as written (a comment, a script, an
    /// attribute value), counting line feeds; false for a control character or invalid UTF-8.
    mutating func stepOverCharacter() -> Bool {
        let byte = base[position]
        if byte >= 0x80 {
            guard let length = validUTF8(at: position) else { return false }
            position += length
            return true
        }
        if byte == newline {
            line += 1
        } else if byte < 0x20 && byte != tab {
            return false
        }
        position += 1
        return true
    }

    /// The length of the UTF-8 sequence at `offset`, or nil when it is invalid or a character
    /// XML does not allow (U+FFFE, U+FFFF).
    func validUTF8(at offset: Int) -> Int? {
        let first = base[offset]
        let length: Int
        var value: UInt32
        switch first {
        case 0xC2...0xDF: length = 2; value = UInt32(first & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(first & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(first & 0x07)
        default: return nil
        }
        guard count - offset >= length else { return nil }
        for index in 1..<length {
            let byte = base[offset + index]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        switch length {
        case 3: guard value >= 0x800, !(0xD800...0xDFFF).contains(value), value != 0xFFFE, value != 0xFFFF else { return nil }
        case 4: guard value >= 0x10000, value <= 0x10FFFF else { return nil }
        default: break
        }
        return length
    }

    func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
    }
}

/// What libxml2's HTML parser does with tags and entities, asked of libxml2 once per question
/// and kept for the process.
final class HTMLTagRules: @unchecked Sendable {
    static let shared = HTMLTagRules()

    private let lock = NSLock()
    private var closes: [String: Bool] = [:]
    private var entities: [String: Unicode.Scalar?] = [:]

    /// Whether libxml2 knows `name` as an element without content (`br`, `img`, `meta` ...),
    /// which it ends right after its start tag.
    func isEmpty(_ name: String) -> Bool {
        guard let description = htmlTagLookup(name) else { return false }
        return description.pointee.empty != 0
    }

    /// The character libxml2 reads for `&name;`, if it knows the entity.
    func entity(_ name: String) -> Unicode.Scalar? {
        lock.lock()
        defer { lock.unlock() }
        if let known = entities[name] { return known }
        let scalar = htmlEntityLookup(name).flatMap { Unicode.Scalar($0.pointee.value) }
        entities[name] = scalar
        return scalar
    }

    /// Whether a start tag `name` makes libxml2 close the open element `top` first (a `<div>` in
    /// an open `<p>`, a second `<li>` in an open `<li>`): libxml2 reads a small document with the
    /// two and says where it put `name`.
    func closes(_ top: String, for name: String) -> Bool {
        let key = top + " " + name
        lock.lock()
        defer { lock.unlock() }
        if let known = closes[key] { return known }
        let probe = HTMLDocument(libxml2Parsing: Data("<div><\(top)><\(name)></\(name)></\(top)></div>".utf8))
        let placed =
            probe.elements.count >= 3 && probe.elements[1].name == top && probe.elements[2].name == name
            && probe.elements[2].parent == 1
        closes[key] = !placed
        return !placed
    }
}

/// The tag and attribute names of one page, lower-cased, each made into a string once and known
/// by a small number; the names the scanner asks about have fixed numbers.
private struct NameTable {
    static let html = 0, head = 1, body = 2, title = 3, h1 = 4, meta = 5, script = 6, style = 7, charset = 8, httpEquiv = 9
    private static let fixed = ["html", "head", "body", "title", "h1", "meta", "script", "style", "charset", "http-equiv"]

    /// A name of up to 16 bytes, packed into two words.
    private struct Packed: Equatable {
        var low: UInt64
        var high: UInt64
    }

    /// Open addressing over `keys` (a page has a few dozen names; Swift's hashing would cost more than the scan).
    private var slots = [Int32](repeating: -1, count: 128)
    private var keys: [Packed] = []
    private var strings: [String] = []
    /// Names longer than 16 bytes.
    private var long: [String: Int] = [:]

    init() {
        for name in Self.fixed {
            let bytes = Array(name.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                if let start = buffer.baseAddress { _ = id(start, buffer.count) }
            }
        }
    }

    subscript(id: Int) -> String { strings[id] }

    /// The id of the name in the `length` bytes at `start`, in any case.
    mutating func id(_ start: UnsafePointer<UInt8>, _ length: Int) -> Int {
        guard length <= 16 else {
            let name = Self.lowercased(start, length)
            if let known = long[name] { return known }
            append(name, Packed(low: 0, high: 0))
            long[name] = strings.count - 1
            return strings.count - 1
        }
        var key = Packed(low: 0, high: 0)
        for index in 0..<length {
            let byte = start[index]
            let lower = UInt64(asciiLowercased(byte))
            if index < 8 { key.low |= lower << (8 * UInt64(index)) } else { key.high |= lower << (8 * UInt64(index - 8)) }
        }
        let mask = slots.count - 1
        var slot = Self.slot(of: key, mask: mask)
        while true {
            let id = Int(slots[slot])
            if id < 0 { break }
            if keys[id] == key { return id }
            slot = (slot + 1) & mask
        }
        append(Self.lowercased(start, length), key)
        slots[slot] = Int32(strings.count - 1)
        if strings.count * 2 > slots.count { grow() }
        return strings.count - 1
    }

    private static func slot(of key: Packed, mask: Int) -> Int {
        Int(truncatingIfNeeded: ((key.low &* 0x9E37_79B9_7F4A_7C15) ^ (key.high &* 0xC2B2_AE3D_27D4_EB4F)) >> 40) & mask
    }

    private mutating func append(_ name: String, _ key: Packed) {
        strings.append(name)
        keys.append(key)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, key) in keys.enumerated() where key != Packed(low: 0, high: 0) {
            var slot = Self.slot(of: key, mask: mask)
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    private static func lowercased(_ start: UnsafePointer<UInt8>, _ length: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: start, count: length).map(asciiLowercased), as: UTF8.self)
    }
}

/// libxml2's answers for one page's names, by id: a table for the first 64 names, a dictionary after.
private struct Answers {
    private static let side = 64
    /// -1 unknown, 0 no, 1 yes.
    private var closesTable = [Int8](repeating: -1, count: side * side)
    private var emptyTable = [Int8](repeating: -1, count: side)
    private var more: [Int: Bool] = [:]

    func closes(_ top: Int, _ name: Int) -> Bool? {
        if top < Self.side, name < Self.side {
            let known = closesTable[top * Self.side + name]
            return known < 0 ? nil : known == 1
        }
        return more[top << 32 | name]
    }

    mutating func setCloses(_ top: Int, _ name: Int, _ answer: Bool) {
        if top < Self.side, name < Self.side {
            closesTable[top * Self.side + name] = answer ? 1 : 0
        } else {
            more[top << 32 | name] = answer
        }
    }

    func empty(_ name: Int) -> Bool? {
        if name < Self.side { return emptyTable[name] < 0 ? nil : emptyTable[name] == 1 }
        return more[-1 - name]
    }

    mutating func setEmpty(_ name: Int, _ answer: Bool) {
        if name < Self.side { emptyTable[name] = answer ? 1 : 0 } else { more[-1 - name] = answer }
    }
}
