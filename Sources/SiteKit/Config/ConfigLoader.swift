import Foundation
import Yams

/// Stage 1: reads and validates `site.yml`.
public enum ConfigLoader {
    static let topLevelKeys = ["site", "pages", "content", "spa", "api", "cache", "infra", "oauth"]
    /// The top-level keys that say which environments there are, beside ``topLevelKeys``.
    static let environmentKeys = ["environments", "default_environment"]

    /// Loads the config at `path` from `fileSystem`, for `environment` (nil: the default one).
    public static func load(_ path: String, from fileSystem: some FileSystem, environment: String? = nil) throws(DiagnosticError)
        -> SiteConfig
    {
        let text = try fileSystem.readText(path)
        return try parse(text, file: path, environment: environment)
    }

    /// Parses and validates config text; `file` names it in diagnostics. With `environments:`,
    /// every environment is read and checked against the others, and the config of `environment`
    /// (nil: `default_environment`) is returned.
    public static func parse(_ text: String, file: String, environment: String? = nil) throws(DiagnosticError) -> SiteConfig {
        let reader = YAMLReader(file: file)
        guard let root = try reader.parse(text) else {
            throw DiagnosticError(
                .error(
                    SourceLocation(file: file, line: 1, column: 1), "the config file is empty",
                    hint: "start from the site.yml in the README's config reference"))
        }
        var parser = ConfigParser(reader: reader, file: file)
        guard let entries = parser.reader.mapping(root, path: "config") else {
            throw DiagnosticError(parser.reader.diagnostics.diagnostics)
        }
        let section = entries.first { $0.key == "environments" }
        let defaultEntry = entries.first { $0.key == "default_environment" }
        let shared = Node.mapping(
            Node.Mapping(entries.filter { !environmentKeys.contains($0.key) }.map { ($0.keyNode, $0.value) }, .implicit, .any, root.mark))
        guard let section else {
            if let defaultEntry {
                parser.reader.error(
                    defaultEntry.keyNode, "'default_environment' names an environment, but the file has no 'environments'",
                    hint: "add environments:, or remove default_environment")
            }
            if let environment {
                parser.reader.error(
                    root, "--env \(environment): \(file) has no environments",
                    hint: "leave out --env, or add environments: with \(environment): (see the README's environments section)")
            }
            let config = parser.parse(shared)
            try parser.reader.diagnostics.throwIfErrors()
            guard let config else { throw DiagnosticError(.error(SourceLocation(file: file), "invalid config")) }
            return config
        }
        let environments = parser.parseEnvironments(section, default: defaultEntry)
        let selected = environment ?? environments.defaultName
        if let selected, !environments.names.contains(selected), !environments.names.isEmpty {
            parser.reader.error(
                section.keyNode,
                "--env \(selected): no such environment in \(file)\(Suggestions.didYouMean(selected, in: environments.names))",
                hint: "environments: \(environments.names.joined(separator: ", "))")
        }
        return try EnvironmentRules.configs(
            for: environments, shared: shared, file: file, selecting: selected ?? "", findings: parser.reader.diagnostics.diagnostics)
    }
}

/// Walks the YAML tree of `site.yml`, collecting values and diagnostics.
struct ConfigParser {
    var reader: YAMLReader
    let file: String
    var locations: [String: SourceLocation] = [:]
    /// Whether `site.base_url` may be left out: an environment whose distribution does not exist
    /// yet, so its `*.cloudfront.net` name is unknown.
    var allowsPendingBaseURL = false

    init(reader: YAMLReader, file: String) {
        self.reader = reader
        self.file = file
    }

    /// The keys each section accepts, by section (`oauth`'s are per provider, in ``parseOAuth(_:)``).
    static let knownKeys: [String: [String]] = [
        "site": ["name", "legal_name", "contact_email", "base_url", "address", "language", "allowed_origins"],
        "content": ["directory", "templates", "allow_raw_html", "default_template", "toc_depth"],
        "spa": ["bundle", "title", "description", "mount_id", "routes", "oauth_callback", "assets_dir"],
        "api": ["path_pattern", "origin", "dev_origin"],
        "cache": ["html_edge_seconds", "other_seconds"],
        "infra": [
            "bucket", "region", "price_class", "aliases", "certificate_arn", "logging_bucket", "web_acl_id",
            "retain_deploys", "max_deletes", "invalidation_threshold", "spa_fallback", "noncurrent_days",
        ],
    ]

