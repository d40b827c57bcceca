#!/usr/bin/env python3
"""Lifecycle charm: one handler for every lifecycle event.

Exercises dispatch of each core lifecycle event (install, start, stop,
remove, update-status, config-changed, upgrade-charm, leader-elected,
leader-settings-changed, pre/post-series-upgrade, collect-metrics).
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class LifecycleCharm(ops.CharmBase):
    """Charm that records which lifecycle event it handled."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        for event in (
            self.on.install,
            self.on.start,
            self.on.stop,
            self.on.remove,
            self.on.update_status,
            self.on.config_changed,
            self.on.upgrade_charm,
            self.on.leader_elected,
            self.on.leader_settings_changed,
            self.on.pre_series_upgrade,
            self.on.post_series_upgrade,
            self.on.collect_metrics,
        ):
            framework.observe(event, self._on_lifecycle_event)

    def _on_lifecycle_event(self, event: ops.EventBase) -> None:
        kind = event.handle.kind
        logger.info(f"handled {kind}")
        self.unit.status = ops.ActiveStatus(kind)


if __name__ == "__main__":  # pragma: nocover
    ops.main(LifecycleCharm)
