#!/usr/bin/env python3
"""The floor: a case file dispatched by ops' own machinery over the cheapest in-memory backend.

Any engine that runs a charm on the real `ops` library pays at least what this measures: ops
builds the Model and the Framework, constructs the charm, re-emits the deferred events, emits the
event with the arguments ops' own `_get_event_args` builds, runs collect-status and commits. Here
every hook tool is answered from plain Python dicts prepared once per case, the unit-state store
is a dict, and each container's Pebble is a dict-backed fake `pebble.Client`. Nothing is checked,
and nothing is copied except what ops itself would otherwise change in place (the local databags
it caches and updates after a write, the stored snapshots it restores into live objects), so that
every run starts from the same State. The time is ops' own cost for the case, and nothing else.

The case file is read by conformance/reference.py (`build_state`, `build_event`), the translator
the conformance suite runs ops.testing with, so the floor starts from exactly the State that
ops.testing is given: the same relation ids and the same default databags (each unit's bag starts
with Juju's address keys). What a case may use: leader, config (over the metadata's defaults),
planned units, statuses, workload version, relations (regular, peer, subordinate), stored states,
deferred events, containers (layers, service statuses; files the charm pushes), and lifecycle,
relation and pebble-ready events with their JUJU_* context. Anything else (secrets, storage,
actions, ports, networks, resources, notices, checks, exec, mounts, inline files) is refused when
the case is loaded, and a backend method the floor does not answer raises NotImplementedError
instead of reaching for a real hook tool.

Usage (for a quick look; benches/python/side_by_side.py is the benchmark):
    python benches/python/floor.py CASE.json [-n N]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fnmatch
import inspect
import io
import json
import logging
import marshal
import pathlib
import posixpath
import statistics
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from typing import Any, BinaryIO, TextIO, cast

import ops
import ops._main
import ops.charm
import ops.log
import ops.model
import ops.storage
import yaml
from ops import pebble, testing
from ops.jujucontext import JujuContext

REPO = pathlib.Path(__file__).resolve().parents[2]
if str(REPO / "conformance") not in sys.path:
    sys.path.insert(0, str(REPO / "conformance"))

import reference  # noqa: E402  (conformance/ is on sys.path only from the line above)

# Events Juju runs in a restricted context: ops neither re-emits deferred events nor
# collects statuses for them (ops._main._Manager._emit).
_RESTRICTED_EVENTS = frozenset({"collect_metrics", "meter_status_changed"})
_FILE_TIME = reference._NOTICE_TIME  # the time every file in a fake container was modified


# ---------------------------------------------------------------------------------------------
# A case, prepared once: everything a run reads, as plain dicts that no run changes.


@dataclasses.dataclass(frozen=True)
class RelationSeed:
    """One relation as the backend serves it."""

    endpoint: str
    remote_app: str
    remote_model_uuid: str
    units: list[str]
    """`relation-list`: the remote units Juju lists for this event (never changed by ops)."""
    bags: dict[str, dict[str, str]]
    """Member name (a unit or an application) -> its databag, as the run starts."""


@dataclasses.dataclass(frozen=True)
class ContainerSeed:
    """One container's Pebble as the run starts."""

    can_connect: bool
    layers: dict[str, dict[str, Any]]
    """Layer label -> layer dict, in order."""
    service_statuses: dict[str, str]


@dataclasses.dataclass
class FloorCase:
    """A charm, its parsed metadata, the event's Juju context and the State a run starts from."""

    name: str
    charm_type: type[ops.CharmBase]
    wrap: bool
    """Whether CharmBase.__init__ defines events on the charm's `on` class (endpoints, storage,
    actions, containers): it raises when the same class is set up twice, so such a charm gets a
    throwaway subclass per run, as ops.testing and our engine give it."""
    charm_dir: pathlib.Path
    meta: ops.CharmMeta
    peers: frozenset[str]
    juju_context: JujuContext
    event_name: str
    restricted: bool
    broken_relation_id: int | None
    remote_unit_name: str | None
    leader: bool
    config: dict[str, bool | int | float | str]
    planned_units: int
    unit_status: dict[str, str]
    app_status: dict[str, str]
    workload_version: str
    relations: dict[int, RelationSeed]
    relation_ids: dict[str, list[int]]
    local_members: frozenset[str]
    """This unit's and this application's names: the only bags ops writes to (and so caches and
    changes in place), so the only ones a read must copy."""
    containers: dict[str, ContainerSeed]
    snapshots: dict[str, bytes]
    """Handle path -> marshalled snapshot (stored states, deferred events' data)."""
    notices: list[tuple[str, str, str]]
    """The deferred queue: (event path, observer path, method name), in order."""


