#!/usr/bin/env bash
# `make test` (and CI): lint, licences, unit/integration tests, then a smoke test of the real
# function binaries behind `cargo lambda watch`, all against a throwaway in-memory local engine
# (Dynoxide). Everything started here is stopped on exit, on failure too. Never touches the dev
# data.
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

stage() { echo "==> [${SECONDS} s] $*" >&2; }

stage "tools (installed in the background while fmt and clippy run)"
# On a fresh machine the local engine and cargo-deny are built with cargo, and the PyPI tools
# installed, while the workspace compiles (minutes either way); each is kept in an ignored
# folder and reused after. Their output is kept aside until they are needed.
mkdir -p "$ROOT/.local/logs"
ENGINE_LOG="$ROOT/.local/logs/engine-install.log"
"$DDB" install >"$ENGINE_LOG" 2>&1 &
ENGINE_PID=$!
DENY_LOG="$ROOT/.local/logs/cargo-deny-install.log"
"$ROOT/scripts/licenses.sh" install >"$DENY_LOG" 2>&1 &
DENY_PID=$!
TOOLS_LOG="$ROOT/.local/logs/python-tools.log"
"$ROOT/scripts/python-tools.sh" install >"$TOOLS_LOG" 2>&1 &
TOOLS_PID=$!
use_venv

DDB_PORT=""
SECRETS_PID=""
WATCH_PID=""
TALLY_PID=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    trap '' PIPE # output may go to a pipe that is already gone (`make dev | tee`)
    if [[ -n "$WATCH_PID" ]]; then stop_tree "$WATCH_PID"; fi
    if [[ -n "$TALLY_PID" ]]; then stop_tree "$TALLY_PID"; fi
    if [[ -n "$SECRETS_PID" ]]; then stop_tree "$SECRETS_PID"; fi
    local job
    for job in "${TOOLS_PID:-}" "${ENGINE_PID:-}" "${DENY_PID:-}"; do
        if [[ -n "$job" ]]; then kill "$job" 2>/dev/null || true; fi
    done
    if [[ -n "$DDB_PORT" ]]; then "$DDB" stop "$DDB_PORT" >/dev/null 2>&1 || true; fi
    if ((rc != 0)); then log "FAILED (exit $rc)"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stage "cargo fmt --all -- --check"
cargo fmt --all -- --check

stage "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
# The model crate as the functions build it (no features) and as the admin CLI does
# (local-stream): without the tests' test-support, which the workspace run above unifies in.
cargo clippy --package call-log-item --lib -- -D warnings
cargo clippy --package call-log-admin --bin call-log-admin -- -D warnings

stage "the local engine: Dynoxide, in memory (built meanwhile)"
await_job "$ENGINE_PID" "$ENGINE_LOG" "building the local engine"
ENGINE_PID=""
DDB_PORT="$("$DDB" free-port)"
"$DDB" start "$DDB_PORT" -inMemory >/dev/null
export ITEMS_TABLE="test-IncomingCallLogItems"
export API_KEYS_TABLE="test-IncomingCallLogItemApiKeys"
export_aws_env "$DDB_PORT"

stage "tools from PyPI (installed meanwhile); a local Secrets Manager (moto's server)"
await_job "$TOOLS_PID" "$TOOLS_LOG" "installing the PyPI tools"
TOOLS_PID=""
# The functions read the cursor secret from Secrets Manager at cold start: the tests that
# check it talk to moto's server over HTTP, as the functions talk to AWS's.
SECRETS_PORT="$("$DDB" free-port)"
moto_server -H 127.0.0.1 -p "$SECRETS_PORT" >"$ROOT/.local/logs/secrets-manager.log" 2>&1 &
SECRETS_PID=$!
wait_http "http://127.0.0.1:$SECRETS_PORT/moto-api/" "$SECRETS_PID" 60 ||
    die "moto_server did not start (.local/logs/secrets-manager.log)"
export AWS_ENDPOINT_URL_SECRETS_MANAGER="http://127.0.0.1:$SECRETS_PORT"

stage "cargo test --workspace"
cargo test --workspace

stage "cargo-deny (built meanwhile)"
await_job "$DENY_PID" "$DENY_LOG" "building cargo-deny"
DENY_PID=""

stage "licences: the Rust crates, the local engine's, the PyPI and npm tools"
"$ROOT/scripts/licenses.sh" check

stage "smoke: tables, key, functions behind cargo lambda watch"
cargo run -q -p call-log-admin -- create-tables
SMOKE_PROJECT="$(python3 -c 'import uuid; print(uuid.uuid4())')"
SMOKE_API_KEY="$(cargo run -q -p call-log-admin -- create-key --project "$SMOKE_PROJECT" --permission ProjectAdmin --name smoke)"
[[ -n "$SMOKE_API_KEY" ]] || die "create-key printed no key"

