#!/usr/bin/env python3
"""Measure how long one `ops.testing.Context.run` takes, as a baseline for ops-scenario.

Runs the test charms under tests/charms/ through ops.testing (ops-scenario
8.9.0 on ops 3.9.0; see requirements-bench.txt) and reports microseconds per
`Context.run` for six cases:

    null              null charm, `start`, empty State
    status            status charm, `start`, leader=True
    stored-config     stored-config charm, `config_changed`, config {"port": 9000}
    deferring         deferring charm, `update_status`, with one deferred `start`
                      (re-deferred on every run because stored `ready` is False)
    relation-copy     relation-copy charm, `db_relation_changed` from postgresql/1,
                      leader=True, one `db` relation: 5 remote app keys, 3 remote
                      units with 3 keys each
    relation-read-all relation-read-all charm, `upstream_relation_changed` on
                      relation 1 from web/0: 20 `upstream` relations, each with
                      10 remote units, 20 keys in every remote databag

Each case reuses one Context: 50 warm-up runs, then 5 rounds of N runs (N=300
by default). The table shows the median and the minimum of the five
per-round means. With --json the same numbers are printed as
{"case": {"median_us": ..., "min_us": ...}}.

Usage:
    python benches/python/ops_testing_bench.py [--json] [--runs N] [--rounds R]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import statistics
import sys
import time
from types import ModuleType
from typing import Any, Callable

import yaml
from ops import testing

REPO = pathlib.Path(__file__).resolve().parents[2]
CHARMS = REPO / "tests" / "charms"

WARMUP = 50
ROUNDS = 5
RUNS = 300


# Input data for the two relation cases, shared with ops_floor_bench.py so both
# scripts measure the same states.
RELATION_COPY_REMOTE_APP = "postgresql"
RELATION_COPY_APP_DATA: dict[str, str] = {
    "host": "10.0.0.1",
    "port": "5432",
    "database": "app",
    "user": "app",
    "password": "secret",
}
RELATION_COPY_UNITS_DATA: dict[int, dict[str, str]] = {
    unit: {
        "ingress-address": f"10.0.0.{10 + unit}",
        "role": "primary" if unit == 0 else "replica",
        "version": "16",
    }
    for unit in range(3)
}
RELATION_COPY_REMOTE_UNIT = 1

READ_ALL_RELATIONS = 20  # relation ids 1..20 on `upstream`
READ_ALL_UNITS = 10  # remote unit ids 0..9 on each relation
READ_ALL_KEYS = 20  # keys k0..k19 in every remote databag
READ_ALL_REMOTE_APP = "web"


def read_all_bag(rel: int, unit: int | str) -> dict[str, str]:
    """One remote databag of the relation-read-all case; `unit` is "app" for the app bag."""
    return {f"k{i}": f"value-{rel}-{unit}-{i}" for i in range(READ_ALL_KEYS)}


READ_ALL_STATUS = (
    f"read {READ_ALL_RELATIONS * (READ_ALL_UNITS + 1) * READ_ALL_KEYS} keys"
    f" in {READ_ALL_RELATIONS * (READ_ALL_UNITS + 1)} bags"
)


def load_charm_module(name: str) -> ModuleType:
    """Import tests/charms/<name>/src/charm.py under the unique name `bench_charm_<name>`.

    Every charm's module is called charm.py, so a plain `import charm` would
    return the first one loaded; loading from the file path avoids that. The
    charm's src/ and lib/ dirs go on sys.path for its sibling and lib imports.
    """
    charm_dir = CHARMS / name
    for sub in ("lib", "src"):
        path = str(charm_dir / sub)
        if path not in sys.path:
            sys.path.insert(0, path)
    module_name = "bench_charm_" + name.replace("-", "_")
    spec = importlib.util.spec_from_file_location(module_name, charm_dir / "src" / "charm.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def make_context(name: str, charm_type: type[Any]) -> testing.Context[Any]:
    """A Context for the charm, autoloading its metadata, or reading charmcraft.yaml ourselves."""
    try:
        return testing.Context(charm_type)
    except Exception:  # autoload could not find the metadata
        charmcraft = yaml.safe_load((CHARMS / name / "charmcraft.yaml").read_text())
        return testing.Context(
            charm_type,
            meta=charmcraft,
            config=charmcraft.get("config"),
            actions=charmcraft.get("actions"),
        )


def build_cases() -> dict[str, Callable[[], Any]]:
    """Map case name to a zero-argument callable doing one Context.run."""
    cases: dict[str, Callable[[], Any]] = {}

    null = load_charm_module("null")
    null_ctx = make_context("null", null.NullCharm)
    null_state = testing.State()
    cases["null"] = lambda: null_ctx.run(null_ctx.on.start(), null_state)

    status = load_charm_module("status")
    status_ctx = make_context("status", status.StatusCharm)
    status_state = testing.State(leader=True)
    cases["status"] = lambda: status_ctx.run(status_ctx.on.start(), status_state)

    stored = load_charm_module("stored-config")
    stored_ctx = make_context("stored-config", stored.StoredConfigCharm)
    stored_state = testing.State(config={"port": 9000})
    cases["stored-config"] = lambda: stored_ctx.run(stored_ctx.on.config_changed(), stored_state)

    deferring = load_charm_module("deferring")
    deferring_ctx = make_context("deferring", deferring.DeferringCharm)
    deferring_state = testing.State(
        deferred=[
            testing.DeferredEvent(
                handle_path="DeferringCharm/on/start[1]",
                owner="DeferringCharm",
                observer="_on_start",
            )
        ],
        stored_states=[
            testing.StoredState(owner_path="DeferringCharm", content={"ready": False, "starts": 0})
        ],
    )
    cases["deferring"] = lambda: deferring_ctx.run(
        deferring_ctx.on.update_status(), deferring_state
    )

    relcopy = load_charm_module("relation-copy")
    relcopy_ctx = make_context("relation-copy", relcopy.RelationCopyCharm)
    relcopy_rel = testing.Relation(
        "db",
        id=1,
        remote_app_name=RELATION_COPY_REMOTE_APP,
        remote_app_data=RELATION_COPY_APP_DATA,
        remote_units_data=RELATION_COPY_UNITS_DATA,
    )
    relcopy_state = testing.State(leader=True, relations=[relcopy_rel])
    cases["relation-copy"] = lambda: relcopy_ctx.run(
        relcopy_ctx.on.relation_changed(relcopy_rel, remote_unit=RELATION_COPY_REMOTE_UNIT),
        relcopy_state,
    )

    readall = load_charm_module("relation-read-all")
    readall_ctx = make_context("relation-read-all", readall.RelationReadAllCharm)
    readall_rels = [
        testing.Relation(
            "upstream",
            id=rel,
            remote_app_name=READ_ALL_REMOTE_APP,
            remote_app_data=read_all_bag(rel, "app"),
            remote_units_data={unit: read_all_bag(rel, unit) for unit in range(READ_ALL_UNITS)},
        )
        for rel in range(1, READ_ALL_RELATIONS + 1)
    ]
    readall_state = testing.State(relations=readall_rels)
    cases["relation-read-all"] = lambda: readall_ctx.run(
        readall_ctx.on.relation_changed(readall_rels[0], remote_unit=0), readall_state
    )

    pebble = load_charm_module("pebble-ready")
    pebble_ctx = make_context("pebble-ready", pebble.PebbleReadyCharm)
    pebble_container = testing.Container("workload", can_connect=True)
    pebble_state = testing.State(containers=[pebble_container])
    cases["pebble-ready"] = lambda: pebble_ctx.run(
        pebble_ctx.on.pebble_ready(pebble_container), pebble_state
    )

    # Sanity checks, so a broken charm cannot produce a fast-but-meaningless number.
    out = cases["status"]()
    assert out.unit_status == testing.ActiveStatus("ready"), out.unit_status
    assert out.app_status == testing.ActiveStatus("app ready"), out.app_status
    out = cases["stored-config"]()
    assert out.unit_status == testing.ActiveStatus(
        "port=9000 ratio=0.5 debug=False name=None"
    ), out.unit_status
    out = cases["deferring"]()
    assert [d.handle_path for d in out.deferred] == ["DeferringCharm/on/start[1]"], out.deferred
    out = cases["relation-copy"]()
    assert out.unit_status == testing.ActiveStatus(
        f"copied {len(RELATION_COPY_APP_DATA)} keys from {RELATION_COPY_REMOTE_APP}"
    ), out.unit_status
    rel_out = out.get_relation(1)
    expected_app = {**RELATION_COPY_APP_DATA, "units": str(len(RELATION_COPY_UNITS_DATA))}
    assert rel_out.local_app_data == expected_app, rel_out.local_app_data
    expected_seen = f"{RELATION_COPY_REMOTE_APP}/{RELATION_COPY_REMOTE_UNIT}"
    assert rel_out.local_unit_data["seen"] == expected_seen, rel_out.local_unit_data
    out = cases["relation-read-all"]()
    assert out.unit_status == testing.ActiveStatus(READ_ALL_STATUS), out.unit_status
    out = cases["pebble-ready"]()
    assert out.unit_status == testing.ActiveStatus("app is active"), out.unit_status

    contexts = [
        null_ctx, status_ctx, stored_ctx, deferring_ctx, relcopy_ctx, readall_ctx, pebble_ctx,
    ]
    cases["_reset"] = lambda: [reset_context(ctx) for ctx in contexts]
    return cases


def reset_context(ctx: testing.Context[Any]) -> None:
    """Empty the per-Context output lists, which ops.testing appends to on every run."""
    for attr in (
        "juju_log",
        "unit_status_history",
        "app_status_history",
        "workload_version_history",
        "emitted_events",
        "removed_secret_revisions",
        "trace_data",
    ):
        value = getattr(ctx, attr, None)
        if isinstance(value, list):
            value.clear()


def measure(run: Callable[[], Any], reset: Callable[[], Any], rounds: int, runs: int) -> list[float]:
    """Return one mean µs/run per round."""
    for _ in range(WARMUP):
        run()
    per_round: list[float] = []
    for _ in range(rounds):
        reset()  # outside the timed loop
        start = time.perf_counter_ns()
        for _ in range(runs):
            run()
        elapsed = time.perf_counter_ns() - start
        per_round.append(elapsed / runs / 1000.0)
    return per_round


def parse_args(description: str) -> argparse.Namespace:
    """The command line shared by the benchmark scripts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs per round (default {RUNS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds (default {ROUNDS})")
    return parser.parse_args()


def run_cases(
    cases: dict[str, Callable[[], Any]], reset: Callable[[], Any], rounds: int, runs: int
) -> dict[str, dict[str, float]]:
    """Measure every case; map case name to its median and minimum µs/run."""
    results: dict[str, dict[str, float]] = {}
    for name, run in cases.items():
        per_round = measure(run, reset, rounds, runs)
        results[name] = {
            "median_us": round(statistics.median(per_round), 1),
            "min_us": round(min(per_round), 1),
        }
    return results


def print_results(
    results: dict[str, dict[str, float]], what: str, args: argparse.Namespace
) -> None:
    """Print the results as JSON or as a table headed by `what` was timed."""
    if args.json:
        print(json.dumps(results, indent=2))
        return
    import ops

    print(f"ops {ops.__version__}, {what}, {args.rounds} rounds x {args.runs} runs")
    print(f"{'case':<17} {'median µs/run':>14} {'min µs/run':>11}")
    for name, r in results.items():
        print(f"{name:<17} {r['median_us']:>14.1f} {r['min_us']:>11.1f}")


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    cases = build_cases()
    reset = cases.pop("_reset")
    results = run_cases(cases, reset, args.rounds, args.runs)
    print_results(results, "ops.testing Context.run", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
