#!/usr/bin/env bash
# A real charm's Scenario-style unit tests as a workload, on ops.testing and/or on our engine
# (issue 18, part 5):
#
#   scripts/real-charm.sh REPO COMMIT [--engine ops-testing|rust|both] [--repeat N] [--profile]
#                         [-- PYTEST_ARGS...]
#
# REPO is a fetched repository: a git directory (bare, as the session's fetch tool gives it, or a
# clone), or owner/name, looked up as $REALCHARM_MIRROR/owner+name/repo (default .mirror beside this checkout, where
# the fetch tool puts it). COMMIT is anything git resolves there (a hash, a branch).
#
# In a scratch folder outside this repository ($REALCHARM_DIR, default realcharms beside this checkout), it builds:
#   <charm>@<commit12>/src        the charm's tree at COMMIT, laid anew before every run, plus the
#                                 charm libs it pins but does not commit (charmcraft.yaml `charm-libs`),
#                                 taken from another fetched repository at the pinned LIBAPI.LIBPATCH
#   <charm>@<commit12>/venv       ops.testing's side: the charm's own uv.lock (`uv export --frozen
#                                 --all-extras --all-groups`), installed with uv into $PYTHON's venv
#   <charm>@<commit12>/venv-rust  the same, plus this checkout's package (ops-scenario-rs), only when
#                                 the rust engine is asked for (see install_our_package)
#   <charm>@<commit12>/results/<time>/   per run: JUnit XML, runtimer JSON, the pytest log
#   tools/ (uv pinned), uv-cache/ (shared by every venv here, hard-linked into them)
# Venvs are reused while the exported requirements and $PYTHON are unchanged.
#
# Each run is sandboxed (unshare, as root or in a user namespace): private /tmp (a fresh folder on
# disk, as a developer's /tmp is; REALCHARM_TMP=tmpfs for one in memory), a private empty
# /usr/local/share/ca-certificates, no network but loopback, the root file system read-only but for
# the scratch folder, a no-op `update-ca-certificates` first on PATH (alertmanager writes the host CA
# store and runs that command), HOME in the private /tmp, and an environment of only what the charm's
# tox.ini sets. Engines alternate round by round (--repeat N: N rounds). Then it prints, per run and as
# medians per engine: tests and outcomes, the pytest process's wall time, and the time inside
# Context.run / the manager form with the number of runs (../shared/tools/runtimer.py, as
# `-p runtimer`), and the CPU time of the test's thread inside them, with the garbage collector's wall
# time there (scripts/real_charm/realcharm_cputime.py: steadier than wall time on a busy machine);
# with both engines, the per-test outcome differences (scripts/real_charm/report.py).
# --profile: every run under py-spy (pinned, in tools/; `py-spy record --format raw --full-filenames`,
# with --native too if REALCHARM_PYSPY_NATIVE=1), and per run where the time inside runs goes
# (scripts/real_charm/pyspy_summary.py): the charm's own code, the harness it calls, log handling,
# and the biggest functions of the rest. Profiled runs are slower: take timings from runs without it.
# Exit status: non-zero when a step fails, when a rust run did not run on our engine, or when the
# engines' outcomes differ.
#
# Environment: PYTHON (the venvs' interpreter, default python3.11), REALCHARM_DIR, REALCHARM_MIRROR,
# REALCHARM_TESTS (test paths instead of the charm's Scenario-style files), REALCHARM_TMP (disk|tmpfs),
# RUNTIMER (path to runtimer.py), OPS_SCENARIO_RS_WHEEL (install this wheel into venv-rust instead of
# building this checkout), LIBS_REPO / LIBS_COMMIT (override where the missing charm libs come from).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
OUR_ROOT="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-python3.11}"
SCRATCH_ROOT="${REALCHARM_DIR:-$(dirname "$OUR_ROOT")/realcharms}"
MIRROR="${REALCHARM_MIRROR:-$(dirname "$OUR_ROOT")/.mirror}"
RUNTIMER="${RUNTIMER:-$OUR_ROOT/../shared/tools/runtimer.py}"
UV_VERSION=0.13.8
PYSPY_VERSION=0.4.3

