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
                HeaderField("Host", "127.0.0.1:8080"), HeaderField("Authorization", "Bearer t"), HeaderField("Connection", "keep-alive, X-Trace"),
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

    @Test("the manifest is never public: /_site/ answers the 404 page with status 404", arguments: [
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

    @Test("paths are matched as CloudFront delivers them: percent-encoded, decoded once", arguments: [
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
        #expect(site.securityHeaders.map(\.name) == [
            "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy",
        ])
        #expect(site.securityHeaders.value(of: "content-security-policy")?.contains("connect-src 'self' https://api.acme.example") == true)
    }

    // MARK: The backend client

    /// A raw HTTP server in Python answering a chunked body, a body that ends with the connection,
    /// a redirect, and a 204.
    static let rawServer = #"""
        import socket, sys
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(30)  # never outlives a test run that stopped early
        print(server.getsockname()[1], flush=True)
        answers = {
            "/chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
            "/until-close": b"HTTP/1.0 201 Made Here\r\nContent-Type: text/plain\r\n\r\nuntil the end",
            "/moved": b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nmoved",
            "/empty": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-Empty: yes\r\n\r\n",
        }
        for _ in range(len(answers)):
            connection, _ = server.accept()
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                request += chunk
            if b" " not in request:
                connection.close()
                continue
            path = request.split(b" ")[1].decode()
            connection.sendall(answers.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
            connection.close()
        """#

    @Test("the backend client unframes chunked bodies, reads to the end without a length, and follows no redirects")
    func clientFraming() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-raw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let portFile = folder.appendingPathComponent("port")
        _ = FileManager.default.createFile(atPath: portFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.rawServer]
        process.standardOutput = try FileHandle(forWritingTo: portFile)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Python can take seconds to start on a loaded machine: wait up to a minute for its port.
        var port = ""
        for _ in 0..<3_000 where port.isEmpty {
            port = ((try? String(contentsOf: portFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if port.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        try #require(!port.isEmpty, "the test server never said its port")
        let client = BackendClient(origin: "http://127.0.0.1:\(port)", timeout: .seconds(5))

        let chunked = try await client.send(BackendRequest(method: "GET", target: "/chunked"))
        #expect(chunked.status == 200)
        #expect(String(decoding: chunked.body, as: UTF8.self) == "hello world")
        #expect(chunked.headers.value(of: "Transfer-Encoding") == nil)

        let untilClose = try await client.send(BackendRequest(method: "GET", target: "/until-close"))
        #expect(untilClose.status == 201)
        #expect(untilClose.reason == "Made Here")
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

    @Test("host names resolve, IPv4 first")
    func resolve() throws {
        let addresses = try SocketAddresses.resolve(host: "localhost", port: 80)
        #expect(!addresses.isEmpty)
        #expect(throws: BackendError.self) { try SocketAddresses.resolve(host: "no-such-host.invalid", port: 80) }
    }
}