prebuild_functions -q
# The local stand-in for the tally function's event source mapping, from this stage on (the
# cargo tests tallied their own writes).
"$ROOT/target/debug/call-log-admin" follow-stream --from-now --interval-ms 50 \
    >"$ROOT/.local/logs/tally-test.log" 2>&1 &
TALLY_PID=$!
API_PORT="$("$DDB" free-port)"
mkdir -p "$ROOT/.local/logs"
WATCH_LOG="$ROOT/.local/logs/watch-test.log"
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$API_PORT" \
    --ignore-changes --disable-cors >"$WATCH_LOG" 2>&1 &
WATCH_PID=$!
if ! wait_http "http://127.0.0.1:$API_PORT/" "$WATCH_PID" 60; then
    tail -n 30 "$WATCH_LOG" >&2 || true
    die "cargo lambda watch did not answer on port $API_PORT within 60 s"
fi

stage "smoke and load tests against http://127.0.0.1:$API_PORT; concurrency of one process"
# --workspace (not -p api-tests) keeps the feature set of `cargo test --workspace`, so
# nothing is rebuilt; these test targets exist only in api-tests. `concurrency` runs the
# function binaries just built under a local Runtime API.
if ! SMOKE_BASE_URL="http://127.0.0.1:$API_PORT" SMOKE_API_KEY="$SMOKE_API_KEY" SMOKE_FUNCTION_LOG="$WATCH_LOG" \
    cargo test --workspace --test smoke --test load --test concurrency -- --include-ignored --nocapture; then
    log "function output (last 50 lines of $WATCH_LOG):"
    tail -n 50 "$WATCH_LOG" >&2 || true
    exit 1
fi

stage "openapi-spec-validator docs/openapi.yaml"
openapi-spec-validator docs/openapi.yaml

stage "contract: schemathesis against docs/openapi.yaml"
# Bounded: a fixed number of generated requests per operation and a fixed seed, so the run
# takes the same time every time. Fails on any 5xx, any response the document does not allow,
# any invalid request accepted, a wrong method without 405, or a request without a key served.
# tests/contract/hooks.py leaves out bodies the local emulator itself cannot carry. One worker:
# with two, Hypothesis (inside schemathesis) once failed parsing its own lambdas from two
# threads at once ("AST constructor recursion depth mismatch"); one takes no longer here.
if ! SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$ROOT/tests/contract" \
    schemathesis run docs/openapi.yaml --url "http://127.0.0.1:$API_PORT" \
    -H "ApiKey: $SMOKE_API_KEY" --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed 20261127 \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,missing_required_header,unsupported_method,ignored_auth,use_after_free \
    --generation-database none --workers 1 --no-color; then
    log "function output (last 50 lines of $WATCH_LOG):"
    tail -n 50 "$WATCH_LOG" >&2 || true
    exit 1
fi

stage "generated clients: Python (openapi-python-client) and TypeScript (openapi-typescript + openapi-fetch)"
# Generated from docs/openapi.yaml without a warning, the TypeScript type-checked with
# `tsc --strict`, and a user's round trip through each against the same server.
if ! scripts/clients.sh "http://127.0.0.1:$API_PORT" "$SMOKE_API_KEY"; then
    tail -n 30 "$WATCH_LOG" >&2 || true
    die "a generated client's round trip failed"
fi

stop_tree "$WATCH_PID"
WATCH_PID=""

stage "make invoke FUNCTION=list EVENT=events/list-post.http.json"
INVOKE_LOG="$ROOT/.local/logs/invoke-test.log"
if ! ANSWER="$(API_KEY="$SMOKE_API_KEY" scripts/invoke.sh list events/list-post.http.json 2>"$INVOKE_LOG")"; then
    tail -n 30 "$INVOKE_LOG" >&2 || true
    die "make invoke failed"
fi
python3 -c 'import json, sys; answer = json.load(sys.stdin); assert answer["statusCode"] == 200, answer' <<<"$ANSWER" ||
    die "make invoke: the list function did not answer 200: $ANSWER"

stage "make invoke FUNCTION=authorizer EVENT=events/authorizer/request.json (a key, then none)"
for key in "$SMOKE_API_KEY" "iclk_unknown"; do
    if ! ANSWER="$(API_KEY="$key" scripts/invoke.sh authorizer events/authorizer/request.json 2>"$INVOKE_LOG")"; then
        tail -n 30 "$INVOKE_LOG" >&2 || true
        die "make invoke (authorizer) failed"
    fi
    expected=$([[ "$key" == "$SMOKE_API_KEY" ]] && echo True || echo False)
    python3 -c 'import json, sys; answer = json.load(sys.stdin); assert answer["isAuthorized"] is '"$expected"', answer' <<<"$ANSWER" ||
        die "make invoke: the authorizer answered $ANSWER for ${key:0:9}..."
