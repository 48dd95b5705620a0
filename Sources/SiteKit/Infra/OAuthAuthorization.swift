/// One OAuth registration's authorization request, as the backend builds it: the provider's
/// endpoint and parameters with the registration's app, client id setting, scopes and redirect
/// URI, and a test vector of the URL to compare a backend's own URL builder against.
public struct OAuthAuthorization: Sendable, Equatable {
    /// The client id of ``testVectorURL``: a placeholder, never a real app's id.
    public static let testClientID = "site-test-client"
    /// The `state` of ``testVectorURL``.
    public static let testState = "site-test-state"

    /// The provider, with its endpoint and parameters.
    public var provider: OAuthProvider
    /// Which of the provider's apps this is.
    public var app: OAuthApp
    /// The name of the backend setting that holds the app's client id.
    public var clientIDSetting: String
    /// The scopes the app asks for.
    public var scopes: [String]
    /// The redirect URI, exactly as registered.
    public var redirectURI: String

    /// The request for `registration` with the provider called `provider`, the provider's
    /// defaults filling in what the registration leaves out.
    public init(provider: String, registration: OAuthRegistration) {
        let known = OAuthProvider.named(provider)
        self.provider = known
        app = registration.app
        clientIDSetting = registration.clientIDSetting ?? known.defaultClientIDSetting
        scopes = registration.scopes ?? known.defaultScopes
        redirectURI = registration.redirectURI
    }

    /// The redirect URI as the value of a query parameter: percent-encoded, `%` and `/` included.
    public var redirectURIEncoded: String { Self.percentEncoded(redirectURI) }

    /// The query of the authorization request, in the provider's order, each value encoded with
    /// ``percentEncoded(_:)``.
    public func query(clientID: String, state: String) -> String {
        provider.parameters.map { parameter in
            let value: String
            switch parameter.value {
            case .clientID: value = clientID
            case .redirectURI: value = redirectURI
            case .scopes: value = scopes.joined(separator: provider.scopeSeparator)
            case .state: value = state
            case .literal(let text): value = text
            }
            return Self.percentEncoded(parameter.name) + "=" + Self.percentEncoded(value)
        }
        .joined(separator: "&")
    }

    /// The authorization URL to send the browser to; nil when the provider's endpoint is unknown.
    public func url(clientID: String, state: String) -> String? {
        provider.authorizationEndpoint.map { $0 + "?" + query(clientID: clientID, state: state) }
    }

    /// The URL for ``testClientID`` and ``testState``; nil when the provider's endpoint is unknown.
    public var testVectorURL: String? { url(clientID: Self.testClientID, state: Self.testState) }

    /// The request as the member of `oauth` in `backend/backend.json`: `app`, `client_id_setting`,
    /// `scopes`, `redirect_uri`, `redirect_uri_encoded`, and for a known provider
    /// `authorization_endpoint` and `test_vector` (`client_id`, `state`, `url`).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "app": .string(app.rawValue),
            "client_id_setting": .string(clientIDSetting),
            "scopes": .array(scopes.map { .string($0) }),
            "redirect_uri": .string(redirectURI),
            "redirect_uri_encoded": .string(redirectURIEncoded),
        ]
        if let endpoint = provider.authorizationEndpoint, let url = testVectorURL {
            members["authorization_endpoint"] = .string(endpoint)
            members["test_vector"] = [
                "client_id": .string(Self.testClientID), "state": .string(Self.testState), "url": .string(url),
            ]
        }
        return .object(members)
    }

    /// `text` as a query value (RFC 3986 section 2): the unreserved characters `A-Z a-z 0-9 - . _ ~`
    /// stay, every other UTF-8 byte becomes `%XX` with upper-case hex digits (a space `%20`).
    public static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
