import Testing

@testable import SiteKit

@Suite("OAuth authorization requests: query encoding and each provider's URL")
struct OAuthAuthorizationTests {
    struct EncodingCase: CustomTestStringConvertible, Sendable {
        var text: String
        var encoded: String
        var testDescription: String { text }
    }

    static let encodings: [EncodingCase] = [
        EncodingCase(
            text: "https://d111111abcdef8.cloudfront.net/auth/callback",
            encoded: "https%3A%2F%2Fd111111abcdef8.cloudfront.net%2Fauth%2Fcallback"),
        EncodingCase(text: "https://a.example/cb?x=1&y=2", encoded: "https%3A%2F%2Fa.example%2Fcb%3Fx%3D1%26y%3D2"),
        EncodingCase(text: "https://a.example/a%20b", encoded: "https%3A%2F%2Fa.example%2Fa%2520b"),
        EncodingCase(text: "openid email", encoded: "openid%20email"),
        EncodingCase(text: "user.info.basic,video.list", encoded: "user.info.basic%2Cvideo.list"),
        EncodingCase(text: "AZaz09-._~", encoded: "AZaz09-._~"),
        EncodingCase(text: "a+b*c'd!e$f(g)h;i@j", encoded: "a%2Bb%2Ac%27d%21e%24f%28g%29h%3Bi%40j"),
        EncodingCase(text: "/callbäck", encoded: "%2Fcallb%C3%A4ck"),
    ]

    @Test("query values are percent-encoded as RFC 3986 says: all but the unreserved characters", arguments: encodings)
    func encoding(_ testCase: EncodingCase) {
        #expect(OAuthAuthorization.percentEncoded(testCase.text) == testCase.encoded)
    }

    @Test(
        "a redirect URI with a raw space or non-ASCII is refused before it is encoded",
        arguments: ["https://d111111abcdef8.cloudfront.net/auth/call back", "https://d111111abcdef8.cloudfront.net/auth/callbäck"])
    func rawCharactersRefused(_ uri: String) {
        let findings = RedirectURIRules.check(uri, provider: "tiktok", at: SourceLocation(file: "site.yml", line: 24, column: 19))
        #expect(findings.contains { $0.severity == .error && $0.message.contains("must be percent-encoded") })
    }

    struct URLCase: CustomTestStringConvertible, Sendable {
        var provider: String
        var registration: OAuthRegistration
        var url: String?
        var testDescription: String { provider }
    }

    static let redirect = "https://d111111abcdef8.cloudfront.net/auth/callback"
    static let encodedRedirect = "https%3A%2F%2Fd111111abcdef8.cloudfront.net%2Fauth%2Fcallback"

    static let urls: [URLCase] = [
        URLCase(
            provider: "tiktok", registration: OAuthRegistration(redirectURI: redirect),
            url:
                "https://www.tiktok.com/v2/auth/authorize/?client_key=site-test-client&response_type=code&scope=user.info.basic&redirect_uri=\(encodedRedirect)&state=site-test-state"
        ),
        URLCase(
            provider: "tiktok", registration: OAuthRegistration(redirectURI: redirect, scopes: ["user.info.basic", "video.list"]),
            url:
                "https://www.tiktok.com/v2/auth/authorize/?client_key=site-test-client&response_type=code&scope=user.info.basic%2Cvideo.list&redirect_uri=\(encodedRedirect)&state=site-test-state"
        ),
        URLCase(
            provider: "google", registration: OAuthRegistration(redirectURI: redirect),
            url:
                "https://accounts.google.com/o/oauth2/v2/auth?client_id=site-test-client&redirect_uri=\(encodedRedirect)&response_type=code&scope=openid%20email%20profile&state=site-test-state"
        ),
        URLCase(
            provider: "apple", registration: OAuthRegistration(redirectURI: redirect),
            url:
                "https://appleid.apple.com/auth/authorize?client_id=site-test-client&redirect_uri=\(encodedRedirect)&response_type=code&scope=name%20email&response_mode=form_post&state=site-test-state"
        ),
        URLCase(
            provider: "google", registration: OAuthRegistration(redirectURI: redirect + "?next=%2Fapp&x=a b"),
            url:
                "https://accounts.google.com/o/oauth2/v2/auth?client_id=site-test-client&redirect_uri=\(encodedRedirect)%3Fnext%3D%252Fapp%26x%3Da%20b&response_type=code&scope=openid%20email%20profile&state=site-test-state"
        ),
        URLCase(provider: "acme", registration: OAuthRegistration(redirectURI: redirect), url: nil),
    ]

    @Test("each provider's authorization URL for the test client id and state", arguments: urls)
    func url(_ testCase: URLCase) {
        let authorization = OAuthAuthorization(provider: testCase.provider, registration: testCase.registration)
        #expect(authorization.testVectorURL == testCase.url)
        #expect(authorization.redirectURIEncoded == OAuthAuthorization.percentEncoded(testCase.registration.redirectURI))
    }

