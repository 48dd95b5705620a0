# Shared by scripts/check-theme and scripts/screenshots: a scratch folder, a build of the
# example site, the preview server on 127.0.0.1, and a cleanup that always stops what was started.
# Sourced, not run. Expects $root (the repository) to be set.
# shellcheck shell=bash

: "${root:?set root to the repository before sourcing lib.sh}"
theme_dir="$root/scripts/theme"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ left in the work tree
work=""
server_pid=""
helper_pid=""

# Stops one background process group we started: TERM, up to 10 s for it to exit, then KILL.
stop_group() {
    local pid="$1" waited=0
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    stop_group "$helper_pid"
    helper_pid=""
    stop_group "$server_pid"
    server_pid=""
    if [ -n "$work" ]; then
        rm -rf "$work"
    fi
}

setup_scratch() {
    work="$(mktemp -d "${TMPDIR:-/tmp}/site-theme.XXXXXX")"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Builds the example site into $work/dist with `site build --out` (SITE_BIN, or `swift run site`).
build_example() {
    local out="$work/dist"
    echo "Building the example site into a scratch folder"
    if [ -n "${SITE_BIN:-}" ]; then
        (cd "$root" && timeout 600 "$SITE_BIN" build --out "$out" --quiet) || return 1
    else
        (cd "$root" && timeout 1200 swift run --quiet site build --out "$out" --quiet) || return 1
    fi
    dist="$out"
}

# Starts scripts/theme/server.py on a free port of 127.0.0.1; sets $base_url.
start_server() {
    local dist="$1" port_file="$work/port" tries=0
    setsid python3 "$theme_dir/server.py" "$dist" --port-file "$port_file" &
    server_pid=$!
    while [ ! -s "$port_file" ]; do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "error: the preview server did not start" >&2
            return 1
        fi
        if [ "$tries" -ge 150 ]; then
            echo "error: the preview server did not listen within 15 s" >&2
            return 1
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    base_url="http://127.0.0.1:$(cat "$port_file")"
    local status
    status="$(python3 - "$base_url" <<'PY'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open(sys.argv[1] + "/terms", timeout=10) as response:
        print(response.status, response.headers.get("Content-Type"))
except Exception as error:
    print("unreachable:", error)
PY
)"
    echo "Serving $dist at $base_url (/terms: $status)"
}

# Runs a helper in its own process group, bounded by a timeout, and waits for it
# in a way that lets the traps above stop it. Returns its exit status.
run_helper() {
    local seconds="$1" status=0
    shift
    setsid --wait timeout --kill-after=10 "$seconds" "$@" &
    helper_pid=$!
    wait "$helper_pid" || status=$?
    helper_pid=""
    return "$status"
}
