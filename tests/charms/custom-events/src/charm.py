#!/usr/bin/env python3
"""Custom-events charm: custom events on the charm and on a library object.

Exercises a CharmEvents subclass with an extra event (`reconfigured`, no
arguments), a library object (`charms.demo.v0.greeter.Greeter`) whose
`greeted` event carries arguments through snapshot/restore, and emitting a
custom event from inside the `start` handler.
"""

from __future__ import annotations

import logging

import ops
from charms.demo.v0.greeter import GreetedEvent, Greeter

logger = logging.getLogger(__name__)


class ReconfiguredEvent(ops.EventBase):
    """The charm was reconfigured (no arguments)."""


class CustomEventsCharmEvents(ops.CharmEvents):
    """Standard charm events plus `reconfigured`."""

    reconfigured = ops.EventSource(ReconfiguredEvent)


class CustomEventsCharm(ops.CharmBase):
    """Charm that defines, emits and observes custom events."""

    on = CustomEventsCharmEvents()  # type: ignore[reportAssignmentType]

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self.greeter = Greeter(self)
        framework.observe(self.on.reconfigured, self._on_reconfigured)
        framework.observe(self.greeter.on.greeted, self._on_greeted)
        framework.observe(self.on.start, self._on_start)

    def _on_reconfigured(self, event: ReconfiguredEvent) -> None:
        self.unit.status = ops.ActiveStatus("reconfigured")

    def _on_greeted(self, event: GreetedEvent) -> None:
        message = f"hello {event.name} x{event.times}"
        self.unit.status = ops.ActiveStatus(message)
        logger.info(message)

    def _on_start(self, event: ops.StartEvent) -> None:
        self.greeter.on.greeted.emit("start", 2)


if __name__ == "__main__":  # pragma: nocover
    ops.main(CustomEventsCharm)
