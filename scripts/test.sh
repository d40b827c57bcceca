#!/usr/bin/env bash
# The whole test suite, from a fresh machine: Python environments, formatting, lints, every
# test (unit, integration, doc) on ops 3.x, again on the newest ops 2.x and on the oldest
# supported ops (2.16), the 100,000-run memory soak (release build) on each, every bench run
# once, and the conformance corpus against ops.testing.
# (scripts/ops-versions.sh runs the tests on every supported ops minor release.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh --all
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
echo "== the engine alone, as a charm's tests get it: default features, no C compiled (no SQLite), no schemars"
if cargo tree -p ops-scenario -e normal,build --prefix none | grep -E '^(cc|rusqlite|libsqlite3-sys|schemars) '; then
    echo "the engine's default build has optional weight: keep it behind a feature" >&2
    exit 1
fi
cargo build -p ops-scenario --locked
echo "== the Python shim's types: mypy, strict, pinned (requirements-typecheck.txt), against ops 3.9, 2.23 and 2.16"
scripts/typecheck.sh
echo "== tests on ops 3.x (.venv)"
VIRTUAL_ENV="$PWD/.venv" cargo test --locked
echo "== tests on ops 2.23 (.venv-ops2)"
VIRTUAL_ENV="$PWD/.venv-ops2" cargo test --locked
echo "== tests on ops 2.16, the oldest supported (.venv-ops-oldest)"
VIRTUAL_ENV="$PWD/.venv-ops-oldest" cargo test --locked
echo "== memory soak, 100,000 runs (release build), on each"
for venv in .venv .venv-ops2 .venv-ops-oldest; do
    VIRTUAL_ENV="$PWD/$venv" cargo test --release --locked --test memory -- --nocapture
done
echo "== the benches run once each (criterion's test mode: the case files still run as expected)"
VIRTUAL_ENV="$PWD/.venv" cargo bench --locked --bench throughput -- --test
echo "== conformance against ops.testing 8.9"
./scripts/conformance.sh
