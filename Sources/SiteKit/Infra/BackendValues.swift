/// What the companion API backend must be configured with, derived from the same config: its
/// allowed CORS origins, the OAuth redirect URIs and apps, and the legal page URLs.
public struct BackendValues: Sendable, Equatable {
    /// Exact origins, production first; never `*`.
    public var allowedOrigins: [String]
    /// OAuth redirect URIs by provider (the SPA's callback route when no provider is listed).
    public var redirectURIs: [String: String]
    /// Legal page URLs by name (`terms`, `privacy`).
    public var legalURLs: [String: String]
    /// The site's production origin (`site.base_url`): `SITE_BASE_URL` in `backend/backend.env`.
    public var baseURL: String
    /// The authorization request of each provider under `oauth`, by provider.
    public var authorizations: [String: OAuthAuthorization]
    /// The environment the values are for; nil without environments.
    public var environment: String?
    /// For a slot of a pool: the pool, whose slots share their OAuth apps.
    public var pool: Pool?
    /// The config keys that wait for the first deploy's host (``SiteConfig/pendingKeys``).
    public var pending: [String] = []

    /// A pool of preview slots, as its slots' registrations need it.
    public struct Pool: Sendable, Equatable {
        /// The pool's key under `environments:` (`preview`).
        public var name: String
        /// Every slot's redirect URI, in slot order, by provider.
        public var redirectURIs: [String: [String]]
    }

    /// One line of `backend/backend.env`: the setting, its value and the config key it comes from.
    struct Setting: Equatable {
        var name: String
        var value: String
        var keyPath: String
    }

    /// The values for `config`; fails, located where each was declared, when a redirect URI is one
    /// a provider would reject or a value is one `backend/backend.env` cannot hold, so that none
    /// reaches the backend's files.
    public init(config: SiteConfig) throws(DiagnosticError) {
        let errors = Self.findings(config: config).filter { $0.severity == .error }
        if !errors.isEmpty { throw DiagnosticError(errors) }
        self.init(unchecked: config)
    }

