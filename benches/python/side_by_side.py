#!/usr/bin/env python3
"""Time the canonical cases through our engine, through ops.testing, and on ops' own floor.

For every case file in benches/cases/ (a-null-start ... g-read-all-relations) this measures,
in one sitting, the median µs per run of:

- ours: `scenario bench CASE.json -n N` (release build), one subprocess per measurement; its
  last line is `median 123.4 µs/run` (the interpreter's start-up is not in it);
- ops.testing: `Context.run(event, state)` of ops-scenario 8.9.0, the Context, State and event
  built from the case file by conformance/reference.py, as the conformance suite builds them;
- the floor: ops' own dispatch over dicts (floor.py), what any engine running real ops pays.

The three alternate case by case and round by round (case a: ours, ops.testing, floor; then
case b; ...; then the next round), so a change in the machine's load falls on all three alike.
Each number in the table is the median, over the rounds, of each round's median µs/run.

Before anything is timed, each case runs once through all three and the outcomes are compared:
the unit status must be the one benches/throughput.rs expects, and the three must agree on the
statuses, workload version, deferred events, the charm's stored state, the local databags and
the containers' layers and service statuses. A broken case stops the run instead of giving a
fast, meaningless number.

ops.testing and the floor run in this process (the runner's own venv, .venv-bench, pinned by
requirements-bench.txt); ours runs on the project's .venv. Between batches, outside the timed
loops: ops.testing's per-Context output lists are emptied (it appends to them on every run),
the Frameworks ops.testing leaves alive through `ops.Framework.on._cache` are released, and the
garbage collector runs, so no batch pays for the garbage of the one before. While a case is
timed, sys.path holds only that case's charm directories, as in a charm's own tests.

ops.testing makes and removes a temporary directory on every run, so the filesystem under the
temporary directory shows in its numbers; the report says which it is and what a directory
costs there, and --tmpdir moves it (on a VM's disk with online discard an rmdir takes
milliseconds, on tmpfs microseconds).

Usage (scripts/side-by-side.sh makes the venvs, builds the binary and runs this):
    python benches/python/side_by_side.py [--runs N] [--rounds R] [--cases a,c,g]
        [--scenario PATH] [--ours-venv DIR] [--tmpdir DIR] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import functools
import gc
import importlib.metadata
import json
import marshal
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import ops
from ops import testing

_HERE = pathlib.Path(__file__).resolve().parent
for _dir in (_HERE, _HERE.parents[1] / "conformance"):  # floor.py; the conformance translator
    if str(_dir) not in sys.path:
        sys.path.insert(0, str(_dir))

import reference  # noqa: E402  (these three need the sys.path entries above)
from values import decode_dict  # noqa: E402

import floor  # noqa: E402

REPO = floor.REPO
CASES_DIR = REPO / "benches" / "cases"
THROUGHPUT_RS = REPO / "benches" / "throughput.rs"

RUNS = 300
ROUNDS = 5
WARMUP = 20


# ---------------------------------------------------------------------------------------------
# The cases.


def expected_statuses() -> dict[str, str]:
    """Case name -> the unit status it must end in, from benches/throughput.rs's CASES.

    Read from the Rust bench so the two never disagree about what a case does.
    """
    text = THROUGHPUT_RS.read_text()
    block = re.search(r"const CASES: &\[\(&str, &str\)\] = &\[(.*?)\];", text, re.DOTALL)
    if block is None:
        raise SystemExit(f"cannot find CASES in {THROUGHPUT_RS}")
    return dict(re.findall(r'\("([^"]+)",\s*"([^"]*)"\)', block.group(1)))


def select_cases(wanted: str | None) -> list[pathlib.Path]:
    """The case files to run: all of benches/cases/, or those named (by letter or name)."""
    files = sorted(CASES_DIR.glob("*.json"))
    if not wanted:
        return files
    chosen: list[pathlib.Path] = []
    for item in re.split(r"[,\s]+", wanted.strip()):
        matches = [f for f in files if f.stem == item or f.stem.split("-", 1)[0] == item]
        if len(matches) != 1:
            names = ", ".join(f.stem for f in files)
            raise SystemExit(f"--cases: {item!r} names no single case (there are: {names})")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


@dataclasses.dataclass
class Case:
    """One case, ready to run three ways."""

    name: str
    path: pathlib.Path
    charm_dir: pathlib.Path
    testing_ctx: testing.Context[Any]
    testing_run: Callable[[], testing.State]
    floor_case: floor.FloorCase


@contextlib.contextmanager
def only_this_charm_on_path(case: Case) -> Iterator[None]:
    """sys.path without the other cases' charm directories, for the case's batches.

    Loading the seven charms put each one's src/ and lib/ on sys.path; a test process has one
    charm's. ops.testing tries an import that fails on every run (`ops_tracing._mock`, when
    ops-tracing is not installed), and a failing import looks in every directory on the path,
    so the other charms' directories would make ops.testing slower than it is in a charm's own
    tests.
    """
    saved = list(sys.path)
    others = {str(d / sub) for d in _CHARM_DIRS if d != case.charm_dir for sub in ("src", "lib")}
    sys.path[:] = [p for p in saved if p not in others]
    try:
        yield
    finally:
        sys.path[:] = saved


_CHARM_DIRS: set[pathlib.Path] = set()


def build_case(path: pathlib.Path) -> Case:
    """Parse the case once; build ops.testing's Context (its own defaults) and the floor's case.

    ops.testing gets no charm_root: by default it writes the charm's metadata into a fresh
    temporary directory on every run, which is how charm tests call it.
    """
    parsed = floor.read_case(path)
    ctx = reference.make_context(parsed.charm_type, parsed.case.get("context", {}), None)
    state, event = parsed.state, parsed.event
    _CHARM_DIRS.add(parsed.charm_dir)
    return Case(
        name=path.stem,
        path=path,
        charm_dir=parsed.charm_dir,
        testing_ctx=ctx,
        testing_run=lambda: ctx.run(event, state),
        floor_case=floor.prepare(parsed),
    )


# ---------------------------------------------------------------------------------------------
# The outcome of one run, in one comparable form for all three.


def _status(name: str, message: str) -> str:
    """As the engine's `Status` prints itself: the name alone when there is no message."""
    return f"{name}: {message}" if message else name


