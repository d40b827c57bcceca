#!/usr/bin/env python3
"""Conf-stored charm: StoredState with every storable type, two owners.

Exercises StoredState defaults (set_default), updates of ints, floats, strings,
None, bools, lists, nested dicts, sets, frozensets, tuples, bytes, integers
beyond 64 bits and dicts with non-string keys; a second StoredState on a
library object (owner path `ConfStoredCharm/tracker`); and logging the repr
of values given in the input State.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class Tracker(ops.Object):
    """A library-like object with its own StoredState."""

    _stored = ops.StoredState()

    def __init__(self, charm: ops.CharmBase) -> None:
        super().__init__(charm, "tracker")
        self._stored.set_default(seen=0)

    def bump(self) -> None:
        """Count one more event."""
        self._stored.seen += 1


class ConfStoredCharm(ops.CharmBase):
    """Charm that updates a StoredState of every type on update-status."""

    _stored = ops.StoredState()
    _extra = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self.tracker = Tracker(self)
        self._stored.set_default(
            count=0,
            ratio=0.5,
            label="",
            nothing=None,
            flag=False,
            items=[],
            nested={"a": {"b": [1, 2]}},
            tags=set(),
            frozen=frozenset({"x"}),
            pair=(1, "one"),
            blob=b"",
            big=2**64,
            keyed={1: "one"},
        )
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent) -> None:
        self._extra.started = True
        self.tracker.bump()

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        self.tracker.bump()
        mode = self.config["mode"]
        s = self._stored
        for key in ("count", "ratio", "label", "nothing", "flag", "items", "nested", "tags",
                    "frozen", "pair", "blob", "big", "keyed"):
            value = getattr(s, key)
            logger.info(f"{key}: {type(value).__name__}")
        if mode == "add":
            s.count += 1
            s.ratio *= 2
            s.label += "x"
            s.nothing = s.count
            s.flag = not s.flag
            s.items.append(s.count)
            s.nested["a"]["c"] = "new"
            s.tags.add(f"t{s.count}")
            s.frozen = frozenset(s.frozen | {f"f{s.count}"})
            s.pair = (s.count, "n")
            s.blob = bytes(s.blob) + b"\x00\xff"
            s.big = s.big * 3
            s.keyed = {**s.keyed, s.count + 1: (1, 2)}
        elif mode == "clear":
            s.items.clear()
            s.tags.clear()
            s.nested = {}
        self.unit.status = ops.ActiveStatus(f"count={s.count}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfStoredCharm)
