#!/usr/bin/env bash
# The whole test suite, from a fresh machine: Python environments, formatting, lints, every
# test (unit, integration, doc) on ops 3.x and again on ops 2.x, and the conformance corpus
# against ops.testing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh --all
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
echo "== tests on ops 3.x (.venv)"
VIRTUAL_ENV="$PWD/.venv" cargo test --locked
echo "== tests on ops 2.x (.venv-ops2)"
VIRTUAL_ENV="$PWD/.venv-ops2" cargo test --locked
echo "== conformance against ops.testing 8.9"
./scripts/conformance.sh
