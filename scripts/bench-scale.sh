#!/usr/bin/env bash
# `make bench-scale`: seed 100,000 items (and a 100-item project) into a throwaway in-memory
# DynamoDB Local, time list and count through the real handler, and write the table to
# docs/benchmarks.md. A benchmark, not a test: `make test` does not run it.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

"$DDB" install
DDB_PORT=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    if [[ -n "$DDB_PORT" ]]; then "$DDB" stop "$DDB_PORT" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

cargo build --release -q -p bench --bin bench-scale
DDB_PORT="$("$DDB" free-port)"
"$DDB" start "$DDB_PORT" -inMemory >/dev/null
export ITEMS_TABLE="bench-IncomingCallLogItems"
export API_KEYS_TABLE="bench-IncomingCallLogItemApiKeys"
export_aws_env "$DDB_PORT"
"$ROOT/target/release/bench-scale"
