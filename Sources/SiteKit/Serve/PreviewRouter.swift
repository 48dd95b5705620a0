import Foundation

/// A request as the preview receives it: the path and query exactly as sent (still
/// percent-encoded), so that redirects and the API see what CloudFront would pass on.
public struct PreviewRequest: Sendable, Equatable {
    /// The HTTP method, upper-case.
    public var method: String
    /// The path, such as `/auth/tiktok/callback`.
    public var path: String
    /// The query without `?`, such as `code=abc&state=xyz`; empty when there is none.
    public var query: String
    /// The request's header lines, in the order they came.
    public var headers: [HeaderField]
    /// The request body, forwarded to the API backend; empty when there is none.
    public var body: Data

    /// A request for `path` and `query` as sent; `method` is upper-cased.
    public init(method: String = "GET", path: String, query: String = "", headers: [HeaderField] = [], body: Data = Data()) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target (`/path?query`) into path and query.
    public init(method: String = "GET", target: String, headers: [HeaderField] = [], body: Data = Data()) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.init(
            method: method, path: String(parts.first ?? ""), query: parts.count > 1 ? String(parts[1]) : "", headers: headers,
            body: body)
    }

    /// `path?query`, or the path alone.
    public var target: String { query.isEmpty ? path : path + "?" + query }
}

/// Which rule of the emitted configuration answered a request; shown in the request log.
public enum PreviewRule: String, Sendable, Equatable, CaseIterable {
    /// An object of the bucket (a page, the shell at `/`, a file).
    case object
    /// A redirect of the routing table, answered by the edge function.
    case redirect
    /// An SPA route: the edge function rewrote it to the shell.
    case spaRoute = "spa-route"
    /// An unknown path without a file extension: the edge function's 404 page.
    case notFoundPage = "not-found-page"
    /// A missing file: S3's 404.
    case missingFile = "missing-file"
    /// `infra.spa_fallback: error_response`: S3's 404 replaced with the shell and 200.
    case errorResponse = "error-response"
    /// A conditional request whose ETag matched.
    case notModified = "not-modified"
    /// A method the bucket's behavior does not allow (only GET and HEAD).
    case methodNotAllowed = "method-not-allowed"
    /// The API's path pattern, forwarded to `api.dev_origin`.
    case apiProxy = "api-proxy"
    /// The API's path pattern without `api.dev_origin`: a 502 page that says how to set one.
    case apiNoDevOrigin = "api-no-dev-origin"
    /// The development backend did not answer: a 502 page.
    case apiBackendDown = "api-backend-down"
    /// The last build failed and there is no earlier good build.
    case buildErrors = "build-errors"
    /// The preview's own page of build errors, `/_site/errors`.
    case previewErrors = "preview-errors"
    /// A request the preview cannot parse.
    case badRequest = "bad-request"
}

/// An answer of the preview.
public struct PreviewResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The response's header lines, in the order they are sent.
    public var headers: [HeaderField]
    /// The bytes after the headers; empty in answers to HEAD requests on the bucket's paths.
    public var body: Data
    /// The rule that answered, for the request log.
    public var rule: PreviewRule
    /// Extra words for the request log, such as why the backend failed.
    public var detail: String?
    /// The reason phrase of the status line, when it is not the standard one (proxied answers).
    public var reason: String?

    /// An answer with `status` from `rule`, without headers or body unless they are given.
    public init(
        status: Int, headers: [HeaderField] = [], body: Data = Data(), rule: PreviewRule, detail: String? = nil,
        reason: String? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.rule = rule
        self.detail = detail
        self.reason = reason
    }

    /// The value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headers.value(of: name) }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the router decided: an answer, or a request to forward to the development backend.
public enum PreviewAnswer: Sendable, Equatable {
    /// Send this response.
    case response(PreviewResponse)
    /// Forward this request to the development backend at `origin` (`api.dev_origin`).
    case proxy(BackendRequest, origin: String)
}

