/// Compares a plan with the AWS limits in ``AWSLimits`` before anything is written: each excess
/// is an error at the input that causes it (the page or alias a route comes from, or the setting
/// of `site.yml`), so AWS never refuses a plan in the middle of a deploy.
enum InfraBudget {
    /// The findings for a plan of `config` and `manifest` with the route `store`, the functions'
    /// `codes` (file name and text) and the `contentSecurityPolicy` of its response headers policy.
    static func check(
        config: SiteConfig, manifest: Manifest, store: EdgeRouteStore, codes: [(file: String, code: String)],
        contentSecurityPolicy: String
    ) -> [Diagnostic] {
        var bag = DiagnosticBag()
        for (file, code) in codes where code.utf8.count > AWSLimits.functionCodeBytes {
            bag.error(
                config.location(of: "spa.routes"),
                "\(file) is \(code.utf8.count) bytes; CloudFront Functions take at most \(AWSLimits.functionCodeBytes)",
                hint: "the code grows only with the SPA's prefix routes: list fewer of them in spa.routes")
        }
        for entry in store.entries {
            let keyBytes = entry.key.utf8.count
            let valueBytes = entry.value.encoded.utf8.count
            guard keyBytes > AWSLimits.keyValueStoreKeyBytes || valueBytes > AWSLimits.keyValueStoreValueBytes else { continue }
            let location = SourceLocation(file: source(of: entry.key, in: manifest) ?? config.file)
            if keyBytes > AWSLimits.keyValueStoreKeyBytes {
                bag.error(
                    location,
                    "the route \(entry.key.prefix(60))... is \(keyBytes) bytes; a key of CloudFront's key value store holds at most \(AWSLimits.keyValueStoreKeyBytes)",
                    hint: "shorten the route (its route:, alias or file name)")
            } else {
                bag.error(
                    location,
                    "the edge's entry for \(entry.key.prefix(60)) is \(valueBytes) bytes; a value of CloudFront's key value store holds at most \(AWSLimits.keyValueStoreValueBytes)",
                    hint: "shorten the route it leads to")
            }
        }
        let total = store.totalBytes
        if total > AWSLimits.keyValueStoreBytes {
            let redirects = store.entries.filter { if case .redirect = $0.value { true } else { false } }.count
            bag.error(
                SourceLocation(file: config.file),
                "the edge's routes take \(total) bytes in \(store.entries.count) keys (\(redirects) of them redirects); CloudFront's key value store holds at most \(AWSLimits.keyValueStoreBytes)",
                hint: "drop aliases or shorten routes")
        }
        if contentSecurityPolicy.count > AWSLimits.contentSecurityPolicyCharacters {
            bag.error(
                config.location(of: "api.origin"),
                "the Content-Security-Policy is \(contentSecurityPolicy.count) characters; a response headers policy sends at most \(AWSLimits.contentSecurityPolicyCharacters)",
                hint: "use a shorter api.origin")
        }
        if config.infra.aliases.count > AWSLimits.aliasesPerDistribution {
            bag.error(
                config.location(of: "infra.aliases[\(AWSLimits.aliasesPerDistribution)]"),
                "infra.aliases lists \(config.infra.aliases.count) host names; a distribution takes at most \(AWSLimits.aliasesPerDistribution)",
                hint: "split the hosts over two sites, or ask AWS for a higher quota")
        }
        return bag.diagnostics
    }

    /// The source file behind a route: the page or file it serves, or the page it redirects to
    /// (an alias is written in that page's front matter).
    static func source(of path: String, in manifest: Manifest) -> String? {
        let routes = manifest.routes
        let target = routes.entry(for: path) ?? routes.redirect(from: path).flatMap { routes.entry(for: $0.to) }
        guard let key = target?.key else { return nil }
        return manifest.objects.first { $0.key == key }.map(\.source).flatMap { $0.isEmpty ? nil : $0 }
    }
}
