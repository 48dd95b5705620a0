import Foundation
import Testing

@testable import SiteKit

@Suite("Publish plan")
struct PublishPlannerTests {
    static func object(_ key: String, _ kind: ObjectKind, _ content: String) -> Manifest.Object {
        let data = Data(content.utf8)
        return Manifest.Object(
            key: key, size: data.count, sha256: Digest.sha256(data), md5: Digest.md5(data),
            contentType: MediaTypes.contentType(forKey: key), cacheControl: CachePolicy.cacheControl(for: kind, settings: CacheSettings()),
            kind: kind, source: "test")
    }

    static func manifest(_ objects: [Manifest.Object]) -> Manifest {
        var entries: [RoutingTable.Entry] = []
        for object in objects {
            switch object.key {
            case "index.html":
                entries += [.init(path: "/", key: "index.html"), .init(path: "/index.html", key: "index.html")]
            default:
                entries.append(.init(path: "/" + object.key, key: object.key))
            }
        }
        var manifest = Manifest(
            objects: [], routes: RoutingTable(entries: entries, redirects: [.init(from: "/terms/", to: "/terms")], spaRoutes: [], api: nil),
            baseURL: "https://example.com", cache: CacheSettings())
        manifest.objects = objects.sorted { $0.key < $1.key }
        return manifest
    }

    static let v1 = manifest([
        object("assets/app-AAAAAAAA.js", .asset, "app 1"), object("assets/site-BBBBBBBB.css", .asset, "css 1"),
        object("favicon.svg", .other, "icon"), object("index.html", .shell, "shell 1"), object("terms", .page, "terms 1"),
        object("privacy", .page, "privacy 1"),
    ])

