import Foundation

/// What one deploy does to the bucket, in order: uploads by phase, the deployed manifest, the
/// invalidations, then deletions.
public struct PublishPlan: Sendable, Equatable {
    /// Upload phases, in the order a deploy runs them: no page is uploaded before the assets it
    /// references, and the manifest comes after every object it lists.
    public enum Phase: String, Sendable, CaseIterable, Comparable {
        /// Fingerprinted assets, then other files, then pages and the SPA shell, then the manifest.
        case asset, other, page, manifest

        /// Orders phases as a deploy runs them.
        public static func < (lhs: Phase, rhs: Phase) -> Bool {
            (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
        }
    }

    /// One object to put.
    public struct Upload: Sendable, Equatable {
        /// The step of the deploy that uploads it.
        public var phase: Phase
        /// The object's key in the bucket.
        public var key: String
        /// The `Content-Type` the object is stored with.
        public var contentType: String
        /// The `Cache-Control` the object is stored with.
        public var cacheControl: String
        /// Base64 MD5 for `Content-MD5`, so S3 rejects a corrupted body.
        public var contentMD5: String
        /// The object's size in bytes.
        public var size: Int
        /// User metadata (`x-amz-meta-<name>`) the object is stored with: the 404 page's status marker.
        public var metadata: [String: String] = [:]
    }

    /// The objects that are new or whose bytes or headers changed, by phase, then by key.
    public var uploads: [Upload]
    /// The keys to delete from the bucket, sorted: objects gone from the build that are not kept
    /// for recent deploys.
    public var deletes: [String]
    /// Objects gone from the build that stay: fingerprinted assets of recent deploys.
    public var retained: [String]
    /// The CloudFront invalidations to send, those an interrupted deploy left unsent first.
    public var invalidations: [InvalidationBatch]
    /// What the deploy puts into the edge's KeyValueStore (before the functions) and deletes from it
    /// (after the invalidations).
    public var routeChanges: EdgeRouteStore.Changes
    /// The manifest of the finished deploy, uploaded last (its history included).
    public var deployed: Manifest
    /// The manifest uploaded after the objects, which stays if the deploy stops before its end:
    /// see ``PublishPlanner/interruptedManifest(deployed:previous:invalidations:deletes:routeChanges:previousStore:)``.
    public var interrupted: Manifest
    /// Whether the build differs from the previous deploy at all.
    public var changed: Bool

    /// How many paths the invalidations name, in all.
    public var invalidationPaths: Int { invalidations.reduce(0) { $0 + $1.paths.count } }
    /// The bytes to upload, in all.
    public var uploadBytes: Int { uploads.reduce(0) { $0 + $1.size } }

    /// `N to upload (X KB), M to delete, K retained, P invalidation paths`.
    public var summary: String {
        var text =
            "\(uploads.count) to upload (\(Self.kilobytes(uploadBytes)) KB), \(deletes.count) to delete, \(retained.count) retained, "
        if !routeChanges.isEmpty {
            text +=
                "\(routeChanges.puts.count) route key\(routeChanges.puts.count == 1 ? "" : "s") to put and \(routeChanges.deletes.count) to delete, "
        }
        text += "\(invalidationPaths) invalidation path\(invalidationPaths == 1 ? "" : "s")"
        if !changed, invalidations.isEmpty {
            text += "; nothing changed since the previous deploy, so no invalidation"
        } else if !changed {
            text +=
                "; nothing changed, but the previous deploy's invalidation may not have gone out: sent again (CloudFront ignores a repeat)"
        } else if invalidationPaths > 0 {
            text += String(
                format: " (the first 1,000 paths a month are free, then $%.3f each: at most $%.3f)",
                InvalidationPlanner.dollarsPerPath, Double(invalidationPaths) * InvalidationPlanner.dollarsPerPath)
        }
        return text
    }

    static func kilobytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1024) }

    /// The plan as `publish/summary.json` holds it: the counts, the uploads, deletions, retained
    /// keys and invalidations, and ``summary``.
    public var summaryJSON: JSONValue {
        [
            "upload_count": .int(uploads.count), "upload_bytes": .int(uploadBytes), "delete_count": .int(deletes.count),
            "retained_count": .int(retained.count), "invalidation_paths": .int(invalidationPaths),
            "invalidation_batches": .int(invalidations.count), "changed": .bool(changed),
            "route_puts": .int(routeChanges.puts.count), "route_deletes": .int(routeChanges.deletes.count),
            "uploads": .array(uploads.map { ["phase": .string($0.phase.rawValue), "key": .string($0.key), "size": .int($0.size)] }),
            "deletes": .array(deletes.map { .string($0) }), "retained": .array(retained.map { .string($0) }),
            "invalidations": .array(
                invalidations.map { ["caller_reference": .string($0.callerReference), "paths": .array($0.paths.map { .string($0) })] }),
            "summary": .string(summary),
        ]
    }
}

