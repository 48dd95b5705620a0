import Foundation
import Testing

@testable import SiteKit

@Suite("JSON writing")
struct JSONValueTests {
    /// The Foundation encoding `JSON.encode` uses for every other value.
    static func foundation(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// A small deterministic generator, so a failure names its seed.
    struct Generator {
        var state: UInt64

        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }

        static let pieces = [
            "a", "B", "z9", "_k", "a10", "a9", "/", "\"", "\\", "\n", "\t", "\r", "\u{1}", "\u{1f}", "\u{7f}", "é", "😀", " ", "",
        ]

        mutating func string() -> String {
            (0..<next(5)).map { _ in Self.pieces[next(Self.pieces.count)] }.joined()
        }

        mutating func value(depth: Int = 0) -> JSONValue {
            switch depth > 3 ? next(3) : next(5) {
            case 0: return .string(string())
            case 1: return .int(next(2_000_001) - 1_000_000)
            case 2: return .bool(next(2) == 0)
            case 3: return .array((0..<next(4)).map { _ in value(depth: depth + 1) })
            default:
                var fields: [String: JSONValue] = [:]
                for _ in 0..<next(4) { fields[string()] = value(depth: depth + 1) }
                return .object(fields)
            }
        }
    }

    @Test("written byte for byte as Foundation's encoder writes it", arguments: 0..<200)
    func matchesFoundation(seed: Int) throws {
        var generator = Generator(state: UInt64(seed))
        let value = generator.value()
        #expect(value.prettyData == (try Self.foundation(value)), "seed \(seed)")
    }

    @Test("empty containers, escapes and key order")
    func edges() throws {
        let value: JSONValue = [
            "b": [], "B": [:], "a10": "q\"\\/\u{1}\n", "a9": [[], [1]], "_": .bool(false), "é": .int(-5),
        ]
        #expect(value.prettyData == (try Self.foundation(value)))
        #expect(String(decoding: value.prettyData, as: UTF8.self).contains("\"B\" : {\n\n  }"))
    }
}

@Suite("Manifest encoding")
struct ManifestEncodingTests {
    @Test(
        "the manifest written member by member gives the same bytes as Foundation's encoder",
        arguments: [0, 1, 3, 200, 5_000], [false, true])
    func sameAsFoundation(count: Int, deployed: Bool) throws {
        let objects = (0..<count).map { index in
            OutputObject(
                key: index % 2 == 0 ? "assets/chunk-\(index)-AbCdEf12.js" : "legal/\"quoted\"\\/é-\(index)", data: Data("x\(index)".utf8),
                kind: index % 3 == 0 ? .asset : .page, source: "content/\(index).md")
        }
        let table = RoutingTableTests.table
        let redirects = (0..<count).map { index in
            RoutingTable.Redirect(from: "/legal/\"é\"-\(index)/", to: "/legal/\"é\"-\(index)", status: index % 2 == 0 ? 301 : 302)
        }
        let routes = RoutingTable(
            entries: objects.map { .init(path: "/" + $0.key, key: $0.key) }, redirects: table.redirects + redirects,
            spaRoutes: table.spaRoutes, api: table.api)
        var manifest = Manifest(objects: objects, routes: routes, baseURL: "https://example.com", cache: CacheSettings())
        manifest.history = [["assets/a.js"], []]
        if deployed {
            // Every member a deploy adds, empty lists among them; and a table without an API.
            manifest.edgeFormat = 2
            manifest.pendingDeletes = ["a", "b/\"c\""]
            manifest.pendingInvalidations = [
                InvalidationBatch(callerReference: "ref", paths: ["/a", "/b*"]), InvalidationBatch(callerReference: "e", paths: []),
            ]
            manifest.pendingRouteKeys = []
            manifest.routes.api = nil
            manifest.routes.spaRoutes = []
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var expected = try encoder.encode(manifest)
        expected.append(0x0A)
        #expect(try manifest.encoded() == expected)
        #expect(try Manifest.decode(manifest.encoded()) == manifest)
    }

    @Test("objects given in key order are described one for one; others are put in key order")
    func order() {
        let sorted = ["404.html", "_site/x", "a", "a/b", "b"].map { OutputObject(key: $0, data: Data($0.utf8), kind: .page, source: "s") }
        let described = Manifest(
            objects: sorted, routes: RoutingTable(entries: [], redirects: [], spaRoutes: [], api: nil), baseURL: "https://example.com",
            cache: CacheSettings())
        #expect(described.objects.map(\.key) == sorted.map(\.key))
        #expect(described.objects.map(\.size) == sorted.map(\.data.count))
        let shuffled = Manifest(
            objects: sorted.reversed(), routes: described.routes, baseURL: "https://example.com", cache: CacheSettings())
        #expect(shuffled.objects == described.objects)
    }

    @Test("a deployed manifest reuses the build's encoded objects and routes and is still byte-identical", arguments: [0, 5])
    func reuse(count: Int) throws {
        let objects = (0..<count).map { OutputObject(key: "k\($0)", data: Data("v\($0)".utf8), kind: .page, source: "s\($0)") }
        let routes = RoutingTable(
            entries: objects.map { .init(path: "/" + $0.key, key: $0.key) },
            redirects: objects.map { .init(from: "/\($0.key)/", to: "/" + $0.key) },
            spaRoutes: [], api: nil)
        let build = Manifest(objects: objects, routes: routes, baseURL: "https://example.com", cache: CacheSettings())
        var deployed = build
        deployed.history = [["assets/old.js"]]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var expected = try encoder.encode(deployed)
        expected.append(0x0A)
        #expect(try deployed.encoded(reusing: (build, build.encoded())) == expected)
        // A different earlier manifest is not reused.
        var other = build
        other.objects = other.objects.map {
            var object = $0; object.size += 1; return object
        }
        #expect(try deployed.encoded(reusing: (other, other.encoded())) == expected)
    }
}
