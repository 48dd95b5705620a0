/// Stage 5: assigns every output an object key and URL, and builds the ``RoutingTable``.
///
/// Collisions are errors here, before anything is rendered: two sources for one URL, a page
/// shadowing a bundle file, a key that would have to be both a file and a folder in `dist/`, a
/// route under the API's path pattern or the reserved `_site/` prefix, and an alias or page on a
/// path that something else answers, by the rules of ``RouteKinds``.
public enum Router {
    /// One planned object: its key and what produces it.
    public struct Claim: Sendable, Equatable {
        /// The object's key in `dist/` and the bucket.
        public var key: String
        /// What the object is, which decides its Cache-Control and upload phase.
        public var kind: ObjectKind
        /// Where the claim was made, for collision messages.
        public var location: SourceLocation
        /// What makes the object, for collision messages: `page content/terms.md`, `the SPA shell`,
        /// ...
        public var description: String
        /// What the claim is, as a claim on a URL path.
        public var pathKind: RouteKind
    }

    /// The routing table and the planned objects (by key).
    public struct Plan: Sendable {
        /// Which URL serves what, as the manifest records it.
        public var table: RoutingTable
        /// Every planned object, sorted by key.
        public var claims: [Claim]
        /// The object key of each page, by route.
        public var pageKeys: [String: String]
    }

    /// Object keys for page routes: the route without its slash (`/terms` -> `terms`), or
    /// `route/index.html` for a route other keys live below (`/legal` beside `/legal/cookies`),
    /// since a folder tree cannot hold `legal` as a file and a folder.
    static func pageKeys(for routes: [String], otherKeys: [String]) -> [String: String] {
        let plain = routes.map { URLPath.key(for: $0) }
        let folders = String.folders(containing: plain + otherKeys)
        var keys: [String: String] = [:]
        keys.reserveCapacity(routes.count)
        for (route, key) in zip(routes, plain) {
            let isFolder = key != "index.html" && folders.contains(Substring(key))
            keys[route] = isFolder ? key + "/index.html" : key
        }
        return keys
    }

    /// The keys of the files every build generates: the 404 page, `robots.txt` and `sitemap.xml`.
    public static let generatedKeys = ["404.html", "robots.txt", "sitemap.xml"]

    /// Plans keys and routes for `pages`, `staticFiles`, the theme `assets` and the SPA `bundle`.
    public static func plan(
        config: SiteConfig, pages: [ContentPage], staticFiles: [StaticFile], assets: [TemplateSet.Asset],
        bundle: SPABundle?
    ) throws(DiagnosticError) -> Plan {
        var bag = DiagnosticBag()
        var claims: [Claim] = []
        var entries: [RoutingTable.Entry] = []
        var redirects: [RoutingTable.Redirect] = []
        claims.reserveCapacity(pages.count + assets.count + staticFiles.count + 8)
        entries.reserveCapacity(pages.count + assets.count + staticFiles.count + 8)
        redirects.reserveCapacity(pages.count)

        if bundle != nil {
            claims.append(
                Claim(
                    key: "index.html", kind: .shell, location: config.location(of: "spa.bundle"), description: "the SPA shell",
                    pathKind: .shell))
            entries.append(.init(path: "/", key: "index.html"))
            entries.append(.init(path: "/index.html", key: "index.html"))
        }
        for key in generatedKeys {
            let kind: ObjectKind = key.hasSuffix(".html") ? .page : .other
            claims.append(
                Claim(
                    key: key, kind: kind, location: SourceLocation(file: config.file), description: "the generated \(key)",
                    pathKind: .generated))
            entries.append(.init(path: "/" + key, key: key))
        }
        let otherKeys = assets.map(\.key) + (bundle?.files.map(\.key) ?? []) + staticFiles.map(\.key)
        let pageKeys = Self.pageKeys(for: pages.map(\.route), otherKeys: otherKeys)
        for page in pages {
            let key = pageKeys[page.route] ?? URLPath.key(for: page.route)
            let location = page.locations["route"] ?? SourceLocation(file: page.source, line: 1, column: 1)
            claims.append(Claim(key: key, kind: .page, location: location, description: "page \(page.source)", pathKind: .page))
            for path in Self.paths(answeredBy: page.route) { entries.append(.init(path: path, key: key)) }
            if let slashed = Self.slashRedirect(for: page.route) { redirects.append(.init(from: slashed, to: page.route)) }
            for alias in page.aliases {
                redirects.append(.init(from: alias, to: page.route))
                if let slashed = Self.slashRedirect(for: alias) { redirects.append(.init(from: slashed, to: page.route)) }
            }
        }
        for asset in assets {
            claims.append(
                Claim(
                    key: asset.key, kind: .asset, location: SourceLocation(file: asset.source), description: "theme file \(asset.source)",
                    pathKind: .file))
            entries.append(.init(path: "/" + asset.key, key: asset.key))
        }
        for file in bundle?.files ?? [] {
            claims.append(
                Claim(
                    key: file.key, kind: file.fingerprinted ? .asset : .other, location: SourceLocation(file: file.source),
                    description: "bundle file \(file.source)", pathKind: .file))
            entries.append(.init(path: "/" + file.key, key: file.key))
        }
        for file in staticFiles {
            let kind: ObjectKind = SPABundle.looksFingerprinted(file.key) ? .asset : .other
            claims.append(
                Claim(
                    key: file.key, kind: kind, location: SourceLocation(file: file.source), description: "content file \(file.source)",
                    pathKind: .file))
            entries.append(.init(path: "/" + file.key, key: file.key))
        }

        // Sorted once, stably: claims of one key stay in the order they were made.
        claims.sort { $0.key < $1.key }
        checkKeys(claims, into: &bag)
        checkPaths(config: config, pages: pages, claims: claims, bundle: bundle, into: &bag)
        checkRegisteredPages(config: config, pages: pages, into: &bag)
        try bag.throwIfErrors()

        let table = RoutingTable(
            entries: entries, redirects: redirects, spaRoutes: bundle == nil ? [] : (config.spa?.routes ?? []),
            api: config.api?.pathPattern)
        return Plan(table: table, claims: claims, pageKeys: pageKeys)
    }

