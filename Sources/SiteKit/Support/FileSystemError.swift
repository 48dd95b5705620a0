import Foundation

/// Why a file could not be read.
public enum FileSystemError: Error, Sendable, Equatable {
    /// Nothing is at the path.
    case notFound(String)
    /// The file is there but could not be read; `reason` says why.
    case unreadable(String, reason: String)
    /// A symbolic link whose target lies outside the project root.
    case linkEscapesRoot(String, target: String)
    /// Something that is neither a regular file nor a folder: `shape` names it ("a named pipe").
    case notRegular(String, shape: String)
    /// A symbolic link to nothing; `target` is the link's text.
    case danglingLink(String, target: String)
    /// A symbolic link to a folder that holds the link, `target` relative to the project root.
    case linkLoop(String, target: String)
    /// A file over the `limit` bytes its kind of source may have.
    case tooLarge(String, size: Int, limit: Int)
    /// A symbolic link that leads back to itself through other links; `target` is its text.
    case linkCycle(String, target: String)
    /// A symbolic link to a file or folder that is read already, at `target`.
    case readTwice(String, target: String, isFolder: Bool)

    /// The path the error is about, relative to the project root.
    public var path: String {
        switch self {
        case .notFound(let path), .unreadable(let path, _), .linkEscapesRoot(let path, _), .notRegular(let path, _),
            .danglingLink(let path, _), .linkLoop(let path, _), .linkCycle(let path, _), .tooLarge(let path, _, _),
            .readTwice(let path, _, _):
            path
        }
    }

    /// A diagnostic for this error, located at the file itself.
    public var diagnostic: Diagnostic {
        let location = SourceLocation(file: path)
        switch self {
        case .notFound:
            return .error(location, "no such file or folder", hint: "create it, or fix the path in site.yml")
        case .unreadable(_, let reason):
            return .error(location, "cannot read: \(reason)")
        case .linkEscapesRoot(_, let target):
            return .error(
                location, "symbolic link points outside the project (to \(target))",
                hint: "copy the file into the project instead of linking to it")
        case .notRegular(_, let shape):
            return .error(
                location, "\(shape), not a regular file",
                hint: "remove it or put a file in its place: only files, folders and links to them are read")
        case .danglingLink(_, let target):
            return .error(location, "symbolic link to \(target), which does not exist", hint: "fix the link or remove it")
        case .linkLoop(_, let target):
            return .error(
                location,
                "symbolic link loop: it points to \(target.isEmpty ? "the project folder" : target), a folder that holds the link",
                hint: "remove the link: a folder cannot be read inside itself")
        case .tooLarge(_, let size, let limit):
            return TextDecoding.tooLarge(path: path, size: size, limit: limit)
        case .linkCycle(_, let target):
            return .error(
                location, "symbolic link loop: it points to \(target), which leads back to this link",
                hint: "point the link at a file or folder, or remove it")
        case .readTwice(_, let target, let isFolder):
            return .error(
                location, "symbolic link to \(target), a \(isFolder ? "folder" : "file") that is read already",
                hint: "remove the link; to give a page a second URL, list it under 'aliases:' in its front matter")
        }
    }
}
