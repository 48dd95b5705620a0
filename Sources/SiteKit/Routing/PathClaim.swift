/// One claim on a URL path or area: what claims it, and where that was declared.
public struct PathClaim: Sendable, Equatable {
    /// What makes the claim.
    public var kind: RouteKind
    /// The path, or the area for ``RouteKind/isArea`` kinds.
    public var pattern: RoutePattern
    /// Who makes the claim, as messages name it: `page content/terms.md`, `spa.routes[2]`.
    public var owner: String
    /// Where the claim was declared.
    public var location: SourceLocation
    /// The page source that makes the claim (pages, aliases and their trailing-slash redirects).
    public var source: String?
    /// Where a redirect leads (aliases and trailing-slash redirects).
    public var target: String?

    /// A claim on `pattern`, an exact path or an area.
    public init(
        kind: RouteKind, pattern: RoutePattern, owner: String, location: SourceLocation, source: String? = nil,
        target: String? = nil
    ) {
        self.kind = kind
        self.pattern = pattern
        self.owner = owner
        self.location = location
        self.source = source
        self.target = target
    }

    /// A claim on one exact path.
    public init(
        kind: RouteKind, path: String, owner: String, location: SourceLocation, source: String? = nil, target: String? = nil
    ) {
        self.init(
            kind: kind, pattern: RoutePattern(path: path, isPrefix: false), owner: owner, location: location, source: source,
            target: target)
    }

    /// The path as messages show it: `/terms`, `/app/*`.
    public var path: String { pattern.description }

    /// Where the claim was declared, as `file:line:col`, or nil when it has no line (a file itself).
    var position: String? {
        location.line > 0 ? DiagnosticRenderer.position(location) : nil
    }

    /// How this claim's paths relate to `other`'s, or nil when they share none.
    ///
    /// An area's own root counts as the same path: `/app` and `/app/` are the same as `/app/*`,
    /// which answers them.
    public func relation(to other: PathClaim) -> PathRelation? {
        let mine = pattern
        let theirs = other.pattern
        switch (mine.isPrefix, theirs.isPrefix) {
        case (false, false):
            return mine.path == theirs.path ? .same : nil
        case (false, true):
            if mine.path == theirs.path || mine.path + "/" == theirs.path { return .same }
            return mine.path.hasPrefix(theirs.path) ? .under : nil
        case (true, false):
            return theirs.path == mine.path || theirs.path + "/" == mine.path ? .same : nil
        case (true, true):
            if mine.path == theirs.path { return .same }
            return mine.path.hasPrefix(theirs.path) ? .under : nil
        }
    }
}

/// How a claimed path stands to another claim.
public enum PathRelation: String, Sendable, CaseIterable {
    /// The same path (or an area's own root).
    case same
    /// Strictly inside the other claim's area.
    case under
}