def summary_of_testing(out: testing.State) -> dict[str, Any]:
    """What an ops.testing run left, in the form every side is compared in."""
    return {
        "unit_status": _status(out.unit_status.name, out.unit_status.message),
        "app_status": _status(out.app_status.name, out.app_status.message),
        "workload_version": out.workload_version,
        "deferred": [d.handle_path for d in out.deferred],
        "stored": {
            f"{s.owner_path}/StoredStateData[{s.name}]": dict(s.content)
            for s in out.stored_states
            if s.owner_path  # the framework's own counter is not the charm's state
        },
        "relations": {
            r.id: {"app": dict(r.local_app_data), "unit": dict(r.local_unit_data)}
            for r in out.relations
        },
        "containers": {
            c.name: {
                "layers": list(c.layers),
                "services": {k: getattr(v, "value", v) for k, v in c.service_statuses.items()},
            }
            for c in out.containers
        },
    }


def summary_of_floor(case: floor.FloorCase, out: floor.Outcome) -> dict[str, Any]:
    """What a floor run left, in the same form."""
    backend, store = out.backend, out.store
    unit, app = backend.unit_name, backend.app_name

    def bag(rid: int, member: str) -> dict[str, str]:
        written = backend.written.get((rid, member))
        return dict(written if written is not None else case.relations[rid].bags.get(member, {}))

    pebbles = {
        name: backend.pebbles.get(name) or floor.DictPebble(seed)
        for name, seed in case.containers.items()
    }
    return {
        "unit_status": _status(backend.unit_status["status"], backend.unit_status["message"]),
        "app_status": _status(backend.app_status["status"], backend.app_status["message"]),
        "workload_version": backend.workload_version,
        "deferred": [event_path for event_path, _, _ in store.notice_list],
        "stored": {
            path: marshal.loads(data)
            for path, data in store.snapshots.items()
            if "/StoredStateData[" in path
        },
        "relations": {
            rid: {"app": bag(rid, app), "unit": bag(rid, unit)} for rid in case.relations
        },
        "containers": {
            name: {"layers": list(p.layers), "services": dict(p.service_statuses)}
            for name, p in pebbles.items()
        },
    }


