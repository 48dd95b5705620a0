import Foundation
import Testing

@testable import SiteKit

/// The preview's router and its development-backend client, without a listening server.
@Suite("site serve: routing and the API proxy")
struct ServeRouterTests {
    static func fixture(backend: String? = nil) throws -> ServeFixture {
        try ServeFixture.make(backend: backend)
    }

    static func response(_ answer: PreviewAnswer, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> PreviewResponse {
        guard case .response(let response) = answer else {
            Issue.record("expected a response, got \(answer)", sourceLocation: sourceLocation)
            throw BackendError("not a response")
        }
        return response
    }

    @Test("without api.dev_origin, API paths answer a 502 page that says how to set it, without the bucket's headers")
    func noDevelopmentOrigin() throws {
        let response = try Self.response(try Self.fixture().router.respond(path: "/api/me"))
        #expect(response.status == 502)
        #expect(response.rule == .apiNoDevOrigin)
        #expect(response.text.contains("dev_origin: http://127.0.0.1:8000"))
        #expect(response.text.contains("https://api.acme.example"))
        #expect(response.header("Content-Security-Policy") == nil)
        #expect(response.header("Cache-Control") == "no-store")
    }

    @Test("API requests are forwarded with method, path, query, headers (without hop-by-hop headers and Host) and body")
    func forwardedRequest() throws {
        let answer = try Self.fixture(backend: "http://127.0.0.1:8000").router.respond(
            method: "put", path: "/api/videos/7", query: "notify=false&x=%20y",
            headers: [
                HeaderField("Host", "127.0.0.1:8080"), HeaderField("Authorization", "Bearer t"),
                HeaderField("Connection", "keep-alive, X-Trace"),
                HeaderField("X-Trace", "1"), HeaderField("Keep-Alive", "timeout=5"), HeaderField("Transfer-Encoding", "chunked"),
                HeaderField("Cookie", "a=b"), HeaderField("Upgrade", "h2c"),
            ],
            body: Data("{}".utf8))
        let expected = BackendRequest(
            method: "PUT", target: "/api/videos/7?notify=false&x=%20y",
            headers: [HeaderField("Authorization", "Bearer t"), HeaderField("Cookie", "a=b")], body: Data("{}".utf8))
        #expect(answer == .proxy(expected, origin: "http://127.0.0.1:8000"))
    }

    @Test("a backend that is down gives a 502 page naming it, and a log detail")
    func backendDown() async throws {
        let router = try Self.fixture(backend: "http://127.0.0.1:9").router
        let response = await router.answer(PreviewRequest(path: "/api/me"))
        #expect(response.status == 502)
        #expect(response.rule == .apiBackendDown)
        #expect(response.text.contains("http://127.0.0.1:9"))
        #expect(response.detail?.contains("connection refused") == true, "\(response.detail ?? "")")
    }

    @Test("an https development backend is explained rather than tried")
    func httpsBackend() async throws {
        let router = try Self.fixture(backend: "https://localhost:8443").router
        let response = await router.answer(PreviewRequest(path: "/api/me"))
        #expect(response.status == 502)
        #expect(response.detail?.contains("http:// backends only") == true)
    }

    @Test("a conditional request with the object's ETag answers 304 without a body")
    func notModified() throws {
        let fixture = try Self.fixture()
        let etag = try #require(fixture.site.objects["terms"]?.etag)
        let response = try Self.response(fixture.router.respond(path: "/terms", headers: [HeaderField("If-None-Match", etag)]))
        #expect(response.status == 304)
        #expect(response.body.isEmpty)
        #expect(response.header("ETag") == etag)
        let changed = try Self.response(fixture.router.respond(path: "/terms", headers: [HeaderField("If-None-Match", "\"old\"")]))
        #expect(changed.status == 200)
    }

    @Test("HEAD sends the headers and length of GET without the body")
    func head() throws {
        let fixture = try Self.fixture()
        let get = try Self.response(fixture.router.respond(path: "/privacy"))
        let head = try Self.response(fixture.router.respond(method: "HEAD", path: "/privacy"))
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(get.body.count))
        #expect(head.header("Content-Type") == get.header("Content-Type"))
    }

    @Test(
        "redirects keep the query string as the edge function rebuilds it",
        arguments: [
            ("", ""), ("a=1", "?a=1"), ("a=1&b", "?a=1&b"), ("a=", "?a"), ("a=1&b=2&a=3", "?a=1&a=3&b=2"), ("&&x=1&", "?x=1"),
            ("code=a%2Fb&state=x", "?code=a%2Fb&state=x"),
        ])
    func redirectQuery(query: String, expected: String) throws {
        #expect(EdgeQuery.rebuild(query) == expected)
        let response = try Self.response(try Self.fixture().router.respond(path: "/tos", query: query))
        #expect(response.header("Location") == "/terms" + expected)
    }

