import Foundation
import Testing

@testable import SiteKit

/// The generated CloudFront Function, run in Node (CloudFront Functions are JavaScript), must answer
/// every request the way the routing table says.
@Suite("Edge function", .serialized)
struct EdgeFunctionTests {
    struct Answer: Decodable, Equatable {
        var status: Int
        /// The URI sent on to S3, for requests that pass.
        var uri: String?
        var location: String?
    }

    /// Runs the viewer-request function for `store` on `requests` (`path?query`) in Node. The code
    /// is an ES module for `cloudfront-js-2.0`; its one import line (`import cf from 'cloudfront'`)
    /// is replaced by a binding to a KeyValueStore stand-in holding the store's keys, whose `get`
    /// throws for a missing key as CloudFront's does.
    static func run(_ code: String, store: EdgeRouteStore, _ requests: [String]) throws -> [Answer] {
        let harness = """
            const fs = require('fs');
            const source = fs.readFileSync(process.argv[1], 'utf8');
            const data = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).data;
            const importLine = "import cf from 'cloudfront';";
            if (source.split(importLine).length !== 2) throw new Error('expected exactly one import of cloudfront');
            const values = new Map(data.map((entry) => [entry.key, entry.value]));
            const kvs = {
              async get(key) { if (!values.has(key)) throw new Error('Key not found: ' + key); return values.get(key); },
              async exists(key) { return values.has(key); },
              async meta() { return { creationDateTime: '2026-01-01T00:00:00Z', lastUpdatedDateTime: '2026-01-01T00:00:00Z', keyCount: values.size }; },
            };
            const cf = { kvs: () => kvs };
            const handler = new Function('cf', source.replace(importLine, '') + '\\nreturn handler;')(cf);
            const requests = JSON.parse(fs.readFileSync(0, 'utf8'));
            (async () => {
              const answers = [];
              for (const raw of requests) {
                const [uri, query] = raw.split('?');
                const querystring = {};
                for (const pair of (query || '').split('&').filter(Boolean)) {
                  const [name, value] = pair.split('=');
                  querystring[name] = { value: value === undefined ? '' : value };
                }
                const result = await handler({ version: '1.0', request: { method: 'GET', uri, querystring, headers: {}, cookies: {} } });
                if (result.statusCode) {
                  answers.push({ status: result.statusCode, location: result.headers.location ? result.headers.location.value : undefined });
                } else {
                  answers.push({ status: 0, uri: result.uri });
                }
              }
              process.stdout.write(JSON.stringify(answers));
            })();
            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let codeURL = folder.appendingPathComponent("viewer-request.js")
        try Data(code.utf8).write(to: codeURL)
        let storeURL = folder.appendingPathComponent("routes.json")
        try store.importDocument.prettyData.write(to: storeURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", "-e", harness, codeURL.path, storeURL.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(requests))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode([Answer].self, from: data)
    }

    static let requests = [
        "/legal", "/legal/", "/legal/cookies",
        "/", "/index.html", "/terms", "/terms/", "/tos", "/tos/?a=1&b", "/privacy", "/auth/callback?code=abc&state=xyz",
        "/app", "/app/schedule/2026", "/unknown", "/deep/unknown/path", "/assets/index-Zz9Yy8Xx.js", "/assets/gone-12345678.js",
        "/sitemap.xml", "/404.html", "/_site/manifest.json", "/_site",
    ]

    @Test("the function over its store answers like the routing table for every kind of path")
    func matchesRoutingTable() throws {
        let result = try TestProject.build(
            TestProject.with([
                "content/legal/index.md": "---\ntitle: Legal\n---\nAll our terms.\n",
                "content/legal/cookies.md": "---\ntitle: Cookies\n---\nNone.\n",
            ]))
        let routes = result.manifest.routes
        let store = EdgeRouteStore(routes: routes)
        let answers = try Self.run(EdgeFunction.viewerRequestCode(store: store), store: store, Self.requests)
        try #require(answers.count == Self.requests.count)
        #expect(answers.first == Answer(status: 0, uri: "/legal/index.html"))
        for (request, answer) in zip(Self.requests, answers) {
            let path = RoutingTable.stripQuery(request)
            switch routes.resolve(request) {
            case .redirect(let to, let status):
                let query = request.split(separator: "?", maxSplits: 1).dropFirst().first.map { "?" + $0 } ?? ""
                #expect(answer == Answer(status: status, location: to + query), "\(request)")
            case .spa(let key):
                #expect(answer == Answer(status: 0, uri: "/" + key), "\(request)")
            case .object(let key):
                // At the root, an unchanged `/` is CloudFront's default root object, the same key.
                let served = answer.uri == "/" && path == "/" ? "/" + routes.shell : answer.uri
                #expect(answer.status == 0 && served == "/" + key, "\(request): \(answer)")
            case .notFound(let key):
                if EdgeFunction.hasExtension(path) && !EdgeRouteStore.isReserved(path) {
                    // Files go on to S3, which answers 404 for a missing key.
                    #expect(answer == Answer(status: 0, uri: path), "\(request)")
                } else {
                    #expect(answer == Answer(status: 0, uri: "/" + key), "\(request)")
                }
            case .api:
                Issue.record("the function never sees API paths: \(request)")
            }
        }
    }

    @Test("the functions stay within CloudFront's 10 KB limit")
    func sizeLimit() throws {
        let result = try TestProject.build()
        let code = EdgeFunction.viewerRequestCode(store: EdgeRouteStore(routes: result.manifest.routes))
        #expect(code.utf8.count <= EdgeFunction.sizeLimit)
        #expect(EdgeFunction.viewerResponseCode.utf8.count <= EdgeFunction.sizeLimit)
    }

    @Test(
        "string literals escape as JSON does, and </ is broken up",
        arguments: ["", "/terms", "a\"b\\c", "line\nbreak\t\u{1}", "</script>", "é😀", "x</y</z"])
    func stringLiteral(text: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(text), as: UTF8.self)
        #expect(EdgeFunction.jsString(text) == json.replacingOccurrences(of: "</", with: "<\\/"))
        #expect(!EdgeFunction.jsString(text).contains("</"))
    }

    @Test(
        "a path has an extension when its last segment has a dot after its first character",
        arguments: [
            ("/terms", false), ("/assets/app.js", true), ("/.well-known/x", false), ("/a.b/c", false), ("/.env", false), ("/x.", true),
            ("", false),
        ])
    func extensions(path: String, expected: Bool) {
        #expect(EdgeFunction.hasExtension(path) == expected)
    }
}
