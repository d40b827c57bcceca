#!/usr/bin/env python3
"""Raising charm: handlers that fail with uncaught exceptions.

Exercises error propagation: `start` sets a status and logs before raising
KeyError; `stop` raises RuntimeError several frames deep so the traceback
has more than one charm frame; `update_status` succeeds.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


def _check_stop_allowed(reason: str) -> None:
    _fail(reason)


def _fail(reason: str) -> None:
    raise RuntimeError(reason)


class RaisingCharm(ops.CharmBase):
    """Charm whose start and stop handlers raise."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.stop, self._on_stop)

    def _on_start(self, event: ops.StartEvent) -> None:
        self.unit.status = ops.MaintenanceStatus("about to fail")
        logger.info("starting")
        raise KeyError("no such key: 'password'")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        self.unit.status = ops.ActiveStatus("fine")

    def _on_stop(self, event: ops.StopEvent) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        _check_stop_allowed("stop failed")


if __name__ == "__main__":  # pragma: nocover
    ops.main(RaisingCharm)
