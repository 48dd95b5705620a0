import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `.site-cache/` in the project root: what one build keeps for the next one to be fast. Every
/// file in it is a ``PackedFile``; the folder may be deleted at any time (the next build is then
/// a clean one).
///
/// | file | what it holds |
/// | --- | --- |
/// | `build.bin` | ``BuildRecord``: the digests of the last build's inputs and manifest, its warnings |
/// | `inputs.bin` | ``InputStamps``: the stamp and digest of every input file |
/// | `content.bin` | ``PackedContentCache``: front matter by file digest |
/// | `pages.bin` | ``PackedPageCache``: rendered and checked pages by render key |
/// | `outputs.bin` | ``WrittenFiles``: what the output folder holds |
/// | `previous-output/` | the output before the last one, which the next write starts from |
public struct CacheFolder: Sendable {
    /// The folder.
    public let root: URL

    /// The cache of the project at `projectRoot`: `.site-cache/`, or
    /// `.site-cache/environments/<environment>/` for one of the config's environments, so that
    /// building one never evicts another's pages.
    public init(projectRoot: URL, environment: String? = nil) {
        let folder = projectRoot.appendingPathComponent(".site-cache")
        root = environment.map { folder.appendingPathComponent("environments").appendingPathComponent($0) } ?? folder
    }

    /// The build record.
    var recordFile: URL { root.appendingPathComponent("build.bin") }
    /// The input stamps.
    var stampsFile: URL { root.appendingPathComponent("inputs.bin") }
    /// The front matter cache.
    var contentFile: URL { root.appendingPathComponent("content.bin") }
    /// The page cache.
    var pagesFile: URL { root.appendingPathComponent("pages.bin") }
    /// The output's record.
    var writtenFile: URL { root.appendingPathComponent("outputs.bin") }
    /// The output before the last one.
    var spareOutput: URL { root.appendingPathComponent("previous-output") }

    /// Files of earlier formats of the cache, removed when a build records itself.
    static let obsolete = ["build.json", "pages", "inputs.txt", "outputs.txt"]

    /// What caches are valid for: `release` (the version of `site`) and the size and modification
    /// time of the running executable, so that a rebuilt `site` of the same version never reuses
    /// pages another build of it rendered.
    public static func version(release: String) -> String {
        guard let path = Bundle.main.executablePath, let stamp = DiskFileSystem.stamp(atPath: path) else { return release }
        return "\(release) \(stamp.size) \(stamp.modified)"
    }

    /// The last build's record, as read.
    func readRecord() -> Data? {
        try? DiskFileSystem.readFile(atPath: recordFile.path)
    }

    /// The stamps the last build recorded. Files changed less than two seconds before the record
    /// was written are read again: they may have changed again within the same clock tick.
    func knownStamps() -> InputStamps {
        guard let data = try? DiskFileSystem.readFile(atPath: stampsFile.path), let written = DiskFileSystem.stamp(atPath: stampsFile.path)
        else { return InputStamps() }
        return InputStamps(data: data, trustedBefore: written.modified - 2_000_000_000)
    }

    /// What the last build wrote into the output folder `folder` (an absolute path).
    func writtenFiles(folder: String) -> WrittenFiles? {
        (try? DiskFileSystem.readFile(atPath: writtenFile.path)).flatMap { WrittenFiles(data: $0, folder: folder) }
    }

    /// Records what the output folder now holds.
    func record(_ written: WrittenFiles) {
        try? PackedFile(writtenFile, header: WrittenFiles.header(folder: written.folder)).write(written.encoded)
    }

    /// Records a successful build: its input stamps, then its record (the record last: a build
    /// killed in between leaves stamps without the record that would trust them).
    func record(stamps: Data, record: Data) {
        try? PackedFile(stampsFile, header: InputStamps.header).write(stamps)
        try? PackedFile(recordFile, header: BuildRecord.header).write(record)
        for name in Self.obsolete {
            let url = root.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { try? FileManager.default.removeItem(at: url) }
        }
    }
}
