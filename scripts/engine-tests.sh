#!/usr/bin/env bash
# Run the engine's own test binaries (its unit tests and integration tests, not the CLI's,
# not the doctests) as the last `cargo test` built them, in the venv VIRTUAL_ENV names: how
# scripts/test.sh runs the suite again on other ops releases without building it again
# (`cargo test -p ops-scenario` would: the workspace build unifies other features).
# `--only NAME` (repeatable, first): only the test binary NAME (`--only tracing`); the other
# arguments go to each binary.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
only=()
while [ "${1:-}" = "--only" ]; do only+=("${2:?--only needs a test binary name}"); shift 2; done
mapfile -t binaries < <(cargo test --locked --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
root, only = sys.argv[1], sys.argv[2:]
for line in sys.stdin:
    m = json.loads(line)
    if (m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]
            and m["package_id"].startswith(f"path+file://{root}#")
            and (not only or m["target"]["name"] in only)):
        print(m["executable"])
' "$root" ${only[@]+"${only[@]}"})
[ "${#binaries[@]}" -gt 0 ] || { echo "no engine test binaries found" >&2; exit 1; }
status=0
for binary in "${binaries[@]}"; do
    echo "     Running $(basename "$binary")"
    "$binary" -q "$@" || status=1
done
exit $status