    @Test("the first deploy uploads everything in phase order and invalidates nothing")
    func firstDeploy() throws {
        let plan = try PublishPlanner.plan(current: Self.v1, previous: nil, settings: InfraSettings())
        #expect(
            plan.uploads.map(\.key) == [
                "assets/app-AAAAAAAA.js", "assets/site-BBBBBBBB.css", "favicon.svg", "index.html", "privacy", "terms",
            ])
        #expect(plan.uploads.map(\.phase) == [.asset, .asset, .other, .page, .page, .page])
        #expect(plan.deletes.isEmpty && plan.retained.isEmpty && plan.invalidations.isEmpty)
        #expect(plan.uploads[0].contentMD5 == Data(Array(hex: Self.v1.objects[0].md5)).base64EncodedString())
    }

    @Test("an unchanged build uploads nothing, invalidates nothing and says so")
    func unchanged() throws {
        var deployed = try PublishPlanner.plan(current: Self.v1, previous: nil, settings: InfraSettings()).deployed
        deployed.pendingInvalidations = nil
        let plan = try PublishPlanner.plan(current: Self.v1, previous: deployed, settings: InfraSettings())
        #expect(plan.uploads.isEmpty && plan.deletes.isEmpty && plan.invalidations.isEmpty)
        #expect(
            plan.summary
                == "0 to upload (0.0 KB), 0 to delete, 0 retained, 0 invalidation paths; nothing changed since the previous deploy, so no invalidation"
        )
    }

    @Test("a changed Cache-Control alone is an upload; a timestamp never is")
    func metadataChange() throws {
        var changed = Self.v1
        changed.objects[2].cacheControl = "public, max-age=60"
        let plan = try PublishPlanner.plan(current: changed, previous: Self.v1, settings: InfraSettings())
        #expect(plan.uploads.map(\.key) == ["favicon.svg"])
        #expect(plan.invalidations.map(\.paths) == [["/favicon.svg"]])
    }

    @Test("a new asset and a changed page: asset first, page after, old asset kept, only the page's URL invalidated")
    func assetRename() throws {
        let v2 = Self.manifest([
            Self.object("assets/app-CCCCCCCC.js", .asset, "app 2"), Self.object("assets/site-BBBBBBBB.css", .asset, "css 1"),
            Self.object("favicon.svg", .other, "icon"), Self.object("index.html", .shell, "shell 2"),
            Self.object("terms", .page, "terms 1"), Self.object("privacy", .page, "privacy 1"),
        ])
        let plan = try PublishPlanner.plan(current: v2, previous: Self.v1, settings: InfraSettings())
        #expect(plan.uploads.map { "\($0.phase.rawValue) \($0.key)" } == ["asset assets/app-CCCCCCCC.js", "page index.html"])
        #expect(plan.retained == ["assets/app-AAAAAAAA.js"])
        #expect(plan.deletes.isEmpty)
        #expect(plan.invalidations.map(\.paths) == [["/", "/index.html"]])
        #expect(plan.deployed.history == [["assets/app-AAAAAAAA.js", "assets/site-BBBBBBBB.css"]])

        // Two deploys later the first chunk goes (retain_deploys 2: this deploy and the one before).
        let v3 = Self.manifest(
            v2.objects.filter { $0.key != "assets/app-CCCCCCCC.js" } + [Self.object("assets/app-DDDDDDDD.js", .asset, "app 3")])
        var completed = plan.deployed
        completed.pendingInvalidations = nil
        let next = try PublishPlanner.plan(current: v3, previous: completed, settings: InfraSettings())
        #expect(next.deletes == ["assets/app-AAAAAAAA.js"])
        #expect(next.retained == ["assets/app-CCCCCCCC.js"])
        #expect(next.invalidations.isEmpty, "deleting fingerprinted assets invalidates nothing")
    }

    @Test("a deleted page is deleted and invalidated")
    func deletedPage() throws {
        let v2 = Self.manifest(Self.v1.objects.filter { $0.key != "privacy" })
        let plan = try PublishPlanner.plan(current: v2, previous: Self.v1, settings: InfraSettings())
        #expect(plan.deletes == ["privacy"])
        #expect(plan.invalidations.map(\.paths) == [["/privacy"]])
    }

    @Test("the delete guard refuses too many deletions, and deleting everything, unless allowed")
    func guardRefuses() throws {
        var settings = InfraSettings()
        settings.maxDeletes = 1
        let v2 = Self.manifest(Self.v1.objects.filter { $0.kind != .page })
        #expect(
            throws: PublishPlanner.Refusal(
                message: "this deploy would delete 2 objects, more than infra.max_deletes (1)",
                hint: "raise infra.max_deletes, or pass --allow-mass-delete for this deploy if the removal is intended")
        ) {
            try PublishPlanner.plan(current: v2, previous: Self.v1, settings: settings)
        }
        #expect(
            try PublishPlanner.plan(current: v2, previous: Self.v1, settings: settings, allowMassDelete: true).deletes == [
                "privacy", "terms",
            ])
        let other = Self.manifest([Self.object("other", .page, "x")])
        #expect(throws: PublishPlanner.Refusal.self) {
            try PublishPlanner.plan(current: other, previous: Self.v1, settings: InfraSettings())
        }
    }

    @Test("the CallerReference derives from the content, so a retried deploy reuses it")
    func stableReference() throws {
        let v2 = Self.manifest(Self.v1.objects.map { $0.key == "terms" ? Self.object("terms", .page, "terms 2") : $0 })
        let first = try PublishPlanner.plan(current: v2, previous: Self.v1, settings: InfraSettings())
        let again = try PublishPlanner.plan(current: v2, previous: Self.v1, settings: InfraSettings())
        #expect(first.invalidations == again.invalidations)
        #expect(first.invalidations.first?.callerReference.hasPrefix("site-") == true)
        let v3 = Self.manifest(Self.v1.objects.map { $0.key == "terms" ? Self.object("terms", .page, "terms 3") : $0 })
        #expect(try PublishPlanner.plan(current: v3, previous: Self.v1, settings: InfraSettings()).invalidations != first.invalidations)
    }

    @Test("invalidations left pending by an interrupted deploy are sent again")
    func pending() throws {
        let v2 = Self.manifest(Self.v1.objects.map { $0.key == "terms" ? Self.object("terms", .page, "terms 2") : $0 })
        let interrupted = try PublishPlanner.plan(current: v2, previous: Self.v1, settings: InfraSettings())
        // The pending manifest went up, the invalidation did not: the retry plans against it.
        let retry = try PublishPlanner.plan(current: v2, previous: interrupted.interrupted, settings: InfraSettings())
        #expect(retry.uploads.isEmpty)
        #expect(retry.invalidations == interrupted.invalidations)
    }

    struct CollapseCase: CustomTestStringConvertible, Sendable {
        var name: String
        var paths: [String]
        var threshold: Int
        var expected: [String]
        var testDescription: String { name }
    }

    static let collapseCases: [CollapseCase] = [
        .init(name: "one page", paths: ["/terms"], threshold: 8, expected: ["/terms"]),
        .init(name: "the shell only", paths: ["/", "/index.html"], threshold: 8, expected: ["/", "/index.html"]),
        .init(name: "20 files in one folder", paths: (1...20).map { "/docs/page-\($0)" }, threshold: 8, expected: ["/docs/*"]),
        .init(
            name: "20 files in one folder beside two pages", paths: (1...20).map { "/docs/page-\($0)" } + ["/terms", "/privacy"],
            threshold: 8, expected: ["/docs/*", "/privacy", "/terms"]),
        .init(name: "20 folders", paths: (1...20).map { "/section-\($0)/page" }, threshold: 8, expected: ["/*"]),
        .init(
            name: "deep folders collapse one level at a time",
            paths: (1...10).map { "/docs/a/p\($0)" } + (1...10).map { "/docs/b/p\($0)" }, threshold: 8,
            expected: ["/docs/a/*", "/docs/b/*"]),
        .init(
            name: "at the threshold nothing collapses", paths: (1...8).map { "/p\($0)" }, threshold: 8,
            expected: (1...8).map { "/p\($0)" }.sorted()),
    ]

    @Test("paths collapse into the fewest wildcards above the threshold", arguments: collapseCases)
    func collapse(_ testCase: CollapseCase) {
        #expect(InvalidationPlanner.collapse(testCase.paths, threshold: testCase.threshold) == testCase.expected)
    }

    @Test("batches stay within 3,000 paths and 15 wildcards")
    func batches() {
        let many = (1...7_000).map { "/p\($0)" }
        let batches = InvalidationPlanner.batches(many, salt: "x")
        #expect(batches.map(\.paths.count) == [3_000, 3_000, 1_000])
        let wildcards = (1...40).map { "/d\($0)/*" }
        #expect(InvalidationPlanner.batches(wildcards, salt: "x").map(\.paths.count) == [15, 15, 10])
        #expect(Set(InvalidationPlanner.batches(wildcards, salt: "x").map(\.callerReference)).count == 3)
    }

    @Test("one deploy never has more than 3,000 paths or 15 wildcards in flight, whatever the threshold", arguments: [3_000, 3_001, 5_000])
    func inFlight(_ pages: Int) throws {
        func site(_ version: Int) -> Manifest {
            Self.manifest((0..<pages).map { Self.object("s\($0 % 40)/p\($0)", .page, "v\(version)") })
        }
        var settings = InfraSettings()
        settings.invalidationThreshold = 10_000
        let plan = try PublishPlanner.plan(current: site(2), previous: site(1), settings: settings)
        let paths = plan.invalidations.flatMap(\.paths)
        #expect(paths.count <= InvalidationPlanner.maxPaths)
        #expect(paths.filter { $0.hasSuffix("*") }.count <= InvalidationPlanner.maxWildcards)
        #expect(plan.invalidations.count == 1)
        #expect(pages > InvalidationPlanner.maxPaths || paths.count == pages, "at the limit every page is named")
    }

    @Test("Content-MD5 is the base64 of the hex MD5's bytes", arguments: ["", "a", "terms 1", String(repeating: "é", count: 100)])
    func contentMD5(text: String) {
        let data = Data(text.utf8)
        #expect(PublishPlanner.base64(hex: Digest.md5(data)) == Digest.md5Base64(data))
        #expect(PublishPlanner.base64(hex: Digest.md5(data).uppercased()) == Digest.md5Base64(data))
    }
}

