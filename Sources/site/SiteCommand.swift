import ArgumentParser
import Foundation
import SiteKit

/// The `site` command: builds legal pages and an SPA shell into `dist/` and plans its hosting.
@main
struct SiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Build Terms, Privacy and SPA shell pages into dist/, ready for S3 and CloudFront.",
        version: "\(version) (allocator: \(Allocator.description))",
        subcommands: [BuildCommand.self, CheckCommand.self, PlanInfraCommand.self, ServeCommand.self, VerifyCommand.self]
    )

    /// The version of `site`.
    static let version = "0.1.0"

    /// Runs the command and maps outcomes to exit codes: 0 success, 1 bad input, 2 usage.
    static func main() {
        Allocator.configure()
        do {
            var command = try parseAsRoot()
            try command.run()
            // What the command kept is not freed object by object: the process ends here.
            Foundation.exit(0)
        } catch let failure as BuildFailure {
            Foundation.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// The error a subcommand throws once it has printed its diagnostics.
struct BuildFailure: Error {
    var code: Int32 = 1
}

/// Values a command keeps until the process exits: freeing a large build's pages, strings and
/// buffers one by one takes a tenth of a second that nobody waits for usefully.
enum KeptUntilExit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var values: [Any] = []

    static func keep(_ value: Any) {
        lock.lock()
        values.append(value)
        lock.unlock()
    }
}
