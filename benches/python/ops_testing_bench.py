#!/usr/bin/env python3
"""Measure how long one `ops.testing.Context.run` takes, as a baseline for ops-scenario.

Runs the test charms under tests/charms/ through ops.testing (ops-scenario
8.9.0 on ops 3.9.0; see requirements-bench.txt) and reports microseconds per
`Context.run` for four cases:

    null            null charm, `start`, empty State
    status          status charm, `start`, leader=True
    stored-config   stored-config charm, `config_changed`, config {"port": 9000}
    deferring       deferring charm, `update_status`, with one deferred `start`
                    (re-deferred on every run because stored `ready` is False)

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

    contexts = [null_ctx, status_ctx, stored_ctx, deferring_ctx]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs per round (default {RUNS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds (default {ROUNDS})")
    args = parser.parse_args()

    cases = build_cases()
    reset = cases.pop("_reset")
    results: dict[str, dict[str, float]] = {}
    for name, run in cases.items():
        per_round = measure(run, reset, args.rounds, args.runs)
        results[name] = {
            "median_us": round(statistics.median(per_round), 1),
            "min_us": round(min(per_round), 1),
        }

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        import ops

        print(f"ops {ops.__version__}, ops.testing Context.run, {args.rounds} rounds x {args.runs} runs")
        print(f"{'case':<15} {'median µs/run':>14} {'min µs/run':>11}")
        for name, r in results.items():
            print(f"{name:<15} {r['median_us']:>14.1f} {r['min_us']:>11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
