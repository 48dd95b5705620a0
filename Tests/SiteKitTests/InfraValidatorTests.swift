import Foundation
import Testing

@testable import SiteKit

/// `scripts/validate-infra.py` checks a `site plan-infra` output folder against the AWS CLI's own
/// input shapes. Each case under `Fixtures/infra-validator/invalid` starts from a copy of the valid
/// example, overlays its `files/`, removes the paths in `remove.txt`, writes each `path bytes` line
/// of `generate.txt` as a JavaScript file of exactly that size, and must print exactly its
/// `expected.txt` and exit with status 1.
@Suite("Infra validator")
struct InfraValidatorTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repositoryRoot.appendingPathComponent("scripts/validate-infra.py")
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/SiteKitTests/Fixtures/infra-validator")
    static let valid = fixtures.appendingPathComponent("valid")
    static let invalid = fixtures.appendingPathComponent("invalid")
    static let committedOutput = repositoryRoot.appendingPathComponent("infra")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: invalid.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The files the validator needs, in the order it reports them missing.
    static let requiredFiles = [
        InfraLayout.createBucket, InfraLayout.publicAccessBlock, InfraLayout.ownershipControls,
        InfraLayout.encryption, InfraLayout.versioning, InfraLayout.lifecycle, InfraLayout.bucketPolicy,
        InfraLayout.originAccessControl, InfraLayout.functionCode, InfraLayout.function,
        InfraLayout.responseFunctionCode, InfraLayout.responseFunction, InfraLayout.keyValueStore,
        InfraLayout.responseHeadersPolicy, InfraLayout.distributionConfig,
    ]

    @Test("the valid example passes, counting each file it checked")
    func validExample() throws {
        let outcome = try Self.validate(Self.valid)
        #expect(outcome.status == 0, "exit status \(outcome.status)\n\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout == "17 files valid\n")
        #expect(outcome.stderr == "")
    }

    @Test("the valid example holds each file of the layout that the validator reads, names.json and the routes")
    func validExampleMatchesLayout() {
        #expect(Self.files(under: Self.valid) == Set(Self.requiredFiles + [InfraLayout.names, InfraLayout.routes]))
    }

    @Test("each invalid variant fails with exactly its problem lines", arguments: cases)
    func invalidVariant(_ name: String) throws {
        let folder = Self.invalid.appendingPathComponent(name)
        let workspace = try Workspace()
        try workspace.apply(folder)

        let outcome = try Self.validate(workspace.root)
        let expectedURL = folder.appendingPathComponent("expected.txt")
        if Snapshot.recording {
            try Data(outcome.stdout.utf8).write(to: expectedURL)
            return
        }
        #expect(outcome.status == 1, "exit status \(outcome.status)\n\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout == (try String(contentsOf: expectedURL, encoding: .utf8)))
        #expect(outcome.stderr == "")
    }

    @Test("the invalid variants cover each failure kind the validator checks")
    func coverage() {
        let kinds = [
            "bad-enum", "bad-enum-location-constraint", "boolean-quantity", "empty-function",
            "function-code-in-json", "missing-file", "missing-required-member", "not-json",
            "oversize-function", "policy-not-json", "policy-wrong-version", "quantity-mismatch",
            "quantity-without-items", "quantity-zero-with-items", "unknown-file", "unknown-member",
            "wrong-type", "routes-over-quota", "route-batch-too-large",
        ]
        #expect(Set(kinds).subtracting(Self.cases).isEmpty, "missing: \(Set(kinds).subtracting(Self.cases).sorted())")
    }

    @Test("a function of exactly 10,240 bytes is accepted")
    func functionAtTheLimit() throws {
        let workspace = try Workspace()
        try workspace.write(InfraLayout.functionCode, Self.javaScript(bytes: 10_240))
        let outcome = try Self.validate(workspace.root)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout == "17 files valid\n")
    }

    @Test("an empty folder reports each file it needs as missing")
    func emptyFolder() throws {
        let workspace = try Workspace(copyingValid: false)
        let outcome = try Self.validate(workspace.root)
        let expected = Self.requiredFiles.map { "\($0): missing\n" }.joined() + "\(Self.requiredFiles.count) problems\n"
        #expect(outcome.status == 1)
        #expect(outcome.stdout == expected)
    }

    @Test("problems in several files are all reported, in the order of the layout")
    func severalProblems() throws {
        let workspace = try Workspace()
        try workspace.apply(Self.invalid.appendingPathComponent("quantity-mismatch"))
        try workspace.apply(Self.invalid.appendingPathComponent("bad-enum"))
        try workspace.apply(Self.invalid.appendingPathComponent("unknown-file"))
        let outcome = try Self.validate(workspace.root)
        #expect(outcome.status == 1)
        #expect(
            outcome.stdout.split(separator: "\n").map(String.init) == [
                "bucket/versioning.json: Invalid value for parameter VersioningConfiguration.Status, value: On, must be one of: Enabled, Suspended",
                "cloudfront/distribution-config.json: Quantity mismatch in DistributionConfig.DefaultCacheBehavior.AllowedMethods: Quantity is 3 but Items has 2 items",
                "cloudfront/cache-policy.json: unknown file: not an AWS CLI input this validator knows; add it to CLI_INPUTS in scripts/validate-infra.py",
                "3 problems",
            ])
    }

    @Test("usage errors exit with status 2")
    func usageErrors() throws {
        for arguments in [[], ["a", "b"], [Self.fixtures.appendingPathComponent("no-such-folder").path]] {
            let outcome = try Self.run(arguments)
            #expect(outcome.status == 2, "arguments \(arguments)")
            #expect(outcome.stdout == "")
            #expect(outcome.stderr.contains("usage: validate-infra.py DIR"))
        }
    }

    @Test(
        "the committed example infra/ output passes the AWS CLI's input shapes",
        .enabled(
            if: FileManager.default.fileExists(atPath: InfraValidatorTests.committedOutput.appendingPathComponent("deploy.sh").path),
            "infra/deploy.sh does not exist yet; run `site plan-infra` to write the example output"))
    func committedInfraOutput() throws {
        let outcome = try Self.validate(Self.committedOutput)
        #expect(outcome.status == 0, "exit status \(outcome.status)\n\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.hasSuffix(" files valid\n"))
    }

    // MARK: - Running the validator

    typealias Outcome = ProcessOutcome

    static func validate(_ folder: URL) throws -> Outcome {
        try run([folder.path])
    }

    /// Runs `python3 scripts/validate-infra.py arguments...` from the repository root.
    static func run(_ arguments: [String]) throws -> Outcome {
        try ProcessOutcome.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path] + arguments, in: repositoryRoot)
    }

    /// A viewer-request function padded with a comment to exactly `bytes` bytes.
    static func javaScript(bytes: Int) -> Data {
        var text = "function handler(event) {\n    return event.request;\n}\n"
        while text.utf8.count < bytes {
            text += "// padding up to the size under test\n"
        }
        return Data(text.utf8.prefix(bytes))
    }

    /// The regular files below `folder`, relative to it.
    static func files(under folder: URL) -> Set<String> {
        let base = folder.standardizedFileURL.path
        var result: Set<String> = []
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return result
        }
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            result.insert(String(url.standardizedFileURL.path.dropFirst(base.count + 1)))
        }
        return result
    }

    /// A copy of the valid example (or an empty folder) in a fresh temporary folder, removed on deinit.
    final class Workspace {
        let root: URL

        init(copyingValid: Bool = true) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("infra-validator-\(UUID().uuidString)")
            if copyingValid {
                try FileManager.default.copyItem(at: InfraValidatorTests.valid, to: root)
            } else {
                try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            }
        }

        deinit {
            try? FileManager.default.removeItem(at: root)
        }

        func write(_ path: String, _ data: Data) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }

        /// Applies an invalid variant: `files/` overlaid, `remove.txt` removed, `generate.txt` written.
        func apply(_ variant: URL) throws {
            let files = variant.appendingPathComponent("files")
            for path in InfraValidatorTests.files(under: files).sorted() {
                try write(path, Data(contentsOf: files.appendingPathComponent(path)))
            }
            for line in try lines(variant, "remove.txt") {
                try FileManager.default.removeItem(at: root.appendingPathComponent(line))
            }
            for line in try lines(variant, "generate.txt") {
                let parts = line.split(separator: " ")
                try write(String(parts[0]), InfraValidatorTests.javaScript(bytes: Int(parts[1]) ?? 0))
            }
        }

        private func lines(_ folder: URL, _ name: String) throws -> [String] {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }
}
