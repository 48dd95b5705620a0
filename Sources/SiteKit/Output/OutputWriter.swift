import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The last stage: writes a build to disk all at once.
///
/// Files go to a temporary folder next to the output folder, which is swapped in only when
/// everything was written; on any error the previous output stays as it was.
public enum OutputWriter {
    /// Writes `data` with plain POSIX calls (Foundation's `Data.write` costs several times more a file).
    static func writeFile(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        guard writeAll(data, to: descriptor) else { throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: path]) }
    }

    /// Writes all of `data` to an open file, retrying short and interrupted writes; false on an error.
    static func writeAll(_ data: Data, to descriptor: Int32) -> Bool {
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Whether the regular file at `path` holds exactly `data`, has the wanted executable bit, and
    /// is not shared with other links (an outside link could change it later).
    static func holds(_ data: Data, at path: String, executable: Bool) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) == data.count,
            status.st_nlink == 1, (status.st_mode & S_IXUSR != 0) == executable
        else { return false }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: min(data.count, 1 << 16))
        var offset = 0
        while offset < data.count {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, min($0.count, data.count - offset)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            let same = data.withUnsafeBytes { bytes in
                buffer.withUnsafeBytes { chunk in
                    guard let wanted = bytes.baseAddress, let found = chunk.baseAddress else { return false }
                    return memcmp(wanted + offset, found, count) == 0
                }
            }
            guard same else { return false }
            offset += count
        }
        return true
    }

    /// Deletes the folder at `path` and everything in it, its top-level entries on every core
    /// (the old output of a large site is tens of thousands of files). Links are removed, not followed.
    static func removeTree(_ path: String) {
        let children = FolderEntries.read(path) ?? []
        _ = Parallel.map(children) { name, type in removeEntry(path + "/" + name, type: type) }
        rmdir(path)
    }

    private static func removeEntry(_ path: String, type: UInt8) {
        // A type the file system does not report is tried as a file first.
        if type != FolderEntries.directory, unlink(path) == 0 || errno != EISDIR { return }
        for (name, childType) in FolderEntries.read(path) ?? [] { removeEntry(path + "/" + name, type: childType) }
        rmdir(path)
    }

    /// Writes `objects` and the manifest into `directory`, replacing what was there.
    /// Writes a build's objects and manifest; `known` is what the previous build wrote there.
    @discardableResult
    public static func write(
        objects: [OutputObject], manifest: Data, to directory: URL, known: WrittenFiles? = nil
    ) throws(DiagnosticError) -> WrittenFiles {
        var files = Dictionary(objects.map { ($0.key, $0.data) }, uniquingKeysWith: { first, _ in first })
        files[Manifest.key] = manifest
        var digests = Dictionary(objects.compactMap { object in object.digests.map { (object.key, $0.sha256) } }, uniquingKeysWith: { first, _ in first })
        digests[Manifest.key] = Digest.sha256(manifest)
        return try write(files: files, to: directory, digests: digests, known: known)
    }

    /// Writes `files` (path below the folder -> bytes) into `directory`, replacing what was there.
    /// Paths in `executable` get mode 0755. A file the folder already holds is linked into the new
    /// folder instead of written: `known` (what an earlier write recorded) vouches for it when its
    /// SHA-256 in `digests` and its stamp match; otherwise its bytes are compared. Gives the record
    /// of the files that have a digest.
    @discardableResult
    public static func write(
        files: [String: Data], executable: Set<String> = [], to directory: URL, digests: [String: String] = [:], known: WrittenFiles? = nil
    ) throws(DiagnosticError) -> WrittenFiles {
        let fileManager = FileManager.default
        let target = directory.standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = parent.appendingPathComponent(".\(name).tmp-\(pid)")
        let retired = parent.appendingPathComponent(".\(name).old-\(pid)")
        func fail(_ message: String, _ error: Error) -> DiagnosticError {
            DiagnosticError(
                .error(
                    SourceLocation(file: target.path), "\(message): \((error as NSError).localizedDescription)",
                    hint: "check that the folder is writable and the disk has room; the previous output is unchanged"))
        }
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw DiagnosticError(
                .error(SourceLocation(file: target.path), "the output path exists and is not a folder", hint: "choose another --out"))
        }
        do {
            try? fileManager.removeItem(at: staging)
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            // Folders first, one thread; then the files, on every core.
            let sorted = files.sorted(by: { $0.key < $1.key })
            var made = Set<String>()
            for (path, _) in sorted {
                // Joined as strings: URL's appendingPathComponent asks the file system about every path.
                let folder = path.lastIndex(of: "/").map { staging.path + "/" + path[..<$0] } ?? staging.path
                if made.insert(folder).inserted {
                    try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
            }
            let stagingPath = staging.path
            let targetPath = target.path
            let known = known?.folder == targetPath ? known : nil
            // One folder's files on one core: creating or linking files in a folder takes the
            // folder's lock, and two cores in the same folder mostly wait for each other.
            var groups: [[(key: String, value: Data)]] = []
            var currentFolder: Substring?
            for entry in sorted {
                let folder = entry.key.lastIndex(of: "/").map { entry.key[..<$0] } ?? ""
                if folder != currentFolder || groups.isEmpty {
                    groups.append([])
                    currentFolder = folder
                }
                groups[groups.count - 1].append(entry)
            }
            let failures = Parallel.map(groups) { group in group.compactMap { path, data -> String? in
                let destination = stagingPath + "/" + path
                // A file the previous output already holds byte for byte is linked, not written:
                // no new inode, and the folder swap below stays all-or-nothing.
                let previous = targetPath + "/" + path
                let wantsExecutable = executable.contains(path)
                let same =
                    known?.unchanged(path, at: previous, sha256: digests[path], executable: wantsExecutable) == true
                    || holds(data, at: previous, executable: wantsExecutable)
                if !(same && link(previous, destination) == 0) {
                    do {
                        try writeFile(data, to: destination)
                    } catch {
                        return "\(path): \((error as NSError).localizedDescription)"
                    }
                }
                if wantsExecutable, chmod(destination, 0o755) != 0 { return "\(path): cannot make it executable" }
                return nil
            } }
            if let failure = failures.joined().first {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: failure])
            }
        } catch {
            try? fileManager.removeItem(at: staging)
            throw fail("cannot write the new output", error)
        }
        do {
            let hadPrevious = fileManager.fileExists(atPath: target.path)
            if hadPrevious { try fileManager.moveItem(at: target, to: retired) }
            do {
                try fileManager.moveItem(at: staging, to: target)
            } catch {
                if hadPrevious { try? fileManager.moveItem(at: retired, to: target) }
                throw error
            }
            removeTree(retired.path)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw fail("cannot replace the output folder", error)
        }
        // Stamped once the old folder is gone: linking changes a file's change time.
        let targetPath = target.path
        let recorded = Parallel.map(digests.sorted(by: { $0.key < $1.key })) { path, sha256 in
            WrittenFiles.entry(at: targetPath + "/" + path, sha256: sha256).map { (path, $0) }
        }
        return WrittenFiles(folder: targetPath, entries: Dictionary(recorded.compactMap { $0 }, uniquingKeysWith: { first, _ in first }))
    }
}
