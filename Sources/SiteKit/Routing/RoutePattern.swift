/// A URL path pattern: an exact path such as `/auth/callback`, or a prefix such as `/app/*`.
public struct RoutePattern: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The path without the trailing `*` for prefixes (`/app/`), or the exact path.
    public let path: String
    /// Whether the pattern ends in `/*`, matching every path below `path` and `path` without its
    /// slash.
    public let isPrefix: Bool

    /// Parses a pattern; returns nil with a reason for anything that is not a clean absolute path.
    public static func parse(_ text: String) -> Result<RoutePattern, RouteError> {
        guard text.hasPrefix("/") else { return .failure(.notAbsolute(text)) }
        var path = text
        var isPrefix = false
        if path.hasSuffix("/*") {
            isPrefix = true
            path.removeLast()
        } else if path == "*" || path.hasSuffix("*") {
            return .failure(.badWildcard(text))
        }
        if path.contains("*") { return .failure(.badWildcard(text)) }
        if let problem = URLPath.problem(in: path) { return .failure(problem) }
        return .success(RoutePattern(path: path, isPrefix: isPrefix))
    }

    /// The pattern of `path` (ending in `/` when `isPrefix`), taken as it is: ``parse(_:)`` checks
    /// text a user wrote.
    public init(path: String, isPrefix: Bool) {
        self.path = path
        self.isPrefix = isPrefix
    }

    /// Whether `urlPath` (without query or fragment) matches.
    public func matches(_ urlPath: String) -> Bool {
        if isPrefix {
            // `/app/*` matches `/app/x` and also `/app` itself, as users expect of a section.
            return urlPath.hasPrefix(path) || urlPath + "/" == path
        }
        return urlPath == path
    }

    /// Whether every path this pattern matches is also matched by `other`.
    public func isCovered(by other: RoutePattern) -> Bool {
        other.isPrefix ? other.matches(path) : (!isPrefix && path == other.path)
    }

    /// The pattern as written: `/app/*` or `/auth/callback`.
    public var description: String { isPrefix ? path + "*" : path }

    /// Orders patterns by their text as written.
    public static func < (lhs: RoutePattern, rhs: RoutePattern) -> Bool { lhs.description < rhs.description }

    /// Reads a pattern from its text, such as `/app/*`, checked as ``parse(_:)`` checks it.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch Self.parse(text) {
        case .success(let pattern): self = pattern
        case .failure(let error):
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Writes the pattern as its text, such as `/app/*`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Why a path or pattern is not acceptable as a route.
public enum RouteError: Error, Sendable, Equatable {
    /// The path does not start with `/`.
    case notAbsolute(String)
    /// A `*` anywhere but as the whole last segment.
    case badWildcard(String)
    /// A `.` or `..` segment.
    case dotSegment(String)
    /// An empty segment: `//` in the path.
    case emptySegment(String)
    /// A character other than letters, digits and `- _ . ~ /`; the character is given.
    case badCharacter(String, Character)

    /// The reason, naming the path a route: `route '/a b' contains ' '; ...`.
    public var message: String { message(naming: "route") }

    /// The reason, naming the path `noun` (`alias`, `route`).
    public func message(naming noun: String) -> String {
        switch self {
        case .notAbsolute(let path): "\(noun) '\(path)' must start with '/'"
        case .badWildcard(let path): "\(noun) '\(path)' may only use '*' as its last segment, as in '/app/*'"
        case .dotSegment(let path): "\(noun) '\(path)' must not contain '.' or '..' segments (it would escape its folder)"
        case .emptySegment(let path): "\(noun) '\(path)' must not contain '//'"
        case .badCharacter(let path, let character):
            "\(noun) '\(path)' contains '\(character)'; use letters, digits and - _ . ~ / only"
        }
    }
}

/// Rules for URL paths that become S3 keys and file names.
public enum URLPath {
    static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~/")

    /// Why `path` is not a clean absolute URL path, or nil when it is.
    public static func problem(in path: String) -> RouteError? {
        guard path.hasPrefix("/") else { return .notAbsolute(path) }
        if let bad = path.first(where: { !allowed.contains($0) }) { return .badCharacter(path, bad) }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            if segment == "." || segment == ".." { return .dotSegment(path) }
            // A trailing slash leaves one empty last segment, which is fine for prefixes.
            if segment.isEmpty, index != segments.count - 1 { return .emptySegment(path) }
        }
        return nil
    }

    /// The S3 object key (and `dist/` file path) for a page's canonical URL path: `/terms` -> `terms`.
    public static func key(for path: String) -> String {
        path == "/" ? "index.html" : String(path.dropFirst())
    }
}
