"""The translation between ops.testing's objects and the engine's JSON (docs/STATE_JSON.md).

`ops_scenario_rs.Context._run` uses these, in this order, around one run of the engine:

    begin_run(ctx, event, state)                 # what ops.testing does before the charm runs
    case = {"context": context_json(ctx), "event": event_json(event, state),
            "state": state_json(state, ctx)}
    out = <the engine's Output JSON>
    apply_output(out, ctx)                       # the Context's history attributes
    if out["state"] is not None:
        state_out = state_from_json(out, state, ctx)

The module never runs the engine or the charm: it only translates, for ops-scenario 8.x
(ops 3) and 7.x (ops 2), whose dataclasses differ in small ways (each difference is handled
where it arises, by feature, not by version number).

Faithfulness to ops.testing is the rule:

- Whatever ops.testing draws at random or from a process-wide counter (relation ids, secret
  ids, notice ids and times, check change ids, the model's name and uuid, storage indices)
  is already drawn in the ops.testing objects the test built, so the JSON gives every such
  value explicitly and the engine's own defaults never apply.
- The output State is built as ops.testing builds it: a deep copy of the input with the run's
  changes. Every object (relation, container, secret, ...) whose JSON is unchanged is a deep
  copy of the input object (so it compares equal to it and keeps what the JSON cannot say,
  such as an `Exec`'s change id or a naive `datetime`); a changed one is rebuilt from the
  JSON with, field by field, the input's own value wherever that field did not change.
  StoredState and deferred events are built afresh, as ops.testing does.
- A relation event's remote unit, when the test leaves it out, is the one ops.testing picks
  (the relation's first remote unit); a Secret whose latest content differs from the tracked
  one under the same revision number (ops.testing's default for `latest_content`) is numbered
  for the engine and numbered back in the output.
- Container files: ops.testing empties each container's root when the charm is set up, so the
  charm sees only the mounts; `state_json` gives the engine no files (unless
  `files_from_root=True`), and `state_from_json` writes the output's files under
  `ctx._get_container_root(name)`, with the mounts linked, as ops.testing leaves the root.
- A feature of ops.testing that the JSON cannot express raises `UnsupportedByEngine` (a
  `NotImplementedError`) naming it, so a test never passes silently on something the engine
  does not model.

Raising `ActionFailed` (when `ctx._action_failure_message` is set after an action) and
`UncaughtCharmError` (when the Output has an `error`) is the caller's, as in ops.testing's
`Context._run`. The Output's `emitted_events`, `warnings`, `reboot_requested`, `added_metrics`
and `pod_spec` have no ops.testing Context attribute and are not applied here.
"""

from __future__ import annotations

import base64
import copy
import datetime
import enum
import os
import pathlib
import shutil
import stat
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

import ops
import scenario
from ops import pebble, testing
from ops._private.harness import ExecArgs
from scenario.errors import StateValidationError

# ops.testing's names are scenario's, but ops 2's ops/testing.py makes type checkers see
# ops.model.Container as `testing.Container`: the container class is named from scenario.
Container = scenario.Container

JSON = dict[str, Any]
T = TypeVar("T")

# ---- errors -------------------------------------------------------------------------------


class UnsupportedByEngine(NotImplementedError):
    """An ops.testing feature that the engine's JSON (docs/STATE_JSON.md) cannot express."""

    def __init__(self, feature: str, detail: str = "") -> None:
        message = f"ops_scenario_rs cannot run this test: {feature} is not supported by the engine"
        if detail:
            message += f" ({detail})"
        super().__init__(message)
        self.feature = feature


# ---- stored values: the tagged JSON form of what ops stores (STATE_JSON "Stored values") ---

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_TAGS = ("$set", "$frozenset", "$tuple", "$bytes", "$int", "$dict")


def _tag_of(value: Any) -> str | None:
    """The tag of a tagged value (`{"$set": [...]}` -> "$set"): the first key decides."""
    if isinstance(value, dict) and value:
        key = next(iter(value))
        if key in _TAGS:
            if len(value) != 1:
                raise ValueError(f"a tagged value has only its tag as key: {value!r}")
            return str(key)
    return None


def decode_value(value: Any) -> Any:
    """A stored value's JSON form -> the Python value ops stores."""
    tag = _tag_of(value)
    if tag is None:
        if isinstance(value, dict):
            return {k: decode_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode_value(v) for v in value]
        return value
    inner = value[tag]
    if tag == "$set":
        return {decode_value(v) for v in inner}
    if tag == "$frozenset":
        return frozenset(decode_value(v) for v in inner)
    if tag == "$tuple":
        return tuple(decode_value(v) for v in inner)
    if tag == "$bytes":
        return base64.b64decode(inner)
    if tag == "$int":
        return int(inner)
    return {decode_value(k): decode_value(v) for k, v in inner}


def _decode_dict(value: Any) -> dict[Any, Any]:
    decoded = decode_value(value or {})
    if not isinstance(decoded, dict):
        raise ValueError(f"expected an object, got {value!r}")
    return decoded


def encode_value(value: Any, what: str = "a stored value") -> Any:
    """A Python value ops stores -> its JSON form (the inverse of `decode_value`)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if _I64_MIN <= value <= _I64_MAX else {"$int": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v, what) for v in value]}
    if isinstance(value, (set, frozenset)):
        members = sorted((encode_value(v, what) for v in value), key=repr)
        return {"$frozenset" if isinstance(value, frozenset) else "$set": members}
    if isinstance(value, list):
        return [encode_value(v, what) for v in value]
    if isinstance(value, dict):
        first = next(iter(value), None)
        if all(isinstance(k, str) for k in value) and not (
            isinstance(first, str) and first.startswith("$")
        ):
            return {k: encode_value(v, what) for k, v in value.items()}
        return {"$dict": [[encode_value(k, what), encode_value(v, what)] for k, v in value.items()]}
    raise UnsupportedByEngine(
        f"a {type(value).__name__} in {what}",
        "the engine keeps what ops' marshal-based storage can hold: None, bool, int, float, "
        "str, bytes, and lists, tuples, sets, frozensets and dicts of those",
    )


# ---- small helpers ------------------------------------------------------------------------


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _aware(value: datetime.datetime) -> datetime.datetime:
    # A naive datetime is local time to Python (`datetime.now()`); the JSON needs a zone.
    return value if value.tzinfo is not None else value.astimezone()


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else _aware(value).isoformat()


def _from_iso(value: str | None) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromisoformat(value)


def _expiry_from_json(value: str | None) -> datetime.datetime | None:
    """A secret's expiry from the engine. An expiry the charm gave without a zone is read as
    UTC, as Juju reads it, and the engine writes it with `Z`; ops.testing keeps such a datetime
    naive, and tests compare it with naive ones, so a `Z` time comes back naive: its UTC wall
    clock, which is the naive value the charm gave. (The engine writes zones the charm gave as
    offsets, `+00:00`, never `Z`.)"""
    if value is not None and value.endswith("Z"):
        return datetime.datetime.fromisoformat(value[:-1])
    return _from_iso(value)


def _seconds(value: datetime.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _timedelta(value: float | None) -> datetime.timedelta | None:
    return None if value is None else datetime.timedelta(seconds=value)


def _charm_meta(ctx: testing.Context[Any]) -> Mapping[str, Any]:
    """The charm's metadata as the Context has it (8.x `_charm_spec`, 7.x `charm_spec`)."""
    spec = getattr(ctx, "_charm_spec", None) or getattr(ctx, "charm_spec")
    return cast("Mapping[str, Any]", spec.meta)


