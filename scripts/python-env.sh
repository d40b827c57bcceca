#!/usr/bin/env bash
# Create (or refresh) the project's Python environments: .venv with ops 3.x (the default,
# used by `cargo test` through .cargo/config.toml); with --all also .venv-ops2 with the newest
# ops 2.x and .venv-ops-oldest with the oldest ops the engine supports (2.16), which CI tests
# too. (scripts/ops-versions.sh makes one venv per supported ops release.)
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
    make_venv .venv-ops-oldest requirements-ops-oldest.txt
fi
