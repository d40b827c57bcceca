#!/usr/bin/env python3
"""A charm that puts things off: the explorer's invariants' test subject."""

import ops


class LazyCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.db_relation_joined, self._on_db_event)
        framework.observe(self.on.db_relation_changed, self._on_db_event)

    def _on_config_changed(self, event: ops.ConfigChangedEvent):
        if self.config["mode"] not in ("a", "b"):
            self.unit.status = ops.BlockedStatus(f"unknown mode {self.config['mode']!r}")

    def _on_update_status(self, event: ops.UpdateStatusEvent):
        self.unit.status = ops.ActiveStatus()

    def _on_db_event(self, event: ops.RelationEvent):
        # Waits for a mode that nothing sets: every unit's events pile up.
        if self.config["mode"] != "b":
            event.defer()
            return


if __name__ == "__main__":  # pragma: nocover
    ops.main(LazyCharm)
