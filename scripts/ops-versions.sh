#!/usr/bin/env bash
# The whole test suite on every ops release the engine supports: the latest patch release of
# each ops minor version from 2.16 to 3.9 (or only the versions given as arguments).
#
#   scripts/ops-versions.sh            # all 18 (30-90 s each on 2 cores, after the first build)
#   scripts/ops-versions.sh 2.16.1 3.4.0
#
# Each version gets its own venv, .venv-ops-<version>, holding exactly `ops==<version>` and
# its dependencies (made once, refreshed by pip on later runs). `cargo test --locked
# --no-fail-fast` then runs against it; its output goes to target/ops-versions/<version>.log.
# One pass/fail line per version, then a summary; the exit code is non-zero if any failed.
# CI (scripts/test.sh) runs only the oldest, 2.23.x and the newest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

# The latest patch release of every minor version (PyPI, `pip index versions ops`).
# ops 2.16-2.23 need Python >= 3.8, ops 3.x needs Python >= 3.10.
VERSIONS=(
    2.16.1 2.17.1 2.18.1 2.19.4 2.20.0 2.21.1 2.22.0 2.23.6
    3.0.0 3.1.0 3.2.0 3.3.1 3.4.0 3.5.2 3.6.0 3.7.1 3.8.3 3.9.0
)
[ $# -eq 0 ] || VERSIONS=("$@")

logs=target/ops-versions
mkdir -p "$logs"
failed=()
for version in "${VERSIONS[@]}"; do
    venv="$PWD/.venv-ops-$version"
    log="$logs/$version.log"
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ops==$version"
    start=$SECONDS
    if VIRTUAL_ENV="$venv" cargo test --locked --no-fail-fast >"$log" 2>&1; then
        printf 'ops %-7s PASS  (%ds)\n' "$version" $((SECONDS - start))
    else
        failed+=("$version")
        printf 'ops %-7s FAIL  (%ds)  %s\n' "$version" $((SECONDS - start)) "$log"
        # The failing tests, as libtest names them (the first few; the log has them all).
        names=$(grep -E '^test .* FAILED$' "$log" | sed -E 's/^test (.*) \.\.\. FAILED$/\1/' || true)
        if [ -n "$names" ]; then
            echo "    $(printf '%s\n' "$names" | grep -c .) failed test(s):"
            printf '%s\n' "$names" | sed -n '1,10s/^/      /p'
        fi
        # A build error, if that is what failed.
        grep -m 5 -E '^error(\[|:)' "$log" | grep -v 'test failed, to rerun' | sed 's/^/    /' || true
    fi
done

echo "== ${#VERSIONS[@]} ops versions, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
