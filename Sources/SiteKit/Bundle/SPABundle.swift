import Foundation

/// Stage 2b: the single-page app's build output, read from its Vite manifest (or its `index.html`).
public struct SPABundle: Sendable, Equatable {
    /// A file of the bundle copied into `dist/` under the same key.
    public struct File: Sendable, Equatable {
        /// The file's path in the project, under `spa.bundle`.
        public var source: String
        /// Its path inside the bundle, which is also its object key in `dist/` and the bucket.
        public var key: String
        /// Whether it is in the bundle's assets folder with a content hash in its name, so that it
        /// is cached for a year as immutable.
        public var fingerprinted: Bool
    }

    /// The entry's module scripts, as URL paths.
    public var scripts: [String]
    /// The entry's stylesheets, as URL paths.
    public var styles: [String]
    /// The chunks the entry imports, for `<link rel="modulepreload">`, as URL paths; the entry
    /// scripts themselves are not among them.
    public var modulePreloads: [String]
    /// Every file to copy: everything except the bundle's own `index.html` and `.vite/`.
    public var files: [File]
    /// The icons the app's `index.html` links (`rel="icon"`, `apple-touch-icon`, ...), for the
    /// shell and the legal pages to link the same ones; empty when it links none.
    public var icons: [Icon] = []

    /// One `<link>` to an icon, as the app's `index.html` writes it.
    public struct Icon: Sendable, Equatable {
        /// The `rel` attribute as written, such as `icon` or `apple-touch-icon`.
        public var rel: String
        /// The `href` attribute as written.
        public var href: String
        /// The `type` attribute, such as `image/svg+xml`; empty when there is none.
        public var type: String
        /// The `sizes` attribute, such as `180x180`; empty when there is none.
        public var sizes: String
    }
    /// Where the entry tags came from: `.vite/manifest.json` or `index.html`.
    public var entrySource: String

    /// Reads the bundle at `settings.bundle`.
    public static func load(_ settings: SPASettings, config: SiteConfig, from fileSystem: some FileSystem) throws(DiagnosticError)
        -> SPABundle
    {
        let root = settings.bundle
        let files: [String]
        do {
            files = try fileSystem.files(under: root, includeHidden: true)
        } catch {
            if case .notFound = error {
                throw DiagnosticError(
                    .error(
                        config.location(of: "spa.bundle"), "SPA bundle folder '\(root)' does not exist",
                        hint: "build the app first (npm run build), or fix spa.bundle in \(config.file)"))
            }
            throw DiagnosticError(error.diagnostic)
        }
        let manifestPath = "\(root)/.vite/manifest.json"
        var bundle = SPABundle(scripts: [], styles: [], modulePreloads: [], files: [], entrySource: "")
        // The app's index.html, read once: the entry's tags without a manifest, and its icons.
        let indexPath = "\(root)/index.html"
        let index = files.contains(indexPath) ? HTMLDocument(parsing: try fileSystem.readText(indexPath)) : nil
        if files.contains(manifestPath) {
            try bundle.readViteManifest(manifestPath, from: fileSystem)
        } else if let index {
            bundle.readEntry(index, path: indexPath)
        } else {
            throw DiagnosticError(
                .error(
                    config.location(of: "spa.bundle"), "'\(root)' has neither .vite/manifest.json nor index.html",
                    hint: "point spa.bundle at the Vite build output (dist), built with build.manifest: true"))
        }
        if let index { try bundle.readIcons(index, path: indexPath, root: root, files: files) }
        if bundle.scripts.isEmpty {
            throw DiagnosticError(
                .error(
                    SourceLocation(file: bundle.entrySource, line: 1, column: 1), "no entry script found",
                    hint: "the bundle needs an entry chunk (isEntry: true) or a <script type=\"module\" src=...>"))
        }
        let assetsPrefix = "\(root)/\(settings.assetsDirectory)/"
        for file in files {
            let key = String(file.dropFirst(root.count + 1))
            if key == "index.html" || key.hasPrefix(".") || key.containsBytes("/.") { continue }
            let fingerprinted = file.hasPrefix(assetsPrefix) && Self.looksFingerprinted(key)
            bundle.files.append(File(source: file, key: key, fingerprinted: fingerprinted))
        }
        return bundle
    }

