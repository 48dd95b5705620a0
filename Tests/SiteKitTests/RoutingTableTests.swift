import Testing
@testable import SiteKit

private func pattern(_ text: String) -> RoutePattern {
    switch RoutePattern.parse(text) {
    case .success(let pattern): pattern
    case .failure(let error): fatalError(error.message)
    }
}

@Suite("RoutingTable.resolve: which URL serves what")
struct RoutingTableTests {
    /// The table Router plans for a site with Terms, Privacy, an SPA and an API.
    static let table = RoutingTable(
        entries: [
            .init(path: "/", key: "index.html"), .init(path: "/index.html", key: "index.html"),
            .init(path: "/404.html", key: "404.html"), .init(path: "/robots.txt", key: "robots.txt"),
            .init(path: "/sitemap.xml", key: "sitemap.xml"), .init(path: "/terms", key: "terms"),
            .init(path: "/privacy", key: "privacy"), .init(path: "/assets/index-Cq3fM0aZ.js", key: "assets/index-Cq3fM0aZ.js"),
        ],
        redirects: [
            .init(from: "/terms/", to: "/terms"), .init(from: "/privacy/", to: "/privacy"),
            .init(from: "/tos", to: "/terms"), .init(from: "/tos/", to: "/terms"),
        ],
        spaRoutes: [pattern("/auth/callback"), pattern("/app/*")],
        api: pattern("/api/*"))

    struct ResolveCase: CustomTestStringConvertible, Sendable {
        let path: String
        let resolution: RoutingTable.Resolution
        var testDescription: String { "\(path) -> \(resolution)" }
    }

    static let cases: [ResolveCase] = [
        ResolveCase(path: "/terms", resolution: .object(key: "terms")),
        ResolveCase(path: "/privacy", resolution: .object(key: "privacy")),
        ResolveCase(path: "/terms/", resolution: .redirect(to: "/terms", status: 301)),
        ResolveCase(path: "/tos", resolution: .redirect(to: "/terms", status: 301)),
        ResolveCase(path: "/tos/", resolution: .redirect(to: "/terms", status: 301)),
        ResolveCase(path: "/", resolution: .object(key: "index.html")),
        ResolveCase(path: "/index.html", resolution: .object(key: "index.html")),
        ResolveCase(path: "/robots.txt", resolution: .object(key: "robots.txt")),
        ResolveCase(path: "/assets/index-Cq3fM0aZ.js", resolution: .object(key: "assets/index-Cq3fM0aZ.js")),
        ResolveCase(path: "/auth/callback", resolution: .spa(key: "index.html")),
        ResolveCase(path: "/app", resolution: .spa(key: "index.html")),
        ResolveCase(path: "/app/", resolution: .spa(key: "index.html")),
        ResolveCase(path: "/app/x", resolution: .spa(key: "index.html")),
        ResolveCase(path: "/app/x/y", resolution: .spa(key: "index.html")),
        ResolveCase(path: "/auth/callback?code=abc&state=xyz", resolution: .spa(key: "index.html")),
        ResolveCase(path: "/terms?utm_source=mail", resolution: .object(key: "terms")),
        ResolveCase(path: "/terms#changes", resolution: .object(key: "terms")),
        ResolveCase(path: "/terms/?a=1#b", resolution: .redirect(to: "/terms", status: 301)),
        // CloudFront's /api/* does not match /api itself, which the bucket answers.
        ResolveCase(path: "/api", resolution: .notFound(key: "404.html")),
        ResolveCase(path: "/api/", resolution: .api),
        ResolveCase(path: "/api/videos?page=2", resolution: .api),
        ResolveCase(path: "/application", resolution: .notFound(key: "404.html")),
        ResolveCase(path: "/auth/callback/extra", resolution: .notFound(key: "404.html")),
        ResolveCase(path: "/Terms", resolution: .notFound(key: "404.html")),
        ResolveCase(path: "/nowhere", resolution: .notFound(key: "404.html")),
        ResolveCase(path: "/apix", resolution: .notFound(key: "404.html")),
    ]

    @Test("each request path resolves to its object, redirect, SPA shell, API or the 404 page", arguments: cases)
    func resolve(_ testCase: ResolveCase) {
        #expect(Self.table.resolve(testCase.path) == testCase.resolution)
    }

    /// An SPA that claims every path, next to pages and an API.
    static let catchAll = RoutingTable(
        entries: [.init(path: "/", key: "index.html"), .init(path: "/terms", key: "terms")],
        redirects: [.init(from: "/terms/", to: "/terms")], spaRoutes: [pattern("/*")], api: pattern("/api/*"))