def summary_of_ours(output: dict[str, Any]) -> dict[str, Any]:
    """What `scenario run` printed (docs/STATE_JSON.md's Output), in the same form."""
    state = output["state"]
    return {
        "unit_status": _status(state["unit_status"]["name"], state["unit_status"]["message"]),
        "app_status": _status(state["app_status"]["name"], state["app_status"]["message"]),
        "workload_version": state["workload_version"],
        "deferred": [d["handle_path"] for d in state["deferred"]],
        "stored": {
            f"{s['owner_path']}/StoredStateData[{s['name']}]": decode_dict(s["content"])
            for s in state["stored_states"]
            if s.get("owner_path")
        },
        "relations": {
            r["id"]: {"app": r["local_app_data"], "unit": r["local_unit_data"]}
            for r in state["relations"]
        },
        "containers": {
            c["name"]: {"layers": list(c["layers"]), "services": c["service_statuses"]}
            for c in state["containers"]
        },
    }


def run_ours_once(
    scenario: pathlib.Path, env: dict[str, str], path: pathlib.Path
) -> dict[str, Any]:
    """`scenario run CASE.json`: the Output JSON, or exit on any failure."""
    done = subprocess.run(
        [str(scenario), "run", str(path)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"{path.stem}: `scenario run` exited {done.returncode}:\n{done.stderr}{done.stdout}"
        )
    output: dict[str, Any] = json.loads(done.stdout)
    return output


def check_case(case: Case, expected: str, scenario: pathlib.Path, env: dict[str, str]) -> None:
    """Run the case once three ways; exit unless all end as expected and agree."""
    ours = summary_of_ours(run_ours_once(scenario, env, case.path))
    theirs = summary_of_testing(case.testing_run())
    with floor.routed_logging():
        floor_out = floor.dispatch(case.floor_case)
    base = summary_of_floor(case.floor_case, floor_out)
    problems = [
        f"{who}: unit status {s['unit_status']!r}, expected {expected!r}"
        for who, s in (("ours", ours), ("ops.testing", theirs), ("floor", base))
        if s["unit_status"] != expected
    ]
    for who, s in (("ours", ours), ("floor", base)):
        for key, value in theirs.items():
            if s[key] != value:
                problems.append(f"{who} differs from ops.testing in {key}: {s[key]!r} != {value!r}")
    if problems:
        raise SystemExit(
            f"{case.name}: not timed, the runs do not end as they should:\n  "
            + "\n  ".join(problems)
        )


# ---------------------------------------------------------------------------------------------
# Timing.


_MEDIAN_LINE = re.compile(r"^median ([0-9.]+) µs/run$")


def time_ours(scenario: pathlib.Path, env: dict[str, str], path: pathlib.Path, runs: int) -> float:
    """Median µs/run from `scenario bench` (it does one untimed run first)."""
    done = subprocess.run(
        [str(scenario), "bench", str(path), "-n", str(runs)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    match = _MEDIAN_LINE.match(lines[-1]) if lines else None
    if done.returncode != 0 or match is None:
        raise SystemExit(
            f"{path.stem}: `scenario bench` failed ({done.returncode}):\n{done.stderr}{done.stdout}"
        )
    return float(match.group(1))


def time_in_process(run: Callable[[], object], runs: int) -> float:
    """Median µs/run of `runs` timed calls after a few untimed ones."""
    for _ in range(min(WARMUP, runs)):
        run()
    clock = time.perf_counter_ns
    times: list[int] = []
    for _ in range(runs):
        start = clock()
        run()
        times.append(clock() - start)
    return statistics.median(times) / 1000.0


def reset_testing(ctx: testing.Context[Any]) -> None:
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


def between_batches() -> None:
    """Start every batch from a clean heap (outside the timed loops).

    ops.testing never drops its Frameworks from `ops.Framework.on._cache` (a class-level map
    whose values hold their keys), so each of its runs leaves a Framework, Model and charm
    alive; they are released here, as they would be when a test process ends.
    """
    ops.Framework.on._cache.clear()
    gc.collect()


# ---------------------------------------------------------------------------------------------
# The machine and the report.


def machine(ours_venv: pathlib.Path) -> dict[str, Any]:
    """What the numbers were taken on."""
    cpu = platform.processor() or "unknown"
    cpuinfo = pathlib.Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    probe = subprocess.run(
        [
            str(ours_venv / "bin" / "python"),
            "-c",
            "import ops, platform; print(ops.__version__, platform.python_version())",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    ours_ops, _, ours_python = probe.stdout.strip().partition(" ")
    commit = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "ops": ops.__version__,
        "ops_scenario": importlib.metadata.version("ops-scenario"),
        "ours_python": ours_python or "unknown",
        "ours_ops": ours_ops or "unknown",
        "commit": commit or "unknown",
        "tmpdir": temp_dir_cost(),
    }


def temp_dir_cost() -> str:
    """Where ops.testing makes its temporary directories, its filesystem, and what a directory
    costs there.

    ops.testing makes and removes a temporary charm root on every run (and container roots for
    Pebble cases), so where the temporary directory lives shows in its numbers: on a virtual
    disk with online discard an rmdir can take milliseconds, on tmpfs microseconds.
    """
    where = os.path.realpath(tempfile.gettempdir())
    fstype, longest = "unknown", ""
    mounts = pathlib.Path("/proc/mounts")
    if mounts.exists():
        for line in mounts.read_text().splitlines():
            fields = line.split()
            point = fields[1]
            inside = where == point or where.startswith(point.rstrip("/") + "/")
            if inside and len(point) > len(longest):
                fstype, longest = fields[2], point
    times: list[int] = []
    for _ in range(40):  # the cost varies a lot from one to the next on a virtual disk
        start = time.perf_counter_ns()
        directory = pathlib.Path(tempfile.mkdtemp())
        (directory / "metadata.yaml").write_text("name: probe\n")
        shutil.rmtree(directory)
        times.append(time.perf_counter_ns() - start)
    cost = statistics.median(times) / 1000
    return f"{where} ({fstype}; a directory with one file made and removed: {cost:,.0f} µs)"


def _us(value: float) -> str:
    return f"{value:,.0f}"


def table(results: dict[str, dict[str, list[float]]]) -> list[str]:
    """The Markdown table: one row per case, medians over the rounds."""
    rows = [
        "| case | ours | ops.testing | ratio | floor | ours / floor |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        ours = statistics.median(r["ours"])
        theirs = statistics.median(r["ops_testing"])
        base = statistics.median(r["floor"])
        rows.append(
            f"| {name} | {_us(ours)} | {_us(theirs)} | {theirs / ours:.1f}× | {_us(base)} "
            f"| {ours / base:.2f} |"
        )
    return rows


def spread(results: dict[str, dict[str, list[float]]]) -> str:
    """How far the round medians spread: the largest max/min ratio of each engine."""
    parts = []
    for engine in ("ours", "ops_testing", "floor"):
        worst = max(max(r[engine]) / min(r[engine]) for r in results.values())
        parts.append(f"{engine.replace('_', '.')} {worst:.2f}")
    return "largest max/min of a case's round medians: " + ", ".join(parts)


# ---------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"timed runs per measurement (default {RUNS})"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds (default {ROUNDS})")
    parser.add_argument("--cases", help="cases to run, by letter or name: a,c,g (default all)")
    parser.add_argument(
        "--scenario",
        type=pathlib.Path,
        default=REPO / "target" / "release" / "scenario",
        help="our release binary (default target/release/scenario)",
    )
    parser.add_argument(
        "--ours-venv",
        type=pathlib.Path,
        default=REPO / ".venv",
        help="the venv our engine runs on, as VIRTUAL_ENV (default .venv)",
    )
    parser.add_argument(
        "--tmpdir",
        type=pathlib.Path,
        help="where ops.testing makes its temporary directories (default: the system's)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()
    if args.runs < 1 or args.rounds < 1:
        parser.error("--runs and --rounds must be positive")
    if not args.scenario.is_file():
        parser.error(f"no binary at {args.scenario}: cargo build --release --bin scenario")
    return args


def main() -> int:
    """Check every case, time them all alternately, print the table."""
    args = parse_args()
    paths = select_cases(args.cases)
    expected = expected_statuses()
    missing = [p.stem for p in paths if p.stem not in expected]
    if missing:
        raise SystemExit(f"no expected status in {THROUGHPUT_RS.name} for {', '.join(missing)}")
    env = {**os.environ, "VIRTUAL_ENV": str(args.ours_venv.resolve())}
    if args.tmpdir is not None:
        tempfile.tempdir = str(args.tmpdir)  # before any Context makes its directory
    info = machine(args.ours_venv)
    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()

    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # what charms print is not the report
    try:
        cases = [build_case(path) for path in paths]
        for case in cases:
            check_case(case, expected[case.name], args.scenario, env)
        results: dict[str, dict[str, list[float]]] = {
            c.name: {"ours": [], "ops_testing": [], "floor": []} for c in cases
        }
        for round_no in range(1, args.rounds + 1):
            for case in cases:
                r = results[case.name]
                r["ours"].append(time_ours(args.scenario, env, case.path, args.runs))
                with only_this_charm_on_path(case):
                    reset_testing(case.testing_ctx)
                    between_batches()
                    r["ops_testing"].append(time_in_process(case.testing_run, args.runs))
                    reset_testing(case.testing_ctx)
                    between_batches()
                    with floor.routed_logging():
                        r["floor"].append(
                            time_in_process(
                                functools.partial(floor.dispatch, case.floor_case), args.runs
                            )
                        )
                print(
                    f"round {round_no}/{args.rounds} {case.name}: ours {r['ours'][-1]:.1f}, "
                    f"ops.testing {r['ops_testing'][-1]:.1f}, floor {r['floor'][-1]:.1f} µs/run",
                    file=sys.stderr,
                )
        for case in cases:
            case.testing_ctx.close()
    finally:
        sys.stdout = real_stdout

    load_after = os.getloadavg()
    if args.json:
        print(
            json.dumps(
                {
                    "date": started.isoformat(timespec="seconds"),
                    "machine": info,
                    "load_average": {"before": load_before, "after": load_after},
                    "runs": args.runs,
                    "rounds": args.rounds,
                    "cases": {
                        name: {
                            engine: {"median_us": round(statistics.median(v), 1), "rounds_us": v}
                            for engine, v in r.items()
                        }
                        for name, r in results.items()
                    },
                },
                indent=2,
            )
        )
        return 0
    print(
        f"Side by side, {started:%Y-%m-%d %H:%M %Z}, commit {info['commit']}: median µs/run, "
        f"{args.rounds} rounds × {args.runs} runs, alternating."
    )
    print(f"Machine: {info['cpu']}, {info['cores']} cores, {info['os']}.")
    print(
        f"Ours: ops {info['ours_ops']} on Python {info['ours_python']}; ops.testing: "
        f"ops-scenario {info['ops_scenario']} and the floor: ops {info['ops']} on Python "
        f"{info['python']}."
    )
    print(f"ops.testing's temporary directories: {info['tmpdir']}.")
    print(f"Load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after.")
    print()
    print("\n".join(table(results)))
    print()
    print(spread(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
