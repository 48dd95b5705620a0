/// The routing data the viewer-request function reads from a CloudFront KeyValueStore, derived
/// from the ``RoutingTable``: one key per request path that the function's few code rules would
/// otherwise answer differently from the table.
///
/// The function's code holds only rules that do not grow with the site (the reserved `/_site/`
/// prefix, the SPA prefixes, the trailing-slash rule, "a name with an extension goes to S3",
/// "anything else is the 404 page"); every path those rules get wrong for this site is a key of
/// the store. Most files (fingerprinted assets, `robots.txt`) need no key; every page does, and so
/// does every redirect the trailing-slash rule cannot derive.
///
/// ``answer(for:)`` is the function's decision procedure in Swift. The store is built by asking it
/// and adding a key wherever its answer differs from the table's, so "function over store" equals
/// "table" for every path of the table by construction; the Node tests run the JavaScript over the
/// same data and compare it with the table again.
public struct EdgeRouteStore: Sendable, Equatable {
    /// The format of the store's keys and values and of the function that reads them, recorded in
    /// deployed manifests; bumped whenever either changes meaning.
    public static let format = 1

    /// What a key of the store tells the function to do. Encoded as short strings, since the
    /// store's 5 MB holds keys and values alike.
    public enum Value: Sendable, Hashable {
        /// Pass the request to S3 unchanged: the object's key is the path without its slash. `=`
        case object
        /// Pass the request to S3 for this key instead (`/legal` -> `legal/index.html`). `/key`
        case rewrite(key: String)
        /// The SPA shell, status 200. `s`
        case shell
        /// A `301` to this path; the query is kept. `>target`
        case redirect(to: String)
        /// The 404 page with status 404. `4`
        case notFound

        /// The value as stored.
        public var encoded: String {
            switch self {
            case .object: "="
            case .rewrite(let key): "/" + key
            case .shell: "s"
            case .redirect(let target): ">" + target
            case .notFound: "4"
            }
        }

        /// Whether the trailing-slash rule redirects `path/` to `path` (pages and objects) or to
        /// the redirect's target.
        var slashTarget: ((String) -> String)? {
            switch self {
            case .object, .rewrite: { $0 }
            case .redirect(let target): { _ in target }
            case .shell, .notFound: nil
            }
        }
    }

    /// One key of the store.
    public struct Entry: Sendable, Equatable {
        /// The request path, percent-decoded, as the function looks it up.
        public var key: String
        /// What the function does for that path.
        public var value: Value

