#!/usr/bin/env bash
# Type-check the Python shim (py_shim/) with mypy, strict: against ops 3.9 in its own venv
# (.venv-typecheck, pinned by requirements-typecheck.txt, made or refreshed first), then against
# each other ops the suite runs on, through that venv's packages (.venv-ops2: 2.23;
# .venv-ops-oldest: 2.16; .venv-tracing: 3.9 with ops[tracing], when scripts/python-env.sh --all
# has made them). The shim reads
# names that differ between ops releases in ops_private.py only, so the same code must check
# clean against each. The config, the names the shim's modules import each other by, and the
# stub of the Rust objects are in py_shim/ (mypy.ini, module_names/, _scenario_rs.pyi).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv-typecheck/bin/python ] || "$PYTHON" -m venv .venv-typecheck
.venv-typecheck/bin/pip install --quiet --disable-pip-version-check -r requirements-typecheck.txt
mypy() { .venv-typecheck/bin/mypy --config-file py_shim/mypy.ini "$@" py_shim/*.py; }
echo "-- against ops $(.venv-typecheck/bin/python -c 'import ops; print(ops.__version__)')"
mypy
for venv in .venv-ops2 .venv-ops-oldest .venv-tracing; do
    if [ -x "$venv/bin/python" ]; then
        echo "-- against ops $("$venv/bin/python" -c 'import ops; print(ops.__version__)') ($venv)"
        mypy --python-executable "$venv/bin/python"
    fi
done