def _endpoint_interfaces(meta: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for section in ("requires", "provides", "peers"):
        for endpoint, spec in (meta.get(section) or {}).items():
            if isinstance(spec, Mapping) and spec.get("interface") is not None:
                found[endpoint] = str(spec["interface"])
    return found


def _set_private(obj: Any, name: str, value: Any) -> None:
    """Set a field of a frozen ops.testing dataclass, as ops.testing itself does."""
    object.__setattr__(obj, name, value)


def _reuse(hint: T | None, hint_json: Any, data: Any) -> T | None:
    """A deep copy of the input object when its JSON is the output's: ops.testing's output is a
    deep copy of its input, so an object the run did not change is exactly that."""
    if hint is not None and hint_json == data:
        return _copy(hint)
    return None


# Frozen ops.testing classes whose fields are all immutable: a copy would be the same.
_IMMUTABLE: tuple[type, ...] = (testing.Storage, testing.Port, testing.CheckInfo, *(
    cls for cls in (testing.UnknownStatus, testing.ActiveStatus, testing.BlockedStatus, testing.MaintenanceStatus,
                    testing.WaitingStatus, testing.ErrorStatus)
))


def _copy(obj: T) -> T:
    return obj if isinstance(obj, _IMMUTABLE) else _deepcopy(obj)


def _field(hint: Any, name: str, hint_value_json: Any, value_json: Any, build: Callable[[], Any]) -> Any:
    """One field of a rebuilt object: the input's own value when the JSON says it did not
    change (keeping what the JSON cannot say), else built from the JSON."""
    if hint is not None and hint_value_json == value_json:
        return _deepcopy(getattr(hint, name))
    return build()


# ---- deep copies --------------------------------------------------------------------------
#
# `copy.deepcopy`'s result, without its generic machinery (`__reduce_ex__`, `_reconstruct`,
# keep-alive lists) for what an output State copies most: ops.testing's dataclasses and the
# dicts and lists of strings in them. Anything else goes to `copy.deepcopy` with the same memo,
# so shared references stay shared as they would.

_ATOMIC: frozenset[type] = frozenset({type(None), bool, int, float, complex, str, bytes})

# How `copy.deepcopy` copies each ops.testing class, found once per class: "dict" (object's
# own `__reduce_ex__`: a new instance whose `__dict__` is a deep copy of the original's, as
# ops-scenario 8 gets), "call" (ops-scenario 7's `_MaxPositionalArgs.__reduce__`: the class
# called again with the instance's attributes as they are), or None (anything else:
# `copy.deepcopy` itself).
_STRATEGY: dict[type, str | None] = {}


def _strategy(cls: type) -> str | None:
    found = _STRATEGY.get(cls, "")
    if found != "":
        return found
    strategy: str | None = None

    def same(name: str) -> bool:
        # (`object.__getstate__` is there from Python 3.11)
        return getattr(cls, name, None) is getattr(object, name, None)

    plain = (
        cls.__module__.split(".")[0] == "scenario"
        and same("__reduce_ex__")
        and same("__getstate__")
        and not any(
            hasattr(cls, name)
            for name in ("__deepcopy__", "__setstate__", "__slots__", "__getnewargs__", "__getnewargs_ex__")
        )
    )
    reduce: Any = getattr(cls, "__reduce__", None)
    if plain and same("__reduce__"):
        strategy = "dict"
    elif plain and getattr(reduce, "__qualname__", "").endswith("_MaxPositionalArgs.__reduce__"):
        strategy = "call"
    _STRATEGY[cls] = strategy
    return strategy


def _deepcopy(value: T, memo: dict[int, Any] | None = None) -> T:
    """`copy.deepcopy(value)`, faster for ops.testing's objects and plain containers."""
    cls = type(value)
    if cls in _ATOMIC or isinstance(value, enum.Enum):
        return value
    if memo is None:
        memo = {}
    else:
        done = memo.get(id(value), memo)
        if done is not memo:
            return cast("T", done)
    if cls is dict:
        out: dict[Any, Any] = {}
        memo[id(value)] = out
        for k, v in cast("dict[Any, Any]", value).items():
            out[_deepcopy(k, memo)] = _deepcopy(v, memo)
        return cast("T", out)
    if cls is list:
        items: list[Any] = []
        memo[id(value)] = items
        items.extend(_deepcopy(v, memo) for v in cast("list[Any]", value))
        return cast("T", items)
    strategy = _strategy(cls)
    if strategy == "dict":
        new = cls.__new__(cls)
        memo[id(value)] = new
        new.__dict__.update(_deepcopy(vars(value), memo))
        return new
    if strategy == "call":
        new = cls(**vars(value))
        memo[id(value)] = new
        return new
    return copy.deepcopy(value, memo)


# ---- Context ------------------------------------------------------------------------------


def context_json(ctx: testing.Context[Any]) -> JSON:
    """STATE_JSON "Context" from an ops.testing Context (8.x and 7.x spellings)."""
    app_name = getattr(ctx, "app_name", None)
    if app_name is None:  # 7.x keeps it private, None meaning the metadata's name
        app_name = getattr(ctx, "_app_name", None)
    unit_id = getattr(ctx, "unit_id", None)
    if unit_id is None:
        unit_id = getattr(ctx, "_unit_id", None)
    return {
        "app_name": app_name or _charm_meta(ctx).get("name") or None,
        "unit_id": 0 if unit_id is None else int(unit_id),
        "juju_version": str(ctx.juju_version),
        "app_trusted": bool(getattr(ctx, "app_trusted", False)),
        "machine_id": _str_or_none(getattr(ctx, "_machine_id", None)),
        "availability_zone": getattr(ctx, "_availability_zone", None),
        "principal_unit": getattr(ctx, "_principal_unit", None),
        "capture_deferred_events": bool(ctx.capture_deferred_events),
        "capture_framework_events": bool(ctx.capture_framework_events),
        **_timeout(),
    }


def _timeout() -> JSON:
    """The run's time limit, from `OPS_SCENARIO_TIMEOUT` (seconds; 0 for none), which
    ops.testing's constructor has no argument for; without it, the engine's default."""
    text = os.environ.get("OPS_SCENARIO_TIMEOUT")
    if text is None:
        return {}
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"OPS_SCENARIO_TIMEOUT={text!r} is not a number of seconds") from None
    return {"timeout": None if seconds == 0 else seconds}


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


