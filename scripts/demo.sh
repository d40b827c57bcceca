#!/usr/bin/env bash
# The demo, from a fresh machine: set up Python, build (cargo shows its progress; the first
# build takes a few minutes), then run real charms through several events, printing what each
# run did and what it changed in the State; then the Python package: ops.testing-style tests
# run as they are on ops.testing and on the engine (the pytest switch).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Python environment (.venv, ops pinned by requirements.txt)"
scripts/python-env.sh
echo "== building the demo (release)"
VIRTUAL_ENV="$PWD/.venv" cargo build --locked --release --example demo
echo "== the demo"
VIRTUAL_ENV="$PWD/.venv" cargo run --locked --quiet --release --example demo
echo
echo "== the same engine from Python: ops.testing-style tests run unmodified, on ops.testing and then on the engine"
echo "   (the package built from this checkout with pip, into the Python suite's venvs)"
scripts/python-suite-env.sh --with-engine
for engine in ops-testing rust; do
    echo "-- OPS_SCENARIO_ENGINE=$engine pytest tests/python/test_relations.py tests/python/test_manager.py"
    (cd tests/python && OPS_SCENARIO_ENGINE=$engine ../../.venv-pysuite/bin/python -m pytest \
        -p no:cacheprovider test_relations.py test_manager.py 2>&1 | grep -E "ops_scenario_rs|passed|failed")
done
