import FlyingFox
import Foundation
import Testing

@testable import SiteKit

// Shared pieces of the `site serve` tests: a development backend, the CloudFront model run in
// Node, and a built test project with its emitted configuration. No tests live here.

/// A development backend on 127.0.0.1 (a FlyingFox server in this process), started once:
/// `GET /api/health` answers 200 JSON, `POST /api/echo` echoes what it received as JSON, and
/// every other path answers 404 JSON.
actor TestBackend {
    static let shared = TestBackend()

    private var origin: String?
    private var server: HTTPServer?

    /// `http://127.0.0.1:<port>`.
    func start() async throws -> String {
        if let origin { return origin }
        let server = HTTPServer(
            address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled,
            handler: ClosureHTTPHandler { request in try await Self.answer(request) })
        Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port)? = await server.listeningAddress else { throw BackendError("the test backend did not listen") }
        self.server = server
        let origin = "http://127.0.0.1:\(port)"
        self.origin = origin
        return origin
    }

    static func answer(_ request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.target.path()
        switch (request.method.rawValue, path) {
        case ("GET", "/api/health"), ("HEAD", "/api/health"):
            return json(.ok, ["ok": true, "query": request.target.query()])
        case ("POST", "/api/echo"):
            let body = try await request.bodyData
            return json(
                .ok,
                [
                    "method": request.method.rawValue, "target": request.target.rawValue,
                    "content_type": request.headers[.contentType] ?? "", "x_client": request.headers[HTTPHeader("X-Client")] ?? "",
                    "x_hop": request.headers[HTTPHeader("X-Hop")] ?? "absent", "body": String(decoding: body, as: UTF8.self),
                ])
        default:
            return json(.notFound, ["error": "not found", "path": path])
        }
    }

    static func json(_ status: HTTPStatusCode, _ value: [String: Any]) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data()
        return HTTPResponse(
            statusCode: status, headers: [.contentType: "application/json", HTTPHeader("X-Backend"): "test"], body: data)
    }
}

/// A response reduced to what the comparisons look at.
struct ObservedResponse: Sendable, Equatable, CustomStringConvertible {
    var status: Int
    /// Lower-case names.
    var headers: [String: String]
    var body: Data

    init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    init(_ response: PreviewResponse) {
        var headers: [String: String] = [:]
        for header in response.headers where headers[header.name.lowercased()] == nil {
            headers[header.name.lowercased()] = header.value
        }
        self.init(status: response.status, headers: headers, body: response.body)
    }

    /// The headers the table compares: content, caching, redirects, security.
    static let keyHeaders = [
        "content-type", "cache-control", "location", "etag", "strict-transport-security", "x-content-type-options",
        "x-frame-options", "referrer-policy", "content-security-policy", "x-backend",
    ]

    var keyHeaders: [String: String] { headers.filter { Self.keyHeaders.contains($0.key) } }

    var description: String {
        "\(status) \(keyHeaders.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }) \(String(decoding: body.prefix(80), as: UTF8.self))"
    }

    /// Where the body came from: `object:<key>`, `s3:NoSuchKey`, `backend:<json>`, `cloudfront:403`
    /// or `empty`.
    func source(objects: [String: PreviewSite.StoredObject]) -> String {
        if body.isEmpty { return "empty" }
        if let key = objects.keys.sorted().first(where: { objects[$0]?.data == body }) { return "object:\(key)" }
        let text = String(decoding: body, as: UTF8.self)
        if text.contains("<Code>NoSuchKey</Code>") { return "s3:NoSuchKey" }
        if status == 403 { return "cloudfront:403" }
        if headers["content-type"]?.hasPrefix("application/json") == true { return "backend:" + text }
        return "other:" + text.prefix(60)
    }
}

