#!/usr/bin/env bash
# `make invoke FUNCTION=<name> EVENT=events/<file>.json`: one event through one real function
# binary under a local Lambda Runtime API, as `sam local invoke -e` does with Docker. The
# function's log lines go to stderr, its answer to stdout.
#
#   FUNCTION  the binary (list, get-item, count, create, update, delete) or the template's
#             logical id (ListFunction, GetItemFunction, ...)
#   EVENT     an event file, e.g. events/list-post.http.json
#   ITEM_ID   optional: replaces the sample item id 00000000-0000-7000-8000-000000000000
#   API_KEY   optional: replaces REPLACE_WITH_YOUR_API_KEY (default: the `make dev` key)
#
# Against the `make dev` tables: the local engine of a running `make dev`, or else one
# started on its data (.local/dynamodb-data/) for this call. When AWS_ENDPOINT_URL_DYNAMODB is
# already set (make test), against that one and its tables.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

FUNCTION="${FUNCTION:-${1:-}}"
EVENT="${EVENT:-${2:-}}"
[[ -n "$FUNCTION" && -n "$EVENT" ]] ||
    die "usage: make invoke FUNCTION=<function> EVENT=events/<file>.json"
[[ -f "$EVENT" ]] || die "no event file $EVENT"

# The template's logical ids name the same binaries: GetItemFunction -> get-item.
case "$FUNCTION" in
    *Function) BIN="$(sed -E 's/Function$//; s/([a-z])([A-Z])/\1-\2/g' <<<"$FUNCTION" | tr '[:upper:]' '[:lower:]')" ;;
    *) BIN="$FUNCTION" ;;
esac
function_bins | grep -x "$BIN" >/dev/null ||
    die "no function $FUNCTION; one of: $(function_bins | tr '\n' ' ')"

DDB_STARTED=""
TMP_EVENT=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    if [[ -n "$TMP_EVENT" ]]; then rm -f "$TMP_EVENT"; fi
    if [[ -n "$DDB_STARTED" ]]; then "$DDB" stop "$DYNAMODB_PORT" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

if [[ -z "${AWS_ENDPOINT_URL_DYNAMODB:-}" ]]; then
    DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
    "$DDB" install
    if ! "$DDB" status "$DYNAMODB_PORT" >/dev/null 2>&1; then
        log "no make dev running: starting the local engine on its data for this call"
        "$DDB" start "$DYNAMODB_PORT" "$ROOT/.local/dynamodb-data" >/dev/null
        DDB_STARTED=1
    fi
    export_aws_env "$DYNAMODB_PORT"
    cargo run -q -p call-log-admin -- create-tables 2>/dev/null
fi
# A local cursor secret, unless the call names one in Secrets Manager (CURSOR_SECRET_ARN).
if [[ -z "${CURSOR_SECRET_ARN:-}" ]]; then
    export CURSOR_SECRET="${CURSOR_SECRET:-local-only-cursor-secret-never-in-aws}"
fi
API_KEY="${API_KEY:-$(dev_api_key)}"

# The function as `cargo lambda watch` builds it, and the invoker on its own (few crates).
cargo build -q --bin "$BIN"
cargo build -q -p runtime-api --bin invoke

TMP_EVENT="$(mktemp)"
python3 - "$EVENT" "$TMP_EVENT" "$API_KEY" "${ITEM_ID:-}" <<'PY'
import sys
source, target, key, item = sys.argv[1:]
text = open(source).read().replace("REPLACE_WITH_YOUR_API_KEY", key)
sample = "00000000-0000-7000-8000-000000000000"
if item:
    text = text.replace(sample, item)
elif sample in text:
    print(f"[invoke.sh] the event names the sample item {sample}: pass ITEM_ID=<an _id "
          "of the dev project> to use one of yours", file=sys.stderr)
open(target, "w").write(text)
PY
log "$BIN <- $EVENT (tables $ITEMS_TABLE, $API_KEYS_TABLE on $AWS_ENDPOINT_URL_DYNAMODB)"
"$ROOT/target/debug/invoke" "$ROOT/target/debug/$BIN" "$TMP_EVENT"
