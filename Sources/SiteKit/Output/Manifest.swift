import Foundation

/// Every object of a build with its size, digests and headers, and the routing table: all that
/// `plan-infra`, deploys and previews need, written to `dist/_site/manifest.json`.
public struct Manifest: Sendable, Equatable, Codable {
    /// The reserved key prefix for files of `site` itself; no page may live below it.
    public static let reservedPrefix = "_site/"
    /// Where the manifest is written in `dist/` and stored in the bucket.
    public static let key = "_site/manifest.json"

    /// One object of the bucket.
    public struct Object: Sendable, Equatable, Codable {
        /// The object key, which is also its path in `dist/`.
        public var key: String
        /// Its size in bytes.
        public var size: Int
        /// Hex SHA-256 of its bytes: what the publish plan compares to decide an upload.
        public var sha256: String
        /// Hex MD5: S3's ETag for a single-part upload.
        public var md5: String
        /// The `Content-Type` it is uploaded with.
        public var contentType: String
        /// The `Cache-Control` it is uploaded with, from its kind and `cache:` in `site.yml`.
        public var cacheControl: String
        /// What it is: page, shell, asset or other file.
        public var kind: ObjectKind
        /// The input it came from, relative to the project root.
        public var source: String

        enum CodingKeys: String, CodingKey {
            case key, size, sha256, md5, kind, source
            case contentType = "content_type"
            case cacheControl = "cache_control"
        }

        /// The members in sorted key order, as the object list writes them.
        static let layout = PrettyObjectLayout(
            depth: 2,
            members: [CodingKeys.cacheControl, .contentType, .key, .kind, .md5, .sha256, .size, .source].map(\.rawValue))

        /// Writes the object as an element of the manifest's object list.
        func write(into out: inout [UInt8]) {
            let layout = Self.layout
            layout.member(0, cacheControl, into: &out)
            layout.member(1, contentType, into: &out)
            layout.member(2, key, into: &out)
            layout.member(3, kind.rawValue, into: &out)
            layout.member(4, md5, into: &out)
            layout.member(5, sha256, into: &out)
            layout.member(6, size, into: &out)
            layout.member(7, source, into: &out)
            layout.close(into: &out)
        }
    }

    /// The manifest format; bumped when fields change meaning.
    public var version: Int = 1
    /// The production origin the site was built for.
    public var baseURL: String
    /// Every object of the output but the manifest itself, sorted by key.
    public var objects: [Object]
    /// The routing table: every path, redirect, SPA route and the API pattern.
    public var routes: RoutingTable
    /// Deployed manifests only: the fingerprinted asset keys of earlier deploys, newest first, which
    /// stay in the bucket so that tabs still open on those versions keep loading their chunks.
    public var history: [[String]]?
    /// Deployed manifests only: invalidations this deploy sends after uploading the manifest; a
    /// retried deploy sends them again (CloudFront ignores a repeated CallerReference).
    public var pendingInvalidations: [InvalidationBatch]?
    /// Deployed manifests only: the format of the edge's routing data this deploy put in place
    /// (``EdgeRouteStore/format``); a deploy over another format writes the whole store.
    public var edgeFormat: Int?
    /// Interrupted deploys only: the objects this deploy deletes at its end; a retried deploy
    /// deletes them too.
    public var pendingDeletes: [String]?
    /// Interrupted deploys only: the route store keys this deploy puts that the previous deploy's
    /// store lacked; a retried deploy deletes those its own store lacks.
    public var pendingRouteKeys: [String]?

    enum CodingKeys: String, CodingKey {
        case version, objects, routes, history
        case baseURL = "base_url"
        case pendingInvalidations = "pending_invalidations"
        case edgeFormat = "edge_format"
        case pendingDeletes = "pending_deletes"
        case pendingRouteKeys = "pending_route_keys"
    }

    /// Describes `objects` (hashing each one) with the cache settings of the config, in key order:
    /// objects given in key order are described one for one, in their order.
    public init(objects: [OutputObject], routes: RoutingTable, baseURL: String, cache: CacheSettings) {
        self.baseURL = baseURL
        self.routes = routes
        // Made once a kind, and shared by every object of that kind.
        let cacheControl = Dictionary(
            uniqueKeysWithValues: ObjectKind.allCases.map { ($0, CachePolicy.cacheControl(for: $0, settings: cache)) })
        // Hashing is most of the work: spread over every core.
        self.objects = Parallel.map(objects.sortedByKey()) { object in
            Object(
                key: object.key, size: object.data.count, sha256: object.digests?.sha256 ?? Digest.sha256(object.data),
                md5: object.digests?.md5 ?? Digest.md5(object.data),
                contentType: MediaTypes.contentType(forKey: object.key),
                cacheControl: cacheControl[object.kind] ?? CachePolicy.cacheControl(for: object.kind, settings: cache), kind: object.kind,
                source: object.source)
        }
    }

