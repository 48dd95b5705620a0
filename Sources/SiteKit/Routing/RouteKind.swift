/// What can lay claim to a URL path of the site.
///
/// Every kind either names one exact path (a page, an alias, a file) or a whole area of paths (an
/// SPA prefix such as `/app/*`, the API's path pattern, the reserved `/_site/` prefix).
/// ``RouteKinds`` decides which kinds may share a path.
public enum RouteKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A content page's route (`/terms`).
    case page
    /// A page's front matter alias, answered with a 301 to the page.
    case alias
    /// An exact path of `spa.routes` (`/auth/callback`).
    case spaRoute
    /// A prefix of `spa.routes` (`/app/*`), which also covers its own root `/app`.
    case spaPrefix
    /// `spa.oauth_callback`, the route the OAuth provider sends users back to.
    case oauthCallback
    /// `api.path_pattern`: paths the backend answers.
    case api
    /// The `/_site/` prefix, which site keeps for its own files and never serves.
    case reserved
    /// The SPA shell at `/` and `/index.html`.
    case shell
    /// A bundle file, theme asset or content file, served as it is.
    case file
    /// A file site generates: `/404.html`, `/sitemap.xml`, `/robots.txt`.
    case generated
    /// The automatic 301 from a page's or alias's trailing-slash form (`/terms/` -> `/terms`).
    case trailingSlash

    /// Whether the kind claims a whole area of paths rather than one path.
    public var isArea: Bool {
        switch self {
        case .spaPrefix, .api, .reserved: true
        default: false
        }
    }

    /// Whether the kind is one of the app's own routes.
    public var isApp: Bool {
        switch self {
        case .spaRoute, .spaPrefix, .oauthCallback, .shell: true
        default: false
        }
    }

    /// The case's name, such as `spaPrefix`.
    public var description: String { rawValue }
}
