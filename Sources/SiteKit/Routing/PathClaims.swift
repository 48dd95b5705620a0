/// Every claim on the site's URL paths, indexed for finding what shares a path with a claim.
///
/// Whether two claims may share a path is decided by ``RouteKinds``; this type only finds them.
public struct PathClaims: Sendable {
    private var exact: [String: [PathClaim]] = [:]
    private var areas: [PathClaim] = []

    /// No claims yet.
    public init() {}

    /// Adds `claim`.
    public mutating func add(_ claim: PathClaim) {
        if claim.pattern.isPrefix {
            areas.append(claim)
        } else {
            exact[claim.pattern.path, default: []].append(claim)
        }
    }

    /// The other claims that share a path with `claim`, each with how `claim` stands to it.
    public func overlapping(_ claim: PathClaim) -> [(claim: PathClaim, relation: PathRelation)] {
        var result: [(claim: PathClaim, relation: PathRelation)] = []
        var candidates = exact[claim.pattern.path] ?? []
        if claim.pattern.isPrefix {
            // An area's own root: `/app/` and `/app` for `/app/*`.
            if claim.pattern.path.count > 1 { candidates += exact[String(claim.pattern.path.dropLast())] ?? [] }
        }
        for other in candidates + areas where other != claim {
            if let relation = claim.relation(to: other) { result.append((other, relation)) }
        }
        return result
    }

    /// The first conflict of `claim` with a claim of one of `kinds`, tried in that order (among
    /// claims of one kind, the one declared first); nil when the table allows them all.
    ///
    /// With `earlierOnly`, a claim of `claim`'s own kind counts only when it was declared before
    /// it, so that two claims of one kind are reported once, at the later one.
    public func conflict(for claim: PathClaim, against kinds: [RouteKind], earlierOnly: Bool = true) -> Diagnostic? {
        let overlaps = overlapping(claim).sorted { $0.claim.location < $1.claim.location }
        for kind in kinds {
            for (other, relation) in overlaps where other.kind == kind {
                if earlierOnly, other.kind == claim.kind, !(other.location < claim.location) { continue }
                if let diagnostic = RouteKinds.conflict(claim, relation, other) { return diagnostic }
            }
        }
        return nil
    }
}
