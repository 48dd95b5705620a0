import Foundation

@testable import SiteKit

/// A project written to a fresh temporary folder, removed when the value is deinitialised.
final class TemporaryProject {
    let root: URL

    init(_ files: [String: String] = TestProject.files) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("site-test-\(UUID().uuidString)")
        try write(files)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func write(_ files: [String: String]) throws {
        for (path, contents) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(path))
    }

    /// Every file below `folder` with its bytes.
    func snapshot(_ folder: String) -> [String: Data] {
        let base = root.appendingPathComponent(folder).standardizedFileURL
        var result: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return result }
        for case let url as URL in enumerator {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[String(url.standardizedFileURL.path.dropFirst(base.path.count + 1))] = try? Data(contentsOf: url)
            }
        }
        return result
    }

    /// The names directly inside the project folder.
    var topLevel: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
    }
}

/// Runs the built `site` executable.
enum SiteExecutable {
    /// The `site` binary next to the test bundle.
    static var url: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("site"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("site"),
            TestProject.repositoryRoot.appendingPathComponent(".build/debug/site"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }

    typealias Outcome = ProcessOutcome

    /// Runs `site arguments...` in `directory` with `environment` added.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Outcome {
        var env = ProcessInfo.processInfo.environment
        env["GITHUB_ACTIONS"] = nil
        env.merge(environment) { _, new in new }
        return try ProcessOutcome.run(url, arguments, in: directory, environment: env)
    }
}

/// What a finished process printed, and its exit status.
struct ProcessOutcome {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `executable arguments...` in `directory`, collecting both outputs.
    static func run(
        _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = nil
    ) throws -> ProcessOutcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessOutcome(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
