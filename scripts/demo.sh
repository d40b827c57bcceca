#!/usr/bin/env bash
# The demo, from a fresh machine: set up Python, build (cargo shows its progress; the first
# build takes a few minutes), then run real charms through several events, printing what each
# run did and what it changed in the State.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Python environment (.venv, ops pinned by requirements.txt)"
scripts/python-env.sh
echo "== building the demo (release)"
VIRTUAL_ENV="$PWD/.venv" cargo build --locked --release --example demo
echo "== the demo"
VIRTUAL_ENV="$PWD/.venv" cargo run --locked --quiet --release --example demo
