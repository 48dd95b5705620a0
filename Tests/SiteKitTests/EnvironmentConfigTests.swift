import Foundation
import Testing

@testable import SiteKit

/// `environments:` in `site.yml`: what each environment reads, and what may not differ or leak
/// between them.
@Suite("Config environments")
struct EnvironmentConfigTests {
    /// A config with staging, production and a pool of two preview slots (line numbers matter).
    static let config = """
        site:
          name: Acme
          legal_name: Acme Labs, Inc.
          contact_email: legal@acme.example
        pages:
          terms: /terms
        spa:
          bundle: app/dist
          routes: [/, /auth/callback]
          oauth_callback: /auth/callback
        api:
          path_pattern: /api/*
        infra:
          region: eu-west-1
        default_environment: staging
        environments:
          staging:
            site:
              base_url: https://staging.acme.example
              allowed_origins: [http://localhost:5173]
            api:
              origin: https://api.staging.acme.example
            infra:
              bucket: acme-site-staging
            oauth:
              tiktok:
                redirect_uri: https://staging.acme.example/auth/callback
          production:
            site:
              base_url: https://acme.example
            api:
              origin: https://api.acme.example
            infra:
              bucket: acme-site-prod
            oauth:
              tiktok:
                redirect_uri: https://acme.example/auth/callback
          preview:
            slots: 2
            site:
              base_url: https://preview-{slot}.acme.example
            api:
              origin: https://api.staging.acme.example
            infra:
              bucket: acme-site-preview-{slot}
            oauth:
              tiktok:
                redirect_uri: https://preview-{slot}.acme.example/auth/callback

        """

    static func load(_ environment: String? = nil, _ text: String = config) throws -> SiteConfig {
        try ConfigLoader.parse(text, file: "site.yml", environment: environment)
    }

    @Test("each environment reads the shared config with its own values laid over it")
    func overlays() throws {
        let staging = try Self.load()
        #expect(staging.environment == "staging")
        #expect(staging.environments == ["staging", "production", "preview-1", "preview-2"])
        #expect(staging.site.baseURL == "https://staging.acme.example")
        #expect(staging.site.allowedOrigins == ["http://localhost:5173"])
        #expect(staging.infra.bucket == "acme-site-staging" && staging.infra.region == "eu-west-1")
        #expect(staging.api?.pathPattern.description == "/api/*" && staging.api?.origin == "https://api.staging.acme.example")
        #expect(staging.location(of: "site.base_url").line == 19)
        #expect(staging.location(of: "site.name").line == 2)
        #expect(staging.environmentKeys.isSuperset(of: ["site.base_url", "site.allowed_origins", "infra.bucket", "api.origin"]))
        #expect(!staging.environmentKeys.contains("site.name"))

        let production = try Self.load("production")
        #expect(production.site.baseURL == "https://acme.example" && production.site.allowedOrigins.isEmpty)
        #expect(production.oauth["tiktok"]?.redirectURI == "https://acme.example/auth/callback")
        #expect(production.site.name == staging.site.name && production.pages == staging.pages && production.spa == staging.spa)
    }

    @Test("a pool gives numbered slots, {slot} replaced in every value", arguments: [1, 2])
    func slots(_ slot: Int) throws {
        let config = try Self.load("preview-\(slot)")
        #expect(config.environment == "preview-\(slot)" && config.environmentSection == "preview")
        #expect(config.site.baseURL == "https://preview-\(slot).acme.example")
        #expect(config.infra.bucket == "acme-site-preview-\(slot)")
        #expect(config.oauth["tiktok"]?.redirectURI == "https://preview-\(slot).acme.example/auth/callback")
    }

