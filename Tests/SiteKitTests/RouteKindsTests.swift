import Testing

@testable import SiteKit

@Suite("RouteKinds: which kinds of claim may share a path")
struct RouteKindsTests {
    struct Pair: CustomTestStringConvertible, Sendable {
        let kind: RouteKind
        let relation: PathRelation
        let other: RouteKind
        let rule: RouteKinds.Rule
        var testDescription: String { "\(kind) \(relation) \(other): \(rule)" }
    }

    static func pair(_ kind: RouteKind, _ relation: PathRelation, _ other: RouteKind, _ rule: RouteKinds.Rule) -> Pair {
        Pair(kind: kind, relation: relation, other: other, rule: rule)
    }

    static let pairs: [Pair] = [
        // An alias takes its path from whatever else claims it.
        pair(.alias, .same, .page, .conflict), pair(.alias, .same, .alias, .conflict),
        pair(.alias, .same, .spaRoute, .conflict), pair(.alias, .same, .spaPrefix, .conflict),
        pair(.alias, .same, .oauthCallback, .conflict), pair(.alias, .same, .shell, .conflict),
        pair(.alias, .same, .file, .conflict), pair(.alias, .same, .generated, .conflict),
        pair(.alias, .same, .trailingSlash, .conflict), pair(.alias, .same, .api, .conflict),
        pair(.alias, .same, .reserved, .conflict),
        pair(.alias, .under, .api, .conflict), pair(.alias, .under, .reserved, .conflict),
        pair(.alias, .under, .spaPrefix, .allowed),
        // Pages.
        pair(.page, .same, .spaRoute, .conflict), pair(.page, .same, .spaPrefix, .conflict),
        pair(.page, .same, .oauthCallback, .conflict), pair(.page, .same, .page, .conflict),
        pair(.page, .same, .file, .conflict), pair(.page, .same, .generated, .conflict), pair(.page, .same, .shell, .conflict),
        pair(.page, .under, .api, .conflict), pair(.page, .under, .reserved, .conflict), pair(.page, .under, .spaPrefix, .allowed),
        // The app's own routes load the app, whichever claims them.
        pair(.spaRoute, .same, .spaRoute, .allowed), pair(.spaRoute, .same, .spaPrefix, .allowed),
        pair(.oauthCallback, .same, .spaRoute, .allowed), pair(.oauthCallback, .under, .spaPrefix, .allowed),
        pair(.shell, .same, .spaRoute, .allowed), pair(.shell, .same, .spaPrefix, .allowed),
        pair(.spaPrefix, .under, .spaPrefix, .allowed),
        // The app against the API, the reserved prefix and files.
        pair(.spaRoute, .under, .api, .conflict), pair(.spaPrefix, .same, .api, .conflict), pair(.spaPrefix, .under, .api, .conflict),
        pair(.oauthCallback, .under, .api, .conflict), pair(.spaRoute, .under, .reserved, .conflict),
        pair(.spaRoute, .same, .file, .conflict), pair(.spaRoute, .same, .generated, .conflict),
        pair(.api, .under, .spaPrefix, .allowed),
        // Objects and automatic redirects.
        pair(.file, .same, .file, .conflict), pair(.file, .same, .generated, .conflict), pair(.file, .under, .spaPrefix, .allowed),
        pair(.trailingSlash, .same, .spaRoute, .conflict), pair(.trailingSlash, .under, .spaPrefix, .allowed),
        pair(.trailingSlash, .under, .api, .conflict),
    ]

    @Test("the rule for each pair", arguments: pairs)
    func rule(_ pair: Pair) {
        #expect(RouteKinds.rule(pair.kind, pair.relation, pair.other) == pair.rule)
    }

    @Test("sharing one path is symmetric: two kinds may, or may not, whichever is asked about", arguments: RouteKind.allCases)
    func symmetric(_ kind: RouteKind) {
        for other in RouteKind.allCases {
            #expect(RouteKinds.rule(kind, .same, other) == RouteKinds.rule(other, .same, kind), "\(kind) and \(other)")
        }
    }

