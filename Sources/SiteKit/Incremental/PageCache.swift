import Foundation

/// Rendered pages from earlier builds, by a key of everything their HTML depends on: the config,
/// every template, the theme's assets, the app bundle's entry, the page's own source and key.
public protocol PageCache: Sendable {
    /// The page stored under `key`; nil when there is none.
    func page(for key: String) -> CachedPage?
    /// Keeps `page` under `key` for later builds.
    func store(_ page: CachedPage, for key: String)
}

/// What rendering and checking one page produced.
public struct CachedPage: Sendable, Equatable {
    /// The page's HTML as it is published (UTF-8, source positions removed).
    public var html: Data
    /// What rendering the page's Markdown warned about.
    public var warnings: [Diagnostic]
    /// What the checks found on the page alone.
    public var summary: SiteChecker.PageSummary
    /// The digests of `html`, as the manifest lists them.
    public var digests: OutputObject.Digests

    /// A cached page of `html` with what rendering and checking it found.
    public init(html: Data, warnings: [Diagnostic], summary: SiteChecker.PageSummary, digests: OutputObject.Digests) {
        self.html = html
        self.warnings = warnings
        self.summary = summary
        self.digests = digests
    }
}
