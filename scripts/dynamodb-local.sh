#!/usr/bin/env bash
# The local DynamoDB engine for development and tests: Dynoxide (crate dynoxide-rs,
# MIT OR Apache-2.0), a DynamoDB-compatible HTTP server on SQLite. No Docker, no Java.
#
#   scripts/dynamodb-local.sh install
#       Build it once into .local/dynoxide/ (`cargo install --locked`, only the features the
#       server needs; about 2 minutes on 2 cores). Idempotent: kept while its version matches.
#   scripts/dynamodb-local.sh start PORT [DATA_DIR|-inMemory]
#       Start it on 127.0.0.1:PORT (DYNAMODB_BIND=0.0.0.0 for every interface, e.g. for
#       `sam local`'s containers; default: in memory; with DATA_DIR, the database is the
#       file DATA_DIR/dynoxide.db, kept across restarts). Prints the pid on stdout, writes it
#       to .local/dynamodb-PORT.pid, logs to .local/logs/dynamodb-PORT.log, and waits up to
#       60 s (DYNAMODB_START_TIMEOUT) until it answers a ListTables request.
#   scripts/dynamodb-local.sh stop PIDFILE|PORT
#   scripts/dynamodb-local.sh status PORT
#   scripts/dynamodb-local.sh version        # e.g. "Dynoxide 1.5.0 (dynoxide-rs 3.2.0)"
#   scripts/dynamodb-local.sh free-port      # prints a free TCP port on 127.0.0.1
#   scripts/dynamodb-local.sh source         # the crate's source folder (licence check)
#   scripts/dynamodb-local.sh features       # the features it is built with
#
# Any region and credentials see the same tables (Dynoxide keeps one namespace).
set -euo pipefail

CRATE="dynoxide-rs"
CRATE_VERSION="3.2.0" # the server Dynoxide 1.5.0
# The HTTP server and its command line; not the MCP server, the importer or encryption.
FEATURES="native-sqlite,http-server,cli"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENGINE_DIR="$ROOT/.local/dynoxide"
BIN="$ENGINE_DIR/bin/dynoxide"
STAMP="$ENGINE_DIR/installed"
LOG_DIR="$ROOT/.local/logs"
RUN_DIR="$ROOT/.local"

log() { echo "[dynamodb-local] $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

wanted() { echo "$CRATE $CRATE_VERSION $FEATURES"; }

install() {
    # Kept while the pinned version is the one built and its source is still in cargo's
    # registry (the licence check reads the engine's crate graph from it).
    if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$(wanted)" ]] && source_dir >/dev/null 2>&1; then
        return 0
    fi
    command -v cargo >/dev/null || die "cargo is needed to build Dynoxide"
    log "building $CRATE $CRATE_VERSION into $ENGINE_DIR (once; about 2 minutes) ..."
    rm -f "$STAMP"
    # Its own target dir (removed by cargo afterwards), its own Cargo.lock (--locked): the
    # workspace's build and lock file are not touched.
    env -u CARGO_TARGET_DIR cargo install "$CRATE" --version "$CRATE_VERSION" --locked --quiet \
        --no-default-features --features "$FEATURES" --root "$ENGINE_DIR" --force
    wanted >"$STAMP"
    log "installed $(version) in $ENGINE_DIR"
}

version() {
    [[ -x "$BIN" ]] || die "not installed; run: $0 install"
    echo "Dynoxide $("$BIN" --version | awk '{print $2}') ($CRATE $CRATE_VERSION)"
}

# The crate's source, where `cargo install` unpacked it.
source_dir() {
    local dir
    dir="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -mindepth 2 -maxdepth 2 \
        -name "$CRATE-$CRATE_VERSION" -type d 2>/dev/null | head -n1)"
    [[ -n "$dir" ]] || die "$CRATE $CRATE_VERSION is not in cargo's registry; run: $0 install"
    echo "$dir"
}

pidfile_for() { echo "$RUN_DIR/dynamodb-$1.pid"; }

# is_ours PID: the process is alive and is our engine.
is_ours() {
    local pid="$1"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$BIN"
}

# answers PORT: the engine replies 200 to a ListTables call.
answers() {
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
        -X POST "http://127.0.0.1:$1/" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
        -H 'X-Amz-Date: 20200101T000000Z' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
        -d '{}' 2>/dev/null)" || true
    [[ "$code" == "200" ]]
}

