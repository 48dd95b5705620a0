import CLibXML2
import Foundation

/// An HTML page parsed with libxml2's HTML parser, reduced to what `site` reads: elements with
/// their attributes and source lines.
public struct HTMLDocument: Sendable {
    /// One element of the page.
    public struct Element: Sendable, Equatable {
        /// Lower-case tag name.
        public var name: String
        /// Attributes in source order, names lower-case.
        public var attributes: [(name: String, value: String)]
        /// 1-based source line.
        public var line: Int

        public subscript(attribute: String) -> String? {
            attributes.first { $0.name == attribute }?.value
        }

        public static func == (lhs: Element, rhs: Element) -> Bool {
            lhs.name == rhs.name && lhs.line == rhs.line && lhs.attributes.elementsEqual(rhs.attributes, by: ==)
        }
    }

    public var elements: [Element]

    /// Parses `html`; libxml2 recovers from errors, so this always gives a document.
    public init(parsing html: String) {
        var elements: [Element] = []
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOBLANKS.rawValue)
        let bytes = Array(html.utf8)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options)
                }
            } ?? nil
        }
        if let document {
            Self.collect(xmlDocGetRootElement(document), into: &elements)
            xmlFreeDoc(document)
        }
        self.elements = elements
    }

    /// Elements named `name`, in document order.
    public func elements(named name: String) -> [Element] {
        elements.filter { $0.name == name }
    }

    private static func collect(_ node: xmlNodePtr?, into elements: inout [Element]) {
        var current = node
        while let node = current {
            if node.pointee.type == XML_ELEMENT_NODE {
                let name = String(cString: node.pointee.name).lowercased()
                var attributes: [(String, String)] = []
                var attribute = node.pointee.properties
                while let property = attribute {
                    let attributeName = String(cString: property.pointee.name).lowercased()
                    var value = ""
                    if let text = xmlNodeGetContent(UnsafeMutablePointer<xmlNode>(OpaquePointer(property))) {
                        value = String(cString: text)
                        site_xml_free(text)
                    }
                    attributes.append((attributeName, value))
                    attribute = property.pointee.next
                }
                elements.append(Element(name: name, attributes: attributes, line: Int(xmlGetLineNo(node))))
                collect(node.pointee.children, into: &elements)
            }
            current = node.pointee.next
        }
    }
}