    mutating func parse(_ root: Node) -> SiteConfig? {
        guard let entries = reader.mapping(root, path: "config") else { return nil }
        reader.rejectUnknown(entries, known: ConfigLoader.topLevelKeys + ConfigLoader.environmentKeys, path: "")
        let section = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in entries { locations[entry.key] = reader.location(entry.keyNode) }

        guard let siteEntry = section["site"] else {
            reader.error(root, "missing required section 'site'", hint: "add site: with name, legal_name, contact_email and base_url")
            return nil
        }
        let site = parseSite(siteEntry.value)
        let pages = section["pages"].map { parsePages($0.value) } ?? [:]
        let content = section["content"].map { parseContent($0.value) } ?? ContentSettings()
        let spa = section["spa"].flatMap { parseSPA($0.value) }
        let api = section["api"].flatMap { parseAPI($0.value) }
        let cache = section["cache"].map { parseCache($0.value) } ?? CacheSettings()
        let infra = section["infra"].map { parseInfra($0.value) } ?? InfraSettings()
        let derivable = site?.isPending == true || spa?.oauthCallback != nil
        var oauth = section["oauth"].map { parseOAuth($0.value, derivable: derivable) } ?? [:]
        guard let site else { return nil }
        var pending: [String] = site.isPending ? ["site.base_url"] : []
        // A redirect URI left out is the app's callback route on the site's host, so it cannot
        // drift from them; while the host is pending, so is the redirect URI.
        for provider in oauth.keys.sorted() where oauth[provider]?.redirectURI.isEmpty == true {
            oauth[provider]?.redirectURI = site.baseURL + (spa?.oauthCallback ?? "/")
            if site.isPending { pending.append("oauth.\(provider).redirect_uri") }
        }
        var config = SiteConfig(
            file: file, site: site, pages: pages, content: content, spa: spa, api: api, cache: cache,
            infra: infra, oauth: oauth, locations: locations)
        config.pendingKeys = pending
        return config
    }

    /// Reads the keys of a mapping section through `read`, which returns false for unknown keys.
    private mutating func fields(
        _ node: Node, path: String, known: [String], required: [String] = [],
        _ read: (inout ConfigParser, String, Node, String) -> Void
    ) {
        guard let entries = reader.mapping(node, path: path) else { return }
        reader.rejectUnknown(entries, known: known, path: path)
        for entry in entries where known.contains(entry.key) {
            let keyPath = "\(path).\(entry.key)"
            locations[keyPath] = reader.location(entry.value)
            read(&self, entry.key, entry.value, keyPath)
        }
        let present = Set(entries.map(\.key))
        // A misspelt required key is reported once, as unknown with a suggestion.
        let suggested = Set(entries.filter { !known.contains($0.key) }.compactMap { Suggestions.closest(to: $0.key, in: known) })
        for key in required where !present.contains(key) && !suggested.contains(key) {
            reader.error(node, "missing required key '\(path).\(key)'", hint: "add \(key): under \(path):")
        }
    }

    mutating func parseSite(_ node: Node) -> SiteIdentity? {
        var identity = SiteIdentity(
            name: "", legalName: "", contactEmail: "", address: "", language: "en", baseURL: "", allowedOrigins: [])
        let required = ["name", "legal_name", "contact_email"] + (allowsPendingBaseURL ? [] : ["base_url"])
        let known = Self.knownKeys["site", default: []]
        let before = reader.diagnostics.diagnostics.count
        fields(node, path: "site", known: known, required: required) { parser, key, value, keyPath in
            switch key {
            case "allowed_origins":
                guard let origins = parser.reader.strings(value, path: keyPath) else { return }
                for (index, (origin, originNode)) in origins.enumerated() {
                    parser.locations["\(keyPath)[\(index)]"] = parser.reader.location(originNode)
                    if let problem = OriginRules.problem(origin) {
                        parser.reader.error(
                            originNode, "'\(keyPath)[\(index)]': \(problem)", hint: "write an origin such as http://localhost:5173")
                    } else {
                        identity.allowedOrigins.append(origin)
                    }
                }
            default:
                guard let text = parser.reader.string(value, path: keyPath) else { return }
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty {
                    parser.reader.error(value, "'\(keyPath)' must not be empty")
                    return
                }
                switch key {
                case "name": identity.name = trimmed
                case "legal_name": identity.legalName = trimmed
                case "address": identity.address = trimmed
                case "contact_email":
                    if !OriginRules.isEmail(trimmed) {
                        parser.reader.error(value, "'\(keyPath)' must be an email address, found '\(trimmed)'")
                    }
                    identity.contactEmail = trimmed
                case "language":
                    if !OriginRules.isLanguageTag(trimmed) {
                        parser.reader.error(value, "'\(keyPath)' must be a language tag such as en or en-GB, found '\(trimmed)'")
                    }
                    identity.language = trimmed
                case "base_url":
                    var url = trimmed
                    if url.hasSuffix("/") { url.removeLast() }
                    if let problem = OriginRules.problem(url, requireHTTPS: true) {
                        parser.reader.error(
                            value, "'\(keyPath)': \(problem)",
                            hint: "write the production origin, such as https://d111111abcdef8.cloudfront.net")
                    }
                    identity.baseURL = url
                default: break
                }
            }
        }
        if identity.baseURL.isEmpty, allowsPendingBaseURL { identity.baseURL = SiteIdentity.pendingBaseURL }
        return reader.diagnostics.diagnostics.count == before ? identity : nil
    }

