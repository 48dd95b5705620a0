import ArgumentParser
import Foundation
import SiteKit

/// Which project and which of its environments a command works on, shared by every command.
struct ProjectOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The config file; its folder is the project root.", valueName: "path"))
    var config = "site.yml"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The environment (of the config's environments:) to work on; default: its default_environment.", valueName: "name"))
    var env: String?

    /// The project, seen from the working directory.
    var location: ProjectLocation { ProjectLocation(configPath: config, environment: env) }
}
