#!/usr/bin/env python3
"""Compare our `scenario` CLI with ops.testing (reference.py), case by case, field by field.

Usage:
    compare.py [--scenario BIN] [--reference-python PY] [--summary] CASE.json|DIR [...]

For every case file, runs `scenario run CASE` (a pool of 2 processes) and reference.py (one
process for all cases), brings both outcomes into one comparable form, and reports every
differing field by its path, e.g.

    state.relations[id=3].local_app_data.host: ours "a" vs reference "b"

Two kinds of adjustment are made before comparing, each by name:
- NORMALISATIONS: the two outputs say the same thing in different shapes (collection order,
  memory addresses, timestamps...). Always applied; never hide a behaviour difference.
- RULES (DIFFERENCES.md): deliberate behaviour differences, where our engine follows Juju
  rather than ops.testing. Each accepts exactly its difference; what a rule accepts is
  counted and reported as an "accepted difference".
Exit status: 0 if every difference is accepted by a rule, 1 otherwise, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import json
import os
import pathlib
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from values import tag_of  # noqa: E402

JSON = dict[str, Any]

# ---- running both sides -------------------------------------------------------------------


def classify_rejection(stderr: str) -> str:
    """Our CLI's exit-2 message -> the rejection kinds reference.py uses."""
    if "inconsistent scenario" in stderr:
        return "inconsistent"
    if "unknown event" in stderr:
        return "unknown-event"
    if "invalid input" in stderr:
        return "invalid-input"
    if "cannot load the charm" in stderr or "malformed charm metadata" in stderr:
        return "charm-load"
    return "error"


def run_ours(scenario: str, case: pathlib.Path) -> JSON:
    """One `scenario run CASE`: exit 0/1 give an Output, exit 2 a rejection."""
    proc = subprocess.run(
        [scenario, "run", str(case)], capture_output=True, text=True, timeout=120, check=False
    )
    if proc.returncode in (0, 1):
        return {"output": json.loads(proc.stdout)}
    if proc.returncode == 2:
        return {"rejected": classify_rejection(proc.stderr), "message": proc.stderr.strip()}
    return {"rejected": f"exit {proc.returncode}", "message": proc.stderr.strip()}


def run_reference(python: str, cases: list[pathlib.Path]) -> dict[str, JSON]:
    """All cases through one reference.py process (importing ops.testing once)."""
    proc = subprocess.run(
        [python, str(HERE / "reference.py"), *map(str, cases)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"reference.py failed:\n{proc.stderr}")
    results: dict[str, JSON] = {}
    for line in proc.stdout.splitlines():
        item = json.loads(line)
        results[item.pop("case")] = item
    return results


# ---- normalisations (always applied; each says the same thing in one shape) ---------------

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")

# docs/STATE_JSON.md: an omitted optional field takes its default. Our engine does not write
# fields it does not model yet; the reference writes them all.
_STATE_DEFAULTS: JSON = {
    "config": {},
    "leader": False,
    "unit_status": {"name": "unknown", "message": ""},
    "app_status": {"name": "unknown", "message": ""},
    "workload_version": "",
    "planned_units": 1,
    "relations": [],
    "networks": [],
    "containers": [],
    "storages": [],
    "opened_ports": [],
    "secrets": [],
    "resources": [],
    "stored_states": [],
    "deferred": [],
}
_MODEL_DEFAULTS: JSON = {"type": "kubernetes", "cloud_spec": None}

# Unordered collections (frozensets in ops.testing) and the key each is matched by.
KEYED_LISTS: dict[str, Callable[[JSON], str]] = {
    "state.relations": lambda r: f"id={r.get('id')}",
    "state.networks": lambda n: f"binding_name={n.get('binding_name')}",
    "state.containers": lambda c: f"name={c.get('name')}",
    "state.stored_states": lambda s: f"owner_path={s.get('owner_path')!r},name={s.get('name')}",
    "state.secrets": lambda s: f"id={s.get('id')}",
    "state.storages": lambda s: f"name={s.get('name')},index={s.get('index')}",
    "state.opened_ports": lambda p: f"protocol={p.get('protocol')},port={p.get('port')}",
    "state.resources": lambda r: f"name={r.get('name')}",
    "state.containers[].execs": lambda e: f"command_prefix={e.get('command_prefix')}",
    "state.containers[].check_infos": lambda c: f"name={c.get('name')}",
    "state.containers[].notices": lambda n: f"id={n.get('id')}",
}


def normalise_omitted_defaults(out: JSON) -> None:
    """omitted-defaults: a field left out means its STATE_JSON default (see _STATE_DEFAULTS)."""
    state = out.get("state")
    if isinstance(state, dict):
        for key, value in _STATE_DEFAULTS.items():
            state.setdefault(key, copy.deepcopy(value))
        model = state.setdefault("model", {})
        for key, value in _MODEL_DEFAULTS.items():
            model.setdefault(key, value)


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def normalise_memory_addresses(out: JSON) -> JSON:
    """memory-address: `0x7f3a...` in reprs depends on the process, not on behaviour."""
    return dict(_map_strings(out, lambda s: _ADDRESS.sub("0x…", s)))


def normalise_trace_timestamps(out: JSON) -> None:
    """trace-timestamp: ops' TRACE security-event lines carry the wall-clock time they were
    logged (a JSON `datetime` field); compare them without it."""
    for line in out.get("juju_log", []):
        if line.get("level") != "TRACE":
            continue
        try:
            data = json.loads(line["message"])
        except ValueError:
            continue
        if isinstance(data, dict):
            data.pop("datetime", None)
            line["message"] = json.dumps(data, sort_keys=True)


_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>.*)$')


def charm_frames(tb: str, charm_dir: str) -> list[str]:
    """The traceback's frames inside the charm directory, plus its last (exception) line."""
    lines = tb.rstrip("\n").splitlines()
    kept = []
    for i, line in enumerate(lines):
        m = _FRAME.match(line)
        if m and m["file"].startswith(charm_dir):
            code = lines[i + 1].strip() if i + 1 < len(lines) else ""
            kept.append(f"{m['file']}:{m['line']} in {m['func']}: {code}")
    if lines:
        kept.append(lines[-1])
    return kept


def normalise_traceback(out: JSON, charm_dir: str) -> None:
    """traceback-charm-frames: the frames above the charm's own code are each engine's
    dispatch machinery (our py_shim vs. ops.testing's runtime) and differ by construction;
    the charm's frames and the exception line are compared."""
    error = out.get("error")
    if isinstance(error, dict) and "traceback" in error:
        error["traceback"] = charm_frames(error["traceback"], charm_dir)


# Each side imports src/charm.py under a module name of its own (ours `_scenario_charm_<n>`,
# reference.py `conformance_charm_<path>`; under Juju it is `__main__`).
_CHARM_MODULE = re.compile(r"\b(?:_scenario_charm_\d+|conformance_charm_\w+?)\.(?=[A-Za-z_])")


def normalise_charm_module(out: JSON) -> JSON:
    """charm-module-name: exception types defined in the charm are named after the module the
    charm was imported as, an arbitrary name on each side; both become `<charm>.`."""
    return dict(_map_strings(out, lambda s: _CHARM_MODULE.sub("<charm>.", s)))


_META_CACHE: dict[str, JSON] = {}


def charm_meta(charm_dir: str) -> JSON:
    """The charm's metadata and config options, as both engines read them (charmcraft.yaml,
    or metadata.yaml + config.yaml); {} when the directory has none (the self-test)."""
    if charm_dir in _META_CACHE:
        return _META_CACHE[charm_dir]
    root = pathlib.Path(charm_dir) if charm_dir else None
    meta: JSON = {}
    files = [root / n for n in ("charmcraft.yaml", "metadata.yaml", "config.yaml")] if root else []
    if any(f.exists() for f in files):
        import yaml  # in .venv-conformance (ops needs it); the self-test never gets here

        for f in files:
            if f.exists():
                data = yaml.safe_load(f.read_text()) or {}
                meta.update({"config": data} if f.name == "config.yaml" else data)
    _META_CACHE[charm_dir] = meta
    return meta


def endpoints_of(meta: JSON) -> dict[str, JSON]:
    """Every relation endpoint of the metadata, with its spec and `role`."""
    found: dict[str, JSON] = {}
    for role in ("requires", "provides", "peers"):
        for name, spec in (meta.get(role) or {}).items():
            found[name] = {**(spec if isinstance(spec, dict) else {}), "role": role}
    return found


def normalise_relation_interface(out: JSON, charm_dir: str) -> None:
    """relation-interface: our output writes every relation's interface (the metadata's when
    the State gives none); ops.testing keeps what it was given (None). Both take the
    metadata's interface when they have none."""
    state = out.get("state")
    if not isinstance(state, dict):
        return
    endpoints = endpoints_of(charm_meta(charm_dir))
    for r in state.get("relations", []):
        if isinstance(r, dict) and r.get("interface") is None:
            interface = endpoints.get(str(r.get("endpoint")), {}).get("interface")
            if interface is not None:
                r["interface"] = str(interface)


# Output fields our engine writes (src/output.rs, docs/STATE_JSON.md) that the reference does
# not have, each with its "nothing happened" value.
_NEW_OUTPUT_DEFAULTS: JSON = {"added_metrics": [], "pod_spec": None, "reboot_requested": None}


def normalise_new_output_fields(out: JSON) -> None:
    """new-output-fields: an Output field only our side writes yet (see _NEW_OUTPUT_DEFAULTS)
    is left out when it holds its default; any other value is still a difference. The
    emitted events' `bases` (the event class's ancestors, for filters by type) have no
    counterpart in ops.testing's output and are left out."""
    for key, default in _NEW_OUTPUT_DEFAULTS.items():
        if key in out and out[key] == default:
            del out[key]
    for event in out.get("emitted_events") or []:
        if isinstance(event, dict):
            event.pop("bases", None)


def normalise_drawn_change_ids(out: JSON, input_state: JSON) -> None:
    """drawn-change-id: the change id of a check that (re)started in the run is drawn by each
    engine, ours from a counter ("1", "2"...), ops.testing from uuid4(); neither is
    behaviour. A non-empty change id that is not the input's for that check becomes
    `<drawn>`; an empty one (a stopped check) and the input's own id are compared as they are."""
    given = {
        (c.get("name"), ci.get("name")): ci.get("change_id")
        for c in input_state.get("containers", []) for ci in c.get("check_infos", [])
    }
    state = out.get("state")
    if not isinstance(state, dict):
        return
    for c in state.get("containers", []):
        for ci in c.get("check_infos", []):
            cid = ci.get("change_id")
            if cid and cid != given.get((c.get("name"), ci.get("name"))):
                ci["change_id"] = "<drawn>"


_SECRET_ID = re.compile(r"secret:(?://[^/\s'\"]+/)?[0-9a-z]{20}")