    @Test("a provider's redirect URI left out is the app's callback route on the environment's host")
    func derivedRedirect() throws {
        let text = Self.config.replacingOccurrences(
            of: "        redirect_uri: https://acme.example/auth/callback\n", with: "        app: production\n")
        let production = try Self.load("production", text)
        #expect(production.oauth["tiktok"]?.redirectURI == "https://acme.example/auth/callback")
        #expect(production.pendingKeys.isEmpty)
        // Without an SPA callback route there is nothing to derive it from.
        let plain = ConfigLoaderTests.base + "oauth:\n  tiktok:\n    app: sandbox\n"
        #expect(
            failureLines { try Self.load(nil, plain) } == ["site.yml:8:5: error: missing required key 'oauth.tiktok.redirect_uri'"])
    }

    @Test("a slot's registration text names its environment and lists every slot's redirect URI")
    func poolRegistration() throws {
        let text = try BackendValues(config: Self.load("preview-2")).registration
        #expect(text.hasPrefix("What to register in the OAuth provider's developer portal for the environment preview-2\n"))
        #expect(text.contains("  https://preview-2.acme.example/auth/callback  (tiktok)\n\nRegister them exactly"))
        #expect(
            text.contains(
                "  https://preview-1.acme.example/auth/callback  (tiktok)\n  https://preview-2.acme.example/auth/callback  (tiktok)\n"))
        let production = try BackendValues(config: Self.load("production")).registration
        #expect(!production.contains("preview") && !production.contains("staging"))
    }

    /// The config with production's host left for its first deploy to name.
    static let pendingProduction = config.replacingOccurrences(of: "      base_url: https://acme.example\n", with: "")
        .replacingOccurrences(of: "        redirect_uri: https://acme.example/auth/callback\n", with: "        app: production\n")

    @Test("before its first deploy an environment's host is pending: planned on pending.invalid, warned about, told what to set")
    func pendingHost() throws {
        let config = try Self.load("production", Self.pendingProduction)
        #expect(config.site.isPending && config.site.baseURL == "https://pending.invalid")
        #expect(config.pendingKeys == ["site.base_url", "oauth.tiktok.redirect_uri"])
        #expect(config.oauth["tiktok"]?.redirectURI == "https://pending.invalid/auth/callback")
        #expect(
            FirstDeploy.instructions(config: config, domain: "d1.cloudfront.net")
                == "Set in site.yml: environments.production.site.base_url: https://d1.cloudfront.net, "
                + "environments.production.oauth.tiktok.redirect_uri: https://d1.cloudfront.net/auth/callback, "
                + "environments.production.oauth.tiktok.terms_url: https://d1.cloudfront.net/terms. "
                + "Then run site build --env production and site plan-infra --env production again and run this deploy again, "
                + "and register the Terms, Privacy and redirect URIs on https://d1.cloudfront.net with tiktok "
                + "(backend/oauth-registration.txt lists them after the next plan-infra).")
        let before = FirstDeploy.findings(config: config, deployedDomain: nil)
        #expect(before.map(\.severity) == [.warning])
        #expect(before.first?.message.hasPrefix("environment production has no site.base_url until its first deploy") == true)
        let after = FirstDeploy.findings(config: config, deployedDomain: "d1.cloudfront.net")
        #expect(
            after.first?.message.hasPrefix("environment production: the first deploy's distribution answers at https://d1.cloudfront.net")
                == true)
        #expect(after.first?.hint == FirstDeploy.instructions(config: config, domain: "d1.cloudfront.net"))
        #expect(FirstDeploy.domain(inDeployedEnv: "DISTRIBUTION_ID=E1\nDISTRIBUTION_DOMAIN=d1.cloudfront.net\n") == "d1.cloudfront.net")

        let backend = try BackendValues(config: config)
        #expect(backend.dotenv.contains("# PENDING until the first deploy names the site's host"))
        #expect(backend.registration.contains("PENDING: register nothing yet."))
        // Staging, with its host set, has nothing pending.
        #expect(try Self.load("staging", Self.pendingProduction).pendingKeys.isEmpty)
    }

    @Test("a pending host is a warning, so plan-infra --strict fails until site.yml names it")
    func pendingIsStrictError() throws {
        var files = TestProject.files
        files["site.yml"] = Self.pendingProduction
        var options = BuildPipeline.Options(strict: true)
        options.environment = "production"
        let lines = failureLines { try BuildPipeline(options: options).run(fileSystem: MemoryFileSystem(files)) }
        #expect(lines.contains { $0.hasPrefix("site.yml:28:3: error: environment production has no site.base_url") }, "\(lines)")
    }

    @Test("the slots of a pool need their host in advance")
    func pendingPool() {
        let text = Self.config.replacingOccurrences(of: "      base_url: https://preview-{slot}.acme.example\n", with: "")
            .replacingOccurrences(
                of: "        redirect_uri: https://preview-{slot}.acme.example/auth/callback\n", with: "        app: sandbox\n")
        #expect(
            failureLines { try Self.load(nil, text) } == [
                "site.yml:38:3: error: the slots of environments.preview need site.base_url: their redirect URIs must be registered before a pull request is deployed to one"
            ])
    }

    @Test("without environments the config is read as it always was, and --env is an error")
    func withoutEnvironments() throws {
        let plain = ConfigLoaderTests.base
        #expect(try Self.load(nil, plain).environment == nil)
        #expect(
            failureLines { try Self.load("staging", plain) } == [
                "site.yml:1:1: error: --env staging: site.yml has no environments"
            ])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var replace: String
        var with: String
        var environment: String? = nil
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "an unknown environment", replace: "", with: "", environment: "prod",
            expected: ["site.yml:16:1: error: --env prod: no such environment in site.yml (did you mean 'production'?)"]),
        Case(
            name: "a default that is not an environment", replace: "default_environment: staging",
            with: "default_environment: stagin",
            expected: [
                "site.yml:15:22: error: 'default_environment' stagin is not one of the environments (did you mean 'staging'?)"
            ]),
        Case(
            name: "no default among several", replace: "default_environment: staging\n", with: "",
            expected: [
                "site.yml:15:1: error: with more than one environment, 'default_environment' must say which one a command uses without --env"
            ]),
        Case(
            name: "pages may not differ", replace: "  production:\n", with: "  production:\n    pages:\n      terms: /tos\n",
            expected: [
                "site.yml:29:5: error: 'environments.production.pages': 'pages' may not differ between environments, so that each deploys the same site"
            ]),
        Case(
            name: "the site's name may not differ", replace: "      base_url: https://acme.example\n",
            with: "      base_url: https://acme.example\n      name: Acme Prod\n",
            expected: ["site.yml:31:7: error: 'environments.production.site.name' may not differ between environments"]),
        Case(
            name: "the API's path may not differ", replace: "      origin: https://api.acme.example\n",
            with: "      origin: https://api.acme.example\n      path_pattern: /v2/*\n",
            expected: ["site.yml:33:7: error: 'environments.production.api.path_pattern' may not differ between environments"]),
        Case(
            name: "an unknown key in one environment names it", replace: "      bucket: acme-site-prod",
            with: "      bucket: acme-site-prod\n      buckett: x",
            expected: [
                "site.yml:35:7: error: unknown key 'infra.buckett' (did you mean 'bucket'?) (environment production)"
            ]),
        Case(
            name: "an error in the shared part is reported once, without an environment",
            replace: "  contact_email: legal@acme.example", with: "  contact_email: legal",
            expected: ["site.yml:4:18: error: 'site.contact_email' must be an email address, found 'legal'"]),
        Case(
            name: "a bad name", replace: "  production:\n", with: "  Production:\n",
            expected: [
                "site.yml:28:3: error: 'environments.Production': an environment's name must be lower-case letters, digits and '-', starting with a letter"
            ]),
        Case(
            name: "too many slots", replace: "    slots: 2", with: "    slots: 21",
            expected: ["site.yml:39:12: error: 'environments.preview.slots' must be at most 20, found 21"]),
        Case(
            name: "a shared bucket", replace: "      bucket: acme-site-prod", with: "      bucket: acme-site-staging",
            expected: [
                "site.yml:34:15: error: environments staging and production share the bucket 'acme-site-staging': each environment needs its own bucket, and so its own distribution"
            ]),
        Case(
            name: "a pool without {slot} in its bucket", replace: "      bucket: acme-site-preview-{slot}",
            with: "      bucket: acme-site-preview",
            expected: [
                "site.yml:45:15: error: environments preview-1 and preview-2 share the bucket 'acme-site-preview': each environment needs its own bucket, and so its own distribution"
            ]),
        Case(
            name: "a shared host", replace: "      base_url: https://acme.example", with: "      base_url: https://staging.acme.example",
            expected: [
                "site.yml:30:17: error: environments staging and production share the host staging.acme.example: each environment is its own site, with its own OAuth registration"
            ]),
        Case(
            name: "production registered on the staging host",
            replace: "        redirect_uri: https://acme.example/auth/callback",
            with: "        redirect_uri: https://staging.acme.example/auth/callback",
            expected: [
                "site.yml:37:23: error: 'oauth.tiktok.redirect_uri' of environment production is on the host of environment staging (staging.acme.example): tiktok would send production's users to staging"
            ]),
        Case(
            name: "another environment's origin inherited from the shared part",
            replace: "  contact_email: legal@acme.example\n",
            with: "  contact_email: legal@acme.example\n  allowed_origins: [https://staging.acme.example]\n",
            expected: [
                "site.yml:5:21: error: 'site.allowed_origins[0]' https://staging.acme.example is the origin of environment staging, and environment preview-1 inherits it: preview-1's API would accept staging's pages",
                "site.yml:5:21: error: 'site.allowed_origins[0]' https://staging.acme.example is the origin of environment staging, and environment preview-2 inherits it: preview-2's API would accept staging's pages",
                "site.yml:5:21: error: 'site.allowed_origins[0]' https://staging.acme.example is the origin of environment staging, and environment production inherits it: production's API would accept staging's pages",
            ]),
    ]

    @Test("wrong environments are errors at their line, naming the environment", arguments: cases)
    func rejects(_ testCase: Case) {
        let text = testCase.replace.isEmpty ? Self.config : Self.config.replacingOccurrences(of: testCase.replace, with: testCase.with)
        #expect(text != Self.config || testCase.replace.isEmpty, "the case changes the config")
        #expect(failureLines { try Self.load(testCase.environment, text) } == testCase.expected)
    }

    @Test("an environment may accept another's origin when it lists it itself")
    func explicitOrigin() throws {
        let text = Self.config.replacingOccurrences(
            of: "      allowed_origins: [http://localhost:5173]",
            with: "      allowed_origins: [http://localhost:5173, https://preview-1.acme.example]")
        #expect(try Self.load(nil, text).site.allowedOrigins == ["http://localhost:5173", "https://preview-1.acme.example"])
    }

    @Test("each environment has its own output folders and cache")
    func folders() {
        let root = URL(fileURLWithPath: "/project")
        #expect(ProjectFolders(root: root, environment: nil).dist.path == "/project/dist")
        #expect(ProjectFolders(root: root, environment: "staging").dist.path == "/project/dist/staging")
        #expect(ProjectFolders(root: root, environment: "staging").infra.path == "/project/infra/staging")
        #expect(CacheFolder(projectRoot: root, environment: "preview-1").root.path == "/project/.site-cache/environments/preview-1")
        #expect(CacheFolder(projectRoot: root).root.path == "/project/.site-cache")
    }
}
