/// The one table of which URL serves what: objects, redirects, SPA routes and the API.
///
/// `build` writes it into the manifest; `plan-infra` turns it into CloudFront configuration and a
/// viewer-request function; checks and the local preview resolve links and requests through it.
public struct RoutingTable: Sendable, Equatable, Codable {
    /// A URL path answered by an object of the bucket.
    public struct Entry: Sendable, Equatable, Codable {
        /// The URL path, such as `/terms` or `/assets/index-Cq3fM0aZ.js`.
        public var path: String
        /// The object key, such as `terms`.
        public var key: String
    }

    /// A permanent redirect answered at the edge.
    public struct Redirect: Sendable, Equatable, Codable {
        /// The path redirected from: a page's route with a trailing slash, or an alias.
        public var from: String
        /// The path redirected to: the page's route.
        public var to: String
        /// The HTTP status of the redirect: 301, moved permanently.
        public var status: Int = 301
    }

    /// How a request path is answered.
    public enum Resolution: Sendable, Equatable {
        /// The object with this key, status 200.
        case object(key: String)
        /// A redirect to this path.
        case redirect(to: String, status: Int)
        /// A client-side route: the SPA shell with status 200.
        case spa(key: String)
        /// Forwarded to the API backend.
        case api
        /// No such page: the 404 page with status 404.
        case notFound(key: String)
    }

    enum CodingKeys: String, CodingKey {
        case entries, redirects, api, shell
        case spaRoutes = "spa_routes"
        case notFound = "not_found"
    }

    /// The paths answered by objects, sorted by path.
    public var entries: [Entry]
    /// The redirects, sorted by the path they redirect from.
    public var redirects: [Redirect]
    /// The client-side routes answered with the SPA shell, sorted; empty when the site has no app.
    public var spaRoutes: [RoutePattern]
    /// The path pattern forwarded to the API backend; nil when there is none.
    public var api: RoutePattern?
    /// The SPA shell's key.
    public var shell: String
    /// The 404 page's key.
    public var notFound: String

    /// A table of these routes, each list sorted so that paths are found by binary search.
    public init(
        entries: [Entry], redirects: [Redirect], spaRoutes: [RoutePattern], api: RoutePattern?,
        shell: String = "index.html", notFound: String = "404.html"
    ) {
        self.entries = entries.sorted { $0.path < $1.path }
        self.redirects = redirects.sorted { $0.from < $1.from }
        self.spaRoutes = spaRoutes.sorted()
        self.api = api
        self.shell = shell
        self.notFound = notFound
    }

    /// How a request for `path` (decoded; query and fragment allowed, and ignored) is answered, in
    /// this order: API, the reserved `/_site/` prefix (never served), object, redirect, SPA route,
    /// not found.
    public func resolve(_ path: String) -> Resolution {
        let bare = Self.stripQuery(path)
        // CloudFront's `/api/*` does not match `/api` itself: that goes to the bucket.
        if let api, bare.hasPrefix(api.path) { return .api }
        if EdgeRouteStore.isReserved(bare) { return .notFound(key: notFound) }
        if let entry = entry(for: bare) { return .object(key: entry.key) }
        if let redirect = redirect(from: bare) { return .redirect(to: redirect.to, status: redirect.status) }
        if spaRoutes.contains(where: { $0.matches(bare) }) { return .spa(key: shell) }
        return .notFound(key: notFound)
    }

    /// The object entry for an exact path.
    public func entry(for path: String) -> Entry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].path < path { low = middle + 1 } else { high = middle }
        }
        return low < entries.count && entries[low].path == path ? entries[low] : nil
    }

    /// The redirect from an exact path.
    public func redirect(from path: String) -> Redirect? {
        var low = 0
        var high = redirects.count
        while low < high {
            let middle = (low + high) / 2
            if redirects[middle].from < path { low = middle + 1 } else { high = middle }
        }
        return low < redirects.count && redirects[low].from == path ? redirects[low] : nil
    }

    /// `path` without `?query` and `#fragment`.
    public static func stripQuery(_ path: String) -> String {
        guard let index = path.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return path }
        return String(path[..<index])
    }
}
