"""The tagged JSON form of Python values that ops stores (STATE_JSON.md), both ways.

StoredState content, deferred-event snapshots and custom-event arguments are whatever
`marshal` can write. JSON cannot say sets, tuples, bytes, integers past 64 bits or dicts with
non-string keys, so those are tagged: ``{"$set": [...]}``, ``{"$frozenset": [...]}``,
``{"$tuple": [...]}``, ``{"$bytes": "<base64>"}``, ``{"$int": "<digits>"}`` and
``{"$dict": [[key, value], ...]}``. Shared by reference.py (both directions) and compare.py
(which compares tagged sets as unordered).
"""

from __future__ import annotations

import base64
from typing import Any

# Our engine stores integers as i64 and tags the rest; the reference must tag the same ones.
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1

TAGS = ("$set", "$frozenset", "$tuple", "$bytes", "$int", "$dict")


def tag_of(value: Any) -> str | None:
    """The tag of a tagged JSON value (`{"$set": [...]}` -> "$set"), or None."""
    # As the Rust reader: the first key decides; a tag must be the object's only key.
    if isinstance(value, dict) and value:
        key = next(iter(value))
        if key in TAGS:
            if len(value) != 1:
                raise ValueError(f"a tagged value has only its tag as key: {value!r}")
            return str(key)
    return None


def decode(value: Any) -> Any:
    """Turn the tagged JSON form into the Python value ops would store."""
    tag = tag_of(value)
    if tag is not None:
        inner = value[tag]
        if tag == "$set":
            return {decode(v) for v in inner}
        if tag == "$frozenset":
            return frozenset(decode(v) for v in inner)
        if tag == "$tuple":
            return tuple(decode(v) for v in inner)
        if tag == "$bytes":
            return base64.b64decode(inner)
        if tag == "$int":
            return int(inner)
        return {decode(k): decode(v) for k, v in inner}
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def decode_dict(value: Any) -> dict[Any, Any]:
    """Decode a JSON object (StoredState content, snapshot data, kwargs) into a dict."""
    decoded = decode(value or {})
    if not isinstance(decoded, dict):
        raise ValueError(f"expected an object, got {value!r}")
    return decoded


def _members(items: Any) -> list[Any]:
    """Encode set members in a stable order, so two runs print the same JSON."""
    encoded = [encode(v) for v in items]
    return sorted(encoded, key=repr)


def encode(value: Any) -> Any:
    """Turn a stored Python value into the tagged JSON form (the inverse of `decode`)."""
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        if _I64_MIN <= value <= _I64_MAX:
            return value
        return {"$int": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {"$frozenset": _members(value)}
    if isinstance(value, set):
        return {"$set": _members(value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        # A dict whose first key starts with `$` would read back as a tag (readers look at the
        # first key): it takes the `$dict` form, as the Rust writer gives it.
        first = next(iter(value), None)
        if all(isinstance(k, str) for k in value) and not (
            isinstance(first, str) and first.startswith("$")
        ):
            return {k: encode(v) for k, v in value.items()}
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot say a {type(value).__name__} in JSON: {value!r}")
