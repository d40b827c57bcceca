#!/usr/bin/env python3
"""Multi-class charm: two CharmBase subclasses in one module.

Exercises picking the right charm class: `BaseDemoCharm` and its subclass
`SpecialDemoCharm` both live here, and `ops.main` is given the subclass.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class BaseDemoCharm(ops.CharmBase):
    """Base charm; sets ActiveStatus("base") on start."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent) -> None:
        self.unit.status = ops.ActiveStatus("base")


class SpecialDemoCharm(BaseDemoCharm):
    """Subclass; overrides the start handler to set ActiveStatus("special")."""

    def _on_start(self, event: ops.StartEvent) -> None:
        self.unit.status = ops.ActiveStatus("special")


if __name__ == "__main__":  # pragma: nocover
    ops.main(SpecialDemoCharm)