# ---- Event --------------------------------------------------------------------------------

_UNIT_EVENT_SUFFIXES = ("_relation_joined", "_relation_changed", "_relation_departed")


def _custom_event_name(event: Any) -> str:
    """The engine's name for `ctx.on.custom(bound_event, ...)`."""
    bound = event.custom_event
    emitter = bound.emitter
    if isinstance(emitter, ops.CharmEvents):
        return str(bound.event_kind)
    raise UnsupportedByEngine(
        f"ctx.on.custom() on an event of {type(emitter).__name__} "
        f"({type(emitter).__module__}), an emitter the charm holds as an attribute",
        "ops.testing finds that attribute on the live charm by the emitter's type; the "
        "engine's Event JSON names the event by its attribute path, `<attr>.on.<event>`, which "
        "only the live charm knows",
    )


def _event_arg(value: Any, where: str) -> Any:
    if _is_state_object(value):
        raise UnsupportedByEngine(
            f"a {type(value).__name__} passed to ctx.on.custom() ({where})",
            "ops.testing turns State objects in a custom event's arguments into ops objects; "
            "the case file's custom event arguments are stored values only (the Python "
            "package emits such events itself)",
        )
    return encode_value(value, f"the arguments of ctx.on.custom() ({where})")


_STATE_OBJECT_TYPES: tuple[type, ...] = (
    testing.RelationBase, testing.Secret, Container, testing.Storage, testing.Notice,
    testing.CheckInfo, testing.CloudSpec,
)


def _is_state_object(value: Any) -> bool:
    return isinstance(value, _STATE_OBJECT_TYPES) or hasattr(value, "_to_ops")


def needs_host(event: Any) -> bool:
    """Whether a custom event needs the live charm to be emitted (so a Python host emits it,
    see `host_custom_event`): its emitter is an object the charm holds, which ops.testing
    finds by its type, or its arguments hold State objects, which become ops objects."""
    custom = getattr(event, "custom_event", None)
    if custom is None:
        return False
    if not isinstance(custom.emitter, ops.CharmEvents):
        return True
    values = [*(event.custom_event_args or ()), *(event.custom_event_kwargs or {}).values()]
    return any(_is_state_object(v) for v in values)


def host_custom_event(event: Any, charm: ops.CharmBase) -> tuple[Any, list[Any], dict[str, Any]]:
    """The custom event of `ctx.on.custom(...)` on the live charm, with its arguments, as
    ops.testing finds them: the first attribute of the charm that is an `ops.Object` and holds
    events of the emitter's type, and State objects among the arguments as the ops objects
    the charm's model gives for them."""
    custom = event.custom_event
    emitter_type = type(custom.emitter)
    bound: Any = None
    if isinstance(custom.emitter, ops.CharmEvents):
        bound = getattr(charm.on, custom.event_kind, None)
    else:
        for name in dir(charm):
            attr = getattr(charm, name, None)
            if not isinstance(attr, ops.Object):
                continue
            for sub_name in dir(attr):
                sub = getattr(attr, sub_name, None)
                if isinstance(sub, ops.ObjectEvents) and type(sub) is emitter_type:
                    bound = getattr(sub, custom.event_kind)
                    break
            if bound is not None:
                break
    if bound is None:
        raise RuntimeError(
            f"ctx.on.custom(): no attribute of {type(charm).__name__} holds events of type "
            f"{emitter_type.__name__} (ops.testing emits the event of the first one that does)"
        )
    args = [_to_ops(charm, a) for a in event.custom_event_args or ()]
    kwargs = {str(k): _to_ops(charm, v) for k, v in (event.custom_event_kwargs or {}).items()}
    return bound, args, kwargs


def _to_ops(charm: ops.CharmBase, value: Any) -> Any:
    """A custom event's argument as the charm sees it: a State object as its ops object."""
    if hasattr(value, "_to_ops"):
        return value._to_ops()
    if isinstance(value, testing.Secret):
        return charm.model.get_secret(id=value.id, label=value.label)
    if isinstance(value, testing.RelationBase):
        return charm.model.get_relation(value.endpoint, value.id)
    if isinstance(value, Container):
        return charm.unit.get_container(value.name)
    if isinstance(value, testing.Storage):
        for storage in charm.model.storages[value.name]:
            if storage.index == value.index:
                return storage
    return value


def event_json(event: Any, state: testing.State, *, host: bool = False) -> JSON:
    """STATE_JSON "Event" from an ops.testing `_Event` (what `ctx.on.<event>(...)` returns).

    The remote unit of a relation event is given explicitly as ops.testing picks it (the
    relation's first remote unit, in the order of its databag mapping) when the test leaves
    it out, so the engine's own default never applies. With `host`, a custom event that
    `needs_host` is named by its kind alone: the host emits it itself.
    """
    out: JSON = {}
    if host and needs_host(event):
        return {"name": str(event.custom_event.event_kind)}
    if getattr(event, "custom_event", None) is not None:
        out["name"] = _custom_event_name(event)
        args = list(event.custom_event_args or ())
        kwargs = dict(event.custom_event_kwargs or {})
        if args:
            out["args"] = [_event_arg(a, f"argument {i}") for i, a in enumerate(args)]
        if kwargs:
            out["kwargs"] = {str(k): _event_arg(v, f"keyword {k}") for k, v in kwargs.items()}
        return out
    path = str(event.path)
    out["name"] = path if "." in path else str(event.name)
    relation = event.relation
    if relation is not None:
        out["relation_id"] = relation.id
        remote = event.relation_remote_unit_id
        if remote is None and str(event.name).endswith(_UNIT_EVENT_SUFFIXES):
            remote_ids = tuple(relation._remote_unit_ids)
            remote = remote_ids[0] if remote_ids else None
        if remote is not None:
            out["remote_unit"] = int(remote)
        if event.relation_departed_unit_id is not None:
            out["departing_unit"] = int(event.relation_departed_unit_id)
    if event.container is not None:
        out["container"] = event.container.name
    if event.notice is not None:
        out["notice_id"] = str(event.notice.id)
    if event.check_info is not None:
        out["check"] = event.check_info.name
    if event.secret is not None:
        out["secret_id"] = event.secret.id
    if event.secret_revision is not None:
        out["revision"] = int(event.secret_revision)
    if event.storage is not None:
        out["storage"] = {"name": event.storage.name, "index": int(event.storage.index)}
    action = event.action
    if action is not None:
        out["action"] = {"name": action.name, "params": dict(action.params), "id": str(action.id)}
    return out


# ---- State -> JSON ------------------------------------------------------------------------


def status_json(status: Any) -> JSON:
    return {"name": str(status.name), "message": "" if status.name == "unknown" else str(status.message)}


def _databag(data: Mapping[str, str], where: str) -> dict[str, str]:
    return {str(k): _databag_value(v, where) for k, v in data.items()}


