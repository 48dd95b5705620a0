import Foundation

/// An environment whose `site.base_url` waits for its first deploy: before a distribution exists,
/// its `*.cloudfront.net` name is unknown. Until the name is in `site.yml`, the values that
/// depend on it (the OAuth redirect URIs, the legal URLs, the CORS origins) are pending: planned
/// on `https://pending.invalid`, which never resolves, and marked so in every file that holds them.
public enum FirstDeploy {
    /// The key paths to write into `site.yml` and their values, once the distribution answers at
    /// `domain`: the base URL, and each provider's redirect URI and legal URLs on it.
    public static func settings(config: SiteConfig, domain: String) -> [(keyPath: String, value: String)] {
        let origin = "https://\(domain)"
        let prefix = config.environmentSection.map { "environments.\($0)." } ?? ""
        var settings = [(keyPath: prefix + "site.base_url", value: origin)]
        for (provider, registration) in config.oauth.sorted(by: { $0.key < $1.key }) {
            let path = URLPath.of(registration.redirectURI)
            settings.append((prefix + "oauth.\(provider).redirect_uri", origin + path))
            if let terms = config.pages["terms"] { settings.append((prefix + "oauth.\(provider).terms_url", origin + terms)) }
            if let privacy = config.pages["privacy"] { settings.append((prefix + "oauth.\(provider).privacy_url", origin + privacy)) }
        }
        return settings
    }

    /// What to do once the distribution answers at `domain`, as one paragraph: the values to set
    /// in `site.yml`, the commands to run again, and what to register with each provider.
    public static func instructions(config: SiteConfig, domain: String) -> String {
        let env = config.environment.map { " --env \($0)" } ?? ""
        let values = settings(config: config, domain: domain).map { "\($0.keyPath): \($0.value)" }.joined(separator: ", ")
        var text = "Set in \(config.file): \(values). Then run site build\(env) and site plan-infra\(env) again and run this deploy again"
        let providers = config.oauth.keys.sorted()
        if !providers.isEmpty {
            text += ", and register the Terms, Privacy and redirect URIs on https://\(domain) with \(providers.joined(separator: ", "))"
            text += " (backend/oauth-registration.txt lists them after the next plan-infra)"
        }
        return text + "."
    }

    /// Warnings for an environment with pending values; `deployedDomain` is the host the last
    /// deploy wrote to `out/deployed.env`, when it ran. Warnings, so that `--strict` fails.
    public static func findings(config: SiteConfig, deployedDomain: String?) -> [Diagnostic] {
        guard config.site.isPending else { return [] }
        let name = config.environment.map { "environment \($0)" } ?? "the site"
        let location = config.location(of: config.environmentSection.map { "environments.\($0)" } ?? "site")
        let pending = config.pendingKeys.joined(separator: ", ")
        if let deployedDomain, !deployedDomain.isEmpty {
            return [
                .warning(
                    location,
                    "\(name): the first deploy's distribution answers at https://\(deployedDomain), but \(config.file) does not say so yet; pending: \(pending)",
                    hint: instructions(config: config, domain: deployedDomain))
            ]
        }
        let deploy = ProjectFolders.infraPath(config.environment) + "/" + InfraLayout.deployScript
        return [
            .warning(
                location,
                "\(name) has no site.base_url until its first deploy names the distribution's host; pending: \(pending) (planned on \(SiteIdentity.pendingBaseURL), which never resolves)",
                hint:
                    "run \(deploy): it creates the distribution, stops before going live and says what to set; or serve a host of your own with infra.aliases and infra.certificate_arn and set site.base_url to it"
            )
        ]
    }

    /// The domain in a deploy's `out/deployed.env` (`DISTRIBUTION_DOMAIN=`), or nil.
    public static func domain(inDeployedEnv text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("DISTRIBUTION_DOMAIN=") {
            let value = line.dropFirst("DISTRIBUTION_DOMAIN=".count).trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        return nil
    }
}

extension URLPath {
    /// The path of the absolute URL `url` (with its query), or `/`.
    static func of(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return "/" }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return path + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
    }
}