    @Test("a path strictly inside something that is not an area is no conflict", arguments: RouteKind.allCases.filter { !$0.isArea })
    func underExact(_ other: RouteKind) {
        for kind in RouteKind.allCases {
            #expect(RouteKinds.rule(kind, .under, other) == .allowed)
        }
    }

    struct Relation: CustomTestStringConvertible, Sendable {
        let path: String
        let other: String
        let relation: PathRelation?
        var testDescription: String { "\(path) vs \(other): \(relation.map(\.rawValue) ?? "none")" }
    }

    static let relations: [Relation] = [
        Relation(path: "/terms", other: "/terms", relation: .same),
        Relation(path: "/terms", other: "/terms/", relation: nil),
        Relation(path: "/app", other: "/app/*", relation: .same),
        Relation(path: "/app/", other: "/app/*", relation: .same),
        Relation(path: "/app/x", other: "/app/*", relation: .under),
        Relation(path: "/application", other: "/app/*", relation: nil),
        Relation(path: "/app/*", other: "/app", relation: .same),
        Relation(path: "/api/v1/*", other: "/api/*", relation: .under),
        Relation(path: "/api/*", other: "/api/*", relation: .same),
        Relation(path: "/*", other: "/api/*", relation: nil),
        Relation(path: "/", other: "/*", relation: .same),
        Relation(path: "/x", other: "/*", relation: .under),
    ]

    @Test("how one claim's paths stand to another's", arguments: relations)
    func relation(_ testCase: Relation) throws {
        func claim(_ text: String) throws -> PathClaim {
            let pattern = try RoutePattern.parse(text).get()
            return PathClaim(
                kind: pattern.isPrefix ? .spaPrefix : .alias, pattern: pattern, owner: "x", location: SourceLocation(file: "f"))
        }
        #expect(try claim(testCase.path).relation(to: try claim(testCase.other)) == testCase.relation)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var changes: [String: String?]
        var expected: [String]
        var testDescription: String { name }
    }

    static func privacy(aliases: String) -> [String: String?] {
        ["content/privacy.md": "---\ntitle: P\naliases: \(aliases)\n---\nText\n"]
    }