    /// Checks `claims`, sorted by key, for keys claimed twice and keys that would have to be a
    /// file and a folder at once.
    private static func checkKeys(_ claims: [Claim], into bag: inout DiagnosticBag) {
        var start = 0
        while start < claims.count {
            var end = start + 1
            while end < claims.count, claims[end].key == claims[start].key { end += 1 }
            if end - start > 1 {
                let key = claims[start].key
                let sorted = claims[start..<end].sorted { $0.location < $1.location }
                let first = sorted[0]
                for other in sorted.dropFirst() {
                    let verb = first.kind == .page && other.kind == .page ? "both claim" : "collide on"
                    bag.error(
                        other.location, "\(other.description) and \(first.description) \(verb) /\(key == "index.html" ? "" : key)",
                        hint: "give one of them another route (front matter 'route:') or rename the file")
                }
            }
            // S3 keys may be prefixes of each other; a folder tree may not hold `terms` and `terms/x` both.
            // Keys below `key/` sort right after the keys that merely start with `key`.
            let key = claims[start].key
            let folder = key + "/"
            var next = end
            while next < claims.count, claims[next].key.hasPrefix(key) {
                if claims[next].key.hasPrefix(folder) {
                    let claim = claims[next]
                    bag.error(
                        claim.location,
                        "\(claim.description) needs '\(key)' to be a folder, but \(claims[start].description) is the file '\(key)'",
                        hint: "move one of them, for example /\(key) to /\(key)/index")
                    break
                }
                next += 1
            }
            start = end
        }
    }

    /// The paths a page with `route` answers: its route, and for the home page `/index.html` too.
    static func paths(answeredBy route: String) -> [String] {
        route == "/" ? ["/", "/index.html"] : [route]
    }

    /// The path that redirects to `path` (a page's route or an alias) with a slash added at its
    /// end; nil when it ends in one already.
    static func slashRedirect(for path: String) -> String? {
        path.hasSuffix("/") ? nil : path + "/"
    }

