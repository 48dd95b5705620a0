import Foundation

/// Checks the routes as a whole against the API, the OAuth registrations and the allowed origins,
/// with the fix in each message.
public enum RouteLint {
    /// The findings about the routes as a whole: SPA routes and an OAuth callback that overlap the
    /// API, and OAuth redirect URIs, terms and privacy URLs that do not match the site.
    public static func check(config: SiteConfig, routes: RoutingTable, pages: [ContentPage]) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        let api = config.api?.pathPattern

        // The app's routes against the API, by the rules of RouteKinds.
        if let api, let spa = config.spa {
            let apiClaim = PathClaim(kind: .api, pattern: api, owner: "api.path_pattern", location: config.location(of: "api.path_pattern"))
            for (index, route) in spa.routes.enumerated() {
                let key = "spa.routes[\(index)]"
                let claim = PathClaim(
                    kind: route.isPrefix ? .spaPrefix : .spaRoute, pattern: route, owner: key, location: config.location(of: key))
                if let relation = claim.relation(to: apiClaim), let finding = RouteKinds.conflict(claim, relation, apiClaim) {
                    findings.append(finding)
                }
            }
            if let callback = spa.oauthCallback {
                let claim = PathClaim(
                    kind: .oauthCallback, path: callback, owner: "spa.oauth_callback", location: config.location(of: "spa.oauth_callback"))
                if let relation = claim.relation(to: apiClaim), let finding = RouteKinds.conflict(claim, relation, apiClaim) {
                    findings.append(finding)
                }
            }
        }

        // OAuth registrations.
        for (provider, registration) in config.oauth.sorted(by: { $0.key < $1.key }) {
            let base = "oauth.\(provider)"
            let location = config.location(of: "\(base).redirect_uri")
            let uriFindings = RedirectURIRules.check(registration.redirectURI, provider: provider, at: location)
            findings += uriFindings
            if !uriFindings.contains(where: { $0.severity == .error }), let url = URLComponents(string: registration.redirectURI) {
                findings += redirectRouteFindings(url, provider: provider, at: location, config: config, routes: routes)
            }
            let legal: [(String, String?, String)] = [
                ("terms", registration.termsURL, "terms_url"), ("privacy", registration.privacyURL, "privacy_url"),
            ]
            for (name, registered, key) in legal {
                guard let registered else { continue }
                guard let route = config.pages[name] else {
                    findings.append(
                        .error(
                            config.location(of: "\(base).\(key)"), "\(provider) has a \(key) registered but pages.\(name) is not set",
                            hint: "add pages: \(name): /\(name)"))
                    continue
                }
                let expected = config.site.baseURL + route
                if registered != expected {
                    findings.append(
                        .error(
                            config.location(of: "\(base).\(key)"),
                            "\(provider) \(key) \(registered) does not match the page's URL \(expected)",
                            hint: "register \(expected) with \(provider), or change pages.\(name)"))
                }
            }
        }
        return findings
    }

    /// Whether the redirect URI `url` of `provider` is on the site (or, for local development, on
    /// an allowed loopback origin) and its path is exactly a route the app or the API answers.
    static func redirectRouteFindings(
        _ url: URLComponents, provider: String, at location: SourceLocation, config: SiteConfig, routes: RoutingTable
    ) -> [Diagnostic] {
        let uri = url.string ?? ""
        let origin = "\(url.scheme ?? "")://\(url.percentEncodedHost ?? "")" + (url.port.map { ":\($0)" } ?? "")
        let path = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
        let loopback = RedirectURIRules.isLoopback(url.host ?? "") || RedirectURIRules.isLoopback(url.percentEncodedHost ?? "")
        if origin != config.site.baseURL {
            if loopback, config.site.allowedOrigins.contains(origin) {
                // A local development server the site already allows.
            } else {
                let hint =
                    loopback
                    ? "add \(origin) to site.allowed_origins for local development, or register \(config.site.baseURL)\(path) with \(provider)"
                    : "register \(config.site.baseURL)\(path) with \(provider), or fix site.base_url"
                return [
                    .error(location, "\(provider) redirect URI \(uri) is not on the site's base URL \(config.site.baseURL)", hint: hint)
                ]
            }
        }
        // Providers compare redirect URIs exactly: a trailing slash more or less is another URI.
        let spa = config.spa
        let exactRoutes = Set((spa?.routes ?? []).filter { !$0.isPrefix }.map(\.path) + (spa?.oauthCallback.map { [$0] } ?? []))
        if path != "/", !exactRoutes.contains(path) {
            let variant = path.hasSuffix("/") ? String(path.dropLast()) : path + "/"
            if exactRoutes.contains(variant) {
                return [
                    .error(
                        location,
                        "\(provider) redirect URI path \(path) differs from the SPA route \(variant) by a trailing slash; \(provider) compares redirect URIs exactly, so the app's callback would not match",
                        hint: "register \(origin)\(variant) with \(provider) (and write it so in \(config.file))")
                ]
            }
        }
        switch routes.resolve(path) {
        case .spa, .api: return []
        default:
            let spaRoutes = spa?.routes.map(\.description).joined(separator: ", ") ?? "none"
            return [
                .error(
                    location, "\(provider) redirect URI path \(path) is neither an SPA route nor an API route, so the callback would 404",
                    hint: "add \(path) to spa.routes (now: \(spaRoutes)), or route it to the API")
            ]
        }
    }
}
