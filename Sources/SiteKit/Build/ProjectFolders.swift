import Foundation

/// Where a command writes by default: `dist/` and `infra/` in the project root, or, for a config
/// with environments, `dist/<environment>/` and `infra/<environment>/`, so that the plan of one
/// environment can never publish the build of another.
public struct ProjectFolders: Sendable, Equatable {
    /// The environment the folders are for; nil when the config has no environments.
    public var environment: String?
    /// The build's output folder.
    public var dist: URL
    /// `plan-infra`'s output folder.
    public var infra: URL

    /// The folders of the project at `root` for `environment`.
    public init(root: URL, environment: String?) {
        self.environment = environment
        dist = root.appendingPathComponent(Self.path("dist", environment))
        infra = root.appendingPathComponent(Self.infraPath(environment))
    }

    /// `plan-infra`'s folder for `environment`, relative to the project root: `infra`, or
    /// `infra/<environment>`, as findings name the files in it.
    public static func infraPath(_ environment: String?) -> String { path("infra", environment) }

    private static func path(_ folder: String, _ environment: String?) -> String {
        environment.map { "\(folder)/\($0)" } ?? folder
    }

    /// The folders for the environment a command runs for: `requested` (`--env`), or the
    /// config's `default_environment`. When the config cannot be read, those of `requested`:
    /// the command's first step then reports why, before anything is written.
    public static func resolve(root: URL, configName: String, requested: String?) -> ProjectFolders {
        let config = try? ConfigLoader.load(configName, from: DiskFileSystem(root: root), environment: requested)
        return ProjectFolders(root: root, environment: config.map(\.environment) ?? requested)
    }
}