extension Array where Element == UInt8 {
    init(hex: String) {
        self = stride(from: 0, to: hex.count, by: 2).compactMap { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
        }
    }
}

@Suite("Publish plan: the edge's route store")
struct PublishRouteStoreTests {
    static func manifest(aliases: [String], pages: [String] = ["terms", "privacy"]) -> Manifest {
        var objects = pages.map { PublishPlannerTests.object($0, .page, "\($0) 1") }
        objects.append(PublishPlannerTests.object("404.html", .page, "not found"))
        var manifest = PublishPlannerTests.manifest(objects)
        manifest.routes = RoutingTable(
            entries: manifest.routes.entries,
            redirects: pages.map { .init(from: "/\($0)/", to: "/\($0)") }
                + aliases.flatMap {
                    [RoutingTable.Redirect(from: $0, to: "/terms"), .init(from: $0 + "/", to: "/terms")]
                },
            spaRoutes: [], api: nil)
        return manifest
    }

    @Test("the first deploy puts every key of the store, marks the 404 page and records the edge format")
    func firstDeploy() throws {
        let current = Self.manifest(aliases: ["/tos"])
        let plan = try PublishPlanner.plan(current: current, previous: nil, settings: InfraSettings())
        let store = EdgeRouteStore(routes: current.routes)
        #expect(plan.routeChanges.puts == store.entries)
        #expect(plan.routeChanges.deletes.isEmpty)
        #expect(plan.uploads.first { $0.key == "404.html" }?.metadata == ["site-status": "404"])
        #expect(plan.uploads.filter { $0.key != "404.html" }.allSatisfy { $0.metadata.isEmpty })
        #expect(plan.deployed.edgeFormat == EdgeRouteStore.format)
        #expect(plan.summary.contains("\(store.entries.count) route keys to put and 0 to delete, 0 invalidation paths"))
    }

