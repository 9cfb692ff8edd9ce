#!/usr/bin/env bash
# `make bench-burst`: an incident in one project (many creates, status updates and deletes at
# once) through the real handler, against a throwaway in-memory local engine behind the fault
# injector's transaction locking; the table goes to docs/benchmarks.md. Not part of `make test`.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

cargo build --release -q -p bench --bin bench-burst
throwaway_dynamodb bench
LOCAL_ENGINE="$("$DDB" version)"
export LOCAL_ENGINE
# stdout: the metrics records of every request; the report goes to stderr.
"$ROOT/target/release/bench-burst" >/dev/null
