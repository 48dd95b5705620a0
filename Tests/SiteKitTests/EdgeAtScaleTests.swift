import Foundation
import Testing

@testable import SiteKit

/// The viewer-request function (run in Node over its KeyValueStore, as ``EdgeFunctionTests`` does)
/// answers like the routing table on a large generated site, 10,000 pages and 1,000 aliases, and
/// the `site serve` preview answers every one of those requests as the function does.
///
/// The site is built through ``TestProject/build(_:drafts:)`` (the whole pipeline: rendering,
/// checks, manifest), not from a hand-made ``RoutingTable``: the preview needs the built objects,
/// and the build stays well under a minute in a debug build (its time is printed).
///
/// Route rules (``URLPath/allowed``) admit only ASCII letters, digits and `- _ . ~ /`, so no page
/// can be named `café-N.md`: the build refuses such names. Percent-encoded non-ASCII paths
/// (`/caf%C3%A9-3`) are asked for anyway and must be unknown pages; percent-encoded spellings of
/// ASCII routes (`/%70age-0`, `/Notes_4%7Ev2`) must answer as the route itself.
@Suite("Edge at scale", .serialized)
struct EdgeAtScaleTests {
    typealias Answer = EdgeFunctionTests.Answer

    static let pageCount = 10_000
    /// One alias on every 10th page.
    static let aliasEvery = 10

    // MARK: The generated site

    /// A page of the generated site: its file under `content/`, the route that file gives, and
    /// its aliases.
    struct GeneratedPage {
        var file: String
        var route: String
        var aliases: [String] = []
    }

    /// Page `index` in one of eight shapes, chosen by `index % 8`.
    static func page(_ index: Int) -> GeneratedPage {
        var page: GeneratedPage
        switch index % 8 {
        case 0: page = GeneratedPage(file: "page-\(index).md", route: "/page-\(index)")
        case 1:
            page = GeneratedPage(
                file: "docs/section-\(index / 500)/topic-\(index).md", route: "/docs/section-\(index / 500)/topic-\(index)")
        // A folder index with a page below it (shape 3), so its key is `guide-N/index.html`.
        case 2: page = GeneratedPage(file: "guide-\(index)/index.md", route: "/guide-\(index)")
        case 3: page = GeneratedPage(file: "guide-\(index - 1)/step-\(index).md", route: "/guide-\(index - 1)/step-\(index)")
        case 4: page = GeneratedPage(file: "Notes_\(index)~v2.md", route: "/Notes_\(index)~v2")
        // A dot in the last segment: the function's "has an extension" rule sees a file.
        case 5: page = GeneratedPage(file: "release/v\(index).0.md", route: "/release/v\(index).0")
        case 6: page = GeneratedPage(file: "a/b/c/deep-\(index).md", route: "/a/b/c/deep-\(index)")
        // A folder index alone in its folder: its key is `solo-N`.
        default: page = GeneratedPage(file: "solo-\(index)/index.md", route: "/solo-\(index)")
        }
        if index % aliasEvery == 0 { page.aliases = [alias(index)] }
        return page
    }

    /// The alias of page `index`, in one of five shapes: plain, nested, with an extension, under
    /// the SPA prefix `/app/` (a redirect wins over the SPA route), and top-level.
    static func alias(_ index: Int) -> String {
        switch (index / aliasEvery) % 5 {
        case 0: "/old/page-\(index)"
        case 1: "/archive/2019/item-\(index)"
        case 2: "/legacy/\(index).html"
        case 3: "/app/legacy-\(index)"
        default: "/moved-\(index)"
        }
    }

    static let pages = (0..<pageCount).map(page)

    /// The default test project with the generated pages added.
    static var files: [String: String?] {
        var files: [String: String?] = [:]
        for (index, page) in pages.enumerated() {
            let aliases = page.aliases.isEmpty ? "" : "aliases: [\(page.aliases.joined(separator: ", "))]\n"
            files["content/" + page.file] = "---\ntitle: Page \(index)\n\(aliases)---\nText of page \(index).\n"
        }
        return files
    }

    // MARK: The request table

    /// One request and the HTTP status a client must get for it.
    struct Row {
        var target: String
        var status: Int
    }

    static let query = "?a=1&b=2"

