import Foundation

/// The requests that prove a deployed site answers as planned, made from the routing table, and
/// the answer each must get: what ``PreviewRouter`` (which answers as the emitted CloudFront
/// configuration does, and is tested against it) answers from the same build.
public struct VerifyPlan: Sendable {
    /// The probes, in the order they are reported.
    public var probes: [VerifyProbe]
    /// The answers the deployed site must give, from the same tables the deploy was planned from.
    public let router: PreviewRouter
    /// The backend's dotenv file of the environment verified, as findings name it.
    public let backendEnvFile: String

    /// Paths that no build makes: a page, an asset and a path below each SPA prefix.
    static let missingPage = "/site-verify-missing-page"
    static let missingAsset = "/assets/site-verify-missing.js"
    static let belowPrefix = "site-verify/deep-link"

    /// The probes for `site`, as built with `config`: every page and the shell; `assets` of the
    /// other objects (all when nil), spread evenly over them; every redirect with a query (which
    /// must be kept); each SPA route, and a path below each prefix; the OAuth callback with a code
    /// and state; the registered legal pages; an unknown page, a missing asset and the manifest.
    public init(site: PreviewSite, manifest: Manifest, config: SiteConfig, assets: Int? = 20) {
        router = PreviewRouter(site: site)
        backendEnvFile = ProjectFolders.infraPath(config.environment) + "/" + InfraLayout.backendEnv
        var probes: [VerifyProbe] = []
        var kinds: [String: ObjectKind] = [:]
        for object in manifest.objects { kinds[object.key] = object.kind }
        var files: [RoutingTable.Entry] = []
        for entry in site.routes.entries {
            switch kinds[entry.key] {
            case .page?, .shell?: probes.append(VerifyProbe("page \(entry.path)", PreviewRequest(path: entry.path)))
            case nil: continue
            default: files.append(entry)
            }
        }
        let count = assets.map { Swift.min($0, files.count) } ?? files.count
        for index in 0..<count {
            let entry = files[count == files.count ? index : index * files.count / count]
            probes.append(VerifyProbe("file \(entry.path)", PreviewRequest(path: entry.path)))
        }
        for redirect in site.routes.redirects {
            probes.append(VerifyProbe("redirect \(redirect.from)", PreviewRequest(path: redirect.from, query: "site-verify=1")))
        }
        for route in site.routes.spaRoutes {
            let path = route.isPrefix ? route.path + (route.path.hasSuffix("/") ? "" : "/") + Self.belowPrefix : route.path
            probes.append(VerifyProbe("SPA route \(route.description)", PreviewRequest(path: path)))
        }
        if site.routes.spaRoutes.isEmpty == false, let callback = config.spa?.oauthCallback {
            probes.append(VerifyProbe("OAuth callback", PreviewRequest(path: callback, query: "code=site-verify&state=site-verify")))
        }
        for (name, registration) in config.oauth.sorted(by: { $0.key < $1.key }) {
            for (what, url) in [("Terms", registration.termsURL), ("Privacy Policy", registration.privacyURL)] {
                guard let url, let path = URLComponents(string: url)?.path, !path.isEmpty else { continue }
                probes.append(VerifyProbe("\(what) registered with \(name)", PreviewRequest(path: path)))
            }
        }
        for (name, registration) in config.oauth.sorted(by: { $0.key < $1.key }) {
            guard let path = URLComponents(string: registration.redirectURI)?.path, !path.isEmpty else { continue }
            let query = URLComponents(string: registration.redirectURI)?.percentEncodedQuery ?? ""
            let request = PreviewRequest(path: path, query: query.isEmpty ? "code=site-verify&state=site-verify" : query)
            // On the API's path the backend answers; otherwise the routing table says what does.
            let onAPI = site.api.map { PreviewRouter.behaviorMatches($0.pathPattern, path) } ?? false
            probes.append(VerifyProbe("redirect URI registered with \(name)", request, expectation: onAPI ? .notTheSite : .planned))
        }
        probes.append(VerifyProbe("unknown page", PreviewRequest(path: Self.missingPage)))
        probes.append(VerifyProbe("missing file", PreviewRequest(path: Self.missingAsset)))
        probes.append(VerifyProbe("the manifest", PreviewRequest(path: "/" + Manifest.key)))
        // Each request once (the home page may also be an SPA route). The API's paths are the
        // backend's: what it answers is not in the plan, only that the site does not answer it.
        var seen = Set<String>()
        probes = probes.filter { probe in
            guard seen.insert(probe.request.target).inserted else { return false }
            return probe.expectation != .planned
                || site.api.map { !PreviewRouter.behaviorMatches($0.pathPattern, probe.request.path) } ?? true
        }
        if let api = site.api {
            let pattern = api.pathPattern
            let path = pattern.isPrefix ? pattern.path + (pattern.path.hasSuffix("/") ? "" : "/") + "site-verify" : pattern.path
            probes.append(VerifyProbe("API path \(pattern.description)", PreviewRequest(path: path), expectation: .notTheSite))
            // The site's own origin and each extra one the backend must accept, then one it must not.
            let origins = [Self.origin(of: config.site.baseURL)] + config.site.allowedOrigins
            for origin in origins {
                probes.append(
                    VerifyProbe(
                        "CORS preflight from \(origin)", Self.preflight(path, from: origin), base: .api,
                        expectation: .corsAllowed(origin: origin)))
            }
            probes.append(
                VerifyProbe(
                    "CORS preflight from \(Self.foreignOrigin)", Self.preflight(path, from: Self.foreignOrigin), base: .api,
                    expectation: .corsRefused(origin: Self.foreignOrigin)))
        }
        if config.site.baseURL.lowercased().hasPrefix("https://"), let first = probes.first {
            probes.append(VerifyProbe("plain http", first.request, base: .plainHTTP, expectation: .upgradeToHTTPS))
        }
        self.probes = probes
    }

    /// An origin no site can have (`.invalid` is reserved), for the preflight that must be refused.
    public static let foreignOrigin = "https://site-verify.invalid"

    /// The preflight a browser sends before a JSON `POST` to `path` from a page of `origin`.
    static func preflight(_ path: String, from origin: String) -> PreviewRequest {
        PreviewRequest(
            method: "OPTIONS", path: path,
            headers: [
                HeaderField("Origin", origin), HeaderField("Access-Control-Request-Method", "POST"),
                HeaderField("Access-Control-Request-Headers", "content-type"),
            ])
    }

    /// The origin of `url` (scheme, host and port), as a browser sends it in `Origin`.
    static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }

    /// The site's own answers that an API path must never get: the shell and the 404 page.
    var siteBodies: [Data] {
        [router.site.routes.shell, router.site.routes.notFound].compactMap { router.site.objects[$0]?.data }
    }

    /// The answer `probe` must get.
    public func expected(_ probe: VerifyProbe) -> PreviewResponse? {
        guard case .response(let response) = router.respond(probe.request) else { return nil }
        return response
    }
}
