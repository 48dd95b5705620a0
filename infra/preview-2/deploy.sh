#!/bin/sh
set -eu
# Creates or updates the site's AWS resources from the AWS CLI input files next to this
# script. Written by `site plan-infra`: change the site's configuration and plan again
# rather than editing it.
#
# Every step finds its resource by name, creates it when it is missing and updates it
# otherwise, so the script can run again after a failure midway. It uses the credentials,
# region and endpoint of the environment (AWS_ENDPOINT_URL included) and prints no secrets.
#
#   SITE_SKIP_RESPONSE_HEADERS_POLICY=1  skip the response headers policy
#   SITE_SKIP_FUNCTION_PUBLISH=1         create the functions but neither update nor publish them
#   SITE_SKIP_KEY_VALUE_DATA=1           create the key value store but put none of its keys
#
# They are for AWS emulators that lack those operations; never set them for AWS itself.

bucket='clipcast-site-preview-2'
region='us-east-1'
origin_access_control='clipcast-site-preview-2-oac'
function_name='clipcast-site-preview-2-router'
response_function_name='clipcast-site-preview-2-status'
key_value_store='clipcast-site-preview-2-routes'
headers_policy='clipcast-site-preview-2-headers'
distribution_comment='site: clipcast-site-preview-2'
site_host='preview-2.clipcast.example'

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
AWS_PAGER=''
export AWS_PAGER

step() {
    printf '==> %s\n' "$*"
}

warn() {
    printf '!!! WARNING: %s\n' "$*" >&2
}

fail() {
    printf 'deploy.sh: %s\n' "$*" >&2
    exit 1
}

for tool in aws python3 sed mktemp cat; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done
for input in 'bucket/create-bucket.json' 'bucket/public-access-block.json' 'bucket/ownership-controls.json' 'bucket/encryption.json' 'bucket/versioning.json' 'bucket/lifecycle.json' 'bucket/policy.json' 'cloudfront/origin-access-control.json' 'cloudfront/key-value-store.json' 'cloudfront/viewer-request.json' 'cloudfront/viewer-request.js' 'cloudfront/viewer-response.json' 'cloudfront/viewer-response.js' 'cloudfront/response-headers-policy.json' 'cloudfront/distribution-config.json'; do
    [ -f "$here/$input" ] || fail "$here/$input is missing; run site plan-infra again"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/site-deploy.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

s3api() {
    aws --region "$region" s3api "$@"
}

cloudfront() {
    aws --region us-east-1 cloudfront "$@"
}

kvs() {
    aws --region us-east-1 cloudfront-keyvaluestore "$@"
}
tab=$(printf '\t')

# put_object PHASE KEY FILE TYPE CACHE MD5 [METADATA]: one upload; S3 checks the body against
# Content-MD5. METADATA (name=value,...) marks the 404 page for the viewer-response function.
put_object() {
    put_errors=$(mktemp "$work/put.XXXXXX")
    if s3api put-object --bucket "$bucket" --key "$2" --body "$here/$3" --content-type "$4" \
        --cache-control "$5" --content-md5 "$6" ${7:+--metadata "$7"} >/dev/null 2>"$put_errors"; then
        printf 'upload %s %s\n' "$1" "$2"
    else
        cat "$put_errors" >&2
        printf 'upload %s %s FAILED\n' "$1" "$2" >&2
        return 1
    fi
}

# upload_objects: the uploads of the plan, phase by phase (assets, other files, pages, then
# the manifest a rerun plans against if this deploy stops); within one phase, up to
# 8 at once.
upload_objects() {
    for phase in asset other page manifest; do
        running=0
        rm -f "$work/upload-failed"
        while IFS="$tab" read -r row_phase row_key row_file row_type row_cache row_md5 row_metadata; do
            [ "$row_phase" = "$phase" ] || continue
            ( put_object "$row_phase" "$row_key" "$row_file" "$row_type" "$row_cache" "$row_md5" "$row_metadata" \
                || : >"$work/upload-failed" ) &
            running=$((running + 1))
            if [ "$running" -ge 8 ]; then
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
    if [ "${SITE_SKIP_KEY_VALUE_DATA:-}" = 1 ]; then
        warn "SITE_SKIP_KEY_VALUE_DATA=1: the keys of $key_value_store are NOT put; the edge routes nothing"
        return 0
    fi
    store_etag=$(kvs describe-key-value-store --kvs-arn "$store_arn" --query ETag --output text)
    for batch in "$here"/publish/route-puts-*.json; do
        [ -f "$batch" ] || continue
        store_etag=$(kvs update-keys --kvs-arn "$store_arn" --if-match "$store_etag" \
            --puts "file://$batch" --query ETag --output text)
        step "key value store $key_value_store: put the keys of $(basename "$batch")"
    done
}

