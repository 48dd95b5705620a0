/// A heading of a rendered page, as tables of contents list it.
public struct Heading: Sendable, Equatable, Codable {
    /// 1 for `#` through 6 for `######`.
    public var level: Int
    /// The heading's plain text, without Markdown and without a `{#id}` written after it.
    public var title: String
    /// The rendered heading's `id`, which `#` links reach: the `{#id}` written after it, or one
    /// made from its text.
    public var id: String
    /// 1-based line in the source file.
    public var line: Int
}
