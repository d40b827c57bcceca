#!/usr/bin/env python3
"""Minimal charm: one no-op `start` observer.

Exercises the bare dispatch path (framework setup, event emission, commit)
with no hook-tool traffic from the charm itself.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class NullCharm(ops.CharmBase):
    """Charm whose only handler does nothing."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent) -> None:
        pass


if __name__ == "__main__":  # pragma: nocover
    ops.main(NullCharm)