    mutating func parsePages(_ node: Node) -> [String: String] {
        var pages: [String: String] = [:]
        guard let entries = reader.mapping(node, path: "pages") else { return pages }
        for entry in entries {
            let keyPath = "pages.\(entry.key)"
            locations[keyPath] = reader.location(entry.value)
            guard let route = reader.string(entry.value, path: keyPath) else { continue }
            if let problem = URLPath.problem(in: route) {
                reader.error(entry.value, problem.message)
            } else if route != "/", route.hasSuffix("/") {
                reader.error(
                    entry.value, "'\(keyPath)' must not end with '/': legal pages are registered without a trailing slash",
                    hint: "write \(route.dropLast())")
            } else {
                pages[entry.key] = route
            }
        }
        return pages
    }

    mutating func parseContent(_ node: Node) -> ContentSettings {
        var settings = ContentSettings()
        fields(node, path: "content", known: Self.knownKeys["content", default: []]) {
            parser, key, value, keyPath in
            switch key {
            case "allow_raw_html": settings.allowRawHTML = parser.reader.bool(value, path: keyPath) ?? false
            case "toc_depth":
                if let depth = parser.reader.int(value, path: keyPath, minimum: 2) {
                    if depth > 6 { parser.reader.error(value, "'\(keyPath)' must be between 2 and 6") }
                    settings.tocDepth = depth
                }
            default:
                guard let text = parser.reader.string(value, path: keyPath) else { return }
                switch key {
                case "directory": settings.directory = parser.projectPath(text, node: value, keyPath: keyPath)
                case "templates": settings.templates = parser.projectPath(text, node: value, keyPath: keyPath)
                default: settings.defaultTemplate = text
                }
            }
        }
        return settings
    }

    mutating func parseSPA(_ node: Node) -> SPASettings? {
        var settings = SPASettings(bundle: "", title: "", description: "", mountID: "root", routes: [], oauthCallback: nil)
        var callbackNode: Node?
        fields(node, path: "spa", known: Self.knownKeys["spa", default: []], required: ["bundle", "routes"]) {
            parser, key, value, keyPath in
            if key == "routes" {
                guard let routes = parser.reader.strings(value, path: keyPath) else { return }
                for (index, (text, routeNode)) in routes.enumerated() {
                    parser.locations["\(keyPath)[\(index)]"] = parser.reader.location(routeNode)
                    switch RoutePattern.parse(text) {
                    case .success(let pattern): settings.routes.append(pattern)
                    case .failure(let error): parser.reader.error(routeNode, error.message)
                    }
                }
                return
            }
            guard let text = parser.reader.string(value, path: keyPath) else { return }
            switch key {
            case "bundle": settings.bundle = parser.projectPath(text, node: value, keyPath: keyPath)
            case "title": settings.title = text
            case "description": settings.description = text
            case "mount_id": settings.mountID = text
            case "assets_dir": settings.assetsDirectory = text.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            case "oauth_callback":
                callbackNode = value
                if let problem = URLPath.problem(in: text) {
                    parser.reader.error(value, problem.message)
                } else {
                    settings.oauthCallback = text
                }
            default: break
            }
        }
        if let callback = settings.oauthCallback, !settings.routes.contains(where: { $0.matches(callback) }) {
            reader.error(
                callbackNode, "'spa.oauth_callback' \(callback) is not one of 'spa.routes', so it would not load the app",
                hint: "add \(callback) to spa.routes")
        }
        return settings.bundle.isEmpty ? nil : settings
    }