die() { echo "real-charm.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }

# ---- arguments ----
[ $# -ge 2 ] || die "usage: $0 REPO COMMIT [--engine ops-testing|rust|both] [--repeat N] [--profile] [-- PYTEST_ARGS...]"
REPO_ARG=$1 COMMIT_ARG=$2
shift 2
ENGINE=both REPEAT=1 PROFILE=''
PYTEST_EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --engine) ENGINE=${2:?}; shift 2 ;;
        --engine=*) ENGINE=${1#*=}; shift ;;
        --repeat) REPEAT=${2:?}; shift 2 ;;
        --repeat=*) REPEAT=${1#*=}; shift ;;
        --profile) PROFILE=1; shift ;;
        --) shift; PYTEST_EXTRA=("$@"); break ;;
        *) die "unknown argument: $1" ;;
    esac
done
case "$ENGINE" in
    ops-testing) ENGINES=(ops-testing) ;;
    rust) ENGINES=(rust) ;;
    both) ENGINES=(ops-testing rust) ;;
    *) die "--engine is ops-testing, rust or both, not $ENGINE" ;;
esac
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "--repeat takes a positive count"
[ -f "$RUNTIMER" ] || die "runtimer.py not found at $RUNTIMER (set RUNTIMER)"
case "$SCRATCH_ROOT" in /tmp|/tmp/*) die "REALCHARM_DIR must not be under /tmp: the sandbox gives each run a private /tmp" ;; esac

# A fetched repository's git directory, from a path (bare or not) or owner/name.
git_dir_of() {
    local arg=$1
    if [ -d "$arg" ]; then
        git -C "$arg" rev-parse --absolute-git-dir 2>/dev/null \
            || die "$arg is not a git repository"
    elif [[ "$arg" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
        local d="$MIRROR/${arg/\//+}/repo"
        [ -d "$d" ] || die "$arg: no fetched copy at $d (fetch it first, or pass its git directory)"
        git -C "$d" rev-parse --absolute-git-dir
    else
        die "$arg: neither a directory nor owner/name"
    fi
}

GIT_DIR_CHARM="$(git_dir_of "$REPO_ARG")"
COMMIT="$(git --git-dir="$GIT_DIR_CHARM" rev-parse --verify "$COMMIT_ARG^{commit}")" \
    || die "$COMMIT_ARG is not a commit of $REPO_ARG"
CHARM="$(git --git-dir="$GIT_DIR_CHARM" show "$COMMIT:charmcraft.yaml" 2>/dev/null \
    | sed -n 's/^name: *["'"'"']\{0,1\}\([A-Za-z0-9_-]*\).*/\1/p' | head -1)"
[ -n "$CHARM" ] || CHARM="$(git --git-dir="$GIT_DIR_CHARM" show "$COMMIT:metadata.yaml" 2>/dev/null \
    | sed -n 's/^name: *["'"'"']\{0,1\}\([A-Za-z0-9_-]*\).*/\1/p' | head -1)"
[ -n "$CHARM" ] || die "no charm name in charmcraft.yaml or metadata.yaml at $COMMIT"

