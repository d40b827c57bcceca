"""Shared set-up for the conversion tests (python/tests): the module under test, loaded from its
file (the package's __init__ imports the Rust engine, which these tests never build), the test
charms, and a runner for the engine's prebuilt CLI."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import ops
import pytest
from ops import testing

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
CHARMS = REPO / "tests" / "charms"
# The engine's CLI (`scenario run CASE.json`): SCENARIO_CLI, else the workspace's build.
CLI = os.environ.get("SCENARIO_CLI") or str(REPO / "target/debug/scenario")

SCENARIO_VERSION = tuple(int(x) for x in importlib.metadata.version("ops-scenario").split(".")[:2])
SCENARIO_8 = SCENARIO_VERSION >= (8, 0)


def _load_convert() -> ModuleType:
    path = REPO / "python" / "ops_scenario_rs" / "_convert.py"
    spec = importlib.util.spec_from_file_location("ops_scenario_rs_convert_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cv = _load_convert()

# ---- charms -------------------------------------------------------------------------------

_MODULES: dict[pathlib.Path, ModuleType] = {}


def load_charm(name: str, class_name: str | None = None) -> tuple[pathlib.Path, type[ops.CharmBase]]:
    """The test charm's directory and class (src/charm.py imported under a unique name)."""
    charm_dir = (CHARMS / name).resolve() if not os.path.isabs(name) else pathlib.Path(name)
    if charm_dir not in _MODULES:
        for sub in ("lib", "src"):
            path = str(charm_dir / sub)
            if path not in sys.path:
                sys.path.insert(0, path)
        mod_name = "convert_test_charm_" + "".join(c if c.isalnum() else "_" for c in name)
        spec = importlib.util.spec_from_file_location(mod_name, charm_dir / "src" / "charm.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        spec.loader.exec_module(module)
        _MODULES[charm_dir] = module
    module = _MODULES[charm_dir]
    own = [
        v for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ops.CharmBase) and v.__module__ == module.__name__
    ]
    if class_name is not None:
        own = [c for c in own if c.__name__ == class_name]
    assert len(own) == 1, own
    return charm_dir, own[0]


# ---- one run each way ---------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    ctx: testing.Context[Any]
    state: testing.State | None
    error: BaseException | None = None
    output: dict[str, Any] | None = None


def run_reference(charm: str, ctx_kwargs: dict[str, Any], event: Any, state: testing.State) -> Outcome:
    _, charm_type = load_charm(charm)
    ctx = testing.Context(charm_type, **ctx_kwargs)
    try:
        return Outcome(ctx, ctx.run(event, state))
    except testing.ActionFailed as e:
        return Outcome(ctx, e.state, e)
    except Exception as e:  # UncaughtCharmError and friends
        return Outcome(ctx, None, e)


def engine_case(charm: str, ctx: testing.Context[Any], event: Any, state: testing.State) -> dict[str, Any]:
    charm_dir, charm_type = load_charm(charm)
    return {
        "charm": str(charm_dir),
        "charm_class": charm_type.__name__,
        "context": cv.context_json(ctx),
        "event": cv.event_json(event, state),
        "state": cv.state_json(state, ctx),
    }


def run_cli(case: dict[str, Any], tmp_path: pathlib.Path) -> dict[str, Any]:
    if not os.access(CLI, os.X_OK):
        pytest.fail(f"no engine CLI at {CLI}: run `cargo build`, or set SCENARIO_CLI")
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, indent=1))
    proc = subprocess.run(
        [CLI, "run", str(path)], capture_output=True, text=True,
        env={**os.environ, "VIRTUAL_ENV": sys.prefix}, check=False,
    )
    if proc.returncode == 2 or not proc.stdout:
        raise AssertionError(f"the engine refused the case (exit {proc.returncode}):\n{proc.stderr}\n{path.read_text()}")
    return dict(json.loads(proc.stdout))


