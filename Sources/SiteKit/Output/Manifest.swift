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

        /// The object as its coding keys name it.
        var json: JSONValue {
            [
                CodingKeys.key.rawValue: .string(key), CodingKeys.size.rawValue: .int(size), CodingKeys.sha256.rawValue: .string(sha256),
                CodingKeys.md5.rawValue: .string(md5), CodingKeys.contentType.rawValue: .string(contentType),
                CodingKeys.cacheControl.rawValue: .string(cacheControl), CodingKeys.kind.rawValue: .string(kind.rawValue),
                CodingKeys.source.rawValue: .string(source),
            ]
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
        // Hashing is most of the work: spread over every core.
        self.objects = Parallel.map(objects.sorted { $0.key < $1.key }) { object in
            Object(
                key: object.key, size: object.data.count, sha256: Digest.sha256(object.data), md5: Digest.md5(object.data),
                contentType: MediaTypes.contentType(forKey: object.key),
                cacheControl: CachePolicy.cacheControl(for: object.kind, settings: cache), kind: object.kind,
                source: object.source)
        }
    }

    /// The manifest as deterministic JSON: sorted keys, two-space indent, trailing newline.
    ///
    /// The same bytes as `JSON.encode(self)`, but the object list, which is nearly all of a large
    /// manifest, is written directly: Foundation's encoder takes seconds for a hundred thousand objects.
    public func encoded() throws -> Data {
        var rest = self
        rest.objects = []
        let frame = try JSON.encode(rest)
        let empty = Array("\n  \"objects\" : [\n\n  ]".utf8)
        guard !objects.isEmpty, let at = frame.withUnsafeBytes({ ByteSearch.first(empty, in: $0, from: 0) }) else { return frame }
        var data = Data(frame[frame.startIndex..<(frame.startIndex + at)])
        data.append(contentsOf: "\n  \"objects\" : ".utf8)
        data.append(contentsOf: "[\n".utf8)
        // Chunks of objects written on every core, joined in order.
        let chunks = stride(from: 0, to: objects.count, by: 2_048).map { $0..<min($0 + 2_048, objects.count) }
        let written = Parallel.map(chunks) { range -> [UInt8] in
            var out: [UInt8] = []
            for index in range {
                if index > 0 { out.append(contentsOf: ",\n".utf8) }
                out.append(contentsOf: "    ".utf8)
                out.append(contentsOf: objects[index].json.prettyBytes(indent: 2))
            }
            return out
        }
        for chunk in written { data.append(contentsOf: chunk) }
        data.append(contentsOf: "\n  ]".utf8)
        data.append(frame[(frame.startIndex + at + empty.count)...])
        return data
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
