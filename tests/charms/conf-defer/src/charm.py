#!/usr/bin/env python3
"""Conf-defer charm: deferring lifecycle and custom events, several observers.

Exercises event.defer() for start, config-changed, update-status and a custom
event carrying snapshot data (`job`, with `name` and `attempt`); two
observers of `config_changed` (only one defers); custom events emitted from a
handler; and StoredState counting how often each handler ran.
"""

from __future__ import annotations

import logging
from typing import Any

import ops

logger = logging.getLogger(__name__)


class JobEvent(ops.EventBase):
    """A unit of work with a name and an attempt number."""

    def __init__(self, handle: ops.Handle, name: str = "", attempt: int = 0) -> None:
        super().__init__(handle)
        self.name = name
        self.attempt = attempt

    def snapshot(self) -> dict[str, Any]:
        """Keep the arguments when deferred."""
        return {"name": self.name, "attempt": self.attempt}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Restore the arguments of a deferred job."""
        self.name = snapshot["name"]
        self.attempt = snapshot["attempt"]


class ConfDeferEvents(ops.CharmEvents):
    """Charm events plus `job`."""

    job = ops.EventSource(JobEvent)


class ConfDeferCharm(ops.CharmBase):
    """Charm that defers until `ready` is set."""

    on = ConfDeferEvents()  # type: ignore[reportAssignmentType]
    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(runs={})
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.config_changed, self._on_config_changed_audit)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.job, self._on_job)

    def _count(self, what: str) -> None:
        runs = dict(self._stored.runs)
        runs[what] = runs.get(what, 0) + 1
        self._stored.runs = runs

    def _on_start(self, event: ops.StartEvent) -> None:
        self._count("start")
        if not self.config["ready"]:
            event.defer()
            return
        self.unit.status = ops.ActiveStatus("started")

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        self._count("config")
        if not self.config["ready"]:
            event.defer()
            self.on.job.emit("from-config", 1)

    def _on_config_changed_audit(self, event: ops.ConfigChangedEvent) -> None:
        self._count("audit")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        self._count("update")
        event.defer()

    def _on_job(self, event: JobEvent) -> None:
        self._count("job")
        logger.info(f"job {event.name} attempt {event.attempt}")
        if not self.config["ready"]:
            event.attempt += 1
            event.defer()


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfDeferCharm)
