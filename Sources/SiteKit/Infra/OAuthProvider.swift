/// What `site` knows of an OAuth provider: its authorization endpoint, the query parameters of an
/// authorization request in the order they are sent, and the defaults of a registration with it.
public struct OAuthProvider: Sendable, Equatable {
    /// What one query parameter of an authorization request carries.
    public enum Value: Sendable, Equatable {
        /// The app's client id (TikTok calls it the client key).
        case clientID
        /// The registered redirect URI, exactly as registered.
        case redirectURI
        /// The scopes, joined by ``OAuthProvider/scopeSeparator``.
        case scopes
        /// The request's `state`, which the provider sends back to the redirect URI.
        case state
        /// A fixed value, such as `code` for `response_type`.
        case literal(String)
    }

    /// One query parameter of an authorization request.
    public struct Parameter: Sendable, Equatable {
        /// The parameter's name, such as `client_id`.
        public var name: String
        /// What the parameter carries.
        public var value: Value
    }

    /// The provider's name, as the key under `oauth:` in `site.yml`.
    public var name: String
    /// The authorization endpoint; nil for a provider `site` does not know.
    public var authorizationEndpoint: String?
    /// The query parameters of an authorization request, in the order they are sent.
    public var parameters: [Parameter]
    /// What separates scopes in the `scope` parameter: `,` for TikTok, a space elsewhere.
    public var scopeSeparator: String
    /// The backend setting that holds the client id when `client_id_setting` is not given.
    public var defaultClientIDSetting: String
    /// The scopes asked for when `scopes` is not given.
    public var defaultScopes: [String]

    /// TikTok's Login Kit for the web.
    public static let tiktok = OAuthProvider(
        name: "tiktok", authorizationEndpoint: "https://www.tiktok.com/v2/auth/authorize/",
        parameters: [
            Parameter(name: "client_key", value: .clientID), Parameter(name: "response_type", value: .literal("code")),
            Parameter(name: "scope", value: .scopes), Parameter(name: "redirect_uri", value: .redirectURI),
            Parameter(name: "state", value: .state),
        ],
        scopeSeparator: ",", defaultClientIDSetting: "TIKTOK_CLIENT_KEY", defaultScopes: ["user.info.basic"])

    /// Google's OAuth 2.0 for web server applications.
    public static let google = OAuthProvider(
        name: "google", authorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth",
        parameters: [
            Parameter(name: "client_id", value: .clientID), Parameter(name: "redirect_uri", value: .redirectURI),
            Parameter(name: "response_type", value: .literal("code")), Parameter(name: "scope", value: .scopes),
            Parameter(name: "state", value: .state),
        ],
        scopeSeparator: " ", defaultClientIDSetting: "GOOGLE_CLIENT_ID", defaultScopes: ["openid", "email", "profile"])

    /// Sign in with Apple on the web: with scopes, Apple posts its answer to the redirect URI
    /// (`response_mode=form_post`).
    public static let apple = OAuthProvider(
        name: "apple", authorizationEndpoint: "https://appleid.apple.com/auth/authorize",
        parameters: [
            Parameter(name: "client_id", value: .clientID), Parameter(name: "redirect_uri", value: .redirectURI),
            Parameter(name: "response_type", value: .literal("code")), Parameter(name: "scope", value: .scopes),
            Parameter(name: "response_mode", value: .literal("form_post")), Parameter(name: "state", value: .state),
        ],
        scopeSeparator: " ", defaultClientIDSetting: "APPLE_CLIENT_ID", defaultScopes: ["name", "email"])

    /// The providers whose endpoints `site` knows.
    public static let known = [tiktok, google, apple]

    /// The provider called `name`: a known one, or one with no endpoint, the parameters of RFC 6749
    /// section 4.1.1, no default scopes and `<NAME>_CLIENT_ID` for its client id.
    public static func named(_ name: String) -> OAuthProvider {
        if let provider = known.first(where: { $0.name == name }) { return provider }
        let setting = String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }) + "_CLIENT_ID"
        return OAuthProvider(
            name: name, authorizationEndpoint: nil,
            parameters: [
                Parameter(name: "response_type", value: .literal("code")), Parameter(name: "client_id", value: .clientID),
                Parameter(name: "redirect_uri", value: .redirectURI), Parameter(name: "scope", value: .scopes),
                Parameter(name: "state", value: .state),
            ],
            scopeSeparator: " ", defaultClientIDSetting: setting, defaultScopes: [])
    }

    /// Whether `name` can name a backend setting: an upper-case letter, then upper-case letters,
    /// digits and `_`.
    public static func isSettingName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Why `scope` cannot be one of this provider's scopes, or nil: RFC 6749 section 3.3 allows
    /// printable ASCII except space, `"` and `\`, and the provider's separator would split it.
    public func scopeProblem(_ scope: String) -> String? {
        if scope.isEmpty { return "is empty" }
        if let bad = scope.unicodeScalars.first(where: { !(0x21...0x7E).contains($0.value) || $0 == "\"" || $0 == "\\" }) {
            let shown = bad == " " ? "a space" : "'\(bad)'"
            return "holds \(shown); a scope is printable ASCII without spaces, '\"' or '\\' (RFC 6749 section 3.3)"
        }
        if scopeSeparator != " ", scope.contains(scopeSeparator) {
            return "holds '\(scopeSeparator)', which separates \(name)'s scopes; list each scope on its own"
        }
        return nil
    }
}
