#!/usr/bin/env python3
"""Measure ops' own dispatch on the cheapest in-memory backend: the floor for running real ops.

Any engine that runs a charm on the real `ops` library pays at least what this
script measures: ops' Model, Framework, charm construction, re-emission of
deferred events, the event itself, collect-status and the commit. Everything
ops would ask Juju for is answered from plain Python dicts with no checks, so
the numbers are ops' own cost and nothing else.

The six cases and their states are the ones ops_testing_bench.py runs through
`ops.testing.Context.run`:

    null              null charm, `start`, nothing set
    status            status charm, `start`, leader
    stored-config     stored-config charm, `config_changed`, config {"port": 9000}
    deferring         deferring charm, `update_status`, with one deferred `start`
                      (re-deferred on every run because stored `ready` is False)
    relation-copy     relation-copy charm, `db_relation_changed` from postgresql/1,
                      leader, one `db` relation: 5 remote app keys, 3 remote units
    relation-read-all relation-read-all charm, `upstream_relation_changed` on
                      relation 1 from web/0: 20 relations x 10 remote units,
                      20 keys in every remote databag

Once per case: parse the metadata (`ops.CharmMeta` from charmcraft.yaml), merge
the config defaults, build the `ops.JujuContext`, and marshal the seeded
snapshots. Per run, exactly as ops' `_Manager` would (minus env handling,
logging setup and SQLite): a fresh `_ModelBackend` subclass and dict store,
`ops.Model`, `ops.Framework`, a throwaway subclass of the charm class with its
own `on` class (CharmBase.__init__ defines relation events on the `on` class),
the charm constructed inside `framework._event_context('__init__')`,
`framework.reemit()`, the event emitted with the arguments
`ops._main._get_event_args` builds, `ops.charm._evaluate_status`,
`framework.commit()`, `framework.close()`, and the `Framework.on._cache` leak
fix. One root logging handler, installed once, forwards records to the current
run's backend (as ops' JujuLogHandler does).

Timing and output are those of ops_testing_bench.py: 50 warm-up runs, then 5
rounds of N runs (N=300 by default); median and minimum of the per-round
means, as a table or, with --json, {"case": {"median_us": ..., "min_us": ...}}.

Usage:
    python benches/python/ops_floor_bench.py [--json] [--runs N] [--rounds R]
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import marshal
import pathlib
import sys
from collections.abc import Generator, Iterable, Mapping
from typing import Any, Callable

import ops
import ops._main
import ops.charm
import ops.model
import ops.storage
import yaml
from ops.jujucontext import JujuContext

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from ops_testing_bench import (  # noqa: E402  (needs the sys.path entry above)
    CHARMS,
    READ_ALL_KEYS,
    READ_ALL_RELATIONS,
    READ_ALL_REMOTE_APP,
    READ_ALL_STATUS,
    READ_ALL_UNITS,
    RELATION_COPY_APP_DATA,
    RELATION_COPY_REMOTE_APP,
    RELATION_COPY_REMOTE_UNIT,
    RELATION_COPY_UNITS_DATA,
    load_charm_module,
    parse_args,
    print_results,
    read_all_bag,
    run_cases,
)

JUJU_VERSION = "3.6.14"
MODEL_NAME = "bench"
MODEL_UUID = "00000000-0000-4000-8000-000000000000"

# What ops.testing puts in the local unit's databag when the test gives none.
DEFAULT_LOCAL_UNIT_DATA: dict[str, str] = {
    "egress-subnets": "192.0.2.0",
    "ingress-address": "192.0.2.0",
    "private-address": "192.0.2.0",
}


# ---------------------------------------------------------------------------
# Case description: everything computed once per case.


@dataclasses.dataclass
class RelationSpec:
    """One relation as the backend serves it."""

    endpoint: str
    remote_app: str
    # member name (remote units, the remote app, our unit, our app) -> databag.
    # Remote bags are only ever copied out; local bags are copied before a write.
    bags: dict[str, dict[str, str]]
    remote_units: list[str]


@dataclasses.dataclass
class Case:
    """A charm, its parsed metadata, and the state one run starts from."""

    charm_type: type[ops.CharmBase]
    charm_dir: pathlib.Path
    meta: ops.CharmMeta
    juju_context: JujuContext
    event_name: str
    leader: bool = False
    config: dict[str, bool | int | float | str] = dataclasses.field(default_factory=dict)
    relations: dict[int, RelationSpec] = dataclasses.field(default_factory=dict)
    relation_ids: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    snapshots: dict[str, bytes] = dataclasses.field(default_factory=dict)
    notices: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)


def make_case(
    name: str,
    charm_type: type[ops.CharmBase],
    hook: str,
    *,
    leader: bool = False,
    config: Mapping[str, bool | int | float | str] | None = None,
    relations: Iterable[tuple[int, str, str, dict[str, str], dict[int, dict[str, str]]]] = (),
    event_relation: tuple[int, int] | None = None,
    stored: Mapping[str, dict[str, Any]] | None = None,
    deferred: Iterable[tuple[str, dict[str, Any], str, str]] = (),
) -> Case:
    """Parse metadata, merge config defaults, build the JujuContext and seed data, once.

    `relations` holds (id, endpoint, remote app, remote app data, {unit id: data});
    `event_relation` is (relation id, remote unit id) for a relation event;
    `stored` maps StoredState handle paths to their content; `deferred` holds
    (event path, event snapshot, observer path, method name) in queue order.
    """
    charm_dir = CHARMS / name
    raw = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
    meta = ops.CharmMeta(raw, raw.get("actions"), raw.get("config"))
    unit_name = f"{meta.name}/0"

    merged: dict[str, bool | int | float | str] = {
        option: spec.default for option, spec in meta.config.items() if spec.default is not None
    }
    merged.update(config or {})

    specs: dict[int, RelationSpec] = {}
    relation_ids: dict[str, list[int]] = {endpoint: [] for endpoint in meta.relations}
    for rid, endpoint, remote_app, app_data, units_data in relations:
        bags = {f"{remote_app}/{unit}": dict(data) for unit, data in units_data.items()}
        bags[remote_app] = dict(app_data)
        bags[unit_name] = dict(DEFAULT_LOCAL_UNIT_DATA)
        bags[meta.name] = {}
        specs[rid] = RelationSpec(
            endpoint, remote_app, bags, [f"{remote_app}/{unit}" for unit in units_data]
        )
        relation_ids[endpoint].append(rid)

    env = {
        "JUJU_DISPATCH_PATH": f"hooks/{hook}",
        "JUJU_UNIT_NAME": unit_name,
        "JUJU_MODEL_NAME": MODEL_NAME,
        "JUJU_MODEL_UUID": MODEL_UUID,
        "JUJU_VERSION": JUJU_VERSION,
        "JUJU_CHARM_DIR": str(charm_dir),
    }
    if event_relation is not None:
        rid, unit = event_relation
        spec = specs[rid]
        env.update(
            JUJU_RELATION=spec.endpoint,
            JUJU_RELATION_ID=f"{spec.endpoint}:{rid}",
            JUJU_REMOTE_APP=spec.remote_app,
            JUJU_REMOTE_UNIT=f"{spec.remote_app}/{unit}",
        )

    snapshots = {path: marshal.dumps(content) for path, content in (stored or {}).items()}
    notices: list[tuple[str, str, str]] = []
    for event_path, snapshot, observer_path, method_name in deferred:
        snapshots[event_path] = marshal.dumps(snapshot)
        notices.append((event_path, observer_path, method_name))

    return Case(
        charm_type=charm_type,
        charm_dir=charm_dir,
        meta=meta,
        juju_context=JujuContext._from_dict(env),
        event_name=hook.replace("-", "_"),
        leader=leader,
        config=merged,
        relations=specs,
        relation_ids=relation_ids,
        snapshots=snapshots,
        notices=notices,
    )


# ---------------------------------------------------------------------------
# The backend: every hook tool the charms use, answered from dicts.


class FloorBackend(ops.model._ModelBackend):
    """Answers hook tools from the case's dicts; records what the charm sets."""

    def __init__(self, case: Case) -> None:
        super().__init__(juju_context=case.juju_context)
        self._case = case
        self.unit_status: ops.model._StatusDict = {"status": "unknown", "message": ""}
        self.app_status: ops.model._StatusDict = {"status": "unknown", "message": ""}
        self.workload_version = ""
        self.logs: list[tuple[str, str]] = []
        # (relation id, member name) -> this run's copy of a databag it wrote to.
        self.written: dict[tuple[int, str], dict[str, str]] = {}

    def is_leader(self) -> bool:
        return self._case.leader

    def config_get(self) -> dict[str, bool | int | float | str]:
        return dict(self._case.config)

    def status_get(self, *, is_app: bool = False) -> ops.model._StatusDict:
        return dict(self.app_status if is_app else self.unit_status)  # type: ignore[return-value]

    def status_set(
        self, status: ops.model._SettableStatusName, message: str = "", *, is_app: bool = False
    ) -> None:
        if is_app:
            self.app_status = {"status": status, "message": message}
        else:
            self.unit_status = {"status": status, "message": message}

    def juju_log(self, level: str, message: str) -> None:
        self.logs.append((level, message))

    def application_version_set(self, version: str) -> None:
        self.workload_version = version

    def planned_units(self) -> int:
        return 1

    def relation_ids(self, relation_name: str) -> list[int]:
        return list(self._case.relation_ids.get(relation_name, ()))

    def relation_list(self, relation_id: int, *, relation_name: str | None = None) -> list[str]:
        return list(self._case.relations[relation_id].remote_units)

    def relation_remote_app_name(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> str | None:
        return self._case.relations[relation_id].remote_app

    def relation_get(
        self,
        relation_id: int,
        member_name: str,
        is_app: bool,
        *,
        relation_name: str | None = None,
    ) -> dict[str, str]:
        bag = self.written.get((relation_id, member_name))
        if bag is None:
            bag = self._case.relations[relation_id].bags.get(member_name, {})
        return dict(bag)

    def relation_set(
        self,
        relation_id: int,
        data: Mapping[str, str],
        is_app: bool,
        *,
        relation_name: str | None = None,
    ) -> None:
        member = self.app_name if is_app else self.unit_name
        key = (relation_id, member)
        bag = self.written.get(key)
        if bag is None:
            bag = self.written[key] = dict(self._case.relations[relation_id].bags.get(member, {}))
        for k, v in data.items():
            if v == "":
                bag.pop(k, None)
            else:
                bag[k] = v

    def get_pebble(self, socket_path: str) -> Any:
        raise NotImplementedError("no containers in the benchmark charms")


def _not_implemented(name: str) -> Callable[..., Any]:
    def method(self: FloorBackend, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"FloorBackend.{name} is not used by the benchmark charms")

    method.__name__ = name
    return method


# Anything else must not fall through to a real hook command (a subprocess).
# update_relation_data runs no hook tool: it forwards to relation_set.
for _name, _ in inspect.getmembers(ops.model._ModelBackend, inspect.isfunction):
    if (
        not _name.startswith("_")
        and _name not in FloorBackend.__dict__
        and _name != "update_relation_data"
    ):
        setattr(FloorBackend, _name, _not_implemented(_name))


# ---------------------------------------------------------------------------
# The store: the nine methods Framework calls, on a dict and a list.


class DictStore:
    """Snapshots as marshalled bytes (so loads are copies, as with SQLite), notices in a list."""

    def __init__(self, snapshots: dict[str, bytes], notices: list[tuple[str, str, str]]) -> None:
        self.snapshots = snapshots
        self.notice_list = notices

    def save_snapshot(self, handle_path: str, snapshot_data: Any) -> None:
        self.snapshots[handle_path] = marshal.dumps(snapshot_data)

    def load_snapshot(self, handle_path: str) -> Any:
        try:
            return marshal.loads(self.snapshots[handle_path])
        except KeyError:
            raise ops.storage.NoSnapshotError(handle_path) from None

    def drop_snapshot(self, handle_path: str) -> None:
        self.snapshots.pop(handle_path, None)

    def list_snapshots(self) -> Generator[str, None, None]:
        yield from list(self.snapshots)

    def save_notice(self, event_path: str, observer_path: str, method_name: str) -> None:
        self.notice_list.append((event_path, observer_path, method_name))

    def drop_notice(self, event_path: str, observer_path: str, method_name: str) -> None:
        notice = (event_path, observer_path, method_name)
        self.notice_list[:] = [n for n in self.notice_list if n != notice]

    def notices(
        self, event_path: str | None = None
    ) -> Generator[tuple[str, str, str], None, None]:
        # A copy: Framework drops notices while it iterates.
        for notice in list(self.notice_list):
            if not event_path or notice[0] == event_path:
                yield notice

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------
# Logging: one handler for the whole process, aimed at the current backend.

_current_backend: FloorBackend | None = None


class _ForwardToBackend(logging.Handler):
    """Like ops.log.JujuLogHandler, but sends to whichever backend is running."""

    def emit(self, record: logging.LogRecord) -> None:
        if _current_backend is not None:
            _current_backend.juju_log(record.levelname, self.format(record))


def setup_logging() -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    root.addHandler(_ForwardToBackend(logging.DEBUG))


# ---------------------------------------------------------------------------
# One dispatch.


@dataclasses.dataclass
class Outcome:
    backend: FloorBackend
    store: DictStore


def wrap_charm_class(cls: type[ops.CharmBase]) -> type[ops.CharmBase]:
    """A throwaway subclass with its own `on` class, keeping the class names."""
    on_cls = type(type(cls.on).__name__, (type(cls.on),), {})
    return type(cls.__name__, (cls,), {"on": on_cls()})


def dispatch(case: Case) -> Outcome:
    """Run one event through ops on a fresh backend, store, Model and Framework."""
    global _current_backend
    backend = FloorBackend(case)
    backend._peer_endpoints = frozenset(case.meta.peers)
    previous_backend, _current_backend = _current_backend, backend
    try:
        store = DictStore(dict(case.snapshots), list(case.notices))
        model = ops.Model(case.meta, backend)
        framework = ops.Framework(
            store,  # type: ignore[arg-type]  # a duck-typed store
            case.charm_dir,
            case.meta,
            model,
            event_name=case.event_name,
        )
        try:
            charm_type = wrap_charm_class(case.charm_type)
            with framework._event_context("__init__"):
                charm = charm_type(framework)
            framework.reemit()
            bound_event = getattr(charm.on, case.event_name)
            args, kwargs = ops._main._get_event_args(charm, bound_event, case.juju_context)
            bound_event.emit(*args, **kwargs)
            ops.charm._evaluate_status(charm)
            framework.commit()
        finally:
            framework.close()
            ops.Framework.on._cache.pop(framework, None)  # the leak fix
    finally:
        _current_backend = previous_backend
    return Outcome(backend, store)


# ---------------------------------------------------------------------------
# The cases.


def build_cases() -> dict[str, Callable[[], Outcome]]:
    """Map case name to a zero-argument callable doing one dispatch."""
    null = load_charm_module("null")
    status = load_charm_module("status")
    stored = load_charm_module("stored-config")
    deferring = load_charm_module("deferring")
    relcopy = load_charm_module("relation-copy")
    readall = load_charm_module("relation-read-all")

    specs: dict[str, Case] = {
        "null": make_case("null", null.NullCharm, "start"),
        "status": make_case("status", status.StatusCharm, "start", leader=True),
        "stored-config": make_case(
            "stored-config", stored.StoredConfigCharm, "config-changed", config={"port": 9000}
        ),
        "deferring": make_case(
            "deferring",
            deferring.DeferringCharm,
            "update-status",
            stored={"DeferringCharm/StoredStateData[_stored]": {"ready": False, "starts": 0}},
            deferred=[("DeferringCharm/on/start[1]", {}, "DeferringCharm", "_on_start")],
        ),
        "relation-copy": make_case(
            "relation-copy",
            relcopy.RelationCopyCharm,
            "db-relation-changed",
            leader=True,
            relations=[
                (
                    1,
                    "db",
                    RELATION_COPY_REMOTE_APP,
                    RELATION_COPY_APP_DATA,
                    RELATION_COPY_UNITS_DATA,
                )
            ],
            event_relation=(1, RELATION_COPY_REMOTE_UNIT),
        ),
        "relation-read-all": make_case(
            "relation-read-all",
            readall.RelationReadAllCharm,
            "upstream-relation-changed",
            relations=[
                (
                    rel,
                    "upstream",
                    READ_ALL_REMOTE_APP,
                    read_all_bag(rel, "app"),
                    {unit: read_all_bag(rel, unit) for unit in range(READ_ALL_UNITS)},
                )
                for rel in range(1, READ_ALL_RELATIONS + 1)
            ],
            event_relation=(1, 0),
        ),
    }
    cases: dict[str, Callable[[], Outcome]] = {
        name: functools.partial(dispatch, case) for name, case in specs.items()
    }
    check_cases(cases)
    return cases


def check_cases(cases: dict[str, Callable[[], Outcome]]) -> None:
    """Sanity checks, so a broken case cannot produce a fast-but-meaningless number."""

    def status(outcome: Outcome, is_app: bool = False) -> tuple[str, str]:
        s = outcome.backend.app_status if is_app else outcome.backend.unit_status
        return s["status"], s["message"]

    out = cases["null"]()
    assert status(out) == ("unknown", ""), status(out)
    # The framework's own event counter: start, collect_unit_status, pre_commit, commit.
    counter = marshal.loads(out.store.snapshots["StoredStateData[_stored]"])
    assert counter == {"event_count": 4}, counter

    out = cases["status"]()
    assert status(out) == ("active", "ready"), status(out)
    assert status(out, is_app=True) == ("active", "app ready"), status(out, is_app=True)
    assert out.backend.workload_version == "1.1", out.backend.workload_version

    out = cases["stored-config"]()
    assert status(out) == ("active", "port=9000 ratio=0.5 debug=False name=None"), status(out)
    stored = marshal.loads(out.store.snapshots["StoredConfigCharm/StoredStateData[_stored]"])
    assert stored["counter"] == 1 and stored["tags"] == {"9000"}, stored
    assert stored["big"] == 2**70 + 1 and stored["blob"] == b"x", stored
    assert any("config: {" in message for _, message in out.backend.logs), out.backend.logs

    out = cases["deferring"]()
    assert out.store.notice_list == [
        ("DeferringCharm/on/start[1]", "DeferringCharm", "_on_start")
    ], out.store.notice_list
    assert "DeferringCharm/on/start[1]" in out.store.snapshots, list(out.store.snapshots)
    stored = marshal.loads(out.store.snapshots["DeferringCharm/StoredStateData[_stored]"])
    assert stored == {"ready": False, "starts": 1}, stored
    assert ("INFO", "not ready, deferring start") in out.backend.logs, out.backend.logs

    out = cases["relation-copy"]()
    assert status(out) == (
        "active",
        f"copied {len(RELATION_COPY_APP_DATA)} keys from {RELATION_COPY_REMOTE_APP}",
    ), status(out)
    app_bag = out.backend.written[(1, "relation-copy")]
    expected_app = {**RELATION_COPY_APP_DATA, "units": str(len(RELATION_COPY_UNITS_DATA))}
    assert app_bag == expected_app, app_bag
    unit_bag = out.backend.written[(1, "relation-copy/0")]
    expected_seen = f"{RELATION_COPY_REMOTE_APP}/{RELATION_COPY_REMOTE_UNIT}"
    assert unit_bag == {**DEFAULT_LOCAL_UNIT_DATA, "seen": expected_seen}, unit_bag

    out = cases["relation-read-all"]()
    assert status(out) == ("active", READ_ALL_STATUS), status(out)
    assert READ_ALL_STATUS.startswith(
        f"read {READ_ALL_RELATIONS * (READ_ALL_UNITS + 1) * READ_ALL_KEYS} keys"
    )
    assert not out.backend.written, out.backend.written


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    setup_logging()
    cases = build_cases()
    results = run_cases(cases, lambda: None, args.rounds, args.runs)
    print_results(results, "ops floor (dict backend and store)", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
