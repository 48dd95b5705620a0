/// What an output object is, which decides how long it may be cached.
public enum ObjectKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// A rendered content page (Terms, Privacy, 404).
    case page
    /// The single-page app's shell, `index.html`.
    case shell
    /// A file whose name carries its content hash: never changes, cached for a year.
    case asset
    /// Anything else: sitemap, robots.txt, unhashed bundle files.
    case other

    /// Kinds sort by their raw names: `asset`, `other`, `page`, `shell`.
    public static func < (lhs: ObjectKind, rhs: ObjectKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Cache-Control per kind of object.
public enum CachePolicy {
    /// The Cache-Control header for an object of `kind`.
    ///
    /// HTML is revalidated by browsers on every visit (`max-age=0, must-revalidate`) while the edge
    /// keeps it for `settings.htmlEdgeSeconds`, because every deploy invalidates exactly the pages
    /// it changed. Fingerprinted assets never change. Everything else is short-lived.
    public static func cacheControl(for kind: ObjectKind, settings: CacheSettings) -> String {
        switch kind {
        case .page, .shell: "public, max-age=0, s-maxage=\(settings.htmlEdgeSeconds), must-revalidate"
        case .asset: "public, max-age=31536000, immutable"
        case .other: "public, max-age=\(settings.otherSeconds)"
        }
    }

    /// The manifest itself is never cached: each deploy reads the latest.
    public static let manifest = "no-cache"
}