def normalise_drawn_secret_ids(out: JSON, input_state: JSON) -> None:
    """drawn-secret-id: a secret the charm adds gets an id each engine draws (ours derived
    from the model and a number, ops.testing's random); neither is behaviour. Every secret
    in the output whose id no input secret has becomes `secret:<drawn:label-or-content>`,
    wherever the id appears (the State, report lines, relation data, results)."""
    state = out.get("state")
    if not isinstance(state, dict):
        return
    given = {str(s.get("id", "")).rsplit(":", 1)[-1].rsplit("/", 1)[-1] for s in input_state.get("secrets", [])}
    drawn: dict[str, str] = {}
    seen: dict[str, int] = {}
    for secret in state.get("secrets", []):
        sid = str(secret.get("id", ""))
        unique = sid.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        if unique not in given:
            tag = secret.get("label") or json.dumps(secret.get("tracked_content"), sort_keys=True)
            seen[tag] = seen.get(tag, 0) + 1
            drawn[unique] = f"<drawn:{tag}>" if seen[tag] == 1 else f"<drawn:{tag}#{seen[tag]}>"
    if not drawn:
        return

    def replace(text: str) -> str:
        return _SECRET_ID.sub(
            lambda m: f"secret:{drawn[m[0][-20:]]}" if m[0][-20:] in drawn else m[0], text
        )

    out.update(_map_strings(out, replace))


# ops.testing's storage root (`<tmp>/storages/<name>-<index>`) and ours
# (`<tmp>/ops-scenario-storage-<x>/<name>-<index>`).
_STORAGE_LOCATION = re.compile(r"/[^\s'\"]*?(?:/storages|/ops-scenario-storage-\w+)/(?P<instance>[\w-]+-\d+)")


def normalise_storage_locations(out: JSON) -> JSON:
    """storage-location: a storage instance's location is a directory each engine makes in
    its own temporary root; `<root>/<name>-<index>` becomes `<storage>/<name>-<index>`."""
    return _map_strings(out, lambda text: _STORAGE_LOCATION.sub(r"<storage>/\g<instance>", text))


def normalise(result: JSON, charm_dir: str, input_state: JSON | None = None) -> JSON:
    """Every normalisation, on one side's result (a copy)."""
    result = copy.deepcopy(result)
    if "rejected" in result:
        # rejection-message: the two checkers word their messages differently; the kind of
        # rejection is compared, the text is shown but not compared.
        return {"rejected": result["rejected"]}
    out = normalise_charm_module(normalise_memory_addresses(result["output"]))
    out = normalise_storage_locations(out)
    normalise_omitted_defaults(out)
    normalise_drawn_secret_ids(out, input_state or {})
    normalise_relation_interface(out, charm_dir)
    normalise_trace_timestamps(out)
    normalise_traceback(out, charm_dir)
    normalise_drawn_change_ids(out, input_state or {})
    normalise_new_output_fields(out)
    return {"output": out}


# ---- field-by-field comparison ------------------------------------------------------------


def _generic(path: str) -> str:
    """`output.state.containers.[name=x].execs` -> `state.containers[].execs` (KEYED_LISTS)."""
    path = path.removeprefix("output.")
    return re.sub(r"\.?\[[^\]]*\]", "[]", path)


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _unordered(value: Any) -> Any:
    """A tagged set's members in a canonical order ($set/$frozenset are unordered)."""
    tag = tag_of(value)
    if tag in ("$set", "$frozenset"):
        return {tag: sorted(value[tag], key=_show)}
    return value


