# Sourced by the moto tests: starts moto_server on a free port of 127.0.0.1 and points the aws CLI
# at it with dummy credentials; the server stops when the sourcing script exits.
#   . scripts/moto-server.sh WORK_DIR
# Every aws call is appended to WORK_DIR/aws-calls.log.
# Sets moto_pid and AWS_ENDPOINT_URL. Needs moto_server (pip install 'moto[server]==5.2.5') and python3.
#
# moto has the KeyValueStore's control plane (create, describe, list) but not its data API: the aws
# wrapper below hands every `cloudfront-keyvaluestore` call to scripts/kvs-stand-in.py, which keeps
# the stores in WORK_DIR (the calls it answers are listed at its top).

moto_work=$1
moto_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
moto_server -H 127.0.0.1 -p "$moto_port" >"$moto_work/moto.log" 2>&1 &
moto_pid=$!
stop_moto() {
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
}
for moto_attempt in $(seq 1 100); do
    if ! kill -0 "$moto_pid" 2>/dev/null; then
        echo "moto_server exited:" >&2
        cat "$moto_work/moto.log" >&2
        exit 2
    fi
    if python3 -c 'import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
except urllib.error.HTTPError:
    pass' "http://127.0.0.1:$moto_port" 2>/dev/null; then
        break
    fi
    if [ "$moto_attempt" -eq 100 ]; then
        echo "moto_server did not answer on port $moto_port" >&2
        exit 2
    fi
    sleep 0.2
done
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_REGION AWS_CA_BUNDLE
export AWS_CONFIG_FILE="$moto_work/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$moto_work/aws-credentials"
export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port"
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER=''
echo "moto_server $moto_pid answers on $AWS_ENDPOINT_URL"

# moto 5.2.5 evaluates a Deny statement whose condition does not hold as a denial (it should not
# apply), so the bucket policy's "deny without TLS" statement would refuse every request moto sees.
# An aws wrapper first on PATH removes that one statement from put-bucket-policy requests; the
# real CLI does everything else.
moto_real_aws=$(command -v aws)
moto_scripts=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
mkdir -p "$moto_work/bin"
cat >"$moto_work/bin/aws" <<SHIM
#!/bin/sh
printf '%s\\n' "\$*" >>"$moto_work/aws-calls.log"
case "\$*" in
*put-bucket-policy*--cli-input-json\ file://*)
    for argument in "\$@"; do
        case "\$argument" in file://*) policy_file=\${argument#file://} ;; esac
    done
    python3 - "\$policy_file" "$moto_work/moto-policy.json" <<'PY'
import json, sys
request = json.load(open(sys.argv[1]))
policy = json.loads(request["Policy"])
policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != "DenyWithoutTLS"]
request["Policy"] = json.dumps(policy)
json.dump(request, open(sys.argv[2], "w"))
PY
    exec "$moto_real_aws" s3api put-bucket-policy --cli-input-json "file://$moto_work/moto-policy.json" ;;
*cloudfront-keyvaluestore*)
    exec python3 "$moto_scripts/kvs-stand-in.py" "$moto_work" "\$@" ;;
esac
exec "$moto_real_aws" "\$@"
SHIM
chmod +x "$moto_work/bin/aws"
export PATH="$moto_work/bin:$PATH"
