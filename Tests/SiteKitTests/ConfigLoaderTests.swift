import Testing

@testable import SiteKit

@Suite("Config loading")
struct ConfigLoaderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let base = """
        site:
          name: Acme
          legal_name: Acme Labs, Inc.
          contact_email: legal@acme.example
          base_url: https://example.com

        """

    static let cases: [Case] = [
        Case(
            name: "unknown top-level key", yaml: base + "sitee: 1\n",
            expected: ["site.yml:6:1: error: unknown key 'sitee' (did you mean 'site'?)"]),
        Case(
            name: "misspelt required key is reported once", yaml: base.replacingOccurrences(of: "legal_name", with: "legal_nme"),
            expected: ["site.yml:3:3: error: unknown key 'site.legal_nme' (did you mean 'legal_name'?)"]),
        Case(
            name: "missing required key",
            yaml: "site:\n  name: Acme\n  legal_name: Acme\n  base_url: https://example.com\n",
            expected: ["site.yml:2:3: error: missing required key 'site.contact_email'"]),
        Case(
            name: "missing site section", yaml: "pages:\n  terms: /terms\n",
            expected: ["site.yml:1:1: error: missing required section 'site'"]),
        Case(
            name: "base URL over http", yaml: base.replacingOccurrences(of: "https://example.com", with: "http://example.com"),
            expected: ["site.yml:5:13: error: 'site.base_url': 'http://example.com' must use https"]),
        Case(
            name: "base URL with a path", yaml: base.replacingOccurrences(of: "https://example.com", with: "https://example.com/app"),
            expected: [
                "site.yml:5:13: error: 'site.base_url': 'https://example.com/app' is not an origin: remove the path, query or fragment (keep scheme://host[:port])"
            ]),
        Case(
            name: "wildcard origin", yaml: base + "  allowed_origins: ['*']\n",
            expected: ["site.yml:6:21: error: 'site.allowed_origins[0]': '*' allows every site; list the exact origins instead"]),
        Case(
            name: "origin with a path", yaml: base + "  allowed_origins:\n    - http://localhost:5173/\n",
            expected: [
                "site.yml:7:7: error: 'site.allowed_origins[0]': 'http://localhost:5173/' is not an origin: remove the path, query or fragment (keep scheme://host[:port])"
            ]),
        Case(
            name: "wrong type deep inside", yaml: base + "content:\n  allow_raw_html: maybe\n",
            expected: ["site.yml:7:19: error: 'content.allow_raw_html' must be true or false, found 'maybe'"]),
        Case(
            name: "list where text is expected", yaml: base + "spa:\n  bundle: [a, b]\n  routes: [/]\n",
            expected: ["site.yml:7:11: error: 'spa.bundle' must be text, found a list"]),
        Case(
            name: "route with dot segments", yaml: base + "spa:\n  bundle: app\n  routes: [/a/../b]\n",
            expected: ["site.yml:8:12: error: route '/a/../b' must not contain '.' or '..' segments (it would escape its folder)"]),
        Case(
            name: "callback not among SPA routes",
            yaml: base + "spa:\n  bundle: app\n  routes: [/]\n  oauth_callback: /auth/cb\n",
            expected: ["site.yml:9:19: error: 'spa.oauth_callback' /auth/cb is not one of 'spa.routes', so it would not load the app"]),
        Case(
            name: "duplicate key", yaml: base + "pages:\n  terms: /terms\n  terms: /tos\n",
            expected: ["site.yml:7:3: error: duplicate key 'terms' in the same mapping"]),
        Case(
            name: "tab indentation", yaml: "site:\n\tname: Acme\n",
            expected: ["site.yml:2:1: error: invalid YAML: found character that cannot start any token while scanning for the next token"]),
        Case(
            name: "unclosed quote", yaml: "site:\n  name: \"Acme\n  legal_name: x\n",
            expected: ["site.yml:2:9: error: invalid YAML: this quoted string is never closed"]),
        Case(
            name: "legal page with trailing slash", yaml: base + "pages:\n  terms: /terms/\n",
            expected: ["site.yml:7:10: error: 'pages.terms' must not end with '/': legal pages are registered without a trailing slash"]),
        Case(
            name: "bad price class", yaml: base + "infra:\n  price_class: PriceClass_10\n",
            expected: [
                "site.yml:7:16: error: 'infra.price_class' must be one of PriceClass_100, PriceClass_200, PriceClass_All (did you mean 'PriceClass_100'?)"
            ]),
        Case(
            name: "API pattern that is not a prefix", yaml: base + "api:\n  path_pattern: /api\n  origin: https://api.example.com\n",
            expected: ["site.yml:7:17: error: 'api.path_pattern' must be a prefix pattern such as /api/*"]),
        Case(
            name: "empty file", yaml: "",
            expected: ["site.yml:1:1: error: the config file is empty"]),
        Case(
            name: "not a mapping", yaml: "- a\n- b\n",
            expected: ["site.yml:1:1: error: 'config' must be a mapping of keys to values, found a list"]),
    ]

    @Test("bad configs give one exact message each", arguments: cases)
    func rejects(_ testCase: Case) {
        #expect(failureLines { try ConfigLoader.parse(testCase.yaml, file: "site.yml") } == testCase.expected)
    }

    @Test("all findings are reported at once, sorted by position")
    func reportsAll() throws {
        let yaml = Self.base + "content:\n  toc_depth: deep\n  colour: red\n"
        #expect(
            failureLines { try ConfigLoader.parse(yaml, file: "site.yml") } == [
                "site.yml:7:14: error: 'content.toc_depth' must be a whole number, found 'deep'",
                "site.yml:8:3: error: unknown key 'content.colour'",
            ])
    }

    @Test("a full config is read with its defaults")
    func readsFullConfig() throws {
        let config = try ConfigLoader.parse(TestProject.config, file: "site.yml")
        #expect(config.site.name == "Acme")
        #expect(config.site.baseURL == "https://d111111abcdef8.cloudfront.net")
        #expect(config.site.allowedOrigins == ["http://localhost:5173"])
        #expect(config.pages == ["terms": "/terms", "privacy": "/privacy"])
        #expect(config.spa?.routes.map(\.description) == ["/", "/auth/callback", "/app/*"])
        #expect(config.api?.pathPattern.description == "/api/*")
        #expect(config.content == ContentSettings())
        #expect(config.cache.htmlEdgeSeconds == 86_400)
        #expect(config.infra.bucket == "acme-site")
        #expect(config.infra.priceClass == "PriceClass_100")
        #expect(config.location(of: "site.base_url") == SourceLocation(file: "site.yml", line: 6, column: 13))
    }

    @Test("a trailing slash on the base URL is dropped")
    func trimsBaseURL() throws {
        let config = try ConfigLoader.parse(
            Self.base.replacingOccurrences(of: "https://example.com", with: "https://example.com/"), file: "site.yml")
        #expect(config.site.baseURL == "https://example.com")
    }
}
