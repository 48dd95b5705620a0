import Foundation

/// Notices changes to a project's inputs by comparing the modification times and sizes of their
/// files: no file system events, so it works the same everywhere and needs no dependency.
struct ProjectWatcher: Sendable {
    struct Stamp: Sendable, Equatable {
        var modified: Double
        var size: Int
    }

    let root: URL

    /// The inputs of a build with `config`: the config file, content, templates and the app bundle.
    static func paths(configPath: String, config: SiteConfig?) -> [String] {
        guard let config else { return [configPath, "content", "templates"] }
        var paths = [configPath, config.content.directory, config.content.templates]
        if let bundle = config.spa?.bundle { paths.append(bundle) }
        return paths
    }

    /// Every file below `paths` with its stamp. Editor leftovers (hidden files, `name~`) are
    /// skipped, except the bundle's `.vite/` folder, which the build reads.
    func snapshot(_ paths: [String]) -> [String: Stamp] {
        var stamps: [String: Stamp] = [:]
        let manager = FileManager.default
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isDirectoryKey]
        for path in paths {
            let url = root.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else {
                stamps[path] = Self.stamp(url)
                continue
            }
            guard let enumerator = manager.enumerator(at: url, includingPropertiesForKeys: keys) else { continue }
            let base = url.standardizedFileURL.path
            for case let file as URL in enumerator {
                let name = file.lastPathComponent
                let values = try? file.resourceValues(forKeys: Set(keys))
                if name.hasPrefix("."), name != ".vite" {
                    if values?.isDirectory == true { enumerator.skipDescendants() }
                    continue
                }
                if name.hasSuffix("~") || values?.isDirectory == true { continue }
                let full = file.standardizedFileURL.path
                let relative = full.hasPrefix(base + "/") ? path + "/" + full.dropFirst(base.count + 1) : full
                stamps[relative] = Stamp(
                    modified: values?.contentModificationDate?.timeIntervalSince1970 ?? 0, size: values?.fileSize ?? -1)
            }
        }
        return stamps
    }

    private static func stamp(_ url: URL) -> Stamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return nil }
        return Stamp(
            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
            size: (attributes[.size] as? NSNumber)?.intValue ?? -1)
    }

    /// The files added, removed or changed between two snapshots, sorted.
    static func changes(from old: [String: Stamp], to new: [String: Stamp]) -> [String] {
        Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }
}