    /// Whether a file name carries a content hash, as Vite writes them: `name-<8+ chars>.ext`.
    public static func looksFingerprinted(_ key: String) -> Bool {
        // On UTF-8 bytes: this runs once for every file of the bundle.
        let bytes = key.utf8
        let name = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes[bytes.index(after: $0)...] } ?? bytes[...]
        let stem = name.firstIndex(of: UInt8(ascii: ".")).map { name[..<$0] } ?? name
        guard let dash = stem.lastIndex(of: UInt8(ascii: "-")) else { return false }
        let hash = stem[stem.index(after: dash)...]
        return hash.count >= 8
            && hash.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == UInt8(ascii: "_")
            }
    }

    private mutating func readViteManifest(_ path: String, from fileSystem: some FileSystem) throws(DiagnosticError) {
        entrySource = path
        let text = try fileSystem.readText(path)
        let manifest: [String: ViteChunk]
        do {
            manifest = try JSONDecoder().decode([String: ViteChunk].self, from: Data(text.utf8))
        } catch {
            throw DiagnosticError(
                .error(
                    SourceLocation(file: path, line: 1, column: 1), "not a Vite manifest: \(Self.describe(error))",
                    hint: "rebuild the app with build.manifest: true"))
        }
        let entries = manifest.filter { $0.value.isEntry == true }.sorted { $0.key < $1.key }
        var preloads: [String] = []
        var seen = Set<String>()
        func visit(_ key: String) {
            guard seen.insert(key).inserted, let chunk = manifest[key] else { return }
            for imported in chunk.imports ?? [] {
                if let file = manifest[imported]?.file { preloads.append("/" + file) }
                visit(imported)
            }
            for css in chunk.css ?? [] where !styles.contains("/" + css) { styles.append("/" + css) }
        }
        for (key, chunk) in entries {
            scripts.append("/" + chunk.file)
            visit(key)
        }
        var unique = Set<String>()
        modulePreloads = preloads.filter { unique.insert($0).inserted && !scripts.contains($0) }
    }

    private mutating func readEntry(_ document: HTMLDocument, path: String) {
        entrySource = path
        for element in document.elements {
            switch element.name {
            case "script" where element["type"] == "module":
                if let src = element["src"] { scripts.append(src) }
            case "link":
                let rel = element["rel"]?.lowercased() ?? ""
                guard let href = element["href"] else { continue }
                if rel == "stylesheet" { styles.append(href) }
                if rel == "modulepreload" { modulePreloads.append(href) }
            default:
                break
            }
        }
    }

    /// The icons `index.html` links, after checking that its asset URLs are served where the app
    /// is: an app built for another base path (Vite's `base: '/sub/'`, as for a project page, or
    /// `base: './'`) loads its files from URLs nothing answers.
    private mutating func readIcons(_ document: HTMLDocument, path: String, root: String, files: [String]) throws(DiagnosticError) {
        let keys = Set(files.map { String($0.dropFirst(root.count + 1)) })
        var findings = DiagnosticBag()
        for element in document.elements {
            let attribute = element.name == "script" ? "src" : element.name == "link" ? "href" : nil
            guard let attribute, let url = element[attribute], let problem = Self.basePathProblem(url, keys: keys) else { continue }
            findings.error(SourceLocation(file: path, line: element.line, column: 1), problem.message, hint: problem.hint)
            break  // one finding says it: every asset URL has the same base
        }
        try findings.throwIfErrors()
        for element in document.elements where element.name == "link" {
            let rel = (element["rel"] ?? "").lowercased().split(separator: " ")
            guard rel.contains(where: { $0 == "icon" || $0 == "apple-touch-icon" || $0 == "mask-icon" }),
                let href = element["href"], !href.isEmpty
            else { continue }
            icons.append(Icon(rel: element["rel"] ?? "icon", href: href, type: element["type"] ?? "", sizes: element["sizes"] ?? ""))
        }
    }

    /// Why the app's `url` would not load when the app is served at the site's root: it is
    /// relative (breaks on deep links), or it carries a path prefix the bundle's files do not have.
    static func basePathProblem(_ url: String, keys: Set<String>) -> (message: String, hint: String)? {
        let fix = "build the app with Vite's base '/' (remove 'base' from vite.config, or set base: '/'), then build the site again"
        if url.hasPrefix("./") || (!url.hasPrefix("/") && !url.contains(":") && keys.contains(url)) {
            return (
                "the app links '\(url)' relative to the page, so on a deep link such as /app/settings it would load from /app/\(url.hasPrefix("./") ? String(url.dropFirst(2)) : url), which does not exist",
                fix
            )
        }
        guard url.hasPrefix("/"), !url.hasPrefix("//") else { return nil }
        let key = String(url.dropFirst()).split(separator: "?").first.map(String.init) ?? ""
        if key.isEmpty || keys.contains(key) { return nil }
        // `/sub/assets/x.js` where the bundle has `assets/x.js`: the app was built for `/sub/`.
        let segments = key.split(separator: "/")
        for drop in 1..<max(segments.count, 1) where keys.contains(segments.dropFirst(drop).joined(separator: "/")) {
            let base = "/" + segments.prefix(drop).joined(separator: "/") + "/"
            return (
                "the app was built for the base path \(base) (its index.html links \(url)), but site serves it at /, where that URL answers 404",
                fix
            )
        }
        return nil
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.keyNotFound(let key, _) = error { return "missing '\(key.stringValue)'" }
        if case DecodingError.typeMismatch(_, let context) = error { return context.debugDescription }
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        return "\(error)"
    }
}

/// One entry of `.vite/manifest.json`.
struct ViteChunk: Decodable {
    var file: String
    var isEntry: Bool?
    var imports: [String]?
    var css: [String]?
}
