#!/usr/bin/env bash
# The conformance suite: our `scenario` CLI against ops.testing 8.9.0 (ops 3.9.0), case by case.
# From a fresh machine: makes .venv (our engine's ops) and .venv-conformance (the reference),
# builds the CLI, runs the comparer's self-test, then the whole corpus (conformance/cases),
# printing a tally per area. Exits non-zero on any difference no named rule accepts
# (conformance/DIFFERENCES.md). Extra arguments go to compare.py (e.g. --verbose, or case
# files/directories instead of the whole corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

./scripts/python-env.sh
[ -x .venv-conformance/bin/python ] || "$PYTHON" -m venv .venv-conformance
.venv-conformance/bin/pip install --quiet --disable-pip-version-check -r conformance/requirements.txt

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --locked --bin scenario
export SCENARIO_BIN="$CARGO_TARGET_DIR/debug/scenario"
export VIRTUAL_ENV="$PWD/.venv"

echo "== comparer self-test"
.venv-conformance/bin/python conformance/test_compare.py

echo "== corpus"
has_cases=no
for a in "$@"; do case "$a" in -*) ;; *) has_cases=yes ;; esac; done
[ "$has_cases" = yes ] || set -- "$@" conformance/cases
exec .venv-conformance/bin/python conformance/compare.py "$@"