def _databag_value(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise UnsupportedByEngine(f"a {type(value).__name__} value in {where}", "databag values are strings")
    return value


def relation_json(r: testing.RelationBase, interfaces: Mapping[str, str] | None = None) -> JSON:
    """One relation; `interfaces` (endpoint -> the metadata's interface) fills in a missing
    interface as the engine does, so unchanged relations compare equal to the output's."""
    interface = r.interface
    if interface is None and interfaces is not None:
        interface = interfaces.get(r.endpoint)
    common: JSON = {
        "endpoint": r.endpoint,
        "interface": interface,
        "id": r.id,
        "local_app_data": _databag(r.local_app_data, f"relation {r.id} local_app_data"),
        "local_unit_data": _databag(r.local_unit_data, f"relation {r.id} local_unit_data"),
    }
    if isinstance(r, testing.PeerRelation):
        peers = {str(k): _databag(v, f"relation {r.id} peers_data") for k, v in r.peers_data.items()}
        return {"type": "peer", **common, "peers_data": peers}
    if isinstance(r, testing.SubordinateRelation):
        return {
            "type": "subordinate",
            **common,
            "remote_app_name": r.remote_app_name,
            "remote_app_data": _databag(r.remote_app_data, f"relation {r.id} remote_app_data"),
            "remote_unit_id": r.remote_unit_id,
            "remote_unit_data": _databag(r.remote_unit_data, f"relation {r.id} remote_unit_data"),
        }
    if not isinstance(r, testing.Relation):
        raise UnsupportedByEngine(f"a relation of type {type(r).__name__}")
    units = {str(k): _databag(v, f"relation {r.id} remote_units_data") for k, v in r.remote_units_data.items()}
    return {
        "type": "regular",
        **common,
        "remote_app_name": r.remote_app_name,
        "limit": r.limit,
        "remote_model_uuid": r.remote_model_uuid,
        "remote_app_data": _databag(r.remote_app_data, f"relation {r.id} remote_app_data"),
        "remote_units_data": units,
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


def notice_json(n: testing.Notice) -> JSON:
    return {
        "id": str(n.id),
        "user_id": n.user_id,
        "type": _enum_value(n.type),
        "key": n.key,
        "first_occurred": _iso(n.first_occurred),
        "last_occurred": _iso(n.last_occurred),
        "last_repeated": _iso(n.last_repeated),
        "occurrences": n.occurrences,
        "last_data": dict(n.last_data),
        "repeat_after": _seconds(n.repeat_after),
        "expire_after": _seconds(n.expire_after),
    }


def check_info_json(c: testing.CheckInfo, container: str = "") -> JSON:
    if c.successes is None:
        raise UnsupportedByEngine(
            f"CheckInfo(successes=None) (check {c.name!r} in container {container!r})",
            "an older Pebble without the `successes` field; the engine's Pebble always reports it",
        )
    change_id = str(c.change_id) if c.change_id is not None else ""
    return {
        "name": c.name,
        "level": _enum_value(c.level) if c.level is not None else "",
        "startup": _enum_value(c.startup),
        "status": _enum_value(c.status),
        "successes": c.successes,
        "failures": c.failures,
        "threshold": c.threshold,
        # ops.testing gives an inactive check the change id "": the JSON says none as null.
        "change_id": change_id or None,
    }


def _exec_output(e: testing.Exec, name: str) -> str:
    """An Exec's stdout or stderr as the engine's text. ops.testing also takes bytes (the only
    form it accepts for a charm reading with encoding=None); UTF-8 bytes are the same output as
    their text either way the charm reads it, other bytes the engine cannot give."""
    value: Any = getattr(e, name)
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise UnsupportedByEngine(
        f"Exec({list(e.command_prefix)!r}) with a {name} of {type(value).__name__} that is not UTF-8 text",
        "the engine's Exec output is text",
    )


def exec_json(e: testing.Exec) -> JSON:
    return {
        "command_prefix": list(e.command_prefix),
        "return_code": e.return_code,
        "stdout": _exec_output(e, "stdout"),
        "stderr": _exec_output(e, "stderr"),
    }


def mount_json(m: testing.Mount) -> JSON:
    # Absolute, as ops.testing's symlink to the source resolves a relative one from the cwd. A
    # single file mounts as well as a directory.
    return {"location": str(m.location), "source": str(pathlib.Path(m.source).absolute())}


def _permissions(mode: int) -> str:
    return format(stat.S_IMODE(mode), "o")


def file_json(path: pathlib.Path) -> Any:
    """One file or directory of a container's root in the JSON's file forms."""
    info = path.lstat()
    if stat.S_ISDIR(info.st_mode):
        out: JSON = {"type": "directory"}
        if stat.S_IMODE(info.st_mode) != 0o755:
            out["permissions"] = _permissions(info.st_mode)
        return out
    data = path.read_bytes()
    try:
        content: Any = data.decode("utf-8")
    except UnicodeDecodeError:
        content = encode_value(data)
    if stat.S_IMODE(info.st_mode) != 0o644:
        return {"content": content, "permissions": _permissions(info.st_mode)}
    return content


def container_files_json(root: pathlib.Path, mounts: Iterable[str] = ()) -> JSON:
    """Every file and directory under a container root, outside the mount points, in the
    JSON's `files` form. Directories that only hold files are left implied."""
    files: JSON = {}
    if not root.is_dir():
        return files
    locations = [str(m).rstrip("/") for m in mounts]
    for path in sorted(root.rglob("*")):
        location = "/" + path.relative_to(root).as_posix()
        if path.is_symlink() or any(location == m or location.startswith(m + "/") for m in locations):
            continue
        if path.is_dir() and any(path.iterdir()) and stat.S_IMODE(path.stat().st_mode) == 0o755:
            continue
        files[location] = file_json(path)
    return files


def container_json(c: Container, ctx: testing.Context[Any] | None = None, *, files_from_root: bool = False) -> JSON:
    """One container. Its `files` are what ops.testing gives the charm: nothing but the mounts
    (ops.testing empties a container's root when the charm is set up), unless
    `files_from_root`, which reads the files under `ctx._get_container_root(name)`."""
    if getattr(c, "_base_plan", None):
        raise UnsupportedByEngine(
            f"Container {c.name!r} with a base plan (Container._base_plan)",
            "give the plan as layers",
        )
    files: JSON = {}
    if files_from_root and ctx is not None:
        files = container_files_json(ctx._get_container_root(c.name), (str(m.location) for m in c.mounts.values()))
    return {
        "name": c.name,
        "can_connect": bool(c.can_connect),
        "layers": {label: dict(layer.to_dict()) for label, layer in c.layers.items()},
        "service_statuses": {name: _enum_value(s) for name, s in c.service_statuses.items()},
        "mounts": {name: mount_json(m) for name, m in c.mounts.items()},
        "files": files,
        "execs": [exec_json(e) for e in sorted(c.execs, key=lambda e: tuple(e.command_prefix))],
        "notices": [notice_json(n) for n in c.notices],
        "check_infos": [check_info_json(ci, c.name) for ci in sorted(c.check_infos, key=lambda ci: ci.name)],
    }


def port_json(p: testing.Port) -> JSON:
    if p.protocol == "icmp":
        return {"protocol": "icmp"}
    return {"protocol": p.protocol, "port": p.port}


def _revisions(s: testing.Secret) -> tuple[int, int]:
    # 8.x keeps them as private class attributes, 7.x as private fields: the same names.
    return int(getattr(s, "_tracked_revision")), int(getattr(s, "_latest_revision"))


def _latest_content(s: testing.Secret) -> Mapping[str, str]:
    return s.latest_content if s.latest_content is not None else s.tracked_content


def _renumbered(s: testing.Secret) -> bool:
    """Whether the secret's latest content differs from the tracked one under the same revision
    number: what ops.testing gives `Secret(tracked, latest_content=other)` (both revisions 1).
    The engine holds each revision's content, so the JSON numbers the latest revision one past
    the tracked one, and the output's revisions are numbered back (`_revision_back`)."""
    tracked, latest = _revisions(s)
    return latest <= tracked and dict(_latest_content(s)) != dict(s.tracked_content)


def _revision_back(hint: testing.Secret | None, revision: int) -> int:
    if hint is not None and _renumbered(hint):
        tracked, _ = _revisions(hint)
        return revision - 1 if revision > tracked else revision
    return revision


def secret_json(s: testing.Secret) -> JSON:
    for field in ("tracked_content", "latest_content"):
        value = getattr(s, field)
        if value is not None and not isinstance(value, Mapping):
            # ops-scenario 8.7 and 7.23.4 refuse this when the Secret is made; older ones let a
            # Secret given Scenario 6's argument order (`Secret(id, ...)`) through.
            raise StateValidationError(
                f"Secret.{field} should be a dict, not {type(value)} (Scenario 7 and 8 take "
                "the tracked content first: Secret(tracked_content, id=..., ...))"
            )
    tracked, latest = _revisions(s)
    if _renumbered(s):
        latest = tracked + 1
    latest_content = _latest_content(s)
    return {
        "id": s.id,
        "owner": s.owner,
        "label": s.label,
        "tracked_content": _databag(s.tracked_content, f"secret {s.id} tracked_content"),
        "latest_content": _databag(latest_content, f"secret {s.id} latest_content"),
        "tracked_revision": tracked,
        "latest_revision": latest,
        "description": s.description,
        "expire": _iso(s.expire),
        "rotate": _enum_value(s.rotate) if s.rotate is not None else None,
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
        "credential": None
        if cred is None
        else {"auth_type": cred.auth_type, "attributes": dict(cred.attributes), "redacted": list(cred.redacted)},
        "ca_certificates": list(spec.ca_certificates),
        "skip_tls_verify": spec.skip_tls_verify,
        "is_controller_cloud": spec.is_controller_cloud,
    }


def model_json(m: testing.Model) -> JSON:
    return {"name": m.name, "uuid": m.uuid, "type": m.type, "cloud_spec": cloud_spec_json(m.cloud_spec)}


def stored_state_json(s: testing.StoredState) -> JSON:
    data_type = getattr(s, "_data_type_name", "StoredStateData")
    if data_type != "StoredStateData":
        raise UnsupportedByEngine(
            f"StoredState(_data_type_name={data_type!r}) (owner {s.owner_path!r}, name {s.name!r})",
            "the engine keeps ops' own StoredStateData",
        )
    where = f"StoredState {s.owner_path or ''}/{s.name}"
    return {"owner_path": s.owner_path, "name": s.name, "content": encode_value(dict(s.content), where)}


def deferred_json(d: testing.DeferredEvent) -> JSON:
    return {
        "handle_path": d.handle_path,
        "owner": d.owner,
        "observer": d.observer,
        "snapshot_data": encode_value(dict(d.snapshot_data), f"the snapshot of deferred {d.handle_path}"),
    }


def resource_json(r: testing.Resource) -> JSON:
    return {"name": r.name, "path": str(pathlib.Path(r.path).absolute())}


def _config_value(key: str, value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)):
        return value
    raise UnsupportedByEngine(f"a {type(value).__name__} config value ({key!r})", "options are bool, int, float or str")


def state_json(state: testing.State, ctx: testing.Context[Any], *, files_from_root: bool = False) -> JSON:
    """STATE_JSON "State" from an ops.testing State, every value ops.testing drew written out.

    Container files: see `container_json` (ops.testing gives the charm an empty root plus
    the mounts; `files_from_root=True` reads the root's files in instead).
    """
    interfaces = _endpoint_interfaces(_charm_meta(ctx))
    return {
        "config": {str(k): _config_value(str(k), v) for k, v in state.config.items()},
        "leader": bool(state.leader),
        "unit_status": status_json(state.unit_status),
        "app_status": status_json(state.app_status),
        "workload_version": state.workload_version,
        "planned_units": state.planned_units,
        "model": model_json(state.model),
        "containers": [
            container_json(c, ctx, files_from_root=files_from_root)
            for c in sorted(state.containers, key=lambda c: c.name)
        ],
        "relations": [relation_json(r, interfaces) for r in sorted(state.relations, key=lambda r: r.id)],
        "networks": [network_json(n) for n in sorted(state.networks, key=lambda n: n.binding_name)],
        "storages": [{"name": s.name, "index": s.index} for s in sorted(state.storages, key=lambda s: (s.name, s.index))],
        "opened_ports": [port_json(p) for p in sorted(state.opened_ports, key=lambda p: (p.protocol, p.port or 0))],
        "secrets": [secret_json(s) for s in sorted(state.secrets, key=lambda s: s.id)],
        "resources": [resource_json(r) for r in sorted(state.resources, key=lambda r: r.name)],
        "stored_states": [
            stored_state_json(s) for s in sorted(state.stored_states, key=lambda s: (s.owner_path or "", s.name))
        ],
        "deferred": [deferred_json(d) for d in state.deferred],
    }


# ---- JSON -> State ------------------------------------------------------------------------


def status_from_json(data: Mapping[str, Any], hint: Any = None) -> Any:
    """ops.testing's status class for a status (testing.ActiveStatus, ...)."""
    if hint is not None and status_json(hint) == {"name": data["name"], "message": data.get("message", "")}:
        return _copy(hint)
    name, message = data["name"], data.get("message", "")
    if name == "unknown":
        return cast("Any", testing.UnknownStatus)()
    classes: dict[str, Callable[[str], Any]] = {
        "active": testing.ActiveStatus,
        "blocked": testing.BlockedStatus,
        "maintenance": testing.MaintenanceStatus,
        "waiting": testing.WaitingStatus,
        "error": testing.ErrorStatus,
    }
    return classes[name](message)


def _units_from_json(data: Mapping[str, Mapping[str, str]]) -> dict[int, dict[str, str]]:
    return {int(k): dict(v) for k, v in data.items()}


def relation_from_json(data: JSON, hint: testing.RelationBase | None, interfaces: Mapping[str, str]) -> testing.RelationBase:
    """A relation of the output; `hint` is the input relation with the same id."""
    hint_json = relation_json(hint, interfaces) if hint is not None else None
    reused = _reuse(hint, hint_json, data)
    if reused is not None:
        return reused

    def keep(name: str, build: Callable[[], Any]) -> Any:
        if hint_json is None or not hasattr(hint, name):
            return build()
        return _field(hint, name, hint_json.get(name), data.get(name), build)

    common: JSON = {
        "endpoint": data["endpoint"],
        "interface": keep("interface", lambda: data.get("interface")),
        "id": int(data["id"]),
        "local_app_data": dict(data.get("local_app_data", {})),
        "local_unit_data": dict(data.get("local_unit_data", {})),
    }
    kind = data.get("type", "regular")
    if kind == "peer":
        return testing.PeerRelation(**common, peers_data=_units_from_json(data.get("peers_data", {})))
    if kind == "subordinate":
        return testing.SubordinateRelation(
            **common,
            remote_app_name=data.get("remote_app_name", "remote"),
            remote_app_data=dict(data.get("remote_app_data", {})),
            remote_unit_id=int(data.get("remote_unit_id", 0)),
            remote_unit_data=dict(data.get("remote_unit_data", {})),
        )
    return testing.Relation(
        **common,
        remote_app_name=data.get("remote_app_name", "remote"),
        limit=int(data.get("limit", 1)),
        remote_model_uuid=data.get("remote_model_uuid"),
        remote_app_data=dict(data.get("remote_app_data", {})),
        remote_units_data=_units_from_json(data.get("remote_units_data", {})),
    )


def network_from_json(data: JSON, hint: testing.Network | None) -> testing.Network:
    reused = _reuse(hint, network_json(hint) if hint is not None else None, data)
    if reused is not None:
        return reused
    bind = [
        testing.BindAddress(
            [testing.Address(a["value"], hostname=a.get("hostname", ""), cidr=a.get("cidr", "")) for a in b["addresses"]],
            interface_name=b.get("interface_name", ""),
            mac_address=b.get("mac_address"),
        )
        for b in data.get("bind_addresses", [])
    ]
    return testing.Network(
        data["binding_name"],
        bind_addresses=bind,
        ingress_addresses=list(data.get("ingress_addresses", [])),
        egress_subnets=list(data.get("egress_subnets", [])),
    )


def _notice_type(value: str) -> pebble.NoticeType | str:
    try:
        return pebble.NoticeType(value)
    except ValueError:
        return value


def notice_from_json(data: JSON, hint: testing.Notice | None) -> testing.Notice:
    reused = _reuse(hint, notice_json(hint) if hint is not None else None, data)
    if reused is not None:
        return reused
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    return testing.Notice(
        data["key"],
        id=str(data["id"]),
        user_id=data.get("user_id"),
        type=_notice_type(data.get("type", "custom")),
        first_occurred=_from_iso(data.get("first_occurred")) or now,
        last_occurred=_from_iso(data.get("last_occurred")) or now,
        last_repeated=_from_iso(data.get("last_repeated")) or now,
        occurrences=int(data.get("occurrences", 1)),
        last_data=dict(data.get("last_data", {})),
        repeat_after=_timedelta(data.get("repeat_after")),
        expire_after=_timedelta(data.get("expire_after")),
    )


def check_info_from_json(data: JSON, hint: testing.CheckInfo | None) -> testing.CheckInfo:
    reused = _reuse(hint, check_info_json(hint) if hint is not None else None, data)
    if reused is not None:
        return reused
    level = data.get("level") or None
    startup = data.get("startup", "enabled")
    return testing.CheckInfo(
        data["name"],
        level=pebble.CheckLevel(level) if level else None,
        startup=pebble.CheckStartup(startup) if startup else pebble.CheckStartup.UNSET,
        status=pebble.CheckStatus(data.get("status", "up")),
        successes=data.get("successes", 0),
        failures=int(data.get("failures", 0)),
        threshold=int(data.get("threshold", 3)),
        change_id=pebble.ChangeID(data.get("change_id") or ""),
    )


def exec_from_json(data: JSON, hint: testing.Exec | None) -> testing.Exec:
    reused = _reuse(hint, exec_json(hint) if hint is not None else None, data)
    if reused is not None:
        return reused
    return testing.Exec(
        list(data["command_prefix"]),
        return_code=int(data.get("return_code", 0)),
        stdout=data.get("stdout", ""),
        stderr=data.get("stderr", ""),
        _change_id=0,
    )


def _by(items: Iterable[T], key: Callable[[T], Any]) -> dict[Any, T]:
    return {key(item): item for item in items}


def container_from_json(data: JSON, hint: Container | None) -> Container:
    """A container of the output. Its `files` are not part of the dataclass (ops.testing keeps
    them under the Context's container root): `write_container_root` puts them there."""
    hint_json = container_json(hint) if hint is not None else None
    compared = dict(
        data,
        files={},
        execs=sorted(data.get("execs", []), key=lambda e: tuple(e["command_prefix"])),
        check_infos=sorted(data.get("check_infos", []), key=lambda c: str(c["name"])),
    )
    reused = _reuse(hint, hint_json, compared)
    if reused is not None:
        return reused
    hj: JSON = hint_json or {}

    def keep(name: str, build: Callable[[], Any]) -> Any:
        if hint is None:
            return build()
        return _field(hint, name, hj.get(name), data.get(name, {} if name != "can_connect" else False), build)

    old_notices = _by(hint.notices if hint else [], lambda n: str(n.id))
    old_checks = _by(hint.check_infos if hint else [], lambda c: c.name)
    old_execs = _by(hint.execs if hint else [], lambda e: tuple(e.command_prefix))
    return Container(
        data["name"],
        can_connect=bool(data.get("can_connect", False)),
        layers=keep("layers", lambda: {label: pebble.Layer(cast("Any", layer)) for label, layer in data.get("layers", {}).items()}),
        service_statuses=keep(
            "service_statuses",
            lambda: {name: pebble.ServiceStatus(s) for name, s in data.get("service_statuses", {}).items()},
        ),
        mounts=keep(
            "mounts",
            lambda: {name: testing.Mount(location=m["location"], source=m["source"]) for name, m in data.get("mounts", {}).items()},
        ),
        execs=[exec_from_json(e, old_execs.get(tuple(e["command_prefix"]))) for e in data.get("execs", [])],
        notices=[notice_from_json(n, old_notices.get(str(n.get("id")))) for n in data.get("notices", [])],
        check_infos=frozenset(check_info_from_json(c, old_checks.get(c["name"])) for c in data.get("check_infos", [])),
    )


def port_from_json(data: JSON) -> testing.Port:
    protocol = data.get("protocol", "tcp")
    if protocol == "icmp":
        return testing.ICMPPort()
    if protocol == "udp":
        return testing.UDPPort(int(data["port"]))
    return testing.TCPPort(int(data["port"]))


def secret_from_json(data: JSON, hint: testing.Secret | None) -> testing.Secret:
    """A secret of the output; `hint` is the input secret with the same id, if any."""
    hint_json = secret_json(hint) if hint is not None else None
    reused = _reuse(hint, hint_json, data)
    if reused is not None:
        return reused
    hj: JSON = hint_json or {}

    def keep(name: str, build: Callable[[], Any]) -> Any:
        if hint is None:
            return build()
        return _field(hint, name, hj.get(name), data.get(name), build)

    rotate = data.get("rotate")
    grants = {int(k): set(v) for k, v in data.get("remote_grants", {}).items()}
    secret = testing.Secret(
        dict(data["tracked_content"]),
        latest_content=dict(data.get("latest_content") or data["tracked_content"]),
        id=data["id"],
        owner=data.get("owner"),
        remote_grants=grants,
        label=data.get("label"),
        description=data.get("description"),
        expire=keep("expire", lambda: _expiry_from_json(data.get("expire"))),
        rotate=ops.SecretRotate(rotate) if rotate else None,
    )
    if hint is not None and hj.get("remote_grants") == data.get("remote_grants"):
        _set_private(secret, "remote_grants", _deepcopy(hint.remote_grants))
    tracked = 1 if data.get("tracked_revision") is None else int(data["tracked_revision"])
    latest = tracked if data.get("latest_revision") is None else int(data["latest_revision"])
    _set_private(secret, "_tracked_revision", _revision_back(hint, tracked))
    _set_private(secret, "_latest_revision", _revision_back(hint, latest))
    return secret


def cloud_spec_from_json(data: JSON | None) -> testing.CloudSpec | None:
    if data is None:
        return None
    cred = data.get("credential")
    return testing.CloudSpec(
        data["type"],
        name=data.get("name", "localhost"),
        region=data.get("region"),
        endpoint=data.get("endpoint"),
        identity_endpoint=data.get("identity_endpoint"),
        storage_endpoint=data.get("storage_endpoint"),
        credential=None
        if cred is None
        else testing.CloudCredential(
            auth_type=cred.get("auth_type", ""),
            attributes=dict(cred.get("attributes", {})),
            redacted=list(cred.get("redacted", [])),
        ),
        ca_certificates=list(data.get("ca_certificates", [])),
        skip_tls_verify=bool(data.get("skip_tls_verify", False)),
        is_controller_cloud=bool(data.get("is_controller_cloud", False)),
    )


def model_from_json(data: JSON, hint: testing.Model) -> testing.Model:
    reused = _reuse(hint, model_json(hint), data)
    if reused is not None:
        return reused
    return testing.Model(
        data["name"], uuid=data["uuid"], type=data.get("type", "kubernetes"),
        cloud_spec=cloud_spec_from_json(data.get("cloud_spec")),
    )


def stored_state_from_json(data: JSON) -> testing.StoredState:
    return testing.StoredState(
        data.get("name", "_stored"), owner_path=data.get("owner_path"), content=_decode_dict(data.get("content"))
    )


def deferred_from_json(data: JSON) -> testing.DeferredEvent:
    return testing.DeferredEvent(
        data["handle_path"], data["owner"], data["observer"], _decode_dict(data.get("snapshot_data"))
    )


def _output_state(out: Mapping[str, Any]) -> JSON:
    """The State object of an Output (or `out` itself when it is a State)."""
    if "unit_status_history" in out or "error" in out:
        state = out.get("state")
        if state is None:
            error = out.get("error") or {}
            raise ValueError(f"the Output has no State: the run failed ({error.get('type')}: {error.get('message')})")
        return cast("JSON", state)
    return dict(out)


def state_from_json(out: Mapping[str, Any], state_in: testing.State, ctx: testing.Context[Any]) -> testing.State:
    """The output State as ops.testing builds it (see the module's docstring), and the
    containers' files written under `ctx._get_container_root(name)`, as ops.testing leaves
    them, so `Container.get_filesystem(ctx)` shows them."""
    data = _output_state(out)
    interfaces = _endpoint_interfaces(_charm_meta(ctx))
    relations = _by(state_in.relations, lambda r: r.id)
    containers = _by(state_in.containers, lambda c: c.name)
    networks = _by(state_in.networks, lambda n: n.binding_name)
    storages = _by(state_in.storages, lambda s: (s.name, s.index))
    ports = _by(state_in.opened_ports, lambda p: (p.protocol, p.port if p.protocol != "icmp" else None))
    secrets = _by(state_in.secrets, lambda s: s.id)
    resources = _by(state_in.resources, lambda r: r.name)

    def port(p: JSON) -> testing.Port:
        key = (p.get("protocol", "tcp"), p.get("port"))
        return _copy(ports[key]) if key in ports else port_from_json(p)

    def storage(s: JSON) -> testing.Storage:
        key = (s["name"], int(s.get("index", 0)))
        return _copy(storages[key]) if key in storages else testing.Storage(s["name"], index=key[1])

    def resource(r: JSON) -> testing.Resource:
        old = resources.get(r["name"])
        if old is not None and resource_json(old) == {"name": r["name"], "path": r["path"]}:
            return _deepcopy(old)
        return testing.Resource(name=r["name"], path=r["path"])

    config = dict(data.get("config", {}))
    state = testing.State(
        config=_deepcopy(state_in.config) if config == dict(state_in.config) else config,
        leader=bool(data.get("leader", False)),
        unit_status=status_from_json(data.get("unit_status", {"name": "unknown"}), state_in.unit_status),
        app_status=status_from_json(data.get("app_status", {"name": "unknown"}), state_in.app_status),
        workload_version=data.get("workload_version", ""),
        planned_units=int(data.get("planned_units", 1)),
        model=model_from_json(data.get("model", {}), state_in.model) if "model" in data else _deepcopy(state_in.model),
        relations=[relation_from_json(r, relations.get(r.get("id")), interfaces) for r in data.get("relations", [])],
        networks=[network_from_json(n, networks.get(n["binding_name"])) for n in data.get("networks", [])],
        containers=[container_from_json(c, containers.get(c["name"])) for c in data.get("containers", [])],
        storages=[storage(s) for s in data.get("storages", [])],
        opened_ports=[port(p) for p in data.get("opened_ports", [])],
        secrets=[secret_from_json(s, secrets.get(s["id"])) for s in data.get("secrets", [])],
        resources=[resource(r) for r in data.get("resources", [])],
        stored_states=[stored_state_from_json(s) for s in data.get("stored_states", [])],
        deferred=[deferred_from_json(d) for d in data.get("deferred", [])],
    )
    write_container_roots(data, ctx)
    return state


# ---- container filesystems ----------------------------------------------------------------


def _meta_containers(ctx: testing.Context[Any]) -> list[str]:
    return list((_charm_meta(ctx).get("containers") or {}).keys())


def _is_laid_out(root: pathlib.Path, layout: Mapping[str, str]) -> bool:
    """Whether `root` holds exactly the mount links of `layout` (location -> source) and the
    directories above them: what emptying it and linking the mounts would give."""
    expected: dict[str, str | None] = {}
    for location, source in layout.items():
        parts = pathlib.PurePosixPath(location).parts[1:]
        for i in range(1, len(parts)):
            expected["/".join(parts[:i])] = None
        expected["/".join(parts)] = source
    found: dict[str, str | None] = {}
    stack = [root]
    while stack:
        for entry in os.scandir(stack.pop()):
            rel = pathlib.Path(entry.path).relative_to(root).as_posix()
            if rel not in expected or len(found) > len(expected):
                return False
            if entry.is_symlink():
                found[rel] = os.readlink(entry.path)
            elif entry.is_dir():
                found[rel] = None
                stack.append(pathlib.Path(entry.path))
            else:
                return False
    return found == expected


def reset_container_root(ctx: testing.Context[Any], name: str, mounts: Mapping[str, Any]) -> pathlib.Path:
    """What ops.testing does to a container's root when the charm is set up: empty it, then
    link each mount's location to its source. `mounts` maps names to `testing.Mount`s or to
    the JSON's `{"location", "source"}`."""
    root = pathlib.Path(ctx._get_container_root(name))
    layout = _mount_layout(mounts)
    if root.is_dir() and not root.is_symlink() and _is_laid_out(root, layout):
        return root
    if root.exists() or root.is_symlink():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for location, source in layout.items():
        link = root.joinpath(*pathlib.PurePosixPath(location).parts[1:])
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(source)
    return root


def _write_file(root: pathlib.Path, location: str, value: Any) -> None:
    path = root.joinpath(*pathlib.PurePosixPath(location).parts[1:])
    spec: JSON = value if isinstance(value, dict) and _tag_of(value) is None else {"content": value}
    mode = spec.get("permissions")
    if spec.get("type") == "directory":
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, int(mode, 8) if mode else 0o755)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    content = decode_value(spec.get("content", ""))
    path.write_bytes(content if isinstance(content, bytes) else str(content).encode("utf-8"))
    os.chmod(path, int(mode, 8) if mode else 0o644)


