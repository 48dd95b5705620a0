/// What the companion API backend must be configured with, derived from the same config: its
/// allowed CORS origins, the OAuth redirect URI and the legal page URLs.
public struct BackendValues: Sendable, Equatable {
    /// Exact origins, production first; never `*`.
    public var allowedOrigins: [String]
    /// OAuth redirect URIs by provider (the SPA's callback route when no provider is listed).
    public var redirectURIs: [String: String]
    /// Legal page URLs by name (`terms`, `privacy`).
    public var legalURLs: [String: String]
    /// The site's production origin (`site.base_url`): `SITE_BASE_URL` in `backend/backend.env`.
    public var baseURL: String

    /// The values for `config`; fails, located where each was declared, when a redirect URI is one
    /// a provider would reject, so that none reaches the backend's files.
    public init(config: SiteConfig) throws(DiagnosticError) {
        let errors = Self.findings(config: config).filter { $0.severity == .error }
        if !errors.isEmpty { throw DiagnosticError(errors) }
        baseURL = config.site.baseURL
        var origins = [config.site.baseURL]
        for origin in config.site.allowedOrigins where !origins.contains(origin) { origins.append(origin) }
        allowedOrigins = origins
        redirectURIs = Self.redirectURIs(config: config).mapValues(\.uri)
        legalURLs = config.pages.mapValues { config.site.baseURL + $0 }
    }

    /// The redirect URIs exported for `config`, by provider, with where each was declared: those of
    /// `oauth`, or the SPA's callback route on the base URL when no provider is listed.
    static func redirectURIs(config: SiteConfig) -> [String: (uri: String, location: SourceLocation)] {
        var redirects = config.oauth.mapValues { (uri: $0.redirectURI, location: SourceLocation(file: config.file)) }
        for provider in redirects.keys { redirects[provider]?.location = config.location(of: "oauth.\(provider).redirect_uri") }
        if redirects.isEmpty, let callback = config.spa?.oauthCallback {
            redirects["default"] = (uri: config.site.baseURL + callback, location: config.location(of: "spa.oauth_callback"))
        }
        return redirects
    }

    /// What ``RedirectURIRules`` finds in the redirect URIs the backend would get.
    public static func findings(config: SiteConfig) -> [Diagnostic] {
        redirectURIs(config: config).sorted { $0.key < $1.key }.flatMap { provider, redirect in
            RedirectURIRules.check(redirect.uri, provider: provider, at: redirect.location)
        }
    }

    /// `KEY=value` lines for a dotenv file.
    public var dotenv: String {
        var lines = [
            "# The companion API's settings for this site, written by site plan-infra.",
            "SITE_BASE_URL=\(baseURL)",
            "CORS_ALLOWED_ORIGINS=\(allowedOrigins.joined(separator: ","))",
        ]
        for (provider, uri) in redirectURIs.sorted(by: { $0.key < $1.key }) {
            let name = provider == "default" ? "OAUTH_REDIRECT_URI" : "OAUTH_\(Self.envName(provider))_REDIRECT_URI"
            lines.append("\(name)=\(uri)")
        }
        for (page, url) in legalURLs.sorted(by: { $0.key < $1.key }) {
            lines.append("\(Self.envName(page))_URL=\(url)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same values as the JSON object of `backend/backend.json`: `base_url`,
    /// `cors_allowed_origins`, `oauth_redirect_uris` and `legal_urls`.
    public var json: JSONValue {
        [
            "base_url": .string(baseURL),
            "cors_allowed_origins": .array(allowedOrigins.map { .string($0) }),
            "oauth_redirect_uris": .object(redirectURIs.mapValues { .string($0) }),
            "legal_urls": .object(legalURLs.mapValues { .string($0) }),
        ]
    }

    /// What to enter in each OAuth provider's developer portal.
    public var registration: String {
        var lines = ["What to register in the OAuth provider's developer portal", ""]
        lines.append("Web/website URL:      \(baseURL)/")
        if let terms = legalURLs["terms"] { lines.append("Terms of Service URL: \(terms)") }
        if let privacy = legalURLs["privacy"] { lines.append("Privacy Policy URL:   \(privacy)") }
        lines.append("Redirect URIs:")
        for (provider, uri) in redirectURIs.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(uri)" + (provider == "default" ? "" : "  (\(provider))"))
        }
        lines.append("")
        lines.append("Register them exactly: scheme, host, path and no trailing slash must match.")
        return lines.joined(separator: "\n") + "\n"
    }

    static func envName(_ text: String) -> String {
        String(text.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
