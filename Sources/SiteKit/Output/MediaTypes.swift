/// Content-Type by file extension, the same on every platform (no system MIME database).
public enum MediaTypes {
    /// Extension (lower-case, without the dot) -> Content-Type. Text types carry `charset=utf-8`.
    public static let table: [String: String] = [
        "html": "text/html; charset=utf-8",
        "htm": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "json": "application/json; charset=utf-8",
        "map": "application/json; charset=utf-8",
        "webmanifest": "application/manifest+json; charset=utf-8",
        "txt": "text/plain; charset=utf-8",
        "xml": "application/xml; charset=utf-8",
        "svg": "image/svg+xml; charset=utf-8",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "ico": "image/x-icon",
        "woff": "font/woff",
        "woff2": "font/woff2",
        "ttf": "font/ttf",
        "otf": "font/otf",
        "wasm": "application/wasm",
        "pdf": "application/pdf",
        "mp4": "video/mp4",
        "webm": "video/webm",
    ]

    /// The type of any file we do not know: served as bytes, never sniffed into something runnable.
    public static let fallback = "application/octet-stream"

    /// The Content-Type of object `key`. Extension-less keys are pages: `text/html`.
    public static func contentType(forKey key: String) -> String {
        let utf8 = key.utf8
        let nameStart = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        guard let dot = utf8[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot != nameStart else { return table["html"] ?? fallback }
        let ext = key[utf8.index(after: dot)...].lowercased()
        return table[ext] ?? fallback
    }
}
