#!/usr/bin/env bash
# Run the ops.testing-style suite (tests/python) on each ops line, on ops.testing and on the
# engine, and compare the two runs test by test.
#
# For each line (ops3: ops 3.9 + ops-scenario 8.9 in .venv-pysuite; ops2: ops 2.23 +
# ops-scenario 7.23 in .venv-pysuite-ops2; ops3-tracing: ops 3.9 + ops-scenario 8.9 with
# ops[tracing] in .venv-pysuite-tracing; all made by scripts/python-suite-env.sh):
#   1. the suite on ops.testing, with --junitxml: every test must pass or skip there;
#   2. the suite again with OPS_SCENARIO_ENGINE=rust (the engine's pytest plugin then puts its
#      Context in place of ops.testing's), with --junitxml;
#   3. scripts/compare-junit.py of the two reports, with the allowed differences of
#      tests/python/DIFFERENCES.txt: a test whose outcome differs and is not listed, a test only
#      one run collected, or a run with no tests fails the script.
# The reports are left in target/python-suite/<line>-ops-testing.xml and <line>-engine.xml.
#
# Usage: scripts/python-suite.sh [--engine auto|rust|none] [--ops-testing-only] [--line ops3|ops2]
#                                [--no-setup] [-- PYTEST_ARGS...]
#   --engine auto      (default) run the engine half where `import ops_scenario_rs` works in the
#                      line's venv; where it does not, say so and skip that half
#   --engine rust      the engine half is required: a venv without ops_scenario_rs fails
#   --engine none, --ops-testing-only
#                      run on ops.testing only
#   --line LINE        only this ops line (repeatable); default all three
#   --no-setup         do not run scripts/python-suite-env.sh first
#   -- PYTEST_ARGS     passed to both pytest runs (a -k selection, -x, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

engine=auto
lines=()
setup=true
pytest_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --engine) engine=${2:?--engine needs auto, rust or none}; shift 2 ;;
        --engine=*) engine=${1#--engine=}; shift ;;
        --ops-testing-only) engine=none; shift ;;
        --line) lines+=("${2:?--line needs ops3, ops2 or ops3-tracing}"); shift 2 ;;
        --line=*) lines+=("${1#--line=}"); shift ;;
        --no-setup) setup=false; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; pytest_args=("$@"); break ;;
        *) echo "python-suite.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$engine" in auto|rust|none) ;; *) echo "python-suite.sh: --engine is auto, rust or none, not $engine" >&2; exit 2 ;; esac
[ ${#lines[@]} -gt 0 ] || lines=(ops3 ops2 ops3-tracing)

venv_of() {
    case "$1" in
        ops3) echo .venv-pysuite ;;
        ops2) echo .venv-pysuite-ops2 ;;
        ops3-tracing) echo .venv-pysuite-tracing ;;
        *) echo "python-suite.sh: unknown ops line $1 (ops3, ops2 or ops3-tracing)" >&2; exit 2 ;;
    esac
}
for line in "${lines[@]}"; do venv_of "$line" >/dev/null; done

$setup && scripts/python-suite-env.sh

out=target/python-suite
mkdir -p "$out"
# The reference runs see no switch, whatever the caller's environment says.
unset OPS_SCENARIO_ENGINE

# run_suite VENV XML: the suite in VENV, its JUnit report in XML; returns pytest's status.
run_suite() {
    local venv=$1 xml=$2
    rm -f "$xml"
    "$venv/bin/python" -m pytest tests/python -q -p no:cacheprovider --junitxml="$xml" \
        ${pytest_args[@]+"${pytest_args[@]}"}
}

failed=()
echo "== the comparer's own tests"
.venv-pysuite/bin/python -m pytest -q -p no:cacheprovider scripts/test_compare_junit.py \
    || failed+=("scripts/test_compare_junit.py")

for line in "${lines[@]}"; do
    venv=$(venv_of "$line")
    versions=$("$venv/bin/python" -c \
        'from importlib.metadata import version as v; print("ops", v("ops") + ", ops-scenario", v("ops-scenario"))')
    reference="$out/$line-ops-testing.xml"
    engine_xml="$out/$line-engine.xml"

    echo "== $line ($versions): on ops.testing"
    status=0
    run_suite "$venv" "$reference" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "python-suite.sh: the suite does not pass on ops.testing ($line, pytest status $status)"
        failed+=("$line on ops.testing")
    fi

    if [ "$engine" = none ]; then
        echo "-- $line: the engine half is not run (--ops-testing-only)"
        continue
    fi
    if ! "$venv/bin/python" -c 'import ops_scenario_rs' 2>/dev/null; then
        message="ops_scenario_rs does not import in $venv (install it with scripts/python-suite-env.sh --with-engine)"
        if [ "$engine" = rust ]; then
            echo "python-suite.sh: --engine rust: $message"
            failed+=("$line on the engine: not installed")
        else
            echo "-- SKIPPED the engine half on $line: $message; --ops-testing-only skips it on purpose"
        fi
        continue
    fi

    echo "== $line ($versions): on the engine (OPS_SCENARIO_ENGINE=rust)"
    status=0
    OPS_SCENARIO_ENGINE=rust run_suite "$venv" "$engine_xml" || status=$?
    # Failing tests (1) are for the comparison to judge; any other status is a broken run.
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        echo "python-suite.sh: the engine run did not complete ($line, pytest status $status)"
        failed+=("$line on the engine: pytest status $status")
        continue
    fi

    echo "== $line: ops.testing vs the engine, test by test"
    .venv-pysuite/bin/python scripts/compare-junit.py "$reference" "$engine_xml" \
        --allowed tests/python/DIFFERENCES.txt --labels ops.testing engine \
        || failed+=("$line: ops.testing vs the engine")
done

if [ ${#failed[@]} -gt 0 ]; then
    printf 'python-suite.sh: FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "python-suite.sh: OK (${lines[*]})"
