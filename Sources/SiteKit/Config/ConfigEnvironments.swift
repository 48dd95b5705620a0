import Yams

/// The `environments:` section of `site.yml`: named environments (`staging`, `production`) and
/// pools of slots (`preview` with `slots: 2` gives `preview-1` and `preview-2`), each a mapping
/// laid over the rest of the file.
///
/// Only what tells one deployment from another may differ: `site.base_url` and
/// `site.allowed_origins`, `infra`, `api.origin` and `api.dev_origin`, and `oauth`. The pages,
/// the content, the app, the cache lifetimes and the API's path are the same in every
/// environment, so a staging deploy tests exactly what production will serve.
struct ConfigEnvironments {
    /// One environment as written: its name and what it lays over the shared config.
    struct Environment {
        /// `staging`, `preview-1`, ...
        var name: String
        /// The mapping laid over the shared config, `{slot}` already replaced in a slot's.
        var overlay: Node
        /// The key under `environments:` that defines it: its name, or its pool's (`preview`).
        var section: String
        /// Where its key under `environments:` is.
        var location = SourceLocation(file: "")
    }

    /// The keys an environment may set, by section; `nil`: any key of the section.
    static let mayDiffer: [String: Set<String>?] = [
        "site": ["base_url", "allowed_origins"],
        "infra": nil,
        "api": ["origin", "dev_origin"],
        "oauth": nil,
    ]

    /// The word in a pool's values that becomes the slot's number.
    static let slotPlaceholder = "{slot}"

    /// The most slots one pool may have.
    static let maximumSlots = 20

    /// Every environment, in the order written (a pool's slots in number order).
    var environments: [Environment] = []
    /// `default_environment`, when given.
    var defaultName: String?

    /// The names of every environment.
    var names: [String] { environments.map(\.name) }

    /// Whether `name` can name an environment: a lower-case letter, then lower-case letters,
    /// digits and `-`, at most 32 characters (it becomes a folder name and part of resource names).
    static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 32, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// `base` with `overlay` laid over it: mappings are merged key by key, any other value is
    /// replaced. Every node keeps its place in the file, so a finding points at the line that
    /// set the value. `written` gets the key path of every value the overlay set.
    static func lay(_ overlay: Node, over base: Node, path: String = "", written: inout Set<String>) -> Node {
        // A section written with nothing under it (`site:` alone) sets nothing.
        if case .mapping = base, YAMLReader.isNull(overlay) { return base }
        guard case .mapping(let baseMapping) = base, case .mapping(let overlayMapping) = overlay else {
            written.insert(path)
            return overlay
        }
        var pairs = baseMapping.map { ($0.key, $0.value) }
        for (key, value) in overlayMapping {
            let name = key.string ?? ""
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            if let index = pairs.firstIndex(where: { $0.0.string == name }) {
                pairs[index].1 = lay(value, over: pairs[index].1, path: keyPath, written: &written)
            } else {
                pairs.append((key, value))
                written.insert(keyPath)
            }
        }
        return .mapping(Node.Mapping(pairs, baseMapping.tag, baseMapping.style, baseMapping.mark))
    }

