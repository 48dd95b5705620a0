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
        public var key: String
        public var size: Int
        public var sha256: String
        /// Hex MD5: S3's ETag for a single-part upload.
        public var md5: String
        public var contentType: String
        public var cacheControl: String
        public var kind: ObjectKind
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
    public var objects: [Object]
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
        let cacheControl = Dictionary(uniqueKeysWithValues: ObjectKind.allCases.map { ($0, CachePolicy.cacheControl(for: $0, settings: cache)) })
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

    /// The manifest as deterministic JSON: sorted keys, two-space indent, trailing newline.
    ///
    /// The same bytes as `JSON.encode(self)`, but the object list and the routing table's entries
    /// and redirects, nearly all of a large manifest, are written directly: Foundation's encoder takes seconds for a
    /// hundred thousand objects.
    ///
    /// `earlier` is another manifest with its encoding: when its objects, routing entries or redirects are
    /// the same as these (a deployed manifest differs from the build's only in its history), their
    /// bytes are taken from it instead of being written again.
    public func encoded(reusing earlier: (manifest: Manifest, data: Data)? = nil) throws -> Data {
        var rest = self
        rest.objects = []
        rest.routes.entries = []
        rest.routes.redirects = []
        let frame = [UInt8](try JSON.encode(rest))
        let objects = objects
        let entries = routes.entries
        let redirects = routes.redirects
        let lists = [
            LongList(member: "objects", depth: 1, count: objects.count, reusable: earlier.map { $0.manifest.objects == objects } ?? false) {
                index, out in
                objects[index].write(into: &out)
            },
            LongList(member: "entries", depth: 2, count: entries.count, reusable: earlier.map { $0.manifest.routes.entries == entries } ?? false) {
                index, out in
                let entry = entries[index]
                Self.entryLayout.member(0, entry.key, into: &out)
                Self.entryLayout.member(1, entry.path, into: &out)
                Self.entryLayout.close(into: &out)
            },
            // A page's route with a trailing slash redirects to it: as many redirects as pages.
            LongList(
                member: "redirects", depth: 2, count: redirects.count, reusable: earlier.map { $0.manifest.routes.redirects == redirects } ?? false
            ) { index, out in
                let redirect = redirects[index]
                Self.redirectLayout.member(0, redirect.from, into: &out)
                Self.redirectLayout.member(1, redirect.status, into: &out)
                Self.redirectLayout.member(2, redirect.to, into: &out)
                Self.redirectLayout.close(into: &out)
            },
        ]
        return Self.assemble(frame, lists: lists, earlier: earlier?.data)
    }

    private static let entryLayout = PrettyObjectLayout(depth: 3, members: ["key", "path"])
    private static let redirectLayout = PrettyObjectLayout(depth: 3, members: ["from", "status", "to"])

    /// A list of the manifest written apart from the rest: `count` elements that `write` appends.
    private struct LongList: Sendable {
        var member: String
        var depth: Int
        var count: Int
        /// Whether an earlier encoding's list holds the same elements (and may be copied from there).
        var reusable: Bool
        var write: @Sendable (Int, inout [UInt8]) -> Void

        private var indent: String { String(repeating: " ", count: depth * 2) }
        /// What comes before the first element, and after the last one.
        var head: [UInt8] { Array("\n\(indent)\"\(member)\" : [\n".utf8) }
        var tail: [UInt8] { Array("\n\(indent)]".utf8) }
    }

    /// `frame` with each of its empty `lists` (`"member" : []` at its depth) filled: elements are
    /// copied from `earlier` when it has the same list, or else written in chunks on every core;
    /// then everything is joined once into the result.
    private static func assemble(_ frame: [UInt8], lists: [LongList], earlier: Data?) -> Data {
        enum Part {
            case frame(Range<Int>)
            case bytes([UInt8])
            case chunks(Range<Int>)
            case earlier(Range<Int>)
        }
        // Where each list sits in the frame (an empty list is left as it is).
        var placed: [(at: Int, list: LongList)] = []
        for list in lists where list.count > 0 {
            let empty = list.head + list.tail
            if let at = frame.withUnsafeBytes({ ByteSearch.first(empty, in: $0, from: 0) }) { placed.append((at, list)) }
        }
        placed.sort { $0.at < $1.at }
        // The elements of `list` in the earlier encoding: every line inside is indented deeper than
        // its closing bracket. ByteSearch finds them by their brackets.
        func earlierElements(_ list: LongList) -> Range<Int>? {
            guard list.reusable, let earlier else { return nil }
            return earlier.withUnsafeBytes { bytes -> Range<Int>? in
                guard let open = ByteSearch.first(list.head, in: bytes, from: 0),
                    let close = ByteSearch.first(list.tail, in: bytes, from: open + list.head.count)
                else { return nil }
                return (open + list.head.count)..<close
            }
        }
        var jobs: [(list: LongList, range: Range<Int>)] = []
        var parts: [Part] = []
        var position = 0
        for (at, list) in placed {
            parts.append(.frame(position..<at))
            parts.append(.bytes(list.head))
            if let range = earlierElements(list) {
                parts.append(.earlier(range))
            } else {
                let first = jobs.count
                for start in stride(from: 0, to: list.count, by: 2_048) { jobs.append((list, start..<min(start + 2_048, list.count))) }
                parts.append(.chunks(first..<jobs.count))
            }
            parts.append(.bytes(list.tail))
            position = at + list.head.count + list.tail.count
        }
        parts.append(.frame(position..<frame.count))
        let written = Parallel.map(jobs) { list, range -> [UInt8] in
            let indent = [UInt8](repeating: 0x20, count: (list.depth + 1) * 2)
            var out: [UInt8] = []
            for index in range {
                if index > 0 { out += ",\n".utf8 }
                out += indent
                list.write(index, &out)
            }
            return out
        }
        var total = 0
        for part in parts {
            switch part {
            case .frame(let range), .earlier(let range): total += range.count
            case .bytes(let bytes): total += bytes.count
            case .chunks(let range): total += written[range].reduce(0) { $0 + $1.count }
            }
        }
        var data = Data(capacity: total)
        for part in parts {
            switch part {
            case .frame(let range): data.append(contentsOf: frame[range])
            case .bytes(let bytes): data.append(contentsOf: bytes)
            case .chunks(let range): for chunk in written[range] { data.append(contentsOf: chunk) }
            case .earlier(let range): earlier.map { data.append($0[($0.startIndex + range.lowerBound)..<($0.startIndex + range.upperBound)]) }
            }
        }
        return data
    }

    /// Reads a manifest written by `encoded()`.
    public static func decode(_ data: Data) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Total bytes of all objects.
    public var totalBytes: Int { objects.reduce(0) { $0 + $1.size } }
}