def diff(ours: Any, ref: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every differing leaf as (path, ours, reference). Objects by key (order irrelevant),
    keyed lists (KEYED_LISTS) by their key, other lists by position."""
    ours, ref = _unordered(ours), _unordered(ref)
    if isinstance(ours, dict) and isinstance(ref, dict):
        found = []
        for key in sorted(set(ours) | set(ref), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in ours:
                found.append((sub, "<absent>", ref[key]))
            elif key not in ref:
                found.append((sub, ours[key], "<absent>"))
            else:
                found.extend(diff(ours[key], ref[key], sub))
        return found
    if isinstance(ours, list) and isinstance(ref, list):
        keyfn = KEYED_LISTS.get(_generic(path))
        if keyfn is not None and all(isinstance(x, dict) for x in ours + ref):
            return diff(
                {f"[{keyfn(x)}]": x for x in ours}, {f"[{keyfn(x)}]": x for x in ref}, path
            )
        return _diff_sequence(ours, ref, path)
    if ours == ref and type(ours) is type(ref):
        return []
    return [(path, ours, ref)]


def _diff_sequence(ours: list[Any], ref: list[Any], path: str) -> list[tuple[str, Any, Any]]:
    """Ordered lists, aligned (difflib) so one extra log line is one difference, not a shift
    of every later line. `[i]` is ours' index; `[ref:j]` a reference-only item."""
    found: list[tuple[str, Any, Any]] = []
    matcher = difflib.SequenceMatcher(a=[_show(x) for x in ours], b=[_show(x) for x in ref], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                found.extend(diff(ours[i1 + k], ref[j1 + k], f"{path}[{i1 + k}]"))
            continue
        for i in range(i1, i2):
            found.append((f"{path}[{i}]", ours[i], "<absent>"))
        for j in range(j1, j2):
            found.append((f"{path}[ref:{j}]", "<absent>", ref[j]))
    return found


def _fix_paths(found: list[tuple[str, Any, Any]]) -> list[tuple[str, Any, Any]]:
    """Keyed-list members come out as `x.[id=3]`; print them as `x[id=3]`."""
    return [(p.replace(".[", "["), a, b) for p, a, b in found]


# ---- deliberate differences (DIFFERENCES.md), each accepting exactly its difference -------


@dataclass
class Case:
    """A case file plus both sides' normalised results."""

    path: pathlib.Path
    spec: JSON
    ours: JSON
    ref: JSON
    charm_dir: str = ""
    ours_raw: JSON = field(default_factory=dict)  # before normalisation (rejection messages)
    ref_raw: JSON = field(default_factory=dict)

    @property
    def input_state(self) -> JSON:
        return dict(self.spec.get("state", {}))

    @property
    def meta(self) -> JSON:
        return charm_meta(self.charm_dir)


Rule = Callable[[Case], None]
_INDEX = re.compile(r"^(?P<base>.*)\[(?P<n>\d+)\]$")
# An event's handle path: `<owner path>/on/<kind>[<id>]`.
_EVENT_PATH = re.compile(r"(?P<base>[\w.\-/\[\]]*?/on/\w+)\[(?P<n>\d+)\]")


def _outputs(case: Case) -> tuple[JSON, JSON] | None:
    if "output" in case.ours and "output" in case.ref:
        return case.ours["output"], case.ref["output"]
    return None


def rule_checker_warnings(case: Case) -> None:
    """checker-warnings: our Output carries the consistency checker's warnings; ops.testing
    only logs them, so the reference has no counterpart."""
    if "output" in case.ours:
        case.ours["output"].pop("warnings", None)


def _framework_seed(state: JSON) -> int:
    """Where our engine starts the framework's event counter for this input State."""
    seed = 0
    for s in state.get("stored_states", []):
        if s.get("owner_path") is None and s.get("name", "_stored") == "_stored":
            count = s.get("content", {}).get("event_count", 0)
            seed = max(seed, count if isinstance(count, int) else 0)
    for d in state.get("deferred", []):
        m = _INDEX.match(d.get("handle_path", ""))
        if m:
            seed = max(seed, int(m["n"]))
    return seed


def rule_framework_event_count(case: Case) -> None:
    """framework-event-count: we carry the framework's StoredState (event_count) in and seed
    it past the deferred events' ids; ops.testing files an input framework StoredState under
    a key ops never reads (`/StoredStateData[_stored]`, read back as owner_path "") and
    restarts the counter at 0. So on the reference side: the unread copy is dropped (only if
    it is exactly the input's), and the counter and the ids of events first deferred in this
    run are shifted by our seed."""
    both = _outputs(case)
    if both is None:
        return
    _, ref = both
    state = ref.get("state")
    if not isinstance(state, dict):
        return
    seed = _framework_seed(case.input_state)
    given = [
        s for s in case.input_state.get("stored_states", [])
        if s.get("owner_path") is None and s.get("name", "_stored") == "_stored"
    ]
    kept = []
    for s in state.get("stored_states", []):
        unread = s.get("owner_path") == "" and s.get("name") == "_stored"
        if unread and given and s.get("content") == given[0].get("content"):
            continue
        kept.append(s)
    state["stored_states"] = kept
    if seed == 0:
        return
    for s in kept:
        if s.get("owner_path") is None and s.get("name") == "_stored":
            count = s.get("content", {}).get("event_count")
            if isinstance(count, int):
                s["content"]["event_count"] = count + seed
    old = {d.get("handle_path") for d in case.input_state.get("deferred", [])}

    def shift(match: re.Match[str]) -> str:
        if match[0] in old:  # an input event keeps its id on both sides
            return match[0]
        return f"{match['base']}[{int(match['n']) + seed}]"

    for d in state.get("deferred", []):
        d["handle_path"] = _EVENT_PATH.sub(shift, d.get("handle_path", ""))
    for line in ref.get("juju_log", []):  # "Deferring <X via P[n]>.", "Skipping notice (P[n]/..."
        line["message"] = _EVENT_PATH.sub(shift, line["message"])


def rule_deferred_queue_order(case: Case) -> None:
    """deferred-queue-order: our output queue is in queue order (the order ops re-emits);
    ops.testing lists it sorted by handle path. Accepted only when both hold the same events."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    a, b = (ours.get("state") or {}).get("deferred"), (ref.get("state") or {}).get("deferred")
    if isinstance(a, list) and isinstance(b, list) and a != b:
        if sorted(a, key=_show) == sorted(b, key=_show):
            ref["state"]["deferred"] = copy.deepcopy(a)


def _is_custom_event(name: str) -> bool:
    """Not a Juju event: our engine's classification (src/event.rs)."""
    juju = {
        "install", "start", "stop", "remove", "update_status", "config_changed",
        "upgrade_charm", "leader_elected", "leader_settings_changed", "pre_series_upgrade",
        "post_series_upgrade", "collect_metrics", "secret_changed", "secret_rotate",
        "secret_expired", "secret_remove",
    }
    suffixes = (
        "_relation_created", "_relation_joined", "_relation_changed", "_relation_departed",
        "_relation_broken", "_pebble_ready", "_pebble_custom_notice", "_pebble_check_failed",
        "_pebble_check_recovered", "_storage_attached", "_storage_detaching", "_action",
    )
    return "." in name or not (name in juju or name.endswith(suffixes))


def _drop_one_line(log: list[JSON], level: str, message: str) -> None:
    for i, line in enumerate(log):
        if line.get("level") == level and line.get("message") == message:
            del log[i]
            return


def rule_custom_event_log_line(case: Case) -> None:
    """custom-event-log-line: ops logs "Emitting Juju event <name>." when dispatching; Juju
    never dispatches a custom event, and our engine emits it directly, without that line."""
    both = _outputs(case)
    name = case.spec.get("event", {}).get("name", "")
    if both is None or not _is_custom_event(name):
        return
    ours, ref = both
    line = f"Emitting Juju event {name.split('.')[-1]}."
    if not any(x.get("message") == line for x in ours.get("juju_log", [])):
        _drop_one_line(ref.get("juju_log", []), "DEBUG", line)


def rule_hook_tool_security_event(case: Case) -> None:
    """hook-tool-security-event: when a hook tool fails for lack of authorisation, ops 3.9's
    `_ModelBackend._wrap_hookcmd` logs a security event (`juju-log` at TRACE, JSON with
    `"type": "security"`, `"event": "authz_fail:<tool>"` and a description starting `Hook
    command '<tool>'`); our backend does what ops does, ops.testing's mocked backend does
    not. Accepted: exactly such lines of ours, one per tool named in them."""
    if "output" not in case.ours:
        return
    log = case.ours["output"].get("juju_log", [])
    keep = []
    for line in log:
        if line.get("level") == "TRACE":
            try:
                data = json.loads(line.get("message", ""))
            except ValueError:
                data = None
            if (
                isinstance(data, dict)
                and data.get("type") == "security"
                and str(data.get("event", "")).startswith("authz_fail:")
                and str(data.get("description", "")).startswith(
                    f"Hook command '{str(data.get('event'))[len('authz_fail:'):]}'"
                )
            ):
                continue
        keep.append(line)
    log[:] = keep


def rule_sqlite_init_log_line(case: Case) -> None:
    """sqlite-init-log-line: ops logs "Initializing SQLite local storage: :memory:." when it
    opens ops.testing's SQLite store; our unit-state store is in memory, in Rust."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    line = "Initializing SQLite local storage: :memory:."
    if not any(x.get("message") == line for x in ours.get("juju_log", [])):
        _drop_one_line(ref.get("juju_log", []), "DEBUG", line)


def rule_non_leader_app_status(case: Case) -> None:
    """non-leader-app-status: on a non-leader, `status-set --application` fails with
    ModelError on our side (as in Juju); ops.testing sets the status. Accepted only when our
    run ended in exactly that ModelError, the reference finished, and the reference's
    application status history is ours plus the input's application status."""
    both = _outputs(case)
    if both is None or case.input_state.get("leader", False):
        return
    ours, ref = both
    error = ours.get("error") or {}
    if error.get("type") != "ops.model.ModelError" or "application status" not in error.get("message", ""):
        return
    if ref.get("error") is not None:
        return
    given = case.input_state.get("app_status", {"name": "unknown", "message": ""})
    given = {"name": given.get("name"), "message": given.get("message", "")}
    if ref.get("app_status_history") != ours.get("app_status_history", []) + [given]:
        return
    ref["state"], ref["error"] = ours.get("state"), copy.deepcopy(error)
    ref["app_status_history"] = copy.deepcopy(ours.get("app_status_history", []))


# ---- relations (rules read the conformance charms' report lines: tests/charms/conf-relations)

_RELATION_HOOKS = ("created", "joined", "changed", "departed", "broken")


def _relation_ids(relations: list[JSON]) -> list[int]:
    """Each relation's id as our engine gives it (src/state/relation.rs; reference.py too)."""
    taken = {r["id"] for r in relations if r.get("id") is not None}
    ids, next_id = [], 1
    for r in relations:
        if r.get("id") is not None:
            ids.append(int(r["id"]))
            continue
        while next_id in taken:
            next_id += 1
        taken.add(next_id)
        ids.append(next_id)
    return ids


@dataclass
class RelationEvent:
    """A case's relation event, resolved against its input State as our engine does."""

    hook: str
    relation: JSON
    app: str  # the remote units' application (this application for a peer relation)
    remote_ids: list[int]
    remote_unit: int | None  # JUJU_REMOTE_UNIT: given, or the first remote unit

    def unit(self, n: int) -> str:
        return f"{self.app}/{n}"


def relation_event(case: Case) -> RelationEvent | None:
    event = case.spec.get("event", {})
    name = str(event.get("name", ""))
    if "." in name or "_relation_" not in name:
        return None
    prefix, hook = name.rsplit("_relation_", 1)
    if hook not in _RELATION_HOOKS:
        return None
    relations = case.input_state.get("relations", [])
    ids = _relation_ids(relations)
    if "relation_id" in event:
        found = [r for r, i in zip(relations, ids) if i == event["relation_id"]]
    else:
        found = [r for r in relations if str(r.get("endpoint", "")).replace("-", "_") == prefix]
    if len(found) != 1:
        return None
    r = found[0]
    kind = r.get("type", "regular")
    if kind == "peer":
        app = case.spec.get("context", {}).get("app_name") or str(case.meta.get("name", ""))
        remote = sorted(int(k) for k in r.get("peers_data", {}))
    elif kind == "subordinate":
        app, remote = r.get("remote_app_name", "remote"), [int(r.get("remote_unit_id", 0))]
    else:
        app = r.get("remote_app_name", "remote")
        remote = sorted(int(k) for k in r.get("remote_units_data", {"0": {}}))
    unit = event.get("remote_unit")
    if unit is None and hook in ("joined", "changed", "departed") and remote:
        unit = remote[0]
    return RelationEvent(hook, r, app, remote, unit)


def _log_line(out: JSON, prefix: str) -> JSON | None:
    return next((x for x in out.get("juju_log", []) if x.get("message", "").startswith(prefix)), None)


def _units_line(out: JSON) -> tuple[JSON, list[str]] | None:
    line = _log_line(out, "units=[")
    if line is None:
        return None
    try:
        units = ast.literal_eval(line["message"][len("units="):])
    except (ValueError, SyntaxError):
        return None
    return (line, units) if isinstance(units, list) else None


def _left_out_of_relation_list(case: Case, left_out: list[str]) -> None:
    """ours' `units=` line is the reference's without exactly `left_out`: take ours', and drop
    the reference's `<unit> data=` lines for those units (ours cannot have them)."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    a, b = _units_line(ours), _units_line(ref)
    if a is None or b is None or not left_out:
        return
    if any(u in a[1] for u in left_out) or sorted(a[1] + left_out) != b[1]:
        return
    b[0]["message"] = a[0]["message"]
    for unit in left_out:
        if _log_line(ours, f"{unit} data=") is None:
            line = _log_line(ref, f"{unit} data=")
            if line is not None:
                ref["juju_log"].remove(line)


def rule_departed_relation_list(case: Case) -> None:
    """departed-relation-list: in relation-departed, `relation-list` leaves out the remote unit
    the hook is for (JUJU_REMOTE_UNIT, the departing unit), as in Juju; ops.testing lists it.
    So `relation.units` lacks exactly that unit (the charm's `units=` line, and its `<unit>
    data=` line), and for a peer relation ops does not keep the unit's databag in
    `relation.data` (ops only keeps a departing *remote application's* unit): the charm's
    `event unit data` read fails with KeyError on our side."""
    ev = relation_event(case)
    if ev is None or ev.hook != "departed" or ev.remote_unit is None:
        return
    gone = ev.unit(ev.remote_unit)
    _left_out_of_relation_list(case, [gone])
    both = _outputs(case)
    if both is None or ev.relation.get("type") != "peer":
        return
    ours, ref = both
    a, b = _log_line(ours, "event unit data"), _log_line(ref, "event unit data=")
    if a is not None and b is not None and a["message"] == f"event unit data failed: KeyError: <ops.model.Unit {gone}>":
        b.update(copy.deepcopy(a))


def rule_broken_relation_list(case: Case) -> None:
    """broken-relation-list: in relation-broken every remote unit has gone, so `relation-list`
    is empty, as in Juju; ops.testing lists the State's remote units."""
    ev = relation_event(case)
    if ev is None or ev.hook != "broken":
        return
    _left_out_of_relation_list(case, sorted(ev.unit(n) for n in ev.remote_ids))


def rule_departing_unit_zero(case: Case) -> None:
    """departing-unit-zero: an explicit `departing_unit: 0` is honoured on our side;
    ops.testing treats 0 as unset and falls back to the remote unit. Only the charm's
    `departing=` line (event.departing_unit) may differ, by exactly that."""
    ev = relation_event(case)
    both = _outputs(case)
    if ev is None or both is None or ev.hook != "departed":
        return
    if case.spec.get("event", {}).get("departing_unit") != 0 or ev.remote_unit in (None, 0):
        return
    ours, ref = both
    a, b = _log_line(ours, "departing="), _log_line(ref, "departing=")
    if a and b and a["message"] == f"departing={ev.unit(0)}" and b["message"] == f"departing={ev.unit(ev.remote_unit)}":
        b["message"] = a["message"]


def _is_binding(meta: JSON, binding: str) -> bool:
    """Juju's bindings: every relation endpoint (a container-scoped one too), every
    extra-binding, and juju-info (src/hook_tools/network.rs)."""
    return binding == "juju-info" or binding in (meta.get("extra-bindings") or {}) or binding in endpoints_of(meta)


def _container_scoped(meta: JSON, binding: str) -> bool:
    spec = endpoints_of(meta).get(binding)
    return spec is not None and spec.get("scope") == "container"


_NETWORK_REFUSAL = re.compile(
    r"^cannot get network binding for (?P<b>.+): is not a valid relation endpoint name nor an extra-binding\.$"
)
_BINDING_LINE = re.compile(r"^binding (?P<b>\S+)(?P<rest>=.*| failed: \w+)$")


def _drop_refusal_lines(case: Case, ours: JSON, ref: JSON, which: Callable[[str], bool]) -> None:
    """Drop the reference's `cannot get network binding for <b>` ERROR lines (ops.testing's
    mock logs one per refused call; Juju's network-get writes its stderr, not juju-log) for
    the bindings `which` selects."""
    kept = []
    for line in ref.get("juju_log", []):
        m = _NETWORK_REFUSAL.match(line.get("message", ""))
        if m and line.get("level") == "ERROR" and which(m["b"]) and line not in ours.get("juju_log", []):
            continue
        kept.append(line)
    ref["juju_log"] = kept


def rule_network_get_container_scoped(case: Case) -> None:
    """network-get-container-scoped: Juju binds every endpoint of the metadata, a
    container-scoped one too, so network-get for one answers (the default network, or the
    State's); ops.testing refuses it (RelationNotFoundError, with an ERROR log line) and
    rejects a State with a network for one. Accepted: the reference's ERROR lines for such a
    binding, its `binding <b> failed: RelationNotFoundError` (WARNING) where ours is
    `binding <b>=<address>` (INFO), its `network-get failed: RelationNotFoundError` where ours
    is `address=<address>` in an event of a container-scoped relation, and its rejection of a
    State whose only unknown networks are for container-scoped endpoints when ours ran."""
    meta = case.meta
    if case.ref.get("rejected") == "inconsistent" and "output" in case.ours:
        m = re.search(r"Some network bindings defined in State are not in the metadata: \{(.*)\}", str(case.ref_raw.get("message", "")))
        named = re.findall(r"'([^']*)'", m[1]) if m else []
        if named and all(_container_scoped(meta, b) for b in named):
            case.ref = copy.deepcopy(case.ours)
        return
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    _drop_refusal_lines(case, ours, ref, lambda b: _container_scoped(meta, b))
    ev = relation_event(case)
    relation_scoped = ev is not None and _container_scoped(meta, str(ev.relation.get("endpoint", "")))
    for y in ref.get("juju_log", []):
        b = str(y.get("message", ""))
        mb = _BINDING_LINE.match(b)
        if y.get("level") != "WARNING":
            continue
        if mb and mb["rest"] == " failed: RelationNotFoundError" and _container_scoped(meta, mb["b"]):
            ours_line = _matching_line(ours, lambda a: (m := _BINDING_LINE.match(a)) is not None
                                       and m["b"] == mb["b"] and m["rest"].startswith("="))
        elif relation_scoped and b == "network-get failed: RelationNotFoundError":
            ours_line = _matching_line(ours, lambda a: a.startswith("address="))
        else:
            continue
        if ours_line is not None and ours_line.get("level") == "INFO":
            y.update(ours_line)


def _matching_line(out: JSON, fits: Callable[[str], bool]) -> JSON | None:
    """The one juju-log line of `out` whose message `fits`, if exactly one does."""
    found = [x for x in out.get("juju_log", []) if fits(str(x.get("message", "")))]
    return found[0] if len(found) == 1 else None


def rule_network_get_refusal(case: Case) -> None:
    """network-get-refusal: for a name that is no binding, Juju's network-get fails with "no
    network config found for binding ..." (ops: ModelError, the text being no "relation not
    found"); ops.testing raises RelationNotFoundError with no message and logs an ERROR line
    per call. Accepted: those reference-only ERROR lines, the charm's `binding <b> failed:
    ModelError` against the reference's `... RelationNotFoundError` for such a name, and an
    uncaught ModelError with Juju's text against a RelationNotFoundError with none."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    meta = case.meta
    _drop_refusal_lines(case, ours, ref, lambda b: not _is_binding(meta, b))
    for y in ref.get("juju_log", []):
        mb = _BINDING_LINE.match(str(y.get("message", "")))
        if not (mb and mb["rest"] == " failed: RelationNotFoundError" and not _is_binding(meta, mb["b"])):
            continue
        x = _matching_line(ours, lambda a: a == f"binding {mb['b']} failed: ModelError")
        if x is not None and x.get("level") == y.get("level"):
            y.update(x)
    a, b = ours.get("error") or {}, ref.get("error") or {}
    if (a.get("type") == "ops.model.ModelError" and b.get("type") == "ops.model.RelationNotFoundError"
            and b.get("message") == "" and str(a.get("message", "")).startswith("ERROR no network config found for binding ")):
        tb_a, tb_b = a.get("traceback"), b.get("traceback")
        if isinstance(tb_a, list) and isinstance(tb_b, list) and tb_a[:-1] == tb_b[:-1]:
            ref["error"] = copy.deepcopy(a)


def rule_extra_binding_log_line(case: Case) -> None:
    """extra-binding-log-line: ops.testing's network-get logs "extra-bindings is a deprecated
    feature" (WARNING) for an extra-binding; Juju (and our hook tool) log nothing."""
    both = _outputs(case)
    if both is None or not case.meta.get("extra-bindings"):
        return
    ours, ref = both
    line = {"level": "WARNING", "message": "extra-bindings is a deprecated feature"}
    if line not in ours.get("juju_log", []):
        ref["juju_log"] = [x for x in ref.get("juju_log", []) if x != line]


# Our checker's relation rules that ops.testing's lacks, each with the case shape it fires on.
def _rejected_by(case: Case) -> list[str]:
    """The rule ids our rejection message lists ("  - <rule>: ...")."""
    return re.findall(r"^\s+- ([\w.]+):", str(case.ours_raw.get("message", "")), re.M)


def rule_relation_checker_rules(case: Case) -> None:
    """relation-checker-rules: our consistency checker has relation rules ops.testing lacks,
    so such a case is rejected on our side only: `relation.remote_unit` (a remote unit given to created/broken,
    where Juju names none), `relation.departing_unit` (a departing unit given to a hook other
    than relation-departed), `event.args` (relation fields on a non-relation event).
    Accepted only when each rule ours lists is one of these and the case has its shape."""
    if case.ours.get("rejected") != "inconsistent" or "output" not in case.ref:
        return
    event = case.spec.get("event", {})
    ev = relation_event(case)

    def fits(rule: str) -> bool:
        if rule == "relation.remote_unit":
            return ev is not None and ev.hook in ("created", "broken") and "remote_unit" in event
        if rule == "relation.departing_unit":
            return ev is not None and ev.hook != "departed" and "departing_unit" in event
        if rule == "event.args":
            name = str(event.get("name", ""))
            return "_relation_" not in name and any(
                k in event for k in ("relation_id", "remote_unit", "departing_unit")
            )
        return False

    rules = _rejected_by(case)
    if rules and all(fits(r) for r in rules):
        case.ref = copy.deepcopy(case.ours)


#: Our checker's name rules, by the kind ops.testing's StateValidationError names.
_NAME_RULES = {
    "relation endpoint": "relation.endpoint_name",
    "storage": "storage.name",
    "action": "action.name",
    "container": "container.name",
}


def rule_name_rules_in_checker(case: Case) -> None:
    """name-rules-in-checker: Juju's name rules for endpoints, storage, actions and containers
    are checker rules on our side (the metadata is checked, every run of the charm refused as
    inconsistent); ops.testing applies the same rules as its State objects are built
    (`StateValidationError`). Accepted only when the reference's error names a kind whose rule
    our rejection lists, and every rule ours lists is a name rule."""
    if case.ours.get("rejected") != "inconsistent" or case.ref.get("rejected") != "StateValidationError":
        return
    match = re.match(r"invalid (relation endpoint|storage|action|container) name ", str(case.ref_raw.get("message", "")))
    rules = _rejected_by(case)
    if match and _NAME_RULES[match.group(1)] in rules and set(rules) <= set(_NAME_RULES.values()):
        case.ref = copy.deepcopy(case.ours)


def _config_options(meta: JSON) -> JSON:
    config = meta.get("config") or {}
    return dict(config.get("options") or {})


def rule_int_for_float_config(case: Case) -> None:
    """int-for-float-config: an int given for a float option is accepted on our side (Juju
    stores it as a float, and config-get gives the JSON number); ops.testing rejects it as
    inconsistent. Accepted only when every config error the reference names is such an
    option, the case gives an int (not a bool) for each, and our run finished."""
    if case.ref.get("rejected") != "inconsistent" or "output" not in case.ours:
        return
    if case.ours["output"].get("error") is not None:
        return
    message = str(case.ref_raw.get("message", ""))
    named = re.findall(r"option '([^']+)' should be of type <class '(\w+)'> but is of type <class '(\w+)'>", message)
    if not named or message.count("config invalid") != len(named):
        return
    options, given = _config_options(case.meta), case.input_state.get("config", {})
    for option, want, got in named:
        value = given.get(option)
        if (want, got) != ("float", "int") or options.get(option, {}).get("type") != "float":
            return
        if not isinstance(value, int) or isinstance(value, bool):
            return
    case.ref = copy.deepcopy(case.ours)


def rule_sys_exit_zero(case: Case) -> None:
    """sys-exit-zero: `sys.exit(0)` in a handler ends the hook successfully on our side (Juju
    sees exit code 0), without an ops commit; ops.testing lets SystemExit escape. Accepted
    only when the reference's error is SystemExit with code 0, ours finished, and our stored
    states and deferred queue are the input's (nothing committed)."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    error = ref.get("error") or {}
    if error.get("type") != "SystemExit" or error.get("message") != "0" or ours.get("error") is not None:
        return
    state = ours.get("state")
    if not isinstance(state, dict) or ref.get("state") is not None:
        return
    given = case.input_state
    for key in ("stored_states", "deferred"):
        if diff(state.get(key, []), given.get(key, []), f"state.{key}"):
            return
    ref["state"], ref["error"] = copy.deepcopy(state), None


# ---- Pebble (rules read the conformance charm's report lines: tests/charms/conf-pebble) ----
# The charm logs "<what>=<json>" for a result and "<what> failed: <Type>" for an exception,
# where <what> starts with the Pebble call's name where a rule needs to know it.


def _containers_in(state: JSON) -> list[JSON]:
    return [c for c in state.get("containers", []) if isinstance(c, dict)]


def _what_of(message: str) -> str | None:
    """The `<what>` of a report line: before ` failed: `, or before the first `=`."""
    if " failed: " in message:
        return message.split(" failed: ", 1)[0]
    if "=" in message:
        return message.split("=", 1)[0]
    return None


def _swap_lines(ref: JSON, ours: JSON, accept: Callable[[JSON, JSON], bool]) -> None:
    """Where the two logs hold, at the same place, a pair of report lines for the same
    `<what>` that `accept(ours_line, ref_line)` takes, the reference gets ours."""
    a, b = ours.get("juju_log", []), ref.get("juju_log", [])
    matcher = difflib.SequenceMatcher(a=[_show(x) for x in a], b=[_show(x) for x in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                x, y = a[i1 + k], b[j1 + k]
                what = _what_of(x.get("message", ""))
                if what is not None and what == _what_of(y.get("message", "")) and accept(x, y):
                    b[j1 + k] = copy.deepcopy(x)


def rule_pebble_unreachable(case: Case) -> None:
    """pebble-unreachable: a Pebble that cannot be reached raises pebble.ConnectionError from
    every call on our side; ops.testing answers get_plan, get_checks, get_notices,
    get_notice, exec and notify anyway. Accepted only for a case with a container that cannot
    connect: a report line "<what> failed: ConnectionError" where the reference's line for
    the same <what> is a result or another failure (with the ExecError's `exit=` line)."""
    both = _outputs(case)
    if both is None or all(c.get("can_connect", False) for c in _containers_in(case.input_state)):
        return
    ours, ref = both
    log = ref.get("juju_log", [])
    for i, line in enumerate(list(log)):  # an ExecError's extra line goes with its failure
        m = line.get("message", "")
        if m.endswith(" failed: ExecError") and i + 1 < len(log):
            nxt = log[i + 1].get("message", "")
            what = m[: -len(" failed: ExecError")]
            if nxt.startswith(f"{what} exit=") and {"level": "WARNING", "message": f"{what} failed: ConnectionError"} in ours.get("juju_log", []):
                log[i + 1] = None  # type: ignore[call-overload]
    ref["juju_log"] = [x for x in log if x is not None]
    _swap_lines(ref, ours, lambda x, y: x.get("message", "").endswith(" failed: ConnectionError"))


_NO_PEBBLE = re.compile(r"^Cannot connect to Pebble")


def rule_connection_error_message(case: Case) -> None:
    """connection-error-message: the text of the ConnectionError for a container that cannot
    connect is each engine's hint (ours names `can_connect(true)` / `Container::new`, ops.testing
    `can_connect=True`). Accepted: ops' "Pebble API is not ready; ConnectionError: <text>"
    line and an uncaught ConnectionError's message, when both texts start with "Cannot
    connect to Pebble" and name the same container."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    names = [str(c.get("name")) for c in _containers_in(case.input_state)] + list(case.meta.get("containers") or {})
    prefix = "Pebble API is not ready; ConnectionError: "

    def same(a: str, b: str) -> bool:
        if not (_NO_PEBBLE.match(a) and _NO_PEBBLE.match(b)):
            return False
        return any(re.search(rf'\b{re.escape(n)}\b', a) and re.search(rf'\b{re.escape(n)}\b', b) for n in names)

    a_log, b_log = ours.get("juju_log", []), ref.get("juju_log", [])
    for x, y in zip(a_log, b_log):
        ma, mb = x.get("message", ""), y.get("message", "")
        if x.get("level") == y.get("level") and ma.startswith(prefix) and mb.startswith(prefix) and same(ma[len(prefix):], mb[len(prefix):]):
            y["message"] = ma
    ea, eb = ours.get("error") or {}, ref.get("error") or {}
    if ea.get("type") == eb.get("type") == "ops.pebble.ConnectionError" and same(str(ea.get("message")), str(eb.get("message"))):
        eb["message"] = ea["message"]
        ta, tb = ea.get("traceback"), eb.get("traceback")
        if isinstance(ta, list) and isinstance(tb, list) and ta[:-1] == tb[:-1]:
            eb["traceback"] = list(ta)


def rule_pebble_api_errors(case: Case) -> None:
    """pebble-api-errors: adding a layer under an existing label without combine, or a
    combined layer without `override`, is Pebble's APIError 400 on our side; ops.testing raises
    RuntimeError. Accepted: an `add_layer ...` report line failing with APIError (ours) vs
    RuntimeError (reference)."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    _swap_lines(
        ref,
        ours,
        lambda x, y: x["message"].startswith("add_layer")
        and x["message"].endswith(" failed: APIError")
        and y.get("message", "").endswith(" failed: RuntimeError"),
    )


def _missing_override(layer: JSON) -> bool:
    return any(
        isinstance(item, dict) and not item.get("override")
        for section in ("services", "checks", "log-targets")
        for item in (layer.get(section) or {}).values()
    )


def rule_layer_override_required(case: Case) -> None:
    """layer-override-required: every item of a layer added must give `override` (Pebble's
    400 on our side); ops.testing checks only when combining and adds the layer. Accepted: an
    `add_layer ...` line failing with APIError (ours) where the reference's succeeded, and
    the reference's output layers holding, in addition to ours, only layers that lack an
    override."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    refused = [
        x for x in ours.get("juju_log", [])
        if x.get("message", "").startswith("add_layer") and x["message"].endswith(" failed: APIError")
    ]
    if not refused:
        return
    _swap_lines(
        ref,
        ours,
        lambda x, y: x in refused and y.get("message", "") == f"{_what_of(x['message'])}=null",
    )
    ours_c = {c.get("name"): c for c in _containers_in(ours.get("state") or {})}
    for c in _containers_in(ref.get("state") or {}):
        mine = ours_c.get(c.get("name"), {}).get("layers", {})
        layers = c.get("layers", {})
        for label in list(layers):
            if label not in mine and _missing_override(layers[label]):
                del layers[label]


def rule_autostart_no_default_services(case: Case) -> None:
    """autostart-no-default-services: `autostart` with no `startup: enabled` service in the
    plan is Pebble's 400 "no default services" on our side; ops.testing does nothing.
    Accepted: the `autostart` line failing with APIError (ours) vs `autostart=null`, when
    no layer in our output enables a service."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    for c in _containers_in(ours.get("state") or {}):
        for layer in c.get("layers", {}).values():
            if any(s.get("startup") == "enabled" for s in (layer.get("services") or {}).values()):
                return
    _swap_lines(
        ref,
        ours,
        lambda x, y: x["message"] == "autostart failed: APIError" and y.get("message") == "autostart=null",
    )


def rule_exec_combine_stderr(case: Case) -> None:
    """exec-combine-stderr: with combine_stderr=True, `wait_output()` gives stderr inside
    stdout and None for stderr on our side, as Pebble does; ops.testing ignores the flag.
    Accepted: the `combined=` line being [stdout+stderr, null] (ours) vs [stdout, stderr],
    when the exec history records combine_stderr."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    if not any(a.get("combine_stderr") for v in ours.get("exec_history", {}).values() for a in v):
        return

    def fits(x: JSON, y: JSON) -> bool:
        if _what_of(x["message"]) != "combined":
            return False
        try:
            a, b = json.loads(x["message"].split("=", 1)[1]), json.loads(y["message"].split("=", 1)[1])
        except (ValueError, IndexError):
            return False
        return isinstance(b, list) and len(b) == 2 and a == [b[0] + b[1], None]

    _swap_lines(ref, ours, fits)


_UNMOCKED = re.compile(r"^(?P<what>.+) exit=127 stdout='' stderr=(?P<q>['\"])mock for cmd (?P<cmd>\[.*?\]) not found\. ")


def rule_unmocked_exec_hint(case: Case) -> None:
    """unmocked-exec-hint: an exec with no matching mock raises ExecError with code 127 on
    both sides; the stderr hint names the mock to add in each engine's own API (ours
    `Exec::new([...])` and the case-file form). Accepted: the charm's `<what> exit=127
    stdout='' stderr=...` line when both hints start "mock for cmd <the same command> not found."."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both

    def fits(x: JSON, y: JSON) -> bool:
        a, b = _UNMOCKED.match(x["message"]), _UNMOCKED.match(y.get("message", ""))
        if not (a and b and a["what"] == b["what"]):
            return False
        return a["cmd"].replace("\\'", "'") == b["cmd"]

    a_log, b_log = ours.get("juju_log", []), ref.get("juju_log", [])
    if len(a_log) == len(b_log):
        for i, (x, y) in enumerate(zip(a_log, b_log)):
            if x != y and fits(x, y):
                b_log[i] = copy.deepcopy(x)


def rule_mount_point_directory(case: Case) -> None:
    """mount-point-directory: a mount's location is a directory on our side (`isdir` true),
    as in the workload's filesystem; ops.testing makes it a symlink (`isdir` false).
    Accepted: a `isdir <...>=true` (ours) vs `=false` line, for a case with mounts."""
    both = _outputs(case)
    if both is None or not any(c.get("mounts") for c in _containers_in(case.input_state)):
        return
    ours, ref = both
    _swap_lines(
        ref,
        ours,
        lambda x, y: x["message"].startswith("isdir mount point")
        and x["message"].endswith("=true") and y.get("message", "").endswith("=false"),
    )


def rule_notice_type_filter(case: Case) -> None:
    """notice-type-filter: `get_notices(types=[...])` filters by type on our side; ops.testing
    compares the types with the wrong kind and returns nothing. Accepted: the charm's
    `custom=` / `custom str=` lines being the ids of the workload's public custom notices in
    the input (ours; a notice with a user_id is hidden by default on both sides) vs []."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    custom = sorted(
        str(n.get("id")) for c in _containers_in(case.input_state) if c.get("name") == "workload"
        for n in c.get("notices", [])
        if n.get("type", "custom") == "custom" and n.get("user_id") is None  # others' are hidden
    )
    _swap_lines(
        ref,
        ours,
        lambda x, y: _what_of(x["message"]) in ("custom", "custom str")
        and x["message"].endswith("=" + json.dumps(custom)) and y.get("message", "").endswith("=[]"),
    )


def rule_plan_check_infos(case: Case) -> None:
    """plan-check-infos: a check the plan adds without a check info in the input gets one on
    both sides; ours reports `successes` 0, as Pebble does, ops.testing None. Accepted: that
    field, for a check info that is not in the input State."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    given = {(c.get("name"), ci.get("name")) for c in _containers_in(case.input_state) for ci in c.get("check_infos", [])}
    mine = {
        (c.get("name"), ci.get("name")): ci
        for c in _containers_in(ours.get("state") or {}) for ci in c.get("check_infos", [])
    }
    for c in _containers_in(ref.get("state") or {}):
        for ci in c.get("check_infos", []):
            key = (c.get("name"), ci.get("name"))
            if key not in given and ci.get("successes") is None and mine.get(key, {}).get("successes") == 0:
                ci["successes"] = 0


def _plan_startup(layers: JSON, check: str) -> str:
    startup = ""
    for layer in layers.values():
        item = (layer.get("checks") or {}).get(check)
        if isinstance(item, dict):
            if item.get("override") == "replace":
                startup = item.get("startup", "")
            elif item.get("startup"):
                startup = item["startup"]
    return startup


def rule_check_infos_follow_plan(case: Case) -> None:
    """check-infos-follow-plan: a check info's `startup` follows the plan on our side (as
    Pebble reports it: "" when the plan's check gives none); ops.testing keeps the input's
    until a layer is added. Accepted: startup being the plan's (ours) vs the input's
    (default "enabled"), for a check info given in the input."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    given = {
        (c.get("name"), ci.get("name")): ci.get("startup", "enabled")
        for c in _containers_in(case.input_state) for ci in c.get("check_infos", [])
    }
    mine = {c.get("name"): c for c in _containers_in(ours.get("state") or {})}
    for c in _containers_in(ref.get("state") or {}):
        ours_c = mine.get(c.get("name"), {})
        infos = {ci.get("name"): ci for ci in ours_c.get("check_infos", [])}
        for ci in c.get("check_infos", []):
            key = (c.get("name"), ci.get("name"))
            a = infos.get(ci.get("name"), {})
            if key in given and ci.get("startup") == given[key] and a.get("startup") == _plan_startup(ours_c.get("layers", {}), str(ci.get("name"))) != ci.get("startup"):
                ci["startup"] = a["startup"]


def rule_container_not_in_state(case: Case) -> None:
    """container-not-in-state: a container the metadata declares but the State leaves out
    cannot connect on our side (Juju always has the container; its Pebble may not be up);
    ops.testing raises RuntimeError ("container with name=... not found") when the charm
    uses it. Accepted only when the reference's error is exactly that, for a container in the
    metadata and not in the input State, and our run finished without an error."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    error = ref.get("error") or {}
    m = re.match(r"^container with name='([^']+)' not found\.", str(error.get("message", "")))
    if error.get("type") != "RuntimeError" or m is None or ours.get("error") is not None:
        return
    name = m[1]
    if name not in (case.meta.get("containers") or {}) or name in {c.get("name") for c in _containers_in(case.input_state)}:
        return
    case.ref = copy.deepcopy(case.ours)



# ---- secrets, actions, storage, resources, cloud -------------------------------------------
# The secret rules read the report lines of tests/charms/conf-secrets: "<step>: <result>" or
# "<step>: <ExceptionType>".


def _step_lines(ours: JSON, ref: JSON, accept: Callable[[str, str], bool]) -> None:
    """Where both logs hold a report line of the same step at the same place and
    `accept(ours_result, ref_result)` takes the pair, the reference gets ours."""
    for x, y in zip(ours.get("juju_log", []), ref.get("juju_log", [])):
        a, b = str(x.get("message", "")), str(y.get("message", ""))
        if ": " not in a or ": " not in b or x.get("level") != y.get("level"):
            continue
        (step_a, result_a), (step_b, result_b) = a.split(": ", 1), b.split(": ", 1)
        if step_a == step_b and result_a != result_b and accept(result_a, result_b):
            y["message"] = a


def _input_secret(case: Case, secret_id: str) -> JSON | None:
    unique = secret_id.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    for secret in case.input_state.get("secrets", []):
        if str(secret.get("id", "")).rsplit(":", 1)[-1].rsplit("/", 1)[-1] == unique:
            return secret
    return None


def _manages(case: Case, secret: JSON) -> bool:
    owner = secret.get("owner")
    return owner == "unit" or (owner == "app" and bool(case.input_state.get("leader", False)))


def _latest(secret: JSON) -> tuple[int, JSON]:
    """An input secret's latest revision and content, with docs/STATE_JSON.md's defaults."""
    tracked = secret.get("tracked_content", {})
    latest = secret.get("latest_content") or tracked
    base = secret.get("tracked_revision", 1)
    return secret.get("latest_revision", base + (1 if latest != tracked else 0)), latest


_REFUSED = re.compile(
    r'^secret-(?:set|remove|revoke) (?P<id>\S+): ERROR (?:(?P<denied>permission denied)|"[^"]+" is not leader of "[^"]+")$'
)


def rule_secret_refused_at_commit(case: Case) -> None:
    """secret-refused-at-commit: `secret-set`, `secret-remove` and `secret-revoke` on a secret
    this unit cannot manage (observed, or the application's on a non-leader) are taken during
    the hook on our side and refused when Juju commits it (the hook fails: `CommitRefused`);
    ops.testing raises at once (SecretNotFoundError or ModelError). Accepted only when every
    refusal is "permission denied" for an observed input secret or the leadership check's
    `"<unit>" is not leader of "<app>"` for an application secret, the reference left those
    secrets as the input had them, and the charm's report line for the step is `None` on ours
    where the reference's is SecretNotFoundError or ModelError."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    error = ours.get("error") or {}
    if error.get("type") != "CommitRefused" or ref.get("error") is not None:
        return
    refusals = [_REFUSED.match(r) for r in str(error.get("message", "")).splitlines()]
    if not refusals or not all(refusals):
        return
    ref_secrets = {str(x.get("id")): x for x in (ref.get("state") or {}).get("secrets", [])}
    for m in refusals:
        secret = _input_secret(case, m["id"])  # type: ignore[index]
        if secret is None or _manages(case, secret):
            return
        if (secret.get("owner") == "app") == bool(m["denied"]):  # type: ignore[index]
            return
        after = ref_secrets.get(str(secret.get("id")))
        if after is None or (after.get("latest_revision"), after.get("latest_content")) != _latest(secret):
            return
    _step_lines(ours, ref, lambda a, b: a == "None" and b in ("SecretNotFoundError", "ModelError"))
    ref["error"], ref["state"] = copy.deepcopy(error), None


_SECRET_EVENT_RULES = {
    "secret.owned", "secret.not_owned", "secret.remove_latest", "secret.revision_missing",
    "secret.revision_unexpected", "secret.revision_unknown",
}


def rule_secret_checker_rules(case: Case) -> None:
    """secret-checker-rules: our checker refuses secret events Juju never sends, which
    ops.testing runs: `secret.owned` (secret-changed for a secret this unit manages: its own,
    or as the leader its application's),
    `secret.not_owned` (rotate, expired or remove for one it only observes),
    `secret.remove_latest` (secret-remove for the latest revision) and the revision rules.
    Accepted only when each rule ours lists is one of these, the case has its shape, and the
    reference did not reject the case."""
    if case.ours.get("rejected") != "inconsistent" or "output" not in case.ref:
        return
    event = case.spec.get("event", {})
    name = str(event.get("name", ""))
    secret = _input_secret(case, str(event.get("secret_id", "")))
    if secret is None:
        return

    def fits(rule: str) -> bool:
        if rule == "secret.owned":
            return name == "secret_changed" and _manages(case, secret)
        if rule == "secret.not_owned":
            return name in ("secret_rotate", "secret_expired", "secret_remove") and secret.get("owner") is None
        if rule == "secret.remove_latest":
            return name == "secret_remove" and int(event.get("revision", 0)) >= _latest(secret)[0]
        return rule in _SECRET_EVENT_RULES

    rules = _rejected_by(case)
    if rules and all(fits(r) for r in rules):
        case.ref = copy.deepcopy(case.ours)


def rule_secret_revisions(case: Case) -> None:
    """secret-revisions: Juju (3.6 and later) makes at most one revision of a secret per hook,
    only when the content changes; ops.testing adds a revision for every secret-set, content
    or not. Accepted only when our latest revision is the input's plus one if our latest
    content differs from the input's (else the input's), and the reference's is higher; and
    report lines that differ only in that secret's `revision=`."""
    both = _outputs(case)
    if both is None or str(case.spec.get("context", {}).get("juju_version", "3.6.14")) < "3.6":
        return
    ours, ref = both
    mine = {str(x.get("id")): x for x in (ours.get("state") or {}).get("secrets", [])}
    for theirs in (ref.get("state") or {}).get("secrets", []):
        sid = str(theirs.get("id"))
        given, a = _input_secret(case, sid), mine.get(sid)
        if given is None or a is None:
            continue
        revision, content = _latest(given)
        expected = revision + (1 if a.get("latest_content") != content else 0)
        ra, rb = a.get("latest_revision"), theirs.get("latest_revision")
        if ra == expected and isinstance(rb, int) and rb > ra:
            theirs["latest_revision"] = ra
            _step_lines(ours, ref, lambda x, y: x == y.replace(f"revision={rb} ", f"revision={ra} "))


_LABEL_TAKEN = re.compile(r'^secret-add \S+: ERROR secret with label "(?P<label>[^"]*)" already exists$')


def rule_secret_label_taken(case: Case) -> None:
    """secret-label-taken: adding a secret with a label another secret this unit owns has.
    Added in the same hook: refused at once on our side (Juju's unit agent: "secret with label
    ... already exists", a ModelError); owned before the hook: taken, and refused when Juju
    commits the hook (`CommitRefused`). ops.testing adds a second secret with that label either
    way. Accepted: the step's `ModelError` line against the reference's result and the
    reference's later secrets with that label; or our `CommitRefused` with exactly one such
    refusal, for a label an input secret this unit manages has, when the reference finished,
    with our step line reading back the new secret's content."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    error = ours.get("error") or {}
    refusals = str(error.get("message", "")).splitlines()
    if error.get("type") == "CommitRefused" and len(refusals) == 1 and ref.get("error") is None:
        m = _LABEL_TAKEN.match(refusals[0])
        if m and any(x.get("label") == m["label"] and _manages(case, x) for x in case.input_state.get("secrets", [])):
            ref["error"], ref["state"] = copy.deepcopy(error), None
            # Reading back by the label: Juju's agent looks among the hook's new secrets first;
            # ops.testing finds either secret with the label (the order of its set).
            _step_lines(ours, ref, lambda a, b: a == "{'token': 'added'}")
        return
    label = str(case.input_state.get("config", {}).get("label", ""))
    if not label:
        return
    labelled = [x for x in (ours.get("state") or {}).get("secrets", []) if x.get("label") == label]
    if len(labelled) != 1:
        return
    _step_lines(ours, ref, lambda a, b: a == "ModelError" and b != "ModelError")
    state = ref.get("state") or {}
    state["secrets"] = [x for x in state.get("secrets", []) if not str(x.get("id", "")).startswith(f"secret:<drawn:{label}#")]


_GRANT_STEPS = ("grant-app", "grant-unit", "grant-last-unit", "revoke-app", "revoke-unit")


def _grants_after(case: Case, start: list[str], juju: bool) -> tuple[set[str], set[int]] | None:
    """The grants on the `db` relation after the conf-secrets charm's grant steps, and the
    indices of the steps refused: as Juju keeps them (`juju`: one pending grant per relation,
    checked against the grants with the hook's merged in) or as ops.testing does (every grant
    added). None unless every step is a grant step and the relation has remote units."""
    steps = [x.strip() for x in str(case.input_state.get("config", {}).get("steps", "")).split(",") if x.strip()]
    relations = [r for r in case.input_state.get("relations", []) if r.get("endpoint") == "db"]
    if not steps or any(x not in _GRANT_STEPS for x in steps) or len(relations) != 1:
        return None
    app = str(relations[0].get("remote_app_name", "remote"))
    units = sorted(f"{app}/{n}" for n in relations[0].get("remote_units_data", {"0": {}}))
    if not units:
        return None
    subject = {"grant-app": app, "grant-unit": units[0], "grant-last-unit": units[-1], "revoke-app": app, "revoke-unit": units[0]}
    access, pending, refused = set(start), None, set()
    for i, step in enumerate(steps):
        who = subject[step]
        if step.startswith("revoke-"):
            access.discard(who)
        elif not juju:
            access.add(who)
        elif who in access or app in access:
            continue
        elif who == app and access:
            refused.add(i)
        else:
            if pending is not None:
                access.discard(pending)
            pending = who
            access.add(who)
    return access, refused


def rule_secret_grants_in_one_hook(case: Case) -> None:
    """secret-grants-in-one-hook: from Juju 3.3.1 Juju keeps one pending grant per secret and
    relation and checks a grant against the secret's grants with the hook's pending ones
    merged in: a second grant on the relation replaces the first, a unit grant after the
    application's changes nothing, and an application grant after a unit's is refused
    (ModelError). ops.testing adds every grant, as Juju did before 3.3.1. Accepted, for the conf-secrets charm's grant steps on `db`:
    our grants being exactly Juju's result and the reference's exactly ops.testing's, and the
    report lines of the steps Juju refuses being `ModelError` (ours) vs `None`."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    secret_id = str(case.input_state.get("config", {}).get("secret-id", "secret:0123456789abcdefghij"))
    secret = _input_secret(case, secret_id)
    relations = [r for r in case.input_state.get("relations", []) if r.get("endpoint") == "db"]
    if secret is None or not _manages(case, secret) or len(relations) != 1:
        return
    version = str(case.spec.get("context", {}).get("juju_version", "3.6.14"))
    if tuple(int(p) for p in re.findall(r"\d+", version)[:3]) < (3, 3, 1):
        return  # before 3.3.1 Juju keeps every grant unchecked, as ops.testing does
    rid = str(_relation_ids(case.input_state.get("relations", []))[case.input_state["relations"].index(relations[0])])
    start = list((secret.get("remote_grants") or {}).get(rid, []))
    juju, naive = _grants_after(case, start, True), _grants_after(case, start, False)
    if juju is None or naive is None:
        return

    def grants(out: JSON) -> tuple[JSON | None, set[str]]:
        found = next((x for x in (out.get("state") or {}).get("secrets", []) if x.get("id") == secret.get("id")), None)
        return found, set((found or {}).get("remote_grants", {}).get(rid, []))

    (ours_secret, ours_grants), (ref_secret, ref_grants) = grants(ours), grants(ref)
    if ours_secret is None or ref_secret is None or ours_grants != juju[0] or ref_grants != naive[0]:
        return
    steps = [x.strip() for x in str(case.input_state.get("config", {}).get("steps", "")).split(",") if x.strip()]
    refused = {f"{steps[i]}: ModelError" for i in juju[1]}
    for x, y in zip(ours.get("juju_log", []), ref.get("juju_log", [])):
        a, b = str(x.get("message", "")), str(y.get("message", ""))
        if a in refused and b == a.replace("ModelError", "None") and x.get("level") == y.get("level"):
            y["message"] = a
    ref_secret["remote_grants"] = copy.deepcopy(ours_secret.get("remote_grants", {}))


def rule_secret_grants_go_with_the_relation(case: Case) -> None:
    """secret-grants-go-with-the-relation: after relation-broken our output has no grants on
    that relation (Juju removes the permissions scoped to a relation with it); ops.testing
    keeps them. Accepted only for a relation-broken case: ours without grants on the broken
    relation, the reference's exactly the input's."""
    both = _outputs(case)
    ev = relation_event(case)
    if both is None or ev is None or ev.hook != "broken":
        return
    ours, ref = both
    relations = case.input_state.get("relations", [])
    rid = str(_relation_ids(relations)[relations.index(ev.relation)])
    for secret in case.input_state.get("secrets", []):
        given = (secret.get("remote_grants") or {}).get(rid)
        if not given:
            continue
        a = next((x for x in (ours.get("state") or {}).get("secrets", []) if x.get("id") == secret.get("id")), None)
        b = next((x for x in (ref.get("state") or {}).get("secrets", []) if x.get("id") == secret.get("id")), None)
        if a is None or b is None or rid in (a.get("remote_grants") or {}):
            continue
        if sorted((b.get("remote_grants") or {}).get(rid, [])) == sorted(given):
            del b["remote_grants"][rid]


def rule_secret_info_not_found(case: Case) -> None:
    """secret-info-not-found: `secret-info-get` on an application secret by a non-leader is
    "not found" in Juju (its metadata is the leader's), so ops raises SecretNotFoundError;
    ops.testing raises ModelError (permission denied). Accepted: `info-*` report lines being
    SecretNotFoundError (ours) vs ModelError, on a non-leader with an application secret."""
    both = _outputs(case)
    if both is None or case.input_state.get("leader", False):
        return
    if not any(x.get("owner") == "app" for x in case.input_state.get("secrets", [])):
        return
    ours, ref = both
    for x, y in zip(ours.get("juju_log", []), ref.get("juju_log", [])):
        a, b = str(x.get("message", "")), str(y.get("message", ""))
        if a.startswith("info-") and a.endswith(": SecretNotFoundError") and b == a.replace("SecretNotFoundError", "ModelError"):
            y["message"] = a


def _action_spec(case: Case) -> tuple[JSON, JSON] | None:
    """The case's action call and its spec in the charm's actions metadata."""
    action = case.spec.get("event", {}).get("action")
    if not isinstance(action, dict):
        return None
    spec = (case.meta.get("actions") or {}).get(action.get("name"))
    return (action, spec) if isinstance(spec, dict) else None


def rule_action_param_defaults(case: Case) -> None:
    """action-param-defaults: `action-get` gives the defaults of the actions metadata for
    parameters the action was not given (Juju fills them in); ops.testing gives only the
    given ones. Accepted: a results key the reference lacks whose value on ours is that
    parameter's default, when the case does not give it (the charm echoes its params)."""
    both, found = _outputs(case), _action_spec(case)
    if both is None or found is None:
        return
    ours, ref = both
    action, spec = found
    defaults = {k: v["default"] for k, v in (spec.get("params") or {}).items() if isinstance(v, dict) and "default" in v}
    given = action.get("params") or {}

    def fill(a: Any, b: Any) -> None:
        if not (isinstance(a, dict) and isinstance(b, dict)):
            return
        for key, value in a.items():
            if key not in b and key in defaults and key not in given and defaults[key] == value:
                b[key] = copy.deepcopy(value)
            else:
                fill(value, b.get(key))

    fill(ours.get("action_results"), ref.get("action_results"))


def rule_action_required_param(case: Case) -> None:
    """action-required-param: an action without a parameter its metadata requires is refused
    by our checker (Juju refuses to run it); ops.testing runs it. Accepted only when ours lists
    only `action.param_required`, the case leaves out a required parameter, and the reference
    did not reject the case."""
    found = _action_spec(case)
    if case.ours.get("rejected") != "inconsistent" or "output" not in case.ref or found is None:
        return
    action, spec = found
    missing = [p for p in spec.get("required", []) if p not in (action.get("params") or {})]
    if missing and set(_rejected_by(case)) == {"action.param_required"}:
        case.ref = copy.deepcopy(case.ours)


def rule_action_undeclared_param(case: Case) -> None:
    """action-undeclared-param: before Juju 4, an action's `additionalProperties` defaults to
    true (ops' ActionMeta says so too), so Juju passes an undeclared parameter on; ours runs
    the action (with a checker warning), ops.testing rejects it. Accepted only when the
    reference names only undeclared parameters, the action does not set
    `additionalProperties: false`, the Juju version is before 4, and ours ran."""
    found = _action_spec(case)
    if case.ref.get("rejected") != "inconsistent" or "output" not in case.ours or found is None:
        return
    action, spec = found
    if spec.get("additionalProperties") is False:
        return
    if str(case.spec.get("context", {}).get("juju_version", "3.6.14")).split(".")[0] >= "4":
        return
    message = str(case.ref_raw.get("message", ""))
    named = re.findall(r"param (\S+) is not a valid parameter for \S+: missing from action specification", message)
    declared = spec.get("params") or {}
    if named and all(p not in declared and p in (action.get("params") or {}) for p in named):
        case.ref = copy.deepcopy(case.ours)


def _nest(results: Any) -> Any:
    """Dotted keys as nested objects, as Juju stores action results."""
    if not isinstance(results, dict):
        return results
    out: JSON = {}
    for key, value in results.items():
        *parents, last = str(key).split(".")
        node = out
        for parent in parents:
            node = node.setdefault(parent, {})
        node[last] = _nest(value) if not isinstance(node.get(last), dict) else {**node[last], **_nest(value)}
    return out


def rule_action_results_nested(case: Case) -> None:
    """action-results-nested: Juju stores `action-set a.b=c` as `{"a": {"b": "c"}}`, and our
    `action_results` is that; ops.testing keeps the dotted keys. Accepted only when ours is
    exactly the reference's with dotted keys nested."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    if ref.get("action_results") is not None and ours.get("action_results") == _nest(ref["action_results"]):
        ref["action_results"] = copy.deepcopy(ours["action_results"])


def rule_storage_add_accumulates(case: Case) -> None:
    """storage-add-accumulates: Juju adds up every `storage-add` of a hook; ops.testing keeps
    the last count. Accepted only for the storage-db charm's `request-twice` probe (two
    requests of one instance): ours twice the reference's."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    if not any(x.get("message") == "probe request-twice: requested" for x in ours.get("juju_log", [])):
        return
    a, b = ours.get("requested_storages", {}), ref.get("requested_storages", {})
    for name, count in a.items():
        if b.get(name) is not None and count == 2 * b[name]:
            b[name] = count


def rule_resource_not_in_state(case: Case) -> None:
    """resource-not-in-state: a resource the metadata declares but the State does not give is
    Juju's resource-get error on our side (a ModelError the charm may catch); ops.testing
    raises RuntimeError ("Inconsistent state: resource ... not found in State"). Accepted only
    when the reference's error is exactly that, for a declared resource not in the input
    State, and our run finished without an error."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    error = ref.get("error") or {}
    m = re.match(r"^Inconsistent state: resource (\S+) not found in State", str(error.get("message", "")))
    if error.get("type") != "RuntimeError" or m is None or ours.get("error") is not None:
        return
    if m[1] not in (case.meta.get("resources") or {}) or m[1] in {r.get("name") for r in case.input_state.get("resources", [])}:
        return
    case.ref = copy.deepcopy(case.ours)


_CREDENTIAL_REFUSALS = {
    "charm is not trusted, initialise Context with `app_trusted=True`":
        "cannot access cloud credentials: permission denied",
    "cloud spec is empty, initialise it with `State(model=Model(..., cloud_spec=ops.CloudSpec(...)))`":
        "cannot access cloud credentials: the State's model has no cloud_spec (set State.model.cloud_spec)",
}


def rule_credential_get_refusal(case: Case) -> None:
    """credential-get-refusal: credential-get refused for an untrusted application says
    Juju's "permission denied" on our side and ops.testing's hint on the reference; for a
    State without a cloud spec each engine gives its own hint. Accepted: the charm's
    `credential-get failed: ERROR <text>` line with exactly those pairs of texts."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    prefix = "credential-get failed: ERROR "
    for x, y in zip(ours.get("juju_log", []), ref.get("juju_log", [])):
        a, b = str(x.get("message", "")), str(y.get("message", ""))
        if a.startswith(prefix) and b.startswith(prefix) and _CREDENTIAL_REFUSALS.get(b[len(prefix):]) == a[len(prefix):]:
            y["message"] = a


_INT_LIST = re.compile(r"\[(\d+(?:, \d+)*)\]")


def rule_storage_list_order(case: Case) -> None:
    """storage-list-order: ops.testing keeps storages in a frozenset, so `model.storages[name]`
    comes out in hash order (which changes from process to process); ours is the State's
    order, as Juju's storage-list gives instances in order. Accepted: a report line whose
    lists of indices are the reference's sorted, for a case with several instances of one
    storage."""
    both = _outputs(case)
    names = [x.get("name") for x in case.input_state.get("storages", [])]
    if both is None or len(names) == len(set(names)):
        return
    ours, ref = both

    def ordered(text: str) -> str:
        return _INT_LIST.sub(lambda m: "[" + ", ".join(sorted(m[1].split(", "), key=int)) + "]", text)

    for x, y in zip(ours.get("juju_log", []), ref.get("juju_log", [])):
        a, b = str(x.get("message", "")), str(y.get("message", ""))
        if a != b and a == ordered(a) == ordered(b):
            y["message"] = a


def _ops_merge_service(lower: JSON, upper: JSON) -> JSON:
    """ops' `Service._merge` of `upper` into a copy of `lower`, on the JSON form."""
    out = copy.deepcopy(lower)
    for key, value in upper.items():
        if not value:
            continue
        if key in ("after", "before", "requires"):
            out[key] = list(out.get(key, [])) + list(value)
        elif key in ("environment", "on-check-failure"):
            out[key] = {**out.get(key, {}), **value}
        else:
            out[key] = value
    return out


def rule_service_merge_in_place(case: Case) -> None:
    """service-merge-in-place: ops.testing renders the plan by merging a later layer's
    `override: merge` service into the lower layer's own object, so its output State's lower
    layer changes; ours (as Pebble) leaves every layer as it was added. Accepted only when the
    reference's lower-layer service is exactly ours merged, ops' way, with every later layer's
    `override: merge` item of that name."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    mine = {c.get("name"): c for c in _containers_in(ours.get("state") or {})}
    for c in _containers_in(ref.get("state") or {}):
        layers = mine.get(c.get("name"), {}).get("layers", {})
        labels = list(layers)
        for i, label in enumerate(labels):
            theirs = c.get("layers", {}).get(label, {}).get("services", {})
            for name, service in layers[label].get("services", {}).items():
                merged = service
                for later in labels[i + 1:]:
                    upper = layers[later].get("services", {}).get(name)
                    if upper is not None and upper.get("override") == "merge":
                        merged = _ops_merge_service(merged, upper)
                if merged != service and theirs.get(name) == merged:
                    theirs[name] = copy.deepcopy(service)


def _merged_checks(layers: JSON) -> set[str]:
    """The checks some layer merges (`override: merge`)."""
    return {
        name for layer in layers.values() for name, check in layer.get("checks", {}).items()
        if check.get("override") == "merge"
    }


def rule_check_level_merge(case: Case) -> None:
    """check-level-merge: merging a check whose upper item gives no `level` keeps the lower
    item's level in Pebble (and ours); ops' `Check._merge` unsets it, so ops.testing's plan,
    check infos and combined layers lose it. Accepted, for a check some layer merges: the
    check info's level being ours vs "", a layer's check being ours without `level`, and the
    charm's `plan checks=` line being ours with those checks' levels removed."""
    both = _outputs(case)
    if both is None:
        return
    ours, ref = both
    mine = {c.get("name"): c for c in _containers_in(ours.get("state") or {})}
    merged_anywhere: set[str] = set()
    for c in _containers_in(ref.get("state") or {}):
        a = mine.get(c.get("name"), {})
        merged = _merged_checks(a.get("layers", {}))
        merged_anywhere |= merged
        infos = {ci.get("name"): ci for ci in a.get("check_infos", [])}
        for ci in c.get("check_infos", []):
            if ci.get("name") in merged and ci.get("level") == "" and infos.get(ci.get("name"), {}).get("level"):
                ci["level"] = infos[ci["name"]]["level"]
        for label, layer in c.get("layers", {}).items():
            for name, check in layer.get("checks", {}).items():
                ours_check = a.get("layers", {}).get(label, {}).get("checks", {}).get(name, {})
                without = {k: v for k, v in ours_check.items() if k != "level"}
                if name in merged and "level" in ours_check and check == without:
                    layer["checks"][name] = copy.deepcopy(ours_check)
    prefix = "plan checks="
    for x, y in zip(ours.get("juju_log", []), ref.get("juju_log", [])):
        a_msg, b_msg = str(x.get("message", "")), str(y.get("message", ""))
        if not (a_msg.startswith(prefix) and b_msg.startswith(prefix)) or a_msg == b_msg:
            continue
        try:
            a_checks, b_checks = json.loads(a_msg[len(prefix):]), json.loads(b_msg[len(prefix):])
        except ValueError:
            continue
        stripped = {
            n: ({k: v for k, v in chk.items() if k != "level"} if n in merged_anywhere else chk)
            for n, chk in a_checks.items()
        }
        if b_checks == stripped:
            y["message"] = a_msg


def rule_broken_follower_own_app_data(case: Case) -> None:
    """broken-follower-own-app-data: in relation-broken, a non-leader reading its own
    application's databag gets Juju's "permission denied" (`ModelError`) on our side, as in
    every other hook; ops.testing gives the State's data. Read from the conformance charm's
    `local app data` line (tests/charms/conf-relations): ours `failed: ModelError` (WARNING)
    where the reference's is a result, for a relation-broken case on a non-leader."""
    both = _outputs(case)
    ev = relation_event(case)
    if both is None or ev is None or ev.hook != "broken" or case.input_state.get("leader", False):
        return
    ours, ref = both
    for x, y in zip(ours.get("juju_log", []), ref.get("juju_log", [])):
        if x.get("message") == "local app data failed: ModelError" and str(y.get("message", "")).startswith("local app data="):
            y.update(copy.deepcopy(x))

RULES: dict[str, Rule] = {
    "checker-warnings": rule_checker_warnings,
    "hook-tool-security-event": rule_hook_tool_security_event,
    "framework-event-count": rule_framework_event_count,
    "deferred-queue-order": rule_deferred_queue_order,
    "custom-event-log-line": rule_custom_event_log_line,
    "sqlite-init-log-line": rule_sqlite_init_log_line,
    "non-leader-app-status": rule_non_leader_app_status,
    "relation-checker-rules": rule_relation_checker_rules,
    "name-rules-in-checker": rule_name_rules_in_checker,
    "departed-relation-list": rule_departed_relation_list,
    "broken-relation-list": rule_broken_relation_list,
    "departing-unit-zero": rule_departing_unit_zero,
    "network-get-container-scoped": rule_network_get_container_scoped,
    "network-get-refusal": rule_network_get_refusal,
    "extra-binding-log-line": rule_extra_binding_log_line,
    "int-for-float-config": rule_int_for_float_config,
    "sys-exit-zero": rule_sys_exit_zero,
    "container-not-in-state": rule_container_not_in_state,
    "pebble-unreachable": rule_pebble_unreachable,
    "connection-error-message": rule_connection_error_message,
    "pebble-api-errors": rule_pebble_api_errors,
    "layer-override-required": rule_layer_override_required,
    "autostart-no-default-services": rule_autostart_no_default_services,
    "exec-combine-stderr": rule_exec_combine_stderr,
    "unmocked-exec-hint": rule_unmocked_exec_hint,
    "mount-point-directory": rule_mount_point_directory,
    "notice-type-filter": rule_notice_type_filter,
    "plan-check-infos": rule_plan_check_infos,
    "check-infos-follow-plan": rule_check_infos_follow_plan,
    "service-merge-in-place": rule_service_merge_in_place,
    "check-level-merge": rule_check_level_merge,
    "broken-follower-own-app-data": rule_broken_follower_own_app_data,
    "secret-refused-at-commit": rule_secret_refused_at_commit,
    "secret-checker-rules": rule_secret_checker_rules,
    "secret-revisions": rule_secret_revisions,
    "secret-label-taken": rule_secret_label_taken,
    "secret-grants-in-one-hook": rule_secret_grants_in_one_hook,
    "secret-grants-go-with-the-relation": rule_secret_grants_go_with_the_relation,
    "secret-info-not-found": rule_secret_info_not_found,
    "action-param-defaults": rule_action_param_defaults,
    "action-required-param": rule_action_required_param,
    "action-undeclared-param": rule_action_undeclared_param,
    "action-results-nested": rule_action_results_nested,
    "storage-add-accumulates": rule_storage_add_accumulates,
    "storage-list-order": rule_storage_list_order,
    "resource-not-in-state": rule_resource_not_in_state,
    "credential-get-refusal": rule_credential_get_refusal,
}


# ---- one case, start to end ---------------------------------------------------------------


@dataclass
class Verdict:
    """What comparing one case found."""

    case: str
    unaccepted: list[tuple[str, Any, Any]] = field(default_factory=list)
    accepted: dict[str, list[str]] = field(default_factory=dict)  # rule -> paths it accepted

    @property
    def same(self) -> bool:
        return not self.unaccepted and not self.accepted


def _paths(found: list[tuple[str, Any, Any]]) -> set[str]:
    return {p for p, _, _ in found}


def _differences(case: Case) -> list[tuple[str, Any, Any]]:
    return _fix_paths(diff(case.ours, case.ref))


def judge(path: pathlib.Path, spec: JSON, ours: JSON, ref: JSON) -> Verdict:
    """Normalise both sides, then apply the rules one by one; what a rule removes from the
    list of differences is accepted under its name, what is left is unaccepted."""
    charm_dir = str((path.parent / str(spec.get("charm", ""))).resolve())
    case = Case(
        path,
        spec,
        normalise(ours, charm_dir, spec.get("state", {})),
        normalise(ref, charm_dir, spec.get("state", {})),
        charm_dir,
        ours,
        ref,
    )
    verdict = Verdict(str(path))
    before = _differences(case)
    for name, rule in RULES.items():
        rule(case)
        after = _differences(case)
        removed = sorted(_paths(before) - _paths(after))
        if removed:
            verdict.accepted[name] = removed
        before = after
    verdict.unaccepted = before
    return verdict


def _outcome(result: JSON) -> str:
    if "rejected" in result:
        return f"rejected ({result['rejected']}): {result.get('message', '')[:400]}"
    error = result["output"].get("error")
    return f"charm raised {error['type']}: {error['message']}" if error else "ran"


def report(verdict: Verdict, ours: JSON, ref: JSON) -> list[str]:
    """Human lines for one case: every unaccepted difference, with both values. When only one
    side ran, the two outcomes instead (the field list would be the whole Output)."""
    if ("rejected" in ours) != ("rejected" in ref):
        return [f"  outcome: ours {_outcome(ours)!r} vs reference {_outcome(ref)!r}"]
    lines = [f"  {path}: ours {_show(a)} vs reference {_show(b)}" for path, a, b in verdict.unaccepted]
    if "rejected" in ours:
        lines.append(f"    ours: {ours.get('message', '')[:400]}")
        lines.append(f"    reference: {ref.get('message', '')[:400]}")
    return lines


def area_of(path: pathlib.Path, roots: list[pathlib.Path]) -> str:
    """A case's area: its folder under the corpus root (cases/<area>/<case>.json)."""
    return path.parent.name


def main(argv: list[str]) -> int:
    """Compare every case; print differences and a per-area tally."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+", type=pathlib.Path)
    parser.add_argument("--scenario", default=os.environ.get("SCENARIO_BIN"))
    parser.add_argument(
        "--reference-python",
        default=str(HERE.parent / ".venv-conformance" / "bin" / "python"),
    )
    parser.add_argument("--verbose", action="store_true", help="also list accepted differences")
    args = parser.parse_args(argv)
    if not args.scenario:
        parser.error("give --scenario or set SCENARIO_BIN")
    if not os.environ.get("VIRTUAL_ENV"):
        parser.error("set VIRTUAL_ENV to a venv with ops (our engine imports ops from it)")
    files: list[pathlib.Path] = []
    for p in args.cases:
        files.extend(sorted(p.rglob("*.json")) if p.is_dir() else [p])
    with ThreadPoolExecutor(max_workers=1) as ref_pool, ThreadPoolExecutor(max_workers=2) as pool:
        ref_future = ref_pool.submit(run_reference, args.reference_python, files)
        ours_all = list(pool.map(lambda f: run_ours(args.scenario, f), files))
        refs = ref_future.result()
    tally: dict[str, list[int]] = {}
    failed = 0
    for f, ours in zip(files, ours_all):
        try:
            spec = json.loads(f.read_text())
        except ValueError:  # a deliberately broken case file: both sides must reject it
            spec = {}
        verdict = judge(f, spec, ours, refs[str(f)])
        counts = tally.setdefault(area_of(f, args.cases), [0, 0, 0, 0])
        counts[0] += 1
        if verdict.unaccepted:
            counts[3] += 1
            failed += 1
            print(f"DIFFERS {f}")
            print("\n".join(report(verdict, ours, refs[str(f)])))
        elif verdict.accepted:
            counts[2] += 1
        else:
            counts[1] += 1
        if args.verbose and verdict.accepted:
            for rule, paths in verdict.accepted.items():
                print(f"accepted {f}: {rule}: {', '.join(paths)}")
    for area, (n, same, accepted, differing) in sorted(tally.items()):
        print(
            f"{area}: {n} cases, {same} same, {accepted} accepted differences"
            + (f", {differing} DIFFERING" if differing else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