# The container roots `begin_run` laid out for the run in progress, by Context (weakly):
# container name -> the mounts linked there. `write_container_roots` writes the output files
# into such a root without emptying it again (ops.testing empties it once, when the charm is
# set up, and a test may put files there during the manager form).
_FRESH_ROOTS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _mount_layout(mounts: Mapping[str, Any]) -> dict[str, str]:
    layout: dict[str, str] = {}
    for mount in mounts.values():
        location = mount["location"] if isinstance(mount, Mapping) else mount.location
        source = mount["source"] if isinstance(mount, Mapping) else mount.source
        layout[str(location)] = str(pathlib.Path(source).absolute())
    return layout


def write_container_roots(state: Mapping[str, Any], ctx: testing.Context[Any]) -> None:
    """Lay out each container's root as ops.testing leaves it after a run: the mounts linked,
    and the files of the output State (every container the metadata declares gets a root)."""
    by_name = {c["name"]: c for c in state.get("containers", [])}
    fresh = _FRESH_ROOTS.pop(ctx, {})
    for name in dict.fromkeys([*_meta_containers(ctx), *by_name]):
        container = by_name.get(name, {})
        mounts = container.get("mounts", {})
        root = pathlib.Path(ctx._get_container_root(name))
        if name not in fresh or fresh[name] != _mount_layout(mounts) or not root.is_dir():
            root = reset_container_root(ctx, name, mounts)
        for location, value in container.get("files", {}).items():
            _write_file(root, location, value)


