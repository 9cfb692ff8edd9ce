#!/usr/bin/env bash
# `make bench-scale`: seed 100,000 items (and a 100-item project) into a throwaway in-memory
# local engine (Dynoxide), time list and count through the real handler, and write the table to
# docs/benchmarks.md. A benchmark, not a test: `make test` does not run it.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

# The list function too, on its own (as it is deployed: its features, not the benchmark's):
# its peak memory is measured on a sort over the large project.
cargo build --release -q -p list
cargo build --release -q -p bench --bin bench-scale
throwaway_dynamodb bench
LOCAL_ENGINE="$("$DDB" version)"
export LOCAL_ENGINE
# stdout: the metrics records of every timed request; the report goes to stderr.
"$ROOT/target/release/bench-scale" >/dev/null