/// Compares this build's manifest with the previously deployed one and plans the deploy.
public enum PublishPlanner {
    /// Why a plan is refused.
    public struct Refusal: Error, Sendable, Equatable {
        /// Why the deploy is refused, as the diagnostic's message.
        public var message: String
        /// What to check, or the setting or flag that allows the deploy.
        public var hint: String
    }

    /// Plans the deploy of `current` over `previous` (nil on the first deploy).
    ///
    /// - Parameters:
    ///   - keepDeploys: fingerprinted assets referenced by this many deploys (this one included) stay.
    ///   - maxDeletes: more deletions than this are refused unless `allowMassDelete`.
    ///   - store: the edge's route store of `current`, when the caller has derived it already.
    public static func plan(
        current: Manifest, previous: Manifest?, settings: InfraSettings, allowMassDelete: Bool = false,
        store: EdgeRouteStore? = nil
    ) throws(Refusal) -> PublishPlan {
        let before = Dictionary((previous?.objects ?? []).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(current.objects.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

        // The edge's routing data: what the previous deploy stored, when it stored this format.
        let sameEdge = previous?.edgeFormat == EdgeRouteStore.format
        let routesInFunction = settings.spaFallback == .function
        let store = store ?? EdgeRouteStore(routes: current.routes, routesInFunction: routesInFunction)
        let previousStore = sameEdge ? previous.map { EdgeRouteStore(routes: $0.routes, routesInFunction: routesInFunction) } : nil
        let routeChanges = store.changes(from: previousStore, alsoPresent: previous?.pendingRouteKeys ?? [])

        // Uploads: new objects, and objects whose bytes or headers changed. Never a timestamp.
        // The 404 page carries the status marker the viewer-response function reads; a deploy
        // over another edge format uploads it again, since the earlier one may lack the marker.
        var uploads: [PublishPlan.Upload] = []
        var changedKeys = Set<String>()
        for object in current.objects {
            let marked = object.key == current.routes.notFound
            if let old = before[object.key], old.sha256 == object.sha256, old.contentType == object.contentType,
                old.cacheControl == object.cacheControl, sameEdge || !marked
            {
                continue
            }
            if before[object.key] != nil { changedKeys.insert(object.key) }
            uploads.append(
                .init(
                    phase: phase(of: object), key: object.key, contentType: object.contentType, cacheControl: object.cacheControl,
                    contentMD5: base64(hex: object.md5), size: object.size,
                    metadata: marked ? [EdgeFunction.statusMetadata.name: EdgeFunction.statusMetadata.value] : [:]))
        }

        // Deletions, keeping the chunks of recent deploys. A deploy that changes nothing is not a new
        // version: the history stays as it was.
        let keep = max(1, settings.retainDeploys)
        let previousAssets = (previous?.objects ?? []).filter { $0.kind == .asset }.map(\.key).sorted()
        let sameContent = previous.map { $0.objects == current.objects } ?? false
        var history = previous == nil ? [] : [previousAssets] + (previous?.history ?? [])
        if sameContent { history = previous?.history ?? [] }
        history = Array(history.prefix(keep - 1))
        let protected = Set(history.flatMap { $0 })
        var inBucket = Set(before.keys)
        for keys in previous?.history ?? [] { inBucket.formUnion(keys) }
        // An interrupted deploy may have left its deletions undone.
        inBucket.formUnion(previous?.pendingDeletes ?? [])
        inBucket.remove(Manifest.key)
        let gone = inBucket.subtracting(now.keys)
        let retained = gone.filter { protected.contains($0) }.sorted()
        let deletes = gone.subtracting(protected).sorted()
        if !allowMassDelete, !deletes.isEmpty {
            let previousKeys = Set(before.keys).subtracting([Manifest.key])
            if !previousKeys.isEmpty, previousKeys.isDisjoint(with: now.keys) {
                throw Refusal(
                    message:
                        "this deploy would replace every object of the previous deploy (\(deletes.count) to delete): the build shares no key with it",
                    hint:
                        "check that you built the right site and that --previous is this site's manifest; pass --allow-mass-delete if it is intended"
                )
            }
            if deletes.count > settings.maxDeletes {
                throw Refusal(
                    message: "this deploy would delete \(deletes.count) objects, more than infra.max_deletes (\(settings.maxDeletes))",
                    hint: "raise infra.max_deletes, or pass --allow-mass-delete for this deploy if the removal is intended")
            }
        }

        // Invalidations: what CloudFront may hold that changed or went; never a fingerprinted asset.
        var stale = Set(changedKeys.filter { now[$0]?.kind != .asset })
        // Keys kept from earlier deploys are fingerprinted assets too.
        let earlierAssets = Set((previous?.history ?? []).flatMap { $0 })
        // Deletions an interrupted deploy left undone are invalidated by its pending invalidations.
        for key in deletes {
            if let old = before[key], old.kind != .asset, !earlierAssets.contains(key) { stale.insert(key) }
        }
        stale.remove(Manifest.key)
        let tables = [current.routes] + (previous.map { [$0.routes] } ?? [])
        let paths = InvalidationPlanner.collapse(
            InvalidationPlanner.paths(for: stale, routes: tables), threshold: settings.invalidationThreshold)
        let contentDigest = Digest.sha256(Data(current.objects.map { "\($0.key) \($0.sha256)" }.joined(separator: "\n").utf8))
        var invalidations = InvalidationPlanner.batches(paths, salt: contentDigest)
        // A deploy that stopped after its manifest but before its invalidation left them pending.
        for batch in previous?.pendingInvalidations ?? [] where !invalidations.contains(batch) {
            invalidations.insert(batch, at: 0)
        }

        var deployed = current
        deployed.history = history
        deployed.edgeFormat = EdgeRouteStore.format
        let interrupted = interruptedManifest(
            deployed: deployed, previous: previous, invalidations: invalidations, deletes: deletes, routeChanges: routeChanges,
            previousStore: previousStore)
        let changed = !uploads.isEmpty || !deletes.isEmpty || !routeChanges.isEmpty
        return PublishPlan(
            uploads: uploads.sorted { ($0.phase, $0.key) < ($1.phase, $1.key) }, deletes: deletes, retained: retained,
            invalidations: invalidations, routeChanges: routeChanges, deployed: deployed, interrupted: interrupted, changed: changed)
    }

    /// The manifest a deploy uploads right after its objects: what a deploy that stops at any
    /// later step leaves in the bucket, so that planning again against it finishes the work. It
    /// lists the new objects (they are in the bucket), but the previous routes until the new ones
    /// are in the store, the invalidations still to send, the objects still to delete, and the
    /// route keys that may be in the store already.
    static func interruptedManifest(
        deployed: Manifest, previous: Manifest?, invalidations: [InvalidationBatch], deletes: [String],
        routeChanges: EdgeRouteStore.Changes, previousStore: EdgeRouteStore?
    ) -> Manifest {
        var interrupted = deployed
        interrupted.pendingInvalidations = invalidations.isEmpty ? nil : invalidations
        interrupted.pendingDeletes = deletes.isEmpty ? nil : deletes
        guard !routeChanges.isEmpty else {
            interrupted.pendingRouteKeys = previous?.pendingRouteKeys
            return interrupted
        }
        if let previous {
            interrupted.routes = previous.routes
            interrupted.edgeFormat = previous.edgeFormat
        } else {
            interrupted.edgeFormat = nil
        }
        var added = Set(previous?.pendingRouteKeys ?? [])
        for entry in routeChanges.puts where previousStore?.value(for: entry.key) == nil { added.insert(entry.key) }
        interrupted.pendingRouteKeys = added.isEmpty ? nil : added.sorted()
        return interrupted
    }

    static func phase(of object: Manifest.Object) -> PublishPlan.Phase {
        switch object.kind {
        case .asset: .asset
        case .page, .shell: .page
        case .other: .other
        }
    }

    /// Hex MD5 -> base64 of its bytes (the Content-MD5 header's form).
    static func base64(hex: String) -> String {
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        let digits = Array(hex.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index + 1 < digits.count, let high = value(digits[index]), let low = value(digits[index + 1]) {
            bytes.append(high << 4 | low)
            index += 2
        }
        return Data(bytes).base64EncodedString()
    }
}
