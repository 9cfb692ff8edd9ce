#!/usr/bin/env bash
# `scripts/clients.sh URL KEY` (make test runs it against the local API): generates the Python
# client (openapi-python-client) and the TypeScript types (openapi-typescript, for
# openapi-fetch) from docs/openapi.yaml as a new user would, fails on any generator warning,
# type-checks the TypeScript round trip with `tsc --strict`, then drives a user's round trip
# through each client against URL with KEY (tests/clients/roundtrip.{py,ts}).
#
# The generator runs from .venv/isolated/openapi-python-client/ (scripts/python-tools.sh); the
# npm packages, pinned by tests/clients/package-lock.json, install into .local/clients/ts/
# (kept between runs); the generated clients go to .local/clients/.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

URL="${1:-}"
KEY="${2:-}"
[[ -n "$URL" && -n "$KEY" ]] || die "usage: scripts/clients.sh <base URL> <API key>"
OUT="$ROOT/.local/clients"
GENERATOR="$ROOT/.venv/isolated/openapi-python-client/bin"
[[ -x "$GENERATOR/openapi-python-client" ]] ||
    die "openapi-python-client is not installed: scripts/python-tools.sh install"

log "Python: openapi-python-client generate"
rm -rf "$OUT/python"
mkdir -p "$OUT/python"
GENERATED="$("$GENERATOR/openapi-python-client" generate --path docs/openapi.yaml \
    --output-path "$OUT/python/call_log_items" --meta none \
    --config tests/clients/openapi-python-client.yaml 2>&1)" || {
    echo "$GENERATED" >&2
    die "openapi-python-client failed"
}
if grep -qi "warning\|error\|skipping\|cannot\|unable" <<<"$GENERATED"; then
    echo "$GENERATED" >&2
    die "openapi-python-client warned: the spec does not generate cleanly"
fi
log "Python: the round trip"
PYTHONPATH="$OUT/python" "$GENERATOR/python" tests/clients/roundtrip.py "$URL" "$KEY"

log "TypeScript: openapi-typescript, tsc --strict"
TS="$OUT/ts"
mkdir -p "$TS"
cp tests/clients/package.json tests/clients/package-lock.json tests/clients/tsconfig.json \
    tests/clients/roundtrip.ts "$TS/"
if ! cmp -s tests/clients/package-lock.json "$TS/node_modules/.package-lock.json.installed" 2>/dev/null; then
    (cd "$TS" && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/clients/package-lock.json "$TS/node_modules/.package-lock.json.installed"
fi
(cd "$TS" && rm -rf out && npx --no-install openapi-typescript "$ROOT/docs/openapi.yaml" -o schema.d.ts --silent &&
    npx --no-install tsc -p tsconfig.json)
log "TypeScript: the round trip"
node "$TS/out/roundtrip.js" "$URL" "$KEY"
