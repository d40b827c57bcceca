#!/usr/bin/env bash
# The Python package's own tests (python/tests: the conversions between ops.testing's objects
# and the engine's JSON, end to end against ops.testing through the `scenario` CLI) on both ops
# lines the package supports, and the strict type check of python/ops_scenario_rs against each.
# The venvs are the Python suite's (scripts/python-suite-env.sh): .venv-pysuite (ops 3.9 +
# ops-scenario 8.9) and .venv-pysuite-ops2 (ops 2.23 + ops-scenario 7.23), with pytest; mypy is
# .venv-typecheck's (scripts/typecheck.sh makes it). The engine runs as its CLI: SCENARIO_CLI,
# else target/debug/scenario (built by `cargo build`). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."
export SCENARIO_CLI="${SCENARIO_CLI:-$PWD/target/debug/scenario}"
[ -x "$SCENARIO_CLI" ] || { echo "no $SCENARIO_CLI: cargo build first" >&2; exit 1; }
status=0
for venv in .venv-pysuite .venv-pysuite-ops2; do
    [ -x "$venv/bin/python" ] || { echo "no $venv: run scripts/python-suite-env.sh" >&2; exit 1; }
    echo "-- $venv: ops $("$venv/bin/python" -c 'import ops; print(ops.__version__)')"
    (cd python/tests && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider "$@") || status=1
    if [ -x .venv-typecheck/bin/mypy ]; then
        .venv-typecheck/bin/mypy --config-file python/mypy.ini --python-executable "$venv/bin/python" \
            python/ops_scenario_rs || status=1
    fi
done
exit $status