# ---- per-charm specifics ----
# TEST_PATHS: the Scenario-style unit tests (files that use ops.testing's / scenario's Context and
#   State), relative to the charm's root. Harness-only files are left out: the switch does not touch
#   Harness, so they would only add time on both sides.
# PYPATH: PYTHONPATH entries relative to the charm's root, as its tox.ini sets them.
# CHARM_ENV: environment variables its tox.ini sets for unit tests.
# LIBS_FROM / LIBS_FROM_COMMIT: where the charm libs it pins but does not commit come from (a fetched
#   repository whose lib/ carries them), and the commit whose history is searched, newest first, for
#   the file at the pinned LIBAPI.LIBPATCH (falling back to that repository's HEAD if the commit is
#   not in the fetched copy).
# DROP_REQS: packages of the exported lock left out of the venvs (those only a registry other than
#   PyPI gives, such as a git source for integration tests, which the venv build cannot reach).
LIBS_FROM='' LIBS_FROM_COMMIT=''
CHARM_ENV=()
DROP_REQS=()
case "$CHARM" in
    self-signed-certificates)
        # canonical/self-signed-certificates-operator. Every file in tests/unit uses `scenario`
        # (ops-scenario 8; `import scenario`), 21 tests. tox: PYTHONPATH = lib:src.
        # charmcraft.yaml pins certificate_transfer_interface.certificate_transfer 1.15,
        # tempo_coordinator_k8s.charm_tracing 0.12 and .tracing 0.11, not committed: traefik-k8s
        # carries the three (its main at 8ab4a7e6 has exactly those patches).
        # Its test_charm_configure.py patches builtins.open for good (a patcher started in an autouse
        # fixture, never stopped: one more per test) and every later test runs with it; the charm
        # writes /tmp/ca-cert.pem; charm_tracing leaves one OpenTelemetry exporter thread per run.
        TEST_PATHS=(tests/unit)
        PYPATH=(lib src)
        LIBS_FROM=canonical/traefik-k8s-operator
        LIBS_FROM_COMMIT=8ab4a7e6c1dcc1b62460fcddb72074c329da8721
        ;;
    alertmanager-k8s)
        # canonical/alertmanager-k8s-operator (ops 2.23 + ops-scenario 7.23 in its lock; the lock
        # says requires-python ~=3.14 since the 26.04 base, but it installs and passes on 3.11).
        # tox: PYTHONPATH = .:lib:src, JUJU_VERSION=3.0.3 for unit tests.
        # These five files use ops.testing's Context/State (41 tests; 26 of them run the charm, the
        # others test helpers in the same files). Harness-only: test_charm.py, test_consumer.py,
        # test_external_url.py, test_push_config_to_workload_on_startup.py,
        # test_remote_configuration_{provider,requirer}.py, test_self_scrape_jobs.py; neither:
        # test_alertmanager_client.py. The charm writes /usr/local/share/ca-certificates/ and runs
        # update-ca-certificates on the host (src/charm.py _update_ca_certs). tests/unit/conftest.py
        # binds `from ops.testing import Context` at import, before pytest_configure, and its
        # autouse fixture patches subprocess.run, lightkube's client and socket.getfqdn per test.
        # The charm's __init__ builds an ssl.create_default_context() every run (about 20 ms here).
        TEST_PATHS=(tests/unit/test_brute_isolated.py tests/unit/test_config_changes.py
                    tests/unit/test_log_forwarding.py tests/unit/test_server_scheme.py
                    tests/unit/test_workload_tracing.py)
        PYPATH=(. lib src)
        CHARM_ENV=(JUJU_VERSION=3.0.3)
        ;;
    loki-k8s)
        # canonical/loki-k8s-operator (ops 3.7 + ops-scenario 8.7 in its lock, which says
        # requires-python ==3.14; it installs on 3.11). tox: PYTHONPATH = .:lib:src, nothing else for
        # unit tests; it commits every charm lib it uses. Every file in tests/unit but
        # test_charm_logging_config.py (plain functions over MagicMocks) uses ops.testing's / scenario's
        # Context and State. tox downloads cos-tool-amd64 into the charm's root before the unit tests;
        # the sandbox has no network, so the tests that would run it find no binary on either side.
        # tests/unit/conftest.py binds `from ops.testing import Context` at import and drops the
        # LokiHandlers charm_logging adds to the root logger after every test.
        TEST_PATHS=(tests/unit/test_alert_rule_filtering.py tests/unit/test_charm.py
                    tests/unit/test_charm_logging.py tests/unit/test_config_reporting_enabled.py
                    tests/unit/test_consumer.py tests/unit/test_datasource_exchange.py
                    tests/unit/test_grafana_source.py tests/unit/test_log_forwarder.py
                    tests/unit/test_log_proxy_consumer.py tests/unit/test_provider.py
                    tests/unit/test_provider_v1_alerts.py tests/unit/test_transform.py
                    tests/unit/test_tsdb_migration_dates.py)
        PYPATH=(. lib src)
        ;;
    tempo-coordinator-k8s)
        # canonical/tempo-coordinator-k8s-operator (ops 2.20 + ops-scenario 7.20 in its lock, pinned
        # there: "2.21.0 adds tracing support and breaks some charm-tracing unittests"). tox:
        # PYTHONPATH = .:lib:src; unit tests are tests/unit (plain functions) and tests/scenario (the
        # Scenario suite, `import scenario` and ops.testing). Every charm lib is committed.
        # tests/scenario/test_nginx.py tests nginx config helpers without a Context: left out.
        # tests/scenario/conftest.py disables charm_tracing for the session and patches lightkube,
        # the K8s resource patch, socket.getfqdn and cert paths per test.
        TEST_PATHS=(tests/scenario/test_charm.py tests/scenario/test_charm_statuses.py
                    tests/scenario/test_charm_tracing.py tests/scenario/test_config.py
                    tests/scenario/test_datasources.py tests/scenario/test_enabled_receivers.py
                    tests/scenario/test_ingressed_tracing.py tests/scenario/test_probes.py
                    tests/scenario/test_tempo_api_implementation.py tests/scenario/test_tempo_api_lib.py
                    tests/scenario/test_tempo_clustered.py tests/scenario/test_tls.py
                    tests/scenario/test_tracing_legacy.py tests/scenario/test_tracing_provider.py
                    tests/scenario/test_tracing_requirer.py)
        PYPATH=(. lib src)
        ;;
    opentelemetry-collector-k8s)
        # canonical/opentelemetry-collector-k8s-operator (ops 3.7 + ops-scenario 8.7 in its lock,
        # requires-python ==3.14; installs on 3.11). tox: PYTHONPATH = lib:src; its tests import
        # `src.charm` too (the charm's root is on sys.path through `python -m pytest`'s cwd). Every
        # charm lib is committed. Left out, no Context in them: test_certificates.py,
        # test_config_builder.py, test_config_manager.py. tests/unit/conftest.py's `ctx` copies
        # src/{grafana_dashboards,loki_alert_rules,prometheus_alert_rules} into a tmp_path and passes
        # it as charm_root. tox downloads cos-tool-amd64 first: absent here, on both sides.
        TEST_PATHS=(tests/unit/test_dashboard_transfer.py tests/unit/test_external_config.py
                    tests/unit/test_extra_alert_labels.py tests/unit/test_global_scrape_config.py
                    tests/unit/test_ingress.py tests/unit/test_mandatory_relation_pairs.py
                    tests/unit/test_otlp.py tests/unit/test_profiling_integration.py
                    tests/unit/test_receive_ca_cert.py tests/unit/test_relational_config.py
                    tests/unit/test_tls_certificates.py)
        PYPATH=(lib src)
        ;;
    grafana-k8s)
        # canonical/grafana-k8s-operator. Its lock forks on the interpreter: ops 3.3.1 +
        # ops-scenario 8.3.1 from Python 3.10 (what $PYTHON 3.11 gets), 2.23.1 + 7.23.1 below.
        # tox: PYTHONPATH = .:lib:src; every charm lib is committed. tox downloads sqlite-static
        # and cos-tool-amd64 first: absent here, on both sides (the conftest's `ctx` patches
        # Grafana._push_sqlite_static). Its dev extra has oauth-tools from a git source, for the
        # integration tests: dropped. Scenario-style files (tests/unit/conftest.py's `ctx` is
        # `Context(GrafanaCharm)` under patches of lightkube, socket and the K8s resource patch),
        # two of them mixed with Harness classes (test_dashboard_consumer.py, test_source_provider.py);
        # Harness-only or neither, left out: test_auth_proxy_provider.py, test_auth_requirer.py,
        # test_charmed_dashboard.py, test_custom_ini_config.py, test_dashboard_provider.py,
        # test_dashboard_transform.py, test_source_consumer.py. tests/scenario/ (one file) is not in
        # tox's unit run, and is stale: its fixture patches GrafanaCharm.grafana_version, which the
        # charm no longer has (9 errors on ops.testing).
        TEST_PATHS=(tests/unit/test_charm.py
                    tests/unit/test_config_reporting_enabled.py tests/unit/test_dashboard_collision.py
                    tests/unit/test_dashboard_consumer.py tests/unit/test_datasources.py
                    tests/unit/test_external_url.py tests/unit/test_grafana_client.py
                    tests/unit/test_grafana_metadata_implementation.py
                    tests/unit/test_grafana_metadata_lib.py tests/unit/test_oauth.py
                    tests/unit/test_source_provider.py)
        PYPATH=(. lib src)
        DROP_REQS=(oauth-tools)
        ;;
    *)
        die "no entry for charm '$CHARM' in the case statement of $0: add its test files, PYTHONPATH, env and libs"
        ;;
