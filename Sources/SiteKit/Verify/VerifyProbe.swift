/// One request `site verify` sends to the deployed site, and why.
public struct VerifyProbe: Sendable, Equatable {
    /// What the request checks, as findings name it (`page /terms`, `redirect /terms/`).
    public var purpose: String
    /// The request: method, path and query, headers.
    public var request: PreviewRequest

    /// A probe of `request` for `purpose`.
    public init(_ purpose: String, _ request: PreviewRequest) {
        self.purpose = purpose
        self.request = request
    }
}
