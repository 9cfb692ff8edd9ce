#!/usr/bin/env bash
# `make bench`: cold start, warm latency (against the bare SDK calls), peak RSS, package size
# and concurrency of the six functions, against a throwaway in-memory local engine (Dynoxide), next to a
# floor (bench/src/bin/floor.rs) and a Node.js 20 peer (bench/peer/, installed here from npm);
# the tables go to docs/benchmarks.md. Run `make build` first for the arm64 zip sizes. Not part
# of `make test`.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

packages=()
for bin in $(function_bins); do packages+=(--package "$bin"); done
# Two builds: the functions with their own features (as `make build` ships them), then the
# benchmark (whose dependencies would add features to the functions' crates in one build).
cargo build --release -q "${packages[@]}"
cargo build --release -q --package bench

# The peer: its pinned AWS SDK v3 into .local/peer (kept between runs).
export PEER_DIR="$ROOT/.local/peer"
mkdir -p "$PEER_DIR"
cp bench/peer/package.json bench/peer/package-lock.json bench/peer/*.mjs "$PEER_DIR/"
if ! cmp -s bench/peer/package-lock.json "$PEER_DIR/node_modules/.package-lock.json.installed" 2>/dev/null; then
    (cd "$PEER_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    cp bench/peer/package-lock.json "$PEER_DIR/node_modules/.package-lock.json.installed"
fi
throwaway_dynamodb bench
LOCAL_ENGINE="$("$DDB" version)"
export LOCAL_ENGINE
# stdout: the metrics records of the in-process requests; the report goes to stderr.
"$ROOT/target/release/bench-functions" >/dev/null
