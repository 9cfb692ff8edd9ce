#!/usr/bin/env bash
# `make bench`: cold start, warm latency (against the bare SDK calls), peak RSS and package
# size of the six functions, against a throwaway in-memory DynamoDB Local; the tables go to
# docs/benchmarks.md. Run `make build` first for the arm64 zip sizes. Not part of `make test`.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

packages=()
for bin in $(function_bins); do packages+=(--package "$bin"); done
cargo build --release -q "${packages[@]}" --package bench
throwaway_dynamodb bench
# stdout: the metrics records of the in-process requests; the report goes to stderr.
"$ROOT/target/release/bench-functions" >/dev/null
