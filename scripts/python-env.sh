#!/usr/bin/env bash
# Create (or refresh) the project's Python environments: .venv with ops 3.x (the default,
# used by `cargo test` through .cargo/config.toml) and .venv-ops2 with ops 2.x.
# Idempotent: pip only installs what the requirements files pin and is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
make_venv() {
    local dir=$1 requirements=$2
    [ -x "$dir/bin/python" ] || "$PYTHON" -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
}
make_venv .venv requirements.txt
if [ "${1:-}" = "--all" ]; then
    make_venv .venv-ops2 requirements-ops2.txt
fi