def _status(name: str, message: str) -> dict[str, str]:
    return {"status": name, "message": message}


def load_metadata(charm_dir: pathlib.Path) -> tuple[dict[str, Any], ops.CharmMeta]:
    """The charm's raw metadata and its CharmMeta, from charmcraft.yaml or the legacy files."""
    charmcraft = charm_dir / "charmcraft.yaml"
    if charmcraft.exists():
        raw = yaml.safe_load(charmcraft.read_text()) or {}
        return raw, ops.CharmMeta(raw, raw.get("actions"), raw.get("config"))

    def read(name: str) -> Any:
        path = charm_dir / name
        return yaml.safe_load(path.read_text()) if path.exists() else None

    raw = read("metadata.yaml") or {}
    return raw, ops.CharmMeta(raw, read("actions.yaml"), read("config.yaml"))


@dataclasses.dataclass(frozen=True)
class ParsedCase:
    """A case file read once: the charm, its metadata, and ops.testing's State and event for it.

    The side-by-side runner gives the same State and event to ops.testing, and the floor is
    prepared from them.
    """

    path: pathlib.Path
    case: dict[str, Any]
    charm_dir: pathlib.Path
    charm_type: type[ops.CharmBase]
    meta: ops.CharmMeta
    state: testing.State
    event: Any  # scenario.state._Event, what `ctx.on.<event>(...)` builds


def read_case(path: pathlib.Path) -> ParsedCase:
    """Read a case file (docs/STATE_JSON.md) through the conformance suite's translator."""
    case = json.loads(path.read_text())
    reference.check_fields(case)
    charm_dir = (path.parent / case["charm"]).resolve()
    module = reference.load_charm_module(charm_dir)
    charm_type = reference.find_charm_class(module, case.get("charm_class"))
    raw_meta, meta = load_metadata(charm_dir)
    # The scratch directory is only for inline container files, which the floor refuses.
    inputs = reference.Inputs(path.parent, raw_meta, path.parent, reference._counter())
    state = reference.build_state(case.get("state", {}), inputs)
    event = reference.build_event(case["event"], state)
    return ParsedCase(path, case, charm_dir, charm_type, meta, state, event)


def _refuse_unsupported(case: Mapping[str, Any], state: testing.State) -> None:
    """Stop at load time on anything the floor's backend does not answer."""
    unsupported = [
        field
        for field in (
            "secrets",
            "storages",
            "opened_ports",
            "resources",
            "networks",
        )
        if getattr(state, field)
    ]
    if state.model.cloud_spec is not None:
        unsupported.append("model.cloud_spec")
    for container in case.get("state", {}).get("containers", []):
        for field in ("mounts", "execs", "notices", "check_infos", "files"):
            if container.get(field):
                unsupported.append(f"containers[{container['name']}].{field}")
    event = case["event"]
    for field in ("notice_id", "check", "secret_id", "storage", "action", "args", "kwargs"):
        if field in event:
            unsupported.append(f"event.{field}")
    if "." in event["name"]:
        unsupported.append("events on objects other than the charm")
    options = case.get("context", {})
    if options.get("capture_deferred_events") or options.get("capture_framework_events"):
        unsupported.append("context.capture_*")
    if unsupported:
        raise NotImplementedError(f"the floor does not simulate {', '.join(unsupported)}")


