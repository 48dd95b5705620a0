import Foundation

/// The `deploy.sh` that `plan-infra` writes next to the AWS CLI input files it plans.
///
/// The script is POSIX `sh` and drives the `aws` CLI (with `sed`, `mktemp`, `cat`, and `python3` for
/// the few JSON edits). It finds every resource by the names in ``InfraNames``, creates what is
/// missing and updates what exists, so it can run again after a failure midway and converges to one
/// bucket, one origin access control, one function, one response headers policy and one
/// distribution. It reads the planned JSON next to itself wherever it is started from, sends only
/// JSON that comes from those files (with the placeholders of ``InfraLayout`` filled), never sets the
/// endpoint itself (the CLI honours `AWS_ENDPOINT_URL`), prints a `==> ` line per step and no
/// secrets, and ends by writing `DISTRIBUTION_ID` and `DISTRIBUTION_DOMAIN` to `out/deployed.env`.
public enum DeployScript {
    /// Set to `1` to skip the response headers policy, for AWS emulators that lack its operations.
    /// The distribution then goes out without the policy; the script warns loudly.
    public static let skipResponseHeadersPolicyVariable = "SITE_SKIP_RESPONSE_HEADERS_POLICY"

    /// Set to `1` to create the function without updating or publishing it, for AWS emulators that
    /// lack `update-function` and `publish-function`. The script warns loudly.
    public static let skipFunctionPublishVariable = "SITE_SKIP_FUNCTION_PUBLISH"

    /// Set to `1` to create the key value store without putting its keys, for AWS emulators that
    /// lack the store's data API (`cloudfront-keyvaluestore`). The script warns loudly.
    public static let skipKeyValueDataVariable = "SITE_SKIP_KEY_VALUE_DATA"

    /// Where the script writes `DISTRIBUTION_ID=` and `DISTRIBUTION_DOMAIN=`, relative to its folder.
    public static let deployedEnv = "out/deployed.env"

