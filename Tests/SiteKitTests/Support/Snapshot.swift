import Foundation
import Testing

/// Golden files under `Tests/SiteKitTests/Fixtures`. Set `SITE_RECORD_SNAPSHOTS=1` to write them anew.
enum Snapshot {
    static let fixtures = TestProject.repositoryRoot.appendingPathComponent("Tests/SiteKitTests/Fixtures")
    static var recording: Bool { ProcessInfo.processInfo.environment["SITE_RECORD_SNAPSHOTS"] == "1" }

    /// Compares `actual` with the golden file at `path` (below Fixtures), reporting a line diff.
    static func check(_ actual: Data, path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = fixtures.appendingPathComponent(path)
        if recording {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? actual.write(to: url)
            return
        }
        guard let expected = try? Data(contentsOf: url) else {
            Issue.record("missing snapshot \(path); run with SITE_RECORD_SNAPSHOTS=1 to create it", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record("\(path) differs from its snapshot:\n\(diff(expected, actual))", sourceLocation: sourceLocation)
        }
    }

    /// The files below a snapshot folder, relative to it.
    static func files(under path: String) -> [String] {
        let root = fixtures.appendingPathComponent(path)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var result: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            result.append(String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)))
        }
        return result.sorted()
    }

    /// A line diff: `-` expected, `+` actual, for the first lines that differ.
    static func diff(_ expected: Data, _ actual: Data) -> String {
        let old = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
        let new = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
        var output: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? old[index] : nil
            let b = index < new.count ? new[index] : nil
            if a != b {
                if let a { output.append("\(index + 1) - \(a)") }
                if let b { output.append("\(index + 1) + \(b)") }
            }
            if output.count >= 40 {
                output.append("...")
                break
            }
        }
        return output.joined(separator: "\n")
    }
}
