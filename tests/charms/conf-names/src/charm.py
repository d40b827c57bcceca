#!/usr/bin/env python3
"""A charm whose metadata breaks Juju's name rules; it never gets to run."""

import ops


class ConfNamesCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent):
        self.unit.status = ops.ActiveStatus("ran")


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfNamesCharm)
