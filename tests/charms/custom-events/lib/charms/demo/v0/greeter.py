"""Greeter: a tiny demo charm library that emits a custom event.

Usage::

    from charms.demo.v0.greeter import Greeter

    self.greeter = Greeter(self)
    self.framework.observe(self.greeter.on.greeted, self._on_greeted)
    self.greeter.on.greeted.emit("world", 3)
"""

from __future__ import annotations

from typing import Any

import ops

LIBID = "0123456789abcdef0123456789abcdef"  # placeholder, not a registered lib
LIBAPI = 0
LIBPATCH = 1


class GreetedEvent(ops.EventBase):
    """Someone was greeted `times` times."""

    def __init__(self, handle: ops.Handle, name: str, times: int = 1) -> None:
        super().__init__(handle)
        self.name = name
        self.times = times

    def snapshot(self) -> dict[str, Any]:
        """Save the event arguments (needed if the event is deferred)."""
        return {"name": self.name, "times": self.times}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Restore the event arguments from a snapshot."""
        self.name = snapshot["name"]
        self.times = snapshot["times"]


class GreeterEvents(ops.ObjectEvents):
    """Events emitted by the Greeter library."""

    greeted = ops.EventSource(GreetedEvent)


class Greeter(ops.Object):
    """A library object owned by a charm; its events live on `greeter.on`."""

    on = GreeterEvents()  # type: ignore[reportAssignmentType]

    def __init__(self, charm: ops.CharmBase, key: str = "greeter") -> None:
        super().__init__(charm, key)
        self.charm = charm
