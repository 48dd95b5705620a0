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
        // Reading and parsing front matter is independent per file: done on every core, merged in order.
        let markdown = files.filter { $0.hasSuffix(".md") }
        let loaded = Parallel.map(markdown) { file -> Swift.Result<ContentPage, DiagnosticError> in
            let relative = String(file.dropFirst(directory.count + 1))
            do throws(DiagnosticError) {
                let text = try fileSystem.readText(file)
                return .success(
                    try FrontMatter.page(
                        from: text, file: file, defaultRoute: defaultRoute(for: relative),
                        defaultTemplate: config.content.defaultTemplate))
            } catch {
                return .failure(error)
            }
        }
        var bag = DiagnosticBag()
        var pages: [ContentPage] = []
        for result in loaded {
            switch result {
            case .success(let page): if !page.draft || includeDrafts { pages.append(page) }
            case .failure(let error): bag.append(contentsOf: error.diagnostics)
            }
        }
        let staticFiles = files.filter { !$0.hasSuffix(".md") }.map {
            StaticFile(source: $0, key: String($0.dropFirst(directory.count + 1)))
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
