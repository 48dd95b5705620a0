/// One CloudFront invalidation: the input of `aws cloudfront create-invalidation --invalidation-batch`.
public struct InvalidationBatch: Sendable, Equatable, Codable {
    /// Derived from the content, so a retried deploy does not create a second invalidation.
    public var callerReference: String
    /// The URL paths to invalidate, percent-encoded; a wildcard path ends in `*`.
    public var paths: [String]

    enum CodingKeys: String, CodingKey {
        case callerReference = "caller_reference"
        case paths
    }

    /// The CLI's input shape.
    public var json: JSONValue {
        ["CallerReference": .string(callerReference), "Paths": .list(paths.map { .string($0) })]
    }
}

/// Turns changed objects into the fewest invalidation paths, in batches CloudFront accepts.
public enum InvalidationPlanner {
    /// CloudFront's limits for invalidations in progress.
    public static let maxPaths = 3_000
    /// The most wildcard paths in progress at once.
    public static let maxWildcards = 15
    /// Paths a month without charge, and the price of each one beyond.
    public static let freePathsPerMonth = 1_000
    /// The price in US dollars of each path beyond the free ones.
    public static let dollarsPerPath = 0.005

    /// Every URL path CloudFront caches separately for `keys`: the paths of the routing table that
    /// answer with each object's content (`/terms`; `/` and `/index.html` for the shell).
    public static func paths(for keys: Set<String>, routes: [RoutingTable]) -> [String] {
        var paths = Set<String>()
        for table in routes {
            for entry in table.entries where keys.contains(entry.key) { paths.insert(entry.path) }
        }
        // The key's own path too: CloudFront caches a rewritten request (`/legal` -> `/legal/index.html`)
        // under the rewritten path.
        for key in keys { paths.insert("/" + key) }
        return paths.map(encoded).sorted()
    }

    /// A path as an invalidation names it: CloudFront wants non-ASCII and unsafe characters
    /// percent-encoded as UTF-8 (a bundle file such as `assets/Café 1.png`). Encoded exactly as the
    /// viewer-request function spells the paths it passes on (`encodeURIComponent` per segment), so
    /// the invalidation names the cached copy.
    public static func encoded(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: invalidationCharacters) ?? path
    }

    private static let invalidationCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()/")

    /// `paths` as is when there are at most `threshold`, else collapsed into wildcards level by
    /// level (`/docs/a`, `/docs/b` -> `/docs/*`) until at most `threshold` remain; `/*` at the end.
    ///
    /// CloudFront refuses a new invalidation while 3,000 paths or 15 wildcards are in progress:
    /// whatever the threshold, the result never holds more, so one deploy never has more in flight.
    public static func collapse(_ paths: [String], threshold: Int) -> [String] {
        let result = collapsed(paths, threshold: threshold)
        if result.count > maxPaths || result.filter({ $0.hasSuffix("*") }).count > maxWildcards {
            return collapsed(result, threshold: maxWildcards)
        }
        return result
    }

    static func collapsed(_ paths: [String], threshold: Int) -> [String] {
        let unique = Array(Set(paths)).sorted()
        guard unique.count > threshold else { return unique }
        let depth = unique.map { $0.split(separator: "/").count }.max() ?? 0
        var level = depth - 1
        while level >= 1 {
            var collapsed = Set<String>()
            for path in unique {
                let segments = path.split(separator: "/")
                if segments.count > level {
                    collapsed.insert("/" + segments.prefix(level).joined(separator: "/") + "/*")
                } else {
                    collapsed.insert(path)
                }
            }
            // Exact paths already under a wildcard go.
            let wildcards = collapsed.filter { $0.hasSuffix("/*") }.map { String($0.dropLast()) }
            let result = collapsed.filter { path in
                path.hasSuffix("/*") || !wildcards.contains { path.hasPrefix($0) }
            }
            if result.count <= threshold { return result.sorted() }
            level -= 1
        }
        return ["/*"]
    }

    /// Batches within CloudFront's limits, each with a reference derived from its paths and `salt`.
    public static func batches(_ paths: [String], salt: String) -> [InvalidationBatch] {
        var batches: [[String]] = []
        var current: [String] = []
        var wildcards = 0
        for path in paths.sorted() {
            let isWildcard = path.hasSuffix("*")
            if current.count == maxPaths || (isWildcard && wildcards == maxWildcards) {
                batches.append(current)
                current = []
                wildcards = 0
            }
            current.append(path)
            if isWildcard { wildcards += 1 }
        }
        if !current.isEmpty { batches.append(current) }
        return batches.enumerated().map { index, paths in
            let digest = Digest.sha256(Data((["\(index)", salt] + paths).joined(separator: "\n").utf8))
            return InvalidationBatch(callerReference: "site-\(digest.prefix(32))", paths: paths)
        }
    }

    /// What `count` paths cost beyond the free paths of a month, in dollars (if no other path was
    /// invalidated that month).
    public static func cost(paths count: Int) -> Double {
        Double(max(0, count - freePathsPerMonth)) * dollarsPerPath
    }
}

import Foundation