# delete_route_keys BATCH: deletes the keys of one update-keys --deletes input. A rerun may
# find some of them gone already, which fails the whole batch: then one key at a time,
# skipping those that are missing.
delete_route_keys() {
    if store_etag=$(kvs update-keys --kvs-arn "$store_arn" --if-match "$store_etag" \
        --deletes "file://$1" --query ETag --output text 2>"$work/kvs.err"); then
        return 0
    fi
    case "$(cat "$work/kvs.err")" in
        *ResourceNotFound*|*ValidationException*) ;;
        *) cat "$work/kvs.err" >&2; exit 2 ;;
    esac
    store_etag=$(kvs describe-key-value-store --kvs-arn "$store_arn" --query ETag --output text)
    python3 -c 'import json, sys; print("\n".join(item["Key"] for item in json.load(open(sys.argv[1]))))' "$1" \
        >"$work/route-keys.txt"
    while IFS= read -r route_key; do
        status=0
        next_etag=$(probe 'ResourceNotFound' kvs delete-key --kvs-arn "$store_arn" --key "$route_key" \
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
        invalidation_id=$(cloudfront create-invalidation --distribution-id "$distribution_id" \
            --invalidation-batch "file://$batch" --query Invalidation.Id --output text)
        step "invalidation $invalidation_id: $(basename "$batch")"
    done

    # A removed page's route goes before its object.
    if [ "${SITE_SKIP_KEY_VALUE_DATA:-}" = 1 ]; then
        warn "SITE_SKIP_KEY_VALUE_DATA=1: no key of $key_value_store is deleted"
    else
        store_etag=$(kvs describe-key-value-store --kvs-arn "$store_arn" --query ETag --output text)
        for batch in "$here"/publish/route-deletes-*.json; do
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

    s3api put-object --bucket "$bucket" --key '_site/manifest.json' --body "$publish_dir/manifest.json" \
        --content-type 'application/json; charset=utf-8' --cache-control 'no-cache' >/dev/null
    step "published: the manifest records the deploy as finished"
}

# probe TEXT COMMAND...: runs COMMAND with its output on stdout; status 0 when it succeeds,
# 1 when it fails with TEXT in its error output (the resource is missing); any other
# failure stops the script.
probe() {
    probe_missing=$1
    shift
    if "$@" 2>"$work/probe.err"; then
        return 0
    fi
    case "$(cat "$work/probe.err")" in
        *"$probe_missing"*) return 1 ;;
    esac
    cat "$work/probe.err" >&2
    exit 2
}

# missing VALUE: whether an id looked up with --output text found nothing.
missing() {
    [ -z "$1" ] || [ "$1" = None ]
}

# json_member FILE MEMBER TARGET: writes FILE's top-level MEMBER to TARGET.
json_member() {
    python3 - "$1" "$2" >"$3" <<'PY'
import json, sys
path, member = sys.argv[1], sys.argv[2]
with open(path) as source:
    document = json.load(source)
if not isinstance(document, dict) or member not in document:
    sys.exit("deploy.sh: %s has no %s member" % (path, member))
json.dump(document[member], sys.stdout, indent=2)
PY
}

# drop_headers_policy FILE: removes every ResponseHeadersPolicyId that still holds its
# placeholder from the cache behaviors of the distribution config in FILE.
drop_headers_policy() {
    python3 - "$1" '__RESPONSE_HEADERS_POLICY_ID__' <<'PY'
import json, sys
path, placeholder = sys.argv[1], sys.argv[2]
with open(path) as source:
    config = json.load(source)
behaviors = [config.get("DefaultCacheBehavior") or {}]
behaviors += (config.get("CacheBehaviors") or {}).get("Items") or []
for behavior in behaviors:
    if behavior.get("ResponseHeadersPolicyId") == placeholder:
        del behavior["ResponseHeadersPolicyId"]
with open(path, "w") as target:
    json.dump(config, target, indent=2)
PY
}

# sed_value VALUE: VALUE escaped for the replacement of a sed s|||g command.
sed_value() {
    printf '%s\n' "$1" | sed -e 's/[\\&|]/\\&/g'
}

