import Testing
@testable import SiteKit

@Suite("MediaTypes: Content-Type by extension")
struct MediaTypesTests {
    struct TypeCase: CustomTestStringConvertible, Sendable {
        let key: String
        let contentType: String
        var testDescription: String { "\(key) -> \(contentType)" }
    }

    static let issueList: [TypeCase] = [
        TypeCase(key: "404.html", contentType: "text/html; charset=utf-8"),
        TypeCase(key: "assets/site-3fA9c2Lq.css", contentType: "text/css; charset=utf-8"),
        TypeCase(key: "assets/index-Cq3fM0aZ.js", contentType: "text/javascript; charset=utf-8"),
        TypeCase(key: "assets/worker.mjs", contentType: "text/javascript; charset=utf-8"),
        TypeCase(key: "manifest.json", contentType: "application/json; charset=utf-8"),
        TypeCase(key: "assets/index-Cq3fM0aZ.js.map", contentType: "application/json; charset=utf-8"),
        TypeCase(key: "logo.svg", contentType: "image/svg+xml; charset=utf-8"),
        TypeCase(key: "logo.png", contentType: "image/png"),
        TypeCase(key: "photo.jpg", contentType: "image/jpeg"),
        TypeCase(key: "photo.webp", contentType: "image/webp"),
        TypeCase(key: "photo.avif", contentType: "image/avif"),
        TypeCase(key: "favicon.ico", contentType: "image/x-icon"),
        TypeCase(key: "fonts/inter.woff", contentType: "font/woff"),
        TypeCase(key: "fonts/inter.woff2", contentType: "font/woff2"),
        TypeCase(key: "assets/engine.wasm", contentType: "application/wasm"),
        TypeCase(key: "robots.txt", contentType: "text/plain; charset=utf-8"),
        TypeCase(key: "sitemap.xml", contentType: "application/xml; charset=utf-8"),
        TypeCase(key: "site.webmanifest", contentType: "application/manifest+json; charset=utf-8"),
    ]

    @Test("every extension of the issue list has its Content-Type", arguments: issueList)
    func issueExtensions(_ testCase: TypeCase) {
        #expect(MediaTypes.contentType(forKey: testCase.key) == testCase.contentType)
    }

    static let otherKeyCases: [TypeCase] = [
        TypeCase(key: "terms", contentType: "text/html; charset=utf-8"),
        TypeCase(key: "legal/privacy", contentType: "text/html; charset=utf-8"),
        TypeCase(key: "v1.2/terms", contentType: "text/html; charset=utf-8"),
        TypeCase(key: "data.xyz", contentType: "application/octet-stream"),
        TypeCase(key: "archive.tar.gz", contentType: "application/octet-stream"),
        TypeCase(key: "assets/LOGO.PNG", contentType: "image/png"),
        TypeCase(key: "Index.HTML", contentType: "text/html; charset=utf-8"),
        TypeCase(key: "assets/App.Js", contentType: "text/javascript; charset=utf-8"),
    ]

    @Test(
        "extension-less keys are HTML, unknown extensions are bytes, upper-case extensions work", arguments: otherKeyCases)
    func otherKeys(_ testCase: TypeCase) {
        #expect(MediaTypes.contentType(forKey: testCase.key) == testCase.contentType)
    }

    @Test("the fallback type is application/octet-stream")
    func fallback() {
        #expect(MediaTypes.fallback == "application/octet-stream")
    }

    @Test("every text type in the table carries charset=utf-8 and no binary type does")
    func charsets() {
        let textual = ["text/", "application/json", "application/xml", "application/manifest+json", "image/svg+xml"]
        for (ext, type) in MediaTypes.table {
            let isText = textual.contains { type.hasPrefix($0) }
            #expect(type.hasSuffix("; charset=utf-8") == isText, "\(ext): \(type)")
        }
    }
}

@Suite("CachePolicy: Cache-Control per kind of object")
struct CachePolicyTests {
    struct PolicyCase: CustomTestStringConvertible, Sendable {
        let kind: ObjectKind
        let settings: CacheSettings
        let header: String
        var testDescription: String {
            "\(kind) with \(settings.htmlEdgeSeconds)s edge, \(settings.otherSeconds)s other"
        }
    }

    static let cases: [PolicyCase] = [
        PolicyCase(kind: .page, settings: CacheSettings(), header: "public, max-age=0, s-maxage=86400, must-revalidate"),
        PolicyCase(kind: .shell, settings: CacheSettings(), header: "public, max-age=0, s-maxage=86400, must-revalidate"),
        PolicyCase(kind: .asset, settings: CacheSettings(), header: "public, max-age=31536000, immutable"),
        PolicyCase(kind: .other, settings: CacheSettings(), header: "public, max-age=300"),
        PolicyCase(
            kind: .page, settings: CacheSettings(htmlEdgeSeconds: 60, otherSeconds: 10),
            header: "public, max-age=0, s-maxage=60, must-revalidate"),
        PolicyCase(
            kind: .shell, settings: CacheSettings(htmlEdgeSeconds: 60, otherSeconds: 10),
            header: "public, max-age=0, s-maxage=60, must-revalidate"),
        PolicyCase(
            kind: .asset, settings: CacheSettings(htmlEdgeSeconds: 60, otherSeconds: 10),
            header: "public, max-age=31536000, immutable"),
        PolicyCase(kind: .other, settings: CacheSettings(htmlEdgeSeconds: 60, otherSeconds: 10), header: "public, max-age=10"),
    ]

    @Test("HTML is revalidated by browsers and kept at the edge, assets are immutable, the rest is short-lived", arguments: cases)
    func cacheControl(_ testCase: PolicyCase) {
        #expect(CachePolicy.cacheControl(for: testCase.kind, settings: testCase.settings) == testCase.header)
    }

    @Test("the manifest is never cached")
    func manifest() {
        #expect(CachePolicy.manifest == "no-cache")
    }
}
