import Testing

@testable import SiteKit

@Suite("RedirectURIRules: what OAuth providers accept as a redirect URI")
struct RedirectURIRulesTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let uri: String
        /// `severity: message` for each finding; empty when the URI is accepted.
        let expected: [String]
        var testDescription: String { uri }
    }

    static let location = SourceLocation(file: "site.yml", line: 3, column: 19)

    static let accepted: [Case] = [
        Case(uri: "https://d111111abcdef8.cloudfront.net/auth/callback", expected: []),
        Case(uri: "https://example.com/", expected: []),
        Case(uri: "https://example.com:8443/auth/callback", expected: []),
        Case(uri: "https://example.com/auth/caf%C3%A9", expected: []),
        Case(uri: "http://127.0.0.1:8080/auth/callback", expected: []),
        Case(uri: "http://[::1]:8080/auth/callback", expected: []),
        Case(uri: "http://localhost:5173/auth/callback", expected: []),
        Case(uri: "http://LOCALHOST/auth/callback", expected: []),
    ]

    static let rejected: [Case] = [
        Case(
            uri: "https://example.com/auth/callback#done",
            expected: [
                "error: tiktok redirect URI https://example.com/auth/callback#done has a fragment (#done); RFC 6749 section 3.1.2 forbids fragments in redirect URIs"
            ]),
        Case(
            uri: "https://example.com/auth/callback#",
            expected: [
                "error: tiktok redirect URI https://example.com/auth/callback# has a fragment (#); RFC 6749 section 3.1.2 forbids fragments in redirect URIs"
            ]),
        Case(
            uri: "http://example.com/auth/callback",
            expected: [
                "error: tiktok redirect URI http://example.com/auth/callback uses http; providers accept only https, or http on a loopback host (127.0.0.1, [::1], localhost) for local development"
            ]),
        Case(
            uri: "http://127.0.0.2/auth/callback",
            expected: [
                "error: tiktok redirect URI http://127.0.0.2/auth/callback uses http; providers accept only https, or http on a loopback host (127.0.0.1, [::1], localhost) for local development"
            ]),
        Case(
            uri: "http://localhost.example.com/auth/callback",
            expected: [
                "error: tiktok redirect URI http://localhost.example.com/auth/callback uses http; providers accept only https, or http on a loopback host (127.0.0.1, [::1], localhost) for local development"
            ]),
        Case(
            uri: "ftp://example.com/auth/callback",
            expected: [
                "error: tiktok redirect URI ftp://example.com/auth/callback uses the scheme ftp; a website's redirect URI must use https, or http on a loopback host (127.0.0.1, [::1], localhost) for local development"
            ]),
        Case(
            uri: "/auth/callback",
            expected: ["error: tiktok redirect URI /auth/callback is not an absolute URI: providers need scheme, host and path"]),
        Case(uri: "https:///auth/callback", expected: ["error: tiktok redirect URI https:///auth/callback has no host"]),
        Case(
            uri: "https://example.com/auth/*",
            expected: [
                "error: tiktok redirect URI https://example.com/auth/* contains '*'; providers match redirect URIs exactly, never by wildcard"
            ]),
        Case(
            uri: "https://*.example.com/auth/callback",
            expected: [
                "error: tiktok redirect URI https://*.example.com/auth/callback contains '*'; providers match redirect URIs exactly, never by wildcard"
            ]),
        Case(
            uri: "https://user:secret@example.com/auth/callback",
            expected: [
                "error: tiktok redirect URI https://***@example.com/auth/callback contains user information (user:password@); providers reject credentials in redirect URIs"
            ]),
        Case(
            uri: "https://example.com/auth/call back",
            expected: ["error: tiktok redirect URI https://example.com/auth/call back contains a raw space, which must be percent-encoded"]),
        Case(
            uri: "https://example.com/auth/café",
            expected: ["error: tiktok redirect URI https://example.com/auth/café contains 'é', which must be percent-encoded"]),
        Case(
            uri: "https://example.com/auth/100%",
            expected: [
                "error: tiktok redirect URI https://example.com/auth/100% has '%', which is not a percent-escape: '%' must be followed by two hex digits"
            ]),
        Case(
            uri: "https://example.com/auth/%zzcallback",
            expected: [
                "error: tiktok redirect URI https://example.com/auth/%zzcallback has '%zz', which is not a percent-escape: '%' must be followed by two hex digits"
            ]),
        Case(
            uri: "https://example.com/auth/callback?from=app",
            expected: [
                "warning: tiktok redirect URI https://example.com/auth/callback?from=app has a query (?from=app); tiktok compares it exactly, so the app must send the same query, in the same order, every time"
            ]),
        Case(
            uri: "http://example.com/cb?x=1#y",
            expected: [
                "error: tiktok redirect URI http://example.com/cb?x=1#y uses http; providers accept only https, or http on a loopback host (127.0.0.1, [::1], localhost) for local development",
                "error: tiktok redirect URI http://example.com/cb?x=1#y has a fragment (#y); RFC 6749 section 3.1.2 forbids fragments in redirect URIs",
                "warning: tiktok redirect URI http://example.com/cb?x=1#y has a query (?x=1); tiktok compares it exactly, so the app must send the same query, in the same order, every time",
            ]),
    ]

    @Test("accepted and rejected redirect URIs", arguments: accepted + rejected)
    func check(_ testCase: Case) {
        let findings = RedirectURIRules.check(testCase.uri, provider: "tiktok", at: Self.location)
        #expect(findings.map { "\($0.severity.rawValue): \($0.message)" } == testCase.expected)
        #expect(findings.allSatisfy { $0.location == Self.location })
    }

    static var oauthConfig: String {
        TestProject.config + "\noauth:\n  tiktok:\n    redirect_uri: "
    }

    struct ConfigCase: CustomTestStringConvertible, Sendable {
        let uri: String
        let expected: [String]
        var testDescription: String { uri }
    }

    static let configCases: [ConfigCase] = [
        ConfigCase(uri: "https://d111111abcdef8.cloudfront.net/auth/callback", expected: []),
        ConfigCase(uri: "http://localhost:5173/auth/callback", expected: []),
        ConfigCase(
            uri: "'https://d111111abcdef8.cloudfront.net/auth/callback#x'",
            expected: [
                "site.yml:24:19: error: tiktok redirect URI https://d111111abcdef8.cloudfront.net/auth/callback#x has a fragment (#x); RFC 6749 section 3.1.2 forbids fragments in redirect URIs"
            ]),
        ConfigCase(
            uri: "https://d111111abcdef8.cloudfront.net/auth/callback/",
            expected: [
                "site.yml:24:19: error: tiktok redirect URI path /auth/callback/ differs from the SPA route /auth/callback by a trailing slash; tiktok compares redirect URIs exactly, so the app's callback would not match"
            ]),
        ConfigCase(
            uri: "http://localhost:3000/auth/callback",
            expected: [
                "site.yml:24:19: error: tiktok redirect URI http://localhost:3000/auth/callback is not on the site's base URL https://d111111abcdef8.cloudfront.net"
            ]),
        ConfigCase(
            uri: "https://d111111abcdef8.cloudfront.net/auth%2Fcallback",
            expected: [
                "site.yml:24:19: error: tiktok redirect URI path /auth%2Fcallback is neither an SPA route nor an API route, so the callback would 404"
            ]),
        ConfigCase(uri: "https://d111111abcdef8.cloudfront.net/api/oauth/callback", expected: []),
    ]

    @Test("the config refuses what providers refuse, at the redirect_uri line", arguments: configCases)
    func config(_ testCase: ConfigCase) {
        let files = TestProject.with(["site.yml": Self.oauthConfig + testCase.uri + "\n"])
        #expect(lines(TestProject.failures(files)) == testCase.expected)
    }

    @Test("the backend's values refuse a redirect URI a provider would reject, so none is exported")
    func backendValues() throws {
        var config = try ConfigLoader.parse(TestProject.config, file: "site.yml")
        config.oauth["tiktok"] = OAuthRegistration(redirectURI: "https://d111111abcdef8.cloudfront.net/auth/callback#x")
        #expect(throws: DiagnosticError.self) { try BackendValues(config: config) }
        config.oauth["tiktok"] = OAuthRegistration(redirectURI: "https://d111111abcdef8.cloudfront.net/auth/callback")
        let values = try BackendValues(config: config)
        #expect(values.redirectURIs == ["tiktok": "https://d111111abcdef8.cloudfront.net/auth/callback"])
        #expect(!values.dotenv.contains("#x"))
    }
}