    /// Requests for every kind of route of `routes`.
    static func rows(routes: RoutingTable) -> [Row] {
        var rows: [Row] = []
        for page in pages + [GeneratedPage(file: "terms.md", route: "/terms"), GeneratedPage(file: "privacy.md", route: "/privacy")] {
            rows.append(Row(target: page.route, status: 200))
            rows.append(Row(target: page.route + "/", status: 301))
        }
        for alias in pages.flatMap(\.aliases) + ["/tos"] {
            rows.append(Row(target: alias, status: 301))
            rows.append(Row(target: alias + query, status: 301))
            rows.append(Row(target: alias + "/", status: 301))
        }
        for route in routes.spaRoutes {
            if route.isPrefix {
                rows += [route.path, String(route.path.dropLast()), route.path + "generated/2026/07"].map { Row(target: $0, status: 200) }
            } else {
                rows.append(Row(target: route.path, status: 200))
            }
        }
        rows += [
            Row(target: "/index.html", status: 200),
            Row(target: "/auth/callback?code=x&state=y", status: 200),
            Row(target: "/assets/missing-12345678.js", status: 404),
            Row(target: "/release/v99999.0", status: 404),
            Row(target: "/nowhere", status: 404),
            Row(target: "/docs/section-0/missing", status: 404),
            Row(target: "/guide-2/missing", status: 404),
            Row(target: "/page-0/extra", status: 404),
            Row(target: "/_site/manifest.json", status: 404),
            Row(target: "/_site/", status: 404),
            Row(target: "/_site", status: 404),
            Row(target: "/%5Fsite/manifest.json", status: 404),
            // Non-ASCII names are refused by the route rules: these are unknown pages.
            Row(target: "/caf%C3%A9-3", status: 404),
            Row(target: "/caf%c3%a9-3", status: 404),
            Row(target: "/docs/caf%C3%A9", status: 404),
            // Malformed percent-encoding.
            Row(target: "/page-%E0%A4%A", status: 404),
            Row(target: "/%ZZ", status: 404),
            // Percent-encoded spellings of ASCII routes and aliases.
            Row(target: "/%70age-0", status: 200),
            Row(target: "/page%2D8", status: 200),
            Row(target: "/page%2d8", status: 200),
            Row(target: "/Notes_4%7Ev2", status: 200),
            Row(target: "/Notes_4%7ev2", status: 200),
            Row(target: "/docs%2Fsection-0%2Ftopic-1", status: 200),
            Row(target: "/guide-2%2F", status: 301),
            Row(target: "/release/v5%2E0", status: 200),
            Row(target: "/old%2Fpage-0" + query, status: 301),
        ]
        return rows
    }

    // MARK: The run, shared by the tests

    /// The built site, its store and function, and the function's answer to every row, from one
    /// Node run.
    struct Fixture {
        var result: BuildPipeline.Result
        var store: EdgeRouteStore
        var code: String
        var rows: [Row]
        var answers: [Answer]

        var routes: RoutingTable { result.manifest.routes }

        static func make() throws -> Fixture {
            let clock = ContinuousClock()
            var result: BuildPipeline.Result?
            let build = try clock.measure { result = try TestProject.build(TestProject.with(EdgeAtScaleTests.files)) }
            let built = try #require(result)
            let store = EdgeRouteStore(routes: built.manifest.routes)
            let code = EdgeFunction.viewerRequestCode(store: store)
            let rows = EdgeAtScaleTests.rows(routes: built.manifest.routes)
            var answers: [Answer] = []
            let node = try clock.measure { answers = try EdgeFunctionTests.run(code, store: store, rows.map(\.target)) }
            print("Edge at scale: build of \(built.pages.count) pages took \(build)")
            print("Edge at scale: function code \(code.utf8.count) bytes (limit \(EdgeFunction.sizeLimit))")
            print("Edge at scale: store \(store.entries.count) keys, \(store.totalBytes) bytes (limit \(AWSLimits.keyValueStoreBytes))")
            print("Edge at scale: one Node run over \(rows.count) requests took \(node)")
            return Fixture(result: built, store: store, code: code, rows: rows, answers: answers)
        }
    }

    static let fixture = Result { try Fixture.make() }

    // MARK: Expectations

    /// What the function must answer for `target`, from the routing table: the switch of
    /// ``EdgeFunctionTests``, over the percent-decoded path. Passed-on URIs are compared decoded
    /// (the key S3 serves), since the function passes encoded paths on in one canonical spelling.
    static func expected(_ target: String, routes: RoutingTable) -> Answer? {
        let path = RoutingTable.stripQuery(target)
        let query = target.split(separator: "?", maxSplits: 1).dropFirst().first.map { "?" + $0 } ?? ""
        guard let decoded = EdgeRouteStore.decode(path) else { return Answer(status: 0, uri: "/" + routes.notFound) }
        switch routes.resolve(decoded) {
        case .redirect(let to, let status): return Answer(status: status, location: to + query)
        case .spa(let key), .object(let key): return Answer(status: 0, uri: "/" + key)
        case .notFound(let key):
            // Files go on to S3, which answers 404 for a missing key.
            let isFile = EdgeFunction.hasExtension(decoded) && !EdgeRouteStore.isReserved(decoded)
            return Answer(status: 0, uri: isFile ? decoded : "/" + key)
        case .api: return nil
        }
    }

