import Foundation

/// `site build`: the build's steps, with what the last build left in ``CacheFolder`` used to do
/// as little as it can.
///
/// - Nothing changed (every input file's digest and the manifest written are those recorded): the
///   build stops before its first step, showing the warnings it recorded.
/// - Otherwise ``BuildPipeline/steps`` run with the content and page caches, on the bytes read to
///   prove what changed; then the caches are saved, the output is written (starting from the
///   output before, whose unchanged files are proven by their stamps), and the build is recorded.
public struct IncrementalBuild: Sendable {
    /// What to build, and where.
    public struct Options: Sendable {
        /// The project's folder (where `site.yml` is).
        public var projectRoot: URL
        /// The config file, relative to `projectRoot`.
        public var configName = "site.yml"
        /// The environment to build; nil: the config's default.
        public var environment: String?
        /// The output folder.
        public var output: URL
        /// Include pages marked `draft: true`.
        public var includeDrafts = false
        /// Treat warnings as errors.
        public var strict = false
        /// Use and keep `.site-cache/`; false renders every page and leaves the cache alone.
        public var usesCache = true
        /// What the caches are valid for (``CacheFolder/version(release:)``).
        public var version = ""

        /// A build of the project at `projectRoot` into `output`.
        public init(projectRoot: URL, output: URL) {
            self.projectRoot = projectRoot
            self.output = output
        }
    }

    /// What a build did.
    public struct Outcome: @unchecked Sendable {
        /// What the build produced; nil when nothing changed since the last one.
        public var result: BuildPipeline.Result?
        /// The warnings: this build's, or the last build's when nothing changed.
        public var warnings: [Diagnostic]
        /// Values the build made that the caller may leave to the end of the process instead of
        /// freeing (freeing a large build's pages and buffers one by one takes a tenth of a second).
        public var retained: [Any] = []
    }

    /// What to build.
    public var options: Options

    /// A build with `options`.
    public init(options: Options) {
        self.options = options
    }

    /// Builds; `progress` is told each step's number, the count and its name as it starts.
    public func run(progress: (Int, Int, String) -> Void = { _, _, _ in }) throws(DiagnosticError) -> Outcome {
        let fileSystem = DiskFileSystem(root: options.projectRoot)
        let cache = CacheFolder(projectRoot: options.projectRoot, environment: options.environment)
        let outputPath = options.output.standardizedFileURL.path
        let salt =
            "\(options.version) drafts=\(options.includeDrafts) strict=\(options.strict) out=\(outputPath)"
            + (options.environment.map { " env=\($0)" } ?? "")
        // The caches do not depend on what changed: read while the inputs are stamped (and left
        // unread, abandoned, when nothing changed).
        let loaded = LoadedCaches()
        let loading = DispatchGroup()
        if options.usesCache {
            let version = options.version
            DispatchQueue.global().async(group: loading) {
                loaded.pages = PackedPageCache(file: cache.pagesFile, version: version)
                loaded.contents = PackedContentCache(file: cache.contentFile, version: version)
            }
            DispatchQueue.global().async(group: loading) { loaded.written = cache.writtenFiles(folder: outputPath) }
        }
        let record = options.usesCache ? cache.readRecord() : nil
        var inputs = options.usesCache ? digestInputs(fileSystem: fileSystem, known: cache.knownStamps(), salt: salt) : nil
        if let inputs, let fingerprint = record.flatMap(BuildRecord.fingerprint(in:)), fingerprint.inputs == inputs.digest,
            fingerprint.manifest == (try? DiskFileSystem.readFile(atPath: outputPath + "/" + Manifest.key)).map(Digest.sha256),
            let saved = record.flatMap(BuildRecord.init(data:))
        {
            return Outcome(result: nil, warnings: saved.warnings)
        }
        loading.wait()

        var build = BuildPipeline.Options(configPath: options.configName, includeDrafts: options.includeDrafts, strict: options.strict)
        build.environment = options.environment
        build.pageCache = loaded.pages
        build.contentCache = loaded.contents
        build.knownDigests = inputs?.stamps.entries.mapValues(\.digest) ?? [:]
        build.listsExternalLinks = false
        // The bytes read to prove what changed are read once: handed to the build, then dropped here.
        let prefetched = PrefetchedFileSystem(base: fileSystem, contents: inputs?.contents ?? [:], listings: inputs?.listings ?? [:])
        inputs?.contents = [:]
        let work = BackgroundWork()
        // Whatever happens to the steps, nothing saved in the background is left half-written.
        defer { work.group.wait() }
        let steps = BuildPipeline.steps + finalSteps(cache: cache, caches: loaded, inputs: inputs, work: work)
        let context = try BuildPipeline(options: build).run(steps, fileSystem: prefetched, progress: progress)
        return Outcome(result: try context.result(), warnings: context.warnings, retained: [loaded, inputs as Any, context])
    }

    /// The digest of the config and every file of the folders it names, with their stamps, the
    /// bytes of the files read to make it and the files found in each folder; nil when the config
    /// cannot be read (the build then reports why).
    private func digestInputs(
        fileSystem: DiskFileSystem, known: InputStamps, salt: String
    ) -> InputReading? {
        guard let config = try? ConfigLoader.load(options.configName, from: fileSystem, environment: options.environment) else {
            return nil
        }
        var folders = [config.content.directory, config.content.templates]
        if let spa = config.spa { folders.append(spa.bundle) }
        return InputFingerprint.digest(files: [options.configName], folders: folders, salt: salt, fileSystem: fileSystem, known: known)
    }

    /// Saving the caches, writing the output, recording the build. The caches hold what this build
    /// rendered and read whether or not the output can be written: they are saved while it is.
    private func finalSteps(
        cache: CacheFolder, caches: LoadedCaches,
        inputs: InputReading?,
        work: BackgroundWork
    ) -> [BuildStep] {
        let usesCache = options.usesCache
        let write = BuildStep.writeOutput(to: options.output, known: caches.written, spare: usesCache ? cache.spareOutput : nil)
        return [
            BuildStep("Save caches") { context in
                guard usesCache else { return }
                let pages = caches.pages
                let contents = caches.contents
                work.start { try? pages?.save() }
                work.start { try? contents?.save() }
                guard let inputs else { return }
                // The record of this build's inputs is made meanwhile too, and written once the output is.
                let fingerprint = InputFingerprint(inputs: inputs.digest, manifest: Digest.sha256(context.manifestData))
                let warnings = context.warnings
                work.start { work.record = (inputs.stamps.encoded, BuildRecord(fingerprint: fingerprint, warnings: warnings).encoded) }
            },
            BuildStep(write.name) { context throws(DiagnosticError) in
                try write.run(&context)
                if usesCache, let written = context.written { work.start { cache.record(written) } }
            },
            BuildStep("Record build") { _ in
                work.group.wait()
                if let (stamps, record) = work.record { cache.record(stamps: stamps, record: record) }
            },
        ]
    }
}

/// The build caches, read on another thread.
private final class LoadedCaches: @unchecked Sendable {
    var pages: PackedPageCache?
    var contents: PackedContentCache?
    /// What the last build wrote into its output folder.
    var written: WrittenFiles?
}

/// Saves running on other threads while the build goes on, and the record files one of them makes.
private final class BackgroundWork: @unchecked Sendable {
    let group = DispatchGroup()
    /// The encoded input stamps and build record, once made.
    var record: (stamps: Data, record: Data)?

    func start(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue.global().async(group: group, execute: body)
    }
}
