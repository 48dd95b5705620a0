/// One request `site verify` sends, where it sends it, and what the answer must be.
public struct VerifyProbe: Sendable, Equatable {
    /// Where a probe is sent.
    public enum Base: Sendable, Equatable {
        /// The deployed site (`site.base_url`, or `--url`).
        case site
        /// The API's own origin (`api.origin`, or `--api-url`), as a browser calling it from the site would.
        case api
        /// The site over plain `http://`, when it is served over `https://`.
        case plainHTTP
    }

    /// What the answer must be.
    public enum Expectation: Sendable, Equatable {
        /// What the preview answers for the same build (``VerifyPlan/expected(_:)``).
        case planned
        /// Anything but the site's own shell or 404 page: a path of the API is the backend's.
        case notTheSite
        /// A CORS preflight that allows `origin` to send a POST.
        case corsAllowed(origin: String)
        /// A CORS preflight from `origin`, which the site does not list, that must not be allowed:
        /// a backend that echoes any `Origin` (or answers `*`) lets every site call it.
        case corsRefused(origin: String)
        /// A redirect to the same path over `https://`.
        case upgradeToHTTPS
    }

    /// What the request checks, as findings name it (`page /terms`, `redirect /terms/`).
    public var purpose: String
    /// The request: method, path and query, headers.
    public var request: PreviewRequest
    /// Where it is sent.
    public var base: Base
    /// What the answer must be.
    public var expectation: Expectation

    /// A probe of `request` for `purpose`, sent to `base`, whose answer must meet `expectation`.
    public init(_ purpose: String, _ request: PreviewRequest, base: Base = .site, expectation: Expectation = .planned) {
        self.purpose = purpose
        self.request = request
        self.base = base
        self.expectation = expectation
    }
}