esac
# REALCHARM_TESTS="tests/unit ..." runs other test paths (the whole of tests/unit, Harness tests
# too, to see them share the session with the engine's runs).
[ -z "${REALCHARM_TESTS:-}" ] || read -ra TEST_PATHS <<< "$REALCHARM_TESTS"
LIBS_FROM="${LIBS_REPO:-$LIBS_FROM}"
LIBS_FROM_COMMIT="${LIBS_COMMIT:-$LIBS_FROM_COMMIT}"

WORK="$SCRATCH_ROOT/$CHARM@${COMMIT:0:12}"
SRC="$WORK/src"
RESULTS="$WORK/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$WORK" "$RESULTS"
note "$CHARM at $COMMIT ($GIT_DIR_CHARM) in $WORK"

# ---- tools: uv, pinned, in its own venv ----
TOOLS="$SCRATCH_ROOT/tools"
UV="$TOOLS/bin/uv"
if ! [ -x "$UV" ] || [ "$("$UV" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    note "installing uv $UV_VERSION into $TOOLS"
    [ -x "$TOOLS/bin/pip" ] || "$PYTHON" -m venv "$TOOLS"
    "$TOOLS/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
PYSPY="$TOOLS/bin/py-spy"
if [ -n "$PROFILE" ] && { ! [ -x "$PYSPY" ] || [ "$("$PYSPY" --version | cut -d' ' -f2)" != "$PYSPY_VERSION" ]; }; then
    note "installing py-spy $PYSPY_VERSION into $TOOLS"
    "$TOOLS/bin/pip" install --quiet --disable-pip-version-check "py-spy==$PYSPY_VERSION"
fi
export UV_CACHE_DIR="$SCRATCH_ROOT/uv-cache" UV_NO_PROGRESS=1 UV_PYTHON_DOWNLOADS=never

# ---- the charm's tree at COMMIT, with the libs it does not commit ----
lay_tree() {
    rm -rf "$SRC"
    mkdir -p "$SRC"
    git --git-dir="$GIT_DIR_CHARM" archive "$COMMIT" | tar -x -C "$SRC"
    [ -z "$LIBS_FROM" ] || add_charm_libs
}

# The charm-libs entries of charmcraft.yaml ("lib: <charm>.<module>", "version: API[.PATCH]") whose
# files are missing from the tree, each taken from LIBS_FROM's history at the pinned patch.
add_charm_libs() {
    local libs_git start path api patch c got_api got_patch found
    libs_git="$(git_dir_of "$LIBS_FROM")"
    start="$LIBS_FROM_COMMIT"
    if [ -z "$start" ] || ! git --git-dir="$libs_git" cat-file -e "$start^{commit}" 2>/dev/null; then
        start=HEAD
    fi
    while read -r path api patch; do
        [ -f "$SRC/$path" ] && continue
        found=''
        for c in $(git --git-dir="$libs_git" log --format=%H "$start" -- "$path"); do
            got_api="$(git --git-dir="$libs_git" show "$c:$path" 2>/dev/null | sed -n 's/^LIBAPI *= *\([0-9]*\).*/\1/p')"
            got_patch="$(git --git-dir="$libs_git" show "$c:$path" 2>/dev/null | sed -n 's/^LIBPATCH *= *\([0-9]*\).*/\1/p')"
            if [ "$got_api" = "$api" ] && { [ -z "$patch" ] || [ "$got_patch" = "$patch" ]; }; then
                found=$c
                break
            fi
        done
        [ -n "$found" ] || die "$path at LIBAPI $api LIBPATCH ${patch:-any}: not in the history of $LIBS_FROM from $start"
        mkdir -p "$SRC/$(dirname "$path")"
        git --git-dir="$libs_git" show "$found:$path" > "$SRC/$path"
        echo "$path $api.${patch:-$got_patch} from $LIBS_FROM@$found" >> "$WORK/libs.txt.new"
    done < <("$VENV/bin/python" - "$SRC/charmcraft.yaml" <<'EOF'
import sys, yaml
meta = yaml.safe_load(open(sys.argv[1])) or {}
for entry in meta.get('charm-libs') or []:
    charm, module = entry['lib'].split('.', 1)
    api, _, patch = str(entry['version']).partition('.')
    print(f"lib/charms/{charm.replace('-', '_')}/v{api}/{module}.py {api} {patch}")
EOF
    )
    if [ -f "$WORK/libs.txt.new" ]; then
        if ! cmp -s "$WORK/libs.txt.new" "$WORK/libs.txt" 2>/dev/null; then cat "$WORK/libs.txt.new" >&2; fi
        mv "$WORK/libs.txt.new" "$WORK/libs.txt"
    fi
}

# ---- venvs from the charm's uv.lock ----
VENV="$WORK/venv"
make_venv() {  # make_venv DIR: a venv of $PYTHON with the charm's locked requirements
    local dir=$1 stamp
    stamp="$(cat "$WORK/requirements.txt" <("$PYTHON" -VV) | sha256sum | cut -c1-16)"
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.realcharm-stamp" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    note "building $dir from $CHARM's uv.lock"
    rm -rf "$dir"
    "$UV" venv --quiet --python "$PYTHON" "$dir"
    "$UV" pip install --quiet --python "$dir/bin/python" -r "$WORK/requirements.txt"
    echo "$stamp" > "$dir/.realcharm-stamp"
}

# Our package into venv-rust, isolated here: `pip install <this checkout>` (maturin builds the
# cdylib; issue 18 part 1), or the wheel in $OPS_SCENARIO_RS_WHEEL. --no-deps keeps the charm's
# locked ops / ops-scenario as they are; reinstalled every time, so the run sees this checkout.
our_package() {  # what install_our_package installs: a wheel, or this checkout
    if [ -n "${OPS_SCENARIO_RS_WHEEL:-}" ]; then
        echo "$OPS_SCENARIO_RS_WHEEL"
    elif [ -f "$OUR_ROOT/pyproject.toml" ]; then
        echo "$OUR_ROOT"
    else
        die "the rust engine needs the ops-scenario-rs package: no pyproject.toml at $OUR_ROOT yet (issue 18 part 1), and OPS_SCENARIO_RS_WHEEL is not set"
    fi
}
install_our_package() {
    local target
    target="$(our_package)"
    note "installing ops-scenario-rs from $target into $WORK/venv-rust"
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$OUR_ROOT/target/python-package}" \
    "$UV" pip install --quiet --python "$WORK/venv-rust/bin/python" --no-deps \
        --reinstall-package ops-scenario-rs --refresh-package ops-scenario-rs "$target"
    "$WORK/venv-rust/bin/python" -c 'import ops_scenario_rs' \
        || die "ops_scenario_rs does not import in $WORK/venv-rust"
}

