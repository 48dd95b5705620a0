/// A place in a source file: a path relative to the project root, and a 1-based line and column.
///
/// Lines and columns count from the top of the file, front matter included, so editors jump to the
/// right place. A column of 0 means "the whole line"; a line of 0 means "the whole file".
public struct SourceLocation: Hashable, Sendable, Comparable, Codable {
    /// The file, relative to the project root where possible.
    public var file: String
    /// 1-based line, or 0 when the finding concerns the whole file.
    public var line: Int
    /// 1-based column, or 0 when the finding concerns the whole line.
    public var column: Int

    /// A place in `file`; leave out `line` for the whole file and `column` for the whole line.
    public init(file: String, line: Int = 0, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// Orders by file path, then line, then column.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
