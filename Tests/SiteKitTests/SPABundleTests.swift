import Testing

@testable import SiteKit

@Suite("SPABundle: which bundle files are fingerprinted")
struct SPABundleTests {
    @Test(
        "a name whose last '-' part before the first '.' has 8 or more letters, digits or '_' is fingerprinted",
        arguments: [
            ("assets/index-BxQ3k9aZ.js", true),
            ("assets/vendor-react-4f9a1c2e.css", true),
            ("assets/deep/chunk-abc_DEF1.js.map", true),
            ("chunk-00000001.js", true),
            ("assets/logo.svg", false),
            ("assets/index-short.js", false),
            ("assets/index-BxQ3k9a!.js", false),
            ("assets/name-ÄÖÜäöüß1.js", false),
            ("assets/index-BxQ3k9aZ", true),
            ("assets-BxQ3k9aZ/logo.svg", false),
        ])
    func fingerprinted(key: String, expected: Bool) {
        #expect(SPABundle.looksFingerprinted(key) == expected)
    }

    @Test(
        "an asset URL of index.html that would not load at the site's root names the base path it was built for",
        arguments: [
            ("/assets/index-Zz9Yy8Xx.js", nil), ("/favicon.svg", nil), ("https://cdn.example/x.js", nil), ("//cdn.example/x.js", nil),
            ("/assets/index-Zz9Yy8Xx.js?v=1", nil), ("/not-in-the-bundle.js", nil),
            ("/sub/assets/index-Zz9Yy8Xx.js", "/sub/"), ("/a/b/favicon.svg", "/a/b/"),
            ("./assets/index-Zz9Yy8Xx.js", "relative"), ("assets/index-Zz9Yy8Xx.js", "relative"),
        ] as [(String, String?)])
    func basePath(url: String, problem: String?) {
        let keys: Set<String> = ["assets/index-Zz9Yy8Xx.js", "favicon.svg"]
        let found = SPABundle.basePathProblem(url, keys: keys)
        switch problem {
        case nil: #expect(found == nil)
        case "relative": #expect(found?.message.contains("relative to the page") == true)
        case let base?: #expect(found?.message.contains("built for the base path \(base) ") == true, "\(String(describing: found))")
        }
        if problem != nil { #expect(found?.hint.contains("base: '/'") == true) }
    }

    @Test("the icons index.html links are the shell's and the legal pages'; a bundle without one links none")
    func icons() throws {
        var files = TestProject.files
        files["app/dist/index.html"] =
            "<!doctype html><link rel=\"icon\" type=\"image/png\" sizes=\"32x32\" href=\"/icon-32.png\"><link rel=\"apple-touch-icon\" href=\"/touch.png\"><link rel=\"stylesheet\" href=\"/x.css\">"
        files["app/dist/icon-32.png"] = "png"
        files["app/dist/touch.png"] = "png"
        files["app/dist/x.css"] = ""
        let config = try ConfigLoader.parse(files["site.yml"] ?? "", file: "site.yml")
        let settings = try #require(config.spa)
        let bundle = try SPABundle.load(settings, config: config, from: MemoryFileSystem(files))
        #expect(
            bundle.icons == [
                .init(rel: "icon", href: "/icon-32.png", type: "image/png", sizes: "32x32"),
                .init(rel: "apple-touch-icon", href: "/touch.png", type: "", sizes: ""),
            ])
        files["app/dist/index.html"] = "<!doctype html><script type=\"module\" src=\"/assets/index-Zz9Yy8Xx.js\"></script>"
        #expect(try SPABundle.load(settings, config: config, from: MemoryFileSystem(files)).icons.isEmpty)
    }
}