/// CloudFront as the emitted configuration describes it, run in Node: the distribution's cache
/// behaviors by path pattern and allowed methods, the viewer-request function on the bucket's
/// behavior, S3 (the default root object, its 404 for a missing key with ListBucket allowed), the
/// custom error responses, the response headers policy, and the API's origin (replaced by a local
/// backend) with all viewer headers except Host.
enum CloudFrontModel {
    static let script = #"""
        const fs = require('fs');
        const http = require('http');
        const input = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
        const dist = input.distribution;
        const policy = input.headersPolicy.ResponseHeadersPolicyConfig.SecurityHeadersConfig || {};
        // The viewer-request function is an ES module that imports CloudFront's 'cloudfront' module:
        // its one import line is bound to a stand-in store over the emitted routes, whose get throws
        // for a missing key as the real one does. The rest of the code runs as emitted.
        const routes = new Map(input.routes.data.map((entry) => [entry.key, entry.value]));
        const cf = { kvs: () => ({
          get: async (key) => { if (!routes.has(key)) throw new Error('Key not found: ' + key); return routes.get(key); },
          exists: async (key) => routes.has(key),
          meta: async () => ({ keyCount: routes.size }),
        }) };
        const importLine = "import cf from 'cloudfront';";
        if (input.functionCode.split(importLine).length !== 2) throw new Error('the viewer-request code must import cloudfront once');
        const handler = new Function('cf', input.functionCode.replace(importLine, '') + '\nreturn handler;')(cf);
        const responseHandler = new Function(input.responseFunctionCode + '\nreturn handler;')();
        const items = (list) => (list && list.Items) || [];
        const HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
                             'te', 'trailer', 'transfer-encoding', 'upgrade']);

        function globMatches(pattern, path) {
          let source = '^';
          for (const c of pattern) {
            if (c === '*') source += '.*';
            else if (c === '?') source += '.';
            else source += c.replace(/[.+^${}()|[\]\\\/]/g, '\\$&');
          }
          return new RegExp(source + '$').test(path);
        }

        function parseQuery(query) {
          const result = {};
          for (const pair of query.split('&').filter(Boolean)) {
            const at = pair.indexOf('=');
            const name = at < 0 ? pair : pair.slice(0, at);
            const value = at < 0 ? '' : pair.slice(at + 1);
            if (result[name]) {
              result[name].multiValue = result[name].multiValue || [{ value: result[name].value }];
              result[name].multiValue.push({ value });
            } else {
              result[name] = { value };
            }
          }
          return result;
        }

        function addSecurityHeaders(headers) {
          const set = (name, value, override) => { if (override || !(name in headers)) headers[name] = value; };
          const hsts = policy.StrictTransportSecurity;
          if (hsts) {
            let value = 'max-age=' + hsts.AccessControlMaxAgeSec;
            if (hsts.IncludeSubdomains) value += '; includeSubDomains';
            if (hsts.Preload) value += '; preload';
            set('strict-transport-security', value, hsts.Override);
          }
          if (policy.ContentTypeOptions) set('x-content-type-options', 'nosniff', policy.ContentTypeOptions.Override);
          if (policy.FrameOptions) set('x-frame-options', policy.FrameOptions.FrameOption, policy.FrameOptions.Override);
          if (policy.ReferrerPolicy) set('referrer-policy', policy.ReferrerPolicy.ReferrerPolicy, policy.ReferrerPolicy.Override);
          if (policy.ContentSecurityPolicy) {
            set('content-security-policy', policy.ContentSecurityPolicy.ContentSecurityPolicy, policy.ContentSecurityPolicy.Override);
          }
          return headers;
        }

        function s3Get(key, method, ifNoneMatch) {
          const object = input.objects[key];
          if (!object) {
            const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>' +
              '<Message>The specified key does not exist.</Message><Key>' + key + '</Key></Error>';
            return { status: 404, headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml).toString('base64') };
          }
          if (ifNoneMatch && ifNoneMatch === object.etag) {
            return { status: 304, headers: { etag: object.etag, 'cache-control': object.cacheControl }, body: '' };
          }
          const headers = { 'content-type': object.contentType, 'cache-control': object.cacheControl, etag: object.etag };
          // The deploy stores the 404 page with this metadata, which S3 sends as a header.
          if (key === input.notFoundKey) headers['x-amz-meta-site-status'] = '404';
          return { status: 200, headers, body: method === 'HEAD' ? '' : object.body };
        }

        function forward(base, request) {
          return new Promise((resolve, reject) => {
            const url = new URL(base);
            const dropped = new Set(HOP);
            dropped.add('host');
            for (const [name, value] of Object.entries(request.headers)) {
              if (name.toLowerCase() === 'connection') value.split(',').forEach((token) => dropped.add(token.trim().toLowerCase()));
            }
            const headers = {};
            for (const [name, value] of Object.entries(request.headers)) {
              if (!dropped.has(name.toLowerCase())) headers[name] = value;
            }
            const target = request.path + (request.query ? '?' + request.query : '');
            const outgoing = http.request({ host: url.hostname, port: url.port, method: request.method, path: target, headers }, (res) => {
              const chunks = [];
              res.on('data', (chunk) => chunks.push(chunk));
              res.on('end', () => {
                const out = {};
                for (const [name, value] of Object.entries(res.headers)) {
                  if (!HOP.has(name)) out[name] = Array.isArray(value) ? value.join(', ') : value;
                }
                resolve({ status: res.statusCode, headers: out, body: Buffer.concat(chunks).toString('base64') });
              });
            });
            outgoing.on('error', reject);
            outgoing.end(Buffer.from(request.body, 'base64'));
          });
        }

        async function answer(request) {
          const behavior = items(dist.CacheBehaviors).find((b) => globMatches(b.PathPattern, request.path)) || dist.DefaultCacheBehavior;
          const lower = {};
          for (const [name, value] of Object.entries(request.headers)) lower[name.toLowerCase()] = value;
          let response;
          if (!items(behavior.AllowedMethods).includes(request.method)) {
            const page = '<html><body><h1>403 ERROR</h1><p>This distribution is not configured to allow the HTTP request method that was used for this request.</p></body></html>';
            response = { status: 403, headers: { 'content-type': 'text/html' }, body: Buffer.from(page).toString('base64') };
          } else {
            const origin = items(dist.Origins).find((o) => o.Id === behavior.TargetOriginId);
            if (origin.CustomOriginConfig) return forward(input.origins[origin.Id], request);
            const viewerHeaders = {};
            for (const [name, value] of Object.entries(lower)) viewerHeaders[name] = { value };
            let edgeRequest = { method: request.method, uri: request.path, querystring: parseQuery(request.query), headers: viewerHeaders, cookies: {} };
            for (const association of items(behavior.FunctionAssociations)) {
              if (association.EventType !== 'viewer-request') continue;
              const result = await handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '127.0.0.1' }, request: edgeRequest });
              if (result.statusCode) {
                const headers = {};
                for (const [name, header] of Object.entries(result.headers || {})) headers[name] = header.value;
                const body = result.body ? Buffer.from(result.body.data, result.body.encoding === 'base64' ? 'base64' : 'utf8').toString('base64') : '';
                response = { status: result.statusCode, headers, body };
                break;
              }
              edgeRequest = result;
            }
            if (!response) {
              let uri = edgeRequest.uri;
              if (uri === '/' && dist.DefaultRootObject) uri = '/' + dist.DefaultRootObject;
              response = s3Get(decodeURIComponent(uri.slice(1)), request.method, lower['if-none-match']);
              const custom = items(dist.CustomErrorResponses).find((e) => e.ErrorCode === response.status);
              if (custom) {
                const page = s3Get(decodeURIComponent(custom.ResponsePagePath.slice(1)), request.method, undefined);
                response = { status: Number(custom.ResponseCode), headers: page.headers, body: page.body };
              }
              for (const association of items(behavior.FunctionAssociations)) {
                if (association.EventType !== 'viewer-response') continue;
                const edgeHeaders = {};
                for (const [name, value] of Object.entries(response.headers)) edgeHeaders[name] = { value };
                const result = responseHandler({ version: '1.0', context: { eventType: 'viewer-response' }, viewer: { ip: '127.0.0.1' },
                  request: edgeRequest, response: { statusCode: response.status, headers: edgeHeaders, cookies: {} } });
                const headers = {};
                for (const [name, header] of Object.entries(result.headers || {})) headers[name] = header.value;
                response = { status: result.statusCode, headers, body: response.body };
              }
            }
          }
          if (request.method === 'HEAD') response.body = '';
          if (behavior.ResponseHeadersPolicyId) addSecurityHeaders(response.headers);
          return response;
        }

        (async () => {
          const answers = [];
          for (const request of input.requests) {
            try {
              answers.push(await answer(request));
            } catch (error) {
              answers.push({ status: 599, headers: {}, body: '', error: String(error) });
            }
          }
          process.stdout.write(JSON.stringify(answers));
        })();
        """#

    struct Answer: Decodable {
        var status: Int
        var headers: [String: String]
        var body: String
        var error: String?
    }

    /// Answers `requests` as CloudFront would with the emitted files `plan` (`plan-infra`'s output),
    /// the bucket holding `objects`, and the API origin replaced by `backend`.
    static func answers(
        plan: [String: Data], objects: [String: PreviewSite.StoredObject], backend: String?, requests: [PreviewRequest]
    ) async throws -> [ObservedResponse] {
        let distribution = try JSONSerialization.jsonObject(with: try #require(plan[InfraLayout.distributionConfig]))
        let headersPolicy = try JSONSerialization.jsonObject(with: try #require(plan[InfraLayout.responseHeadersPolicy]))
        let functionCode = String(decoding: try #require(plan[InfraLayout.functionCode]), as: UTF8.self)
        let responseFunctionCode = String(decoding: try #require(plan[InfraLayout.responseFunctionCode]), as: UTF8.self)
        let routes = try JSONSerialization.jsonObject(with: try #require(plan[InfraLayout.routes]))
        let manifest = try Manifest.decode(try #require(objects[Manifest.key]?.data))
        var stored: [String: Any] = [:]
        for (key, object) in objects {
            stored[key] = [
                "contentType": object.contentType, "cacheControl": object.cacheControl, "etag": object.etag,
                "body": object.data.base64EncodedString(),
            ]
        }
        let input: [String: Any] = [
            "distribution": distribution, "headersPolicy": headersPolicy, "functionCode": functionCode, "objects": stored,
            "responseFunctionCode": responseFunctionCode, "routes": routes, "notFoundKey": manifest.routes.notFound,
            "origins": backend.map { ["site-api": $0] } ?? [:],
            "requests": requests.map { request in
                [
                    "method": request.method, "path": request.path, "query": request.query,
                    "headers": Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
                    "body": request.body.base64EncodedString(),
                ] as [String: Any]
            },
        ]
        let output = try await Node.run(script: script, input: try JSONSerialization.data(withJSONObject: input))
        let answers = try JSONDecoder().decode([Answer].self, from: output)
        return answers.map { answer in
            ObservedResponse(status: answer.status, headers: answer.headers, body: Data(base64Encoded: answer.body) ?? Data())
        }
    }
}

/// Runs Node scripts without blocking a thread of the concurrency pool.
enum Node {
    static func run(script: String, input: Data) async throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputURL = folder.appendingPathComponent("input.json")
        let outputURL = folder.appendingPathComponent("output.json")
        let errorURL = folder.appendingPathComponent("errors.txt")
        try input.write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", "-e", script, inputURL.path]
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw BackendError("node failed: \(errors)") }
        return try Data(contentsOf: outputURL)
    }
}

/// The test project built in memory, its preview, and the files plan-infra emits for it.
struct ServeFixture: Sendable {
    let site: PreviewSite
    let router: PreviewRouter
    let plan: [String: Data]
    let backend: String?

    /// Builds `files`, pointing `api.dev_origin` at `backend`.
    static func make(_ files: [String: String] = TestProject.files, backend: String?) throws -> ServeFixture {
        var result = try TestProject.build(files)
        result.config.api?.developmentOrigin = backend
        let site = PreviewSite(result: result)
        let planner = try InfraPlanner(
            config: result.config, manifest: result.manifest, notFoundPage: TestProject.text(result, result.manifest.routes.notFound))
        return ServeFixture(site: site, router: PreviewRouter(site: site), plan: try planner.files(), backend: backend)
    }

    /// The preview's answer, the API forwarded to the backend.
    func preview(_ request: PreviewRequest) async -> ObservedResponse {
        ObservedResponse(await router.answer(request, timeout: .seconds(10)))
    }

    /// CloudFront's answers, from the emitted configuration run in Node.
    func cloudFront(_ requests: [PreviewRequest]) async throws -> [ObservedResponse] {
        try await CloudFrontModel.answers(plan: plan, objects: site.objects, backend: backend, requests: requests)
    }
}