    /// `node` with every `{slot}` in its text values (not its keys) replaced by `slot`.
    static func numbered(_ node: Node, slot: Int) -> Node {
        switch node {
        case .scalar(var scalar):
            scalar.string = scalar.string.replacingOccurrences(of: slotPlaceholder, with: String(slot))
            return .scalar(scalar)
        case .mapping(var mapping):
            mapping = Node.Mapping(
                mapping.map { ($0.key, numbered($0.value, slot: slot)) }, mapping.tag, mapping.style, mapping.mark)
            return .mapping(mapping)
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map { numbered($0, slot: slot) }, sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }
}

extension ConfigParser {
    /// Reads `environments:` (and `default_environment:`): each environment's overlay, checked for
    /// keys that may not differ; a pool of slots expanded into its slots.
    mutating func parseEnvironments(
        _ section: (key: String, keyNode: Node, value: Node), default defaultEntry: (key: String, keyNode: Node, value: Node)?
    )
        -> ConfigEnvironments
    {
        var result = ConfigEnvironments()
        guard let entries = reader.mapping(section.value, path: "environments") else { return result }
        if entries.isEmpty {
            reader.error(section.value, "'environments' lists no environment", hint: "add one, such as staging:, or remove environments:")
        }
        var seen: [String: Node] = [:]
        func add(_ name: String, at node: Node, _ environment: ConfigEnvironments.Environment, parser: inout ConfigParser) {
            var environment = environment
            environment.location = parser.reader.location(node)
            if seen[name] != nil {
                parser.reader.error(node, "environment '\(name)' is defined twice", hint: "rename one of them")
                return
            }
            seen[name] = node
            result.environments.append(environment)
        }
        for entry in entries {
            let path = "environments.\(entry.key)"
            guard ConfigEnvironments.isName(entry.key) else {
                reader.error(
                    entry.keyNode, "'\(path)': an environment's name must be lower-case letters, digits and '-', starting with a letter",
                    hint: "such as staging, production or preview")
                continue
            }
            let overlayNode = YAMLReader.isNull(entry.value) ? Node.mapping(Node.Mapping([])) : entry.value
            guard let overlay = reader.mapping(overlayNode, path: path) else { continue }
            let slotsEntry = overlay.first { $0.key == "slots" }
            checkOverlay(overlay, path: path)
            let rest = Node.mapping(Node.Mapping(overlay.filter { $0.key != "slots" }.map { ($0.keyNode, $0.value) }))
            guard let slotsEntry else {
                add(entry.key, at: entry.keyNode, .init(name: entry.key, overlay: rest, section: entry.key), parser: &self)
                continue
            }
            guard let count = reader.int(slotsEntry.value, path: "\(path).slots", minimum: 1) else { continue }
            guard count <= ConfigEnvironments.maximumSlots else {
                reader.error(slotsEntry.value, "'\(path).slots' must be at most \(ConfigEnvironments.maximumSlots), found \(count)")
                continue
            }
            for slot in 1...count {
                let name = "\(entry.key)-\(slot)"
                let overlay = ConfigEnvironments.numbered(rest, slot: slot)
                add(name, at: entry.keyNode, .init(name: name, overlay: overlay, section: entry.key), parser: &self)
            }
        }
        if let defaultEntry {
            if let name = reader.string(defaultEntry.value, path: "default_environment") {
                if result.names.contains(name) {
                    result.defaultName = name
                } else if !result.environments.isEmpty {
                    reader.error(
                        defaultEntry.value,
                        "'default_environment' \(name) is not one of the environments\(Suggestions.didYouMean(name, in: result.names))",
                        hint: "environments: \(result.names.joined(separator: ", "))")
                }
            }
        } else if result.environments.count > 1 {
            reader.error(
                section.keyNode, "with more than one environment, 'default_environment' must say which one a command uses without --env",
                hint: "add default_environment: \(result.names.first ?? "staging") at the top level")
        } else {
            result.defaultName = result.names.first
        }
        return result
    }

    /// Reports the keys of an environment's overlay that may not differ between environments.
    private mutating func checkOverlay(_ overlay: [(key: String, keyNode: Node, value: Node)], path: String) {
        let sections = ConfigEnvironments.mayDiffer.keys.sorted()
        for entry in overlay {
            let keyPath = "\(path).\(entry.key)"
            if entry.key == "slots" { continue }
            guard let allowed = ConfigEnvironments.mayDiffer[entry.key] else {
                if ConfigLoader.topLevelKeys.contains(entry.key) {
                    reader.error(
                        entry.keyNode,
                        "'\(keyPath)': '\(entry.key)' may not differ between environments, so that each deploys the same site",
                        hint: "set \(entry.key): once at the top level; an environment may set \(sections.joined(separator: ", "))")
                } else {
                    reader.rejectUnknown([entry], known: sections + ["slots"], path: path)
                }
                continue
            }
            guard let allowed, !YAMLReader.isNull(entry.value), let keys = reader.mapping(entry.value, path: keyPath) else {
                continue
            }
            for key in keys where !allowed.contains(key.key) {
                // Keys of no section at all are reported by the section's own reading, with a suggestion.
                guard ConfigParser.knownKeys[entry.key]?.contains(key.key) == true else { continue }
                reader.error(
                    key.keyNode, "'\(keyPath).\(key.key)' may not differ between environments",
                    hint:
                        "set \(entry.key).\(key.key) once at the top level; an environment may set \(entry.key).\(allowed.sorted().joined(separator: ", \(entry.key)."))"
                )
            }
        }
    }
}
