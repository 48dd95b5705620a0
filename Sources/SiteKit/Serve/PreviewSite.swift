import Foundation

/// One header line of a preview response or request.
public struct HeaderField: Sendable, Equatable, Hashable {
    /// The header's name as written, such as `Content-Type`; compare it case-insensitively.
    public var name: String
    /// The text after the colon.
    public var value: String

    /// The header line `name: value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HeaderField {
    /// The first value of `name`, compared case-insensitively.
    public func value(of name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Replaces every line named `name` (case-insensitively) with one line holding `value`.
    mutating func set(_ name: String, _ value: String) {
        removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        append(HeaderField(name, value))
    }
}

/// A built site as the preview serves it: the bucket's objects with the headers S3 would send,
/// the routing table, and the parts of the emitted CloudFront configuration that change answers
/// (the SPA fallback, the API behavior, the response headers policy, whether the edge function
/// carries the 404 page).
public struct PreviewSite: Sendable {
    /// An object of the bucket with the metadata it is uploaded with.
    public struct StoredObject: Sendable, Equatable {
        /// The object's key in the bucket.
        public var key: String
        /// The object's bytes.
        public var data: Data
        /// The `Content-Type` S3 answers with, from the manifest.
        public var contentType: String
        /// The `Cache-Control` S3 answers with, from the manifest.
        public var cacheControl: String
        /// S3's ETag for a single-part upload: the hex MD5 in quotes.
        public var etag: String
    }

    /// Every object by key, the manifest (`_site/manifest.json`) included, as the deploy uploads it.
    public var objects: [String: StoredObject]
    /// The manifest's routing table.
    public var routes: RoutingTable
    /// How deep links reach the SPA shell (`infra.spa_fallback`).
    public var spaFallback: SPAFallback
    /// The `api:` settings, whose path pattern is forwarded to `api.dev_origin`; nil when the site
    /// has no API.
    public var api: APISettings?
    /// The headers the response headers policy adds to every response of the bucket's behavior.
    public var securityHeaders: [HeaderField]
    /// The edge's routing data, as `plan-infra` puts it into the function's KeyValueStore: the
    /// preview answers the bucket's paths through the same decision procedure.
    public var edge: EdgeRouteStore
    /// HTML objects (content pages, the 404 page and the shell), for the build summary.
    public var pageCount: Int
    /// The bytes of every object and of the manifest, for the build summary.
    public var totalBytes: Int
    /// Warnings of the build, shown once per build.
    public var warnings: [Diagnostic]
    /// What differs between this configuration and one `plan-infra` accepts, in words.
    public var notes: [String]

    /// The site of a finished build.
    public init(result: BuildPipeline.Result) {
        self.init(
            config: result.config, objects: result.objects, manifest: result.manifest, manifestData: result.manifestData,
            warnings: result.warnings)
    }

    /// The site of `objects` as `manifest` describes them; `config` gives the SPA fallback, the API
    /// and the response headers policy.
    public init(
        config: SiteConfig, objects: [OutputObject], manifest: Manifest, manifestData: Data, warnings: [Diagnostic] = []
    ) {
        var stored: [String: StoredObject] = [:]
        let described = Dictionary(manifest.objects.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for object in objects {
            let entry = described[object.key]
            stored[object.key] = StoredObject(
                key: object.key, data: object.data,
                contentType: entry?.contentType ?? MediaTypes.contentType(forKey: object.key),
                cacheControl: entry?.cacheControl ?? CachePolicy.cacheControl(for: object.kind, settings: config.cache),
                etag: "\"\(entry?.md5 ?? Digest.md5(object.data))\"")
        }
        stored[Manifest.key] = StoredObject(
            key: Manifest.key, data: manifestData, contentType: MediaTypes.contentType(forKey: Manifest.key),
            cacheControl: CachePolicy.manifest, etag: "\"\(Digest.md5(manifestData))\"")
        self.objects = stored
        self.routes = manifest.routes
        self.spaFallback = config.infra.spaFallback
        self.api = config.api
        self.pageCount = objects.filter { $0.kind == .page || $0.kind == .shell }.count
        self.totalBytes = manifest.totalBytes + manifestData.count
        self.warnings = warnings

        var notes: [String] = []
        // The preview needs the planner's policy and function even where plan-infra would refuse the
        // config; the refusals are reported as notes instead.
        var planned = config
        if planned.infra.bucket == nil { planned.infra.bucket = "preview" }
        if planned.infra.spaFallback == .errorResponse, let api = planned.api {
            notes.append(
                "infra.spa_fallback: error_response is refused by plan-infra while api: is set (it would turn the API's 404s at \(api.pathPattern) into the app shell); the preview still proxies the API untouched"
            )
            planned.infra.spaFallback = .function
        }
        let notFoundKey = manifest.routes.notFound
        let notFoundPage = objects.first { $0.key == notFoundKey }.map { String(decoding: $0.data, as: UTF8.self) }
        if let planner = try? InfraPlanner(config: planned, manifest: manifest, notFoundPage: notFoundPage) {
            self.securityHeaders = Self.headers(policy: planner.responseHeadersPolicy)
            self.edge = planner.routeStore
        } else {
            self.securityHeaders = []
            self.edge = EdgeRouteStore(routes: manifest.routes, routesInFunction: planned.infra.spaFallback == .function)
        }
        self.notes = notes
    }

    /// The security headers of a response headers policy (`ResponseHeadersPolicyConfig`), as
    /// CloudFront sends them.
    static func headers(policy: JSONValue) -> [HeaderField] {
        guard let security = policy["ResponseHeadersPolicyConfig"]?["SecurityHeadersConfig"] else { return [] }
        var headers: [HeaderField] = []
        if let hsts = security["StrictTransportSecurity"], case .int(let age)? = hsts["AccessControlMaxAgeSec"] {
            var value = "max-age=\(age)"
            if hsts["IncludeSubdomains"] == .bool(true) { value += "; includeSubDomains" }
            if hsts["Preload"] == .bool(true) { value += "; preload" }
            headers.append(HeaderField("Strict-Transport-Security", value))
        }
        if security["ContentTypeOptions"] != nil { headers.append(HeaderField("X-Content-Type-Options", "nosniff")) }
        if case .string(let option)? = security["FrameOptions"]?["FrameOption"] {
            headers.append(HeaderField("X-Frame-Options", option))
        }
        if case .string(let policy)? = security["ReferrerPolicy"]?["ReferrerPolicy"] {
            headers.append(HeaderField("Referrer-Policy", policy))
        }
        if case .string(let csp)? = security["ContentSecurityPolicy"]?["ContentSecurityPolicy"] {
            headers.append(HeaderField("Content-Security-Policy", csp))
        }
        if let xss = security["XSSProtection"], xss["Protection"] == .bool(true) {
            var value = "1"
            if xss["ModeBlock"] == .bool(true) { value += "; mode=block" }
            headers.append(HeaderField("X-XSS-Protection", value))
        }
        return headers
    }
}
