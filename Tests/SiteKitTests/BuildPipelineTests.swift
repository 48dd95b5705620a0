import Foundation
import Testing

@testable import SiteKit

@Suite("Build pipeline")
struct BuildPipelineTests {
    @Test("a build writes pages at extension-less keys, the shell, 404, sitemap, robots and copied files")
    func objects() throws {
        let result = try TestProject.build()
        #expect(
            result.objects.map(\.key) == [
                "404.html", "assets/index-Qq1Ww2Ee.css", "assets/index-Zz9Yy8Xx.js",
                "assets/shared-AbCd1234.js", "assets/site-\(Digest.fingerprint(Data("body { margin: 0 }\n".utf8))).css",
                "favicon.svg", "index.html", "privacy", "robots.txt", "sitemap.xml", "terms",
            ])
        let kinds = Dictionary(uniqueKeysWithValues: result.objects.map { ($0.key, $0.kind) })
        #expect(kinds["terms"] == .page)
        #expect(kinds["index.html"] == .shell)
        #expect(kinds["assets/index-Zz9Yy8Xx.js"] == .asset)
        #expect(kinds["favicon.svg"] == .other)
    }

    @Test("content variables are expanded and headings get ids")
    func terms() throws {
        let html = try #require(TestProject.text(try TestProject.build(), "terms"))
        #expect(html.contains("<p>Acme Labs, Inc. runs Acme. Write to <a href=\"mailto:legal@acme.example\">us</a>.</p>"))
        #expect(html.contains("<h2 id=\"who-we-are\">Who we are</h2>"))
        #expect(html.contains("<nav><a href=\"#who-we-are\">Who we are</a><a href=\"#termination\">Termination</a></nav>"))
        #expect(html.contains("<link rel=\"stylesheet\" href=\"/assets/site-"))
        #expect(!html.contains("{{"))
    }

    @Test("the shell takes its tags from the Vite manifest")
    func shellFromViteManifest() throws {
        let html = try #require(TestProject.text(try TestProject.build(), "index.html"))
        #expect(html.contains("<link rel=\"stylesheet\" href=\"/assets/index-Qq1Ww2Ee.css\">"))
        #expect(html.contains("<link rel=\"modulepreload\" href=\"/assets/shared-AbCd1234.js\">"))
        #expect(html.contains("<script type=\"module\" src=\"/assets/index-Zz9Yy8Xx.js\"></script>"))
        #expect(html.contains("<title>Acme app</title>"))
        #expect(html.contains("<div id=\"root\"></div>"))
    }

    @Test("without a Vite manifest the shell takes its tags from the bundle's index.html")
    func shellFromIndexHTML() throws {
        let files = TestProject.with([
            "app/dist/.vite/manifest.json": nil,
            "app/dist/index.html": """
            <!doctype html><html><head>
            <script type="module" crossorigin src="/assets/index-Zz9Yy8Xx.js"></script>
            <link rel="modulepreload" crossorigin href="/assets/shared-AbCd1234.js">
            <link rel="stylesheet" crossorigin href="/assets/index-Qq1Ww2Ee.css">
            </head><body><div id="root"></div></body></html>
            """,
        ])
        let html = try #require(TestProject.text(try TestProject.build(files), "index.html"))
        #expect(html.contains("<link rel=\"stylesheet\" href=\"/assets/index-Qq1Ww2Ee.css\">"))
        #expect(html.contains("<link rel=\"modulepreload\" href=\"/assets/shared-AbCd1234.js\">"))
        #expect(html.contains("<script type=\"module\" src=\"/assets/index-Zz9Yy8Xx.js\"></script>"))
    }

    @Test("the sitemap lists the shell and pages with lastmod from front matter")
    func sitemap() throws {
        let xml = try #require(TestProject.text(try TestProject.build(), "sitemap.xml"))
        #expect(
            xml == """
                <?xml version="1.0" encoding="UTF-8"?>
                <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                  <url>
                    <loc>https://d111111abcdef8.cloudfront.net/</loc>
                  </url>
                  <url>
                    <loc>https://d111111abcdef8.cloudfront.net/privacy</loc>
                    <lastmod>2026-01-15</lastmod>
                  </url>
                  <url>
                    <loc>https://d111111abcdef8.cloudfront.net/terms</loc>
                    <lastmod>2026-02-01</lastmod>
                  </url>
                </urlset>

                """)
    }

    @Test("robots.txt points at the sitemap and keeps crawlers out of the API")
    func robots() throws {
        let text = try #require(TestProject.text(try TestProject.build(), "robots.txt"))
        #expect(
            text == """
                User-agent: *
                Disallow: /api/
                Disallow: /_site/
                Allow: /

                Sitemap: https://d111111abcdef8.cloudfront.net/sitemap.xml

                """)
    }

    @Test("the manifest describes every object with digests, types and cache rules")
    func manifest() throws {
        let result = try TestProject.build()
        let terms = try #require(result.manifest.objects.first { $0.key == "terms" })
        let data = try #require(result.objects.first { $0.key == "terms" }?.data)
        #expect(terms.size == data.count)
        #expect(terms.sha256 == Digest.sha256(data))
        #expect(terms.md5 == Digest.md5(data))
        #expect(terms.contentType == "text/html; charset=utf-8")
        #expect(terms.cacheControl == "public, max-age=0, s-maxage=86400, must-revalidate")
        #expect(terms.source == "content/terms.md")
        let script = try #require(result.manifest.objects.first { $0.key == "assets/index-Zz9Yy8Xx.js" })
        #expect(script.contentType == "text/javascript; charset=utf-8")
        #expect(script.cacheControl == "public, max-age=31536000, immutable")
        #expect(result.manifest.objects.map(\.key) == result.objects.map(\.key))
        let decoded = try Manifest.decode(result.manifestData)
        #expect(decoded == result.manifest)
        #expect(decoded.routes.resolve("/tos") == .redirect(to: "/terms", status: 301))
    }

    @Test("two builds of the same input give byte-identical output")
    func deterministic() throws {
        let first = try TestProject.build()
        let second = try TestProject.build()
        #expect(first.objects == second.objects)
        #expect(first.manifestData == second.manifestData)
    }

    @Test("a build that does not list external links finds the same and writes the same, without locating them")
    func withoutExternalLinks() throws {
        let files = TestProject.with([
            "content/privacy.md": TestProject.files["content/privacy.md"]! + "\nSee [the law](https://example.org/law).\n"
        ])
        let listed = try BuildPipeline(options: .init()).run(fileSystem: MemoryFileSystem(files))
        var options = BuildPipeline.Options()
        options.listsExternalLinks = false
        let unlisted = try BuildPipeline(options: options).run(fileSystem: MemoryFileSystem(files))
        #expect(listed.check.externalLinks.map(\.url).contains("https://example.org/law"))
        #expect(unlisted.check.externalLinks.isEmpty)
        #expect(unlisted.check.linksChecked == listed.check.linksChecked)
        #expect(unlisted.check.diagnostics == listed.check.diagnostics)
        #expect(unlisted.objects == listed.objects)
        #expect(unlisted.manifestData == listed.manifestData)
    }

    @Test("a page with pages below it is stored at route/index.html and still answers at its route")
    func sectionIndex() throws {
        let files = TestProject.with([
            "content/legal/index.md": "---\ntitle: Legal\n---\nSee [cookies](/legal/cookies).\n",
            "content/legal/cookies.md": "---\ntitle: Cookies\n---\nBack to [legal](/legal).\n",
        ])
        let result = try TestProject.build(files)
        #expect(result.objects.contains { $0.key == "legal/index.html" && $0.kind == .page })
        #expect(result.objects.contains { $0.key == "legal/cookies" })
        #expect(result.manifest.routes.resolve("/legal") == .object(key: "legal/index.html"))
        #expect(result.manifest.routes.resolve("/legal/") == .redirect(to: "/legal", status: 301))
        #expect(InvalidationPlanner.paths(for: ["legal/index.html"], routes: [result.manifest.routes]) == ["/legal", "/legal/index.html"])
    }

    @Test("drafts are left out unless asked for")
    func drafts() throws {
        let files = TestProject.with(["content/draft.md": "---\ntitle: Soon\ndraft: true\n---\nText\n"])
        #expect(try TestProject.build(files).objects.contains { $0.key == "draft" } == false)
        #expect(try TestProject.build(files, drafts: true).objects.contains { $0.key == "draft" })
    }

    @Test("non-Markdown files under content are copied as they are")
    func staticFiles() throws {
        let files = TestProject.with(["content/images/logo.png": "PNG"])
        let result = try TestProject.build(files)
        let logo = try #require(result.manifest.objects.first { $0.key == "images/logo.png" })
        #expect(logo.contentType == "image/png")
        #expect(logo.kind == .other)
    }

    @Test("a build without an SPA has no shell and may use / for a page")
    func withoutSPA() throws {
        var config = TestProject.config
        config = String(config[..<config.range(of: "spa:")!.lowerBound]) + "infra:\n  bucket: acme-site\n"
        let files = TestProject.with([
            "site.yml": config, "content/index.md": "---\ntitle: Home\n---\nWelcome\n",
        ])
        let result = try TestProject.build(files)
        #expect(result.objects.first { $0.key == "index.html" }?.kind == .page)
        #expect(result.manifest.routes.resolve("/") == .object(key: "index.html"))
        #expect(result.manifest.routes.resolve("/nope") == .notFound(key: "404.html"))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var changes: [String: String?]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unknown variable in content",
            changes: ["content/privacy.md": "---\ntitle: P\n---\nHello {{site.compnay}}.\n"],
            expected: ["content/privacy.md:4:7: error: unknown variable 'site.compnay'"]),
        Case(
            name: "unknown variable in a template",
            changes: ["templates/404.mustache": "{{<layout}}{{$main}}\n  <h1>{{page.titel}}</h1>{{/main}}{{/layout}}\n"],
            expected: ["templates/404.mustache:2:7: error: unknown variable 'page.titel' (did you mean 'page.title'?)"]),
        Case(
            name: "missing partial",
            changes: ["templates/partials/header.mustache": nil],
            expected: ["templates/layout.mustache:4:7: error: unknown partial 'partials/header'"]),
        Case(
            name: "partial that includes itself",
            changes: ["templates/partials/header.mustache": "<header>{{> partials/header}}</header>"],
            expected: [
                "templates/partials/header.mustache:1:9: error: partial 'partials/header' includes itself; rendering would never end"
            ]),
        Case(
            name: "unclosed section in a template",
            changes: ["templates/404.mustache": "{{#page.title}}\n<h1>x</h1>\n"],
            expected: ["templates/404.mustache:1:1: error: section '{{#page.title}}' is never closed"]),
        Case(
            name: "two pages claim one route",
            changes: ["content/tos.md": "---\ntitle: T\nroute: /terms\n---\n"],
            expected: ["content/tos.md:3:8: error: page content/tos.md and page content/terms.md both claim /terms"]),
        Case(
            name: "page shadows a bundle file",
            changes: ["content/favicon.md": "---\ntitle: F\nroute: /favicon.svg\n---\n"],
            expected: [
                "content/favicon.md:3:8: error: page content/favicon.md and bundle file app/dist/favicon.svg collide on /favicon.svg"
            ]),
        Case(
            name: "a file where a page needs a folder",
            changes: ["content/terms.pdf/x.md": "---\ntitle: X\n---\n", "content/terms.pdf": "%PDF"],
            expected: [
                "content/terms.pdf/x.md:1:1: error: page content/terms.pdf/x.md needs 'terms.pdf' to be a folder, but content file content/terms.pdf is the file 'terms.pdf'"
            ]),
        Case(
            name: "page under the API path",
            changes: ["content/api.md": "---\ntitle: A\nroute: /api/docs\n---\n"],
            expected: ["content/api.md:3:8: error: route /api/docs falls under the API path /api/*, so the backend would answer it"]),
        Case(
            name: "page under the reserved prefix",
            changes: ["content/x.md": "---\ntitle: A\nroute: /_site/x\n---\n"],
            expected: ["content/x.md:3:8: error: route /_site/x is under /_site/, which site reserves"]),
        Case(
            name: "alias that is already a page",
            changes: ["content/privacy.md": "---\ntitle: P\naliases: [/terms]\n---\n"],
            expected: [
                "content/privacy.md:3:11: error: alias /terms is already the route of page content/terms.md at content/terms.md:1:1, so the redirect would never run"
            ]),
        Case(
            name: "registered legal page missing",
            changes: ["content/privacy.md": nil],
            expected: ["site.yml:10:12: error: pages.privacy is /privacy, but no page in content/ has that route"]),
        Case(
            name: "unknown template named by a page",
            changes: ["content/privacy.md": "---\ntitle: P\ntemplate: legl\n---\n"],
            expected: ["content/privacy.md:3:11: error: unknown template 'legl' (did you mean 'legal'?)"]),
        Case(
            name: "Vite manifest that is not JSON",
            changes: ["app/dist/.vite/manifest.json": "{ nope"],
            expected: ["app/dist/.vite/manifest.json:1:1: error: not a Vite manifest: The given data was not valid JSON."]),
        Case(
            name: "section in content",
            changes: ["content/privacy.md": "---\ntitle: P\n---\n{{#site}}x{{/site}}\n"],
            expected: [
                "content/privacy.md:4:1: error: '{{#site}}': only variables such as {{site.name}} can be used in content",
                "content/privacy.md:4:11: error: '{{/site}}': only variables such as {{site.name}} can be used in content",
            ]),
    ]

    @Test("bad input fails the build with exact, located messages", arguments: cases)
    func rejects(_ testCase: Case) {
        #expect(lines(TestProject.failures(TestProject.with(testCase.changes))) == testCase.expected)
    }
}

