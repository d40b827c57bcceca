#!/usr/bin/env python3
"""Redefer charm: a deferred update-status that defers again, before `start`.

Exercises ops' re-emission of a deferred event, `event.defer()` on the re-emitted event, and
the store's deferred queue kept across runs.
"""

from __future__ import annotations

import ops


class RedeferCharm(ops.CharmBase):
    """Never ready for update-status; always starts."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.start, self._on_start)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        event.defer()

    def _on_start(self, _: ops.StartEvent) -> None:
        self.unit.status = ops.ActiveStatus("started")


if __name__ == "__main__":  # pragma: nocover
    ops.main(RedeferCharm)
