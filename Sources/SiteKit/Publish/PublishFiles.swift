import Foundation

/// The files of a publish plan, below `publish/` of the plan-infra output (an ignored folder: they
/// depend on what is deployed now), and the shell steps of the deploy script that use them.
public enum PublishFiles {
    /// The folder of the publish files, below the plan-infra output.
    public static let folder = "publish"
    /// One tab-separated line per object to upload (phase, key, local file, Content-Type,
    /// Cache-Control, Content-MD5, metadata), the manifest's line last.
    public static let uploads = "publish/uploads.tsv"
    /// The manifest uploaded right after the objects, which stays in the bucket if the deploy stops
    /// before its end.
    public static let pendingManifest = "publish/manifest-pending.json"
    /// The finished deploy's manifest, uploaded as the deploy's last step.
    public static let finalManifest = "publish/manifest.json"
    /// The plan's counts and lists as JSON: uploads, deletions, retained objects, invalidations and
    /// route keys.
    public static let summaryJSON = "publish/summary.json"
    /// The plan's one-line summary, which the deploy script prints before it publishes.
    public static let summaryText = "publish/summary.txt"
    /// `update-keys --puts` inputs, numbered from 1: `publish/route-puts-1.json`, ...
    public static let routePutsPrefix = "publish/route-puts-"
    /// `update-keys --deletes` inputs, numbered from 1: `publish/route-deletes-1.json`, ...
    public static let routeDeletesPrefix = "publish/route-deletes-"
    /// S3's DeleteObjects takes at most this many keys a call.
    static let deleteBatch = 1_000

    /// The files for `plan`; `dist` is the output folder relative to the plan-infra folder.
    /// `encoded` is a manifest already encoded (the build's): a manifest equal to it is not encoded again.
    public static func files(for plan: PublishPlan, dist: String, encoded: (manifest: Manifest, data: Data)? = nil) throws -> [String: Data]
    {
        var files: [String: Data] = [:]
        let pending = plan.interrupted
        let final = plan.deployed
        // Encoding a manifest of many objects is the slow part of planning: never twice for one value.
        // Deployed manifests differ from the build's in history and pending invalidations: those are
        // compared first, before the objects.
        func same(_ a: Manifest, _ b: Manifest) -> Bool {
            a.history == b.history && a.pendingInvalidations == b.pendingInvalidations && a == b
        }
        let finalData = try encoded.flatMap { same($0.manifest, final) ? $0.data : nil } ?? final.encoded(reusing: encoded)
        let pendingData = same(pending, final) ? finalData : try pending.encoded(reusing: (final, finalData))
        files[pendingManifest] = pendingData
        files[finalManifest] = finalData

        // One tab-separated line an upload, written as bytes: a large site has a hundred thousand.
        var table: [UInt8] = []
        func row(_ fields: String...) {
            for (index, field) in fields.enumerated() {
                if index > 0 { table.append(0x09) }
                table.append(contentsOf: field.utf8)
            }
            table.append(0x0A)
        }
        // The last field is the object's user metadata as `name=value` pairs joined by commas (the
        // form of `aws s3api put-object --metadata`), or empty.
        for upload in plan.uploads {
            let metadata = upload.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            row(
                upload.phase.rawValue, upload.key, dist + "/" + upload.key, upload.contentType, upload.cacheControl, upload.contentMD5,
                metadata)
        }
        row(
            PublishPlan.Phase.manifest.rawValue, Manifest.key, pendingManifest, MediaTypes.contentType(forKey: Manifest.key),
            CachePolicy.manifest, Digest.md5Base64(pendingData), "")
        files[uploads] = Data(table)

        for (index, batch) in plan.invalidations.enumerated() {
            files["\(folder)/invalidation-\(index + 1).json"] = try JSON.encode(batch.json)
        }
        for start in stride(from: 0, to: plan.deletes.count, by: deleteBatch) {
            let keys = plan.deletes[start..<min(start + deleteBatch, plan.deletes.count)]
            let document: JSONValue = ["Objects": .array(keys.map { ["Key": .string($0)] }), "Quiet": true]
            files["\(folder)/deletes-\(start / deleteBatch + 1).json"] = try JSON.encode(document)
        }
        for (index, batch) in plan.routeChanges.putBatches.enumerated() {
            files["\(routePutsPrefix)\(index + 1).json"] = try JSON.encode(batch)
        }
        for (index, batch) in plan.routeChanges.deleteBatches.enumerated() {
            files["\(routeDeletesPrefix)\(index + 1).json"] = try JSON.encode(batch)
        }
        files[summaryJSON] = try JSON.encode(plan.summaryJSON)
        files[summaryText] = Data((plan.summary + "\n").utf8)
        return files
    }

