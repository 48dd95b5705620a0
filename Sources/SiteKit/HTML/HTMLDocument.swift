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

        public subscript(attribute: String) -> String? {
            attributes.first { $0.name == attribute }?.value
        }
    }

    /// One attribute.
    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// A problem libxml2 found while parsing.
    public struct ParseError: Sendable, Equatable {
        public var line: Int
        public var column: Int
        public var code: Int
        public var message: String
    }

    public var elements: [Element]
    public var errors: [ParseError]
    /// Whether the text starts with `<!DOCTYPE html>` (any case, after white space).
    public var hasHTML5Doctype: Bool

    /// Parses `html`; libxml2 recovers from errors, so this always gives a document.
    public init(parsing html: String) {
        var elements: [Element] = []
        let collector = ErrorCollector()
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue)
        let bytes = Array(html.utf8)
        let unmanaged = Unmanaged.passRetained(collector)
        xmlSetStructuredErrorFunc(unmanaged.toOpaque()) { context, error in
            guard let context, let error else { return }
            let collector = Unmanaged<ErrorCollector>.fromOpaque(context).takeUnretainedValue()
            let message = error.pointee.message.map { String(cString: $0) } ?? ""
            collector.errors.append(
                ParseError(
                    line: Int(error.pointee.line), column: Int(error.pointee.int2), code: Int(error.pointee.code),
                    message: message.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options)
                }
            } ?? nil
        }
        xmlSetStructuredErrorFunc(nil, nil)
        unmanaged.release()
        if let document {
            var child = document.pointee.children
            while let node = child {
                if node.pointee.type == XML_ELEMENT_NODE { Self.collect(node, parent: nil, into: &elements) }
                child = node.pointee.next
            }
            xmlFreeDoc(document)
        }
        self.elements = elements
        self.errors = collector.errors
        let start = html.drop { $0.isWhitespace }.prefix(15).lowercased()
        self.hasHTML5Doctype = start == "<!doctype html>"
    }

    /// Elements named `name`, in document order.
    public func elements(named name: String) -> [Element] {
        elements.filter { $0.name == name }
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

    private static func collect(_ node: xmlNodePtr, parent: Int?, into elements: inout [Element]) {
        let name = String(cString: node.pointee.name).lowercased()
        var attributes: [Attribute] = []
        var attribute = node.pointee.properties
        while let property = attribute {
            let attributeName = String(cString: property.pointee.name).lowercased()
            var value = ""
            if let text = xmlNodeGetContent(UnsafeMutablePointer<xmlNode>(OpaquePointer(property))) {
                value = String(cString: text)
                site_xml_free(text)
            }
            attributes.append(Attribute(name: attributeName, value: value))
            attribute = property.pointee.next
        }
        var text: String?
        if name == "title" || name == "h1", let content = xmlNodeGetContent(node) {
            text = String(cString: content)
            site_xml_free(content)
        }
        let index = elements.count
        elements.append(Element(name: name, attributes: attributes, line: Int(xmlGetLineNo(node)), parent: parent, text: text))
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { collect(current, parent: index, into: &elements) }
            child = current.pointee.next
        }
    }
}

/// Receives libxml2's errors during one parse (libxml2 keeps the handler per thread).
private final class ErrorCollector: @unchecked Sendable {
    var errors: [HTMLDocument.ParseError] = []
}