    mutating func parseAPI(_ node: Node) -> APISettings? {
        var pattern: RoutePattern?
        var origin = ""
        var development: String?
        fields(node, path: "api", known: Self.knownKeys["api", default: []], required: ["path_pattern", "origin"]) {
            parser, key, value, keyPath in
            guard let text = parser.reader.string(value, path: keyPath) else { return }
            switch key {
            case "path_pattern":
                switch RoutePattern.parse(text) {
                case .success(let parsed) where parsed.isPrefix: pattern = parsed
                case .success: parser.reader.error(value, "'\(keyPath)' must be a prefix pattern such as /api/*")
                case .failure(let error): parser.reader.error(value, error.message)
                }
            case "origin":
                if let problem = OriginRules.problem(text, requireHTTPS: true) {
                    parser.reader.error(value, "'\(keyPath)': \(problem)")
                }
                origin = text
            case "dev_origin":
                if let problem = OriginRules.problem(text) { parser.reader.error(value, "'\(keyPath)': \(problem)") }
                development = text
            default: break
            }
        }
        guard let pattern, !origin.isEmpty else { return nil }
        return APISettings(pathPattern: pattern, origin: origin, developmentOrigin: development)
    }

    mutating func parseCache(_ node: Node) -> CacheSettings {
        var settings = CacheSettings()
        fields(node, path: "cache", known: Self.knownKeys["cache", default: []]) { parser, key, value, keyPath in
            guard let seconds = parser.reader.int(value, path: keyPath) else { return }
            if key == "html_edge_seconds" { settings.htmlEdgeSeconds = seconds } else { settings.otherSeconds = seconds }
        }
        return settings
    }

    mutating func parseInfra(_ node: Node) -> InfraSettings {
        var settings = InfraSettings()
        fields(node, path: "infra", known: Self.knownKeys["infra", default: []]) { parser, key, value, keyPath in
            switch key {
            case "aliases":
                for (index, (alias, node)) in (parser.reader.strings(value, path: keyPath) ?? []).enumerated() {
                    parser.locations["\(keyPath)[\(index)]"] = parser.reader.location(node)
                    if !InfraRules.isHostName(alias) {
                        parser.reader.error(node, "'\(keyPath)[\(index)]' must be a host name such as www.example.com, found '\(alias)'")
                    }
                    settings.aliases.append(alias)
                }
            case "retain_deploys": settings.retainDeploys = parser.reader.int(value, path: keyPath) ?? settings.retainDeploys
            case "max_deletes": settings.maxDeletes = parser.reader.int(value, path: keyPath) ?? settings.maxDeletes
            case "noncurrent_days":
                settings.noncurrentDays = parser.reader.int(value, path: keyPath, minimum: 1) ?? settings.noncurrentDays
            case "invalidation_threshold":
                settings.invalidationThreshold = parser.reader.int(value, path: keyPath, minimum: 1) ?? settings.invalidationThreshold
            default:
                guard let text = parser.reader.string(value, path: keyPath) else { return }
                switch key {
                case "bucket":
                    if let problem = InfraRules.bucketProblem(text) {
                        parser.reader.error(
                            value, "'\(keyPath)' \(problem)",
                            hint: "S3 bucket names are 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit"
                        )
                    }
                    settings.bucket = text
                case "region":
                    if !InfraRules.isRegion(text) {
                        parser.reader.error(value, "'\(keyPath)' must be an AWS region such as us-east-1 or eu-west-1, found '\(text)'")
                    }
                    settings.region = text
                case "spa_fallback":
                    if let fallback = SPAFallback(rawValue: text) {
                        settings.spaFallback = fallback
                    } else {
                        let names = SPAFallback.allCases.map(\.rawValue)
                        parser.reader.error(
                            value, "'\(keyPath)' must be one of \(names.joined(separator: ", "))\(Suggestions.didYouMean(text, in: names))")
                    }
                case "price_class":
                    let classes = ["PriceClass_100", "PriceClass_200", "PriceClass_All"]
                    if !classes.contains(text) {
                        parser.reader.error(
                            value,
                            "'\(keyPath)' must be one of \(classes.joined(separator: ", "))\(Suggestions.didYouMean(text, in: classes))")
                    }
                    settings.priceClass = text
                case "certificate_arn":
                    if let problem = InfraRules.certificateProblem(text) {
                        parser.reader.error(
                            value, "'\(keyPath)' \(problem)",
                            hint: "CloudFront only uses ACM certificates from us-east-1; request or import one there")
                    }
                    settings.certificateARN = text
                case "logging_bucket": settings.loggingBucket = text
                case "web_acl_id": settings.webACLID = text
                default: break
                }
            }
        }
        if !settings.aliases.isEmpty, settings.certificateARN == nil {
            reader.error(
                node, "'infra.aliases' needs 'infra.certificate_arn': CloudFront serves other host names only with their certificate",
                hint: "add certificate_arn: arn:aws:acm:us-east-1:<account>:certificate/<id> covering every alias")
        }
        return settings
    }

