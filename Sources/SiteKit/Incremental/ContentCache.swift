import Foundation

/// Pages read from Markdown files in earlier builds, by path and the digest of the file's bytes:
/// a file whose digest is known to be unchanged is neither read nor parsed again. The pages come
/// without their body, which is read only if the page has to be rendered.
public protocol ContentCache: Sendable {
    /// The page read from `source` when its bytes had `digest`, with `defaultTemplate` in force.
    func page(source: String, digest: String, defaultTemplate: String) -> ContentPage?
    /// Keeps `page`, read with `defaultTemplate` in force, for later builds.
    func store(_ page: ContentPage, defaultTemplate: String)
}
