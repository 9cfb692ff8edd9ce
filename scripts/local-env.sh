# shellcheck shell=bash
# Sourced by the scripts behind make dev, test, build, bench and bench-scale: shared helpers
# and the environment the AWS SDK (and so the admin CLI and the functions) reads. Not meant
# to be run directly.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
DDB="$ROOT/scripts/dynamodb-local.sh"

log() { echo "[$(basename "$0")] $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# export_aws_env DYNAMODB_PORT: point the SDK at the local engine. Variables the SDK already
# understands; values already set by the caller win, except the endpoint.
export_aws_env() {
    export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$1"
    export AWS_REGION="${AWS_REGION:-us-east-1}"
    export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
    export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
    export AWS_EC2_METADATA_DISABLED=true
    export ITEMS_TABLE="${ITEMS_TABLE:-IncomingCallLogItems}"
    export API_KEYS_TABLE="${API_KEYS_TABLE:-IncomingCallLogItemApiKeys}"
    # Signs list cursors; the functions refuse to start without one. For local runs only: in
    # AWS the functions read a generated one from Secrets Manager at cold start.
    export CURSOR_SECRET="${CURSOR_SECRET:-local-only-cursor-secret-never-in-aws}"
}

# dev_api_key: prints the dev API key of `make dev`'s fixed dev project (.local/dev-project-id),
# reusing the one in .local/dev-api-key while it is valid and minting one otherwise. Needs the
# SDK environment (export_aws_env) and the tables.
dev_api_key() {
    local key_file="$ROOT/.local/dev-api-key" project_file="$ROOT/.local/dev-project-id" key
    mkdir -p "$ROOT/.local"
    if [[ ! -s "$project_file" ]]; then
        python3 -c 'import uuid; print(uuid.uuid4())' >"$project_file"
    fi
    if [[ -s "$key_file" ]] && cargo run -q -p call-log-admin -- verify-key "$(cat "$key_file")" 2>/dev/null; then
        cat "$key_file"
        return
    fi
    key="$(cargo run -q -p call-log-admin -- create-key --project "$(cat "$project_file")" \
        --permission ProjectAdmin --name dev)"
    [[ -n "$key" ]] || die "create-key printed no key"
    (umask 077 && printf '%s\n' "$key" >"$key_file")
    printf '%s\n' "$key"
}

# await_job PID LOG WHAT: wait for a background install, show its output, fail if it failed.
await_job() {
    if ! wait "$1"; then
        cat "$2" >&2
        die "$3 failed"
    fi
    cat "$2" >&2
}

# Put the venv (cargo-lambda, cfn-lint) first on PATH, so `cargo lambda` finds it.
use_venv() {
    export PATH="$ROOT/.venv/bin:$PATH"
}

# function_bins: the Lambda binaries (one package per folder under functions/, bin = package name).
function_bins() {
    local toml
    for toml in "$ROOT"/functions/*/Cargo.toml; do
        sed -n 's/^name *= *"\(.*\)".*/\1/p' "$toml" | head -n1
    done
}

# prebuild_functions [CARGO_ARGS...]: build each function binary the way `cargo lambda watch`
# runs it (`cargo run --bin NAME`), so the first request to each function does not wait for
# a compile and the watcher's `cargo run` finds everything fresh.
prebuild_functions() {
    local bin
    for bin in $(function_bins); do
        log "cargo build --bin $bin $*"
        cargo build --bin "$bin" "$@"
    done
}

# wait_http URL PID TIMEOUT_S: wait until URL answers any HTTP status while PID lives.
wait_http() {
    local url="$1" pid="$2" deadline=$((SECONDS + $3)) code
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || return 1
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null)" || true
        [[ -n "$code" && "$code" != "000" ]] && return 0
        sleep 0.5
    done
    return 1
}

# stop_tree PID: stop a process we started and the direct children it spawned (cargo lambda
# watch runs each function as its own child process, in its own process group). SIGTERM
# first (cargo-lambda then shuts its functions down), SIGKILL after 10 s.
stop_tree() {
    local pid="$1" kids p
    kill -0 "$pid" 2>/dev/null || return 0
    kids="$(pgrep -P "$pid" || true)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    for p in $kids; do
        if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
    done
    wait "$pid" 2>/dev/null || true
}

# throwaway_dynamodb TABLE_PREFIX: a fresh in-memory local engine (Dynoxide) on a free port, stopped
# when the calling script exits; exports the SDK environment and `PREFIX-` table names.
throwaway_dynamodb() {
    "$DDB" install
    THROWAWAY_DDB_PORT="$("$DDB" free-port)"
    # shellcheck disable=SC2064 # expand the port now, not at exit
    trap "\"$DDB\" stop \"$THROWAWAY_DDB_PORT\" >/dev/null 2>&1 || true" EXIT
    "$DDB" start "$THROWAWAY_DDB_PORT" -inMemory >/dev/null
    export ITEMS_TABLE="$1-IncomingCallLogItems"
    export API_KEYS_TABLE="$1-IncomingCallLogItemApiKeys"
    export_aws_env "$THROWAWAY_DDB_PORT"
}
