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

        /// Writes the object as an element of the manifest's object list (members in sorted key order).
        func write(into out: inout [UInt8]) {
            var object = PrettyObjectWriter(depth: 2, into: &out)
            object.member(CodingKeys.cacheControl.rawValue, cacheControl, into: &out)
            object.member(CodingKeys.contentType.rawValue, contentType, into: &out)
            object.member(CodingKeys.key.rawValue, key, into: &out)
            object.member(CodingKeys.kind.rawValue, kind.rawValue, into: &out)
            object.member(CodingKeys.md5.rawValue, md5, into: &out)
            object.member(CodingKeys.sha256.rawValue, sha256, into: &out)
            object.member(CodingKeys.size.rawValue, size, into: &out)
            object.member(CodingKeys.source.rawValue, source, into: &out)
            object.close(into: &out)
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

    enum CodingKeys: String, CodingKey {
        case version, objects, routes, history
        case baseURL = "base_url"
        case pendingInvalidations = "pending_invalidations"
    }

    /// Describes `objects` (hashing each one) with the cache settings of the config.
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
        let earlierBytes = earlier.map { [UInt8]($0.data) }
        let sameObjects = earlier.map { $0.manifest.objects == objects } ?? false
        let sameEntries = earlier.map { $0.manifest.routes.entries == routes.entries } ?? false
        let sameRedirects = earlier.map { $0.manifest.routes.redirects == routes.redirects } ?? false
        var bytes = Self.splice(
            frame, member: "objects", depth: 1, count: objects.count, from: sameObjects ? earlierBytes : nil
        ) { index, out in
            objects[index].write(into: &out)
        }
        bytes = Self.splice(
            bytes, member: "entries", depth: 2, count: routes.entries.count, from: sameEntries ? earlierBytes : nil
        ) { index, out in
            let entry = routes.entries[index]
            var object = PrettyObjectWriter(depth: 3, into: &out)
            object.member("key", entry.key, into: &out)
            object.member("path", entry.path, into: &out)
            object.close(into: &out)
        }
        // A page's route with a trailing slash redirects to it: as many redirects as pages.
        bytes = Self.splice(
            bytes, member: "redirects", depth: 2, count: routes.redirects.count, from: sameRedirects ? earlierBytes : nil
        ) { index, out in
            let redirect = routes.redirects[index]
            var object = PrettyObjectWriter(depth: 3, into: &out)
            object.member("from", redirect.from, into: &out)
            object.member("status", redirect.status, into: &out)
            object.member("to", redirect.to, into: &out)
            object.close(into: &out)
        }
        return Data(bytes)
    }

    /// `frame` with its empty list `"member" : []` at nesting `depth` replaced by `count` elements
    /// that `write` appends, written in chunks on every core and joined in order.
    /// With `earlier`, an encoding of the same list, its elements are copied from there.
    private static func splice(
        _ frame: [UInt8], member: String, depth: Int, count: Int, from earlier: [UInt8]? = nil,
        write: @Sendable (Int, inout [UInt8]) -> Void
    ) -> [UInt8] {
        let indent = String(repeating: " ", count: depth * 2)
        let head = Array("\n\(indent)\"\(member)\" : [\n".utf8)
        let tail = Array("\n\(indent)]".utf8)
        let empty = head + tail
        guard count > 0, let at = frame.withUnsafeBytes({ ByteSearch.first(empty, in: $0, from: 0) }) else { return frame }
        // The list's elements in `earlier`: every line inside is indented deeper than its closing bracket.
        // ByteSearch finds them by their brackets: a manifest has a line break every few dozen bytes, and few brackets.
        if let earlier, let open = earlier.withUnsafeBytes({ ByteSearch.first(head, in: $0, from: 0) }),
            let close = earlier.withUnsafeBytes({ ByteSearch.first(tail, in: $0, from: open + head.count) })
        {
            var result = Array(frame[..<(at + head.count)])
            result.append(contentsOf: earlier[(open + head.count)..<close])
            result.append(contentsOf: frame[(at + head.count)...])
            return result
        }
        let chunks = stride(from: 0, to: count, by: 2_048).map { $0..<min($0 + 2_048, count) }
        let elementIndent = Array(repeating: UInt8(ascii: " "), count: (depth + 1) * 2)
        let written = Parallel.map(chunks) { range -> [UInt8] in
            var out: [UInt8] = []
            for index in range {
                if index > 0 { out.append(contentsOf: ",\n".utf8) }
                out.append(contentsOf: elementIndent)
                write(index, &out)
            }
            return out
        }
        var result = Array(frame[..<at])
        result.reserveCapacity(frame.count + written.reduce(0) { $0 + $1.count })
        result.append(contentsOf: head)
        for chunk in written { result.append(contentsOf: chunk) }
        result.append(contentsOf: "\n\(indent)]".utf8)
        result.append(contentsOf: frame[(at + empty.count)...])
        return result
    }

    /// Reads a manifest written by `encoded()`.
    public static func decode(_ data: Data) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Total bytes of all objects.
    public var totalBytes: Int { objects.reduce(0) { $0 + $1.size } }
}

/// Deterministic JSON output.
public enum JSON {
    /// `value` as pretty JSON with sorted keys, unescaped slashes and a final newline.
    public static func encode(_ value: some Encodable) throws -> Data {
        if let value = value as? JSONValue { return value.prettyData }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}
