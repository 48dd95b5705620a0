#!/bin/sh
set -eu
# Downloads the manifest of the last deploy, for site plan-infra --previous FILE.
# Written by site plan-infra; on the first deploy there is none and FILE is not written.
[ $# -eq 1 ] || { echo "usage: $0 FILE" >&2; exit 2; }
target=$1
errors=$(mktemp "${TMPDIR:-/tmp}/site-previous.XXXXXX")
trap 'rm -f -- "$errors"' EXIT
if aws --region 'us-east-1' s3api get-object --bucket 'clipcast-site-staging' \
    --key '_site/manifest.json' "$target" >/dev/null 2>"$errors"; then
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
