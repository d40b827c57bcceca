#!/usr/bin/env python3
"""Legacy-layout charm: metadata.yaml + config.yaml + actions.yaml, no charmcraft.yaml.

Exercises loading metadata, config defaults and actions from the legacy
separate files.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class LegacyLayoutCharm(ops.CharmBase):
    """Charm that shows its `greeting` config option as its status."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent) -> None:
        self.unit.status = ops.ActiveStatus(self.config["greeting"])


if __name__ == "__main__":  # pragma: nocover
    ops.main(LegacyLayoutCharm)