    static let cases: [Case] = [
        Case(
            name: "alias below an SPA prefix takes only that path from the app", changes: privacy(aliases: "[/app/old-privacy]"),
            expected: []),
        Case(name: "alias with a trailing slash of a path nothing else claims", changes: privacy(aliases: "[/old/privacy/]"), expected: []),
        Case(name: "alias of the OAuth callback's trailing-slash form", changes: privacy(aliases: "[/auth/callback/]"), expected: []),
        Case(
            name: "page below an SPA prefix", changes: ["content/help.md": "---\ntitle: H\nroute: /app/help\n---\nText\n"], expected: []),
        Case(
            name: "alias that is an exact SPA route", changes: privacy(aliases: "[/]"),
            expected: [
                "content/privacy.md:3:11: error: alias / is the SPA route /, spa.routes[0] at site.yml:15:12: the 301 would take that path from the app"
            ]),
        Case(
            name: "alias that is the root of an SPA prefix", changes: privacy(aliases: "[/app/]"),
            expected: [
                "content/privacy.md:3:11: error: alias /app/ is the root of the SPA route /app/*, spa.routes[2] at site.yml:15:31: the 301 would take that path from the app"
            ]),
        Case(
            name: "alias that is the OAuth callback", changes: privacy(aliases: "[/auth/callback]"),
            expected: [
                "content/privacy.md:3:11: error: alias /auth/callback is the OAuth callback, spa.oauth_callback at site.yml:16:19: a 301 there would send the provider's redirect to a page instead of the app"
            ]),
        Case(
            name: "alias under the API", changes: privacy(aliases: "[/api/legal/privacy]"),
            expected: [
                "content/privacy.md:3:11: error: alias /api/legal/privacy falls under the API path /api/*, api.path_pattern at site.yml:18:17: the backend answers it, so the redirect would never run"
            ]),
        Case(
            name: "alias under the reserved prefix", changes: privacy(aliases: "[/_site/old]"),
            expected: ["content/privacy.md:3:11: error: alias /_site/old is under /_site/, which site reserves and never serves"]),
        Case(
            name: "alias that is the page's own trailing-slash form", changes: privacy(aliases: "[/privacy/]"),
            expected: [
                "content/privacy.md:3:11: error: alias /privacy/ duplicates the automatic redirect from /privacy/ to this page's route /privacy"
            ]),
        Case(
            name: "alias that is another page's trailing-slash form", changes: privacy(aliases: "[/terms/]"),
            expected: [
                "content/privacy.md:3:11: error: alias /terms/ is already the automatic redirect from /terms/ to /terms, made for page content/terms.md at content/terms.md:1:1"
            ]),
        Case(
            name: "alias that is the trailing-slash form of one of the page's own aliases",
            changes: privacy(aliases: "[/old, /old/]"),
            expected: [
                "content/privacy.md:3:17: error: alias /old/ duplicates the automatic redirect from /old/ to this page, made for its alias /old"
            ]),
        Case(
            name: "alias that is a generated file", changes: privacy(aliases: "[/robots.txt]"),
            expected: [
                "content/privacy.md:3:11: error: alias /robots.txt is already the generated robots.txt, so the redirect would never run"
            ]),
        Case(
            name: "alias that is a bundle file", changes: privacy(aliases: "[/favicon.svg]"),
            expected: [
                "content/privacy.md:3:11: error: alias /favicon.svg is already bundle file app/dist/favicon.svg, which is served there, so the redirect would never run"
            ]),
        Case(
            name: "alias that is the shell", changes: privacy(aliases: "[/index.html]"),
            expected: [
                "content/privacy.md:3:11: error: alias /index.html is the SPA shell's path, spa.bundle at site.yml:12:11, so the redirect would never run"
            ]),
        Case(
            name: "page at the OAuth callback", changes: ["content/cb.md": "---\ntitle: C\nroute: /auth/callback\n---\nText\n"],
            expected: [
                "content/cb.md:3:8: error: route /auth/callback is the OAuth callback, spa.oauth_callback at site.yml:16:19: the page would be served there instead of the app"
            ]),
        Case(
            name: "page at the root of an SPA prefix", changes: ["content/app.md": "---\ntitle: A\nroute: /app\n---\nText\n"],
            expected: [
                "content/app.md:3:8: error: route /app is the root of the SPA route /app/*, spa.routes[2] at site.yml:15:31: the page would be served there instead of the app"
            ]),
        Case(
            name: "SPA route that is a bundle file",
            changes: [
                "site.yml": TestProject.config.replacingOccurrences(
                    of: "routes: [/, /auth/callback, /app/*]", with: "routes: [/, /auth/callback, /app/*, /favicon.svg]")
            ],
            expected: [
                "site.yml:15:39: error: SPA route /favicon.svg is already bundle file app/dist/favicon.svg, which answers it instead of the app"
            ]),
        Case(
            name: "SPA route under the reserved prefix",
            changes: [
                "site.yml": TestProject.config.replacingOccurrences(
                    of: "routes: [/, /auth/callback, /app/*]", with: "routes: [/, /auth/callback, /app/*, /_site/app]")
            ],
            expected: ["site.yml:15:39: error: SPA route /_site/app is under /_site/, which site reserves and never serves"]),
    ]

    @Test("aliases, pages and SPA routes against every other claim on their paths", arguments: cases)
    func router(_ testCase: Case) {
        #expect(lines(TestProject.failures(TestProject.with(testCase.changes))) == testCase.expected)
    }
}