    /// The function's answer with its URI decoded; an unchanged `/` is CloudFront's default root
    /// object, the shell.
    static func normalized(_ answer: Answer, routes: RoutingTable) -> Answer {
        var answer = answer
        if let uri = answer.uri { answer.uri = uri == "/" ? "/" + routes.shell : (uri.removingPercentEncoding ?? uri) }
        return answer
    }

    /// The status and `Location` a client gets for the function's answer: its own status for
    /// redirects; for a passed-on URI, 404 for the 404 page and for a key the bucket lacks, else 200.
    static func http(_ answer: Answer, site: PreviewSite) -> (status: Int, location: String?) {
        guard answer.status == 0, let uri = answer.uri else { return (answer.status, answer.location) }
        let key = String(uri.dropFirst())
        return (key == site.routes.notFound || site.objects[key] == nil ? 404 : 200, nil)
    }

    /// Records one issue naming the first 50 mismatches (request, expected, got), so that a broken
    /// run stays readable; nothing when there are none.
    static func expectNone(_ mismatches: [String], of total: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        guard !mismatches.isEmpty else { return }
        let listed = mismatches.prefix(50).joined(separator: "\n")
        Issue.record("\(mismatches.count) of \(total) requests differ:\n\(listed)", sourceLocation: sourceLocation)
    }

    // MARK: Tests

    @Test("the generated site has 10,000 pages and 1,000 aliases, and fits the function and store limits")
    func limits() throws {
        let fixture = try Self.fixture.get()
        #expect(fixture.result.pages.count == Self.pageCount + 2, "the generated pages plus terms and privacy")
        #expect(Self.pages.flatMap(\.aliases).count == 1_000)
        #expect(fixture.code.utf8.count < EdgeFunction.sizeLimit)
        #expect(fixture.store.totalBytes < AWSLimits.keyValueStoreBytes)
        for entry in fixture.store.entries {
            #expect(entry.key.utf8.count <= AWSLimits.keyValueStoreKeyBytes, "\(entry.key)")
            #expect(entry.value.encoded.utf8.count <= AWSLimits.keyValueStoreValueBytes, "\(entry.key)")
        }
    }

    @Test("the function over its store answers every request like the routing table")
    func functionMatchesTable() throws {
        let fixture = try Self.fixture.get()
        try #require(fixture.answers.count == fixture.rows.count)
        var mismatches: [String] = []
        for (row, answer) in zip(fixture.rows, fixture.answers) {
            guard let expected = Self.expected(row.target, routes: fixture.routes) else {
                Issue.record("the function never sees API paths: \(row.target)")
                continue
            }
            let got = Self.normalized(answer, routes: fixture.routes)
            if got != expected { mismatches.append("\(row.target): expected \(expected), got \(answer)") }
        }
        Self.expectNone(mismatches, of: fixture.rows.count)
    }

    @Test("every request gets the status its kind of route calls for")
    func statuses() throws {
        let fixture = try Self.fixture.get()
        let site = PreviewSite(result: fixture.result)
        var mismatches: [String] = []
        for (row, answer) in zip(fixture.rows, fixture.answers) where Self.http(answer, site: site).status != row.status {
            mismatches.append("\(row.target): expected \(row.status), got \(answer)")
        }
        Self.expectNone(mismatches, of: fixture.rows.count)
    }

    @Test("the preview gives the function's status and Location for every request")
    func previewParity() async throws {
        let fixture = try Self.fixture.get()
        let site = PreviewSite(result: fixture.result)
        let router = PreviewRouter(site: site)
        let clock = ContinuousClock()
        let start = clock.now
        var mismatches: [String] = []
        for (row, answer) in zip(fixture.rows, fixture.answers) {
            let edge = Self.http(answer, site: site)
            let preview = await router.answer(PreviewRequest(target: row.target), timeout: .seconds(5))
            if preview.status != edge.status || preview.header("Location") != edge.location {
                mismatches.append(
                    "\(row.target): function \(edge.status) \(edge.location ?? "-"), preview \(preview.status) \(preview.header("Location") ?? "-")"
                )
            }
        }
        print("Edge at scale: the preview answered \(fixture.rows.count) requests in \(clock.now - start)")
        Self.expectNone(mismatches, of: fixture.rows.count)
    }
}
