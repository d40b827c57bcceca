#!/usr/bin/env python3
"""Collect-status charm: status decided by collect_unit_status/collect_app_status.

Exercises the framework's end-of-dispatch status evaluation: several
statuses are added and ops picks the highest-priority one. The app status
is only evaluated on the leader.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class CollectStatusCharm(ops.CharmBase):
    """Charm that reports status only through collect-status events."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.collect_unit_status, self._on_collect_unit_status)
        framework.observe(self.on.collect_app_status, self._on_collect_app_status)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_collect_unit_status(self, event: ops.CollectStatusEvent) -> None:
        event.add_status(ops.ActiveStatus("all good"))
        if self.config.get("broken"):
            event.add_status(ops.BlockedStatus("broken"))

    def _on_collect_app_status(self, event: ops.CollectStatusEvent) -> None:
        event.add_status(ops.ActiveStatus("app fine"))

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        pass


if __name__ == "__main__":  # pragma: nocover
    ops.main(CollectStatusCharm)
