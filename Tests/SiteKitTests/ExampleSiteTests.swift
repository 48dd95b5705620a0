import Foundation
import Testing

@testable import SiteKit

/// The repository's own example site, built and compared with the snapshot in Fixtures/example-dist.
@Suite("Example site")
struct ExampleSiteTests {
    @Test("the example site builds and matches its snapshot (SITE_RECORD_SNAPSHOTS=1 re-records)")
    func snapshot() throws {
        let fileSystem = DiskFileSystem(root: TestProject.repositoryRoot)
        let result = try BuildPipeline().run(fileSystem: fileSystem)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        var expectedFiles = Set(Snapshot.files(under: "example-dist"))
        for object in result.objects {
            Snapshot.check(object.data, path: "example-dist/" + object.key)
            expectedFiles.remove(object.key)
        }
        Snapshot.check(result.manifestData, path: "example-dist/" + Manifest.key)
        expectedFiles.remove(Manifest.key)
        if Snapshot.recording {
            for stale in expectedFiles {
                try? FileManager.default.removeItem(at: Snapshot.fixtures.appendingPathComponent("example-dist/" + stale))
            }
        } else {
            #expect(expectedFiles.isEmpty, "snapshot files the build no longer writes: \(expectedFiles.sorted())")
        }
    }

    @Test("the example's legal pages are real HTML with their text, not an empty app shell")
    func legalPagesRender() throws {
        let result = try BuildPipeline().run(fileSystem: DiskFileSystem(root: TestProject.repositoryRoot))
        for key in ["terms", "privacy"] {
            let html = try #require(result.objects.first { $0.key == key }).data
            let text = String(decoding: html, as: UTF8.self)
            #expect(text.contains("<h1>"))
            #expect(text.contains("Clipcast Labs, Inc."))
            #expect(!text.contains("{{"))
        }
        #expect(result.manifest.routes.resolve("/auth/tiktok/callback?code=x&state=y") == .spa(key: "index.html"))
        #expect(result.manifest.routes.resolve("/tos") == .redirect(to: "/terms", status: 301))
    }
}
