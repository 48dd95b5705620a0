import Foundation

extension String {
    /// A relative path's folder (empty at the top) and last name, split at its last `/` by UTF-8
    /// bytes (`/` is never part of another character).
    var folderAndName: (folder: Substring, name: Substring) {
        guard let slash = utf8.lastIndex(of: 0x2F) else { return ("", self[...]) }
        return (self[..<slash], self[utf8.index(after: slash)...])
    }

    /// Every folder some of the relative `paths` lives in, with its parents: `a/b/c` gives `a`
    /// and `a/b`. Paths of one folder mostly come together: a path in the folder of the one
    /// before adds nothing.
    static func folders(containing paths: some Sequence<String>) -> Set<Substring> {
        var folders = Set<Substring>()
        var previous: Substring?
        for path in paths {
            let folder = path.folderAndName.folder
            if folder.isEmpty || folder == previous { continue }
            previous = folder
            var index = folder.utf8.startIndex
            while let slash = folder.utf8[index...].firstIndex(of: 0x2F) {
                folders.insert(folder[..<slash])
                index = folder.utf8.index(after: slash)
            }
            folders.insert(folder)
        }
        return folders
    }

    /// The runs of consecutive positions `0..<count` whose paths (`path(index)`) share a folder, in order.
    static func folderRuns(count: Int, path: (Int) -> String) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start = 0
        var folder: Substring?
        for index in 0..<count {
            let current = path(index).folderAndName.folder
            if index > 0, current != folder {
                runs.append(start..<index)
                start = index
            }
            folder = current
        }
        if count > 0 { runs.append(start..<count) }
        return runs
    }

    /// Whether a name of this path below the folder `directory` (`""` or `.` for the top) starts
    /// with a dot: what listings without hidden files leave out.
    func isHidden(below directory: String) -> Bool {
        let below = utf8.dropFirst(directory.isEmpty || directory == "." ? 0 : directory.utf8.count + 1)
        return below.first == UInt8(ascii: ".")
            || zip(below, below.dropFirst()).contains { $0 == UInt8(ascii: "/") && $1 == UInt8(ascii: ".") }
    }

    /// The path of `target` relative to the folder `base`, both absolute (`../dist` for `infra`
    /// and `dist` side by side).
    static func relativePath(from base: String, to target: String) -> String {
        let from = URL(fileURLWithPath: base).standardizedFileURL.pathComponents
        let to = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < Swift.min(from.count, to.count), from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }
}
