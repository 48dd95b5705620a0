import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The last stage: writes a build to disk all at once.
///
/// Files go to a temporary folder next to the output folder, which is swapped in only when
/// everything was written; on any error the previous output stays as it was.
public enum OutputWriter {
    /// Writes `data` to a new file with plain POSIX calls (Foundation's `Data.write` costs several
    /// times more a file). Never into an existing one: in a folder made from an earlier output, an
    /// existing file may share its bytes with a file of the output in use.
    /// Gives the file's status once written (its change time is final unless it is linked or changed later).
    @discardableResult
    static func writeFile(_ data: Data, to path: String) throws -> stat {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        guard writeAll(data, to: descriptor) else { throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: path]) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        return status
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

    /// Whether the regular file at `path` holds exactly `data` and has the wanted executable bit.
    static func holds(_ data: Data, at path: String, executable: Bool) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) == data.count,
            (status.st_mode & S_IXUSR != 0) == executable
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
        makeWritable(path)
        let children = FolderEntries.read(path) ?? []
        _ = Parallel.map(children) { name, type in removeEntry(path + "/" + name, type: type) }
        rmdir(path)
    }

    private static func removeEntry(_ path: String, type: UInt8) {
        // A type the file system does not report is tried as a file first.
        if type != FolderEntries.directory, unlink(path) == 0 || errno != EISDIR { return }
        makeWritable(path)
        for (name, childType) in FolderEntries.read(path) ?? [] { removeEntry(path + "/" + name, type: childType) }
        rmdir(path)
    }

    /// Lets the owner change a folder that is about to be removed or moved: an output made read-only
    /// (`chmod -R a-w dist`) is still this tool's own to replace, and without this it would stay
    /// behind as a hidden folder beside the new one.
    private static func makeWritable(_ folder: String) {
        var status = stat()
        guard lstat(folder, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR, (status.st_mode & S_IRWXU) != S_IRWXU else { return }
        chmod(folder, (status.st_mode & 0o7777) | S_IRWXU)
    }

    /// Removes the staging and retired folders beside `target` that a write killed before it
    /// finished left behind (their process is gone); a running build's own are left alone.
    static func removeLeftovers(beside target: URL) {
        let parent = target.deletingLastPathComponent().path
        let prefix = "." + target.lastPathComponent + "."
        for (name, _) in FolderEntries.read(parent) ?? [] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard rest.hasPrefix("tmp-") || rest.hasPrefix("old-"), let pid = Int32(rest.dropFirst(4)) else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH { removeTree(parent + "/" + name) }
        }
    }

    /// One file of an output folder: its path below the folder, its bytes, their SHA-256 when
    /// known, and whether it is executable.
    struct File {
        var path: String
        var data: Data
        var sha256: String?
        var executable = false
    }

    /// Writes a build's objects and manifest into `directory`, replacing what was there; `known` is
    /// what the previous build wrote there, `spare` where the replaced output is kept for the next
    /// write to start from (see ``write(files:executable:to:digests:known:spare:)``).
    @discardableResult
    public static func write(
        objects: [OutputObject], manifest: Data, to directory: URL, known: WrittenFiles? = nil, spare: URL? = nil
    ) throws(DiagnosticError) -> WrittenFiles {
        var files = objects.map { File(path: $0.key, data: $0.data, sha256: $0.digests?.sha256) }
        let manifestFile = File(path: Manifest.key, data: manifest, sha256: Digest.sha256(manifest))
        // The manifest takes the place of an object with its key. A build's objects come sorted
        // by key: the manifest goes where it belongs, and the list stays sorted.
        if isSortedUnique(files) {
            var at = 0
            var end = files.count
            while at < end {
                let middle = (at + end) / 2
                if files[middle].path < Manifest.key { at = middle + 1 } else { end = middle }
            }
            if at < files.count, files[at].path == Manifest.key { files[at] = manifestFile } else { files.insert(manifestFile, at: at) }
        } else {
            files.insert(manifestFile, at: 0)
        }
        return try write(files, to: directory, known: known, spare: spare)
    }

    /// Writes `files` (path below the folder -> bytes) into `directory`, replacing what was there.
    /// Paths in `executable` get mode 0755. A file the folder already holds is linked into the new
    /// folder instead of written: `known` (what an earlier write recorded) vouches for it when its
    /// SHA-256 in `digests` and its stamp match; otherwise its bytes are compared. Gives the record
    /// of the files that have a digest.
    ///
    /// With `spare` (a folder on the same file system, such as one in the build cache), the output
    /// replaced is kept there instead of deleted, and the next write starts from it: after a small
    /// change most of its files are still the ones wanted, each proven by one `lstat` against
    /// `known`, and only the others are removed, linked or written. Without it, or when it cannot
    /// be used, the new folder starts empty and the old one is deleted.
    @discardableResult
    public static func write(
        files: [String: Data], executable: Set<String> = [], to directory: URL, digests: [String: String] = [:],
        known: WrittenFiles? = nil, spare: URL? = nil
    ) throws(DiagnosticError) -> WrittenFiles {
        let list = files.map { File(path: $0.key, data: $0.value, sha256: digests[$0.key], executable: executable.contains($0.key)) }
        return try write(list, to: directory, known: known, spare: spare)
    }

    /// Whether every path of `files` is greater than the one before.
    static func isSortedUnique(_ files: [File]) -> Bool {
        // By index: a zip would copy every file (and count references to its fields) to compare paths.
        for index in files.indices.dropFirst() where !(files[index - 1].path < files[index].path) { return false }
        return true
    }

    /// ``write(files:executable:to:digests:known:spare:)`` for a list of files; of files with the
    /// same path, the first is written.
    static func write(_ files: [File], to directory: URL, known: WrittenFiles?, spare: URL?) throws(DiagnosticError) -> WrittenFiles {
        let fileManager = FileManager.default
        let target = directory.standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = parent.appendingPathComponent(".\(name).tmp-\(pid)")
        let retired = parent.appendingPathComponent(".\(name).old-\(pid)")
        removeLeftovers(beside: target)
        func fail(_ message: String, _ error: Error) -> DiagnosticError {
            DiagnosticError(
                .error(
                    SourceLocation(file: target.path), "\(message): \((error as NSError).localizedDescription)",
                    hint: "check that the folder is writable and the disk has room; the previous output is unchanged"))
        }
        var isDirectory: ObjCBool = false
        // Into a new folder (a clean build's usual case), no file can be linked from the old one.
        let hasPrevious = fileManager.fileExists(atPath: target.path, isDirectory: &isDirectory)
        if hasPrevious, !isDirectory.boolValue {
            throw DiagnosticError(
                .error(SourceLocation(file: target.path), "the output path exists and is not a folder", hint: "choose another --out"))
        }
        let stagingPath = staging.path
        let targetPath = target.path
        let known = known?.folder == targetPath ? known : nil
        // Sorted by path (a build's files come sorted), the first of equal paths kept.
        let sorted: [File]
        if isSortedUnique(files) {
            sorted = files
        } else {
            let order = files.indices.sorted { files[$0].path != files[$1].path ? files[$0].path < files[$1].path : $0 < $1 }
            var unique: [File] = []
            unique.reserveCapacity(files.count)
            for index in order where unique.last?.path != files[index].path { unique.append(files[index]) }
            sorted = unique
        }
        // Every folder some file lives in, its parents included.
        let folders = Set(String.folders(containing: sorted.lazy.map(\.path)).map(String.init))
        // Files of the earlier output found in the new folder, each still to be proven, by position in `sorted`.
        var found: [Bool]
        do {
            removeTree(staging.path)
            if let spare, known != nil, isFolder(spare.path), rename(spare.path, stagingPath) == 0 {
                var position: [String: Int] = [:]
                position.reserveCapacity(sorted.count)
                for (index, file) in sorted.enumerated() { position[file.path] = index }
                found = Array(repeating: false, count: sorted.count)
                prune(stagingPath, folders: folders) { path in
                    guard let index = position[path] else { return false }
                    found[index] = true
                    return true
                }
            } else {
                found = Array(repeating: false, count: sorted.count)
                if let spare { remove(spare.path) }
                try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            }
            // Folders first, one thread; then the files, on every core.
            for folder in folders.sorted() {
                // Joined as strings: URL's appendingPathComponent asks the file system about every path.
                try fileManager.createDirectory(atPath: stagingPath + "/" + folder, withIntermediateDirectories: true)
            }
        } catch {
            removeTree(staging.path)
            throw fail("cannot write the new output", error)
        }
        // One folder's files on one core: creating or linking files in a folder takes the
        // folder's lock, and two cores in the same folder mostly wait for each other.
        let groups = String.folderRuns(count: sorted.count) { sorted[$0].path }
        let proven = found
        // Each file: kept (the earlier output's file, proven unchanged), linked from the current
        // output, or written; a kept file's record entry carries over.
        let results = Parallel.map(groups) { group -> [Outcome] in
            // The group's folder in the new output, opened once when files kept there are to be
            // proven: each is then looked up by its name alone.
            // Likewise the folder in the previous output, whose files are proven and linked by name.
            let folder = group.first.map { String(sorted[$0].path.folderAndName.folder) } ?? ""
            func openFolder(_ root: String) -> Int32 {
                open(folder.isEmpty ? root : root + "/" + folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let descriptor: Int32 = hasPrevious || (known != nil && proven[group].contains(true)) ? openFolder(stagingPath) : -1
            let previousFolder: Int32 = hasPrevious && descriptor >= 0 ? openFolder(targetPath) : -1
            defer {
                if descriptor >= 0 { close(descriptor) }
                if previousFolder >= 0 { close(previousFolder) }
            }
            return group.map { index -> Outcome in
                let file = sorted[index]
                let path = file.path
                let data = file.data
                let destination = stagingPath + "/" + path
                let wantsExecutable = file.executable
                let sha256 = file.sha256
                let name = String(path.folderAndName.name)
                if proven[index] {
                    let kept =
                        descriptor >= 0
                        ? known?.entryIfUnchanged(path, name: name, inFolder: descriptor, sha256: sha256, executable: wantsExecutable)
                        : known?.entryIfUnchanged(path, at: destination, sha256: sha256, executable: wantsExecutable)
                    if let kept { return Outcome(path: path, sha256: sha256, entry: kept) }
                }
                // A file the previous output already holds byte for byte is linked, not written:
                // no new inode, and the folder swap below stays all-or-nothing. Proven before the old
                // file here is removed: the two may share their bytes.
                let previous = targetPath + "/" + path
                let vouched =
                    previousFolder >= 0
                    ? known?.entryIfUnchanged(path, name: name, inFolder: previousFolder, sha256: sha256, executable: wantsExecutable)
                        != nil
                    : known?.unchanged(path, at: previous, sha256: sha256, executable: wantsExecutable) == true
                let same = hasPrevious && (vouched || holds(data, at: previous, executable: wantsExecutable))
                if proven[index], unlink(destination) != 0, errno != ENOENT {
                    return Outcome(
                        path: path, sha256: nil, failure: "\(path): cannot replace the earlier file: \(String(cString: strerror(errno)))")
                }
                var written: stat?
                var linked = false
                if same {
                    linked = previousFolder >= 0 ? linkat(previousFolder, name, descriptor, name, 0) == 0 : link(previous, destination) == 0
                    // Stamped now; valid as long as the previous output's links stay (see below).
                    var status = stat()
                    if linked,
                        descriptor >= 0 ? fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 : lstat(destination, &status) == 0
                    {
                        written = status
                    }
                }
                if !linked {
                    do {
                        written = try writeFile(data, to: destination)
                    } catch {
                        return Outcome(path: path, sha256: nil, failure: "\(path): \((error as NSError).localizedDescription)")
                    }
                }
                if wantsExecutable {
                    guard chmod(destination, 0o755) == 0 else {
                        return Outcome(path: path, sha256: nil, failure: "\(path): cannot make it executable")
                    }
                    written = nil
                }
                // A file written or linked here keeps the stamp it has now (a linked one, while
                // the previous output's link to it stays: see below).
                guard let written, let sha256 else { return Outcome(path: path, sha256: sha256) }
                return Outcome(path: path, sha256: sha256, entry: WrittenFiles.entry(written, sha256: sha256), linked: linked)
            }
        }.joined()
        if let failure = results.lazy.compactMap(\.failure).first {
            removeTree(staging.path)
            throw fail("cannot write the new output", CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: failure]))
        }
        // Whether the previous output's files stay where they are (kept as the spare): deleting
        // them would move the change time of every file linked from them.
        var linksStay = true
        do {
            let hadPrevious = fileManager.fileExists(atPath: target.path)
            if hadPrevious { try fileManager.moveItem(at: target, to: retired) }
            do {
                try fileManager.moveItem(at: staging, to: target)
            } catch {
                if hadPrevious { try? fileManager.moveItem(at: retired, to: target) }
                throw error
            }
            if hadPrevious { linksStay = keep(retired.path, as: spare) }
        } catch {
            removeTree(staging.path)
            throw fail("cannot replace the output folder", error)
        }
        // A kept file was not touched: its entry is the one recorded; a written one has the stamp
        // it was written with, and so has a linked one unless the previous output was deleted
        // (linking and unlinking move a file's change time): then it is stamped again now.
        var entries: [String: WrittenFiles.Entry] = [:]
        entries.reserveCapacity(results.count)
        var stamp: [(String, String)] = []
        for result in results {
            guard let sha256 = result.sha256 else { continue }
            if let entry = result.entry, linksStay || !result.linked {
                entries[result.path] = entry
            } else {
                stamp.append((result.path, sha256))
            }
        }
        let stamped = Parallel.map(stamp) { path, sha256 in
            WrittenFiles.entry(at: targetPath + "/" + path, sha256: sha256).map { (path, $0) }
        }
        for case let (path, entry)? in stamped where entries[path] == nil { entries[path] = entry }
        return WrittenFiles(folder: targetPath, entries: entries)
    }

    /// What became of one file of a write: its record entry when it is already known (kept or
    /// written), or why it could not be written.
    private struct Outcome: Sendable {
        var path: String
        var sha256: String?
        var entry: WrittenFiles.Entry?
        var failure: String?
        /// Whether the file is a link to the previous output's.
        var linked = false
    }

    /// Deletes what is at `path`: a folder with all it holds, or a file or link (never what a link points to).
    private static func remove(_ path: String) {
        if isFolder(path) { removeTree(path) } else { unlink(path) }
    }

    /// Whether `path` is a folder itself, not a link to one.
    private static func isFolder(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// The replaced output, moved to `spare` for the next write to start from, or deleted; true
    /// when it was moved and nothing was deleted (no file's change time moved).
    private static func keep(_ path: String, as spare: URL?) -> Bool {
        if let spare {
            var status = stat()
            let occupied = lstat(spare.path, &status) == 0
            if occupied { remove(spare.path) }
            try? FileManager.default.createDirectory(at: spare.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Moving a folder to another parent rewrites its `..`: it must be writable.
            makeWritable(path)
            if rename(path, spare.path) == 0 { return !occupied }
        }
        removeTree(path)
        return false
    }

    /// Removes from the folder at `root` everything a new output, with `folders`, has no place for
    /// (other files, other folders, links, anything that is not a regular file or folder where one
    /// is wanted); `keeps` is asked about every other file, by its path, and tells whether the
    /// new output wants it.
    static func prune(_ root: String, folders: Set<String>, keeps: (String) -> Bool) {
        func visit(_ relative: String) {
            let full = relative.isEmpty ? root : root + "/" + relative
            // Files are about to be added and removed here, in an output that may have been made read-only.
            makeWritable(full)
            for (name, reported) in FolderEntries.read(full) ?? [] {
                let path = relative.isEmpty ? name : relative + "/" + name
                var type = reported
                if type == 0 {
                    var status = stat()
                    guard lstat(full + "/" + name, &status) == 0 else { continue }
                    type = (status.st_mode & S_IFMT) == S_IFDIR ? FolderEntries.directory : FolderEntries.regularFile
                }
                if type == FolderEntries.directory {
                    if folders.contains(path) {
                        visit(path)
                    } else {
                        removeTree(full + "/" + name)
                    }
                } else if !keeps(path) {
                    unlink(full + "/" + name)
                }
            }
        }
        visit("")
    }
}
