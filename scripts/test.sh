#!/usr/bin/env bash
# The whole test suite, from a fresh machine: Python environments, formatting, lints (the
# workspace, and the engine alone with its default features), the Python shim's types, every
# test of the workspace (unit, integration, doc, the CLI's) on ops 3.x, the engine's tests
# again on the newest ops 2.x and on the oldest supported ops (2.16), the tracing tests on ops 3.x
# with ops[tracing], the 100,000-run memory
# soak (release build) on each, the engine's integration tests again on a second Python minor
# (CPython 3.13: a debug build of its own in target/py3.13, with ops 3.9, 2.23 and 2.16), the CLI built there
# running a charm whose own .venv is 3.13, and a lint of the
# engine for CPython 3.14 (no such Python here: its code paths must compile), every bench run once,
# the conformance corpus against ops.testing, and the ops.testing-style Python suite
# (tests/python) on ops 3.9, 2.23 and 3.9 with ops[tracing].
# (scripts/ops-versions.sh runs the tests on every supported ops minor release.)
set -euo pipefail
cd "$(dirname "$0")/.."
# Each section's heading says how long the run has taken so far.
echo() { if [[ "$1" == "== "* ]]; then builtin echo "$1 [at ${SECONDS}s]"; else builtin echo "$@"; fi; }
# A CI machine may have little disk (one had under 4 GB free): with SCENARIO_CI_LEAN=1 (.ci/run
# sets it) each extra build folder goes once its section is done. Locally they stay, to be reused.
lean() { if [[ "${SCENARIO_CI_LEAN:-}" == 1 ]]; then rm -rf "$@"; fi; }
scripts/python-env.sh --all
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
echo "== the engine alone, as a charm's tests get it: default features, no C compiled (no SQLite), no schemars"
if cargo tree -p ops-scenario -e normal,build --prefix none | grep -E '^(cc|rusqlite|libsqlite3-sys|schemars) '; then
    echo "the engine's default build has optional weight: keep it behind a feature" >&2
    exit 1
fi
cargo clippy -p ops-scenario --all-targets --locked -- -D warnings
# The rustdoc of every feature: its links resolve (a renamed item breaks the docs, not the build).
RUSTDOCFLAGS="-D warnings" cargo doc -p ops-scenario --all-features --no-deps --locked --quiet
# The Python package's crate: its own build (abi3 pyo3, the engine without `embed`), as maturin
# builds it.
CARGO_TARGET_DIR="$PWD/target/python-package" cargo clippy -p ops-scenario-py --locked -- -D warnings
lean target/python-package
echo "== the Python shim's types: mypy, strict, pinned (requirements-typecheck.txt), against ops 3.9, 2.23 and 2.16"
scripts/typecheck.sh
echo "== tests on ops 3.x (.venv): the workspace's, doctests included"
VIRTUAL_ENV="$PWD/.venv" cargo test --locked
echo "== the engine's tests on ops 2.23 (.venv-ops2)"
VIRTUAL_ENV="$PWD/.venv-ops2" scripts/engine-tests.sh
echo "== the engine's tests on ops 2.16, the oldest supported (.venv-ops-oldest)"
VIRTUAL_ENV="$PWD/.venv-ops-oldest" scripts/engine-tests.sh
echo "== ops' tracing captured, on ops 3.9 with ops[tracing] (.venv-tracing): the tracing test, and the same-process one (ops behaves differently with ops_tracing importable)"
VIRTUAL_ENV="$PWD/.venv-tracing" scripts/engine-tests.sh --only tracing --only same_process
echo "== the engine's unit and integration tests on a second Python minor: CPython 3.13 (its own debug build, target/py3.13), on ops 3.9, 2.23 and 2.16 (.venv-py3.13*)"
# As a charm's repository builds for its venv: PYO3_PYTHON names the venv's python. The
# Python comes from scripts/cpython.sh (found, or built once per machine from Debian's source).
scripts/python-env.sh --minor 3.13
PYO3_PYTHON="$PWD/.venv-py3.13/bin/python" VIRTUAL_ENV="$PWD/.venv-py3.13" CARGO_TARGET_DIR="$PWD/target/py3.13" \
    cargo test --locked -p ops-scenario --lib --test engine
