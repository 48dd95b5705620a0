import Foundation
import Yams

/// Reads every environment of `site.yml` and checks them against each other, so that no value
/// of one environment leaks into another: each has its own bucket, host and aliases; no OAuth
/// registration of one is on another's host; no environment accepts another's origin unless it
/// lists it itself.
enum EnvironmentRules {
    /// The config of `selected`, after every environment was read and the checks across them
    /// passed; `findings` are those made reading the `environments:` section. A finding that only
    /// some environments have names them.
    static func configs(
        for environments: ConfigEnvironments, shared: Node, file: String, selecting selected: String, findings: [Diagnostic]
    ) throws(DiagnosticError) -> SiteConfig {
        var configs: [SiteConfig] = []
        var found: [(diagnostic: Diagnostic, environments: [String])] = []
        for environment in environments.environments {
            var written = Set<String>()
            let root = ConfigEnvironments.lay(environment.overlay, over: shared, written: &written)
            var parser = ConfigParser(reader: YAMLReader(file: file), file: file)
            parser.allowsPendingBaseURL = true
            if var config = parser.parse(root) {
                config.environment = environment.name
                config.environmentSection = environment.section
                config.locations["environments.\(environment.section)"] = environment.location
                config.environments = environments.names
                config.environmentKeys = written
                configs.append(config)
            }
            for diagnostic in parser.reader.diagnostics.diagnostics {
                if let index = found.firstIndex(where: { $0.diagnostic == diagnostic }) {
                    found[index].environments.append(environment.name)
                } else {
                    found.append((diagnostic, [environment.name]))
                }
            }
        }
        for index in configs.indices where configs[index].environmentSection != configs[index].environment {
            let pool = configs.filter { $0.environmentSection == configs[index].environmentSection }
            for provider in configs[index].oauth.keys {
                configs[index].poolRedirectURIs[provider] = pool.compactMap { $0.oauth[provider]?.redirectURI }
            }
        }
        var diagnostics = found.map { diagnostic, names in
            var diagnostic = diagnostic
            if names.count < environments.environments.count { diagnostic.message += " (\(Self.naming(names)))" }
            return diagnostic
        }
        diagnostics += crossFindings(configs)
        let bag = DiagnosticBag(findings + diagnostics)
        try bag.throwIfErrors()
        guard let config = configs.first(where: { $0.environment == selected }) else {
            throw DiagnosticError(.error(SourceLocation(file: file), "invalid config"))
        }
        return config
    }

    /// `environment staging`, `environments preview-1, preview-2`.
    static func naming(_ names: [String]) -> String {
        (names.count == 1 ? "environment " : "environments ") + names.joined(separator: ", ")
    }

    /// What is wrong between environments; empty for one environment.
    static func crossFindings(_ configs: [SiteConfig]) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for (index, config) in configs.enumerated() {
            let name = config.environment ?? ""
            let section = "environments.\(config.environmentSection ?? name)"
            if config.site.isPending, config.environmentSection != name,
                configs.first(where: { $0.environmentSection == config.environmentSection })?.environment == name
            {
                findings.append(
                    .error(
                        config.location(of: section),
                        "the slots of \(section) need site.base_url: their redirect URIs must be registered before a pull request is deployed to one",
                        hint:
                            "write a host of your own with {slot} in it, such as https://preview-{slot}.example.com, with infra.aliases and infra.certificate_arn"
                    ))
            }
            for other in configs[..<index] {
                let otherName = other.environment ?? ""
                if let bucket = config.infra.bucket, bucket == other.infra.bucket {
                    findings.append(
                        .error(
                            config.location(of: "infra.bucket"),
                            "environments \(otherName) and \(name) share the bucket '\(bucket)': each environment needs its own bucket, and so its own distribution",
                            hint: config.environmentSection != name
                                ? "write {slot} in \(section).infra.bucket, so that each slot has its own"
                                : "give \(name) its own bucket in \(section).infra.bucket"))
                }
                if !config.site.host.isEmpty, !config.site.isPending, config.site.host == other.site.host {
                    findings.append(
                        .error(
                            config.location(of: "site.base_url"),
                            "environments \(otherName) and \(name) share the host \(config.site.host): each environment is its own site, with its own OAuth registration",
                            hint: config.environmentSection != name
                                ? "write {slot} in \(section).site.base_url, so that each slot has its own"
                                : "set site.base_url under \(section)"))
                }
                for (aliasIndex, alias) in config.infra.aliases.enumerated() where other.infra.aliases.contains(alias) {
                    findings.append(
                        .error(
                            config.location(of: "infra.aliases[\(aliasIndex)]"),
                            "environments \(otherName) and \(name) both list the alias \(alias): CloudFront gives a host name to one distribution only",
                            hint: config.environmentSection != name
                                ? "write {slot} in \(section).infra.aliases" : "give each environment its own host names"))
                }
            }
            findings += foreignValues(in: config, others: configs.filter { $0.environment != config.environment })
        }
        return findings
    }

    /// Registrations of `config` on another environment's host, and other environments' origins
    /// among its CORS origins that it did not list itself.
    static func foreignValues(in config: SiteConfig, others: [SiteConfig]) -> [Diagnostic] {
        let name = config.environment ?? ""
        let section = "environments.\(config.environmentSection ?? name)"
        var hosts: [String: String] = [:]
        for other in others where !other.site.host.isEmpty && !other.site.isPending && other.site.host != config.site.host {
            hosts[other.site.host] = other.environment ?? ""
            for alias in other.infra.aliases { hosts[alias.lowercased()] = other.environment ?? "" }
        }
        var findings: [Diagnostic] = []
        for (provider, registration) in config.oauth.sorted(by: { $0.key < $1.key }) {
            let values = [
                ("redirect_uri", registration.redirectURI), ("terms_url", registration.termsURL), ("privacy_url", registration.privacyURL),
            ]
            for (key, value) in values {
                guard let value, let host = URLComponents(string: value)?.host?.lowercased(), let owner = hosts[host] else { continue }
                let own = URLComponents(string: value).map { components -> String in
                    var own = components
                    own.host = config.site.host
                    return own.string ?? value
                }
                findings.append(
                    .error(
                        config.location(of: "oauth.\(provider).\(key)"),
                        "'oauth.\(provider).\(key)' of environment \(name) is on the host of environment \(owner) (\(host)): \(provider) would send \(name)'s users to \(owner)",
                        hint: "register \(own ?? value) for \(name), under \(section).oauth.\(provider)"))
            }
        }
        let listedHere = config.environmentKeys.contains("site.allowed_origins")
        for (index, allowed) in config.site.allowedOrigins.enumerated() where !listedHere {
            guard let host = URLComponents(string: allowed)?.host?.lowercased(), let owner = hosts[host] else { continue }
            findings.append(
                .error(
                    config.location(of: "site.allowed_origins[\(index)]"),
                    "'site.allowed_origins[\(index)]' \(allowed) is the origin of environment \(owner), and environment \(name) inherits it: \(name)'s API would accept \(owner)'s pages",
                    hint:
                        "remove it from the top level's site.allowed_origins; list it under \(section).site.allowed_origins if \(name) must accept it"
                ))
        }
        return findings
    }
}
