import CLibXML2

/// Runs libxml2's HTML parser as a stream of SAX events over bytes in memory, with one object of
/// the caller's reachable from every callback: the part ``HTMLDocument`` and ``HTMLSanitizer``
/// share, each with callbacks of its own.
enum HTMLSAXParser {
    /// Parses `bytes` as UTF-8 HTML with `options` (`HTML_PARSE_*`), calling the callbacks of
    /// `handler`; inside them, ``context(_:)`` gives the parser and ``owner(_:as:)`` gives `owner`.
    static func parse(_ bytes: UnsafeRawBufferPointer, owner: AnyObject, options: Int32, handler: htmlSAXHandler) {
        _ = HTMLDocument.initialized
        guard let base = bytes.baseAddress,
            let context = htmlCreateMemoryParserCtxt(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        else { return }
        defer { htmlFreeParserCtxt(context) }
        let unmanaged = Unmanaged.passRetained(owner)
        defer { unmanaged.release() }
        context.pointee._private = unmanaged.toOpaque()
        // Callbacks get the user data: the parser itself, which holds the owner and the position.
        context.pointee.userData = UnsafeMutableRawPointer(context)
        if let sax = context.pointee.sax {
            var installed = handler
            installed.initialized = XML_SAX2_MAGIC
            sax.pointee = installed
        }
        htmlCtxtUseOptions(context, options)
        xmlSwitchEncoding(context, XML_CHAR_ENCODING_UTF8)
        htmlParseDocument(context)
    }

    /// The parser a callback was called by.
    static func context(_ userData: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<htmlParserCtxt>? {
        userData?.assumingMemoryBound(to: htmlParserCtxt.self)
    }

    /// The `owner` given to ``parse(_:owner:options:handler:)``, from a callback's user data.
    static func owner<Owner: AnyObject>(_ userData: UnsafeMutableRawPointer?, as type: Owner.Type) -> Owner? {
        guard let opaque = context(userData)?.pointee._private else { return nil }
        return Unmanaged<Owner>.fromOpaque(opaque).takeUnretainedValue()
    }
}
