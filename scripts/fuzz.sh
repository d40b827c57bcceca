#!/usr/bin/env bash
# Fuzz the State/case JSON reader, the metadata YAML reader and the consistency checker with
# cargo fuzz (libFuzzer; needs the nightly toolchain). Not part of CI.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]
#
# TARGET is case_json, metadata_yaml or consistency (default: all three, one after the other);
# SECONDS is each target's time (default 600). One job per target. The committed seeds in
# fuzz/corpus/TARGET are read, never written: what a run finds goes to fuzz/corpus-run/TARGET
# (kept between runs, ignored by git), and a crash to fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
all=(case_json metadata_yaml consistency)
target=${1:-all}
seconds=${2:-600}
if [[ $target == all ]]; then
    targets=("${all[@]}")
else
    targets=("$target")
fi

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus-run/$t"
    echo "== $t: ${seconds} s" >&2
    cargo +nightly fuzz run "$t" "fuzz/corpus-run/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -print_final_stats=1
done
