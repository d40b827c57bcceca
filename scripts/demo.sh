#!/usr/bin/env bash
# The demo, from a fresh machine: set up Python, then run a real charm through several
# events, printing each output State.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh
VIRTUAL_ENV="$PWD/.venv" cargo run --quiet --release --example demo