    static let catchAllCases: [ResolveCase] = [
        ResolveCase(path: "/api/users", resolution: .api),
        ResolveCase(path: "/api", resolution: .spa(key: "index.html")),
        ResolveCase(path: "/terms", resolution: .object(key: "terms")),
        ResolveCase(path: "/terms/", resolution: .redirect(to: "/terms", status: 301)),
        ResolveCase(path: "/anything/else", resolution: .spa(key: "index.html")),
    ]

    @Test("the API prefix wins over an SPA catch-all; objects and redirects come before SPA routes", arguments: catchAllCases)
    func precedence(_ testCase: ResolveCase) {
        #expect(Self.catchAll.resolve(testCase.path) == testCase.resolution)
    }

    @Test("the API wins even over an object at the same path")
    func apiBeforeObjects() {
        let table = RoutingTable(
            entries: [.init(path: "/api/health", key: "api/health")], redirects: [], spaRoutes: [], api: pattern("/api/*"))
        #expect(table.resolve("/api/health") == .api)
    }

    @Test("without SPA routes and API, unknown paths are the 404 page with the configured key")
    func customKeys() {
        let table = RoutingTable(entries: [], redirects: [], spaRoutes: [], api: nil, shell: "shell.html", notFound: "missing.html")
        #expect(table.resolve("/anything") == .notFound(key: "missing.html"))
    }

    @Test("entry(for:) finds exact paths only")
    func entryLookup() {
        #expect(Self.table.entry(for: "/terms")?.key == "terms")
        #expect(Self.table.entry(for: "/terms/") == nil)
        #expect(Self.table.entry(for: "/term") == nil)
        #expect(Self.table.entry(for: "/zzz") == nil)
    }

    @Test(
        "stripQuery(_:) removes a query and a fragment",
        arguments: [
            ("/a?b=1", "/a"), ("/a#top", "/a"), ("/a?b#c", "/a"), ("/a#c?b", "/a"), ("/a", "/a"), ("?x", ""),
        ])
    func stripQuery(_ path: String, _ expected: String) {
        #expect(RoutingTable.stripQuery(path) == expected)
    }
}

@Suite("RoutePattern: exact and prefix route patterns")
struct RoutePatternTests {
    struct ParseCase: CustomTestStringConvertible, Sendable {
        let text: String
        let result: Result<RoutePattern, RouteError>
        var testDescription: String {
            switch result {
            case .success(let pattern): "\(text) parses as \(pattern.isPrefix ? "prefix" : "exact") \(pattern.path)"
            case .failure(let error): "\(text) is rejected: \(error)"
            }
        }
    }

    static let parseCases: [ParseCase] = [
        ParseCase(text: "/auth/callback", result: .success(RoutePattern(path: "/auth/callback", isPrefix: false))),
        ParseCase(text: "/", result: .success(RoutePattern(path: "/", isPrefix: false))),
        ParseCase(text: "/app/*", result: .success(RoutePattern(path: "/app/", isPrefix: true))),
        ParseCase(text: "/*", result: .success(RoutePattern(path: "/", isPrefix: true))),
        ParseCase(text: "/v1.2/x_y-z~", result: .success(RoutePattern(path: "/v1.2/x_y-z~", isPrefix: false))),
        ParseCase(text: "app", result: .failure(.notAbsolute("app"))),
        ParseCase(text: "app/*", result: .failure(.notAbsolute("app/*"))),
        ParseCase(text: "", result: .failure(.notAbsolute(""))),
        ParseCase(text: "*", result: .failure(.notAbsolute("*"))),
        ParseCase(text: "/a/../b", result: .failure(.dotSegment("/a/../b"))),
        ParseCase(text: "/..", result: .failure(.dotSegment("/.."))),
        ParseCase(text: "/a/./b", result: .failure(.dotSegment("/a/./b"))),
        ParseCase(text: "/../*", result: .failure(.dotSegment("/../"))),
        ParseCase(text: "/a//b", result: .failure(.emptySegment("/a//b"))),
        ParseCase(text: "//", result: .failure(.emptySegment("//"))),
        ParseCase(text: "/a/*/b", result: .failure(.badWildcard("/a/*/b"))),
        ParseCase(text: "/app*", result: .failure(.badWildcard("/app*"))),
        ParseCase(text: "/**", result: .failure(.badWildcard("/**"))),
        ParseCase(text: "/a b", result: .failure(.badCharacter("/a b", " "))),
        ParseCase(text: "/über", result: .failure(.badCharacter("/über", "ü"))),
        ParseCase(text: "/a?b", result: .failure(.badCharacter("/a?b", "?"))),
    ]