# The same test binary on the other ops lines (VIRTUAL_ENV only chooses the venv at run time).
engine_py313=$(PYO3_PYTHON="$PWD/.venv-py3.13/bin/python" VIRTUAL_ENV="$PWD/.venv-py3.13" \
    CARGO_TARGET_DIR="$PWD/target/py3.13" cargo test --locked -p ops-scenario --test engine --no-run \
    --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])')
for venv in .venv-py3.13-ops2 .venv-py3.13-ops-oldest; do
    echo "-- $venv"
    VIRTUAL_ENV="$PWD/$venv" "$engine_py313" -q
done
echo "== the scenario CLI built against CPython 3.13 runs a charm whose own .venv is 3.13, found without VIRTUAL_ENV"
PYO3_PYTHON="$PWD/.venv-py3.13/bin/python" CARGO_TARGET_DIR="$PWD/target/py3.13" cargo build --locked -p ops-scenario-cli
charm=$(mktemp -d)
mkdir "$charm/src"
ln -s "$PWD/.venv-py3.13" "$charm/.venv"
echo "name: which-python" >"$charm/charmcraft.yaml"
cat >"$charm/src/charm.py" <<'EOF'
import sys

import ops


class WhichPython(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent):
        version = f'{sys.version_info[0]}.{sys.version_info[1]}'
        self.unit.status = ops.ActiveStatus(f'Python {version} in {sys.prefix}')
EOF
env -u VIRTUAL_ENV target/py3.13/debug/scenario run --charm "$charm" --event start >"$charm/output.json"
if ! grep -qF "\"message\": \"Python 3.13 in $charm/.venv\"" "$charm/output.json"; then
    echo "the charm did not run on Python 3.13 in its own .venv:" >&2
    cat "$charm/output.json" >&2
    exit 1
fi
rm -rf "$charm"
lean target/py3.13
echo "== the engine's code for CPython 3.14 compiles, lint-clean (its cfg(Py_3_14) paths): a pyo3 config file stands for the Python (target/py3.14-check)"
mkdir -p target/py3.14-check
printf '%s\n' implementation=CPython version=3.14 shared=true target_abi=CPython-gil_enabled-3.14 \
    lib_name=python3.14 pointer_width=64 build_flags= suppress_build_script_link_lines=false \
    >target/py3.14-check/pyo3-config.txt
PYO3_CONFIG_FILE="$PWD/target/py3.14-check/pyo3-config.txt" CARGO_TARGET_DIR="$PWD/target/py3.14-check" \
    cargo clippy --locked -p ops-scenario --all-targets -- -D warnings
lean target/py3.14-check
echo "== memory soak, 100,000 runs (release build of the engine as a charm's tests get it), on each"
for venv in .venv .venv-ops2 .venv-ops-oldest; do
    VIRTUAL_ENV="$PWD/$venv" cargo test --release --locked -p ops-scenario --test memory -- --nocapture
done
echo "== the benches run once each (criterion's test mode: the case files still run as expected)"
VIRTUAL_ENV="$PWD/.venv" cargo bench --locked -p ops-scenario --bench throughput --bench explore -- --test
echo "== conformance against ops.testing 8.9"
./scripts/conformance.sh
echo "== the Python package: \`pip install .\` of this checkout into the Python suite's venvs (ops 3.9 + ops-scenario 8.9, ops 2.23 + ops-scenario 7.23, ops 3.9 + ops-scenario 8.9 with ops[tracing])"
scripts/python-suite-env.sh --with-engine
lean target/python-package
echo "== the package's own tests (its conversions, end to end against ops.testing) and types, on both ops lines"
python/tests/run.sh
echo "== the Python suite (tests/python) on ops 3.9, 2.23 and 3.9 with ops[tracing]: on ops.testing, then on the engine, compared test by test"
scripts/python-suite.sh --no-setup --engine rust
echo "== done"
