#!/usr/bin/env python3
"""Run case files through ops.testing (ops-scenario 8.9.0 on ops 3.9.0): the reference.

For each case file (STATE_JSON.md: charm, charm_class, context, event, state) this builds the
same `ops.testing.Context`, `State` and event, runs it, and prints one Output JSON object per
line, in exactly the form `scenario run` prints, so compare.py can set the two side by side:

    {"case": "<path>", "output": {...Output...}}
    {"case": "<path>", "rejected": "inconsistent", "message": "..."}   # InconsistentScenarioError
    {"case": "<path>", "rejected": "<ErrorType>", "message": "..."}    # any other setup error

Usage: reference.py CASE.json|DIR [...]   (a directory means every *.json below it)

Defaults that ops.testing draws at random or from process-wide counters are replaced by OUR
documented defaults when the case leaves them out, so both sides see the same input
(`_NORMALISED_DEFAULTS` lists each one). Everything else is ops.testing's own behaviour.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import importlib.util
import json
import os
import pathlib
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any, cast

import ops
import yaml
from ops import pebble, testing
from scenario._ops_main_mock import CapturingFramework
from scenario.mocking import _MockPebbleClient
from scenario.errors import InconsistentScenarioError, NoObserverError, UncaughtCharmError
from scenario.state import _Action, _Event

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from values import decode, decode_dict, encode  # noqa: E402

JSON = dict[str, Any]

# Our engine's documented defaults (src/state/model.rs, src/context.rs, STATE_JSON.md). Each is
# filled in when a case omits the value, because ops.testing would otherwise draw it:
_NORMALISED_DEFAULTS = {
    # Model(): name is 20 random letters, uuid is uuid4() -> ours: fixed name and uuid.
    "model.name": "test-model",
    "model.uuid": "00000000-0000-4000-8000-000000000000",
    # Context(juju_version=...): both default to 3.6.14 today; pinned here so a change in
    # either default shows up as a difference instead of silently moving the reference.
    "context.juju_version": "3.6.14",
    # Relation ids: a process-wide counter -> ours: in State order, the lowest id from 1 up
    # that no relation gives explicitly and no earlier relation took (src/state/relation.rs).
    # Storage index: a process-wide counter from 0 -> ours: 0.
    # Notice ids: a process-wide counter "1", "2"... -> ours: "1", "2"... in State order.
    # Notice dates: now() -> ours: 2026-01-01T00:00:00+00:00 (README "Containers"), so
    # outputs are reproducible.
    # CheckInfo change_id / Exec change ids: a process-wide counter -> "1", "2"... in State
    # order ("" for an inactive check, as ops.testing does).
    # Action id: a process-wide counter from "1" -> ours: "1".
    # Secret id: "secret:" + 20 random [a-z0-9] -> ours: "secret:" + the 1-based position in
    # State.secrets, zero-padded to 20 digits. Cases meant for comparison give ids anyway.
    # Relation interface: ops.testing leaves it None and reads metadata at run time; our
    # output writes it out, so the metadata's interface is filled in on the input.
}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_NOTICE_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


# ---- loading the charm --------------------------------------------------------------------

_MODULES: dict[pathlib.Path, ModuleType] = {}


def load_charm_module(charm_dir: pathlib.Path) -> ModuleType:
    """Import `<charm_dir>/src/charm.py` under a name unique to the directory.

    Every charm's module is `charm.py`, so `import charm` would return whichever came first;
    loading by file path keeps them apart. src/ and lib/ go on sys.path for sibling and
    library imports, as Juju's dispatch does. Imported once per directory per process.
    """
    charm_dir = charm_dir.resolve()
    if charm_dir in _MODULES:
        return _MODULES[charm_dir]
    for sub in ("lib", "src"):
        path = str(charm_dir / sub)
        if path not in sys.path:
            sys.path.insert(0, path)
    name = "conformance_charm_" + "".join(c if c.isalnum() else "_" for c in str(charm_dir))
    spec = importlib.util.spec_from_file_location(name, charm_dir / "src" / "charm.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {charm_dir}/src/charm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _MODULES[charm_dir] = module
    return module


def _main_class_name(source: str) -> str | None:
    """The class passed to `ops.main(...)` / `main(...)` in the charm's source, if any."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == "main":
                return node.args[0].id
    return None


def find_charm_class(module: ModuleType, wanted: str | None) -> type[ops.CharmBase]:
    """The CharmBase subclass to run: the named one, the only one, or the one given to main().

    Same rule as our engine (README, "Concepts: Charm").
    """
    if wanted is not None:
        cls = getattr(module, wanted)
        if not (isinstance(cls, type) and issubclass(cls, ops.CharmBase)):
            raise TypeError(f"{wanted} is not a CharmBase subclass")
        return cls
    own = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ops.CharmBase) and v.__module__ == module.__name__
    ]
    if len(own) == 1:
        return own[0]
    main_name = _main_class_name(pathlib.Path(str(module.__file__)).read_text())
    for cls in own:
        if cls.__name__ == main_name:
            return cls
    raise LookupError(f"cannot tell which CharmBase subclass to run among {own}")