    @Test("parse(_:) accepts clean absolute paths and rejects .., //, a * not at the end and relative paths", arguments: parseCases)
    func parse(_ testCase: ParseCase) {
        #expect(RoutePattern.parse(testCase.text) == testCase.result)
    }

    @Test(
        "rejections explain themselves",
        arguments: [
            (RouteError.notAbsolute("app"), "route 'app' must start with '/'"),
            (RouteError.badWildcard("/a/*/b"), "route '/a/*/b' may only use '*' as its last segment, as in '/app/*'"),
            (RouteError.dotSegment("/a/.."), "route '/a/..' must not contain '.' or '..' segments (it would escape its folder)"),
            (RouteError.emptySegment("/a//b"), "route '/a//b' must not contain '//'"),
            (RouteError.badCharacter("/a b", " "), "route '/a b' contains ' '; use letters, digits and - _ . ~ / only"),
        ])
    func messages(_ error: RouteError, _ message: String) {
        #expect(error.message == message)
    }

    struct MatchCase: CustomTestStringConvertible, Sendable {
        let pattern: String
        let path: String
        let matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "matches" : "does not match") \(path)" }
    }

    static let matchCases: [MatchCase] = [
        MatchCase(pattern: "/app/*", path: "/app", matches: true),
        MatchCase(pattern: "/app/*", path: "/app/", matches: true),
        MatchCase(pattern: "/app/*", path: "/app/x", matches: true),
        MatchCase(pattern: "/app/*", path: "/app/x/y", matches: true),
        MatchCase(pattern: "/app/*", path: "/application", matches: false),
        MatchCase(pattern: "/app/*", path: "/ap", matches: false),
        MatchCase(pattern: "/app/*", path: "/", matches: false),
        MatchCase(pattern: "/*", path: "/", matches: true),
        MatchCase(pattern: "/*", path: "/anything/at/all", matches: true),
        MatchCase(pattern: "/auth/callback", path: "/auth/callback", matches: true),
        MatchCase(pattern: "/auth/callback", path: "/auth/callback/", matches: false),
        MatchCase(pattern: "/auth/callback", path: "/auth", matches: false),
        MatchCase(pattern: "/auth/callback", path: "/auth/callback/x", matches: false),
    ]

    @Test("matches(_:) takes exact paths literally and prefixes with or without the trailing slash", arguments: matchCases)
    func matches(_ testCase: MatchCase) {
        #expect(pattern(testCase.pattern).matches(testCase.path) == testCase.matches)
    }

    @Test("description writes the pattern back as it was written", arguments: ["/app/*", "/auth/callback", "/*", "/"])
    func description(_ text: String) {
        #expect(pattern(text).description == text)
    }
}

@Suite("URLPath: paths that become object keys")
struct URLPathTests {
    struct ProblemCase: CustomTestStringConvertible, Sendable {
        let path: String
        let problem: RouteError?
        var testDescription: String { "\(path) -> \(problem.map { "\($0)" } ?? "fine")" }
    }

    static let problemCases: [ProblemCase] = [
        ProblemCase(path: "/terms", problem: nil),
        ProblemCase(path: "/", problem: nil),
        ProblemCase(path: "/legal/terms", problem: nil),
        ProblemCase(path: "/app/", problem: nil),
        ProblemCase(path: "/a.b/.well-known", problem: nil),
        ProblemCase(path: "terms", problem: .notAbsolute("terms")),
        ProblemCase(path: "", problem: .notAbsolute("")),
        ProblemCase(path: "/a//b", problem: .emptySegment("/a//b")),
        ProblemCase(path: "/a/..", problem: .dotSegment("/a/..")),
        ProblemCase(path: "/.", problem: .dotSegment("/.")),
        ProblemCase(path: "/terms%20", problem: .badCharacter("/terms%20", "%")),
        ProblemCase(path: "/terms?x=1", problem: .badCharacter("/terms?x=1", "?")),
        ProblemCase(path: "/app/*", problem: .badCharacter("/app/*", "*")),
    ]

    @Test("problem(in:) accepts clean absolute paths and names what is wrong with the others", arguments: problemCases)
    func problem(_ testCase: ProblemCase) {
        #expect(URLPath.problem(in: testCase.path) == testCase.problem)
    }

    @Test(
        "key(for:) drops the leading slash and maps / to index.html",
        arguments: [
            ("/", "index.html"), ("/terms", "terms"), ("/legal/privacy", "legal/privacy"), ("/404.html", "404.html"),
        ])
    func key(_ path: String, _ key: String) {
        #expect(URLPath.key(for: path) == key)
    }
}
