import Foundation

/// Everything `site.yml` says, validated: the site's identity, where content lives, the SPA, the API
/// and the infrastructure settings.
public struct SiteConfig: Sendable, Equatable {
    /// The config file, relative to the project root.
    public var file: String
    /// The `site:` section: who publishes the site and where it is served.
    public var site: SiteIdentity
    /// Pages that must exist, by name, with the URL path registered with OAuth providers
    /// (for example `terms: /terms`).
    public var pages: [String: String]
    /// The `content:` section, or its defaults when the file has none.
    public var content: ContentSettings
    /// The `spa:` section; nil when the site has no single-page app.
    public var spa: SPASettings?
    /// The `api:` section; nil when no backend shares the distribution.
    public var api: APISettings?
    /// The `cache:` section, or its defaults when the file has none.
    public var cache: CacheSettings
    /// The `infra:` section, or its defaults when the file has none.
    public var infra: InfraSettings
    /// What is registered with each OAuth provider, by provider name.
    public var oauth: [String: OAuthRegistration] = [:]
    /// Where each key path was written (`site.base_url`, `spa.routes[1]`, ...), for later diagnostics.
    public var locations: [String: SourceLocation]
    /// The environment this config is for (`staging`, `preview-1`); nil when the file has no
    /// `environments:`.
    public var environment: String?
    /// The key under `environments:` that defines ``environment``: its name, or for a slot of a
    /// pool the pool's (`preview` for `preview-1`).
    public var environmentSection: String?
    /// The key paths whose values wait for the first deploy's host (`site.base_url`,
    /// `oauth.tiktok.redirect_uri`); empty when every value is set.
    public var pendingKeys: [String] = []
    /// For a slot of a pool: every slot's redirect URI, in slot order, by provider, which the app
    /// the slots share must have registered before a pull request is deployed to any of them.
    public var poolRedirectURIs: [String: [String]] = [:]
    /// Every environment of the file, in the order written; empty without `environments:`.
    public var environments: [String] = []
    /// The key paths the environment's own section set (`site.base_url`, `infra.bucket`, ...).
    public var environmentKeys: Set<String> = []

    /// The location of a key path in the config file, or the file itself.
    public func location(of keyPath: String) -> SourceLocation {
        locations[keyPath] ?? SourceLocation(file: file)
    }
}

/// Who publishes the site: the values legal pages quote.
public struct SiteIdentity: Sendable, Equatable {
    /// The site's name as pages show it (`site.name`).
    public var name: String
    /// The legal name of whoever publishes the site (`site.legal_name`).
    public var legalName: String
    /// The address people write to about the site (`site.contact_email`).
    public var contactEmail: String
    /// The publisher's postal address (`site.address`); empty when not given.
    public var address: String
    /// A BCP 47 language tag such as `en` or `en-GB`.
    public var language: String
    /// The production origin, `https://host[:port]`, without a trailing slash.
    public var baseURL: String
    /// Extra origins the API must accept (local development servers).
    public var allowedOrigins: [String]

    /// The origin an environment has before its first deploy, while its `*.cloudfront.net` name is
    /// unknown: `.invalid` never resolves, so nothing planned with it can reach a real site.
    public static let pendingBaseURL = "https://" + pendingHost
    /// The host of ``pendingBaseURL``.
    public static let pendingHost = "pending.invalid"

    /// Whether `site.base_url` is left out until the first deploy names the host.
    public var isPending: Bool { baseURL == Self.pendingBaseURL }

    /// The host of ``baseURL``, lower-case; empty when it has none.
    public var host: String { URL(string: baseURL)?.host?.lowercased() ?? "" }
}

/// Where content and templates live and how they are rendered.
public struct ContentSettings: Sendable, Equatable {
    /// The folder of Markdown pages and the files published beside them (`content.directory`),
    /// relative to the project root.
    public var directory: String = "content"
    /// The folder of Mustache templates, with the theme files under its `assets/`
    /// (`content.templates`), relative to the project root.
    public var templates: String = "templates"
    /// Keep raw HTML written in Markdown (otherwise it is dropped).
    public var allowRawHTML: Bool = false
    /// The template for pages whose front matter names none.
    public var defaultTemplate: String = "legal"
    /// The deepest heading level listed in tables of contents.
    public var tocDepth: Int = 3
}

