#!/usr/bin/env bash
# Local tool installer: a Python virtualenv at .venv/ (git-ignored) holding
#   - cargo-lambda (the PyPI wheel ships the cargo-lambda binary and zig)
#   - cfn-lint
#
# Usage:
#   scripts/cargo-lambda.sh install   # idempotent; skips what is already at the pinned version
#   scripts/cargo-lambda.sh path      # prints the venv bin dir (put it first on PATH)
set -euo pipefail

CARGO_LAMBDA_VERSION="1.9.2"
CFN_LINT_VERSION="1.58.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
BIN="$VENV/bin"

log() { echo "[cargo-lambda.sh] $*" >&2; }

ensure_venv() {
    if [[ ! -x "$BIN/python" ]]; then
        log "creating virtualenv $VENV"
        python3 -m venv "$VENV"
    fi
}

# installed_version PACKAGE -> prints the installed version or nothing
installed_version() {
    "$BIN/python" - "$1" <<'PY' 2>/dev/null || true
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    print(version(sys.argv[1]))
except PackageNotFoundError:
    pass
PY
}

install() {
    ensure_venv

    local want=()
    if [[ -x "$BIN/cargo-lambda" ]] \
        && "$BIN/cargo-lambda" lambda --version 2>/dev/null | grep -q "cargo-lambda $CARGO_LAMBDA_VERSION\b"; then
        log "cargo-lambda $CARGO_LAMBDA_VERSION already installed"
    else
        want+=("cargo-lambda==$CARGO_LAMBDA_VERSION")
    fi
    if [[ -x "$BIN/cfn-lint" && "$(installed_version cfn-lint)" == "$CFN_LINT_VERSION" ]]; then
        log "cfn-lint $CFN_LINT_VERSION already installed"
    else
        want+=("cfn-lint==$CFN_LINT_VERSION")
    fi

    if ((${#want[@]})); then
        log "pip install ${want[*]}"
        "$BIN/pip" install --disable-pip-version-check -q "${want[@]}"
    fi

    log "cargo-lambda: $BIN/cargo-lambda ($("$BIN/cargo-lambda" lambda --version 2>/dev/null | head -n1))"
    log "zig:          $BIN/python-zig (the ziglang package, for cargo lambda build)"
    log "cfn-lint:     $BIN/cfn-lint ($("$BIN/cfn-lint" --version 2>/dev/null | head -n1))"
    log "use: export PATH=\"$BIN:\$PATH\"   (then 'cargo lambda ...' finds it)"
}

case "${1:-}" in
    install) install ;;
    path) echo "$BIN" ;;
    *)
        echo "usage: $0 install|path" >&2
        exit 2
        ;;
esac