def prepare(parsed: ParsedCase) -> FloorCase:
    """Everything the case's runs read, computed once."""
    case, state, event, meta = parsed.case, parsed.state, parsed.event, parsed.meta
    charm_dir = parsed.charm_dir
    _refuse_unsupported(case, state)

    options = case.get("context", {})
    app_name: str = options.get("app_name") or meta.name
    unit_name = f"{app_name}/{options.get('unit_id', 0)}"
    event_name = event.name

    # The event's JUJU_* context, as Juju (and ops.testing) set it.
    env = {
        "JUJU_VERSION": options.get(
            "juju_version", reference._NORMALISED_DEFAULTS["context.juju_version"]
        ),
        "JUJU_UNIT_NAME": unit_name,
        "JUJU_MODEL_NAME": state.model.name,
        "JUJU_MODEL_UUID": state.model.uuid,
        "JUJU_CHARM_DIR": str(charm_dir),
        "JUJU_DISPATCH_PATH": f"hooks/{event._juju_name}",
        "JUJU_HOOK_NAME": event._juju_name,
    }
    for option, variable in (
        ("machine_id", "JUJU_MACHINE_ID"),
        ("availability_zone", "JUJU_AVAILABILITY_ZONE"),
        ("principal_unit", "JUJU_PRINCIPAL_UNIT"),
    ):
        if options.get(option) is not None:
            env[variable] = str(options[option])

    departing: str | None = None
    event_relation = event.relation if event._is_relation_event else None
    if event_relation is not None:
        remote_app = (
            app_name
            if isinstance(event_relation, testing.PeerRelation)
            else event_relation.remote_app_name
        )
        env["JUJU_RELATION"] = event_relation.endpoint
        env["JUJU_RELATION_ID"] = f"{event_relation.endpoint}:{event_relation.id}"
        env["JUJU_REMOTE_APP"] = remote_app
        remote_unit_id = event.relation_remote_unit_id
        if remote_unit_id is None and not event_name.endswith(
            ("_relation_created", "_relation_broken")
        ):
            # ops.testing's default: the only remote unit, or the first.
            remote_unit_id = next(iter(event_relation._remote_unit_ids), None)
        if remote_unit_id is not None:
            env["JUJU_REMOTE_UNIT"] = f"{remote_app}/{remote_unit_id}"
            if event_name.endswith("_relation_departed"):
                departing_id = event.relation_departed_unit_id
                departing = (
                    f"{remote_app}/{remote_unit_id if departing_id is None else departing_id}"
                )
                env["JUJU_DEPARTING_UNIT"] = departing
    if event.container is not None:
        env["JUJU_WORKLOAD_NAME"] = event.container.name
    juju_context = JujuContext._from_dict(env)

    relations: dict[int, RelationSeed] = {}
    relation_ids: dict[str, list[int]] = {endpoint: [] for endpoint in meta.relations}
    for relation in state.relations:
        remote: Mapping[int, Mapping[str, str]]
        if isinstance(relation, testing.PeerRelation):
            remote_app = app_name
            remote = relation.peers_data
        elif isinstance(relation, testing.SubordinateRelation):
            remote_app = relation.remote_app_name
            remote = {relation.remote_unit_id: relation.remote_unit_data}
        else:
            assert isinstance(relation, testing.Relation)
            remote_app = relation.remote_app_name
            remote = relation.remote_units_data
        bags = {f"{remote_app}/{unit}": dict(bag) for unit, bag in remote.items()}
        if not isinstance(relation, testing.PeerRelation):
            bags[remote_app] = dict(relation.remote_app_data)
        bags[unit_name] = dict(relation.local_unit_data)
        bags[app_name] = dict(relation.local_app_data)
        units = [f"{remote_app}/{unit}" for unit in remote]
        if event_relation is not None and event_relation.id == relation.id:
            # Juju leaves the departing unit out of relation-departed's relation-list, and
            # lists no units at all in relation-broken.
            if event_name.endswith("_relation_broken"):
                units = []
            elif departing is not None:
                units = [unit for unit in units if unit != departing]
        remote_model_uuid = getattr(relation, "remote_model_uuid", None) or state.model.uuid
        relations[relation.id] = RelationSeed(
            relation.endpoint, remote_app, remote_model_uuid, units, bags
        )
        relation_ids.setdefault(relation.endpoint, []).append(relation.id)

    config: dict[str, bool | int | float | str] = {
        option: spec.default for option, spec in meta.config.items() if spec.default is not None
    }
    config.update(state.config)

    snapshots: dict[str, bytes] = {}
    for stored in state.stored_states:
        owner = f"{stored.owner_path}/" if stored.owner_path else ""
        snapshots[f"{owner}StoredStateData[{stored.name}]"] = marshal.dumps(dict(stored.content))
    notices: list[tuple[str, str, str]] = []
    for deferred in state.deferred:
        snapshots[deferred.handle_path] = marshal.dumps(dict(deferred.snapshot_data))
        notices.append((deferred.handle_path, deferred.owner, deferred.observer))

    containers = {
        c.name: ContainerSeed(
            can_connect=c.can_connect,
            layers={label: dict(layer.to_dict()) for label, layer in c.layers.items()},
            service_statuses={
                name: pebble.ServiceStatus(s).value for name, s in c.service_statuses.items()
            },
        )
        for c in state.containers
    }

    return FloorCase(
        name=parsed.path.stem,
        charm_type=parsed.charm_type,
        wrap=bool(meta.relations or meta.storages or meta.actions or meta.containers),
        charm_dir=charm_dir,
        meta=meta,
        peers=frozenset(meta.peers),
        juju_context=juju_context,
        event_name=event_name,
        restricted=event_name in _RESTRICTED_EVENTS,
        broken_relation_id=(
            juju_context.relation_id if event_name.endswith("_relation_broken") else None
        ),
        remote_unit_name=(
            juju_context.remote_unit_name
            if event_name.endswith(("_relation_departed", "_relation_broken"))
            else None
        ),
        leader=state.leader,
        config=config,
        planned_units=state.planned_units,
        unit_status=_status(state.unit_status.name, state.unit_status.message),
        app_status=_status(state.app_status.name, state.app_status.message),
        workload_version=state.workload_version,
        relations=relations,
        relation_ids=relation_ids,
        local_members=frozenset({unit_name, app_name}),
        containers=containers,
        snapshots=snapshots,
        notices=notices,
    )


