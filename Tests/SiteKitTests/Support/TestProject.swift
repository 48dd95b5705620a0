import Foundation
import Testing

@testable import SiteKit

/// Small projects as `[path: contents]`, and helpers to build them in memory.
enum TestProject {
    static let config = """
        site:
          name: Acme
          legal_name: Acme Labs, Inc.
          contact_email: legal@acme.example
          language: en
          base_url: https://d111111abcdef8.cloudfront.net
          allowed_origins: [http://localhost:5173]
        pages:
          terms: /terms
          privacy: /privacy
        spa:
          bundle: app/dist
          title: Acme app
          description: The Acme app.
          routes: [/, /auth/callback, /app/*]
          oauth_callback: /auth/callback
        api:
          path_pattern: /api/*
          origin: https://api.acme.example
        infra:
          bucket: acme-site
        """

    static let layout = """
        <!DOCTYPE html>
        <html lang="{{site.language}}">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{page.title}}</title><link rel="stylesheet" href="{{assets.site_css}}"></head>
        <body>{{> partials/header}}<main>{{$main}}{{/main}}</main></body>
        </html>

        """

    static let legal = """
        {{<layout}}{{$main}}<h1>{{page.title}}</h1>
        {{#has_toc}}<nav>{{#toc}}<a href="#{{id}}">{{title}}</a>{{/toc}}</nav>{{/has_toc}}
        {{{content}}}{{/main}}{{/layout}}

        """

    static let spa = """
        <!DOCTYPE html>
        <html lang="{{site.language}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{{page.title}}</title>
        {{#spa.styles}}<link rel="stylesheet" href="{{href}}">{{/spa.styles}}
        {{#spa.modulepreloads}}<link rel="modulepreload" href="{{href}}">{{/spa.modulepreloads}}
        {{#spa.scripts}}<script type="module" src="{{src}}"></script>{{/spa.scripts}}
        </head><body><div id="{{spa.mount_id}}"></div></body></html>

        """

    static let viteManifest = """
        {
          "_shared-AbCd1234.js": {"file": "assets/shared-AbCd1234.js", "name": "shared"},
          "index.html": {"file": "assets/index-Zz9Yy8Xx.js", "src": "index.html", "isEntry": true,
                         "imports": ["_shared-AbCd1234.js"], "css": ["assets/index-Qq1Ww2Ee.css"]}
        }
        """

    /// A complete small site: config, two pages, templates, and a Vite-style bundle.
    static var files: [String: String] {
        [
            "site.yml": config,
            "content/terms.md": """
            ---
            title: Terms of Service
            description: The terms.
            effective: 2026-01-15
            updated: 2026-02-01
            aliases: [/tos]
            ---
            ## Who we are

            {{site.legal_name}} runs {{site.name}}. Write to [us](mailto:{{site.contact_email}}).

            ## Termination

            See the [privacy policy](/privacy).

            """,
            "content/privacy.md": """
            ---
            title: Privacy Policy
            effective: 2026-01-15
            ---
            ## Data we keep

            | Data | Kept |
            |:-----|-----:|
            | Logs | 30 days |

            """,
            "templates/layout.mustache": layout,
            "templates/legal.mustache": legal,
            "templates/404.mustache": "{{<layout}}{{$main}}<h1>{{page.title}}</h1>{{/main}}{{/layout}}\n",
            "templates/spa.mustache": spa,
            "templates/partials/header.mustache": "<header><a href=\"/\">{{site.name}}</a></header>",
            "templates/assets/site.css": "body { margin: 0 }\n",
            "app/dist/index.html": "<!doctype html><script type=\"module\" src=\"/assets/index-Zz9Yy8Xx.js\"></script>",
            "app/dist/.vite/manifest.json": viteManifest,
            "app/dist/assets/index-Zz9Yy8Xx.js": "import './shared-AbCd1234.js'\n",
            "app/dist/assets/shared-AbCd1234.js": "export const x = 1\n",
            "app/dist/assets/index-Qq1Ww2Ee.css": "#root { color: black }\n",
            "app/dist/favicon.svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        ]
    }

    /// Builds `files` in memory.
    static func build(_ files: [String: String] = files, drafts: Bool = false) throws -> BuildPipeline.Result {
        try BuildPipeline(options: .init(includeDrafts: drafts)).run(fileSystem: MemoryFileSystem(files))
    }

    /// The diagnostics a build of `files` fails with (an empty list when it succeeds).
    static func failures(_ files: [String: String]) -> [Diagnostic] {
        do {
            _ = try build(files)
            return []
        } catch let error as DiagnosticError {
            return error.diagnostics
        } catch {
            return [.error(SourceLocation(file: "?"), "\(error)")]
        }
    }

    /// `files` with some entries replaced (nil removes one).
    static func with(_ changes: [String: String?]) -> [String: String] {
        var result = files
        for (path, contents) in changes { result[path] = contents }
        return result
    }

    /// The text of a built object.
    static func text(_ result: BuildPipeline.Result, _ key: String) -> String? {
        result.objects.first { $0.key == key }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    /// The repository's root folder.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Renders diagnostics as the command line prints them, one per line, without hints.
func lines(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { "\(DiagnosticRenderer.position($0.location)): \($0.severity.rawValue): \($0.message)" }
}

/// The diagnostics `body` throws, as lines; an empty list when it succeeds.
func failureLines(_ body: () throws -> Any) -> [String] {
    do {
        _ = try body()
        return []
    } catch let error as DiagnosticError {
        return lines(error.diagnostics)
    } catch {
        return ["unexpected error: \(error)"]
    }
}
