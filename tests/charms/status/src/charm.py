#!/usr/bin/env python3
"""Status charm: unit and app status, workload version, leadership.

Exercises status-set (unit and app), status-get (reading the unit status
back), application-version-set, is-leader, and the RuntimeError ops raises
when a non-leader unit sets the application status.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class StatusCharm(ops.CharmBase):
    """Charm that walks through several statuses."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.stop, self._on_stop)

    def _on_install(self, event: ops.InstallEvent) -> None:
        self.unit.status = ops.MaintenanceStatus("installing")
        self.unit.set_workload_version("1.0")
        logger.info("installed")

    def _on_start(self, event: ops.StartEvent) -> None:
        self.unit.status = ops.MaintenanceStatus("starting")
        self.unit.status = ops.ActiveStatus("ready")
        self.unit.set_workload_version("1.1")
        if self.unit.is_leader():
            self.app.status = ops.ActiveStatus("app ready")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        status = self.unit.status
        logger.info(f"current status: {status.name}: {status.message}")
        self.unit.status = ops.WaitingStatus("waiting for nothing")

    def _on_stop(self, event: ops.StopEvent) -> None:
        try:
            self.app.status = ops.BlockedStatus("stopping")
        except RuntimeError as e:
            logger.warning("cannot set app status: %s", e)
        self.unit.status = ops.BlockedStatus("stopped")


if __name__ == "__main__":  # pragma: nocover
    ops.main(StatusCharm)
