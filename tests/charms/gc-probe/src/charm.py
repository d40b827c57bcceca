#!/usr/bin/env python3
"""GC probe charm: on update-status, collects Python's cyclic garbage and reports how much.

A run that ends with its Framework, Model and backend unreachable but still referring to each
other leaves them for the cyclic collector, which then walks them on some later run. This charm
reports what earlier runs left: the status says `unreachable=<n>`, and a juju-log line names the
types found.
"""

from __future__ import annotations

import collections
import gc
import logging

import ops

logger = logging.getLogger(__name__)


class GcProbeCharm(ops.CharmBase):
    """Reports the cyclic garbage of the runs before this one."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_update_status(self, _: ops.UpdateStatusEvent) -> None:
        flags = gc.get_debug()
        gc.set_debug(flags | gc.DEBUG_SAVEALL)  # keep what is found, to name its types
        try:
            unreachable = gc.collect()
            types = collections.Counter(type(o).__qualname__ for o in gc.garbage)
        finally:
            gc.garbage.clear()
            gc.set_debug(flags)
        gc.collect()  # now free what was found, so the next probe does not count it again
        logger.info("unreachable types: %s", dict(types.most_common(8)))
        self.unit.status = ops.ActiveStatus(f"unreachable={unreachable}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(GcProbeCharm)