# unfilled FILE PLACEHOLDER...: fails when FILE still holds one of the placeholders.
unfilled() {
    unfilled_file=$1
    shift
    unfilled_text=$(cat "$unfilled_file")
    for placeholder in "$@"; do
        case "$unfilled_text" in
            *"$placeholder"*) fail "$placeholder is still unfilled in the request built from $unfilled_file" ;;
        esac
    done
}

step "bucket $bucket"
status=0
probe '(404)' s3api head-bucket --bucket "$bucket" >/dev/null || status=$?
if [ "$status" -eq 1 ]; then
    step "bucket $bucket: create"
    s3api create-bucket --cli-input-json "file://$here/bucket/create-bucket.json" >/dev/null
else
    step "bucket $bucket: exists"
fi
step "bucket $bucket: public access block"
s3api put-public-access-block --cli-input-json "file://$here/bucket/public-access-block.json"
step "bucket $bucket: ownership controls"
s3api put-bucket-ownership-controls --cli-input-json "file://$here/bucket/ownership-controls.json"
step "bucket $bucket: default encryption"
s3api put-bucket-encryption --cli-input-json "file://$here/bucket/encryption.json"
step "bucket $bucket: versioning"
s3api put-bucket-versioning --cli-input-json "file://$here/bucket/versioning.json"
step "bucket $bucket: lifecycle (noncurrent versions expire)"
s3api put-bucket-lifecycle-configuration --cli-input-json "file://$here/bucket/lifecycle.json"

publish_dir="$here/publish"
if [ -f "$publish_dir/uploads.tsv" ]; then
    publishing=1
    step "publish: $(cat "$publish_dir/summary.txt")"
    # Every object first: no route, function or distribution may point at one that is not there.
    upload_objects
else
    publishing=0
    step "no publish plan in $publish_dir: infrastructure only"
fi

# The routes come before the functions that read them: the store and its keys, once every
# object they name is in the bucket.
step "key value store $key_value_store"
status=0
store_arn=$(probe 'EntityNotFound' cloudfront describe-key-value-store --name "$key_value_store" \
    --query KeyValueStore.ARN --output text) || status=$?
if [ "$status" -eq 1 ]; then
    store_arn=$(cloudfront create-key-value-store --cli-input-json "file://$here/cloudfront/key-value-store.json" \
        --query KeyValueStore.ARN --output text)
    step "key value store $key_value_store: created"
elif [ "$status" -ne 0 ]; then
    exit "$status"
fi
# A new store takes a moment to become READY: up to a minute.
store_status() {
    cloudfront describe-key-value-store --name "$key_value_store" --query KeyValueStore.Status --output text
}
attempt=0
status_now=$(store_status)
while [ "$status_now" != READY ]; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 30 ] || fail "the key value store $key_value_store is $status_now, not READY"
    sleep 2
    status_now=$(store_status)
done
if [ "$publishing" = 1 ]; then
    put_route_keys
else
    step "key value store $key_value_store: no publish plan, no keys to put"
fi

# deploy_function NAME CONFIG CODE: creates or updates the function NAME from the
# create-function input CONFIG (placeholders already filled) and the code file CODE,
# publishes it, and sets function_arn.
deploy_function() {
    deploy_name=$1
    deploy_config=$2
    deploy_code=$3
    step "function $deploy_name"
    status=0
    deploy_etag=$(probe '(NoSuchFunctionExists)' cloudfront describe-function --name "$deploy_name" \
        --query ETag --output text) || status=$?
    if [ "$status" -eq 1 ]; then
        deploy_etag=$(cloudfront create-function --cli-input-json "file://$deploy_config" \
            --function-code "fileb://$deploy_code" --query ETag --output text)
        step "function $deploy_name: created"
    elif [ "$status" -ne 0 ]; then
        exit "$status"
    elif [ "${SITE_SKIP_FUNCTION_PUBLISH:-}" = 1 ]; then
        warn "SITE_SKIP_FUNCTION_PUBLISH=1: the function $deploy_name is NOT updated"
    else
        json_member "$deploy_config" FunctionConfig "$work/function-config.json"
        deploy_etag=$(cloudfront update-function --name "$deploy_name" --if-match "$deploy_etag" \
            --function-config "file://$work/function-config.json" \
            --function-code "fileb://$deploy_code" --query ETag --output text)
        step "function $deploy_name: updated"
    fi
    if [ "${SITE_SKIP_FUNCTION_PUBLISH:-}" = 1 ]; then
        warn "SITE_SKIP_FUNCTION_PUBLISH=1: the function $deploy_name is NOT published; the distribution gets its unpublished ARN"
        function_arn=$(cloudfront describe-function --name "$deploy_name" \
            --query FunctionSummary.FunctionMetadata.FunctionARN --output text)
    else
        step "function $deploy_name: publish"
        function_arn=$(cloudfront publish-function --name "$deploy_name" --if-match "$deploy_etag" \
            --query FunctionSummary.FunctionMetadata.FunctionARN --output text)
    fi
    if missing "$function_arn"; then
        fail "no ARN for the function $deploy_name"
    fi
}