# ---- the Context's history attributes -----------------------------------------------------


def begin_run(ctx: testing.Context[Any], event: Any, state: testing.State) -> None:
    """What ops.testing does to the Context before the charm runs (`Context._run` and the
    Pebble mock's set-up): an action clears the previous action's logs, results and failure;
    every container root the metadata declares is emptied and its mounts linked."""
    if getattr(event, "action", None) is not None:
        ctx.action_logs.clear()
        if ctx.action_results is not None:
            ctx.action_results.clear()
        ctx._action_failure_message = None
    containers = {c.name: c for c in state.containers}
    fresh: dict[str, Any] = {}
    for name in _meta_containers(ctx):
        container = containers.get(name)
        mounts = container.mounts if container is not None else {}
        reset_container_root(ctx, name, mounts)
        fresh[name] = _mount_layout(mounts)
    _FRESH_ROOTS[ctx] = fresh


def exec_args_from_json(data: Mapping[str, Any]) -> ExecArgs:
    """One exec call of the Output's `exec_history`, as ops.testing records it."""
    encoding = data.get("encoding")
    stdin = decode_value(data.get("stdin"))
    if isinstance(stdin, str) and encoding is None:
        stdin = stdin.encode("utf-8")  # the charm gave bytes: ops.testing keeps bytes
    timeout = data.get("timeout")
    return ExecArgs(
        command=list(data["command"]),
        environment=dict(data.get("environment") or {}),
        working_dir=data.get("working_dir"),
        timeout=None if timeout is None else float(timeout),
        user_id=data.get("user_id"),
        user=data.get("user"),
        group_id=data.get("group_id"),
        group=data.get("group"),
        stdin=stdin,
        encoding=encoding,
        combine_stderr=bool(data.get("combine_stderr", False)),
    )