    /// The manifest as deterministic JSON: sorted keys, two-space indent, trailing newline; the
    /// same bytes as `JSON.encode(self)`.
    ///
    /// Written member by member (``PrettyJSONWriter``): the object list and the routing table's
    /// entries and redirects, nearly all of a large manifest, element by element on every core
    /// (Foundation's encoder takes seconds for a hundred thousand objects), every other value by
    /// `JSON.encode`.
    ///
    /// `earlier` is another manifest with its encoding: when its objects, routing entries or
    /// redirects are the same as these (a deployed manifest differs from the build's only in its
    /// history), their bytes are taken from it instead of being written again.
    public func encoded(reusing earlier: (manifest: Manifest, data: Data)? = nil) throws -> Data {
        let objects = objects
        let entries = routes.entries
        let redirects = routes.redirects
        var writer = PrettyJSONWriter(earlier: earlier?.data)
        writer.openObject()
        // Members in sorted key order, as JSONEncoder's `.sortedKeys` writes them.
        try writer.member(CodingKeys.baseURL.rawValue, baseURL, depth: 1)
        if let edgeFormat { try writer.member(CodingKeys.edgeFormat.rawValue, edgeFormat, depth: 1) }
        if let history { try writer.member(CodingKeys.history.rawValue, history, depth: 1) }
        try writer.list(
            CodingKeys.objects.rawValue, depth: 1, count: objects.count, reusable: earlier.map { $0.manifest.objects == objects } ?? false
        ) { index, out in
            objects[index].write(into: &out)
        }
        if let pendingDeletes { try writer.member(CodingKeys.pendingDeletes.rawValue, pendingDeletes, depth: 1) }
        if let pendingInvalidations { try writer.member(CodingKeys.pendingInvalidations.rawValue, pendingInvalidations, depth: 1) }
        if let pendingRouteKeys { try writer.member(CodingKeys.pendingRouteKeys.rawValue, pendingRouteKeys, depth: 1) }
        writer.key(CodingKeys.routes.rawValue, depth: 1)
        writer.openObject()
        typealias Routes = RoutingTable.CodingKeys
        if let api = routes.api { try writer.member(Routes.api.rawValue, api, depth: 2) }
        try writer.list(
            Routes.entries.rawValue, depth: 2, count: entries.count,
            reusable: earlier.map { $0.manifest.routes.entries == entries } ?? false
        ) { index, out in entries[index].write(into: &out) }
        try writer.member(Routes.notFound.rawValue, routes.notFound, depth: 2)
        // A page's route with a trailing slash redirects to it: as many redirects as pages.
        try writer.list(
            Routes.redirects.rawValue, depth: 2, count: redirects.count,
            reusable: earlier.map { $0.manifest.routes.redirects == redirects } ?? false
        ) { index, out in redirects[index].write(into: &out) }
        try writer.member(Routes.shell.rawValue, routes.shell, depth: 2)
        try writer.member(Routes.spaRoutes.rawValue, routes.spaRoutes, depth: 2)
        writer.closeObject(depth: 1)
        try writer.member(CodingKeys.version.rawValue, version, depth: 1)
        writer.closeObject(depth: 0)
        writer.bytes([0x0A])
        return writer.data()
    }

    /// Reads a manifest written by `encoded()`.
    public static func decode(_ data: Data) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Total bytes of all objects.
    public var totalBytes: Int { objects.reduce(0) { $0 + $1.size } }
}

extension RoutingTable.Entry {
    private static let layout = PrettyObjectLayout(depth: 3, members: ["key", "path"])

    /// Writes the entry as an element of the manifest's list of routing entries.
    func write(into out: inout [UInt8]) {
        Self.layout.member(0, key, into: &out)
        Self.layout.member(1, path, into: &out)
        Self.layout.close(into: &out)
    }
}

extension RoutingTable.Redirect {
    private static let layout = PrettyObjectLayout(depth: 3, members: ["from", "status", "to"])

    /// Writes the redirect as an element of the manifest's list of redirects.
    func write(into out: inout [UInt8]) {
        Self.layout.member(0, from, into: &out)
        Self.layout.member(1, status, into: &out)
        Self.layout.member(2, to, into: &out)
        Self.layout.close(into: &out)
    }
}