done

stage "a function reads its cursor secret from Secrets Manager at cold start (CURSOR_SECRET_ARN)"
# moto reads the region from the signature's scope, and checks no more of it.
SECRET_ARN="$(curl -sf -X POST "$AWS_ENDPOINT_URL_SECRETS_MANAGER/" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0" \
    -H "X-Amz-Target: secretsmanager.CreateSecret" -H "Content-Type: application/x-amz-json-1.1" \
    -d "{\"Name\":\"cursor-$RANDOM$RANDOM\",\"SecretString\":\"$(openssl rand -hex 32)\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["ARN"])')" ||
    die "could not create a secret in the local Secrets Manager"
if ! ANSWER="$(env -u CURSOR_SECRET CURSOR_SECRET_ARN="$SECRET_ARN" API_KEY="$SMOKE_API_KEY" \
    scripts/invoke.sh list events/list-post.http.json 2>"$INVOKE_LOG")"; then
    tail -n 30 "$INVOKE_LOG" >&2 || true
    die "the list function did not start with CURSOR_SECRET_ARN"
fi
python3 -c 'import json, sys; answer = json.load(sys.stdin); assert answer["statusCode"] == 200, answer' <<<"$ANSWER" ||
    die "the list function with CURSOR_SECRET_ARN did not answer 200: $ANSWER"
if env -u CURSOR_SECRET CURSOR_SECRET_ARN="${SECRET_ARN}-gone" "$ROOT/target/debug/invoke" \
    "$ROOT/target/debug/list" events/list-post.http.json >/dev/null 2>"$INVOKE_LOG"; then
    die "the list function served with a cursor secret it could not read"
fi
grep -q '"message":"cannot start".*no AWSCURRENT version' "$INVOKE_LOG" || {
    tail -n 5 "$INVOKE_LOG" >&2
    die "no clear log line saying the cursor secret could not be read"
}

stage "a function without CURSOR_SECRET refuses to start"
if env -u CURSOR_SECRET "$ROOT/target/debug/invoke" "$ROOT/target/debug/list" \
    events/list-post.http.json >/dev/null 2>"$INVOKE_LOG"; then
    die "the list function served without CURSOR_SECRET"
fi
grep -q '"message":"cannot start".*CURSOR_SECRET is not set' "$INVOKE_LOG" || {
    tail -n 5 "$INVOKE_LOG" >&2
    die "no clear log line saying why the function did not start"
}

stage "cfn-lint template.yaml"
AWS_DEFAULT_REGION=us-east-1 cfn-lint template.yaml

stage "sam validate --lint"
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 sam validate --lint --template template.yaml

stage "template: classic Lambda and Managed Instances, as CloudFormation would deploy them"
# Through AWS::LanguageExtensions and the SAM transform with each parameter set (SAM CLI's
# own libraries, offline): functions, capacity provider, aliases, memory, concurrency.
AWS_DEFAULT_REGION=us-east-1 python tests/template/modes.py

stage "checkov (template.yaml, CloudFormation checks)"
# Every check passes or is skipped on its resource with the reason in the template; offline.
checkov --file template.yaml --framework cloudformation --skip-download --compact --quiet

stage "checkov (the template as deployed: after the SAM transform)"
# What AWS creates (roles, permissions, the event source mapping, the stage) scanned too.
mkdir -p .local
AWS_DEFAULT_REGION=us-east-1 python tests/template/expand.py .local/deployed-template.json
checkov --file .local/deployed-template.json --framework cloudformation --skip-download \
    --compact --quiet

stage "make build, then sam build --cached: arm64 zips within 2.5 MB, sam's the same binaries"
# The deploy path as README's "Deploying to AWS" runs it: the release build (minutes: every
# dependency for arm64), then `sam build --cached` through sam/Makefile, which must find
# cargo's build done and copy each function's binary byte for byte.
scripts/build.sh
for bin in $(function_bins); do
    bytes=$(stat -c %s "target/lambda/$bin/bootstrap.zip")
    ((bytes <= 2500000)) || die "$bin: bootstrap.zip is $bytes bytes, over the 2.5 MB budget"
done
rm -rf .aws-sam
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 sam build --cached
for bin in $(function_bins); do
    # get-item -> GetItemFunction: the logical id sam/Makefile builds it for.
    id="$(echo "$bin" | sed -E 's/(^|-)([a-z])/\U\2/g')Function"
    # The zip's own binary (make build writes only the zip; target/lambda/<f>/bootstrap is
    # what sam/Makefile's build writes, so comparing with it would prove nothing).
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("bootstrap"))' \
        "target/lambda/$bin/bootstrap.zip" | cmp -s - ".aws-sam/build/$id/bootstrap" ||
        die "sam build's $id is missing or not the binary make build zipped (target/lambda/$bin)"
done

stage "all passed"
