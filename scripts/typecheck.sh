#!/usr/bin/env bash
# Type-check the Python shim (py_shim/) with mypy, strict, against ops 3.9: its own venv
# (.venv-typecheck, pinned by requirements-typecheck.txt), made or refreshed first. The config,
# the names the shim's modules import each other by, and the stub of the Rust objects are in
# py_shim/ (mypy.ini, module_names/, _scenario_rs.pyi).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv-typecheck/bin/python ] || "$PYTHON" -m venv .venv-typecheck
.venv-typecheck/bin/pip install --quiet --disable-pip-version-check -r requirements-typecheck.txt
exec .venv-typecheck/bin/mypy --config-file py_shim/mypy.ini py_shim/*.py
