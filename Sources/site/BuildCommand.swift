import ArgumentParser
import Foundation
import SiteKit

extension DiagnosticRenderer.Format: ExpressibleByArgument {}

/// `site build`: renders the site into `dist/`.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Render pages, the SPA shell, sitemap and manifest into the output folder.",
        discussion: """
            Reads site.yml, the Markdown under content/, the templates and the app bundle, and writes \
            everything to a fresh output folder that replaces the old one only when the build succeeds.
            Exit status: 0 built, 1 the input has errors (listed as file:line:col), 2 bad arguments.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The config file; its folder is the project root.", valueName: "path"))
    var config = "site.yml"

    @Option(name: .long, help: ArgumentHelp("The output folder (default: dist in the project root).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Include pages marked draft: true.")
    var drafts = false

    @OptionGroup var reporting: ReportingOptions


    @Flag(name: .long, help: "Ignore and rebuild the cache in .site-cache (render every page).")
    var noCache = false

    func run() throws {
        let start = DispatchTime.now()
        let project = ProjectLocation(configPath: config)
        let console = Console(quiet: reporting.quiet, format: reporting.format, pathPrefix: project.displayPrefix)
        let fileSystem = DiskFileSystem(root: project.root)
        let outputURL = out.map { URL(fileURLWithPath: $0) } ?? project.root.appendingPathComponent("dist")
        let cache = BuildCacheFolder(root: project.root.appendingPathComponent(".site-cache"))
        let salt = "\(Self.cacheVersion) drafts=\(drafts) strict=\(reporting.strict) out=\(outputURL.standardizedFileURL.path)"
        // The caches do not depend on what changed: read while the inputs are stamped (and left
        // unread, abandoned, when nothing changed).
        let caches = LoadedCaches()
        let loading = DispatchGroup()
        if !noCache {
            DispatchQueue.global().async(group: loading) {
                caches.pages = PackedPageCache(file: cache.root.appendingPathComponent("pages.bin"), version: Self.cacheVersion)
                caches.contents = PackedContentCache(file: cache.root.appendingPathComponent("content.bin"), version: Self.cacheVersion)
            }
            DispatchQueue.global().async(group: loading) { caches.written = cache.writtenFiles() }
        }
        var inputs = noCache ? nil : cache.inputDigest(configName: project.configName, salt: salt, fileSystem: fileSystem)
        if let inputs, let recorded = cache.savedFingerprint, recorded.inputs == inputs.digest,
            recorded.manifest == BuildCacheFolder.digest(of: outputURL.appendingPathComponent(Manifest.key)),
            let saved = cache.saved()
        {
            console.report(saved.warnings)
            let milliseconds = (DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
            console.line("Up to date: no input changed since the last build (\(milliseconds) ms) -> \(outputURL.path)")
            return
        }
        loading.wait()
        let pages = caches.pages
        let contents = caches.contents
        var options = BuildPipeline.Options(configPath: project.configName, includeDrafts: drafts, strict: reporting.strict)
        options.pageCache = pages
        options.contentCache = contents
        options.knownDigests = inputs?.stamps.entries.mapValues(\.digest) ?? [:]
        options.listsExternalLinks = false
        do {
            // The bytes read to prove what changed are read once: handed to the build, then dropped here.
            let prefetched = PrefetchedFileSystem(base: fileSystem, contents: inputs?.contents ?? [:], listings: inputs?.listings ?? [:])
            inputs?.contents = [:]
            let result = try BuildPipeline(options: options).run(fileSystem: prefetched, progress: console.progress)
            KeptUntilExit.keep(result)
            console.progress(BuildPipeline.steps.count + 1, BuildPipeline.steps.count + 1, "Write \(outputURL.lastPathComponent)")
            // The caches hold what this build rendered and read, whether or not the output can be
            // written: saved while it is, and waited for before the command ends.
            // The record of this build's inputs is made meanwhile too, and written once the output is.
            let saving = DispatchGroup()
            DispatchQueue.global().async(group: saving) { try? pages?.save() }
            DispatchQueue.global().async(group: saving) { try? contents?.save() }
            let record = PreparedRecord()
            if let inputs {
                let fingerprint = InputFingerprint(inputs: inputs.digest, manifest: Digest.sha256(result.manifestData))
                let warnings = result.warnings
                DispatchQueue.global().async(group: saving) {
                    record.files = BuildCacheFolder.recordFiles(fingerprint, warnings: warnings, stamps: inputs.stamps)
                }
            }
            defer { saving.wait() }
            let written = try OutputWriter.write(
                objects: result.objects, manifest: result.manifestData, to: outputURL, known: caches.written,
                spare: noCache ? nil : cache.spareOutput)
            // The output's record is written while the warnings are printed.
            if !noCache { DispatchQueue.global().async(group: saving) { cache.record(written) } }
            console.report(result.warnings)
            saving.wait()
            if let files = record.files { cache.write(files) }
            KeptUntilExit.keep((pages as Any, contents as Any, inputs as Any))
            let milliseconds = (DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
            let count = result.objects.filter { $0.kind == .page || $0.kind == .shell }.count
            console.line(
                "Built \(count) pages, \(result.objects.count + 1) files, \(result.manifest.totalBytes + result.manifestData.count) bytes in \(milliseconds) ms -> \(outputURL.path)")
        } catch {
            console.report(error.diagnostics)
            throw BuildFailure()
        }
    }
}

extension BuildCommand {
    /// What the caches are valid for: the version of `site` and the size and time of its
    /// executable, so that a rebuilt `site` of the same version never reuses pages another build of
    /// it rendered.
    static let cacheVersion: String = {
        var status = stat()
        guard let path = Bundle.main.executablePath, stat(path, &status) == 0 else { return SiteCommand.version }
        return "\(SiteCommand.version) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
    }()
}

/// The record files of a build, made on another thread.
final class PreparedRecord: @unchecked Sendable {
    var files: BuildCacheFolder.RecordFiles?
}

/// The build caches, read on another thread.
final class LoadedCaches: @unchecked Sendable {
    var pages: PackedPageCache?
    var contents: PackedContentCache?
    /// What the last build wrote into its output folder.
    var written: WrittenFiles?
}

/// `.site-cache/`: the fingerprint of the last build's inputs, the stamps of the input files, and
/// the rendered pages.
struct BuildCacheFolder {
    let root: URL
    private var recordURL: URL { root.appendingPathComponent("build.bin") }
    private var stampsURL: URL { root.appendingPathComponent("inputs.txt") }
    private var writtenURL: URL { root.appendingPathComponent("outputs.txt") }

    /// The record of the last successful build, as read once.
    private let savedData: Data?
    /// The fingerprint the last successful build recorded.
    let savedFingerprint: InputFingerprint?

    init(root: URL) {
        self.root = root
        savedData = try? DiskFileSystem.readFile(atPath: root.appendingPathComponent("build.bin").path)
        savedFingerprint = savedData.flatMap(BuildRecord.fingerprint(in:))
    }

    /// What the last successful build recorded, its warnings too (nil when the record is damaged).
    func saved() -> BuildRecord? {
        savedData.flatMap(BuildRecord.init(data:))
    }

    /// The digest of the config and every file of the folders it names, and the stamps of those files.
    func inputDigest(
        configName: String, salt: String, fileSystem: DiskFileSystem
    ) -> (digest: String, stamps: InputStamps, contents: [String: Data], listings: [String: [String]])? {
        guard let config = try? ConfigLoader.load(configName, from: fileSystem) else { return nil }
        var folders = [config.content.directory, config.content.templates]
        if let spa = config.spa { folders.append(spa.bundle) }
        return InputFingerprint.digest(files: [configName], folders: folders, salt: salt, fileSystem: fileSystem, known: knownStamps())
    }

    /// The stamps recorded last time; files changed less than two seconds before they were recorded are read again.
    private func knownStamps() -> InputStamps {
        guard let data = try? DiskFileSystem.readFile(atPath: stampsURL.path), let text = String(data: data, encoding: .utf8),
            let written = (try? FileManager.default.attributesOfItem(atPath: stampsURL.path))?[.modificationDate] as? Date
        else { return InputStamps() }
        return InputStamps(text: text, trustedBefore: Int64((written.timeIntervalSince1970 - 2) * 1_000_000_000))
    }

    /// The output before the last one, kept for the next build to start its output folder from.
    var spareOutput: URL { root.appendingPathComponent("previous-output") }

    /// What the last build wrote into its output folder.
    func writtenFiles() -> WrittenFiles? {
        (try? DiskFileSystem.readFile(atPath: writtenURL.path)).flatMap { String(data: $0, encoding: .utf8) }.flatMap(WrittenFiles.init(text:))
    }

    func record(_ written: WrittenFiles) {
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try? Data(written.text.utf8).write(to: writtenURL, options: .atomic)
    }

    /// The files that record a successful build: the input stamps and the build record.
    struct RecordFiles {
        var stamps: Data
        var record: Data
    }

    static func recordFiles(_ fingerprint: InputFingerprint, warnings: [Diagnostic], stamps: InputStamps) -> RecordFiles {
        RecordFiles(stamps: Data(stamps.text.utf8), record: BuildRecord(fingerprint: fingerprint, warnings: warnings).encoded)
    }

    func write(_ files: RecordFiles) {
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try? files.stamps.write(to: stampsURL, options: .atomic)
        try? files.record.write(to: recordURL, options: .atomic)
        // Files of earlier cache formats: the record as JSON, and one file a page.
        for obsolete in ["build.json", "pages"] {
            let url = root.appendingPathComponent(obsolete)
            if FileManager.default.fileExists(atPath: url.path) { try? FileManager.default.removeItem(at: url) }
        }
    }

    static func digest(of file: URL) -> String? {
        (try? DiskFileSystem.readFile(atPath: file.path)).map(Digest.sha256)
    }
}