@Suite("Build steps")
struct BuildStepTests {
    @Test("the steps run in order, each told to progress; a failing step's errors carry its name and the steps after it do not run")
    func failingStep() throws {
        var seen: [String] = []
        let pipeline = BuildPipeline(options: .init())
        let context = try pipeline.run(BuildPipeline.steps, fileSystem: MemoryFileSystem(TestProject.files)) { index, total, name in
            seen.append("\(index)/\(total) \(name)")
        }
        #expect(seen == BuildPipeline.steps.enumerated().map { "\($0.offset + 1)/\(BuildPipeline.steps.count) \($0.element.name)" })
        #expect(context.manifest != nil && !context.objects.isEmpty)
        #expect(try context.result().objects == context.objects)

        let broken = TestProject.with(["content/privacy.md": "---\ntitle: P\n---\nSee [x](/nowhere).\n"])
        let later = BuildStep("After the checks") { _ in Issue.record("a step after a failed one ran") }
        #expect {
            try pipeline.run(BuildPipeline.steps + [later], fileSystem: MemoryFileSystem(broken))
        } throws: { error in
            (error as? DiagnosticError)?.step == "Check pages"
        }
    }

    @Test(
        "a step whose input no earlier step made is an error that says so, not a crash",
        arguments: [BuildStep.loadContent, .planRoutes, .renderPages, .buildManifest, .checkDeployment])
    func wrongOrder(step: BuildStep) throws {
        #expect {
            try BuildPipeline(options: .init()).run([step], fileSystem: MemoryFileSystem(TestProject.files))
        } throws: { error in
            guard let error = error as? DiagnosticError else { return false }
            return error.step == step.name && error.diagnostics.count == 1 && error.diagnostics[0].message.hasPrefix("the build has no ")
        }
    }
}

