#!/usr/bin/env bash
# Create (or refresh) the venvs the Python suite (tests/python) runs in, from pinned
# requirements: .venv-pysuite (ops 3.9 + ops-scenario 8.9), .venv-pysuite-ops2 (ops 2.23 +
# ops-scenario 7.23) and .venv-pysuite-tracing (ops 3.9 + ops-scenario 8.9 with ops[tracing]),
# each with pytest. When the engine's Python package is wanted in them
# too, pass --with-engine: `pip install .` of this checkout goes into each (it needs the
# repository's pyproject.toml, which the engine package brings).
# Idempotent: pip only installs what the requirements files pin and is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
with_engine=false
for arg in "$@"; do
    case "$arg" in
        --with-engine) with_engine=true ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "python-suite-env.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done
make_venv() {
    local dir=$1 requirements=$2
    [ -x "$dir/bin/python" ] || "$PYTHON" -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    if $with_engine; then
        # Exactly what a user types (`pip install <checkout>`: maturin from PyPI builds the
        # wheel), after taking out an earlier build so the current sources are installed. The
        # Rust build shares one target directory between the venvs and runs of this script.
        if "$dir/bin/pip" show --quiet ops-scenario-rs 2>/dev/null; then
            "$dir/bin/pip" uninstall --quiet --disable-pip-version-check --yes ops-scenario-rs
        fi
        CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/python-package}" \
            "$dir/bin/pip" install --quiet --disable-pip-version-check .
    fi
}
make_venv .venv-pysuite tests/python/requirements.txt
make_venv .venv-pysuite-ops2 tests/python/requirements-ops2.txt
make_venv .venv-pysuite-tracing tests/python/requirements-tracing.txt