sed -e "s|__KEY_VALUE_STORE_ARN__|$(sed_value "$store_arn")|g" "$here/cloudfront/viewer-request.json" >"$work/viewer-request.json"
unfilled "$work/viewer-request.json" '__KEY_VALUE_STORE_ARN__'
deploy_function "$function_name" "$work/viewer-request.json" "$here/cloudfront/viewer-request.js"
request_function_arn=$function_arn
deploy_function "$response_function_name" "$here/cloudfront/viewer-response.json" "$here/cloudfront/viewer-response.js"
response_function_arn=$function_arn

step "origin access control $origin_access_control"
oac_id=$(cloudfront list-origin-access-controls --query "OriginAccessControlList.Items[?Name=='clipcast-site-preview-2-oac'].Id | [0]" --output text)
if missing "$oac_id"; then
    oac_id=$(cloudfront create-origin-access-control --cli-input-json "file://$here/cloudfront/origin-access-control.json" \
        --query OriginAccessControl.Id --output text)
    step "origin access control $origin_access_control: created $oac_id"
else
    oac_etag=$(cloudfront get-origin-access-control --id "$oac_id" --query ETag --output text)
    json_member "$here/cloudfront/origin-access-control.json" OriginAccessControlConfig "$work/oac-config.json"
    cloudfront update-origin-access-control --id "$oac_id" --if-match "$oac_etag" \
        --origin-access-control-config "file://$work/oac-config.json" >/dev/null
    step "origin access control $origin_access_control: updated $oac_id"
fi


if [ "${SITE_SKIP_RESPONSE_HEADERS_POLICY:-}" = 1 ]; then
    warn "SITE_SKIP_RESPONSE_HEADERS_POLICY=1: the response headers policy $headers_policy is NOT deployed; the distribution goes out WITHOUT its security headers"
    headers_policy_id=''
else
    step "response headers policy $headers_policy"
    headers_policy_id=$(cloudfront list-response-headers-policies --type custom \
        --query "ResponseHeadersPolicyList.Items[?ResponseHeadersPolicy.ResponseHeadersPolicyConfig.Name=='clipcast-site-preview-2-headers'].ResponseHeadersPolicy.Id | [0]" --output text)
    if missing "$headers_policy_id"; then
        headers_policy_id=$(cloudfront create-response-headers-policy \
            --cli-input-json "file://$here/cloudfront/response-headers-policy.json" \
            --query ResponseHeadersPolicy.Id --output text)
        step "response headers policy $headers_policy: created $headers_policy_id"
    else
        headers_policy_etag=$(cloudfront get-response-headers-policy-config --id "$headers_policy_id" \
            --query ETag --output text)
        json_member "$here/cloudfront/response-headers-policy.json" ResponseHeadersPolicyConfig "$work/headers-policy-config.json"
        cloudfront update-response-headers-policy --id "$headers_policy_id" --if-match "$headers_policy_etag" \
            --response-headers-policy-config "file://$work/headers-policy-config.json" >/dev/null
        step "response headers policy $headers_policy: updated $headers_policy_id"
    fi
fi

step "distribution '$distribution_comment'"
distribution_config="$work/distribution-config.json"
sed -e "s|__ORIGIN_ACCESS_CONTROL_ID__|$(sed_value "$oac_id")|g" \
    -e "s|__FUNCTION_ARN__|$(sed_value "$request_function_arn")|g" \
    -e "s|__RESPONSE_FUNCTION_ARN__|$(sed_value "$response_function_arn")|g" \
    "$here/cloudfront/distribution-config.json" >"$distribution_config"