    /// The deploy script's publishing steps, as shell functions the script calls in its order:
    /// `upload_objects` (phase by phase, then the manifest of an interrupted deploy) before any
    /// route, function or distribution changes, `put_route_keys` before the functions, and `finish_publish` (invalidations, route keys
    /// that went, objects that went, the finished deploy's manifest) after them. They read
    /// `$publish_dir`, `$bucket`, `$distribution_id`, `$store_arn` and the helpers of the script.
    public static func functions(parallel: Int = 8) -> String {
        let skipData = DeployScript.skipKeyValueDataVariable
        return """
            tab=$(printf '\\t')

            # put_object PHASE KEY FILE TYPE CACHE MD5 [METADATA]: one upload; S3 checks the body against
            # Content-MD5. METADATA (name=value,...) marks the 404 page for the viewer-response function.
            put_object() {
                put_errors=$(mktemp "$work/put.XXXXXX")
                if s3api put-object --bucket "$bucket" --key "$2" --body "$here/$3" --content-type "$4" \\
                    --cache-control "$5" --content-md5 "$6" ${7:+--metadata "$7"} >/dev/null 2>"$put_errors"; then
                    printf 'upload %s %s\\n' "$1" "$2"
                else
                    cat "$put_errors" >&2
                    printf 'upload %s %s FAILED\\n' "$1" "$2" >&2
                    return 1
                fi
            }

            # upload_objects: the uploads of the plan, phase by phase (assets, other files, pages, then
            # the manifest a rerun plans against if this deploy stops); within one phase, up to
            # \(parallel) at once.
            upload_objects() {
                for phase in asset other page manifest; do
                    running=0
                    rm -f "$work/upload-failed"
                    while IFS="$tab" read -r row_phase row_key row_file row_type row_cache row_md5 row_metadata; do
                        [ "$row_phase" = "$phase" ] || continue
                        ( put_object "$row_phase" "$row_key" "$row_file" "$row_type" "$row_cache" "$row_md5" "$row_metadata" \\
                            || : >"$work/upload-failed" ) &
                        running=$((running + 1))
                        if [ "$running" -ge \(parallel) ]; then
                            wait
                            running=0
                        fi
                    done <"$publish_dir/uploads.tsv"
                    wait
                    [ ! -f "$work/upload-failed" ] || fail "uploads of the $phase phase failed; nothing later was changed, run again"
                done
            }

            # put_route_keys: the new and changed keys of the route store, a batch a call, each call with
            # the ETag the one before returned.
            put_route_keys() {
                if [ "${\(skipData):-}" = 1 ]; then
                    warn "\(skipData)=1: the keys of $key_value_store are NOT put; the edge routes nothing"
                    return 0
                fi
                store_etag=$(kvs describe-key-value-store --kvs-arn "$store_arn" --query ETag --output text)
                for batch in "$here"/\(routePutsPrefix)*.json; do
                    [ -f "$batch" ] || continue
                    store_etag=$(kvs update-keys --kvs-arn "$store_arn" --if-match "$store_etag" \\
                        --puts "file://$batch" --query ETag --output text)
                    step "key value store $key_value_store: put the keys of $(basename "$batch")"
                done
            }

            # delete_route_keys BATCH: deletes the keys of one update-keys --deletes input. A rerun may
            # find some of them gone already, which fails the whole batch: then one key at a time,
            # skipping those that are missing.
            delete_route_keys() {
                if store_etag=$(kvs update-keys --kvs-arn "$store_arn" --if-match "$store_etag" \\
                    --deletes "file://$1" --query ETag --output text 2>"$work/kvs.err"); then
                    return 0
                fi
                case "$(cat "$work/kvs.err")" in
                    *ResourceNotFound*|*ValidationException*) ;;
                    *) cat "$work/kvs.err" >&2; exit 2 ;;
                esac
                store_etag=$(kvs describe-key-value-store --kvs-arn "$store_arn" --query ETag --output text)
                python3 -c 'import json, sys; print("\\n".join(item["Key"] for item in json.load(open(sys.argv[1]))))' "$1" \\
                    >"$work/route-keys.txt"
                while IFS= read -r route_key; do
                    status=0
                    next_etag=$(probe 'ResourceNotFound' kvs delete-key --kvs-arn "$store_arn" --key "$route_key" \\
                        --if-match "$store_etag" --query ETag --output text) || status=$?
                    case "$status" in
                        0) store_etag=$next_etag ;;
                        1) ;;
                        *) exit "$status" ;;
                    esac
                done <"$work/route-keys.txt"
            }

            # finish_publish: what goes once the edge serves the new routes and functions.
            finish_publish() {
                for batch in "$publish_dir"/invalidation-*.json; do
                    [ -f "$batch" ] || continue
                    invalidation_id=$(cloudfront create-invalidation --distribution-id "$distribution_id" \\
                        --invalidation-batch "file://$batch" --query Invalidation.Id --output text)
                    step "invalidation $invalidation_id: $(basename "$batch")"
                done

                # A removed page's route goes before its object.
                if [ "${\(skipData):-}" = 1 ]; then
                    warn "\(skipData)=1: no key of $key_value_store is deleted"
                else
                    store_etag=$(kvs describe-key-value-store --kvs-arn "$store_arn" --query ETag --output text)
                    for batch in "$here"/\(routeDeletesPrefix)*.json; do
                        [ -f "$batch" ] || continue
                        delete_route_keys "$batch"
                        step "key value store $key_value_store: deleted the keys of $(basename "$batch")"
                    done
                fi

                for batch in "$publish_dir"/deletes-*.json; do
                    [ -f "$batch" ] || continue
                    s3api delete-objects --bucket "$bucket" --delete "file://$batch" >/dev/null
                    step "deleted the objects of $(basename "$batch")"
                done

                s3api put-object --bucket "$bucket" --key '\(Manifest.key)' --body "$publish_dir/manifest.json" \\
                    --content-type '\(MediaTypes.contentType(forKey: Manifest.key))' --cache-control '\(CachePolicy.manifest)' >/dev/null
                step "published: the manifest records the deploy as finished"
            }

            """
    }