# requirements: uv.lock -> requirements.txt, from a tree laid for the purpose
rm -rf "$SRC"; mkdir -p "$SRC"
git --git-dir="$GIT_DIR_CHARM" archive "$COMMIT" | tar -x -C "$SRC"
[ -f "$SRC/uv.lock" ] || die "$CHARM has no uv.lock at $COMMIT"
(cd "$SRC" && "$UV" export --quiet --frozen --all-extras --all-groups --no-emit-project \
    --format requirements-txt -o "$WORK/requirements.txt.new")
if [ ${#DROP_REQS[@]} -gt 0 ]; then
    # a requirement is its line and the continuation lines after it (hashes, markers)
    awk -v drop="${DROP_REQS[*]}" '
        BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) skip[tolower(d[i])] = 1 }
        cont { cont = /\\$/; if (!dropping) print; next }
        {
            name = tolower($1); sub(/[=<>!~;@\[].*/, "", name)
            dropping = ($0 !~ /^[ \t#]/) && (name in skip)
            cont = /\\$/
            if (!dropping) print
        }' "$WORK/requirements.txt.new" > "$WORK/requirements.txt.dropped"
    mv "$WORK/requirements.txt.dropped" "$WORK/requirements.txt.new"
fi
mv "$WORK/requirements.txt.new" "$WORK/requirements.txt"
make_venv "$VENV"
for e in "${ENGINES[@]}"; do
    if [ "$e" = rust ]; then
        our_package > /dev/null
        make_venv "$WORK/venv-rust"
        install_our_package
    fi
done

# ---- the sandbox ----
STUB="$SCRATCH_ROOT/stub"
mkdir -p "$STUB"
printf '#!/bin/sh\n# no-op: the charm under test must not rewrite the host CA store\nexit 0\n' > "$STUB/update-ca-certificates"
chmod +x "$STUB/update-ca-certificates"

# The private /tmp: on disk by default (a fresh folder in the scratch folder, as /tmp is on a
# developer's machine: ops.testing writes the charm's metadata there every run), or in memory with
# REALCHARM_TMP=tmpfs.
TMP_KIND="${REALCHARM_TMP:-disk}"
case "$TMP_KIND" in disk|tmpfs) ;; *) die "REALCHARM_TMP is disk or tmpfs, not $TMP_KIND" ;; esac
sandboxed() {  # sandboxed CMD...: CMD with a private /tmp and CA folder, no network, / read-only but the scratch folder
    local opts=(--mount --net --propagation private) private_tmp=tmpfs
    [ "$(id -u)" = 0 ] || opts+=(--map-root-user)
    if [ "$TMP_KIND" = disk ]; then
        private_tmp="$SCRATCH_ROOT/tmp.$$"
        rm -rf "$private_tmp"; mkdir -p "$private_tmp"
    fi
    local status=0
    unshare "${opts[@]}" -- bash -c '
        set -e
        scratch=$1; private_tmp=$2; shift 2
        if [ "$private_tmp" = tmpfs ]; then mount -t tmpfs tmpfs /tmp; else mount --bind "$private_tmp" /tmp; fi
        if [ -d /usr/local/share/ca-certificates ]; then mount -t tmpfs tmpfs /usr/local/share/ca-certificates; fi
        mount --bind "$scratch" "$scratch"
        mount -o remount,bind,ro /
        ip link set lo up 2>/dev/null || true
        mkdir -p /tmp/home
        # the working directory was entered before the scratch folder was bound writable: enter it
        # again through the new mount, or writes relative to it hit the read-only root
        cd "$PWD"
        exec "$@"' sandbox "$SCRATCH_ROOT" "$private_tmp" "$@" || status=$?
    [ "$private_tmp" = tmpfs ] || rm -rf "$private_tmp"
    return $status
}
# refuse to run the charms' code unsandboxed: some of it writes the host's CA store
sandboxed sh -c '[ -w /tmp ] && ! touch /.realcharm-probe 2>/dev/null' \
    || die "cannot build the sandbox (unshare --mount --net, as root or in a user namespace; / must become read-only)"

PLUGINS="$(dirname "$RUNTIMER"):$HERE/real_charm"
charm_pythonpath() {
    local p out=''
    for p in "${PYPATH[@]}"; do out="$out${out:+:}$SRC/$p"; done
    echo "$PLUGINS:$out"
}

run_engine() {  # run_engine ENGINE ROUND
    local engine=$1 round=$2 venv=$VENV base start end rc
    [ "$engine" = rust ] && venv="$WORK/venv-rust"
    base="$RESULTS/$engine-$round"
    lay_tree
    local env=(PATH="$STUB:$venv/bin:/usr/local/bin:/usr/bin:/bin" HOME=/tmp/home LANG=C.UTF-8
               PYTHONPATH="$(charm_pythonpath)" RUNTIMER_OUT="$base.json"
               REALCHARM_ENGINE_OUT="$base.engine.json" REALCHARM_CPU_OUT="$base.cpu.json" "${CHARM_ENV[@]}")
    # The engine's compiled shim persists between runs, as in a developer's ~/.cache (HOME here
    # is the sandbox's fresh /tmp).
    [ "$engine" = rust ] && env+=(OPS_SCENARIO_ENGINE=rust OPS_SCENARIO_CACHE_DIR="$WORK/shim-cache")
    local profiler=()
    if [ -n "$PROFILE" ]; then
        profiler=("$PYSPY" record --rate 250 --format raw --full-filenames -o "$base.pyspy")
        [ "${REALCHARM_PYSPY_NATIVE:-}" != 1 ] || profiler+=(--native)
        profiler+=(--)
    fi
    note "$engine, round $round: ${TEST_PATHS[*]}${PROFILE:+ (under py-spy)}"
    start=$EPOCHREALTIME
    rc=0
    (cd "$SRC" && sandboxed env -i "${env[@]}" "${profiler[@]}" "$venv/bin/python" -m pytest \
        -p runtimer -p realcharm_engine -p realcharm_cputime --junitxml="$base.xml" \
        "${TEST_PATHS[@]}" "${PYTEST_EXTRA[@]}") > "$base.log" 2>&1 || rc=$?
    end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }' > "$base.wall"
    tail -n 3 "$base.log" | sed 's/^/   /' >&2
    # 0: all passed, 1: some tests failed (reported below); anything else is a broken run
    [ $rc -le 1 ] || die "pytest exited $rc on $engine (see $base.log)"
    if [ -n "$PROFILE" ]; then
        "$VENV/bin/python" "$HERE/real_charm/pyspy_summary.py" "$base.pyspy" "$SRC" > "$base.pyspy-summary.txt"
    fi
}

for round in $(seq 1 "$REPEAT"); do
    for e in "${ENGINES[@]}"; do
        run_engine "$e" "$round"
    done
done

echo
echo "$CHARM @ $COMMIT: ${TEST_PATHS[*]}"
[ ! -f "$WORK/libs.txt" ] || sed 's/^/  lib /' "$WORK/libs.txt"
echo "  results in $RESULTS"
if [ -n "$PROFILE" ]; then
    echo "  (every run under py-spy: the times below are inflated by the profiler)"
    for f in "$RESULTS"/*.pyspy-summary.txt; do echo; cat "$f"; done
    echo
fi
"$VENV/bin/python" "$HERE/real_charm/report.py" "$RESULTS"