@Suite("Incremental builds")
struct IncrementalBuildTests {
    /// A page cache in memory that counts what it renders.
    final class MemoryCache: PageCache, @unchecked Sendable {
        private var entries: [String: CachedPage] = [:]
        private(set) var stores = 0
        private let lock = NSLock()

        func page(for key: String) -> CachedPage? {
            lock.lock()
            defer { lock.unlock() }
            return entries[key]
        }

        func store(_ page: CachedPage, for key: String) {
            lock.lock()
            entries[key] = page
            stores += 1
            lock.unlock()
        }
    }

    func build(_ files: [String: String], cache: MemoryCache?) throws -> BuildPipeline.Result {
        var options = BuildPipeline.Options()
        options.pageCache = cache
        return try BuildPipeline(options: options).run(fileSystem: MemoryFileSystem(files))
    }

    @Test("the packed cache file keeps what a build used, reads it back exactly, and treats a damaged file as empty")
    func packedCache() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pages.bin")
        let page = CachedPage(
            html: Data("<h2 id=\"a\">Ä</h2>".utf8),
            warnings: [.warning(SourceLocation(file: "content/a.md", line: 4, column: 2), "raw HTML dropped", hint: "write Markdown")],
            summary: SiteChecker.PageSummary(
                diagnostics: [.error(SourceLocation(file: "templates/page.mustache", line: 1), "no lang")], ids: ["a", "b"],
                links: [
                    SiteChecker.Link(value: "/terms#x", target: "/terms#x", sourcepos: "3:1-3:9"),
                    SiteChecker.Link(value: "#a", target: "#a", sourcepos: nil),
                ],
                external: [
                    SiteChecker.ExternalLink(url: "https://example.com", location: SourceLocation(file: "content/a.md", line: 5, column: 3))
                ],
                linkCount: 4),
            digests: OutputObject.Digests(sha256: "ab12", md5: "cd34"))
        let first = PackedPageCache(file: file)
        first.store(page, for: "used")
        first.store(
            CachedPage(html: Data(), warnings: [], summary: SiteChecker.PageSummary(), digests: OutputObject.Digests(sha256: "", md5: "")),
            for: "empty")
        try first.save()

