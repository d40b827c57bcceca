#!/usr/bin/env python3
"""Conf-backend charm: `status-set --application` straight through the backend.

Exercises the hook tool itself on leader and non-leader units: ops'
`Application.status` setter refuses a non-leader before any hook tool runs,
so this charm calls `self.model._backend.status_set(..., is_app=True)` as some
libraries do. `update_status` lets the hook tool's error propagate; `start`
sets the unit status first and then the app status.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class ConfBackendCharm(ops.CharmBase):
    """Charm that sets the application status through the model backend."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.start, self._on_start)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        logger.info("setting app status directly")
        self.model._backend.status_set("blocked", "direct", is_app=True)

    def _on_start(self, event: ops.StartEvent) -> None:
        self.unit.status = ops.ActiveStatus("unit set")
        self.model._backend.status_set("active", "app set", is_app=True)


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfBackendCharm)
