#!/usr/bin/env bash
# Create (or refresh) the project's Python environments: .venv with ops 3.x (the default,
# used by `cargo test` through .cargo/config.toml); with --all also .venv-ops2 with the newest
# ops 2.x, .venv-ops-oldest with the oldest ops the engine supports (2.16), which CI tests
# too, and .venv-tracing (ops 3.x with ops[tracing], for the tracing tests). (scripts/ops-versions.sh makes one venv per supported ops release.)
# With --minor MINOR (for example 3.13), only the venvs of CPython MINOR, which
# scripts/cpython.sh finds or builds, for a build of the engine against that Python
# (scripts/test.sh: PYO3_PYTHON=.venv-pyMINOR/bin/python): .venv-pyMINOR (ops 3.x),
# .venv-pyMINOR-ops2 and .venv-pyMINOR-ops-oldest (the same ops lines as above).
# Idempotent: pip only installs what the requirements files pin and is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
make_venv() {
    local dir=$1 requirements=$2
    # A venv whose interpreter is gone (or does not run) is made anew.
    "$dir/bin/python" -c '' 2>/dev/null || "$PYTHON" -m venv --clear "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
}
if [ "${1:-}" = "--minor" ]; then
    minor=${2:?usage: scripts/python-env.sh --minor MINOR}
    PYTHON=$(scripts/cpython.sh "$minor")
    make_venv ".venv-py$minor" requirements.txt
    make_venv ".venv-py$minor-ops2" requirements-ops2.txt
    make_venv ".venv-py$minor-ops-oldest" requirements-ops-oldest.txt
    exit 0
fi
make_venv .venv requirements.txt
if [ "${1:-}" = "--all" ]; then
    make_venv .venv-ops2 requirements-ops2.txt
    make_venv .venv-ops-oldest requirements-ops-oldest.txt
    make_venv .venv-tracing requirements-tracing.txt
fi
