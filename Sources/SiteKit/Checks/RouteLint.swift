import Foundation

/// Checks the routes as a whole against the API, the OAuth registrations and the allowed origins,
/// with the fix in each message.
public enum RouteLint {
    public static func check(config: SiteConfig, routes: RoutingTable, pages: [ContentPage]) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        let api = config.api?.pathPattern

        // SPA routes the API would answer instead of the app.
        if let api, let spa = config.spa {
            for (index, route) in spa.routes.enumerated() where route.isCovered(by: api) {
                findings.append(
                    .error(
                        config.location(of: "spa.routes[\(index)]"),
                        "SPA route \(route) falls under the API path \(api), so the backend answers it and the app never loads",
                        hint: "move the route out of \(api) (for example /auth/... instead of \(api.path)...)"))
            }
        }

        // OAuth registrations.
        for (provider, registration) in config.oauth.sorted(by: { $0.key < $1.key }) {
            let base = "oauth.\(provider)"
            if let url = URLComponents(string: registration.redirectURI) {
                let origin = "\(url.scheme ?? "")://\(url.host ?? "")" + (url.port.map { ":\($0)" } ?? "")
                let path = url.path.isEmpty ? "/" : url.path
                if origin != config.site.baseURL {
                    findings.append(
                        .error(
                            config.location(of: "\(base).redirect_uri"),
                            "\(provider) redirect URI \(registration.redirectURI) is not on the site's base URL \(config.site.baseURL)",
                            hint: "register \(config.site.baseURL)\(path) with \(provider), or fix site.base_url"))
                } else {
                    switch routes.resolve(path) {
                    case .spa, .api: break
                    default:
                        let spaRoutes = config.spa?.routes.map(\.description).joined(separator: ", ") ?? "none"
                        findings.append(
                            .error(
                                config.location(of: "\(base).redirect_uri"),
                                "\(provider) redirect URI path \(path) is neither an SPA route nor an API route, so the callback would 404",
                                hint: "add \(path) to spa.routes (now: \(spaRoutes)), or route it to the API"))
                    }
                    if let api, api.matches(path), config.spa?.oauthCallback == path {
                        findings.append(
                            .error(
                                config.location(of: "spa.oauth_callback"),
                                "spa.oauth_callback \(path) is under the API path \(api): the backend, not the app, receives the callback",
                                hint: "choose one: handle the callback in the app outside \(api), or drop spa.oauth_callback"))
                    }
                }
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
}