/// The single-page app: its built bundle and the routes it handles in the browser.
public struct SPASettings: Sendable, Equatable {
    /// The Vite build output folder (with `.vite/manifest.json` or `index.html`).
    public var bundle: String
    /// The `<title>` of the SPA shell (`spa.title`); empty means the site's name.
    public var title: String
    /// The meta description of the SPA shell (`spa.description`); empty when not given.
    public var description: String
    /// The id of the element the app mounts into.
    public var mountID: String
    /// Client-side routes: exact paths, or prefixes ending in `/*`.
    public var routes: [RoutePattern]
    /// The OAuth redirect route, which must be one of `routes`.
    public var oauthCallback: String?
    /// The folder inside the bundle that holds fingerprinted files.
    public var assetsDirectory: String = "assets"
}

/// The companion API backend, served under a path pattern of the same distribution.
public struct APISettings: Sendable, Equatable {
    /// The paths that go to the backend, such as `/api/*`.
    public var pathPattern: RoutePattern
    /// The backend's production origin, `https://host`.
    public var origin: String
    /// A local backend for previews, such as `http://127.0.0.1:8000`.
    public var developmentOrigin: String?
}

/// Cache lifetimes, in seconds.
public struct CacheSettings: Sendable, Equatable {
    /// How long the edge keeps HTML; browsers always revalidate.
    public var htmlEdgeSeconds: Int = 86_400
    /// How long anything neither HTML nor fingerprinted is cached.
    public var otherSeconds: Int = 300
}

/// The URLs registered with one OAuth provider's developer console.
public struct OAuthRegistration: Sendable, Equatable {
    /// The redirect (callback) URI, absolute.
    public var redirectURI: String
    /// The Terms of Service URL, absolute, when the provider asks for one.
    public var termsURL: String?
    /// The Privacy Policy URL, absolute, when the provider asks for one.
    public var privacyURL: String?
    /// Which of the provider's apps this is (`app`, default `production`).
    public var app: OAuthApp = .production
    /// The name of the backend setting that holds the app's client id (`client_id_setting`); nil
    /// for the provider's default (see ``OAuthProvider/defaultClientIDSetting``).
    public var clientIDSetting: String?
    /// The scopes the app asks for (`scopes`); nil for the provider's default.
    public var scopes: [String]?
}

/// What `plan-infra` needs to name and shape the AWS resources.
public struct InfraSettings: Sendable, Equatable {
    /// The S3 bucket's name (`infra.bucket`); nil when the site is not deployed with `site`, and
    /// `plan-infra` then refuses to run.
    public var bucket: String?
    /// The AWS region the bucket is created in (`infra.region`).
    public var region: String = "us-east-1"
    /// The distribution's `PriceClass`: `PriceClass_100`, `PriceClass_200` or `PriceClass_All`
    /// (`infra.price_class`).
    public var priceClass: String = "PriceClass_100"
    /// Extra host names (CNAMEs) for the distribution; they need a certificate.
    public var aliases: [String] = []
    /// An ACM certificate in us-east-1 for `aliases`.
    public var certificateARN: String?
    /// A bucket for CloudFront standard logs, such as `logs-bucket.s3.amazonaws.com`.
    public var loggingBucket: String?
    /// An AWS WAF web ACL for the distribution's `WebACLId` (`infra.web_acl_id`); nil for none.
    public var webACLID: String?
    /// How many earlier deploys' fingerprinted assets to keep.
    public var retainDeploys: Int = 2
    /// The most objects one deploy may delete without an explicit flag.
    public var maxDeletes: Int = 256
    /// Days after which a version that a deploy replaced or deleted expires.
    public var noncurrentDays: Int = 30
    /// Above this many paths an invalidation is collapsed into wildcards.
    public var invalidationThreshold: Int = 8
    /// How deep links reach the SPA shell.
    public var spaFallback: SPAFallback = .function
}

/// How CloudFront answers paths that are not objects.
public enum SPAFallback: String, Sendable, Equatable, CaseIterable {
    /// A viewer-request CloudFront Function on the bucket's behavior, generated from the routing
    /// table: SPA routes get the shell, unknown paths the 404 page with status 404, and the API's
    /// own errors pass untouched.
    case function
    /// The distribution-wide custom error response 404 -> /index.html with 200. Only without an API
    /// on the same distribution, because it would replace the API's own 404s too.
    case errorResponse = "error_response"
}