    /// The script's text for `names`, reading the files at the paths of `layout`. The same input
    /// always gives the same text.
    ///
    /// `siteHost` is the host of `site.base_url`: after the distribution exists, the script stops
    /// when it is another `*.cloudfront.net` name than the one CloudFront gave the distribution,
    /// or the pending host of an environment before its first deploy, saying what to do:
    /// `firstDeploy` is that text for a given domain (``FirstDeploy/instructions(config:domain:)``).
    public static func render(
        names: InfraNames, siteHost: String, firstDeploy: (String) -> String = { _ in "" },
        layout: InfraLayout.Type = InfraLayout.self
    ) -> String {
        let marker = "@DISTRIBUTION_DOMAIN@"
        let instructions = escapedForDoubleQuotes(firstDeploy(marker)).replacingOccurrences(of: marker, with: "$distribution_domain")
        let pendingHost = SiteIdentity.pendingHost
        let path = { (relative: String) in "\"$here/\(escapedForDoubleQuotes(relative))\"" }
        let file = { (relative: String) in "\"file://$here/\(escapedForDoubleQuotes(relative))\"" }
        let inputFiles = [
            layout.createBucket, layout.publicAccessBlock, layout.ownershipControls, layout.encryption,
            layout.versioning, layout.lifecycle, layout.bucketPolicy, layout.originAccessControl, layout.keyValueStore,
            layout.function, layout.functionCode, layout.responseFunction, layout.responseFunctionCode,
            layout.responseHeadersPolicy, layout.distributionConfig,
        ]
        let originAccessControlQuery = query(
            "OriginAccessControlList.Items[?Name==\(jmesPathLiteral(names.originAccessControl))].Id | [0]")
        let headersPolicyQuery = query(
            "ResponseHeadersPolicyList.Items[?ResponseHeadersPolicy.ResponseHeadersPolicyConfig.Name=="
                + "\(jmesPathLiteral(names.responseHeadersPolicy))].ResponseHeadersPolicy.Id | [0]")
        let distributionQuery = query(
            "DistributionList.Items[?Comment==\(jmesPathLiteral(names.distributionComment))].Id | [0]")
        let oacPlaceholder = layout.originAccessControlPlaceholder
        let functionPlaceholder = layout.functionARNPlaceholder
        let headersPlaceholder = layout.responseHeadersPolicyPlaceholder
        let arnPlaceholder = layout.distributionARNPlaceholder
        let skipHeaders = skipResponseHeadersPolicyVariable
        let skipPublish = skipFunctionPublishVariable
        let skipData = skipKeyValueDataVariable
        let storePlaceholder = layout.keyValueStoreARNPlaceholder
        let responsePlaceholder = layout.responseFunctionARNPlaceholder

        return #"""
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
            #   \#(skipHeaders)=1  skip the response headers policy
            #   \#(skipPublish)=1         create the functions but neither update nor publish them
            #   \#(skipData)=1           create the key value store but put none of its keys
            #
            # They are for AWS emulators that lack those operations; never set them for AWS itself.

            bucket=\#(singleQuoted(names.bucket))
            region=\#(singleQuoted(names.region))
            origin_access_control=\#(singleQuoted(names.originAccessControl))
            function_name=\#(singleQuoted(names.function))
            response_function_name=\#(singleQuoted(names.responseFunction))
            key_value_store=\#(singleQuoted(names.keyValueStore))
            headers_policy=\#(singleQuoted(names.responseHeadersPolicy))
            distribution_comment=\#(singleQuoted(names.distributionComment))
            site_host=\#(singleQuoted(siteHost))

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
            for input in \#(inputFiles.map(singleQuoted).joined(separator: " ")); do
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
            \#(PublishFiles.functions())
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
                python3 - "$1" \#(singleQuoted(headersPlaceholder)) <<'PY'
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
                s3api create-bucket --cli-input-json \#(file(layout.createBucket)) >/dev/null
            else
                step "bucket $bucket: exists"
            fi
            step "bucket $bucket: public access block"
            s3api put-public-access-block --cli-input-json \#(file(layout.publicAccessBlock))
            step "bucket $bucket: ownership controls"
            s3api put-bucket-ownership-controls --cli-input-json \#(file(layout.ownershipControls))
            step "bucket $bucket: default encryption"
            s3api put-bucket-encryption --cli-input-json \#(file(layout.encryption))
            step "bucket $bucket: versioning"
            s3api put-bucket-versioning --cli-input-json \#(file(layout.versioning))
            step "bucket $bucket: lifecycle (noncurrent versions expire)"
            s3api put-bucket-lifecycle-configuration --cli-input-json \#(file(layout.lifecycle))

            publish_dir="$here/\#(escapedForDoubleQuotes(PublishFiles.folder))"
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
                store_arn=$(cloudfront create-key-value-store --cli-input-json \#(file(layout.keyValueStore)) \
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
                elif [ "${\#(skipPublish):-}" = 1 ]; then
                    warn "\#(skipPublish)=1: the function $deploy_name is NOT updated"
                else
                    json_member "$deploy_config" FunctionConfig "$work/function-config.json"
                    deploy_etag=$(cloudfront update-function --name "$deploy_name" --if-match "$deploy_etag" \
                        --function-config "file://$work/function-config.json" \
                        --function-code "fileb://$deploy_code" --query ETag --output text)
                    step "function $deploy_name: updated"
                fi
                if [ "${\#(skipPublish):-}" = 1 ]; then
                    warn "\#(skipPublish)=1: the function $deploy_name is NOT published; the distribution gets its unpublished ARN"
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

            sed -e "s|\#(storePlaceholder)|$(sed_value "$store_arn")|g" \#(path(layout.function)) >"$work/viewer-request.json"
            unfilled "$work/viewer-request.json" \#(singleQuoted(storePlaceholder))
            deploy_function "$function_name" "$work/viewer-request.json" \#(path(layout.functionCode))
            request_function_arn=$function_arn
            deploy_function "$response_function_name" \#(path(layout.responseFunction)) \#(path(layout.responseFunctionCode))
            response_function_arn=$function_arn

            step "origin access control $origin_access_control"
            oac_id=$(cloudfront list-origin-access-controls --query \#(originAccessControlQuery) --output text)
            if missing "$oac_id"; then
                oac_id=$(cloudfront create-origin-access-control --cli-input-json \#(file(layout.originAccessControl)) \
                    --query OriginAccessControl.Id --output text)
                step "origin access control $origin_access_control: created $oac_id"
            else
                oac_etag=$(cloudfront get-origin-access-control --id "$oac_id" --query ETag --output text)
                json_member \#(path(layout.originAccessControl)) OriginAccessControlConfig "$work/oac-config.json"
                cloudfront update-origin-access-control --id "$oac_id" --if-match "$oac_etag" \
                    --origin-access-control-config "file://$work/oac-config.json" >/dev/null
                step "origin access control $origin_access_control: updated $oac_id"
            fi


            if [ "${\#(skipHeaders):-}" = 1 ]; then
                warn "\#(skipHeaders)=1: the response headers policy $headers_policy is NOT deployed; the distribution goes out WITHOUT its security headers"
                headers_policy_id=''
            else
                step "response headers policy $headers_policy"
                headers_policy_id=$(cloudfront list-response-headers-policies --type custom \
                    --query \#(headersPolicyQuery) --output text)
                if missing "$headers_policy_id"; then
                    headers_policy_id=$(cloudfront create-response-headers-policy \
                        --cli-input-json \#(file(layout.responseHeadersPolicy)) \
                        --query ResponseHeadersPolicy.Id --output text)
                    step "response headers policy $headers_policy: created $headers_policy_id"
                else
                    headers_policy_etag=$(cloudfront get-response-headers-policy-config --id "$headers_policy_id" \
                        --query ETag --output text)
                    json_member \#(path(layout.responseHeadersPolicy)) ResponseHeadersPolicyConfig "$work/headers-policy-config.json"
                    cloudfront update-response-headers-policy --id "$headers_policy_id" --if-match "$headers_policy_etag" \
                        --response-headers-policy-config "file://$work/headers-policy-config.json" >/dev/null
                    step "response headers policy $headers_policy: updated $headers_policy_id"
                fi
            fi

            step "distribution '$distribution_comment'"
            distribution_config="$work/distribution-config.json"
            sed -e "s|\#(oacPlaceholder)|$(sed_value "$oac_id")|g" \
                -e "s|\#(functionPlaceholder)|$(sed_value "$request_function_arn")|g" \
                -e "s|\#(responsePlaceholder)|$(sed_value "$response_function_arn")|g" \
                \#(path(layout.distributionConfig)) >"$distribution_config"
            if [ "${\#(skipHeaders):-}" = 1 ]; then
                drop_headers_policy "$distribution_config"
            else
                sed -e "s|\#(headersPlaceholder)|$(sed_value "$headers_policy_id")|g" \
                    "$distribution_config" >"$work/distribution-config.filled.json"
                cat "$work/distribution-config.filled.json" >"$distribution_config"
            fi
            unfilled "$distribution_config" \#(singleQuoted(oacPlaceholder)) \#(singleQuoted(functionPlaceholder)) \#(singleQuoted(responsePlaceholder)) \#(singleQuoted(headersPlaceholder))
            distribution_id=$(cloudfront list-distributions --query \#(distributionQuery) --output text)
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
            sed -e "s|\#(arnPlaceholder)|$(sed_value "$distribution_arn")|g" \
                \#(path(layout.bucketPolicy)) >"$work/policy.json"
            unfilled "$work/policy.json" \#(singleQuoted(arnPlaceholder))
            s3api put-bucket-policy --cli-input-json "file://$work/policy.json"

            mkdir -p "$here/\#(escapedForDoubleQuotes(parent(of: deployedEnv)))"
            printf 'DISTRIBUTION_ID=%s\nDISTRIBUTION_DOMAIN=%s\n' "$distribution_id" "$distribution_domain" \
                >\#(path(deployedEnv))
            step "deployed; written to \#(escapedForDoubleQuotes(deployedEnv))"
            cat \#(path(deployedEnv))

            # The host the OAuth providers know is the host that must answer.
            case "$site_host" in
                \#(pendingHost))
                    fail "this is the first deploy: the distribution answers at $distribution_domain, and the pages, OAuth and CORS values are planned on \#(pendingHost) until site.yml names it. \#(instructions)" ;;
                *.cloudfront.net)
                    if [ "$site_host" != "$distribution_domain" ]; then
                        fail "site.base_url names $site_host, but this distribution answers at $distribution_domain. Set site.base_url: https://$distribution_domain in site.yml, with the OAuth redirect URIs and legal URLs there that name the old host (or serve a domain of your own with infra.aliases and infra.certificate_arn), run site build and site plan-infra again, run this script again, and register the new Terms, Privacy and redirect URIs with every OAuth provider (backend/oauth-registration.txt). \#(instructions)"
                    fi ;;
            esac

            if [ "$publishing" = 1 ]; then
                # Then what may only go once the edge serves the new site: invalidations, the routes
                # and objects that went away, and the manifest that records the deploy as finished.
                finish_publish
            fi

            """#
    }

    /// `value` as one single-quoted shell word.
    static func singleQuoted(_ value: String) -> String {
        "'" + value.replacing("'", with: #"'\''"#) + "'"
    }

    /// `value` escaped to sit between double quotes in a shell script.
    static func escapedForDoubleQuotes(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\\" || character == "\"" || character == "$" || character == "`" {
                result.append("\\")
            }
            result.append(character)
        }
        return result
    }

    /// A `--query` argument: the JMESPath expression as one double-quoted shell word.
    static func query(_ expression: String) -> String {
        "\"" + escapedForDoubleQuotes(expression) + "\""
    }

    /// `value` as a JMESPath raw string literal.
    static func jmesPathLiteral(_ value: String) -> String {
        "'" + value.replacing("'", with: #"\'"#) + "'"
    }

    /// The folder part of a relative path.
    static func parent(of relative: String) -> String {
        guard let slash = relative.lastIndex(of: "/") else { return "." }
        return String(relative[..<slash])
    }
}
