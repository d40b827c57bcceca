#!/usr/bin/env python3
"""Counter charm: a StoredState counter incremented on `config-changed` by an int option.

Exercises config-get of an int option, StoredState read and write (snapshot and commit), and
status-set.
"""

from __future__ import annotations

import ops


class CounterCharm(ops.CharmBase):
    """Adds `step` to its counter on every config change."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(count=0)
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_config_changed(self, _: ops.ConfigChangedEvent) -> None:
        self._stored.count += int(self.config["step"])
        self.unit.status = ops.ActiveStatus(f"count={self._stored.count}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(CounterCharm)
