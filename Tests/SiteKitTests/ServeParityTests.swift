import Foundation
import Testing

@testable import SiteKit

/// The preview and CloudFront (the emitted distribution config, edge function and response headers
/// policy, run in Node) give the same answer to every request of one table, and that answer is
/// the one the table expects.
@Suite("site serve answers like CloudFront")
struct ServeParityTests {
    /// One request and what both must answer.
    struct Row: Sendable, CustomTestStringConvertible {
        var method = "GET"
        var target: String
        var headers: [HeaderField] = []
        var body = ""
        var status: Int
        /// `object:<key>`, `s3:NoSuchKey`, `backend:<json>`, `cloudfront:403` or `empty`.
        var source: String
        var contentType: String?
        var cacheControl: String?
        var location: String?
        /// Whether the response headers policy applies (the bucket's behavior).
        var secured = true

        var request: PreviewRequest {
            PreviewRequest(method: method, target: target, headers: headers, body: Data(body.utf8))
        }

        var testDescription: String { "\(method) \(target)" }
    }

    static let html = "text/html; charset=utf-8"
    static let htmlCache = "public, max-age=0, s-maxage=86400, must-revalidate"

    static let rows: [Row] = [
        Row(target: "/", status: 200, source: "object:index.html", contentType: html, cacheControl: htmlCache),
        Row(target: "/index.html", status: 200, source: "object:index.html", contentType: html, cacheControl: htmlCache),
        Row(target: "/terms", status: 200, source: "object:terms", contentType: html, cacheControl: htmlCache),
        Row(target: "/terms/", status: 301, source: "empty", cacheControl: "public, max-age=3600", location: "/terms"),
        Row(
            target: "/tos?ref=footer&utm", status: 301, source: "empty", cacheControl: "public, max-age=3600",
            location: "/terms?ref=footer&utm"),
        Row(target: "/privacy", status: 200, source: "object:privacy", contentType: html, cacheControl: htmlCache),
        Row(
            target: "/auth/callback?code=abc123&state=xyz", status: 200, source: "object:index.html", contentType: html,
            cacheControl: htmlCache),
        Row(target: "/app/schedule/2026", status: 200, source: "object:index.html", contentType: html, cacheControl: htmlCache),
        Row(target: "/nowhere", status: 404, source: "object:404.html", contentType: html, cacheControl: htmlCache),
        Row(target: "/assets/index-00000000.js", status: 404, source: "s3:NoSuchKey", contentType: "application/xml"),
        Row(
            target: "/sitemap.xml", status: 200, source: "object:sitemap.xml", contentType: "application/xml; charset=utf-8",
            cacheControl: "public, max-age=300"),
        Row(
            target: "/assets/index-Zz9Yy8Xx.js", status: 200, source: "object:assets/index-Zz9Yy8Xx.js",
            contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable"),
        Row(method: "HEAD", target: "/terms", status: 200, source: "empty", contentType: html, cacheControl: htmlCache),
        Row(method: "POST", target: "/terms", body: "x=1", status: 403, source: "cloudfront:403"),
        // CloudFront's `/api/*` does not match `/api`: the bucket's behavior answers it.
        Row(target: "/api", status: 404, source: "object:404.html", contentType: html, cacheControl: htmlCache),
        Row(
            target: "/api/health?verbose=1", status: 200, source: #"backend:{"ok":true,"query":"verbose=1"}"#,
            contentType: "application/json", secured: false),
        Row(
            target: "/api/missing", status: 404, source: #"backend:{"error":"not found","path":"\/api\/missing"}"#,
            contentType: "application/json", secured: false),
        Row(
            method: "POST", target: "/api/echo?draft=1",
            headers: [
                HeaderField("Content-Type", "application/json"), HeaderField("X-Client", "serve-test"),
                HeaderField("Connection", "X-Hop"), HeaderField("X-Hop", "dropped"),
            ],
            body: #"{"title":"First video"}"#, status: 200,
            source:
                #"backend:{"body":"{\"title\":\"First video\"}","content_type":"application\/json","method":"POST","target":"\/api\/echo?draft=1","x_client":"serve-test","x_hop":"absent"}"#,
            contentType: "application/json", secured: false),
    ]

    /// The response headers policy's headers, with `connect` the CSP's connect-src.
    static func securityHeaders(connect: String) -> [String: String] {
        [
            "strict-transport-security": "max-age=31536000; includeSubDomains",
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "strict-origin-when-cross-origin",
            "content-security-policy":
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src \(connect); object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests",
        ]
    }

    static func fixture() async throws -> ServeFixture {
        try ServeFixture.make(backend: try await TestBackend.shared.start())
    }

    /// Checks `answer` against the row's expectations.
    static func check(
        _ answer: ObservedResponse, _ row: Row, objects: [String: PreviewSite.StoredObject], who: String,
        connect: String = "'self' https://api.acme.example"
    ) {
        #expect(answer.status == row.status, "\(who): status")
        #expect(answer.source(objects: objects) == row.source, "\(who): body source")
        if let contentType = row.contentType { #expect(answer.headers["content-type"] == contentType, "\(who): Content-Type") }
        if let cacheControl = row.cacheControl { #expect(answer.headers["cache-control"] == cacheControl, "\(who): Cache-Control") }
        #expect(answer.headers["location"] == row.location, "\(who): Location")
        for (name, value) in securityHeaders(connect: connect) {
            #expect(answer.headers[name] == (row.secured ? value : nil), "\(who): \(name)")
        }
        if row.source.hasPrefix("backend:") { #expect(answer.headers["x-backend"] == "test", "\(who): backend headers pass") }
    }

    @Test("the preview answers each request as the table expects", arguments: rows)
    func preview(row: Row) async throws {
        let fixture = try await Self.fixture()
        let answer = await fixture.preview(row.request)
        Self.check(answer, row, objects: fixture.site.objects, who: "preview")
    }

    @Test("CloudFront, from the emitted configuration run in Node, answers each request as the table expects", arguments: rows)
    func cloudFront(row: Row) async throws {
        let fixture = try await Self.fixture()
        let answer = try #require(try await fixture.cloudFront([row.request]).first)
        Self.check(answer, row, objects: fixture.site.objects, who: "CloudFront")
    }

    @Test("the preview and CloudFront give the same status, key headers and body for the whole table")
    func same() async throws {
        let fixture = try await Self.fixture()
        let cloudFront = try await fixture.cloudFront(Self.rows.map(\.request))
        try #require(cloudFront.count == Self.rows.count)
        for (row, edge) in zip(Self.rows, cloudFront) {
            let preview = await fixture.preview(row.request)
            #expect(preview.status == edge.status, "\(row.testDescription)")
            if row.source == "cloudfront:403" {
                // CloudFront's own error page: same status and policy headers, its own wording.
                let policy = Set(Self.securityHeaders(connect: "").keys)
                #expect(preview.keyHeaders.filter { policy.contains($0.key) } == edge.keyHeaders.filter { policy.contains($0.key) })
            } else {
                #expect(preview.keyHeaders == edge.keyHeaders, "\(row.testDescription)")
                #expect(preview.body == edge.body, "\(row.testDescription): \(preview) vs \(edge)")
            }
        }
    }

    // MARK: infra.spa_fallback: error_response

    static let errorResponseConfig = TestProject.config
        .replacingOccurrences(of: "api:\n  path_pattern: /api/*\n  origin: https://api.acme.example\n", with: "")
        .replacingOccurrences(of: "infra:\n  bucket: acme-site", with: "infra:\n  bucket: acme-site\n  spa_fallback: error_response")

    static let errorResponseRows: [Row] = [
        Row(target: "/", status: 200, source: "object:index.html", contentType: html, cacheControl: htmlCache),
        Row(target: "/terms", status: 200, source: "object:terms", contentType: html, cacheControl: htmlCache),
        Row(target: "/terms/", status: 301, source: "empty", cacheControl: "public, max-age=3600", location: "/terms"),
        Row(
            target: "/assets/index-00000000.js", status: 200, source: "object:index.html", contentType: html,
            cacheControl: htmlCache),
        Row(
            target: "/auth/callback?code=abc123&state=xyz", status: 200, source: "object:index.html", contentType: html,
            cacheControl: htmlCache),
        Row(target: "/nowhere", status: 200, source: "object:index.html", contentType: html, cacheControl: htmlCache),
    ]

    @Test("with infra.spa_fallback: error_response, unknown paths get the shell with 200 from both", arguments: errorResponseRows)
    func errorResponse(row: Row) async throws {
        var files = TestProject.files
        files["site.yml"] = Self.errorResponseConfig
        let fixture = try ServeFixture.make(files, backend: nil)
        #expect(fixture.site.spaFallback == .errorResponse)
        let preview = await fixture.preview(row.request)
        Self.check(preview, row, objects: fixture.site.objects, who: "preview", connect: "'self'")
        let edge = try #require(try await fixture.cloudFront([row.request]).first)
        #expect(edge.status == preview.status)
        #expect(edge.keyHeaders == preview.keyHeaders)
        #expect(edge.body == preview.body)
    }
}
