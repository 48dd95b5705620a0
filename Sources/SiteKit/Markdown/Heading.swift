/// A heading of a rendered page, as tables of contents list it.
public struct Heading: Sendable, Equatable, Codable {
    public var level: Int
    public var title: String
    public var id: String
    /// 1-based line in the source file.
    public var line: Int
}
