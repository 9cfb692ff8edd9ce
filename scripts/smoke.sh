#!/usr/bin/env bash
# `make smoke URL=… KEY=… [WRITE=1]`: the smoke test against a deployed stack. URL is the
# stack's ApiUrl output (with its stage), KEY an API key of the project to use (README, "The
# first key"). Read-only unless WRITE=1: then it also creates, updates and deletes items of its
# own in that project (a new call log each run).
set -euo pipefail
# shellcheck source=scripts/local-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
cd "$ROOT"

[[ -n "${URL:-}" && -n "${KEY:-}" ]] || die "usage: make smoke URL=<ApiUrl> KEY=<api key> [WRITE=1]"
tests=(the_seeds_read_examples_answer_as_it_shows bad_keys_are_refused)
if [[ "${WRITE:-}" == "1" ]]; then
    tests+=(every_route_answers_through_the_real_binaries)
fi
log "smoke against ${URL%/} (${tests[*]})"
SMOKE_BASE_URL="${URL%/}" SMOKE_API_KEY="$KEY" \
    cargo test -q -p api-tests --test smoke -- --include-ignored --exact "${tests[@]}"
