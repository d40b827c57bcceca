#!/usr/bin/env python3
"""Leader-status charm: `start` sets maintenance, then active by leadership.

Exercises status-set twice on the unit, is-leader, and the application status on the leader.
"""

from __future__ import annotations

import ops


class LeaderStatusCharm(ops.CharmBase):
    """Reports whether it leads once started."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _: ops.StartEvent) -> None:
        self.unit.status = ops.MaintenanceStatus("starting")
        if self.unit.is_leader():
            self.unit.status = ops.ActiveStatus("leader")
            self.app.status = ops.ActiveStatus("serving")
        else:
            self.unit.status = ops.ActiveStatus("follower")


if __name__ == "__main__":  # pragma: nocover
    ops.main(LeaderStatusCharm)
