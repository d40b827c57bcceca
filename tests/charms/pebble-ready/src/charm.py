#!/usr/bin/env python3
"""Pebble-ready charm: the smallest real sidecar start-up.

Exercises `Container.push` (a config file, with make_dirs), `Container.add_layer` (a layer
with one service), `Container.replan` and `Container.get_service` on `workload-pebble-ready`.
"""

from __future__ import annotations

import ops

LAYER = {
    "summary": "workload",
    "services": {
        "app": {
            "override": "replace",
            "summary": "the workload",
            "command": "/usr/bin/app --config /etc/app/app.conf",
            "startup": "enabled",
        }
    },
}


class PebbleReadyCharm(ops.CharmBase):
    """Starts the workload's service once Pebble answers."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.workload_pebble_ready, self._on_pebble_ready)

    def _on_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        container = event.workload
        container.push("/etc/app/app.conf", "listen = 0.0.0.0:8080\n", make_dirs=True)
        container.add_layer("app", LAYER, combine=True)
        container.replan()
        service = container.get_service("app")
        self.unit.status = ops.ActiveStatus(f"app is {service.current.value}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(PebbleReadyCharm)