    /// Every claim on a path the plan makes: pages and their trailing-slash redirects, aliases,
    /// files, generated files, the reserved prefix, the API's pattern, and (with a bundle) the
    /// shell and the SPA's routes.
    static func pathClaims(
        config: SiteConfig, pages: [ContentPage], claims: [Claim], bundle: SPABundle?
    ) -> PathClaims {
        var paths = PathClaims()
        let reserved = RoutePattern(path: "/" + Manifest.reservedPrefix, isPrefix: true)
        paths.add(PathClaim(kind: .reserved, pattern: reserved, owner: "site", location: SourceLocation(file: config.file)))
        if let api = config.api {
            paths.add(
                PathClaim(
                    kind: .api, pattern: api.pathPattern, owner: "api.path_pattern", location: config.location(of: "api.path_pattern")))
        }
        if bundle != nil, let spa = config.spa {
            for (index, route) in spa.routes.enumerated() {
                let key = "spa.routes[\(index)]"
                paths.add(
                    PathClaim(kind: route.isPrefix ? .spaPrefix : .spaRoute, pattern: route, owner: key, location: config.location(of: key))
                )
            }
            if let callback = spa.oauthCallback {
                paths.add(
                    PathClaim(
                        kind: .oauthCallback, path: callback, owner: "spa.oauth_callback",
                        location: config.location(of: "spa.oauth_callback")))
            }
        }
        for claim in claims {
            switch claim.pathKind {
            case .shell:
                for path in ["/", "/index.html"] {
                    paths.add(PathClaim(kind: .shell, path: path, owner: "spa.bundle", location: claim.location))
                }
            case .page:
                // Pages are added below, by route: a page's key may differ from its path.
                continue
            default:
                paths.add(PathClaim(kind: claim.pathKind, path: "/" + claim.key, owner: claim.description, location: claim.location))
            }
        }
        for page in pages {
            let owner = "page \(page.source)"
            let location = page.locations["route"] ?? SourceLocation(file: page.source, line: 1, column: 1)
            for path in Self.paths(answeredBy: page.route) {
                paths.add(PathClaim(kind: .page, path: path, owner: owner, location: location, source: page.source))
            }
            if let slashed = Self.slashRedirect(for: page.route) {
                paths.add(
                    PathClaim(
                        kind: .trailingSlash, path: slashed, owner: owner, location: location, source: page.source, target: page.route))
            }
            for (index, alias) in page.aliases.enumerated() {
                let aliasLocation = page.location(of: "aliases[\(index)]")
                paths.add(
                    PathClaim(kind: .alias, path: alias, owner: owner, location: aliasLocation, source: page.source, target: page.route))
                if let slashed = Self.slashRedirect(for: alias) {
                    paths.add(
                        PathClaim(
                            kind: .trailingSlash, path: slashed, owner: "alias \(alias) of \(owner)", location: aliasLocation,
                            source: page.source, target: page.route))
                }
            }
        }
        return paths
    }

    /// Checks aliases, page routes and SPA routes against every other claim on their paths, by
    /// the rules of ``RouteKinds``. Pairs of objects (pages, files, generated files, the shell) are
    /// checked key by key in ``checkKeys(_:into:)``; the SPA's routes against the API in ``RouteLint``.
    private static func checkPaths(
        config: SiteConfig, pages: [ContentPage], claims: [Claim], bundle: SPABundle?, into bag: inout DiagnosticBag
    ) {
        let paths = pathClaims(config: config, pages: pages, claims: claims, bundle: bundle)
        let keyErrors = Set(bag.diagnostics.map(\.location))
        let aliasOrder: [RouteKind] = [
            .oauthCallback, .spaRoute, .spaPrefix, .shell, .page, .file, .generated, .alias, .trailingSlash, .api, .reserved,
        ]
        for page in pages {
            let location = page.locations["route"] ?? SourceLocation(file: page.source, line: 1, column: 1)
            let route = PathClaim(kind: .page, path: page.route, owner: "page \(page.source)", location: location, source: page.source)
            // A page already reported for its object key is not reported again for the app's routes.
            let order: [RouteKind] =
                keyErrors.contains(location) ? [.api, .reserved] : [.oauthCallback, .spaRoute, .spaPrefix, .api, .reserved]
            if let diagnostic = paths.conflict(for: route, against: order) { bag.append(diagnostic) }
            for (index, alias) in page.aliases.enumerated() {
                let claim = PathClaim(
                    kind: .alias, path: alias, owner: "page \(page.source)", location: page.location(of: "aliases[\(index)]"),
                    source: page.source, target: page.route)
                if let diagnostic = paths.conflict(for: claim, against: aliasOrder) { bag.append(diagnostic) }
            }
        }
        if bundle != nil, let spa = config.spa {
            for (index, route) in spa.routes.enumerated() {
                let key = "spa.routes[\(index)]"
                let claim = PathClaim(
                    kind: route.isPrefix ? .spaPrefix : .spaRoute, pattern: route, owner: key, location: config.location(of: key))
                if let diagnostic = paths.conflict(for: claim, against: [.file, .generated, .reserved]) { bag.append(diagnostic) }
            }
        }
    }

    private static func checkRegisteredPages(config: SiteConfig, pages: [ContentPage], into bag: inout DiagnosticBag) {
        // A few registered pages, each looked for among the pages: no set of every route.
        for (name, route) in config.pages.sorted(by: { $0.key < $1.key }) where !pages.contains(where: { $0.route == route }) {
            let candidates = pages.map(\.route)
            bag.error(
                config.location(of: "pages.\(name)"),
                "pages.\(name) is \(route), but no page in \(config.content.directory)/ has that route\(Suggestions.didYouMean(route, in: candidates))",
                hint: "add \(config.content.directory)\(route).md, or set 'route: \(route)' in the page's front matter")
        }
    }
}
