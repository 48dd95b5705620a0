import Foundation
import Testing

@testable import SiteKit

/// The `site` binary end to end, on projects written to temporary folders.
@Suite("Command line", .serialized)
struct CommandLineTests {
    @Test("site build writes dist/ and prints numbered steps and a summary")
    func builds() throws {
        let project = try TemporaryProject()
        let outcome = try SiteExecutable.run(["build"], in: project.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        // Every step of the pipeline, then the build's own: the output is written last but one.
        let names = BuildPipeline.steps.map(\.name) + ["Save caches", "Write dist", "Record build"]
        let progress = names.enumerated().map { "[\($0.offset + 1)/\(names.count)] \($0.element)\n" }.joined()
        #expect(outcome.stdout.hasPrefix(progress))
        #expect(outcome.stdout.hasPrefix("[1/16] Load config\n[2/16] Load content\n"))
        #expect(outcome.stdout.contains("Built 4 pages, 12 files, "))
        let dist = project.snapshot("dist")
        #expect(dist.keys.sorted().contains("_site/manifest.json"))
        #expect(dist["terms"] != nil && dist["index.html"] != nil && dist["404.html"] != nil)
        #expect(project.topLevel.filter { $0.hasPrefix(".dist") }.isEmpty, "no staging folders are left behind")
    }

    @Test("a read-only dist/ is replaced by the next build, nothing left beside it, and a dead build's leftovers go")
    func readOnlyOutput() throws {
        let project = try TemporaryProject()
        // Permissions bind everyone but root: as root, the builds run as `nobody`.
        let asRoot = getuid() == 0
        if asRoot { #expect(chownTree(project.root.path, to: "nobody")) }
        // A copy in the temporary folder: the build folder may sit where `nobody` cannot enter.
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("site-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: SiteExecutable.url, to: binary)
        defer { try? FileManager.default.removeItem(at: binary) }
        #expect(chmod(binary.path, 0o755) == 0)
        func build() throws -> ProcessOutcome {
            let site = binary.path
            return asRoot
                ? try ProcessOutcome.run(
                    URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", "nobody", "--", site, "build", "-q"], in: project.root)
                : try ProcessOutcome.run(SiteExecutable.url, ["build", "-q"], in: project.root)
        }
        #expect(try build().status == 0)
        // A build killed between its steps left these (pid 2^22 + 1 is above any Linux pid).
        for leftover in [".dist.tmp-4194305", ".dist.old-4194305"] {
            try FileManager.default.createDirectory(
                at: project.root.appendingPathComponent(leftover + "/assets"), withIntermediateDirectories: true)
        }
        if asRoot { #expect(chownTree(project.root.path, to: "nobody")) }
        for round in 0..<2 {
            #expect(makeReadOnly(project.root.appendingPathComponent("dist").path))
            try project.write([
                "content/terms.md": String(decoding: project.snapshot("content")["terms.md"] ?? Data(), as: UTF8.self)
                    + "\nMore \(round).\n"
            ])
            if asRoot { #expect(chownTree(project.root.path, to: "nobody")) }
            let outcome = try build()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(String(decoding: project.snapshot("dist")["terms"] ?? Data(), as: UTF8.self).contains("More \(round)."))
            #expect(project.topLevel.filter { $0.hasPrefix(".dist") }.isEmpty, "left beside dist/: \(project.topLevel)")
        }
    }

    private func chownTree(_ path: String, to user: String) -> Bool {
        (try? ProcessOutcome.run(URL(fileURLWithPath: "/bin/chown"), ["-R", user, path], in: URL(fileURLWithPath: "/")).status) == 0
    }

    private func makeReadOnly(_ path: String) -> Bool {
        (try? ProcessOutcome.run(URL(fileURLWithPath: "/bin/chmod"), ["-R", "a-w", path], in: URL(fileURLWithPath: "/")).status) == 0
    }

    @Test("two builds give byte-identical dist folders")
    func deterministic() throws {
        let project = try TemporaryProject()
        _ = try SiteExecutable.run(["build", "-q"], in: project.root)
        let first = project.snapshot("dist")
        _ = try SiteExecutable.run(["build", "-q"], in: project.root)
        #expect(project.snapshot("dist") == first)
        #expect(!first.isEmpty)
    }

    @Test("rebuilds after edits give the dist a clean build gives; unchanged files stay the same files")
    func incremental() throws {
        let project = try TemporaryProject()
        func inode(_ path: String) -> UInt64 {
            var status = stat()
            return lstat(project.root.path + "/" + path, &status) == 0 ? UInt64(status.st_ino) : 0
        }
        let edits: [[String: String?]] = [
            ["content/terms.md": TestProject.files["content/terms.md"]! + "\nOne more sentence.\n"],
            ["content/faq.md": "---\ntitle: FAQ\n---\nSee the [terms](/terms).\n"],
            ["content/faq.md": nil, "content/privacy.md": TestProject.files["content/privacy.md"]! + "\nAnd another.\n"],
            ["templates/partials/header.mustache": "<header><a href=\"/\">{{site.name}}</a> home</header>"],
            [:],
        ]
        #expect(try SiteExecutable.run(["build", "-q"], in: project.root).status == 0)
        // A clean build records every file it wrote, so the next build need not read any back.
        let record = try Data(contentsOf: project.root.appendingPathComponent(".site-cache/outputs.bin"))
        let dist = project.root.appendingPathComponent("dist").standardizedFileURL.path
        #expect(WrittenFiles(data: record, folder: dist)?.entries.count == project.snapshot("dist").count)
        for (round, edit) in edits.enumerated() {
            for (path, text) in edit {
                if let text { try project.write([path: text]) } else { try project.remove(path) }
            }
            let robots = inode("dist/robots.txt")
            let outcome = try SiteExecutable.run(["build", "-q"], in: project.root)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let clean = try SiteExecutable.run(["build", "-q", "--no-cache", "--out", "clean-\(round)"], in: project.root)
            #expect(clean.status == 0, "\(clean.stderr)")
            #expect(project.snapshot("dist") == project.snapshot("clean-\(round)"), "round \(round)")
            #expect(inode("dist/robots.txt") == robots, "an unchanged file is linked or kept, never written again")
        }
        #expect(FileManager.default.fileExists(atPath: project.root.path + "/.site-cache/previous-output/robots.txt"))
        #expect(project.topLevel.filter { $0.hasPrefix(".dist") }.isEmpty, "no staging folders are left behind")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var changes: [String: String]
        var removals: [String] = []
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "malformed front matter",
            changes: ["content/privacy.md": "---\ntitle: [Privacy\n---\n"],
            expected: "content/privacy.md:3:1: error: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence"),
        Case(
            name: "unknown variable",
            changes: ["content/terms.md": "---\ntitle: T\n---\nBy {{site.legal_nmae}}\n"],
            expected: "content/terms.md:4:4: error: unknown variable 'site.legal_nmae' (did you mean 'site.legal_name'?)"),
        Case(
            name: "missing partial",
            changes: [:], removals: ["templates/partials/header.mustache"],
            expected: "templates/layout.mustache:4:7: error: unknown partial 'partials/header'"),
        Case(
            name: "route collision",
            changes: ["content/copy.md": "---\ntitle: Copy\nroute: /privacy\n---\n"],
            expected: "content/privacy.md:1:1: error: page content/privacy.md and page content/copy.md both claim /privacy"),
    ]

    @Test("bad input prints file:line:col, exits 1 and leaves the old dist untouched", arguments: cases)
    func failsCleanly(_ testCase: Case) throws {
        let project = try TemporaryProject()
        let first = try SiteExecutable.run(["build", "-q"], in: project.root)
        #expect(first.status == 0, "\(first.stderr)")
        let before = project.snapshot("dist")
        try project.write(testCase.changes)
        for path in testCase.removals { try project.remove(path) }
        let outcome = try SiteExecutable.run(["build"], in: project.root)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.components(separatedBy: "\n").first == testCase.expected)
        #expect(outcome.stderr.contains("1 error, 0 warnings"))
        #expect(project.snapshot("dist") == before)
        #expect(project.topLevel.filter { $0.hasPrefix(".dist") }.isEmpty)
    }

    @Test("an unknown option is a usage error with exit status 2")
    func usage() throws {
        let project = try TemporaryProject()
        let outcome = try SiteExecutable.run(["build", "--nope"], in: project.root)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("Unknown option '--nope'"))
        #expect(!FileManager.default.fileExists(atPath: project.root.appendingPathComponent("dist").path))
    }

    @Test(
        "site verify: a URL that is not http or https, or a deadline out of range, is a usage error",
        arguments: [
            (["--url", "ftp://example.com"], "--url must be an http or https URL"),
            (["--url", "not a url"], "--url must be an http or https URL"),
            (["--deadline", "0"], "--deadline must be between 1 and 3600 seconds"),
            (["--deadline", "soon"], "--deadline"),
        ])
    func verifyUsage(arguments: [String], message: String) throws {
        let project = try TemporaryProject()
        let outcome = try SiteExecutable.run(["verify"] + arguments, in: project.root)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test("site verify against a port where nothing listens exits 1, naming the URLs that did not answer")
    func verifyNothingListening() throws {
        let project = try TemporaryProject()
        let outcome = try SiteExecutable.run(["verify", "--url", "http://127.0.0.1:9"], in: project.root)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("http://127.0.0.1:9/terms: error: page /terms: no answer: "))
    }

    @Test("--version names the version and the allocator: mimalloc serves every malloc of the process")
    func version() throws {
        let project = try TemporaryProject()
        let outcome = try SiteExecutable.run(["--version"], in: project.root)
        #expect(outcome.status == 0)
        // "mimalloc" only when a block from malloc lies in mimalloc's heap (not merely linked).
        #expect(outcome.stdout.hasPrefix("0.1.0 (allocator: mimalloc "))
    }

    @Test("--help describes the build command and exits 0")
    func help() throws {
        let project = try TemporaryProject()
        let outcome = try SiteExecutable.run(["build", "--help"], in: project.root)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("USAGE: site build [--config <path>] [--env <name>] [--out <dir>]"))
    }

    @Test("--config names a project elsewhere and paths in messages stay clickable")
    func configElsewhere() throws {
        let project = try TemporaryProject()
        try project.write(["content/terms.md": "---\ntitle: T\n---\n{{page.nope}}\n"])
        let parent = project.root.deletingLastPathComponent()
        let outcome = try SiteExecutable.run(["build", "--config", project.root.lastPathComponent + "/site.yml"], in: parent)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.hasPrefix(project.root.lastPathComponent + "/content/terms.md:4:1: error: unknown variable 'page.nope'"))
    }

    @Test("--out writes somewhere else and GitHub annotations appear under GitHub Actions")
    func outAndAnnotations() throws {
        let project = try TemporaryProject()
        let outcome = try SiteExecutable.run(["build", "-q", "--out", "public"], in: project.root)
        #expect(outcome.status == 0)
        #expect(project.snapshot("public")["terms"] != nil)
        try project.write(["content/terms.md": "---\ntitle: T\n---\n{{page.nope}}\n"])
        let annotated = try SiteExecutable.run(["build", "-q"], in: project.root, environment: ["GITHUB_ACTIONS": "true"])
        #expect(annotated.stderr.hasPrefix("::error file=content/terms.md,line=4,col=1::unknown variable 'page.nope'"))
    }
}

@Suite("Command line: site check", .serialized)
struct CheckCommandTests {
    @Test("the example site passes site check with no findings and nothing is written")
    func exampleIsClean() throws {
        let outcome = try SiteExecutable.run(
            ["check", "--config", TestProject.repositoryRoot.appendingPathComponent("site.yml").path],
            in: FileManager.default.temporaryDirectory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty)
        #expect(outcome.stdout.hasPrefix("Checked 4 pages of staging, "))
        #expect(outcome.stdout.hasSuffix(": 0 errors, 0 warnings\n"))
    }

