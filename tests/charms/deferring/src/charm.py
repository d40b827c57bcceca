#!/usr/bin/env python3
"""Deferring charm: defers start until config-changed has been seen.

Exercises event.defer(), re-emission of deferred events before the new
event on the next dispatch, and StoredState read from a re-emitted handler.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class DeferringCharm(ops.CharmBase):
    """Charm that defers start until it is ready."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(ready=False, starts=0)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_start(self, event: ops.StartEvent) -> None:
        self._stored.starts += 1
        if not self._stored.ready:
            logger.info("not ready, deferring start")
            event.defer()
            return
        self.unit.status = ops.ActiveStatus("started")

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        self._stored.ready = True

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        logger.info("update-status")
        if self.config["defer-update-status"]:
            event.defer()


if __name__ == "__main__":  # pragma: nocover
    ops.main(DeferringCharm)
