#!/usr/bin/env bash
# `make bench`: cold start, warm latency (against the bare SDK calls), peak RSS and package
# size of the six functions, against a throwaway in-memory DynamoDB Local; the tables go to
# docs/benchmarks.md. Run `make build` first for the arm64 zip sizes. Not part of `make test`.
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

packages=()
for bin in $(function_bins); do packages+=(--package "$bin"); done
cargo build --release -q "${packages[@]}" --package bench
DDB_PORT="$("$DDB" free-port)"
"$DDB" start "$DDB_PORT" -inMemory >/dev/null
export ITEMS_TABLE="bench-IncomingCallLogItems"
export API_KEYS_TABLE="bench-IncomingCallLogItemApiKeys"
export_aws_env "$DDB_PORT"
"$ROOT/target/release/bench-functions"
