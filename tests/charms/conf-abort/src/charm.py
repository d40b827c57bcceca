#!/usr/bin/env python3
"""Conf-abort charm: leaving a dispatch early, from __init__ and from handlers.

Exercises: ValueError raised in __init__ (config `fail-in-init: raise`);
`ops._main._Abort(0)` / `_Abort(1)` in __init__ (`abort0`/`abort1`), after a
status was set; `_Abort(0)` and `_Abort(2)` from the `stop` / `remove`
handlers; `sys.exit(0)` from `install` and `sys.exit(3)` from `upgrade_charm`;
an exception raised while handling another (chained, from `update_status`);
and a custom exception class (from `leader_elected`).
"""

from __future__ import annotations

import logging
import sys

import ops
from ops._main import _Abort

logger = logging.getLogger(__name__)


class ConfigBrokenError(Exception):
    """A charm-defined exception type."""


class ConfAbortCharm(ops.CharmBase):
    """Charm whose handlers leave the dispatch early."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        mode = self.config.get("fail-in-init", "")
        if mode:
            self.unit.status = ops.MaintenanceStatus(f"init: {mode}")
            logger.info(f"__init__ mode {mode}")
        if mode == "raise":
            raise ValueError("cannot initialise")
        if mode == "abort0":
            raise _Abort(0)
        if mode == "abort1":
            raise _Abort(1)
        framework.observe(self.on.stop, self._on_stop)
        framework.observe(self.on.remove, self._on_remove)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.upgrade_charm, self._on_upgrade_charm)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.leader_elected, self._on_leader_elected)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent) -> None:
        self.unit.status = ops.ActiveStatus("started")

    def _on_stop(self, event: ops.StopEvent) -> None:
        self.unit.status = ops.BlockedStatus("stopping")
        raise _Abort(0)

    def _on_remove(self, event: ops.RemoveEvent) -> None:
        self.unit.status = ops.BlockedStatus("removing")
        raise _Abort(2)

    def _on_install(self, event: ops.InstallEvent) -> None:
        self.unit.status = ops.MaintenanceStatus("installing")
        sys.exit(0)

    def _on_upgrade_charm(self, event: ops.UpgradeCharmEvent) -> None:
        logger.warning("exiting with 3")
        sys.exit(3)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        try:
            {}["missing"]
        except KeyError as e:
            raise RuntimeError("lookup failed") from e

    def _on_leader_elected(self, event: ops.LeaderElectedEvent) -> None:
        raise ConfigBrokenError("broken config", 42)


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfAbortCharm)