def make_context(
    charm_type: type[ops.CharmBase], options: JSON, charm_root: pathlib.Path | None
) -> testing.Context[Any]:
    """The ops.testing Context for the case's `context` options, metadata autoloaded.

    ops.testing autoloads charmcraft.yaml (or metadata.yaml + config.yaml + actions.yaml) from
    the directory above the charm's source file, the same files our engine reads. By default
    ops.testing's charm_dir is an empty temp dir; Juju (and our engine) give the charm its own
    files, so `charm_root` is a scratch copy of the charm directory (a copy, because
    ops.testing writes metadata.yaml & co. into it during the run). None keeps ops.testing's
    default (benches/python/side_by_side.py times it as charm tests call it).
    """
    return testing.Context(
        charm_type,
        charm_root=charm_root,
        app_name=options.get("app_name"),
        unit_id=options.get("unit_id", 0),
        juju_version=options.get("juju_version", _NORMALISED_DEFAULTS["context.juju_version"]),
        app_trusted=options.get("app_trusted", False),
        machine_id=options.get("machine_id"),
        availability_zone=options.get("availability_zone"),
        principal_unit=options.get("principal_unit"),
        capture_deferred_events=options.get("capture_deferred_events", False),
        capture_framework_events=options.get("capture_framework_events", False),
    )


# ---- JSON State -> ops.testing State ------------------------------------------------------


@dataclasses.dataclass
class Inputs:
    """What building the State needs besides the JSON: where relative paths start, metadata."""

    base_dir: pathlib.Path
    meta: Mapping[str, Any]
    scratch: pathlib.Path  # temp dir for inline container files
    change_ids: Iterator[int]


def _counter(start: int = 1) -> Iterator[int]:
    n = start
    while True:
        yield n
        n += 1


def _path(inputs: Inputs, value: str) -> pathlib.Path:
    """A case path: relative ones are relative to the case file's folder."""
    path = pathlib.Path(value)
    # Resolved: ops.testing makes a mount a symlink to its source, and a relative target
    # would be read relative to the link's own directory.
    return (path if path.is_absolute() else (inputs.base_dir / path)).resolve()


def _time(value: str | None, default: datetime.datetime = _EPOCH) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value) if value else default


def _seconds(value: float | None) -> datetime.timedelta | None:
    return None if value is None else datetime.timedelta(seconds=value)


def _status(value: JSON | None) -> testing.UnknownStatus | Any:
    if not value:
        return testing.UnknownStatus()
    return ops.StatusBase.from_name(value["name"], value.get("message", ""))


def _units(data: Mapping[str, Mapping[str, str]]) -> dict[int, dict[str, str]]:
    """Unit ids are JSON object keys (strings of digits); ops.testing wants ints."""
    return {int(k): dict(v) for k, v in data.items()}