    @Test("check writes no output folder, and fails like build on an error")
    func writesNothing() throws {
        let project = try TemporaryProject()
        #expect(try SiteExecutable.run(["check", "-q"], in: project.root).status == 0)
        try project.write(["content/privacy.md": "---\ntitle: P\n---\nSee [x](/nowhere).\n"])
        let outcome = try SiteExecutable.run(["check"], in: project.root)
        #expect(outcome.status == 1)
        #expect(
            outcome.stderr
                == "content/privacy.md:4:9: error: broken link to /nowhere on page /privacy\n    hint: no page, file, redirect or SPA route answers it; fix the link or add the page\nstopped at \"Check pages\": 1 error, 0 warnings\n"
        )
        #expect(project.topLevel.filter { $0.hasPrefix("dist") || $0.hasPrefix(".dist") }.isEmpty)
    }

    @Test("warnings pass unless --strict makes them errors")
    func strict() throws {
        let project = try TemporaryProject()
        try project.write(["content/privacy.md": "---\ntitle: P\n---\nSee the [terms](/tos).\n"])
        let relaxed = try SiteExecutable.run(["check"], in: project.root)
        #expect(relaxed.status == 0)
        #expect(
            relaxed.stderr.hasPrefix("content/privacy.md:4:17: warning: link to /tos on page /privacy goes through a redirect to /terms\n"))
        let strict = try SiteExecutable.run(["check", "--strict"], in: project.root)
        #expect(strict.status == 1)
        #expect(
            strict.stderr.hasPrefix("content/privacy.md:4:17: error: link to /tos on page /privacy goes through a redirect to /terms\n"))
    }

    @Test("--format json prints every finding as one document on standard output")
    func json() throws {
        let project = try TemporaryProject()
        try project.write(["content/privacy.md": "---\ntitle: P\n---\nSee [x](/nowhere) and [y](/tos).\n"])
        let outcome = try SiteExecutable.run(["check", "--format", "json"], in: project.root)
        #expect(outcome.status == 1)
        struct Report: Decodable {
            struct Entry: Decodable, Equatable {
                var file: String
                var line: Int
                var column: Int
                var severity: String
                var message: String
            }
            var diagnostics: [Entry]
            var errors: Int
            var warnings: Int
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.errors == 1 && report.warnings == 1)
        #expect(
            report.diagnostics == [
                .init(
                    file: "content/privacy.md", line: 4, column: 9, severity: "error", message: "broken link to /nowhere on page /privacy"),
                .init(
                    file: "content/privacy.md", line: 4, column: 27, severity: "warning",
                    message: "link to /tos on page /privacy goes through a redirect to /terms"),
            ])
    }

    @Test("--external lists links to other sites without fetching them")
    func external() throws {
        let project = try TemporaryProject()
        try project.write(["content/privacy.md": "---\ntitle: P\n---\nSee [TikTok](https://www.tiktok.com/legal).\n"])
        let outcome = try SiteExecutable.run(["check", "--external"], in: project.root)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("content/privacy.md:4:14: external: https://www.tiktok.com/legal\n"))
        #expect(outcome.stdout.contains("(1 external, not fetched)"))
    }
}