    @Test("defaults by provider: the client id setting and the scopes")
    func defaults() {
        let expected: [(String, String, [String])] = [
            ("tiktok", "TIKTOK_CLIENT_KEY", ["user.info.basic"]), ("google", "GOOGLE_CLIENT_ID", ["openid", "email", "profile"]),
            ("apple", "APPLE_CLIENT_ID", ["name", "email"]), ("acme-id", "ACME_ID_CLIENT_ID", []),
        ]
        for (provider, setting, scopes) in expected {
            let authorization = OAuthAuthorization(provider: provider, registration: OAuthRegistration(redirectURI: Self.redirect))
            #expect(authorization.clientIDSetting == setting)
            #expect(authorization.scopes == scopes)
            #expect(authorization.app == .production)
        }
    }
}

@Suite("oauth.<provider>: app, client_id_setting and scopes in site.yml")
struct OAuthConfigTests {
    static let prefix = TestProject.config + "\noauth:\n  tiktok:\n    redirect_uri: https://d111111abcdef8.cloudfront.net/auth/callback\n"

    @Test("the keys are read, and left out they are the provider's defaults")
    func read() throws {
        let written = try ConfigLoader.parse(
            Self.prefix + "    app: sandbox\n    client_id_setting: TIKTOK_SANDBOX_CLIENT_KEY\n    scopes: [user.info.basic, video.list]\n",
            file: "site.yml")
        #expect(
            written.oauth["tiktok"]
                == OAuthRegistration(
                    redirectURI: "https://d111111abcdef8.cloudfront.net/auth/callback", app: .sandbox,
                    clientIDSetting: "TIKTOK_SANDBOX_CLIENT_KEY", scopes: ["user.info.basic", "video.list"]))
        let single = try ConfigLoader.parse(Self.prefix + "    scopes: user.info.basic\n", file: "site.yml")
        #expect(single.oauth["tiktok"]?.scopes == ["user.info.basic"])
        let defaults = try ConfigLoader.parse(Self.prefix, file: "site.yml")
        #expect(defaults.oauth["tiktok"] == OAuthRegistration(redirectURI: "https://d111111abcdef8.cloudfront.net/auth/callback"))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var lines: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let invalid: [Case] = [
        Case(
            name: "a misspelt app", lines: "    app: sandbx\n",
            expected: ["site.yml:25:10: error: 'oauth.tiktok.app' must be one of sandbox, production (did you mean 'sandbox'?)"]),
        Case(
            name: "an app that is neither", lines: "    app: staging\n",
            expected: ["site.yml:25:10: error: 'oauth.tiktok.app' must be one of sandbox, production"]),
        Case(
            name: "a client id where its setting's name goes", lines: "    client_id_setting: aw8c2kq9xz3m\n",
            expected: [
                "site.yml:25:24: error: 'oauth.tiktok.client_id_setting' must name a backend setting (A-Z, then A-Z, 0-9 and _), such as TIKTOK_CLIENT_KEY, found 'aw8c2kq9xz3m'"
            ]),
        Case(
            name: "a setting name that starts with a digit", lines: "    client_id_setting: 1TIKTOK_KEY\n",
            expected: [
                "site.yml:25:24: error: 'oauth.tiktok.client_id_setting' must name a backend setting (A-Z, then A-Z, 0-9 and _), such as TIKTOK_CLIENT_KEY, found '1TIKTOK_KEY'"
            ]),
        Case(
            name: "no scopes", lines: "    scopes: []\n",
            expected: ["site.yml:25:13: error: 'oauth.tiktok.scopes' must list at least one scope"]),
        Case(
            name: "scopes in one string", lines: "    scopes: user.info.basic video.list\n",
            expected: [
                "site.yml:25:13: error: 'oauth.tiktok.scopes[0]' holds a space; a scope is printable ASCII without spaces, '\"' or '\\' (RFC 6749 section 3.3)"
            ]),
        Case(
            name: "TikTok's separator inside a scope", lines: "    scopes: [user.info.basic, 'video.list,video.upload']\n",
            expected: [
                "site.yml:25:31: error: 'oauth.tiktok.scopes[1]' holds ',', which separates tiktok's scopes; list each scope on its own"
            ]),
        Case(
            name: "a scope that is not text", lines: "    scopes: [user.info.basic, {a: b}]\n",
            expected: ["site.yml:25:31: error: 'oauth.tiktok.scopes[1]' must be text, found a mapping"]),
        Case(
            name: "a misspelt key", lines: "    scope: [user.info.basic]\n",
            expected: ["site.yml:25:5: error: unknown key 'oauth.tiktok.scope' (did you mean 'scopes'?)"]),
    ]

    @Test("scopes written as one string are told to be a list")
    func scopesHint() {
        do {
            _ = try ConfigLoader.parse(Self.prefix + "    scopes: user.info.basic video.list\n", file: "site.yml")
            Issue.record("the config loaded")
        } catch {
            #expect(error.diagnostics.first?.hint == "write each scope as an item of a list: [user.info.basic, video.list]")
        }
    }

    @Test("invalid values are errors at their line and column", arguments: invalid)
    func rejects(_ testCase: Case) {
        #expect(failureLines { try ConfigLoader.parse(Self.prefix + testCase.lines, file: "site.yml") } == testCase.expected)
    }
}
