#!/usr/bin/env bash
# `make build`: the functions (every package under functions/) as arm64 Lambda packages, one zip each
# (target/lambda/<function>/bootstrap.zip), built with cargo-lambda (zig cross-links).
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

"$ROOT/scripts/python-tools.sh" install
use_venv
rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 ||
    rustup target list --installed | grep -q aarch64-unknown-linux-gnu ||
    die "cannot add the aarch64-unknown-linux-gnu target (rustup target add aarch64-unknown-linux-gnu)"

packages=()
for bin in $(function_bins); do packages+=(--package "$bin"); done
cargo lambda build --release --arm64 --output-format zip "${packages[@]}"

for bin in $(function_bins); do
    zip="target/lambda/$bin/bootstrap.zip"
    [[ -f "$zip" ]] || die "missing $zip"
    printf '%-10s %8d bytes  %s\n' "$bin" "$(stat -c %s "$zip")" "$zip"
done