# ---------------------------------------------------------------------------------------------
# The backend: every hook tool the charms use, answered from the case's dicts.


class FloorBackend(ops.model._ModelBackend):
    """Answers hook tools from the prepared case; records what the charm sets.

    What ops never changes is handed out as it is (config, relation ids and units, remote
    databags, statuses); what ops caches and then changes in place after a write (this unit's
    and this application's databags) is copied on read.
    """

    def __init__(self, case: FloorCase) -> None:
        super().__init__(juju_context=case.juju_context)
        self._case = case
        self._peer_endpoints = case.peers  # as ops' _Manager sets it
        self.unit_status = case.unit_status  # replaced by status-set, never changed in place
        self.app_status = case.app_status
        self.workload_version = case.workload_version
        self.logs: list[tuple[str, str]] = []
        self.written: dict[tuple[int, str], dict[str, str]] = {}
        """(relation id, member) -> this run's copy of a databag the charm wrote to."""
        self.pebbles: dict[str, DictPebble] = {}

    def is_leader(self) -> bool:
        return self._case.leader

    def config_get(self) -> dict[str, bool | int | float | str]:
        return self._case.config  # ops' ConfigData is read-only: no copy needed

    def planned_units(self) -> int:
        return self._case.planned_units

    def status_get(self, *, is_app: bool = False) -> ops.model._StatusDict:
        return self.app_status if is_app else self.unit_status  # type: ignore[return-value]

    def status_set(
        self, status: ops.model._SettableStatusName, message: str = "", *, is_app: bool = False
    ) -> None:
        if is_app:
            self.app_status = {"status": status, "message": message}
        else:
            self.unit_status = {"status": status, "message": message}

    def application_version_set(self, version: str) -> None:
        self.workload_version = version

    def juju_log(self, level: str, message: str) -> None:
        self.logs.append((level, message))

    def _relation(self, relation_id: int) -> RelationSeed:
        relation = self._case.relations.get(relation_id)
        if relation is None:
            raise ops.model.RelationNotFoundError()
        return relation

    def relation_ids(self, relation_name: str) -> list[int]:
        return self._case.relation_ids.get(relation_name, [])

    def relation_list(self, relation_id: int, *, relation_name: str | None = None) -> list[str]:
        return self._relation(relation_id).units

    def relation_remote_app_name(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> str | None:
        relation = self._case.relations.get(relation_id)
        return relation.remote_app if relation is not None else None

    def relation_model_get(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> dict[str, Any]:
        return {"uuid": self._relation(relation_id).remote_model_uuid}

    def relation_get(
        self, relation_id: int, member_name: str, is_app: bool, *, relation_name: str | None = None
    ) -> dict[str, str]:
        written = self.written.get((relation_id, member_name))
        if written is not None:
            return dict(written)
        bag = self._relation(relation_id).bags.get(member_name)
        if bag is None:
            raise ops.model.ModelError(f'ERROR "{member_name}" settings not found')
        # ops caches the bag it reads and updates that cache after a write, which only ever
        # happens to this unit's and this application's bags.
        return dict(bag) if member_name in self._case.local_members else bag

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
            bag = self.written[key] = dict(self._relation(relation_id).bags.get(member, {}))
        for k, v in data.items():
            if v == "":
                bag.pop(k, None)
            else:
                bag[k] = v

    def get_pebble(self, socket_path: str) -> pebble.Client:
        # /charm/containers/<name>/pebble.socket
        name = socket_path.rsplit("/", 2)[-2]
        client = self.pebbles[name] = DictPebble(self._case.containers.get(name))
        return cast("pebble.Client", client)  # ops never checks the client's type


def _not_answered(name: str) -> Callable[..., Any]:
    def method(self: FloorBackend, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"the floor's backend does not answer {name}")

    method.__name__ = name
    return method


# Anything else must not fall through to a real hook tool (a subprocess).
# update_relation_data runs no hook tool: it forwards to relation_set.
for _name, _ in inspect.getmembers(ops.model._ModelBackend, inspect.isfunction):
    if (
        not _name.startswith("_")
        and _name not in FloorBackend.__dict__
        and _name != "update_relation_data"
    ):
        setattr(FloorBackend, _name, _not_answered(_name))


# ---------------------------------------------------------------------------------------------
# Pebble: what charms call, on dicts, for one container and one run.


class DictPebble:
    """A fake `ops.pebble.Client` for one container in one run, on dicts.

    ops never checks the client's type. The seed's layers and statuses are shared until the
    charm changes them (then copied); files live in a dict made on the first push.
    """

    def __init__(self, seed: ContainerSeed | None) -> None:
        self._seed = seed
        self._connected = seed is not None and seed.can_connect
        self._layers: dict[str, dict[str, Any]] | None = None
        self._statuses: dict[str, str] | None = None
        self._files: dict[str, bytes] | None = None
        self._dirs: set[str] | None = None

    def _connect(self) -> None:
        if not self._connected:
            raise pebble.ConnectionError("cannot connect to Pebble")

    # ---- layers and services

    @property
    def layers(self) -> dict[str, dict[str, Any]]:
        """The layers as they stand (the seed's until the charm adds one)."""
        if self._layers is not None:
            return self._layers
        return self._seed.layers if self._seed is not None else {}

    @property
    def service_statuses(self) -> dict[str, str]:
        """Service statuses as they stand (the seed's until the charm changes one)."""
        if self._statuses is not None:
            return self._statuses
        return self._seed.service_statuses if self._seed is not None else {}

    def _own_statuses(self) -> dict[str, str]:
        if self._statuses is None:
            self._statuses = dict(self.service_statuses)
        return self._statuses

    def get_system_info(self) -> pebble.SystemInfo:
        self._connect()
        return pebble.SystemInfo(version="1.0.0")

    def add_layer(
        self, label: str, layer: str | dict[str, Any] | pebble.Layer, *, combine: bool = False
    ) -> None:
        self._connect()
        if isinstance(layer, str):
            layer = yaml.safe_load(layer) or {}
        elif isinstance(layer, pebble.Layer):
            layer = dict(layer.to_dict())
        assert isinstance(layer, dict)
        if self._layers is None:
            self._layers = dict(self.layers)
        if label not in self._layers:
            self._layers[label] = layer
        elif combine:
            self._layers[label] = _combine(self._layers[label], layer)
        else:
            raise pebble.APIError({}, 400, "Bad Request", f'layer "{label}" already exists')

    def _plan(self) -> dict[str, Any]:
        plan: dict[str, Any] = {}
        for layer in self.layers.values():
            plan = _combine(plan, layer)
        return plan

    def get_plan(self) -> pebble.Plan:
        self._connect()
        return pebble.Plan(self._plan())  # type: ignore[arg-type]

    def get_services(self, names: Iterable[str] | None = None) -> list[pebble.ServiceInfo]:
        self._connect()
        services: dict[str, dict[str, Any]] = self._plan().get("services", {})
        wanted = services if names is None else [n for n in names if n in services]
        statuses = self.service_statuses
        return [
            pebble.ServiceInfo(
                name,
                pebble.ServiceStartup(services[name].get("startup") or "disabled"),
                pebble.ServiceStatus(statuses.get(name, "inactive")),
            )
            for name in wanted
        ]

    def _set(self, names: Iterable[str], status: str) -> pebble.ChangeID:
        statuses = self._own_statuses()
        for name in names:
            statuses[name] = status
        return pebble.ChangeID("1")

    def replan_services(self, timeout: float = 30.0, delay: float = 0.1) -> pebble.ChangeID:
        self._connect()
        services = self._plan().get("services", {})
        return self._set(
            [n for n, s in services.items() if s.get("startup") == "enabled"], "active"
        )

    autostart_services = replan_services

    def start_services(
        self, services: Iterable[str], timeout: float = 30.0, delay: float = 0.1
    ) -> pebble.ChangeID:
        self._connect()
        return self._set(services, "active")

    restart_services = start_services

    def stop_services(
        self, services: Iterable[str], timeout: float = 30.0, delay: float = 0.1
    ) -> pebble.ChangeID:
        self._connect()
        return self._set(services, "inactive")

    # ---- files

    def _fs(self) -> tuple[dict[str, bytes], set[str]]:
        if self._files is None or self._dirs is None:
            self._files, self._dirs = {}, {"/"}
        return self._files, self._dirs

    def push(
        self,
        path: str,
        source: bytes | str | BinaryIO | TextIO,
        *,
        encoding: str = "utf-8",
        make_dirs: bool = False,
        permissions: int | None = None,
        user_id: int | None = None,
        user: str | None = None,
        group_id: int | None = None,
        group: str | None = None,
    ) -> None:
        self._connect()
        path = str(path)
        files, dirs = self._fs()
        parent = posixpath.dirname(path)
        if parent not in dirs:
            if not make_dirs:
                raise pebble.PathError("not-found", f"parent directory not found: {parent}")
            while parent not in dirs:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        content = source if isinstance(source, (str, bytes)) else source.read()
        files[path] = content.encode(encoding) if isinstance(content, str) else content

    def pull(self, path: str, *, encoding: str | None = "utf-8") -> BinaryIO | TextIO:
        self._connect()
        files, _ = self._fs()
        data = files.get(str(path))
        if data is None:
            raise pebble.PathError("not-found", f"stat {path}: no such file or directory")
        return io.StringIO(data.decode(encoding)) if encoding else io.BytesIO(data)

    def list_files(
        self, path: str, *, pattern: str | None = None, itself: bool = False
    ) -> list[pebble.FileInfo]:
        self._connect()
        path = str(path)
        files, dirs = self._fs()
        if path in files:
            return [_file_info(path, files[path])]
        if path not in dirs:
            raise pebble.APIError({}, 404, "Not Found", f"stat {path}: no such file or directory")
        if itself:
            return [_file_info(path, None)]
        entries: list[tuple[str, bytes | None]] = [
            (p, files[p]) for p in files if posixpath.dirname(p) == path
        ]
        entries += [(d, None) for d in dirs if d != path and posixpath.dirname(d) == path]
        return [
            _file_info(p, data)
            for p, data in sorted(entries)
            if pattern is None or fnmatch.fnmatch(posixpath.basename(p), pattern)
        ]

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"the floor's Pebble does not answer {name}")


def _combine(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    """`layer` over `base` by Pebble's override rules (`merge` updates, else replaces)."""
    out = {
        **base,
        **{k: v for k, v in layer.items() if k not in ("services", "checks", "log-targets")},
    }
    for section in ("services", "checks", "log-targets"):
        if section not in layer:
            continue
        merged = dict(base.get(section, {}))
        for name, item in layer[section].items():
            if item.get("override") == "merge" and name in merged:
                merged[name] = {**merged[name], **item}
            else:
                merged[name] = item
        out[section] = merged
    return out


def _file_info(path: str, data: bytes | None) -> pebble.FileInfo:
    return pebble.FileInfo(
        path=path,
        name=posixpath.basename(path) or "/",
        type=pebble.FileType.DIRECTORY if data is None else pebble.FileType.FILE,
        size=None if data is None else len(data),
        permissions=0o755 if data is None else 0o644,
        last_modified=_FILE_TIME,
        user_id=0,
        user="root",
        group_id=0,
        group="root",
    )


# ---------------------------------------------------------------------------------------------
# The store: the nine methods Framework calls, on a dict and a list.


class DictStore:
    """Snapshots as marshalled bytes (so every load is a fresh copy, as SQLite's is), notices
    in a list."""

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

    def notices(self, event_path: str | None = None) -> Generator[tuple[str, str, str], None, None]:
        # A copy: Framework drops notices while it iterates.
        for notice in list(self.notice_list):
            if not event_path or notice[0] == event_path:
                yield notice

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Logging: ops' root set-up (DEBUG, one juju-log handler), aimed at the current run's backend.


class _RunLogHandler(ops.log.JujuLogHandler):
    """A JujuLogHandler (so ops' security-event logging finds it) whose backend is the run's."""

    def __init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)
        self.model_backend: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.model_backend is not None:
            super().emit(record)


_handler = _RunLogHandler()


@contextlib.contextmanager
def routed_logging() -> Iterator[None]:
    """The root logger as ops sets it up, for a batch of floor runs, and as it was afterwards.

    Once per batch rather than per run: any engine sets this up once per process. It is taken
    out afterwards because the runner shares its process with ops.testing, which installs its
    own handler on every run and removes every JujuLogHandler after it.
    """
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(_handler)
    try:
        yield
    finally:
        root.removeHandler(_handler)
        root.setLevel(level)


# ---------------------------------------------------------------------------------------------
# One dispatch.


@dataclasses.dataclass
class Outcome:
    """What a run leaves: the backend (statuses, logs, written bags, Pebble) and the store."""

    backend: FloorBackend
    store: DictStore


def _wrap(charm_type: type[ops.CharmBase]) -> type[ops.CharmBase]:
    """A throwaway subclass with its own `on` class, keeping the names (handle paths use them)."""
    on_type = type(charm_type.on)
    new_on = type(on_type.__name__, (on_type,), {})
    return type(charm_type.__name__, (charm_type,), {"on": new_on()})


_clear_security_log_cache: Callable[[], None] = ops.log._get_juju_log_and_app_id.cache_clear


def dispatch(case: FloorCase) -> Outcome:
    """One event through ops, in ops' own order, on a fresh backend, store, Model and Framework.

    Call it inside `routed_logging()`.
    """
    backend = FloorBackend(case)
    _handler.model_backend = backend
    _clear_security_log_cache()  # ops' security log caches the first backend it finds
    # ops' own first line (ops._main._Manager._setup_root_logging), straight to juju-log.
    backend.juju_log("DEBUG", f"ops {ops.__version__} up and running.")
    store = DictStore(dict(case.snapshots), list(case.notices))
    model = ops.Model(
        case.meta,
        backend,
        broken_relation_id=case.broken_relation_id,
        remote_unit_name=case.remote_unit_name,
    )
    framework = ops.Framework(
        store,  # type: ignore[arg-type]  # duck-typed: ops calls the nine methods only
        case.charm_dir,
        case.meta,
        model,
        event_name=case.event_name,
        juju_debug_at=case.juju_context.debug_at,
    )
    try:
        charm_type = _wrap(case.charm_type) if case.wrap else case.charm_type
        with framework._event_context("__init__"):
            charm = charm_type(framework)
        if not case.restricted:
            framework.reemit()
        bound = getattr(charm.on, case.event_name)
        args, kwargs = ops._main._get_event_args(charm, bound, case.juju_context)
        backend.juju_log("DEBUG", f"Emitting Juju event {case.event_name}.")
        bound.emit(*args, **kwargs)
        if not case.restricted:
            ops.charm._evaluate_status(charm)
        framework.commit()
    finally:
        framework.close()
        ops.Framework.on._cache.pop(framework, None)  # ops keeps every Framework alive otherwise
        _handler.model_backend = None
    return Outcome(backend, store)


def main() -> int:
    """Time a few case files on the floor alone (the side-by-side runner is the benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+", type=pathlib.Path, help="case files")
    parser.add_argument("-n", type=int, default=1000, help="timed runs per case (default 1000)")
    args = parser.parse_args()
    for path in args.cases:
        case = prepare(read_case(path))
        with routed_logging():
            out = dispatch(case)
            times: list[int] = []
            for _ in range(args.n):
                start = time.perf_counter_ns()
                dispatch(case)
                times.append(time.perf_counter_ns() - start)
        status = out.backend.unit_status
        print(
            f"{case.name}: {status['status']}: {status['message']}; "
            f"median {statistics.median(times) / 1000:.1f} µs/run"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