    /// A script that downloads the deployed manifest to a file, for `plan-infra --previous`;
    /// it writes nothing when the bucket or the manifest does not exist yet (the first deploy).
    public static func previousManifestScript(names: InfraNames) -> String {
        """
        #!/bin/sh
        set -eu
        # Downloads the manifest of the last deploy, for site plan-infra --previous FILE.
        # Written by site plan-infra; on the first deploy there is none and FILE is not written.
        [ $# -eq 1 ] || { echo "usage: $0 FILE" >&2; exit 2; }
        target=$1
        errors=$(mktemp "${TMPDIR:-/tmp}/site-previous.XXXXXX")
        trap 'rm -f -- "$errors"' EXIT
        if aws --region \(DeployScript.singleQuoted(names.region)) s3api get-object --bucket \(DeployScript.singleQuoted(names.bucket)) \\
            --key '\(Manifest.key)' "$target" >/dev/null 2>"$errors"; then
            echo "previous manifest: $target"
            exit 0
        fi
        case "$(cat "$errors")" in
            *NoSuchKey*|*NoSuchBucket*|*"(404)"*|*"Not Found"*)
                rm -f -- "$target"
                echo "no previous deploy: the first deploy uploads everything"
                exit 0 ;;
        esac
        cat "$errors" >&2
        exit 1

        """
    }
}
