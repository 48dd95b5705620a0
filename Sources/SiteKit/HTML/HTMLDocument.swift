import CLibXML2
import Foundation

/// An HTML page parsed with libxml2's HTML parser, reduced to what `site` reads: elements with
/// their attributes, parents and source lines, and the parse errors that matter.
public struct HTMLDocument: Sendable {
    /// One element of the page.
    public struct Element: Sendable, Equatable {
        /// Lower-case tag name.
        public var name: String
        /// Attributes in source order, names lower-case.
        public var attributes: [Attribute]
        /// 1-based source line.
        public var line: Int
        /// The index of the parent element in ``HTMLDocument/elements``.
        public var parent: Int?
        /// The text inside, for `title` and `h1` only (the rest is not needed).
        public var text: String?

        /// The value of the element's first attribute named `attribute` (lower-case); nil when it
        /// has none of that name.
        public subscript(attribute: String) -> String? {
            attributes.first { $0.name == attribute }?.value
        }
    }

    /// One attribute.
    public struct Attribute: Sendable, Equatable {
        /// The attribute's name, lower-case.
        public var name: String
        /// The value with entities decoded; empty for an attribute written without one.
        public var value: String
    }

    /// A problem libxml2 found while parsing.
    public struct ParseError: Sendable, Equatable {
        /// The 1-based line libxml2 reports the problem at.
        public var line: Int
        /// The column libxml2 reports the problem at.
        public var column: Int
        /// libxml2's error number (an `xmlParserErrors` value), by which the page checks tell
        /// harmless errors from real ones.
        public var code: Int
        /// libxml2's message, without surrounding white space.
        public var message: String
    }

    /// Every element of the page, in the order their start tags appear.
    public var elements: [Element]
    /// The problems libxml2 found, in the order it found them.
    public var errors: [ParseError]
    /// Whether the text starts with `<!DOCTYPE html>` (any case, after white space).
    public var hasHTML5Doctype: Bool

    /// libxml2 creates its global locks and dictionaries on first use; two threads parsing their
    /// first pages at once would race there (and deadlock), so it is set up once, before any parse.
    static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses `html`; libxml2 recovers from errors, so this always gives a document.
    public init(parsing html: String) {
        self.init(parsing: Data(html.utf8))
    }

    init(elements: [Element], errors: [ParseError], hasHTML5Doctype: Bool) {
        self.elements = elements
        self.errors = errors
        self.hasHTML5Doctype = hasHTML5Doctype
    }

    /// Parses the UTF-8 bytes of a page. A page of plain, well-formed HTML is read by
    /// ``WellFormedHTMLScanner``, which gives what libxml2 gives in a fraction of the time; any
    /// other page is parsed by libxml2.
    public init(parsing data: Data) {
        if let scanned = data.withUnsafeBytes({ WellFormedHTMLScanner.scan($0) }) {
            self = scanned
        } else {
            self.init(libxml2Parsing: data)
        }
    }

    /// Parses the UTF-8 bytes of a page with libxml2's HTML parser. libxml2 reports elements as it
    /// reads them (SAX): no tree is built, only the element list.
    init(libxml2Parsing data: Data) {
        let builder = Builder()
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue)
        var handler = htmlSAXHandler()
        handler.startElement = { context, name, attributes in
            guard let (builder, line) = Builder.from(context), let name else { return }
            builder.start(name, attributes: attributes, line: line)
        }
        handler.endElement = { context, _ in
            Builder.from(context)?.builder.end()
        }
        handler.characters = { context, characters, length in
            guard let characters else { return }
            Builder.from(context)?.builder.text(characters, length: Int(length))
        }
        handler.ignorableWhitespace = handler.characters
        handler.serror = { context, error in
            guard let error, let builder = Builder.from(context)?.builder else { return }
            let message = error.pointee.message.map { String(cString: $0) } ?? ""
            builder.errors.append(
                ParseError(
                    line: Int(error.pointee.line), column: Int(error.pointee.int2), code: Int(error.pointee.code),
                    message: message.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        data.withUnsafeBytes { HTMLSAXParser.parse($0, owner: builder, options: options, handler: handler) }
        self.elements = builder.elements
        self.errors = builder.errors
        self.hasHTML5Doctype = data.withUnsafeBytes { bytes in
            let start = bytes.firstIndex { ![0x20, 0x09, 0x0A, 0x0D, 0x0C].contains($0) } ?? bytes.count
            let doctype = Array("<!doctype html>".utf8)
            guard bytes.count - start >= doctype.count else { return false }
            return (0..<doctype.count).allSatisfy { offset in
                let byte = bytes[start + offset]
                return (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == doctype[offset]
            }
        }
    }

    /// The nearest ancestor-or-self of element `index` that has `attribute`, and its value.
    public func nearest(_ attribute: String, from index: Int) -> String? {
        var current: Int? = index
        while let position = current {
            if let value = elements[position][attribute] { return value }
            current = elements[position].parent
        }
        return nil
    }

}

/// Receives libxml2's SAX events during one parse and builds the element list.
private final class Builder {
    var elements: [HTMLDocument.Element] = []
    var errors: [HTMLDocument.ParseError] = []
    /// Indexes of the open elements, innermost last.
    private var open: [Int] = []
    /// Open elements whose text is kept (`title`, `h1`).
    private var collecting = 0
    /// libxml2 keeps names in a dictionary: one Swift string per distinct name pointer.
    private var names: [UnsafePointer<xmlChar>: String] = [:]

    /// The builder and current line of a parser context.
    static func from(_ context: UnsafeMutableRawPointer?) -> (builder: Builder, line: Int)? {
        guard let builder = HTMLSAXParser.owner(context, as: Builder.self) else { return nil }
        let line = HTMLSAXParser.context(context)?.pointee.input.map { Int($0.pointee.line) } ?? 0
        return (builder, line)
    }

    private func name(_ pointer: UnsafePointer<xmlChar>) -> String {
        if let known = names[pointer] { return known }
        let made = String(cString: pointer).lowercased()
        names[pointer] = made
        return made
    }

    func start(_ name: UnsafePointer<xmlChar>, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, line: Int) {
        let elementName = self.name(name)
        var list: [HTMLDocument.Attribute] = []
        if var pair = attributes {
            while let attributeName = pair.pointee {
                let value = pair.advanced(by: 1).pointee.map { String(cString: $0) } ?? ""
                list.append(HTMLDocument.Attribute(name: self.name(attributeName), value: value))
                pair = pair.advanced(by: 2)
            }
        }
        let keepsText = elementName == "title" || elementName == "h1"
        if keepsText { collecting += 1 }
        elements.append(
            HTMLDocument.Element(name: elementName, attributes: list, line: line, parent: open.last, text: keepsText ? "" : nil))
        open.append(elements.count - 1)
    }

    func end() {
        guard let index = open.popLast() else { return }
        if elements[index].text != nil { collecting -= 1 }
    }

    func text(_ characters: UnsafePointer<xmlChar>, length: Int) {
        guard collecting > 0 else { return }
        let text = String(decoding: UnsafeBufferPointer(start: characters, count: length), as: UTF8.self)
        for index in open where elements[index].text != nil { elements[index].text? += text }
    }
}
