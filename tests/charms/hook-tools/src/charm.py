#!/usr/bin/env python3
"""Hook-tools charm: a spread of hook tools and their error paths.

Exercises app/unit/model names, the model uuid, goal-state (planned_units),
is-leader, relation-ids (with a ModelError handler), application-version-set,
and status-get for the unit and the app (the app read raises RuntimeError on
a non-leader unit).
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class HookToolsCharm(ops.CharmBase):
    """Charm that calls hook tools and logs what it got back."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.upgrade_charm, self._on_upgrade_charm)

    def _on_start(self, event: ops.StartEvent) -> None:
        logger.info(f"app={self.app.name}")
        logger.info(f"unit={self.unit.name}")
        logger.info(f"model={self.model.name}")
        logger.info(f"uuid={self.model.uuid}")
        logger.info(f"planned={self.app.planned_units()}")
        logger.info(f"leader={self.unit.is_leader()}")
        self.unit.status = ops.ActiveStatus(
            f"{self.app.name} {self.unit.name} {self.app.planned_units()}"
        )

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        try:
            relations = self.model.relations["db"]
            logger.info(f"db relations: {len(relations)}")
        except ops.ModelError as e:
            logger.error("relation-ids failed: %s", e)
        self.unit.status = ops.BlockedStatus("no relations")

    def _on_upgrade_charm(self, event: ops.UpgradeCharmEvent) -> None:
        self.unit.set_workload_version("2.0")
        unit_status = self.unit.status
        logger.info(f"unit status: {unit_status.name}: {unit_status.message}")
        try:
            app_status = self.app.status
            logger.info(f"app status: {app_status.name}: {app_status.message}")
        except RuntimeError as e:
            logger.warning("cannot read app status: %s", e)


if __name__ == "__main__":  # pragma: nocover
    ops.main(HookToolsCharm)