        /// The key telling the function to do `value` for the request path `key`.
        public init(key: String, value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// How the function answers a request path.
    public enum Answer: Sendable, Equatable {
        /// Passed to S3 for this object key.
        case object(key: String)
        /// A `301` to this path.
        case redirect(to: String)
        /// The 404 page with status 404.
        case notFound
    }

    /// The store's keys, sorted.
    public private(set) var entries: [Entry]
    /// Prefixes (`/app/`) whose paths are SPA routes, checked in code after the store.
    public let spaPrefixes: [String]
    /// The SPA shell's key (`index.html`).
    public let shell: String
    /// The 404 page's key (`404.html`).
    public let notFoundPage: String
    /// Whether the function answers SPA routes and unknown paths; false under
    /// `infra.spa_fallback: error_response`, where S3's 403/404 become the shell.
    public let routesInFunction: Bool
    private var lookup: [String: Value]

    /// The store for `routes`. With `routesInFunction` false, only redirects and rewritten pages
    /// are stored and every other path goes to S3 as it is.
    public init(routes: RoutingTable, routesInFunction: Bool = true) {
        self.spaPrefixes = routesInFunction ? routes.spaRoutes.filter(\.isPrefix).map(\.path) : []
        self.shell = routes.shell
        self.notFoundPage = routes.notFound
        self.routesInFunction = routesInFunction
        self.entries = []
        self.lookup = [:]
        lookup.reserveCapacity(routes.entries.count + routes.redirects.count)

        // What the table wants for each path it names, stored wherever the rules answer otherwise.
        // Paths with a trailing slash last: the trailing-slash rule reads the keys of the others.
        var wanted: [(path: String, answer: Answer)] = []
        wanted.reserveCapacity(routes.entries.count + routes.redirects.count + routes.spaRoutes.count)
        for entry in routes.entries where !Self.isReserved(entry.path) {
            wanted.append((entry.path, .object(key: entry.key)))
        }
        for redirect in routes.redirects where !Self.isReserved(redirect.from) {
            wanted.append((redirect.from, .redirect(to: redirect.to)))
        }
        if routesInFunction {
            for route in routes.spaRoutes where !route.isPrefix && routes.resolve(route.path) == .spa(key: routes.shell) {
                wanted.append((route.path, .object(key: routes.shell)))
            }
        }
        let (plain, slashed) = wanted.partitioned { !$0.path.hasSuffix("/") || $0.path == "/" }
        for item in plain + slashed where answer(forDecoded: item.path) != item.answer {
            lookup[item.path] = Self.value(for: item.answer, at: item.path, shell: routes.shell)
        }
        // The trailing-slash rule also answers `path/` for every stored page or redirect: where the
        // table says otherwise, that path gets a key of its own.
        for entry in Array(lookup) where entry.value.slashTarget != nil && entry.key != "/" {
            let slashed = entry.key + "/"
            guard lookup[slashed] == nil else { continue }
            let wanted = Self.answer(of: routes.resolve(slashed))
            if answer(forDecoded: slashed) != wanted {
                lookup[slashed] = Self.value(for: wanted, at: slashed, shell: routes.shell)
            }
        }
        entries = lookup.map { Entry(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// The value stored at `key`, nil when the store has no such key.
    public func value(for key: String) -> Value? { lookup[key] }

    /// The value that makes the function give `answer` at `path`.
    static func value(for answer: Answer, at path: String, shell: String) -> Value {
        switch answer {
        case .object(let key) where "/" + key == path: .object
        case .object(let key) where key == shell: .shell
        case .object(let key): .rewrite(key: key)
        case .redirect(let target): .redirect(to: target)
        case .notFound: .notFound
        }
    }

    /// The table's resolution as the bucket's behavior answers it (the API never reaches it).
    static func answer(of resolution: RoutingTable.Resolution) -> Answer {
        switch resolution {
        case .object(let key), .spa(let key): .object(key: key)
        case .redirect(let target, _): .redirect(to: target)
        case .notFound, .api: .notFound
        }
    }

    /// How the function answers a request path as CloudFront delivers it (percent-encoded; no
    /// query). This is the decision procedure of ``EdgeFunction/viewerRequestCode(store:)``, in the
    /// same order.
    public func answer(for requestPath: String) -> Answer {
        guard let path = Self.decode(requestPath) else { return .notFound }
        return answer(forDecoded: path, original: requestPath)
    }

    private func answer(forDecoded path: String, original: String? = nil) -> Answer {
        let original = original ?? path
        if Self.isReserved(path) { return .notFound }
        if let value = lookup[path] { return resolve(value, original: original) }
        if path.count > 1, path.hasSuffix("/"), let value = lookup[String(path.dropLast())], let target = value.slashTarget {
            return .redirect(to: target(String(path.dropLast())))
        }
        if routesInFunction, spaPrefixes.contains(where: { path.hasPrefix($0) || path + "/" == $0 }) {
            return .object(key: shell)
        }
        if !routesInFunction || EdgeFunction.hasExtension(path) { return .object(key: Self.s3Key(original)) }
        return .notFound
    }

    private func resolve(_ value: Value, original: String) -> Answer {
        switch value {
        case .object: .object(key: Self.s3Key(original))
        case .rewrite(let key): .object(key: key)
        case .shell: .object(key: shell)
        case .redirect(let target): .redirect(to: target)
        case .notFound: .notFound
        }
    }

    /// The key S3 serves for a request path it receives unchanged: the path without its slash,
    /// percent-decoded (S3 decodes the request URI). The root is CloudFront's default root object.
    static func s3Key(_ requestPath: String) -> String {
        let raw = String(requestPath.dropFirst())
        return raw.removingPercentEncoding ?? raw
    }

    /// A request path percent-decoded as the function's `decodeURIComponent` does; nil when the
    /// encoding is malformed (the function answers those with the 404 page).
    public static func decode(_ path: String) -> String? {
        guard path.utf8.contains(UInt8(ascii: "%")) else { return path }
        return path.removingPercentEncoding
    }

    /// Paths below the reserved `/_site/` prefix, which the edge never serves.
    public static func isReserved(_ path: String) -> Bool {
        path.hasPrefix("/" + Manifest.reservedPrefix) || path == "/" + Manifest.reservedPrefix.dropLast()
    }

    /// The store's size as CloudFront counts it: the UTF-8 bytes of every key and value.
    public var totalBytes: Int {
        entries.reduce(0) { $0 + $1.key.utf8.count + $1.value.encoded.utf8.count }
    }

    /// The store as the JSON file CloudFront imports when it creates a store
    /// (`{"data": [{"key": ..., "value": ...}]}`), keys sorted.
    public var importDocument: JSONValue {
        ["data": .array(entries.map { ["key": .string($0.key), "value": .string($0.value.encoded)] })]
    }

    /// What turns the store `old` (nil: an empty store) into this one.
    ///
    /// `alsoPresent` are keys the store may hold beyond `old`'s: those an interrupted deploy put.
    /// Those this store lacks are deleted too.
    public func changes(from old: EdgeRouteStore?, alsoPresent: [String] = []) -> Changes {
        var puts: [Entry] = []
        for entry in entries where old?.lookup[entry.key] != entry.value { puts.append(entry) }
        var deletes = (old?.entries ?? []).filter { lookup[$0.key] == nil }.map(\.key)
        var listed = Set(deletes)
        for key in alsoPresent.sorted() where lookup[key] == nil && old?.lookup[key] == nil && listed.insert(key).inserted {
            deletes.append(key)
        }
        return Changes(puts: puts, deletes: deletes)
    }

    /// Keys to put and keys to delete, in batches the KeyValueStore API accepts.
    public struct Changes: Sendable, Equatable {
        /// The keys that are new or whose value changed, with their values, sorted by key.
        public var puts: [Entry]
        /// The keys this store lacks that the old store has, or that an interrupted deploy may have
        /// put.
        public var deletes: [String]

        /// Whether the store needs no change.
        public var isEmpty: Bool { puts.isEmpty && deletes.isEmpty }

        /// `puts` as `update-keys --puts` inputs, at most ``AWSLimits/keyValueStoreKeysPerUpdate``
        /// keys and ``AWSLimits/keyValueStoreBytesPerUpdate`` bytes each.
        public var putBatches: [JSONValue] {
            Self.batches(
                puts.map {
                    ($0.key.utf8.count + $0.value.encoded.utf8.count, ["Key": .string($0.key), "Value": .string($0.value.encoded)])
                })
        }

        /// `deletes` as `update-keys --deletes` inputs, within the same limits.
        public var deleteBatches: [JSONValue] {
            Self.batches(deletes.map { ($0.utf8.count, ["Key": .string($0)]) })
        }

        static func batches(_ items: [(size: Int, json: JSONValue)]) -> [JSONValue] {
            var batches: [JSONValue] = []
            var current: [JSONValue] = []
            var bytes = 0
            for item in items {
                // Each item also costs its JSON punctuation; 64 bytes is more than it ever takes.
                let cost = item.size + 64
                if current.count == AWSLimits.keyValueStoreKeysPerUpdate || bytes + cost > AWSLimits.keyValueStoreBytesPerUpdate {
                    batches.append(.array(current))
                    current = []
                    bytes = 0
                }
                current.append(item.json)
                bytes += cost
            }
            if !current.isEmpty { batches.append(.array(current)) }
            return batches
        }
    }
}

extension Array {
    /// The elements that satisfy `predicate`, then the others, each in their order.
    func partitioned(_ predicate: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = []
        var no: [Element] = []
        for element in self {
            if predicate(element) { yes.append(element) } else { no.append(element) }
        }
        return (yes, no)
    }
}