def _interfaces(meta: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for section in ("requires", "provides", "peers"):
        for endpoint, spec in (meta.get(section) or {}).items():
            if isinstance(spec, Mapping) and "interface" in spec:
                found[endpoint] = str(spec["interface"])
    return found


def relation_ids(relations: list[JSON]) -> list[int]:
    """Each relation's id: explicit, or our engine's rule (lowest free id from 1 up)."""
    taken = {r["id"] for r in relations if r.get("id") is not None}
    ids: list[int] = []
    next_id = 1
    for r in relations:
        if r.get("id") is not None:
            ids.append(int(r["id"]))
            continue
        while next_id in taken:
            next_id += 1
        taken.add(next_id)
        ids.append(next_id)
    return ids


_DEFAULT_DATABAG = {k: "192.0.2.0" for k in ("egress-subnets", "ingress-address", "private-address")}


def build_relation(r: JSON, rel_id: int, inputs: Inputs) -> testing.RelationBase:
    """One relation of any type; omitted databags take ops.testing's defaults."""
    kind = r.get("type", "regular")
    common: JSON = {
        "endpoint": r["endpoint"],
        "interface": r.get("interface") or _interfaces(inputs.meta).get(r["endpoint"]),
        "id": rel_id,
        "local_app_data": dict(r.get("local_app_data", {})),
        "local_unit_data": dict(r.get("local_unit_data", _DEFAULT_DATABAG)),
    }
    if kind == "regular":
        return testing.Relation(
            **common,
            remote_app_name=r.get("remote_app_name", "remote"),
            limit=r.get("limit", 1),
            remote_model_uuid=r.get("remote_model_uuid"),
            remote_app_data=dict(r.get("remote_app_data", {})),
            remote_units_data=_units(r.get("remote_units_data", {"0": _DEFAULT_DATABAG})),
        )
    if kind == "peer":
        return testing.PeerRelation(**common, peers_data=_units(r.get("peers_data", {})))
    if kind == "subordinate":
        return testing.SubordinateRelation(
            **common,
            remote_app_name=r.get("remote_app_name", "remote"),
            remote_app_data=dict(r.get("remote_app_data", {})),
            remote_unit_id=r.get("remote_unit_id", 0),
            remote_unit_data=dict(r.get("remote_unit_data", _DEFAULT_DATABAG)),
        )
    raise ValueError(f"unknown relation type {kind!r}")


def build_network(n: JSON) -> testing.Network:
    """A Network; omitted parts take ops.testing's (and our) defaults."""
    kwargs: JSON = {}
    if "bind_addresses" in n:
        kwargs["bind_addresses"] = [
            testing.BindAddress(
                [
                    testing.Address(a["value"], hostname=a.get("hostname", ""), cidr=a.get("cidr", ""))
                    for a in b.get("addresses", [])
                ],
                interface_name=b.get("interface_name", ""),
                mac_address=b.get("mac_address"),
            )
            for b in n["bind_addresses"]
        ]
    if "ingress_addresses" in n:
        kwargs["ingress_addresses"] = n["ingress_addresses"]
    if "egress_subnets" in n:
        kwargs["egress_subnets"] = n["egress_subnets"]
    return testing.Network(n["binding_name"], **kwargs)


def build_notice(n: JSON, notice_id: str) -> testing.Notice:
    """A Pebble notice; the type is ops' enum when Pebble knows it, else the raw string."""
    raw_type = n.get("type", "custom")
    try:
        notice_type: pebble.NoticeType | str = pebble.NoticeType(raw_type)
    except ValueError:
        notice_type = raw_type
    return testing.Notice(
        n["key"],
        id=notice_id,
        user_id=n.get("user_id"),
        type=notice_type,
        first_occurred=_time(n.get("first_occurred"), _NOTICE_TIME),
        last_occurred=_time(n.get("last_occurred"), _NOTICE_TIME),
        last_repeated=_time(n.get("last_repeated"), _NOTICE_TIME),
        occurrences=n.get("occurrences", 1),
        last_data=dict(n.get("last_data", {})),
        repeat_after=_seconds(n.get("repeat_after")),
        expire_after=_seconds(n.get("expire_after")),
    )


def build_check_info(c: JSON, inputs: Inputs) -> testing.CheckInfo:
    """A check info; an omitted change_id is numbered (see _NORMALISED_DEFAULTS)."""
    status = pebble.CheckStatus(c.get("status", "up"))
    change_id = c.get("change_id")
    if change_id is None:
        change_id = "" if status == pebble.CheckStatus.INACTIVE else str(next(inputs.change_ids))
    startup = c.get("startup", "enabled")
    return testing.CheckInfo(
        c["name"],
        level=c.get("level") or None,
        startup=pebble.CheckStartup(startup) if startup else pebble.CheckStartup.UNSET,
        status=status,
        successes=c.get("successes", 0),
        failures=c.get("failures", 0),
        threshold=c.get("threshold", 3),
        change_id=pebble.ChangeID(change_id),
    )


# Inline container files, by container name, for the case being built. ops.testing has no
# inline files (only mounts, which it makes symlinks); _MockPebbleClient wipes the container
# root when it is created, so the files are written into the root right after (see
# _seeding_client_init): plain files, as our engine has them.
_INLINE_FILES: dict[str, dict[str, bytes]] = {}


def _inline_files(c: JSON) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for location, content in c.get("files", {}).items():
        value = decode(content)
        files[location] = value if isinstance(value, bytes) else str(value).encode()
    return files


_original_client_init = _MockPebbleClient.__init__


def _seeding_client_init(self: _MockPebbleClient, *args: Any, **kwargs: Any) -> None:
    """scenario 8.9.0's _MockPebbleClient.__init__, then the container's inline files."""
    _original_client_init(self, *args, **kwargs)
    for location, data in _INLINE_FILES.get(kwargs["container_name"], {}).items():
        target = self._root.joinpath(*pathlib.PurePosixPath(location).parts[1:])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


_MockPebbleClient.__init__ = _seeding_client_init  # type: ignore[method-assign]


def build_container(c: JSON, inputs: Inputs, notice_ids: Iterator[int]) -> testing.Container:
    """A container with everything STATE_JSON.md gives it."""
    mounts = {
        name: testing.Mount(location=m["location"], source=_path(inputs, m["source"]))
        for name, m in c.get("mounts", {}).items()
    }
    _INLINE_FILES[c["name"]] = _inline_files(c)
    return testing.Container(
        c["name"],
        can_connect=c.get("can_connect", False),
        layers={label: pebble.Layer(layer) for label, layer in c.get("layers", {}).items()},
        service_statuses={
            name: pebble.ServiceStatus(s) for name, s in c.get("service_statuses", {}).items()
        },
        mounts=mounts,
        execs=[
            testing.Exec(
                e.get("command_prefix", []),
                return_code=e.get("return_code", 0),
                stdout=e.get("stdout", ""),
                stderr=e.get("stderr", ""),
                _change_id=next(inputs.change_ids),
            )
            for e in c.get("execs", [])
        ],
        notices=[
            build_notice(n, str(n["id"]) if n.get("id") is not None else str(next(notice_ids)))
            for n in c.get("notices", [])
        ],
        check_infos=[build_check_info(ci, inputs) for ci in c.get("check_infos", [])],
    )


def build_port(p: JSON) -> testing.Port:
    protocol = p.get("protocol", "tcp")
    if protocol == "icmp":
        return testing.ICMPPort()
    cls = testing.TCPPort if protocol == "tcp" else testing.UDPPort
    return cls(p["port"])


def build_secret(s: JSON, position: int) -> testing.Secret:
    """A secret, with its tracked/latest revisions set as the JSON says (default 1 / 1 or 2)."""
    rotate = s.get("rotate")
    secret = testing.Secret(
        dict(s["tracked_content"]),
        latest_content=dict(s["latest_content"]) if s.get("latest_content") is not None else None,
        id=s.get("id") or f"secret:{position:020d}",
        owner=s.get("owner"),
        remote_grants={int(k): v for k, v in s.get("remote_grants", {}).items()},
        label=s.get("label"),
        description=s.get("description"),
        expire=_time(s["expire"]) if s.get("expire") else None,
        rotate=ops.SecretRotate(rotate) if rotate else None,
    )
    differs = secret.latest_content != secret.tracked_content
    tracked = s.get("tracked_revision", 1)
    latest = s.get("latest_revision", tracked + 1 if differs else tracked)
    # The revisions are private attributes of ops.testing's Secret (class attributes, not
    # fields); this is how ops.testing itself moves them.
    object.__setattr__(secret, "_tracked_revision", tracked)
    object.__setattr__(secret, "_latest_revision", latest)
    return secret


def build_cloud_spec(spec: JSON | None) -> testing.CloudSpec | None:
    if not spec:
        return None
    cred = spec.get("credential")
    return testing.CloudSpec(
        spec["type"],
        name=spec.get("name", "localhost"),
        region=spec.get("region"),
        endpoint=spec.get("endpoint"),
        identity_endpoint=spec.get("identity_endpoint"),
        storage_endpoint=spec.get("storage_endpoint"),
        credential=testing.CloudCredential(
            auth_type=cred["auth_type"],
            attributes=cred.get("attributes", {}),
            redacted=cred.get("redacted", []),
        )
        if cred
        else None,
        ca_certificates=spec.get("ca_certificates", []),
        skip_tls_verify=spec.get("skip_tls_verify", False),
        is_controller_cloud=spec.get("is_controller_cloud", False),
    )


def build_state(s: JSON, inputs: Inputs) -> testing.State:
    """The whole STATE_JSON form -> ops.testing State."""
    model = s.get("model", {})
    relations = s.get("relations", [])
    notice_ids = _counter()
    return testing.State(
        config=dict(s.get("config", {})),
        leader=s.get("leader", False),
        unit_status=_status(s.get("unit_status")),
        app_status=_status(s.get("app_status")),
        workload_version=s.get("workload_version", ""),
        planned_units=s.get("planned_units", 1),
        model=testing.Model(
            model.get("name", _NORMALISED_DEFAULTS["model.name"]),
            uuid=model.get("uuid", _NORMALISED_DEFAULTS["model.uuid"]),
            type=model.get("type", "kubernetes"),
            cloud_spec=build_cloud_spec(model.get("cloud_spec")),
        ),
        relations=[
            build_relation(r, i, inputs) for r, i in zip(relations, relation_ids(relations))
        ],
        networks=[build_network(n) for n in s.get("networks", [])],
        containers=[build_container(c, inputs, notice_ids) for c in s.get("containers", [])],
        storages=[testing.Storage(x["name"], index=x.get("index", 0)) for x in s.get("storages", [])],
        opened_ports=[build_port(p) for p in s.get("opened_ports", [])],
        secrets=[build_secret(x, i + 1) for i, x in enumerate(s.get("secrets", []))],
        resources=[
            testing.Resource(name=r["name"], path=_path(inputs, r["path"]))
            for r in s.get("resources", [])
        ],
        stored_states=[
            testing.StoredState(
                x.get("name", "_stored"),
                owner_path=x.get("owner_path"),
                content=decode_dict(x.get("content")),
            )
            for x in s.get("stored_states", [])
        ],
        deferred=[
            testing.DeferredEvent(
                d["handle_path"], d["owner"], d["observer"], decode_dict(d.get("snapshot_data"))
            )
            for d in s.get("deferred", [])
        ],
    )


# ---- JSON Event -> ops.testing event ------------------------------------------------------

_RELATION_SUFFIXES = ("_created", "_joined", "_changed", "_departed", "_broken")


def _find_notice(container: testing.Container, notice_id: Any) -> testing.Notice | None:
    return next((n for n in container.notices if n.id == str(notice_id)), None)


def build_event(e: JSON, state: testing.State) -> _Event:
    """The event, by the case's own name, with what its kind needs from the State.

    `ctx.on.<kind>(...)` builds exactly these `_Event`s; building them directly keeps the
    case's event name even when it disagrees with the entity (so the consistency checker, not
    this translator, decides), and lets custom events be named `<attr>.on.<event>` as in our
    JSON (ops.testing resolves that owner path itself).
    """
    name: str = e["name"]
    kwargs: JSON = {}
    if "relation_id" in e:
        relation = next((r for r in state.relations if r.id == e["relation_id"]), None)
        if relation is None:
            # An id the State does not have: ops.testing can only say that with a relation
            # object that is not in the State, which its checker rejects as inconsistent
            # ("cannot emit ... because relation N is not in the state"), as ours does.
            prefix = name.split(".")[-1].rsplit("_relation_", 1)[0]
            relation = testing.Relation(prefix, id=int(e["relation_id"]))
        kwargs["relation"] = relation
    elif name.endswith(tuple("_relation" + s for s in _RELATION_SUFFIXES)):
        # No relation_id: our engine takes the only relation on the event's endpoint
        # (STATE_JSON "Event"; src/event.rs). ops.testing always needs the object, so the
        # translation passes that relation; with none or several, none (both sides reject).
        prefix = name.rsplit("_relation_", 1)[0]
        on_endpoint = [r for r in state.relations if r.endpoint.replace("-", "_") == prefix]
        if len(on_endpoint) == 1:
            kwargs["relation"] = on_endpoint[0]
    if "remote_unit" in e:
        kwargs["relation_remote_unit_id"] = e["remote_unit"]
    if "departing_unit" in e:
        kwargs["relation_departed_unit_id"] = e["departing_unit"]
    if "container" in e:
        # A container, notice or check the State does not have: as for relations, ops.testing
        # can only say that with an object that is not in the State, which its checker
        # rejects as inconsistent, as ours does.
        container = next((c for c in state.containers if c.name == e["container"]), None)
        if container is None:
            container = testing.Container(e["container"])
        kwargs["container"] = container
        if "notice_id" in e:
            notice = _find_notice(container, e["notice_id"])
            kwargs["notice"] = notice or testing.Notice("example.com/absent", id=str(e["notice_id"]))
        if "check" in e:
            info = next((ci for ci in container.check_infos if ci.name == e["check"]), None)
            kwargs["check_info"] = info or testing.CheckInfo(e["check"])
    if "secret_id" in e:
        # Our engine finds the secret by its id in any form ops writes (`secret:<id>`,
        # `secret://<model>/<id>`, `<id>`); ops.testing needs the object. One the State does
        # not have can only be said with a secret that is not in the State, which its
        # checker rejects, as ours does.
        def unique(secret_id: str) -> str:
            return secret_id.rsplit("/", 1)[-1].rsplit(":", 1)[-1]

        wanted = unique(str(e["secret_id"]))
        secret = next((s for s in state.secrets if unique(s.id) == wanted), None)
        kwargs["secret"] = secret or testing.Secret({"absent": "absent"}, id=str(e["secret_id"]))
    if "revision" in e:
        kwargs["secret_revision"] = e["revision"]
    if "storage" in e:
        storage_name, index = e["storage"]["name"], e["storage"].get("index", 0)
        found = [st for st in state.storages if st.name == storage_name and st.index == index]
        # As for relations: an instance the State lacks is said with one not in the State.
        kwargs["storage"] = found[0] if found else testing.Storage(storage_name, index=index)
    if "action" in e:
        action = e["action"]
        # ctx.on.action(name) names the event after the action verbatim (`fail-me_action`),
        # and its checker compares that prefix with the action's name; ours takes the Python
        # name (`fail_me_action`) for the same event.
        if name.replace("-", "_") == f"{action['name']}_action".replace("-", "_"):
            name = f"{action['name']}_action"
        kwargs["action"] = _Action(
            action["name"], params=dict(action.get("params", {})), id=str(action.get("id", "1"))
        )
    if e.get("args"):
        kwargs["custom_event_args"] = tuple(decode(a) for a in e["args"])
    if e.get("kwargs"):
        kwargs["custom_event_kwargs"] = decode_dict(e["kwargs"])
    return _Event(name, **kwargs)


# ---- ops.testing output -> JSON -----------------------------------------------------------


def status_json(status: Any) -> JSON:
    return {"name": status.name, "message": status.message}


def relation_json(r: testing.RelationBase) -> JSON:
    common: JSON = {
        "endpoint": r.endpoint,
        "interface": r.interface,
        "id": r.id,
        "local_app_data": dict(r.local_app_data),
        "local_unit_data": dict(r.local_unit_data),
    }
    if isinstance(r, testing.PeerRelation):
        return {"type": "peer", **common, "peers_data": {str(k): dict(v) for k, v in r.peers_data.items()}}
    if isinstance(r, testing.SubordinateRelation):
        return {
            "type": "subordinate",
            **common,
            "remote_app_name": r.remote_app_name,
            "remote_app_data": dict(r.remote_app_data),
            "remote_unit_id": r.remote_unit_id,
            "remote_unit_data": dict(r.remote_unit_data),
        }
    assert isinstance(r, testing.Relation)
    return {
        "type": "regular",
        **common,
        "remote_app_name": r.remote_app_name,
        "limit": r.limit,
        "remote_model_uuid": r.remote_model_uuid,
        "remote_app_data": dict(r.remote_app_data),
        "remote_units_data": {str(k): dict(v) for k, v in r.remote_units_data.items()},
    }


def network_json(n: testing.Network) -> JSON:
    return {
        "binding_name": n.binding_name,
        "bind_addresses": [
            {
                "interface_name": b.interface_name,
                "mac_address": b.mac_address,
                "addresses": [{"value": a.value, "hostname": a.hostname, "cidr": a.cidr} for a in b.addresses],
            }
            for b in n.bind_addresses
        ],
        "ingress_addresses": list(n.ingress_addresses),
        "egress_subnets": list(n.egress_subnets),
    }


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _secs(value: datetime.timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def _enum(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def notice_json(n: testing.Notice) -> JSON:
    return {
        "id": n.id,
        "user_id": n.user_id,
        "type": _enum(n.type),
        "key": n.key,
        "first_occurred": _iso(n.first_occurred),
        "last_occurred": _iso(n.last_occurred),
        "last_repeated": _iso(n.last_repeated),
        "occurrences": n.occurrences,
        "last_data": dict(n.last_data),
        "repeat_after": _secs(n.repeat_after),
        "expire_after": _secs(n.expire_after),
    }


def check_info_json(c: testing.CheckInfo) -> JSON:
    return {
        "name": c.name,
        "level": _enum(c.level) if c.level is not None else "",
        "startup": _enum(c.startup),
        "status": _enum(c.status),
        "successes": c.successes,
        "failures": c.failures,
        "threshold": c.threshold,
        "change_id": str(c.change_id) if c.change_id is not None else None,
    }


def _file_json(path: pathlib.Path) -> Any:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return encode(data)


def container_files(c: testing.Container, ctx: testing.Context[Any], case_files: Mapping[str, Any]) -> JSON:
    """Every file and directory in the container's filesystem outside the case's mounts.

    A file is its content; a directory `{"type": "directory"}`, except the directories that
    exist only to hold a mount point or an inline file (ops.testing makes the mount points'
    parents, and seeding makes the inline files' parents; our engine lists neither).
    """
    root = ctx._get_container_root(c.name)  # ops.testing's simulated container root
    files: JSON = {}
    mounts = [str(m.location).rstrip("/") for m in c.mounts.values()]
    implicit = {
        str(parent)
        for location in [*mounts, *case_files]
        for parent in pathlib.PurePosixPath(location).parents
    }
    if root.exists():
        for path in sorted(root.rglob("*")):
            location = "/" + str(path.relative_to(root))
            if path.is_symlink() or any(location == m or location.startswith(m + "/") for m in mounts):
                continue
            if path.is_file():
                files[location] = _file_json(path)
            elif path.is_dir() and location not in implicit:
                files[location] = {"type": "directory"}
    return files


def container_json(c: testing.Container, ctx: testing.Context[Any], case_container: Mapping[str, Any]) -> JSON:
    case_mounts = case_container.get("mounts", {})
    out: JSON = {
        "name": c.name,
        "can_connect": c.can_connect,
        "layers": {label: layer.to_dict() for label, layer in c.layers.items()},
        "service_statuses": {k: _enum(v) for k, v in c.service_statuses.items()},
        # Mount sources are repeated as the case wrote them (STATE_JSON.md).
        "mounts": {
            name: {"location": str(m.location), "source": case_mounts.get(name, {}).get("source", str(m.source))}
            for name, m in c.mounts.items()
        },
        "execs": [
            {"command_prefix": list(e.command_prefix), "return_code": e.return_code, "stdout": e.stdout, "stderr": e.stderr}
            for e in sorted(c.execs, key=lambda e: e.command_prefix)
        ],
        "notices": [notice_json(n) for n in c.notices],
        "check_infos": [check_info_json(ci) for ci in sorted(c.check_infos, key=lambda ci: ci.name)],
        "files": container_files(c, ctx, case_container.get("files", {})),
    }
    return out


def port_json(p: testing.Port) -> JSON:
    return {"protocol": p.protocol} if p.protocol == "icmp" else {"protocol": p.protocol, "port": p.port}


def secret_json(s: testing.Secret) -> JSON:
    return {
        "id": s.id,
        "owner": s.owner,
        "label": s.label,
        "tracked_content": dict(s.tracked_content),
        "latest_content": dict(s.latest_content),
        "tracked_revision": s._tracked_revision,
        "latest_revision": s._latest_revision,
        "description": s.description,
        "expire": _iso(s.expire),
        "rotate": _enum(s.rotate) if s.rotate is not None else None,
        "remote_grants": {str(k): sorted(v) for k, v in s.remote_grants.items()},
    }


def cloud_spec_json(spec: testing.CloudSpec | None) -> JSON | None:
    if spec is None:
        return None
    cred = spec.credential
    return {
        "type": spec.type,
        "name": spec.name,
        "region": spec.region,
        "endpoint": spec.endpoint,
        "identity_endpoint": spec.identity_endpoint,
        "storage_endpoint": spec.storage_endpoint,
        "credential": {"auth_type": cred.auth_type, "attributes": dict(cred.attributes), "redacted": list(cred.redacted)}
        if cred
        else None,
        "ca_certificates": list(spec.ca_certificates),
        "skip_tls_verify": spec.skip_tls_verify,
        "is_controller_cloud": spec.is_controller_cloud,
    }


def state_json(s: testing.State, ctx: testing.Context[Any], case_state: JSON) -> JSON:
    """ops.testing State -> the STATE_JSON form, every field written out."""
    case_containers = {c["name"]: c for c in case_state.get("containers", [])}
    case_resources = {r["name"]: r["path"] for r in case_state.get("resources", [])}
    return {
        "config": dict(s.config),
        "leader": s.leader,
        "unit_status": status_json(s.unit_status),
        "app_status": status_json(s.app_status),
        "workload_version": s.workload_version,
        "planned_units": s.planned_units,
        "model": {"name": s.model.name, "uuid": s.model.uuid, "type": s.model.type, "cloud_spec": cloud_spec_json(s.model.cloud_spec)},
        "relations": [relation_json(r) for r in sorted(s.relations, key=lambda r: r.id)],
        "networks": [network_json(n) for n in sorted(s.networks, key=lambda n: n.binding_name)],
        "containers": [
            container_json(c, ctx, case_containers.get(c.name, {}))
            for c in sorted(s.containers, key=lambda c: c.name)
        ],
        "storages": [{"name": x.name, "index": x.index} for x in sorted(s.storages, key=lambda x: (x.name, x.index))],
        "opened_ports": [port_json(p) for p in sorted(s.opened_ports, key=lambda p: (p.protocol, p.port or 0))],
        "secrets": [secret_json(x) for x in sorted(s.secrets, key=lambda x: x.id)],
        "resources": [
            {"name": r.name, "path": case_resources.get(r.name, str(r.path))}
            for r in sorted(s.resources, key=lambda r: r.name)
        ],
        "stored_states": [
            {"owner_path": x.owner_path, "name": x.name, "content": encode(dict(x.content))}
            for x in sorted(s.stored_states, key=lambda x: (x.owner_path or "", x.name))
        ],
        "deferred": [
            {"handle_path": d.handle_path, "owner": d.owner, "observer": d.observer, "snapshot_data": encode(dict(d.snapshot_data))}
            for d in s.deferred
        ],
    }


def exec_args_json(a: Any) -> JSON:
    stdin = a.stdin
    return {
        "command": list(a.command),
        "environment": dict(a.environment or {}),
        "working_dir": a.working_dir,
        "stdin": encode(stdin) if isinstance(stdin, bytes) else stdin,
        "timeout": a.timeout,
        "user": a.user,
        "group": a.group,
        "encoding": a.encoding,
        "combine_stderr": a.combine_stderr,
    }


def exception_type_name(exc: BaseException) -> str:
    """As our Output names it: builtins bare (`KeyError`), others `module.QualName`."""
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def error_json(exc: BaseException) -> JSON:
    """The charm's own exception, as our Output reports it: type, str(), full traceback."""
    return {
        "type": exception_type_name(exc),
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(exc)),
    }


# The events ops.testing recorded at the re-emit pass (capture_deferred_events), by id().
# STATE_JSON "Output": `emitted_events[i].deferred` is true for an event re-emitted from the
# deferred queue. ops.testing's CapturingFramework records those notices when `_reemit()` is
# called with no path, but sets their `deferred` to False; this records which they are.
_REEMITTED: set[int] = set()


def _capturing_reemit(self: CapturingFramework, single_event_path: str | None = None) -> None:
    """scenario 8.9.0's CapturingFramework._reemit, line for line, plus the marking."""
    if not self._context.capture_deferred_events or single_event_path is not None:
        return ops.Framework._reemit(self, single_event_path)
    for event_path, _, _ in self._storage.notices(single_event_path):
        event_handle = ops.Handle.from_path(event_path)
        try:
            event = self.load_snapshot(event_handle)
        except ops.NoTypeError:
            continue
        event = cast("ops.EventBase", event)
        event.deferred = False
        self._forget(event)  # prevent tracking conflicts
        event.restore(event.snapshot())
        self._context.emitted_events.append(event)
        _REEMITTED.add(id(event))
    return ops.Framework._reemit(self, single_event_path)


CapturingFramework._reemit = _capturing_reemit  # type: ignore[method-assign]


def output_json(ctx: testing.Context[Any], state: JSON | None, error: JSON | None, failure: str | None) -> JSON:
    """The Output object: the state plus everything ops.testing keeps on the Context."""
    return {
        "state": state,
        "unit_status_history": [status_json(x) for x in ctx.unit_status_history],
        "app_status_history": [status_json(x) for x in ctx.app_status_history],
        "workload_version_history": list(ctx.workload_version_history),
        "juju_log": [{"level": line.level, "message": line.message} for line in ctx.juju_log],
        "emitted_events": [
            {"name": ev.handle.kind, "type": type(ev).__name__, "deferred": id(ev) in _REEMITTED or bool(ev.deferred)}
            for ev in ctx.emitted_events
        ],
        "action_results": encode(dict(ctx.action_results)) if ctx.action_results is not None else None,
        "action_logs": list(ctx.action_logs),
        "action_failure": failure,
        "exec_history": {k: [exec_args_json(a) for a in v] for k, v in ctx.exec_history.items()},
        "removed_secret_revisions": list(ctx.removed_secret_revisions),
        "requested_storages": dict(ctx.requested_storages),
        "error": error,
    }


# ---- field names --------------------------------------------------------------------------

# The fields STATE_JSON.md defines, per object. Like our engine, an unknown field is an error
# (a typo would otherwise silently take the default on one side only).
_FIELDS: dict[str, set[str]] = {
    "case": {"charm", "charm_class", "context", "event", "state"},
    "context": {
        "app_name", "unit_id", "juju_version", "app_trusted", "machine_id",
        "availability_zone", "principal_unit", "capture_deferred_events",
        "capture_framework_events",
    },
    "event": {
        "name", "relation_id", "remote_unit", "departing_unit", "container", "notice_id",
        "check", "secret_id", "revision", "storage", "action", "args", "kwargs",
    },
    "state": {
        "config", "leader", "unit_status", "app_status", "workload_version", "planned_units",
        "model", "relations", "networks", "containers", "storages", "opened_ports", "secrets",
        "resources", "stored_states", "deferred",
    },
    "model": {"name", "uuid", "type", "cloud_spec"},
    "relations": {
        "type", "endpoint", "interface", "id", "remote_app_name", "limit", "remote_model_uuid",
        "local_app_data", "local_unit_data", "remote_app_data", "remote_units_data",
        "peers_data", "remote_unit_id", "remote_unit_data",
    },
    "containers": {
        "name", "can_connect", "layers", "service_statuses", "mounts", "execs", "notices",
        "check_infos", "files",
    },
    "stored_states": {"owner_path", "name", "content"},
    "deferred": {"handle_path", "owner", "observer", "snapshot_data"},
    "secrets": {
        "id", "owner", "label", "tracked_content", "latest_content", "tracked_revision",
        "latest_revision", "description", "expire", "rotate", "remote_grants",
    },
}


def _check(obj: Any, kind: str, where: str) -> None:
    if not isinstance(obj, dict):
        raise TypeError(f"{where}: expected an object")
    unknown = set(obj) - _FIELDS[kind]
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}")


def check_fields(case: Any) -> None:
    """Refuse unknown fields in the case, the context, the event and the main State parts."""
    _check(case, "case", "case")
    _check(case.get("context", {}), "context", "context")
    _check(case.get("event", {}), "event", "event")
    state = case.get("state", {})
    _check(state, "state", "state")
    _check(state.get("model", {}), "model", "state.model")
    for kind in ("relations", "containers", "stored_states", "deferred", "secrets"):
        for i, item in enumerate(state.get(kind, [])):
            _check(item, kind, f"state.{kind}[{i}]")


# ---- one case -----------------------------------------------------------------------------


def run_case(path: pathlib.Path) -> JSON:
    """Run one case file; the line compare.py reads for it."""
    base = path.parent
    try:
        case = json.loads(path.read_text())
        check_fields(case)
    except (ValueError, TypeError) as e:  # bad JSON or an unknown field: invalid input
        return {"rejected": "invalid-input", "message": str(e)}
    with tempfile.TemporaryDirectory(prefix="conformance-") as scratch_dir:
        scratch = pathlib.Path(scratch_dir)
        try:
            charm_dir = (base / case["charm"]).resolve()
            charm_type = find_charm_class(load_charm_module(charm_dir), case.get("charm_class"))
            charm_root = scratch / "charm"
            shutil.copytree(charm_dir, charm_root, ignore=shutil.ignore_patterns("__pycache__"))
            ctx = make_context(charm_type, case.get("context", {}), charm_root)
        except Exception as e:  # the charm cannot be loaded: what our CLI calls charm-load
            return {"rejected": "charm-load", "message": f"{type(e).__name__}: {e}"}
        with ctx:
            case_state = case.get("state", {})
            _INLINE_FILES.clear()
            try:
                inputs = Inputs(base, ctx._charm_spec.meta, scratch / "files", _counter())
                state = build_state(case_state, inputs)
                event = build_event(case["event"], state)
            except Exception as e:  # StateValidationError, a missing entity...
                return {"rejected": type(e).__name__, "message": str(e)}
            result = run_built(ctx, event, state, case_state)
        # The charm saw the copy as its charm_dir; say the directory the case named instead.
        text = json.dumps(result).replace(str(charm_root), str(charm_dir))
        return dict(json.loads(text))


def run_built(ctx: testing.Context[Any], event: _Event, state: testing.State, case_state: JSON) -> JSON:
    """Run the built event and State; sort the outcome into output / error / rejection."""
    _REEMITTED.clear()
    try:
        out = ctx.run(event, state)
    except InconsistentScenarioError as e:
        return {"rejected": "inconsistent", "message": str(e)}
    except UncaughtCharmError as e:
        cause = e.__cause__ if e.__cause__ is not None else e
        return {"output": output_json(ctx, None, error_json(cause), None)}
    except testing.ActionFailed as e:
        return {"output": output_json(ctx, state_json(e.state, ctx, case_state), None, e.message)}
    except SystemExit as e:
        # sys.exit() in charm code is a BaseException, which ops.testing does not catch: it
        # escapes ctx.run(). The nearest Output form is a charm error with no state.
        return {"output": output_json(ctx, None, error_json(e), None)}
    except NoObserverError as e:  # the same condition our CLI calls "unknown event"
        return {"rejected": "unknown-event", "message": str(e)}
    except Exception as e:  # BadOwnerPath, ...: ops.testing refused the run
        return {"rejected": type(e).__name__, "message": str(e)}
    return {"output": output_json(ctx, state_json(out, ctx, case_state), None, None)}


def case_files(args: list[str]) -> list[pathlib.Path]:
    """The case files named on the command line; a directory means every *.json below it."""
    files: list[pathlib.Path] = []
    for arg in args:
        p = pathlib.Path(arg)
        files.extend(sorted(p.rglob("*.json")) if p.is_dir() else [p])
    return files


def main(argv: list[str]) -> int:
    """Print one JSON line per case. What charms print goes to stderr, as in our CLI."""
    out = sys.stdout
    sys.stdout = sys.stderr
    os.environ.pop("SCENARIO_SKIP_CONSISTENCY_CHECKS", None)
    for path in case_files(argv):
        result = run_case(path)
        out.write(json.dumps({"case": str(path), **result}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