/// Answers requests from a built site the way the emitted CloudFront configuration will: the API's
/// behavior first (CloudFront's path pattern), then, on the bucket's behavior, the edge function's
/// redirects, SPA routes and 404 page, S3's objects and 404s, the error response when
/// `infra.spa_fallback` is `error_response`, and the response headers policy on every answer.
///
/// Under `infra.spa_fallback: error_response` the function stores only redirects and rewritten
/// pages and passes every other path to S3, so every path S3 does not hold gets the shell with 200.
///
/// `respond` is pure: no sockets, no clock. `answer` also forwards API requests.
public struct PreviewRouter: Sendable {
    /// The built site it answers from.
    public let site: PreviewSite
    /// The routing table without the API: on the bucket's behavior the API pattern no longer applies.
    private let bucketRoutes: RoutingTable

    /// A router that answers from the built `site`.
    public init(site: PreviewSite) {
        self.site = site
        var routes = site.routes
        routes.api = nil
        self.bucketRoutes = routes
    }

    /// The answer for a request, or the request to forward for API paths.
    public func respond(
        method: String = "GET", path: String, query: String = "", headers: [HeaderField] = [], body: Data = Data()
    ) -> PreviewAnswer {
        respond(PreviewRequest(method: method, path: path, query: query, headers: headers, body: body))
    }

    /// The answer for `request`, or for a path under the API's pattern the request to forward (a
    /// 502 page when there is no `api.dev_origin`).
    public func respond(_ request: PreviewRequest) -> PreviewAnswer {
        guard request.path.hasPrefix("/") else {
            return .response(PreviewPages.badRequest(request.target))
        }
        if let api = site.api, Self.behaviorMatches(api.pathPattern, request.path) {
            guard let origin = api.developmentOrigin else {
                return .response(PreviewPages.noDevelopmentOrigin(pattern: api.pathPattern.description, production: api.origin))
            }
            let forwarded = BackendRequest(
                method: request.method, target: request.target, headers: HopByHop.strip(request.headers, dropping: ["host"]),
                body: request.body)
            return .proxy(forwarded, origin: origin)
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .response(finish(PreviewPages.methodNotAllowed(request.method), request: request))
        }
        return .response(finish(bucket(request), request: request))
    }

    /// The answer for a request, forwarding API requests to the development backend.
    public func answer(_ request: PreviewRequest, timeout: Duration = .seconds(30)) async -> PreviewResponse {
        switch respond(request) {
        case .response(let response):
            return response
        case .proxy(let forwarded, let origin):
            do {
                let reply = try await BackendClient(origin: origin, timeout: timeout).send(forwarded)
                var headers = HopByHop.strip(reply.headers, dropping: [])
                if forwarded.method != "HEAD" { headers.removeAll { $0.name.caseInsensitiveCompare("Content-Length") == .orderedSame } }
                return PreviewResponse(status: reply.status, headers: headers, body: reply.body, rule: .apiProxy, reason: reply.reason)
            } catch {
                let reason = (error as? BackendError)?.message ?? "\(error)"
                return PreviewPages.backendDown(origin: origin, target: request.target, reason: reason)
            }
        }
    }

    // MARK: The bucket's behavior

    /// What the edge functions and S3 answer on the bucket's behavior: the viewer-request function's
    /// decision over the site's route store (``EdgeRouteStore/answer(for:)``), then S3, then the
    /// viewer-response function, which gives the 404 page its 404 status at any path.
    private func bucket(_ request: PreviewRequest) -> PreviewResponse {
        switch site.edge.answer(for: request.path) {
        case .redirect(let target):
            // The function answers with the query string it received, rebuilt from its parsed form.
            return PreviewResponse(
                status: 301,
                headers: [
                    HeaderField("Location", target + EdgeQuery.rebuild(request.query)),
                    HeaderField("Cache-Control", "public, max-age=3600"),
                ],
                rule: .redirect)
        case .object(let key):
            let decoded = EdgeRouteStore.decode(request.path) ?? request.path
            let rule: PreviewRule = key == site.routes.shell && bucketRoutes.resolve(decoded) == .spa(key: key) ? .spaRoute : .object
            guard let response = stored(key, rule: rule, request: request) else { return s3Missing(request) }
            return key == site.routes.notFound ? notFoundStatus(response) : response
        case .notFound:
            guard let response = stored(site.routes.notFound, rule: .notFoundPage, request: request) else { return s3Missing(request) }
            return notFoundStatus(response)
        }
    }

