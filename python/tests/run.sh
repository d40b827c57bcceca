#!/usr/bin/env bash
# The conversion tests (python/tests) on both ops lines the package supports, and the strict
# type check of python/ops_scenario_rs against each: the project's .venv (ops 3.9 +
# ops-scenario 8.9) and .venv-ops2 (ops 2.23 + ops-scenario 7.23), made by
# scripts/python-env.sh --all. pytest (pinned in requirements-pytest.txt) goes into .pytest-deps
# beside them, so the venvs stay as the engine's tests use them; mypy is .venv-typecheck's.
# The engine runs as its CLI: SCENARIO_CLI, else /work/scenario-cli-snapshot, else
# target/debug/scenario. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."
deps=.pytest-deps
stamp="$deps/.requirements"
if ! cmp -s python/tests/requirements-pytest.txt "$stamp" 2>/dev/null; then
    rm -rf "$deps"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --target "$deps" \
        -r python/tests/requirements-pytest.txt
    cp python/tests/requirements-pytest.txt "$stamp"
fi
status=0
for venv in .venv .venv-ops2; do
    [ -x "$venv/bin/python" ] || { echo "no $venv: run scripts/python-env.sh --all" >&2; exit 1; }
    echo "-- $venv: ops $("$venv/bin/python" -c 'import ops; print(ops.__version__)')"
    (cd python/tests && PYTHONPATH="$PWD/../../$deps" "../../$venv/bin/python" -m pytest -q -p no:cacheprovider "$@") || status=1
    if [ -x .venv-typecheck/bin/mypy ]; then
        .venv-typecheck/bin/mypy --config-file python/mypy.ini --python-executable "$venv/bin/python" \
            python/ops_scenario_rs/_convert.py || status=1
    fi
done
exit $status
