#!/usr/bin/env bash
# The dependency policy, checked: everything the project builds or installs is under an
# open-source licence. A package under a vendor's own terms (DynamoDB Local's are one), or
# whose licence cannot be read, fails `make test`. Allowing a new licence is a decision made
# in review, in the lists below (Python, npm) or in deny.toml (Rust).
#
#   scripts/licenses.sh install   # cargo-deny, pinned, into .local/cargo-deny/ (once; ~2 min)
#   scripts/licenses.sh check     # every check below; exits non-zero on the first failure
#
# What is checked:
#   - the workspace's crates (cargo deny check licenses, deny.toml);
#   - the local engine's crates (Dynoxide, as scripts/dynamodb-local.sh builds it);
#   - the PyPI tools in .venv/ and .venv/isolated/* (pip-licenses, installed with them);
#   - the npm packages the project installs (bench/peer), from their lock file's licences;
#   - and that each check refuses a package under vendor terms (tests/licenses/).
set -euo pipefail

DENY_VERSION="0.20.2"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENY_DIR="$ROOT/.local/cargo-deny"
DENY="$DENY_DIR/bin/cargo-deny"
VENV="$ROOT/.venv"
PROBES="$ROOT/tests/licenses"

# Licences of PyPI packages as pip-licenses reads them (SPDX expressions, or the trove
# classifiers' names for packages that give no expression). A package passes when one of its
# licences is here.
PYTHON_ALLOWED=(
    "MIT" "MIT License" "MIT-0"
    "Apache-2.0" "Apache Software License"
    "BSD" "BSD License" "BSD-2-Clause" "BSD-3-Clause"
    "ISC" "ISC License (ISCL)"
    "MPL-2.0" "Mozilla Public License 2.0 (MPL 2.0)"
    "PSF-2.0" "Python Software Foundation License"
    "Artistic License"
    "Apache-2.0 AND MIT" "Apache-2.0 OR BSD-2-Clause" "Apache-2.0 OR BSD-3-Clause"
    "Apache-2.0 AND CNRI-Python" "MPL-2.0 AND MIT" "MPL-2.0 AND (Apache-2.0 OR MIT)"
    "BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0"
)
# Packages whose metadata names no licence, read by hand: name, and why it is allowed.
PYTHON_READ_BY_HAND=(
    "cookiecutter" # BSD-3-Clause: its LICENSE file; its metadata carries no licence field
)
# SPDX identifiers allowed in an npm package's `license` (an OR expression passes when one
# side is allowed, an AND when every side is). Python-2.0 is the PSF licence (OSI-approved,
# permissive), allowed for the PyPI tools too: argparse, a port of Python's, carries it
# (js-yaml's, under openapi-typescript).
NPM_ALLOWED="MIT Apache-2.0 BSD-2-Clause BSD-3-Clause ISC 0BSD Python-2.0"

log() { echo "[licenses] $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

install() {
    if [[ -x "$DENY" ]] && [[ "$("$DENY" --version)" == "cargo-deny $DENY_VERSION" ]]; then
        return 0
    fi
    log "building cargo-deny $DENY_VERSION into $DENY_DIR (once; about 2 minutes) ..."
    env -u CARGO_TARGET_DIR cargo install cargo-deny --version "$DENY_VERSION" --locked --quiet \
        --root "$DENY_DIR" --force
}

# deny MANIFEST [CARGO_ARGS...]: cargo deny's licence check of the crate graph of MANIFEST.
deny() {
    local manifest="$1"
    shift
    "$DENY" --manifest-path "$manifest" --locked --exclude-dev "$@" \
        --config "$ROOT/deny.toml" --log-level error check licenses >/dev/null
}

rust() {
    [[ -x "$DENY" ]] || die "cargo-deny is not installed; run: $0 install"
    log "Rust: the workspace"
    deny "$ROOT/Cargo.toml"
    local engine
    engine="$("$ROOT/scripts/dynamodb-local.sh" source)"
    log "Rust: the local engine ($engine)"
    deny "$engine/Cargo.toml" --no-default-features \
        --features "$("$ROOT/scripts/dynamodb-local.sh" features)"
    log "Rust: a crate under vendor terms is refused"
    if deny "$PROBES/vendor-terms/Cargo.toml" --offline >/dev/null 2>&1; then
        die "cargo deny accepted tests/licenses/vendor-terms (LicenseRef-Vendor-Terms)"
    fi
}

# pip_licenses [PIP-LICENSES ARGS...]: the allow-only check (of .venv, or of --python's).
pip_licenses() {
    local allowed
    allowed="$(printf '%s;' "${PYTHON_ALLOWED[@]}")"
    "$VENV/bin/python" -m piplicenses --from=mixed --allow-only="$allowed" \
        --ignore-packages "${PYTHON_READ_BY_HAND[@]}" "$@" >/dev/null
}

python() {
    [[ -x "$VENV/bin/pip-licenses" ]] || die "pip-licenses is not installed; run: scripts/python-tools.sh install"
    log "PyPI: .venv"
    pip_licenses
    local env
    for env in "$VENV"/isolated/*; do
        [[ -x "$env/bin/python" ]] || continue
        log "PyPI: ${env#"$ROOT/"}"
        pip_licenses --python "$env/bin/python"
    done
    log "PyPI: a package under vendor terms is refused"
    # (pip-licenses reads its own interpreter's path, PYTHONPATH included.)
    if PYTHONPATH="$PROBES/python" pip_licenses --packages vendor-terms-probe 2>/dev/null; then
        die "pip-licenses accepted tests/licenses/python (License :: Other/Proprietary License)"
    fi
}

# npm_lock LOCKFILE: every package in an npm lock file (v2/v3, which records each package's
# `license`) is under an allowed licence.
npm_lock() {
    python3 - "$1" "$NPM_ALLOWED" <<'PY'
import json, re, sys

lock_path, allowed = sys.argv[1], set(sys.argv[2].split())


def allowed_expression(expression):
    # SPDX: AND binds tighter than OR; parentheses are flattened (enough for lock files).
    text = expression.replace("(", " ").replace(")", " ")
    return any(
        all(part.strip() in allowed for part in alternative.split(" AND "))
        for alternative in re.split(r"\s+OR\s+", text.strip())
    )


packages = json.load(open(lock_path)).get("packages", {})
refused = [
    f"{path.removeprefix('node_modules/')}@{entry.get('version', '?')}: {entry.get('license', 'no licence')}"
    for path, entry in packages.items()
    if path and not allowed_expression(str(entry.get("license", "")))
]
for line in refused:
    print(f"not an allowed licence: {line}", file=sys.stderr)
sys.exit(1 if refused else 0)
PY
}

npm() {
    local lock
    for lock in "$ROOT"/bench/peer/package-lock.json "$ROOT"/tests/clients/package-lock.json; do
        log "npm: ${lock#"$ROOT/"}"
        npm_lock "$lock"
    done
    log "npm: a package under vendor terms is refused"
    if npm_lock "$PROBES/npm/package-lock.json" 2>/dev/null; then
        die "the npm check accepted tests/licenses/npm (SEE LICENSE IN terms.txt)"
    fi
}

check() {
    rust
    python
    npm
    log "every package is under an allowed open-source licence"
}

case "${1:-}" in
    install) install ;;
    check) check ;;
    *)
        echo "usage: $0 install|check" >&2
        exit 2
        ;;
esac