    /// The viewer-response function: the 404 page, marked by its object metadata, answers 404.
    private func notFoundStatus(_ response: PreviewResponse) -> PreviewResponse {
        var response = response
        if response.status == 200 {
            response.status = 404
            response.rule = .notFoundPage
        }
        return response
    }

    /// S3's 404 for a missing key, or the shell with 200 under `infra.spa_fallback: error_response`.
    private func s3Missing(_ request: PreviewRequest) -> PreviewResponse {
        if site.spaFallback == .errorResponse, let shell = site.objects[site.routes.shell] {
            return PreviewResponse(
                status: 200,
                headers: [
                    HeaderField("Content-Type", shell.contentType), HeaderField("Cache-Control", shell.cacheControl),
                    HeaderField("ETag", shell.etag),
                ],
                body: shell.data, rule: .errorResponse)
        }
        let raw = String(request.path.dropFirst())
        return PreviewPages.noSuchKey(raw.removingPercentEncoding ?? raw)
    }

    /// An object as S3 sends it, honouring `If-None-Match`.
    private func stored(_ key: String, rule: PreviewRule, request: PreviewRequest) -> PreviewResponse? {
        guard let object = site.objects[key] else { return nil }
        if let tags = request.headers.value(of: "If-None-Match"),
            tags == "*" || tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == object.etag })
        {
            return PreviewResponse(
                status: 304, headers: [HeaderField("ETag", object.etag), HeaderField("Cache-Control", object.cacheControl)],
                rule: .notModified)
        }
        return PreviewResponse(
            status: 200,
            headers: [
                HeaderField("Content-Type", object.contentType), HeaderField("Cache-Control", object.cacheControl),
                HeaderField("ETag", object.etag),
            ],
            body: object.data, rule: rule)
    }

    /// Adds the response headers policy and drops the body of HEAD answers.
    private func finish(_ response: PreviewResponse, request: PreviewRequest) -> PreviewResponse {
        var response = response
        for header in site.securityHeaders { response.headers.set(header.name, header.value) }
        if request.method == "HEAD" {
            response.headers.set("Content-Length", String(response.body.count))
            response.body = Data()
        }
        return response
    }

    /// CloudFront's path pattern matching: `/api/*` matches `/api/` and everything below it, but
    /// not `/api` itself, which goes to the bucket's behavior.
    public static func behaviorMatches(_ pattern: RoutePattern, _ path: String) -> Bool {
        pattern.isPrefix ? path.hasPrefix(pattern.path) : path == pattern.path
    }
}

/// The query string as the edge function rebuilds it for a redirect: `name=value` pairs grouped by
/// name in order of first appearance, a bare `name` for empty values.
enum EdgeQuery {
    static func rebuild(_ query: String) -> String {
        var names: [String] = []
        var values: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            if values[name] == nil { names.append(name) }
            values[name, default: []].append(parts.count > 1 ? String(parts[1]) : "")
        }
        let parts = names.flatMap { name in values[name, default: []].map { $0.isEmpty ? name : name + "=" + $0 } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}

/// Headers that describe one connection rather than the message; a proxy never forwards them.
enum HopByHop {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// `headers` without hop-by-hop headers, those named in `Connection`, and `dropping`.
    static func strip(_ headers: [HeaderField], dropping: Set<String>) -> [HeaderField] {
        var removed = names.union(dropping)
        for value in headers where value.name.lowercased() == "connection" {
            for token in value.value.split(separator: ",") { removed.insert(token.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        return headers.filter { !removed.contains($0.name.lowercased()) }
    }
}
