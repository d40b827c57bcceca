#!/usr/bin/env bash
# Run the engine's own test binaries (its unit tests and integration tests, not the CLI's,
# not the doctests) as the last `cargo test` built them, in the venv VIRTUAL_ENV names: how
# scripts/test.sh runs the suite again on other ops releases without building it again
# (`cargo test -p ops-scenario` would: the workspace build unifies other features).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mapfile -t binaries < <(cargo test --locked --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
root = sys.argv[1]
for line in sys.stdin:
    m = json.loads(line)
    if (m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]
            and m["package_id"].startswith(f"path+file://{root}#")):
        print(m["executable"])
' "$root")
[ "${#binaries[@]}" -gt 0 ] || { echo "no engine test binaries found" >&2; exit 1; }
status=0
for binary in "${binaries[@]}"; do
    echo "     Running $(basename "$binary")"
    "$binary" -q "$@" || status=1
done
exit $status
