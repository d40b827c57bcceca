#!/usr/bin/env python3
"""Stored-config charm: typed config options and StoredState persistence.

Exercises config-get for string/int/float/boolean options (one with no
default), and StoredState holding an int counter, a list, a set, None/int,
bytes and an integer larger than 64 bits, all updated on config-changed.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class StoredConfigCharm(ops.CharmBase):
    """Charm that records config changes in stored state."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(
            counter=0,
            seen=[],
            tags=set(),
            last_port=None,
            blob=b"",
            big=0,
        )
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        port = self.config["port"]
        ratio = self.config["ratio"]
        debug = self.config["debug"]

        self._stored.counter += 1
        counter: int = self._stored.counter
        self._stored.seen.append(self.config["log-level"])
        self._stored.tags.add(str(port))
        self._stored.last_port = port
        self._stored.blob = b"x" * counter
        self._stored.big = 2**70 + counter

        self.unit.status = ops.ActiveStatus(
            f"port={port} ratio={ratio} debug={debug} name={self.config.get('name')}"
        )
        logger.info(f"config: {dict(sorted(self.config.items()))}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(StoredConfigCharm)
