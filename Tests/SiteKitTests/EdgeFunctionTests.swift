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
        var bodyStart: String?
    }

    /// Runs the function on `requests` (`path?query`) in Node.
    static func run(_ code: String, _ requests: [String]) throws -> [Answer] {
        let harness = """
            const fs = require('fs');
            const code = fs.readFileSync(process.argv[1], 'utf8');
            const handler = new Function(code + '\\nreturn handler;')();
            const requests = JSON.parse(fs.readFileSync(0, 'utf8'));
            const answers = requests.map((raw) => {
              const [uri, query] = raw.split('?');
              const querystring = {};
              for (const pair of (query || '').split('&').filter(Boolean)) {
                const [name, value] = pair.split('=');
                querystring[name] = { value: value === undefined ? '' : value };
              }
              const result = handler({ version: '1.0', request: { method: 'GET', uri, querystring, headers: {}, cookies: {} } });
              if (result.statusCode) {
                return { status: result.statusCode, location: result.headers.location ? result.headers.location.value : undefined,
                         bodyStart: result.body ? result.body.data.slice(0, 15) : undefined };
              }
              return { status: 0, uri: result.uri };
            });
            process.stdout.write(JSON.stringify(answers));
            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let codeURL = folder.appendingPathComponent("function.js")
        try Data(code.utf8).write(to: codeURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", "-e", harness, codeURL.path]
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
        "/sitemap.xml", "/404.html",
    ]

    @Test("the function answers like the routing table for every kind of path")
    func matchesRoutingTable() throws {
        let result = try TestProject.build(
            TestProject.with([
                "content/legal/index.md": "---\ntitle: Legal\n---\nAll our terms.\n",
                "content/legal/cookies.md": "---\ntitle: Cookies\n---\nNone.\n",
            ]))
        let notFound = try #require(TestProject.text(result, "404.html"))
        let code = EdgeFunction.code(routes: result.manifest.routes, notFoundPage: notFound)
        let answers = try Self.run(code, Self.requests)
        #expect(answers.first == Answer(status: 0, uri: "/legal/index.html"))
        for (request, answer) in zip(Self.requests, answers) {
            switch result.manifest.routes.resolve(request) {
            case .redirect(let to, let status):
                let query = request.split(separator: "?", maxSplits: 1).dropFirst().first.map { "?" + $0 } ?? ""
                #expect(answer == Answer(status: status, location: to + query), "\(request)")
            case .spa(let key):
                #expect(answer == Answer(status: 0, uri: "/" + key), "\(request)")
            case .object(let key):
                let path = RoutingTable.stripQuery(request)
                #expect(answer == Answer(status: 0, uri: path == "/" ? "/" : "/" + key), "\(request)")
            case .notFound:
                if request.split(separator: "/").last?.contains(".") == true {
                    // Files go on to S3, which answers 404 for a missing key.
                    #expect(answer == Answer(status: 0, uri: RoutingTable.stripQuery(request)), "\(request)")
                } else {
                    #expect(answer == Answer(status: 404, bodyStart: "<!DOCTYPE html>"), "\(request)")
                }
            case .api:
                Issue.record("the function never sees API paths: \(request)")
            }
        }
        #expect(answers.count == Self.requests.count)
    }

    @Test("the function stays within CloudFront's 10 KB limit, leaving the 404 to S3 when the page does not fit")
    func sizeLimit() throws {
        let result = try TestProject.build()
        let huge = String(repeating: "x", count: 20_000)
        let code = EdgeFunction.code(routes: result.manifest.routes, notFoundPage: huge)
        #expect(code.utf8.count <= EdgeFunction.sizeLimit)
        let answers = try Self.run(code, ["/unknown"])
        #expect(answers == [Answer(status: 0, uri: "/unknown")])
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

    @Test("a path has an extension when its last segment has a dot after its first character", arguments: [
        ("/terms", false), ("/assets/app.js", true), ("/.well-known/x", false), ("/a.b/c", false), ("/.env", false), ("/x.", true), ("", false),
    ])
    func extensions(path: String, expected: Bool) {
        #expect(EdgeFunction.hasExtension(path) == expected)
    }
}