    /// The `oauth:` section; with `derivable` (an `spa.oauth_callback`, or no `site.base_url`
    /// yet), a provider's `redirect_uri` may be left out: it is then the callback route on the
    /// site's host.
    mutating func parseOAuth(_ node: Node, derivable: Bool = false) -> [String: OAuthRegistration] {
        var result: [String: OAuthRegistration] = [:]
        guard let providers = reader.mapping(node, path: "oauth") else { return result }
        let known = ["redirect_uri", "terms_url", "privacy_url", "app", "client_id_setting", "scopes"]
        for provider in providers {
            let path = "oauth.\(provider.key)"
            var registration = OAuthRegistration(redirectURI: "")
            fields(provider.value, path: path, known: known, required: derivable ? [] : ["redirect_uri"]) { parser, key, value, keyPath in
                if key == "scopes" {
                    registration.scopes = parser.parseOAuthScopes(value, provider: OAuthProvider.named(provider.key), keyPath: keyPath)
                    return
                }
                guard let text = parser.reader.string(value, path: keyPath) else { return }
                switch key {
                case "redirect_uri":
                    // Warnings (a query) are given with the route checks, once the config has loaded.
                    let errors = RedirectURIRules.check(text, provider: provider.key, at: parser.reader.location(value))
                        .filter { $0.severity == .error }
                    parser.reader.report(errors)
                    if errors.isEmpty { registration.redirectURI = text }
                case "app":
                    if let app = OAuthApp(rawValue: text) {
                        registration.app = app
                    } else {
                        let names = OAuthApp.allCases.map(\.rawValue)
                        parser.reader.error(
                            value, "'\(keyPath)' must be one of \(names.joined(separator: ", "))\(Suggestions.didYouMean(text, in: names))",
                            hint: "name which of \(provider.key)'s apps this registration is")
                    }
                case "client_id_setting":
                    if OAuthProvider.isSettingName(text) {
                        registration.clientIDSetting = text
                    } else {
                        let example = OAuthProvider.named(provider.key).defaultClientIDSetting
                        parser.reader.error(
                            value,
                            "'\(keyPath)' must name a backend setting (A-Z, then A-Z, 0-9 and _), such as \(example), found '\(text)'",
                            hint: "write the name of the setting that holds the client id, never the id itself")
                    }
                default:
                    guard let url = URLComponents(string: text), url.scheme == "https" || url.host == "localhost", url.host != nil else {
                        parser.reader.error(value, "'\(keyPath)' must be an absolute https URL, found '\(text)'")
                        return
                    }
                    if key == "terms_url" { registration.termsURL = text } else { registration.privacyURL = text }
                }
            }
            if !registration.redirectURI.isEmpty || derivable { result[provider.key] = registration }
        }
        return result
    }

    /// The scopes of `oauth.<provider>.scopes`: one or more, each a scope `provider` can be sent.
    private mutating func parseOAuthScopes(_ node: Node, provider: OAuthProvider, keyPath: String) -> [String]? {
        guard let items = reader.strings(node, path: keyPath) else { return nil }
        if items.isEmpty {
            reader.error(
                node, "'\(keyPath)' must list at least one scope",
                hint: "remove \(keyPath) for \(provider.name)'s default, or list the scopes the app asks for")
            return nil
        }
        var scopes: [String] = []
        for (index, (scope, itemNode)) in items.enumerated() {
            locations["\(keyPath)[\(index)]"] = reader.location(itemNode)
            if let problem = provider.scopeProblem(scope) {
                let list = scope.split(separator: " ").joined(separator: ", ")
                reader.error(
                    itemNode, "'\(keyPath)[\(index)]' \(problem)",
                    hint: scope.contains(" ") ? "write each scope as an item of a list: [\(list)]" : nil)
            } else {
                scopes.append(scope)
            }
        }
        return scopes.count == items.count ? scopes : nil
    }

