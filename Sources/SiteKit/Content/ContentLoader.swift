/// Stage 2: finds the Markdown pages and static files under the content folder.
public enum ContentLoader {
    /// What the content folder holds.
    public struct Result: Sendable, Equatable {
        /// Pages sorted by route; drafts are left out unless asked for.
        public var pages: [ContentPage]
        /// Non-Markdown files, copied as they are.
        public var staticFiles: [StaticFile]
    }

    /// Reads every page under `config.content.directory`.
    public static func load(
        config: SiteConfig, from fileSystem: some FileSystem, includeDrafts: Bool = false
    ) throws(DiagnosticError) -> Result {
        let directory = config.content.directory
        let files: [String]
        do {
            files = try fileSystem.files(under: directory, includeHidden: false)
        } catch {
            var diagnostic = error.diagnostic
            if case .notFound = error {
                diagnostic = .error(
                    config.location(of: "content.directory"), "content folder '\(directory)' does not exist",
                    hint: "create it with a terms.md and a privacy.md, or set content.directory in \(config.file)")
            }
            throw DiagnosticError(diagnostic)
        }
        var bag = DiagnosticBag()
        var pages: [ContentPage] = []
        var staticFiles: [StaticFile] = []
        for file in files {
            let relative = String(file.dropFirst(directory.count + 1))
            if file.hasSuffix(".md") {
                let route = defaultRoute(for: relative)
                guard let text = bag.collect({ () throws(DiagnosticError) in try fileSystem.readText(file) }) else { continue }
                if let page = bag.collect({ () throws(DiagnosticError) in
                    try FrontMatter.page(from: text, file: file, defaultRoute: route, defaultTemplate: config.content.defaultTemplate)
                }) {
                    if !page.draft || includeDrafts { pages.append(page) }
                }
            } else {
                staticFiles.append(StaticFile(source: file, key: relative))
            }
        }
        try bag.throwIfErrors()
        return Result(pages: pages.sorted { $0.route < $1.route }, staticFiles: staticFiles)
    }

    /// The route a file's path gives: `legal/cookies.md` -> `/legal/cookies`, `legal/index.md` -> `/legal`.
    public static func defaultRoute(for relativePath: String) -> String {
        var path = String(relativePath.dropLast(3))
        if path == "index" { return "/" }
        if path.hasSuffix("/index") { path.removeLast(6) }
        return "/" + path
    }
}
