import Foundation
import Testing

@testable import SiteKit

@Suite("The backend's values: backend.env, backend.json and the registration text")
struct BackendValuesTests {
    static func values(_ oauth: String = "") throws -> BackendValues {
        let config = try ConfigLoader.parse(TestProject.config + oauth, file: "site.yml")
        return try BackendValues(config: config)
    }

    static let oauth = """

        oauth:
          tiktok:
            redirect_uri: https://d111111abcdef8.cloudfront.net/auth/callback
            app: sandbox
          acme-id:
            redirect_uri: "https://d111111abcdef8.cloudfront.net/auth/callback?from=it's"
            client_id_setting: ACME_WEB_CLIENT
            scopes: [read]

        """

    @Test("backend.env: CORS_ALLOWED_ORIGINS as a quoted JSON array, plain URLs plain, a URL with ' in double quotes")
    func dotenv() throws {
        #expect(
            try Self.values(Self.oauth).dotenv == """
                # The companion API's settings for this site, written by site plan-infra.
                SITE_BASE_URL=https://d111111abcdef8.cloudfront.net
                CORS_ALLOWED_ORIGINS='["https://d111111abcdef8.cloudfront.net","http://localhost:5173"]'
                OAUTH_ACME_ID_REDIRECT_URI="https://d111111abcdef8.cloudfront.net/auth/callback?from=it's"
                OAUTH_TIKTOK_REDIRECT_URI=https://d111111abcdef8.cloudfront.net/auth/callback
                PRIVACY_URL=https://d111111abcdef8.cloudfront.net/privacy
                TERMS_URL=https://d111111abcdef8.cloudfront.net/terms

                """)
        #expect(try Self.values().dotenv.contains("\nOAUTH_REDIRECT_URI=https://d111111abcdef8.cloudfront.net/auth/callback\n"))
    }

    @Test("backend.json keeps its members and adds oauth: each provider's app, setting, scopes, redirect URI and test vector")
    func json() throws {
        let json = try Self.values(Self.oauth).json
        #expect(json["base_url"] == "https://d111111abcdef8.cloudfront.net")
        #expect(json["cors_allowed_origins"] == ["https://d111111abcdef8.cloudfront.net", "http://localhost:5173"])
        #expect(json["legal_urls"]?["terms"] == "https://d111111abcdef8.cloudfront.net/terms")
        #expect(json["oauth_redirect_uris"]?["tiktok"] == "https://d111111abcdef8.cloudfront.net/auth/callback")
        let encoded = "https%3A%2F%2Fd111111abcdef8.cloudfront.net%2Fauth%2Fcallback"
        #expect(
            json["oauth"]?["tiktok"] == [
                "app": "sandbox",
                "client_id_setting": "TIKTOK_CLIENT_KEY",
                "scopes": ["user.info.basic"],
                "redirect_uri": "https://d111111abcdef8.cloudfront.net/auth/callback",
                "redirect_uri_encoded": .string(encoded),
                "authorization_endpoint": "https://www.tiktok.com/v2/auth/authorize/",
                "test_vector": [
                    "client_id": "site-test-client",
                    "state": "site-test-state",
                    "url":
                        .string(
                            "https://www.tiktok.com/v2/auth/authorize/?client_key=site-test-client&response_type=code&scope=user.info.basic&redirect_uri=\(encoded)&state=site-test-state"
                        ),
                ],
            ])
        #expect(
            json["oauth"]?["acme-id"] == [
                "app": "production",
                "client_id_setting": "ACME_WEB_CLIENT",
                "scopes": ["read"],
                "redirect_uri": "https://d111111abcdef8.cloudfront.net/auth/callback?from=it's",
                "redirect_uri_encoded": .string(encoded + "%3Ffrom%3Dit%27s"),
            ])
        #expect(try Self.values().json["oauth"] == [:])
    }

    @Test("the registration text names each provider's app and client id setting")
    func registration() throws {
        let text = try Self.values(Self.oauth).registration
        #expect(
            text.hasSuffix(
                """
                Register them exactly: scheme, host, path and no trailing slash must match.

                Apps:
                  acme-id: the production app; its client id goes in the backend setting ACME_WEB_CLIENT; scopes read
                  tiktok: the sandbox app; its client id goes in the backend setting TIKTOK_CLIENT_KEY; scopes user.info.basic

                """))
        #expect(try !Self.values().registration.contains("Apps:"))
    }

    @Test("a value no quoting keeps the same for every reader is an error where it was written, and never reaches backend.env")
    func unwritable() throws {
        let config = try ConfigLoader.parse(
            TestProject.config + "\noauth:\n  tiktok:\n    redirect_uri: https://d111111abcdef8.cloudfront.net/auth/callback?a='$'\n",
            file: "site.yml")
        #expect(
            failureLines { try BackendValues(config: config) } == [
                "site.yml:24:19: error: OAUTH_TIKTOK_REDIRECT_URI https://d111111abcdef8.cloudfront.net/auth/callback?a='$' cannot be written to backend/backend.env so that python-dotenv, Node and a shell all read it as it is: it holds a control character, or a single quote with one of '\\', '\"', '$' or '`'"
            ])
        #expect(BackendValues.findings(config: config).contains { $0.severity == .error })
    }
}