def run_engine(
    charm: str, ctx_kwargs: dict[str, Any], event: Any, state: testing.State, tmp_path: pathlib.Path,
    ctx: testing.Context[Any] | None = None,
) -> Outcome:
    """The same run through the conversion and the engine's CLI, into a fresh ops.testing
    Context (or `ctx`, to chain runs), as ops_scenario_rs.Context._run does it."""
    if ctx is None:
        _, charm_type = load_charm(charm)
        ctx = testing.Context(charm_type, **ctx_kwargs)
    cv.begin_run(ctx, event, state)
    out = run_cli(engine_case(charm, ctx, event, state), tmp_path)
    cv.apply_output(out, ctx)
    if out["state"] is None:
        return Outcome(ctx, None, RuntimeError(f"{out['error']['type']}: {out['error']['message']}"), out)
    state_out = cv.state_from_json(out, state, ctx)
    failure = ctx._action_failure_message if getattr(event, "action", None) is not None else None
    return Outcome(ctx, state_out, None if failure is None else testing.ActionFailed(failure, state_out), out)


# ---- comparing ----------------------------------------------------------------------------

_STATE_FIELDS = (
    "config", "relations", "networks", "containers", "storages", "opened_ports", "leader", "model",
    "secrets", "resources", "planned_units", "deferred", "stored_states", "app_status",
    "unit_status", "workload_version",
)
# juju-log lines that only ops.testing writes, each a deliberate difference of DIFFERENCES.md.
_REFERENCE_ONLY_LOG = (
    "Initializing SQLite local storage: :memory:.",  # sqlite-init-log-line
    "extra-bindings is a deprecated feature",  # extra-binding-log-line
)


def _key(item: Any) -> Any:
    for attr in ("id", "name", "binding_name", "handle_path"):
        if hasattr(item, attr):
            value = getattr(item, attr)
            if attr == "name" and hasattr(item, "owner_path"):
                return (item.owner_path, value)
            if attr == "name" and hasattr(item, "index"):
                return (value, item.index)
            return value
    return repr(item)


def state_diff(ref: testing.State, eng: testing.State, ignore: tuple[str, ...] = ()) -> list[str]:
    """Where two States differ, field by field and object by object."""
    diffs: list[str] = []
    for name in _STATE_FIELDS:
        if name in ignore:
            continue
        a, b = getattr(ref, name), getattr(eng, name)
        if a == b:
            continue
        if isinstance(a, frozenset) and isinstance(b, frozenset):
            ka, kb = {_key(x): x for x in a}, {_key(x): x for x in b}
            for k in sorted(set(ka) | set(kb), key=repr):
                if ka.get(k) != kb.get(k):
                    diffs.append(f"{name}[{k!r}]:\n  ops.testing: {ka.get(k)!r}\n  engine:      {kb.get(k)!r}")
        else:
            diffs.append(f"{name}:\n  ops.testing: {a!r}\n  engine:      {b!r}")
    return diffs


def tree(root: pathlib.Path) -> dict[str, Any]:
    """A directory's files (following symlinks, as a test reading them does)."""
    out: dict[str, Any] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        base = pathlib.Path(dirpath)
        rel = "/" + str(base.relative_to(root)) if base != root else "/"
        out[rel] = "dir"
        for f in filenames:
            path = base / f
            out[str(pathlib.PurePosixPath(rel) / f)] = (path.read_bytes(), oct(path.stat().st_mode & 0o777))
    return out


_TRACE_TIME = re.compile(r'"datetime": "[^"]*"')


def _log(lines: list[Any]) -> list[Any]:
    """juju-log lines but ops.testing's own, ops' security-event times masked (DIFFERENCES.md
    normalisation `trace-timestamp`)."""
    return [
        (line.level, _TRACE_TIME.sub('"datetime": "<t>"', line.message))
        for line in lines if line.message not in _REFERENCE_ONLY_LOG
    ]


def context_diff(ref: testing.Context[Any], eng: testing.Context[Any], ignore: tuple[str, ...] = ()) -> list[str]:
    diffs: list[str] = []
    attrs: dict[str, tuple[Any, Any]] = {
        "juju_log": (_log(ref.juju_log), _log(eng.juju_log)),
        "unit_status_history": (ref.unit_status_history, eng.unit_status_history),
        "app_status_history": (ref.app_status_history, eng.app_status_history),
        "workload_version_history": (ref.workload_version_history, eng.workload_version_history),
        "exec_history": (ref.exec_history, eng.exec_history),
        "removed_secret_revisions": (ref.removed_secret_revisions, eng.removed_secret_revisions),
        "requested_storages": (ref.requested_storages, eng.requested_storages),
        "action_results": (ref.action_results, eng.action_results),
        "action_logs": (ref.action_logs, eng.action_logs),
        "_action_failure_message": (ref._action_failure_message, eng._action_failure_message),
    }
    for name, (a, b) in attrs.items():
        if name not in ignore and a != b:
            diffs.append(f"ctx.{name}:\n  ops.testing: {a!r}\n  engine:      {b!r}")
    meta = cv._charm_meta(ref)
    for container in meta.get("containers") or {}:
        if f"files:{container}" in ignore:
            continue
        ta, tb = tree(ref._get_container_root(container)), tree(eng._get_container_root(container))
        if ta != tb:
            diffs.append(f"files of {container}:\n  ops.testing: {ta!r}\n  engine:      {tb!r}")
    return diffs


