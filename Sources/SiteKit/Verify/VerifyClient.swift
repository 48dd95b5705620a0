import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends one probe to the deployed site and gives back its answer as sent: status, headers, body.
public protocol VerifyClient: Sendable {
    /// The answer to `request` from the site at `base` (scheme, host and port).
    func send(_ request: PreviewRequest, to base: URL) async throws -> PreviewResponse
}

/// A ``VerifyClient`` on Foundation's URLSession (libcurl on Linux): HTTPS with the system's
/// certificates, no cookies, no cache, and redirects handed back rather than followed. Requests
/// ask for `Accept-Encoding: identity`, so the body is the object's own bytes; libcurl decodes a
/// body that comes compressed all the same, and its `Content-Encoding` stays in the headers, for
/// ``VerifyComparison`` to report.
public final class URLSessionVerifyClient: NSObject, VerifyClient, URLSessionTaskDelegate, @unchecked Sendable {
    private let timeout: TimeInterval
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 8
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    /// A client whose requests each give up after `timeout` seconds.
    public init(timeout: TimeInterval = 15) {
        self.timeout = timeout
    }

    /// Sends `request` to `base` and reads the whole answer; throws when nothing answers in time.
    public func send(_ request: PreviewRequest, to base: URL) async throws -> PreviewResponse {
        guard let url = URL(string: base.address(of: request.target)) else {
            throw BackendError("cannot make a URL of \(base.absoluteString) and \(request.target)")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        let (data, response) = try await session.data(for: urlRequest)
        guard let http = response as? HTTPURLResponse else { throw BackendError("\(url.absoluteString) did not answer with HTTP") }
        var headers: [HeaderField] = []
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers.append(HeaderField(name, value)) }
        }
        headers.sort { $0.name.lowercased() < $1.name.lowercased() }
        return PreviewResponse(status: http.statusCode, headers: headers, body: data, rule: .object)
    }

    /// Hands a redirect back as the answer instead of following it.
    public func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

extension URL {
    /// The address of `target` (`/path?query`) on this site, whose URL may end in a slash.
    func address(of target: String) -> String {
        let base = absoluteString
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + target
    }
}