    @Test(
        "the manifest is never public: /_site/ answers the 404 page with status 404",
        arguments: [
            "/_site/manifest.json", "/_site", "/_site/", "/_site/anything", "/%5Fsite/manifest.json",
        ])
    func manifestIsNotPublic(_ path: String) throws {
        let fixture = try Self.fixture()
        let response = try Self.response(fixture.router.respond(path: path))
        #expect(response.status == 404)
        #expect(response.rule == .notFoundPage)
        #expect(response.body == fixture.site.objects[fixture.site.routes.notFound]?.data)
        #expect(!response.text.contains("\"objects\""))
    }

    @Test("a 404 page of any size answers unknown paths with status 404, and /404.html itself too")
    func largeNotFoundPage() throws {
        let filler = String(repeating: "Nothing lives at this address. ", count: 4_000)
        let files = TestProject.with([
            "templates/404.mustache": "{{<layout}}{{$main}}<h1>{{page.title}}</h1><p>\(filler)</p>{{/main}}{{/layout}}\n"
        ])
        let fixture = try ServeFixture.make(files, backend: nil)
        #expect(fixture.site.notes.isEmpty)
        for path in ["/nowhere", "/404.html", "/deep/unknown/page"] {
            let response = try Self.response(fixture.router.respond(path: path))
            #expect(response.status == 404, "\(path)")
            #expect(response.rule == .notFoundPage, "\(path)")
            #expect(response.text.contains(filler), "\(path)")
        }
    }

    @Test(
        "paths are matched as CloudFront delivers them: percent-encoded, decoded once",
        arguments: [
            ("/%74erms", 200), ("/terms%2F", 301), ("/caf%C3%A9", 404), ("/%E0%A4%A", 404), ("/te%rms", 404),
        ])
    func percentEncodedPaths(_ path: String, _ status: Int) throws {
        let response = try Self.response(try Self.fixture().router.respond(path: path))
        #expect(response.status == status, "\(path): \(response.status) \(response.rule)")
    }

    @Test("error_response together with an API is noted, and the API is still proxied untouched")
    func errorResponseWithAPI() throws {
        let config = TestProject.config.replacingOccurrences(
            of: "infra:\n  bucket: acme-site", with: "infra:\n  bucket: acme-site\n  spa_fallback: error_response")
        var result = try TestProject.build(TestProject.with(["site.yml": config]))
        result.config.api?.developmentOrigin = "http://127.0.0.1:8000"
        let site = PreviewSite(result: result)
        #expect(site.notes.contains { $0.contains("refused by plan-infra") })
        #expect(site.securityHeaders.count == 5)
        guard case .proxy = PreviewRouter(site: site).respond(path: "/api/missing") else {
            Issue.record("the API is not proxied")
            return
        }
    }

