import Foundation

/// Stage 2: finds the Markdown pages and static files under the content folder.
public enum ContentLoader {
    /// What the content folder holds.
    public struct Result: Sendable, Equatable {
        /// Pages sorted by route; drafts are left out unless asked for.
        public var pages: [ContentPage]
        /// Non-Markdown files, copied as they are.
        public var staticFiles: [StaticFile]
        /// Sources of pages that came from the content cache: their `body` was not read.
        public var unread: Set<String> = []
    }

    /// Reads every page under `config.content.directory`. A file whose digest `known` gives (its
    /// bytes are unchanged) and that `cache` holds is neither read nor parsed.
    public static func load(
        config: SiteConfig, from fileSystem: some FileSystem, includeDrafts: Bool = false, cache: (any ContentCache)? = nil,
        known: [String: String] = [:]
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
        let defaultTemplate = config.content.defaultTemplate
        let loaded = Parallel.map(markdown) { file -> Swift.Result<(page: ContentPage, read: Bool), DiagnosticError> in
            if let digest = known[file], let page = cache?.page(source: file, digest: digest, defaultTemplate: defaultTemplate) {
                return .success((page, false))
            }
            let relative = String(file.dropFirst(directory.count + 1))
            do throws(DiagnosticError) {
                let data: Data
                do throws(FileSystemError) {
                    data = try fileSystem.read(file, atMost: TextDecoding.defaultLimit)
                } catch {
                    throw DiagnosticError(error.diagnostic)
                }
                let text = try TextDecoding.text(data, path: file)
                var page = try FrontMatter.page(
                    from: text, file: file, defaultRoute: defaultRoute(for: relative), defaultTemplate: defaultTemplate)
                // A digest proved for this file (from the bytes just read, or by unchanged stamps) is not computed again.
                page.sourceDigest = known[file] ?? Digest.sha256(data)
                cache?.store(page, defaultTemplate: defaultTemplate)
                return .success((page, true))
            } catch {
                return .failure(error)
            }
        }
        var bag = DiagnosticBag()
        var pages: [ContentPage] = []
        var unread = Set<String>()
        for result in loaded {
            switch result {
            case .success(let (page, read)):
                if let problem = Self.fileNameRouteProblem(page, directory: directory) {
                    bag.append(problem)
                    continue
                }
                guard !page.draft || includeDrafts else { continue }
                pages.append(page)
                if !read { unread.insert(page.source) }
            case .failure(let error): bag.append(contentsOf: error.diagnostics)
            }
        }
        let staticFiles = files.filter { !$0.hasSuffix(".md") }.map {
            StaticFile(source: $0, key: String($0.dropFirst(directory.count + 1)))
        }
        try bag.throwIfErrors()
        return Result(pages: pages.sorted { $0.route < $1.route }, staticFiles: staticFiles, unread: unread)
    }

    /// Why the route a page takes from its file name breaks the route rules (the same rules as a
    /// `route:` value), with the name to rename it to; nil when it is fine or set in front matter.
    ///
    /// Routes are kept to letters, digits and `- _ . ~ /`, so a page's URL is the same in the
    /// browser, the bucket's key, the edge's route store, CloudFront's cache key, the sitemap and the
    /// URLs registered with OAuth providers, with nothing percent-encoded anywhere.
    static func fileNameRouteProblem(_ page: ContentPage, directory: String) -> Diagnostic? {
        guard page.locations["route"] == nil, let problem = URLPath.problem(in: page.route) else { return nil }
        let relative = page.source.hasPrefix(directory + "/") ? String(page.source.dropFirst(directory.count + 1)) : page.source
        let renamed = suggestedFileName(for: relative)
        let reason: String
        switch problem {
        case .badCharacter(_, let character): reason = "contains '\(character)'; routes use letters, digits and - _ . ~ / only"
        default: reason = "breaks the route rules: \(problem.message)"
        }
        var hint = "rename the file"
        if let renamed, renamed != relative { hint += " to '\(renamed)'" }
        hint += ", or set a route: in its front matter (route: \(renamed.map { defaultRoute(for: $0) } ?? "/your-page"))"
        return .error(
            SourceLocation(file: page.source), "the file name '\(relative)' gives the route '\(page.route)', which \(reason)", hint: hint)
    }

    /// `relative` with every name made of route characters: accents dropped (`café` -> `cafe`),
    /// anything else outside letters, digits and `- _ . ~` replaced by `-`; nil when nothing is left.
    static func suggestedFileName(for relative: String) -> String? {
        let stem = relative.hasSuffix(".md") ? String(relative.dropLast(3)) : relative
        let folded = stem.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var parts: [String] = []
        for segment in folded.split(separator: "/", omittingEmptySubsequences: false) {
            var name = ""
            for character in segment {
                let allowed = character.isASCII && (character.isLetter || character.isNumber || "-_.~".contains(character))
                if allowed {
                    name.append(character)
                } else if !name.hasSuffix("-") {
                    name.append("-")
                }
            }
            while name.hasPrefix("-") || name.hasPrefix(".") { name.removeFirst() }
            while name.hasSuffix("-") { name.removeLast() }
            if name.isEmpty { return nil }
            parts.append(name)
        }
        return parts.joined(separator: "/") + ".md"
    }

    /// The route a file's path gives: `legal/cookies.md` -> `/legal/cookies`, `legal/index.md` -> `/legal`.
    public static func defaultRoute(for relativePath: String) -> String {
        var path = String(relativePath.dropLast(3))
        if path == "index" { return "/" }
        if path.hasSuffix("/index") { path.removeLast(6) }
        return "/" + path
    }
}