if [ "${SITE_SKIP_RESPONSE_HEADERS_POLICY:-}" = 1 ]; then
    drop_headers_policy "$distribution_config"
else
    sed -e "s|__RESPONSE_HEADERS_POLICY_ID__|$(sed_value "$headers_policy_id")|g" \
        "$distribution_config" >"$work/distribution-config.filled.json"
    cat "$work/distribution-config.filled.json" >"$distribution_config"
fi
unfilled "$distribution_config" '__ORIGIN_ACCESS_CONTROL_ID__' '__FUNCTION_ARN__' '__RESPONSE_FUNCTION_ARN__' '__RESPONSE_HEADERS_POLICY_ID__'
distribution_id=$(cloudfront list-distributions --query "DistributionList.Items[?Comment=='site: clipcast-site-preview-2'].Id | [0]" --output text)
if missing "$distribution_id"; then
    distribution_id=$(cloudfront create-distribution --distribution-config "file://$distribution_config" \
        --query Distribution.Id --output text)
    step "distribution '$distribution_comment': created $distribution_id"
else
    distribution_etag=$(cloudfront get-distribution-config --id "$distribution_id" --query ETag --output text)
    cloudfront update-distribution --id "$distribution_id" --if-match "$distribution_etag" \
        --distribution-config "file://$distribution_config" >/dev/null
    step "distribution '$distribution_comment': updated $distribution_id"
fi
distribution_arn=$(cloudfront get-distribution --id "$distribution_id" --query Distribution.ARN --output text)
distribution_domain=$(cloudfront get-distribution --id "$distribution_id" --query Distribution.DomainName --output text)

step "bucket $bucket: policy for $distribution_arn"
sed -e "s|__DISTRIBUTION_ARN__|$(sed_value "$distribution_arn")|g" \
    "$here/bucket/policy.json" >"$work/policy.json"
unfilled "$work/policy.json" '__DISTRIBUTION_ARN__'
s3api put-bucket-policy --cli-input-json "file://$work/policy.json"

mkdir -p "$here/out"
printf 'DISTRIBUTION_ID=%s\nDISTRIBUTION_DOMAIN=%s\n' "$distribution_id" "$distribution_domain" \
    >"$here/out/deployed.env"
step "deployed; written to out/deployed.env"
cat "$here/out/deployed.env"

# The host the OAuth providers know is the host that must answer.
case "$site_host" in
    pending.invalid)
        fail "this is the first deploy: the distribution answers at $distribution_domain, and the pages, OAuth and CORS values are planned on pending.invalid until site.yml names it. Set in site.yml: environments.preview.site.base_url: https://$distribution_domain, environments.preview.oauth.tiktok.redirect_uri: https://$distribution_domain/auth/tiktok/callback, environments.preview.oauth.tiktok.terms_url: https://$distribution_domain/terms, environments.preview.oauth.tiktok.privacy_url: https://$distribution_domain/privacy. Then run site build --env preview-2 and site plan-infra --env preview-2 again and run this deploy again, and register the Terms, Privacy and redirect URIs on https://$distribution_domain with tiktok (backend/oauth-registration.txt lists them after the next plan-infra)." ;;
    *.cloudfront.net)
        if [ "$site_host" != "$distribution_domain" ]; then
            fail "site.base_url names $site_host, but this distribution answers at $distribution_domain. Set site.base_url: https://$distribution_domain in site.yml, with the OAuth redirect URIs and legal URLs there that name the old host (or serve a domain of your own with infra.aliases and infra.certificate_arn), run site build and site plan-infra again, run this script again, and register the new Terms, Privacy and redirect URIs with every OAuth provider (backend/oauth-registration.txt). Set in site.yml: environments.preview.site.base_url: https://$distribution_domain, environments.preview.oauth.tiktok.redirect_uri: https://$distribution_domain/auth/tiktok/callback, environments.preview.oauth.tiktok.terms_url: https://$distribution_domain/terms, environments.preview.oauth.tiktok.privacy_url: https://$distribution_domain/privacy. Then run site build --env preview-2 and site plan-infra --env preview-2 again and run this deploy again, and register the Terms, Privacy and redirect URIs on https://$distribution_domain with tiktok (backend/oauth-registration.txt lists them after the next plan-infra)."
        fi ;;
esac

if [ "$publishing" = 1 ]; then
    # Then what may only go once the edge serves the new site: invalidations, the routes
    # and objects that went away, and the manifest that records the deploy as finished.
    finish_publish
fi
