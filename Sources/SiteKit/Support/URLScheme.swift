/// The scheme of a URL as a browser reads it, and which schemes a page may publish.
///
/// One reading serves the Markdown link check and the raw HTML sanitizer, so a URL that one of
/// them lets through the other cannot read differently.
enum URLScheme {
    /// The schemes a link or image in raw HTML may use; URLs without a scheme (relative paths,
    /// `//host/...`, `#fragment`, `?query`) are allowed as well.
    static let publishable: Set<String> = ["http", "https", "mailto", "tel"]

    /// The data URLs of images that cannot hold script: PNG, GIF, JPEG and WebP.
    static let imageDataPrefixes = ["data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp"]

    /// `url` as a browser reads it before looking for a scheme: tabs and line breaks removed
    /// anywhere, leading spaces and control characters dropped, then its first `limit` bytes with
    /// ASCII letters lower-cased.
    private static func normalizedPrefix(_ url: String, limit: Int = 40) -> [UInt8] {
        // One pass that stops after `limit` bytes: this runs for every link of every page.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(limit, url.utf8.count))
        for byte in url.utf8 {
            if byte == 0x09 || byte == 0x0A || byte == 0x0D { continue }
            if bytes.isEmpty, byte <= 0x20 { continue }
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            if bytes.count == limit { break }
        }
        return bytes
    }

    /// The lower-case scheme of `url` (`https`, `javascript`, ...), or nil for a URL without one.
    /// A scheme is a letter followed by letters, digits, `+`, `-` or `.`, up to the first `:`.
    static func scheme(of url: String) -> String? {
        let bytes = normalizedPrefix(url)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        let name = bytes[..<colon]
        guard let first = name.first, first >= 0x61, first <= 0x7A else { return nil }
        let valid = name.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: ".")
        }
        return valid ? String(decoding: name, as: UTF8.self) : nil
    }

    /// Whether `url` is a data URL of an image that cannot hold script.
    static func isImageData(_ url: String) -> Bool {
        let lowered = String(decoding: normalizedPrefix(url, limit: 20), as: UTF8.self)
        return imageDataPrefixes.contains { lowered.hasPrefix($0) }
    }

    /// The scheme (`javascript`, `vbscript`, `file` or `data`) of a URL that would run code or
    /// read local files; nil for anything else, and for data URLs of PNG, GIF, JPEG and WebP images.
    static func dangerous(_ url: String) -> String? {
        switch scheme(of: url) {
        case "javascript": return "javascript"
        case "vbscript": return "vbscript"
        case "file": return "file"
        case "data": return isImageData(url) ? nil : "data"
        default: return nil
        }
    }
}