    /// The values for `config`, as they are, checked or not.
    init(unchecked config: SiteConfig) {
        baseURL = config.site.baseURL
        var origins = [config.site.baseURL]
        for origin in config.site.allowedOrigins where !origins.contains(origin) { origins.append(origin) }
        allowedOrigins = origins
        redirectURIs = Self.redirectURIs(config: config).mapValues(\.uri)
        legalURLs = config.pages.mapValues { config.site.baseURL + $0 }
        authorizations = Dictionary(
            uniqueKeysWithValues: config.oauth.map { ($0.key, OAuthAuthorization(provider: $0.key, registration: $0.value)) })
        environment = config.environment
        pending = config.pendingKeys
        if let section = config.environmentSection, section != config.environment {
            pool = Pool(name: section, redirectURIs: config.poolRedirectURIs)
        }
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

    /// What ``RedirectURIRules`` finds in the redirect URIs the backend would get, and each value
    /// that no quoting of ``DotenvValue`` keeps the same for every reader of `backend/backend.env`.
    public static func findings(config: SiteConfig) -> [Diagnostic] {
        let redirects = redirectURIs(config: config).sorted { $0.key < $1.key }.flatMap { provider, redirect in
            RedirectURIRules.check(redirect.uri, provider: provider, at: redirect.location)
        }
        let unwritable = BackendValues(unchecked: config).settings.filter { DotenvValue.written($0.value) == nil }.map { setting in
            Diagnostic.error(
                config.location(of: setting.keyPath),
                "\(setting.name) \(setting.value) cannot be written to backend/backend.env so that python-dotenv, Node and a shell all read it as it is: it holds a control character, or a single quote with one of '\\', '\"', '$' or '`'",
                hint: "percent-encode the character in the URL (' as %27, $ as %24)")
        }
        return redirects + unwritable
    }

    /// The settings of `backend/backend.env`, in the order they are written: `SITE_BASE_URL`,
    /// `CORS_ALLOWED_ORIGINS` (a JSON array), the redirect URIs and the legal URLs.
    var settings: [Setting] {
        var settings = [
            Setting(name: "SITE_BASE_URL", value: baseURL, keyPath: "site.base_url"),
            Setting(name: "CORS_ALLOWED_ORIGINS", value: Self.jsonArray(allowedOrigins), keyPath: "site.allowed_origins"),
        ]
        for (provider, uri) in redirectURIs.sorted(by: { $0.key < $1.key }) {
            if provider == "default" {
                settings.append(Setting(name: "OAUTH_REDIRECT_URI", value: uri, keyPath: "spa.oauth_callback"))
            } else {
                settings.append(
                    Setting(name: "OAUTH_\(Self.envName(provider))_REDIRECT_URI", value: uri, keyPath: "oauth.\(provider).redirect_uri"))
            }
        }
        for (page, url) in legalURLs.sorted(by: { $0.key < $1.key }) {
            settings.append(Setting(name: "\(Self.envName(page))_URL", value: url, keyPath: "pages.\(page)"))
        }
        return settings
    }

    /// `NAME=value` lines for a dotenv file, each value written as ``DotenvValue`` says, so that
    /// python-dotenv, pydantic-settings (whose `list[str]` fields read JSON), Node's
    /// `process.loadEnvFile` and a shell read the same values.
    public var dotenv: String {
        var lines = ["# The companion API's settings for this site, written by site plan-infra."]
        if !pending.isEmpty {
            lines.append("# PENDING until the first deploy names the site's host (\(pending.joined(separator: ", ")) in site.yml):")
            lines.append("# every URL and origin below is on \(SiteIdentity.pendingBaseURL), which never resolves.")
        }
        for setting in settings {
            if let value = DotenvValue.written(setting.value) {
                lines.append("\(setting.name)=\(value)")
            } else {
                lines.append("# \(setting.name) is left out: no quoting keeps its value the same for every reader")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same values as the JSON object of `backend/backend.json`: `base_url`,
    /// `cors_allowed_origins`, `oauth_redirect_uris`, `legal_urls`, and `oauth`, each provider's
    /// authorization request with its test vector.
    public var json: JSONValue {
        [
            "base_url": .string(baseURL),
            "cors_allowed_origins": .array(allowedOrigins.map { .string($0) }),
            "oauth_redirect_uris": .object(redirectURIs.mapValues { .string($0) }),
            "legal_urls": .object(legalURLs.mapValues { .string($0) }),
            "oauth": .object(authorizations.mapValues(\.json)),
            "pending": .array(pending.map { .string($0) }),
        ]
    }

    /// What to enter in each OAuth provider's developer portal.
    public var registration: String {
        var lines = [
            "What to register in the OAuth provider's developer portal" + (environment.map { " for the environment \($0)" } ?? ""), "",
        ]
        if !pending.isEmpty {
            lines.append("PENDING: register nothing yet. The site's host is known only after its first deploy;")
            lines.append("then set \(pending.joined(separator: ", ")) in site.yml and plan again.")
            lines.append("")
        }
        lines.append("Web/website URL:      \(baseURL)/")
        if let terms = legalURLs["terms"] { lines.append("Terms of Service URL: \(terms)") }
        if let privacy = legalURLs["privacy"] { lines.append("Privacy Policy URL:   \(privacy)") }
        lines.append("Redirect URIs:")
        for (provider, uri) in redirectURIs.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(uri)" + (provider == "default" ? "" : "  (\(provider))"))
        }
        lines.append("")
        lines.append("Register them exactly: scheme, host, path and no trailing slash must match.")
        if let pool, !pool.redirectURIs.isEmpty {
            lines.append("")
            lines.append("The slots of the pool \(pool.name) share their apps: register the redirect URIs of every slot")
            lines.append("before a pull request is deployed to one, so that it can sign in at once:")
            for (provider, uris) in pool.redirectURIs.sorted(by: { $0.key < $1.key }) {
                for uri in uris { lines.append("  \(uri)  (\(provider))") }
            }
        }
        if !authorizations.isEmpty {
            lines.append("")
            lines.append("Apps:")
            for (provider, authorization) in authorizations.sorted(by: { $0.key < $1.key }) {
                let scopes = authorization.scopes.isEmpty ? "no scopes" : "scopes \(authorization.scopes.joined(separator: " "))"
                lines.append(
                    "  \(provider): the \(authorization.app.rawValue) app; its client id goes in the backend setting \(authorization.clientIDSetting); \(scopes)"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func envName(_ text: String) -> String {
        String(text.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// `strings` as a JSON array on one line, with no spaces: `["a","b"]`.
    static func jsonArray(_ strings: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, string) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(string, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
