#!/usr/bin/env bash
# `make dev`: run the whole API locally.
#   1. install the local engine, Dynoxide (.local/dynoxide/), and cargo-lambda (.venv/) if missing
#   2. start it on 127.0.0.1:$DYNAMODB_PORT (default 8000), data kept in
#      .local/dynamodb-data/dynoxide.db across restarts
#   3. create the tables and mint a dev API key for a fixed dev project (.local/dev-project-id)
#   4. tally the items table's stream in the background (`call-log-admin follow-stream`, the
#      local stand-in for the `tally` function's event source mapping; log in .local/logs)
#   5. serve the API with `cargo lambda watch` on 127.0.0.1:$PORT (default 3000), in the
#      foreground, rebuilding functions when the code changes
# Ctrl-C (or any exit) stops everything this script started.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
PORT="${PORT:-3000}"
DATA_DIR="$ROOT/.local/dynamodb-data"

# On a fresh machine the engine builds (cargo) while the PyPI tools install (pip).
mkdir -p "$ROOT/.local/logs"
ENGINE_LOG="$ROOT/.local/logs/engine-install.log"
"$DDB" install >"$ENGINE_LOG" 2>&1 &
ENGINE_PID=$!
"$ROOT/scripts/python-tools.sh" install
await_job "$ENGINE_PID" "$ENGINE_LOG" "building the local engine"
use_venv

DDB_STARTED=""
WATCH_PID=""
TALLY_PID=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    trap - EXIT INT TERM
    trap '' PIPE # output may go to a pipe that is already gone (`make dev | tee`)
    if [[ -n "$WATCH_PID" ]]; then stop_tree "$WATCH_PID"; fi
    if [[ -n "$TALLY_PID" ]]; then stop_tree "$TALLY_PID"; fi
    if [[ -n "$DDB_STARTED" ]]; then "$DDB" stop "$DYNAMODB_PORT" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$DDB" start "$DYNAMODB_PORT" "$DATA_DIR" >/dev/null
DDB_STARTED=1
export_aws_env "$DYNAMODB_PORT"

cargo run -q -p call-log-admin -- create-tables
KEY="$(dev_api_key)"
DEV_PROJECT="$(cat "$ROOT/.local/dev-project-id")"

# Build the functions now rather than on the first request to each of them.
prebuild_functions -q

# Counts and entries by value follow the writes through the stream, as on AWS. From the
# stream's oldest record every time: what was tallied before is skipped (counter marks).
cargo build -q -p call-log-admin
"$ROOT/target/debug/call-log-admin" follow-stream >"$ROOT/.local/logs/tally-dev.log" 2>&1 &
TALLY_PID=$!

cat <<EOF

  Local engine    $("$DDB" version) on $AWS_ENDPOINT_URL_DYNAMODB   (data: .local/dynamodb-data/dynoxide.db)
  Tables          $ITEMS_TABLE, $API_KEYS_TABLE   (stream tallied: .local/logs/tally-dev.log)
  Dev project     $DEV_PROJECT
  Dev API key     $KEY

  Try:
    curl -s -X POST "http://127.0.0.1:$PORT/api/incoming-call-log-item/get-list" -H "ApiKey: $KEY" -H 'Content-Type: application/json' -d '{}'

  Serving on http://127.0.0.1:$PORT  (Ctrl-C stops the API and the local engine)

EOF

# In the background + wait, so Ctrl-C reaches our trap at once; cargo-lambda gets the
# terminal's SIGINT too and stops its function processes.
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$PORT" --disable-cors &
WATCH_PID=$!
set +e
wait "$WATCH_PID"
status=$?
set -e
WATCH_PID=""
exit "$status"