def both(
    charm: str, event_factory: Callable[[testing.Context[Any]], Any], state: testing.State,
    tmp_path: pathlib.Path, ctx_kwargs: dict[str, Any] | None = None,
) -> tuple[Outcome, Outcome]:
    """Run one event on ops.testing and on the engine. The event is built once (ops.testing
    draws action ids from a counter), with the reference Context's `on`."""
    kwargs = ctx_kwargs or {}
    _, charm_type = load_charm(charm)
    with testing.Context(charm_type, **kwargs) as probe:
        event = event_factory(probe)
    ref = run_reference(charm, kwargs, event, state)
    eng = run_engine(charm, kwargs, event, state, tmp_path)
    return ref, eng


def _normalise_checks(state: testing.State, state_in: testing.State) -> testing.State:
    """DIFFERENCES.md normalisations for check infos the run (re)started: a change id that is
    not the input's is drawn by each engine (`drawn-change-id`), and a check the plan added
    without a check info in the input has `successes` None on ops.testing, 0 on the engine
    (`plan-check-infos`)."""
    given = {(c.name, i.name): i for c in state_in.containers for i in c.check_infos}
    containers = []
    for c in state.containers:
        infos = []
        for info in c.check_infos:
            old = given.get((c.name, info.name))
            change = info.change_id
            if change and (old is None or old.change_id != change):
                change = ops.pebble.ChangeID("<drawn>")
            successes = 0 if old is None and info.successes is None else info.successes
            infos.append(testing.CheckInfo(
                info.name, level=info.level, startup=info.startup, status=info.status,
                successes=successes, failures=info.failures, threshold=info.threshold, change_id=change))
        containers.append(dataclasses.replace(c, check_infos=frozenset(infos)))
    return dataclasses.replace(state, containers=frozenset(containers))


def logs_except(ctx: testing.Context[Any], *prefixes: str) -> list[Any]:
    """The juju-log lines but those starting with one of `prefixes` (and ops.testing's own)."""
    return [line for line in _log(ctx.juju_log) if not line[1].startswith(prefixes)]


def assert_same(
    ref: Outcome, eng: Outcome, *, ignore: tuple[str, ...] = (), state_in: testing.State | None = None,
) -> None:
    """The two runs gave the same outcome, output State and Context attributes; with
    `state_in`, check infos are compared after `_normalise_checks`."""
    if state_in is not None and ref.state is not None and eng.state is not None:
        ref = dataclasses.replace(ref, state=_normalise_checks(ref.state, state_in))
        eng = dataclasses.replace(eng, state=_normalise_checks(eng.state, state_in))
    diffs: list[str] = []
    if ref.state is None and eng.state is None and ref.error is not None and eng.output is not None:
        # Both runs failed: the charm's exception is the same type on both.
        cause = ref.error.__cause__ or ref.error
        if type(cause).__name__ != eng.output["error"]["type"].rsplit(".", 1)[-1]:
            diffs.append(f"error:\n  ops.testing: {cause!r}\n  engine:      {eng.output['error']}")
    elif (ref.error is None) != (eng.error is None) or type(ref.error) is not type(eng.error):
        diffs.append(f"outcome:\n  ops.testing: {ref.error!r}\n  engine:      {eng.error!r}")
    if ref.state is not None and eng.state is not None:
        diffs += state_diff(ref.state, eng.state, ignore)
    diffs += context_diff(ref.ctx, eng.ctx, ignore)
    assert not diffs, "ops.testing and the engine differ:\n" + "\n".join(diffs)