        let second = PackedPageCache(file: file)
        #expect(second.page(for: "used") == page)
        #expect(second.page(for: "missing") == nil)
        let size = try Data(contentsOf: file).count
        try second.save()  // Nothing new, and "empty", unused, is less than half the file: left as it is.
        #expect(try Data(contentsOf: file).count == size)
        #expect(PackedPageCache(file: file).page(for: "empty") != nil)

        // A new page is appended; a later entry for a key replaces an earlier one.
        let third = PackedPageCache(file: file)
        _ = third.page(for: "used")
        var changed = page
        changed.html = Data("<p>new</p>".utf8)
        third.store(changed, for: "new")
        third.store(changed, for: "empty")
        try third.save()
        #expect(try Data(contentsOf: file).count > size)
        #expect(PackedPageCache(file: file).page(for: "new") == changed)
        #expect(PackedPageCache(file: file).page(for: "empty") == changed)
        #expect(PackedPageCache(file: file).page(for: "used") == page)

        // A build that uses only a small part of the file writes it anew without the rest.
        let fourth = PackedPageCache(file: file)
        _ = fourth.page(for: "new")
        try fourth.save()
        #expect(PackedPageCache(file: file).page(for: "used") == nil)
        #expect(PackedPageCache(file: file).page(for: "new") == changed)