    @Test("the security headers come from the response headers policy")
    func securityHeaders() throws {
        let site = try Self.fixture().site
        #expect(
            site.securityHeaders.map(\.name) == [
                "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy",
            ])
        #expect(site.securityHeaders.value(of: "content-security-policy")?.contains("connect-src 'self' https://api.acme.example") == true)
    }

    // MARK: The backend client

    /// A gzip body as a backend that compressed it sends it: `{"ok":true,"compressed":"yes"}` and a newline.
    static let gzipHex = "1f8b0800000000000203ab56cacf56b22a292a4dd5514acecf2d284a2d2e4e4d51b252aa4c2d56aae502006d29c8251f000000"
    static let gzipped = Data(
        stride(from: 0, to: gzipHex.count, by: 2).map { UInt8(gzipHex.dropFirst($0).prefix(2), radix: 16) ?? 0 })

    /// A raw HTTP server in Python answering, each connection in a thread, a chunked body, a body
    /// that ends with the connection, a redirect with two cookies, a 204 after a 100, a gzip body,
    /// repeated headers, nothing at all (`/slow`), and at `/echo` the request line it received with
    /// the `Accept-Encoding` it was sent.
    static let rawServer = #"""
        import os, socket, sys, threading, time
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        server.settimeout(60)  # never outlives a test run that stopped early
        print(server.getsockname()[1], flush=True)
        gzipped = bytes.fromhex("\#(gzipHex)")
        answers = {
            "/chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
            "/until-close": b"HTTP/1.0 201 Made Here\r\nContent-Type: text/plain\r\n\r\nuntil the end",
            "/moved": b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nmoved",
            "/empty": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-Empty: yes\r\n\r\n",
            "/gzip": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\nContent-Length: %d\r\n\r\n" % len(gzipped) + gzipped,
            "/cookies": b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nX-Between: 1\r\nSet-Cookie: b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n",
        }

        def serve(connection):
            with connection:
                connection.settimeout(10)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                line = request.split(b"\r\n", 1)[0]
                if line.count(b" ") < 2:
                    return
                target = line.split(b" ")[1].decode("latin-1")
                if target == "/slow":
                    time.sleep(10)
                    return
                if target.startswith("/echo"):
                    fields = request.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
                    accept = [f.split(b":", 1)[1].strip() for f in fields if f.lower().startswith(b"accept-encoding:")]
                    answer = b"HTTP/1.1 200 OK\r\nX-Accept-Encoding: %s\r\nContent-Length: %d\r\n\r\n%s" % (
                        b", ".join(accept) or b"absent", len(line), line)
                else:
                    answer = answers.get(target, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                connection.sendall(answer)

        # The test process holds the other end of standard input: when it ends, so does the server.
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
        while True:
            try:
                connection, _ = server.accept()
            except socket.timeout:
                break
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """#

    /// The raw server, started once for all the tests that use it.
    actor RawServer {
        static let shared = RawServer()

        /// The running process and the pipe that keeps it alive.
        final class Running: @unchecked Sendable {
            let process: Process
            let input: Pipe
            let origin: String

            init(process: Process, input: Pipe, origin: String) {
                self.process = process
                self.input = input
                self.origin = origin
            }
        }

        private var running: Task<Running, any Error>?

        /// `http://127.0.0.1:<port>`.
        func origin() async throws -> String {
            let task = running ?? Task { try await Self.start() }
            running = task
            return try await task.value.origin
        }

        static func start() async throws -> Running {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-raw-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let portFile = folder.appendingPathComponent("port")
            _ = FileManager.default.createFile(atPath: portFile.path, contents: nil)
            let process = Process()
            let input = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", ServeRouterTests.rawServer]
            process.standardOutput = try FileHandle(forWritingTo: portFile)
            process.standardInput = input
            try process.run()
            // Python can take seconds to start on a loaded machine: wait up to a minute for its port.
            var port = ""
            for _ in 0..<3_000 where port.isEmpty && process.isRunning {
                port = ((try? String(contentsOf: portFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                if port.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            }
            guard !port.isEmpty else {
                if process.isRunning { process.terminate() }
                throw BackendError("the test server never said its port")
            }
            return Running(process: process, input: input, origin: "http://127.0.0.1:\(port)")
        }
    }

    @Test("the backend client unframes chunked bodies, reads to the end without a length, and follows no redirects")
    func clientFraming() async throws {
        let client = BackendClient(origin: try await RawServer.shared.origin(), timeout: .seconds(5))

        let chunked = try await client.send(BackendRequest(method: "GET", target: "/chunked"))
        #expect(chunked.status == 200)
        #expect(String(decoding: chunked.body, as: UTF8.self) == "hello world")
        #expect(chunked.headers.value(of: "Transfer-Encoding") == nil)

        let untilClose = try await client.send(BackendRequest(method: "GET", target: "/until-close"))
        #expect(untilClose.status == 201)
        #expect(String(decoding: untilClose.body, as: UTF8.self) == "until the end")

        let moved = try await client.send(BackendRequest(method: "GET", target: "/moved"))
        #expect(moved.status == 302)
        #expect(moved.headers.value(of: "Location") == "/elsewhere")
        #expect(moved.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])

        let empty = try await client.send(BackendRequest(method: "DELETE", target: "/empty"))
        #expect(empty.status == 204)
        #expect(empty.headers.value(of: "X-Empty") == "yes")
        #expect(empty.body.isEmpty)
    }

    /// A request and the answer the client must hand back as the backend sent it.
    struct PassThrough: Sendable, CustomTestStringConvertible {
        var name: String
        var request: BackendRequest
        var status: Int
        /// The answer's headers of these names, all of them and in this order.
        var headers: [HeaderField]
        var absent: [String] = []
        var body: Data

        var testDescription: String { name }
    }

    static let passThrough: [PassThrough] = [
        PassThrough(
            name: "a gzip body comes back byte for byte, with its Content-Encoding",
            request: BackendRequest(method: "GET", target: "/gzip", headers: [HeaderField("Accept-Encoding", "gzip")]),
            status: 200, headers: [HeaderField("Content-Encoding", "gzip"), HeaderField("Content-Length", "\(gzipped.count)")],
            body: gzipped),
        PassThrough(
            name: "a 302 comes back, not followed",
            request: BackendRequest(method: "GET", target: "/moved"),
            status: 302, headers: [HeaderField("Location", "/elsewhere")], body: Data("moved".utf8)),
        PassThrough(
            name: "a chunked body comes back unframed, without its trailer",
            request: BackendRequest(method: "GET", target: "/chunked"),
            status: 200, headers: [HeaderField("Content-Type", "text/plain")], absent: ["Transfer-Encoding", "X-Trailer"],
            body: Data("hello world".utf8)),
        PassThrough(
            name: "two Set-Cookie headers come back, both and in order",
            request: BackendRequest(method: "GET", target: "/cookies"),
            status: 200,
            headers: [
                HeaderField("Set-Cookie", "a=1; Path=/"), HeaderField("X-Between", "1"),
                HeaderField("Set-Cookie", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT"),
            ],
            body: Data()),
        PassThrough(
            name: "percent-escapes in the path and the query reach the backend unchanged, with no Accept-Encoding added",
            request: BackendRequest(method: "GET", target: "/echo/a%2Fb%20c?q=%E2%9C%93&x=%20y&z=%2B%26&w=a+b&e="),
            status: 200, headers: [HeaderField("X-Accept-Encoding", "absent")],
            body: Data("GET /echo/a%2Fb%20c?q=%E2%9C%93&x=%20y&z=%2B%26&w=a+b&e= HTTP/1.1".utf8)),
    ]

    @Test("the backend client hands back what the backend sent", arguments: passThrough)
    func passesThrough(_ example: PassThrough) async throws {
        let client = BackendClient(origin: try await RawServer.shared.origin(), timeout: .seconds(10))
        let response = try await client.send(example.request)
        #expect(response.status == example.status)
        let names = Set(example.headers.map { $0.name.lowercased() })
        #expect(response.headers.filter { names.contains($0.name.lowercased()) } == example.headers)
        for name in example.absent {
            #expect(response.headers.value(of: name) == nil, "\(name)")
        }
        #expect(response.body == example.body)
    }

    /// What a client built on Foundation's `URL` and SwiftNIO's parser (AsyncHTTPClient) does not
    /// do, and a proxy that answers like the edge must: send the request target byte for byte
    /// (browsers send `[`, `]` and `|` raw in queries; URL would percent-encode them, and `%zz`
    /// too), and hand back the backend's own reason phrase (NIO's parser keeps only the status).
    @Test("site verify's URLSession client asks for the body as it is, and hands back redirects instead of following them")
    func verifyClient() async throws {
        let base = try #require(URL(string: try await RawServer.shared.origin()))
        let client = URLSessionVerifyClient(timeout: 10)
        let moved = try await client.send(PreviewRequest(path: "/moved"), to: base)
        #expect(moved.status == 302)
        #expect(moved.header("Location") == "/elsewhere")
        let echoed = try await client.send(PreviewRequest(path: "/echo", query: "a=1"), to: base)
        #expect(echoed.header("X-Accept-Encoding") == "identity")
        #expect(String(decoding: echoed.body, as: UTF8.self) == "GET /echo?a=1 HTTP/1.1")
        // A server that compresses all the same: libcurl decodes the body, and the header that says
        // so stays, for verify to report.
        let compressed = try await client.send(PreviewRequest(path: "/gzip"), to: base)
        #expect(compressed.header("Content-Encoding") == "gzip")
        #expect(String(decoding: compressed.body, as: UTF8.self) == "{\"ok\":true,\"compressed\":\"yes\"}\n")
    }

    @Test("characters a URL cannot hold and broken escapes reach the backend as sent; the backend's reason phrase comes back")
    func exactTarget() async throws {
        let client = BackendClient(origin: try await RawServer.shared.origin(), timeout: .seconds(10))
        let echoed = try await client.send(BackendRequest(method: "GET", target: "/echo?filter[a]=x|y&p=%zz"))
        #expect(String(decoding: echoed.body, as: UTF8.self) == "GET /echo?filter[a]=x|y&p=%zz HTTP/1.1")
        let made = try await client.send(BackendRequest(method: "GET", target: "/until-close"))
        #expect(made.status == 201)
        #expect(made.reason == "Made Here")
    }

    @Test("a backend that does not answer in time is a timeout; one that is down is refused")
    func clientErrors() async throws {
        let slow = BackendClient(origin: try await RawServer.shared.origin(), timeout: .seconds(1))
        await #expect(throws: BackendError("no answer within 1 s")) {
            _ = try await slow.send(BackendRequest(method: "GET", target: "/slow"))
        }
        let down = BackendClient(origin: "http://127.0.0.1:9", timeout: .seconds(5))
        await #expect(throws: BackendError("connection refused (is the backend running?)")) {
            _ = try await down.send(BackendRequest(method: "GET", target: "/api/me"))
        }
    }

    @Test("host names resolve, IPv4 first")
    func resolve() throws {
        let addresses = try SocketAddresses.resolve(host: "localhost", port: 80)
        #expect(!addresses.isEmpty)
        #expect(throws: BackendError.self) { try SocketAddresses.resolve(host: "no-such-host.invalid", port: 80) }
    }
}