def apply_output(out: Mapping[str, Any], ctx: testing.Context[Any]) -> None:
    """Record a run's Output on the Context as ops.testing does: the histories, juju-log,
    exec calls and removed revisions are appended to (they accumulate across runs of one
    Context), requested storage counts replace the previous ones per storage, and the action's
    results, logs and failure are those of this run (call `begin_run` first, which clears
    them for an action as ops.testing does)."""
    ctx.unit_status_history.extend(status_from_json(s) for s in out.get("unit_status_history", []))
    ctx.app_status_history.extend(status_from_json(s) for s in out.get("app_status_history", []))
    ctx.workload_version_history.extend(str(v) for v in out.get("workload_version_history", []))
    ctx.juju_log.extend(testing.JujuLogLine(line["level"], line["message"]) for line in out.get("juju_log", []))
    for container, calls in (out.get("exec_history") or {}).items():
        ctx.exec_history.setdefault(container, []).extend(exec_args_from_json(c) for c in calls)
    ctx.removed_secret_revisions.extend(int(r) for r in out.get("removed_secret_revisions", []))
    ctx.requested_storages.update({str(k): int(v) for k, v in (out.get("requested_storages") or {}).items()})
    results = out.get("action_results")
    if results is not None:
        decoded = _decode_dict(results)
        if ctx.action_results:
            ctx.action_results.update(decoded)
        else:
            ctx.action_results = decoded
    ctx.action_logs.extend(str(m) for m in out.get("action_logs", []))
    if out.get("action_failure") is not None:
        ctx._action_failure_message = str(out["action_failure"])
