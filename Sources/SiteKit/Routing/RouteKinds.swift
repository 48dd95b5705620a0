/// The one table of which kinds of claim may share a URL path, and what is said when two may not.
///
/// The rules, for two claims on the same path (an area's own root counts as the same path):
/// - the app's own kinds (exact SPA route, SPA prefix, OAuth callback, shell) may share paths with
///   each other: they all load the app;
/// - any other two kinds may not: one path gets one answer, so one of them would be dead or would
///   take the path from the other.
///
/// For a path strictly inside an area:
/// - inside an SPA prefix, anything may claim it: the more specific answer (an object, a redirect,
///   the API) takes that one path from the app, as the routing table resolves it;
/// - inside the API's path pattern or the reserved `/_site/` prefix, nothing may: the backend
///   answers the former, and the latter is never served.
public enum RouteKinds {
    /// Whether two claims may coexist.
    public enum Rule: String, Sendable, Equatable {
        /// Both may claim the path.
        case allowed
        /// One would be dead, or would take the path from the other: an error.
        case conflict
    }

    /// The rule for a claim of `kind` that stands in `relation` to a claim of `other`.
    public static func rule(_ kind: RouteKind, _ relation: PathRelation, _ other: RouteKind) -> Rule {
        switch relation {
        case .same:
            return kind.isApp && other.isApp ? .allowed : .conflict
        case .under:
            switch other {
            case .spaPrefix: return .allowed
            case .api, .reserved: return .conflict
            // Only an area has paths under it.
            default: return .allowed
            }
        }
    }

    /// The error for `claim` standing in `relation` to `other`, at `claim`'s location; nil when the
    /// table allows it.
    public static func conflict(_ claim: PathClaim, _ relation: PathRelation, _ other: PathClaim) -> Diagnostic? {
        guard rule(claim.kind, relation, other.kind) == .conflict else { return nil }
        let (message, hint) = wording(claim, relation, other)
        return .error(claim.location, message, hint: hint)
    }

    /// `owner at file:line:col`, or the owner alone when it has no line.
    static func declared(_ claim: PathClaim) -> String {
        claim.position.map { "\(claim.owner) at \($0)" } ?? claim.owner
    }

    /// What `other` is, as the object of a sentence about a path that collides with it.
    static func collision(_ relation: PathRelation, _ other: PathClaim) -> String {
        switch other.kind {
        case .page: "is already the route of \(declared(other))"
        case .alias: "already redirects to \(other.target ?? "another page"): it is an alias of \(declared(other))"
        case .spaRoute: "is the SPA route \(other.path), \(declared(other))"
        case .spaPrefix: "is the root of the SPA route \(other.path), \(declared(other))"
        case .oauthCallback: "is the OAuth callback, \(declared(other))"
        case .api: "falls under the API path \(other.path), \(declared(other))"
        case .reserved: "is under \(other.pattern.path), which site reserves and never serves"
        case .shell: "is the SPA shell's path, \(declared(other))"
        case .file: "is already \(declared(other))"
        case .generated: "is already \(declared(other))"
        case .trailingSlash:
            "is already the automatic redirect from \(other.pattern.path) to \(other.target ?? "its page"), made for \(declared(other))"
        }
    }

    /// The message and hint for a conflict the table found.
    static func wording(_ claim: PathClaim, _ relation: PathRelation, _ other: PathClaim) -> (String, String?) {
        let path = claim.path
        let samePage = claim.source != nil && claim.source == other.source
        switch (claim.kind, other.kind) {
        // Aliases: 301s from another path to a page.
        case (.alias, .page) where samePage:
            return ("alias \(path) is the page's own route", "remove the alias")
        case (.alias, .alias) where samePage:
            return ("alias \(path) is listed twice", "remove one of them")
        case (.alias, .alias):
            return ("alias \(path) \(collision(relation, other))", "keep it on one page only")
        case (.alias, .trailingSlash) where samePage:
            let base = String(other.pattern.path.dropLast())
            let made = base == other.target ? "this page's route \(base)" : "this page, made for its alias \(base)"
            return ("alias \(path) duplicates the automatic redirect from \(path) to \(made)", "remove the alias")
        case (.alias, .trailingSlash):
            return (
                "alias \(path) \(collision(relation, other))",
                "remove the alias: \(path) must keep leading to \(other.target ?? "its page")"
            )
        case (.alias, .page), (.alias, .shell), (.alias, .generated):
            return ("alias \(path) \(collision(relation, other)), so the redirect would never run", "remove the alias")
        case (.alias, .file):
            return (
                "alias \(path) \(collision(relation, other)), which is served there, so the redirect would never run",
                "remove the alias, or rename the file"
            )
        case (.alias, .oauthCallback):
            return (
                "alias \(path) \(collision(relation, other)): a 301 there would send the provider's redirect to a page instead of the app",
                "remove the alias: the OAuth callback must stay a route of the app"
            )
        case (.alias, .spaRoute), (.alias, .spaPrefix):
            return (
                "alias \(path) \(collision(relation, other)): the 301 would take that path from the app",
                "remove the alias, or take \(other.path) out of spa.routes"
            )
        case (.alias, .api):
            return (
                "alias \(path) \(collision(relation, other)): the backend answers it, so the redirect would never run",
                "remove the alias, or choose one outside \(other.path)"
            )
        case (.alias, .reserved):
            return ("alias \(path) \(collision(relation, other))", "choose another alias")

        // Pages.
        case (.page, .api):
            return (
                "route \(path) falls under the API path \(other.path), so the backend would answer it", "move the page out of \(other.path)"
            )
        case (.page, .reserved):
            return ("route \(path) is under \(other.pattern.path), which site reserves", "choose another route")
        case (.page, .oauthCallback):
            return (
                "route \(path) \(collision(relation, other)): the page would be served there instead of the app",
                "give the page another route (front matter 'route:'): the OAuth callback must stay a route of the app"
            )
        case (.page, .spaRoute), (.page, .spaPrefix):
            return (
                "route \(path) \(collision(relation, other)): the page would be served there instead of the app",
                "give the page another route (front matter 'route:'), or take \(other.path) out of spa.routes"
            )

        // The app's routes.
        case (.spaRoute, .api), (.spaPrefix, .api):
            return (
                "SPA route \(path) falls under the API path \(other.path), so the backend answers it and the app never loads",
                "move the route out of \(other.path) (for example /auth/... instead of \(other.pattern.path)...)"
            )
        case (.oauthCallback, .api):
            return (
                "spa.oauth_callback \(path) is under the API path \(other.path): the backend, not the app, receives the callback",
                "choose one: handle the callback in the app outside \(other.path), or drop spa.oauth_callback"
            )
        case (.spaRoute, .reserved), (.spaPrefix, .reserved):
            return ("SPA route \(path) \(collision(relation, other))", "move the route out of \(other.pattern.path)")
        case (.spaRoute, _), (.spaPrefix, _):
            return (
                "SPA route \(path) \(collision(relation, other)), which answers it instead of the app",
                "take \(path) out of spa.routes, or move what claims it"
            )
        case (.oauthCallback, _):
            return ("spa.oauth_callback \(path) \(collision(relation, other))", "choose a callback route that only the app answers")

        default:
            return ("\(claim.owner) \(path) \(collision(relation, other))", "give one of them another path")
        }
    }
}