port_in_use() {
    python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

start() {
    local port="${1:-}" data="${2:--inMemory}"
    [[ "$port" =~ ^[0-9]+$ ]] || die "usage: $0 start PORT [DATA_DIR|-inMemory]"
    [[ -x "$BIN" ]] || die "not installed; run: $0 install"

    local pidfile
    pidfile="$(pidfile_for "$port")"
    if [[ -f "$pidfile" ]] && is_ours "$(cat "$pidfile")"; then
        log "an engine from an earlier run is still up on port $port (pid $(cat "$pidfile")); stopping it"
        stop "$pidfile"
    fi
    rm -f "$pidfile"
    if port_in_use "$port"; then
        die "port $port is already in use by another process"
    fi

    local storage=() where="in memory"
    if [[ "$data" != "-inMemory" ]]; then
        mkdir -p "$data"
        data="$(cd "$data" && pwd)"
        storage=(--db-path "$data/dynoxide.db")
        where="$data/dynoxide.db"
    fi

    mkdir -p "$LOG_DIR" "$RUN_DIR"
    local logfile="$LOG_DIR/dynamodb-$port.log"
    : >"$logfile"
    # Own session, so a Ctrl-C in the terminal does not hit it directly: whoever started it
    # stops it. The inner shell records its pid and execs the engine (so the pid is its own).
    # shellcheck disable=SC2016 # expanded by the inner shell
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
        "$BIN" serve --host "${DYNAMODB_BIND:-127.0.0.1}" --port "$port" "${storage[@]}" \
        </dev/null >>"$logfile" 2>&1 &

    local deadline=$((SECONDS + ${DYNAMODB_START_TIMEOUT:-60})) pid=""
    while ((SECONDS < deadline)); do
        [[ -z "$pid" && -s "$pidfile" ]] && pid="$(cat "$pidfile")"
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$logfile" >&2 || true
            rm -f "$pidfile"
            die "the engine exited during start-up (log: $logfile)"
        fi
        if [[ -n "$pid" ]] && answers "$port"; then
            log "$(version) up on http://127.0.0.1:$port (pid $pid, $where, log $logfile)"
            echo "$pid"
            return 0
        fi
        sleep 0.05
    done
    tail -n 20 "$logfile" >&2 || true
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$pidfile"
    die "the engine did not answer on port $port within ${DYNAMODB_START_TIMEOUT:-60} s (log: $logfile)"
}

stop() {
    local arg="${1:-}" pidfile
    [[ -n "$arg" ]] || die "usage: $0 stop PIDFILE|PORT"
    if [[ -f "$arg" ]]; then
        pidfile="$arg"
    elif [[ "$arg" =~ ^[0-9]+$ ]]; then
        pidfile="$(pidfile_for "$arg")"
    else
        die "no such pid file: $arg"
    fi
    if [[ ! -f "$pidfile" ]]; then
        log "not running (no $pidfile)"
        return 0
    fi
    local pid
    pid="$(cat "$pidfile")"
    if is_ours "$pid"; then
        # A stopped (SIGSTOP) engine must be continued to act on SIGTERM.
        kill -TERM "$pid" 2>/dev/null || true
        kill -CONT "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            rm -f "$pidfile"
            log "pid $pid did not stop within 10 s; killed it"
        else
            rm -f "$pidfile"
            log "stopped (pid $pid)"
        fi
    else
        rm -f "$pidfile"
        log "pid $pid from $pidfile is not running"
    fi
}

status() {
    local port="${1:-}"
    [[ "$port" =~ ^[0-9]+$ ]] || die "usage: $0 status PORT"
    local pidfile
    pidfile="$(pidfile_for "$port")"
    if [[ -f "$pidfile" ]] && is_ours "$(cat "$pidfile")" && answers "$port"; then
        echo "running on port $port (pid $(cat "$pidfile"))"
    else
        echo "not running on port $port"
        return 1
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

cmd="${1:-}"
shift || true
case "$cmd" in
    install) install ;;
    version) version ;;
    start) start "$@" ;;
    stop) stop "$@" ;;
    status) status "$@" ;;
    free-port) free_port ;;
    source) source_dir ;;
    features) echo "$FEATURES" ;;
    *)
        echo "usage: $0 install|version|start PORT [DATA_DIR|-inMemory]|stop PIDFILE|PORT|status PORT|free-port|source|features" >&2
        exit 2
        ;;
esac