    /// A folder inside the project: relative, without `..`.
    private mutating func projectPath(_ text: String, node: Node, keyPath: String) -> String {
        var path = text
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasPrefix("./") { path.removeFirst(2) }
        if path.hasPrefix("/") || path.split(separator: "/").contains("..") || path.isEmpty {
            reader.error(
                node, "'\(keyPath)' must be a folder inside the project, found '\(text)'", hint: "write a relative path such as app/dist")
        }
        return path
    }
}

/// S3 and CloudFront naming rules.
public enum InfraRules {
    /// Why `name` is not a valid S3 bucket name (for virtual-hosted access over TLS), or nil.
    public static func bucketProblem(_ name: String) -> String? {
        if name.count < 3 || name.count > 63 { return "must be 3 to 63 characters long, found \(name.count)" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        if let bad = name.first(where: { !allowed.contains($0) }) {
            return "must use only lower-case letters, digits, '.' and '-', found '\(bad)' in '\(name)'"
        }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "must start and end with a letter or digit: '\(name)'"
        }
        if name.contains("..") { return "must not contain '..': '\(name)'" }
        if name.contains(".") { return "must not contain '.': CloudFront reaches the bucket over TLS, which dotted names break" }
        let parts = name.split(separator: ".")
        if parts.count == 4, parts.allSatisfy({ Int($0) != nil }) { return "must not look like an IP address: '\(name)'" }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) {
            return "must not start with '\(prefix)': '\(name)'"
        }
        for suffix in ["-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"] where name.hasSuffix(suffix) {
            return "must not end with '\(suffix)': '\(name)'"
        }
        return nil
    }

    /// Why `arn` is not an ACM certificate in us-east-1, or nil.
    public static func certificateProblem(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "acm", parts[5].hasPrefix("certificate/") else {
            return "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<id>, found '\(arn)'"
        }
        if parts[3] != "us-east-1" { return "is in \(parts[3]), but CloudFront needs the certificate in us-east-1" }
        return nil
    }

    /// Whether `text` is shaped like an AWS region: lower-case words and a number joined by `-`,
    /// such as `eu-west-1`.
    public static func isRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count >= 3 && parts.last.map { Int($0) != nil } == true
            && parts.dropLast().allSatisfy { $0.allSatisfy(\.isLetter) && $0 == $0.lowercased() }
    }

    /// Whether `text` is a host name of two or more labels of ASCII letters, digits and `-`, such
    /// as `www.example.com`; the first label may be `*`.
    public static func isHostName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && text.count <= 253
            && labels.enumerated().allSatisfy { index, label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy {
                        ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || ($0 == "*" && index == 0 && label.count == 1)
                    }
            }
    }
}

/// Checks for origins, emails and language tags.
public enum OriginRules {
    /// Why `text` is not an origin (`scheme://host[:port]`, no path), or nil.
    public static func problem(_ text: String, requireHTTPS: Bool = false) -> String? {
        if text == "*" { return "'*' allows every site; list the exact origins instead" }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            let host = components.host, !host.isEmpty
        else { return "'\(text)' is not an origin such as https://example.com" }
        if scheme != "https", scheme != "http" { return "'\(text)' must use http or https" }
        if requireHTTPS, scheme != "https" { return "'\(text)' must use https" }
        if !components.path.isEmpty || components.query != nil || components.fragment != nil {
            return "'\(text)' is not an origin: remove the path, query or fragment (keep scheme://host[:port])"
        }
        if components.user != nil || components.password != nil { return "'\(text)' must not contain credentials" }
        return nil
    }

    /// Whether `text` is shaped like an email address: one `@` with a name before it, a dot after
    /// it and no spaces.
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ")
    }

    /// Whether `text` is shaped like a BCP 47 language tag such as `en` or `en-GB`: two or three
    /// letters, then subtags of one to eight letters or digits.
    public static func isLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy(\.isLetter) else { return false }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isLetter || $0.isNumber } }
    }
}