        // An interrupted append loses only the entry it was writing.
        let fifth = PackedPageCache(file: file)
        _ = fifth.page(for: "new")
        fifth.store(page, for: "last")
        try fifth.save()
        var damaged = try Data(contentsOf: file)
        damaged.removeLast(5)
        try damaged.write(to: file)
        #expect(PackedPageCache(file: file).page(for: "last") == nil)
        #expect(PackedPageCache(file: file).page(for: "new") == changed)
        try Data("not a cache".utf8).write(to: file)
        #expect(PackedPageCache(file: file).page(for: "new") == nil)
    }

    @Test("with the cache, a rebuild renders only what changed and the output is byte-identical to a clean build")
    func cacheIsInvisible() throws {
        let cache = MemoryCache()
        _ = try build(TestProject.files, cache: cache)
        #expect(cache.stores == 2)
        _ = try build(TestProject.files, cache: cache)
        #expect(cache.stores == 2, "nothing changed: nothing rendered")

        let edited = TestProject.with(["content/privacy.md": TestProject.files["content/privacy.md"]! + "\nOne more line.\n"])
        let incremental = try build(edited, cache: cache)
        #expect(cache.stores == 3, "one page changed: one page rendered")
        let clean = try build(edited, cache: nil)
        #expect(incremental.objects == clean.objects)
        #expect(incremental.manifestData == clean.manifestData)

        // A template change renders every page again.
        let retemplated = edited.merging(["templates/partials/header.mustache": "<header><a href=\"/\">{{site.legal_name}}</a></header>"]) {
            _, new in new
        }
        let again = try build(retemplated, cache: cache)
        #expect(cache.stores == 5)
        #expect(again.objects == (try build(retemplated, cache: nil)).objects)
    }

    /// Counts reads of Markdown files.
    struct CountingFileSystem: FileSystem {
        let base: MemoryFileSystem
        let counter = Counter()

        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var paths: [String] = []
            var markdownReads: [String] {
                lock.lock()
                defer { lock.unlock() }
                return paths.sorted()
            }
            func add(_ path: String) {
                lock.lock()
                paths.append(path)
                lock.unlock()
            }
        }

        func read(_ path: String) throws(FileSystemError) -> Data {
            if path.hasSuffix(".md") { counter.add(path) }
            return try base.read(path)
        }
        func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String] {
            try base.files(under: directory, includeHidden: includeHidden)
        }
        func kind(of path: String) -> FileKind { base.kind(of: path) }
    }

    /// Builds `files` with both caches, every file's digest known, as `site build` does.
    func cachedBuild(_ files: [String: String], pages: MemoryCache, content: PackedContentCache) throws -> (BuildPipeline.Result, [String])
    {
        var options = BuildPipeline.Options()
        options.pageCache = pages
        options.contentCache = content
        options.knownDigests = files.mapValues { Digest.sha256(Data($0.utf8)) }
        let fileSystem = CountingFileSystem(base: MemoryFileSystem(files))
        let result = try BuildPipeline(options: options).run(fileSystem: fileSystem)
        return (result, fileSystem.counter.markdownReads)
    }

    @Test("front matter params reach templates and content as page.params, and survive the content cache")
    func params() throws {
        let page =
            "---\ntitle: Privacy Policy\nparams:\n  product: Clip Pro\n  regions: [EU, US]\n  beta: true\n  owner: {team: Legal}\n---\n\nFor {{page.params.product}}.\n"
        let legal =
            "{{<layout}}{{$main}}<h1>{{page.title}}</h1>{{#page.params.beta}}<p>{{#page.params.regions}}[{{.}}]{{/page.params.regions}} {{page.params.owner.team}}</p>{{/page.params.beta}}\n{{{content}}}{{/main}}{{/layout}}\n"
        let files = TestProject.with(["content/privacy.md": page, "templates/legal.mustache": legal])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-params-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pages = MemoryCache()
        // The second build takes the pages' front matter from the content cache file the first saved.
        for round in 0..<2 {
            let content = PackedContentCache(file: folder.appendingPathComponent("content.bin"))
            let (result, reads) = try cachedBuild(files, pages: pages, content: content)
            try content.save()
            #expect(reads.isEmpty == (round == 1))
            let privacy = String(decoding: try #require(result.objects.first { $0.key == "privacy" }).data, as: UTF8.self)
            #expect(privacy.contains("<p>[EU][US] Legal</p>"))
            #expect(privacy.contains("For Clip Pro."))
            let terms = String(decoding: try #require(result.objects.first { $0.key == "terms" }).data, as: UTF8.self)
            #expect(!terms.contains("[EU]"), "a page without params renders the section empty")
        }
        var writer = ByteWriter()
        let value = try #require(
            try? FrontMatter.page(from: page, file: "content/privacy.md", defaultRoute: "/privacy", defaultTemplate: "legal").params)
        value.encode(into: &writer)
        #expect(ByteReader.reading(writer.data) { TemplateValue.decode(&$0) } == value)
        #expect(value != .object([:]))
    }

    @Test("the content cache appends pages read anew, a later entry wins, and is written anew once mostly unused")
    func contentCacheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-content-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("content.bin")
        func page(_ name: String, _ title: String, digest: String) -> ContentPage {
            var made = ContentPage(
                source: "content/\(name).md", route: "/\(name)", title: title, description: "", effectiveDate: nil, updatedDate: nil,
                template: "page", draft: false, aliases: [], showTOC: true, body: "", bodyLine: 4,
                locations: ["title": SourceLocation(file: "content/\(name).md", line: 2, column: 8)])
            made.sourceDigest = digest
            return made
        }
        let pages = (0..<6).map { page("p\($0)", "Page \($0)", digest: "d\($0)") }
        let first = PackedContentCache(file: file)
        for page in pages { first.store(page, defaultTemplate: "page") }
        try first.save()
        let written = try Data(contentsOf: file)
        let size = written.count

        // Every page used, none new: the file is left as it is.
        let second = PackedContentCache(file: file)
        for page in pages { #expect(second.page(source: page.source, digest: page.sourceDigest, defaultTemplate: "page") == page) }
        try second.save()
        #expect(try Data(contentsOf: file).count == size)

        // One page read anew: appended, the rest of the file untouched.
        let third = PackedContentCache(file: file)
        for page in pages.dropFirst() { _ = third.page(source: page.source, digest: page.sourceDigest, defaultTemplate: "page") }
        let changed = page("p0", "Changed", digest: "e0")
        third.store(changed, defaultTemplate: "page")
        try third.save()
        let appended = try Data(contentsOf: file)
        #expect(appended.count > size)
        #expect(appended.prefix(size) == written)
        let fourth = PackedContentCache(file: file)
        #expect(fourth.page(source: "content/p0.md", digest: "e0", defaultTemplate: "page") == changed)
        #expect(fourth.page(source: "content/p0.md", digest: "d0", defaultTemplate: "page") == pages[0])
        #expect(fourth.page(source: "content/p1.md", digest: "d1", defaultTemplate: "page") == pages[1])
        try fourth.save()

        // A build that uses a small part of the file writes it anew with only that part.
        let fifth = PackedContentCache(file: file)
        _ = fifth.page(source: "content/p0.md", digest: "e0", defaultTemplate: "page")
        try fifth.save()
        #expect(try Data(contentsOf: file).count < size)
        let sixth = PackedContentCache(file: file)
        #expect(sixth.page(source: "content/p0.md", digest: "e0", defaultTemplate: "page") == changed)
        #expect(sixth.page(source: "content/p1.md", digest: "d1", defaultTemplate: "page") == nil)
    }

    @Test("unchanged Markdown is neither read nor parsed again; output and findings stay those of a clean build")
    func contentCache() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-content-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("content.bin")
        let pages = MemoryCache()
        var files = TestProject.with([
            "content/about.md": "---\ntitle: About\n---\nRead the [FAQ](/faq#top) first.\n",
            "content/faq.md": "---\ntitle: FAQ\n---\n## Top\n\nAnswers.\n",
        ])
        let first = PackedContentCache(file: file)
        let (clean, firstReads) = try cachedBuild(files, pages: pages, content: first)
        #expect(firstReads == ["content/about.md", "content/faq.md", "content/privacy.md", "content/terms.md"])
        try first.save()

        // Nothing changed: no Markdown is read.
        let (again, reads) = try cachedBuild(files, pages: pages, content: PackedContentCache(file: file))
        #expect(reads.isEmpty)
        #expect(again.objects == clean.objects)
        #expect(again.pages.map(\.route) == clean.pages.map(\.route))

        // A template change renders every page: their bodies are read then, and only then.
        files["templates/partials/header.mustache"] = "<header><a href=\"/\">{{site.legal_name}}</a></header>"
        let (retemplated, retemplatedReads) = try cachedBuild(files, pages: pages, content: PackedContentCache(file: file))
        #expect(retemplatedReads == ["content/about.md", "content/faq.md", "content/privacy.md", "content/terms.md"])
        #expect(retemplated.objects == (try build(files, cache: nil)).objects)

        // A link in an unread page that breaks is reported where it is written, as a clean build does.
        files["content/faq.md"] = nil
        var failed: [Diagnostic] = []
        do {
            _ = try cachedBuild(files, pages: pages, content: PackedContentCache(file: file))
        } catch let error as DiagnosticError {
            failed = error.diagnostics
        }
        #expect(!failed.isEmpty)
        #expect(failed == TestProject.failures(files))
        #expect(failed.contains { $0.location.file == "content/about.md" && $0.location.line == 4 && $0.location.column > 1 })
    }
}