    @Test("a later deploy puts only the keys that changed and deletes the ones that went, with nothing else to upload")
    func changedAliases() throws {
        let before = try PublishPlanner.plan(current: Self.manifest(aliases: ["/tos", "/old"]), previous: nil, settings: InfraSettings())
        var deployed = before.deployed
        deployed.pendingInvalidations = nil
        let plan = try PublishPlanner.plan(
            current: Self.manifest(aliases: ["/tos", "/new"]), previous: deployed, settings: InfraSettings())
        #expect(plan.uploads.isEmpty)
        #expect(plan.routeChanges.puts == [EdgeRouteStore.Entry(key: "/new", value: .redirect(to: "/terms"))])
        #expect(plan.routeChanges.deletes == ["/old"])
        #expect(plan.changed)
        let files = try PublishFiles.files(for: plan, dist: "../dist")
        #expect(String(decoding: try #require(files["publish/route-puts-1.json"]), as: UTF8.self).contains("\"Key\" : \"/new\""))
        #expect(String(decoding: try #require(files["publish/route-deletes-1.json"]), as: UTF8.self).contains("\"Key\" : \"/old\""))
        #expect(files["publish/route-puts-2.json"] == nil)
    }

    @Test("a deploy over one without the route store writes the whole store and uploads the 404 page again with its marker")
    func olderDeploy() throws {
        let current = Self.manifest(aliases: ["/tos"])
        var older = try PublishPlanner.plan(current: current, previous: nil, settings: InfraSettings()).deployed
        older.edgeFormat = nil
        older.pendingInvalidations = nil
        let plan = try PublishPlanner.plan(current: current, previous: older, settings: InfraSettings())
        #expect(plan.uploads.map(\.key) == ["404.html"])
        #expect(plan.routeChanges.puts == EdgeRouteStore(routes: current.routes).entries)
    }

