#!/usr/bin/env bash
# The side-by-side benchmark: the seven canonical cases (benches/cases/) through our engine
# (`scenario bench`, release build), through ops.testing 8.9.0 and on ops' own floor, alternating
# in one sitting, as one table (benches/python/side_by_side.py). From a fresh machine: makes .venv
# (our engine's ops) and .venv-bench (the runner's own, pinned by requirements-bench.txt), builds
# the release binary, then runs. Extra arguments go to side_by_side.py (--runs N, --rounds R,
# --cases a,c,g, --tmpdir DIR, --json). Not part of CI: take the numbers on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

./scripts/python-env.sh
[ -x .venv-bench/bin/python ] || "$PYTHON" -m venv .venv-bench
.venv-bench/bin/pip install --quiet --disable-pip-version-check -r requirements-bench.txt

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --locked --release --bin scenario

exec .venv-bench/bin/python benches/python/side_by_side.py \
    --scenario "$CARGO_TARGET_DIR/release/scenario" --ours-venv "$PWD/.venv" "$@"
