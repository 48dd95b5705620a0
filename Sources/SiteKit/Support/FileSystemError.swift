import Foundation

/// Why a file could not be read.
public enum FileSystemError: Error, Sendable, Equatable {
    case notFound(String)
    case unreadable(String, reason: String)
    /// A symbolic link whose target lies outside the project root.
    case linkEscapesRoot(String, target: String)

    public var path: String {
        switch self {
        case .notFound(let path), .unreadable(let path, _), .linkEscapesRoot(let path, _): path
        }
    }

    /// A diagnostic for this error, located at the file itself.
    public var diagnostic: Diagnostic {
        switch self {
        case .notFound(let path):
            .error(SourceLocation(file: path), "no such file or folder", hint: "create it, or fix the path in site.yml")
        case .unreadable(let path, let reason):
            .error(SourceLocation(file: path), "cannot read: \(reason)")
        case .linkEscapesRoot(let path, let target):
            .error(
                SourceLocation(file: path), "symbolic link points outside the project (to \(target))",
                hint: "copy the file into the project instead of linking to it")
        }
    }
}
