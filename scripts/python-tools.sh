#!/usr/bin/env bash
# The tools that come from PyPI, pinned, in a virtualenv at .venv/ (git-ignored):
#   - cargo-lambda (the wheel ships the cargo-lambda binary and zig): make dev, make build
#   - cfn-lint and aws-sam-cli (sam validate --lint, sam build): make test, deploying
#   - schemathesis (contract tests against docs/openapi.yaml) and openapi-spec-validator: make test
#   - pip-licenses (the licence check of these tools, scripts/licenses.sh): make test
#   - checkov (static security scan of template.yaml): make test. In a virtualenv of its own
#     (.venv/isolated/checkov/, linked into .venv/bin/): its pins clash with aws-sam-cli's.
#   - openapi-python-client (the Python client generated from docs/openapi.yaml by
#     scripts/clients.sh): make test. In .venv/isolated/openapi-python-client/: its pins
#     (httpx, ruamel) are its own.
#   - moto's server (moto_server: the Secrets Manager the cursor-secret tests read over HTTP):
#     make test. In a virtualenv of its own (.venv/isolated/moto/) with only Flask besides: its
#     `server` extra would pull cfn-lint and docker, which clash with the pins above.
#
# Usage:
#   scripts/python-tools.sh install   # idempotent; installs only what is missing or at another version
#   scripts/python-tools.sh path      # prints the venv bin dir (put it first on PATH)
set -euo pipefail

# package==version; cfn-lint is the version aws-sam-cli 1.170 accepts.
PACKAGES=(
    "cargo-lambda==1.9.2"
    "cfn-lint==1.58.0"
    "aws-sam-cli==1.170.0"
    "schemathesis==4.32.5"
    "openapi-spec-validator==0.9.0"
    "pip-licenses==5.5.5"
)
# package==version, each in its own virtualenv; its command is linked into $BIN.
ISOLATED=(
    "checkov==3.3.30"
    "openapi-python-client==0.29.1"
)
# moto's server, in .venv/isolated/moto/ (command moto_server); Flask serves it.
MOTO=("moto==5.2.1" "flask==3.1.3" "flask-cors==6.0.2")

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
BIN="$VENV/bin"

log() { echo "[python-tools.sh] $*" >&2; }

ensure_venv() {
    if [[ ! -x "$BIN/python" ]]; then
        log "creating virtualenv $VENV"
        python3 -m venv "$VENV"
    fi
}

# installed_version PACKAGE [PYTHON] -> prints the installed version or nothing
installed_version() {
    "${2:-$BIN/python}" - "$1" <<'PY' 2>/dev/null || true
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
    local want=() package
    for package in "${PACKAGES[@]}"; do
        if [[ "$(installed_version "${package%%==*}")" != "${package##*==}" ]]; then
            want+=("$package")
        fi
    done
    if ((${#want[@]})); then
        log "pip install ${want[*]} (into $VENV)"
        "$BIN/pip" install --disable-pip-version-check -q "${want[@]}"
    else
        log "${PACKAGES[*]} already installed in $VENV"
    fi
    local name venv
    for package in "${ISOLATED[@]}"; do
        name="${package%%==*}"
        venv="$VENV/isolated/$name"
        if [[ "$(installed_version "$name" "$venv/bin/python")" != "${package##*==}" ]]; then
            log "pip install $package (into $venv)"
            [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
            "$venv/bin/pip" install --disable-pip-version-check -q "$package"
        fi
        ln -sfn "../isolated/$name/bin/$name" "$BIN/$name"
    done
    venv="$VENV/isolated/moto"
    local missing=()
    for package in "${MOTO[@]}"; do
        if [[ "$(installed_version "${package%%==*}" "$venv/bin/python")" != "${package##*==}" ]]; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]})); then
        log "pip install ${MOTO[*]} (into $venv)"
        [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
        "$venv/bin/pip" install --disable-pip-version-check -q "${MOTO[@]}"
    fi
    ln -sfn "../isolated/moto/bin/moto_server" "$BIN/moto_server"
}

case "${1:-}" in
    install) install ;;
    path) echo "$BIN" ;;
    *)
        echo "usage: $0 install|path" >&2
        exit 2
        ;;
esac