    /// A deploy that removes a page, swaps an alias and edits a page, stopped anywhere after its
    /// objects went up: planned again against the manifest it left, it does all that is left.
    @Test("a deploy stopped after its objects is finished by planning again against the manifest it left")
    func interruptedDeploy() throws {
        var v1 = Self.manifest(aliases: ["/tos", "/old"], pages: ["terms", "privacy", "cookies"])
        v1 = try PublishPlanner.plan(current: v1, previous: nil, settings: InfraSettings()).deployed
        var v2 = Self.manifest(aliases: ["/tos", "/new"], pages: ["terms", "privacy"])
        v2.objects = v2.objects.map { $0.key == "terms" ? PublishPlannerTests.object("terms", .page, "terms 2") : $0 }
        let first = try PublishPlanner.plan(current: v2, previous: v1, settings: InfraSettings())
        #expect(first.deletes == ["cookies"])
        #expect(first.routeChanges.deletes.contains("/old") && first.routeChanges.deletes.contains("/cookies"))
        #expect(first.interrupted.pendingDeletes == ["cookies"])
        #expect(first.interrupted.routes == v1.routes, "the edge routes as before until the new keys are in")
        #expect(first.interrupted.pendingRouteKeys == ["/new"])
        #expect(
            first.deployed.pendingDeletes == nil && first.deployed.pendingInvalidations == nil && first.deployed.pendingRouteKeys == nil)

        let retry = try PublishPlanner.plan(current: v2, previous: first.interrupted, settings: InfraSettings())
        #expect(retry.uploads.isEmpty)
        #expect(retry.deletes == first.deletes)
        #expect(retry.routeChanges == first.routeChanges)
        #expect(retry.invalidations == first.invalidations)
        #expect(retry.deployed == first.deployed)

        // The build changed before the retry: the alias put by the stopped deploy goes again.
        let v3 = Self.manifest(aliases: ["/tos"], pages: ["terms", "privacy"])
        let changed = try PublishPlanner.plan(current: v3, previous: first.interrupted, settings: InfraSettings())
        #expect(Set(changed.routeChanges.deletes).isSuperset(of: ["/new", "/old", "/cookies"]))
        #expect(changed.deletes == ["cookies"])
    }

    @Test("a first deploy stopped after its objects puts every key again when retried")
    func interruptedFirstDeploy() throws {
        let current = Self.manifest(aliases: ["/tos"])
        let first = try PublishPlanner.plan(current: current, previous: nil, settings: InfraSettings())
        #expect(first.interrupted.edgeFormat == nil)
        let retry = try PublishPlanner.plan(current: current, previous: first.interrupted, settings: InfraSettings())
        #expect(retry.routeChanges.puts == first.routeChanges.puts)
        #expect(retry.routeChanges.deletes.isEmpty)
        #expect(retry.deployed == first.deployed)
    }

    static func count(_ batch: JSONValue) -> Int {
        if case .array(let items) = batch { return items.count }
        return -1
    }

    @Test("update batches hold at most 50 keys", arguments: [0, 1, 49, 50, 51, 120])
    func batches(_ count: Int) {
        let changes = EdgeRouteStore.Changes(
            puts: (0..<count).map { EdgeRouteStore.Entry(key: "/p\($0)", value: .object) }, deletes: (0..<count).map { "/d\($0)" })
        let sizes = changes.putBatches.map { Self.count($0) }
        #expect(sizes.reduce(0, +) == count)
        #expect(sizes.allSatisfy { $0 > 0 && $0 <= AWSLimits.keyValueStoreKeysPerUpdate })
        #expect(sizes.count == (count + 49) / 50)
        #expect(changes.deleteBatches.map { Self.count($0) } == sizes)
    }
}
