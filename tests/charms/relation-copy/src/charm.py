#!/usr/bin/env python3
"""Relation-copy charm: reads a relation's remote databags and writes its own.

Exercises relation-list (the remote units), relation-get of every remote
unit's databag and of the remote app databag, relation-set of the local app
databag (leader only, so is-leader is checked before app-data access) and of
the local unit databag, and status-set, all on `db-relation-changed`.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class RelationCopyCharm(ops.CharmBase):
    """Charm that mirrors the remote app's data into its own app databag."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.db_relation_changed, self._on_db_relation_changed)

    def _on_db_relation_changed(self, event: ops.RelationChangedEvent) -> None:
        relation = event.relation
        units = relation.units
        unit_keys = sum(len(relation.data[unit]) for unit in units)
        app = event.app
        remote_app_data: dict[str, str] = dict(relation.data[app]) if app is not None else {}
        logger.debug("%d remote units with %d keys", len(units), unit_keys)

        if self.unit.is_leader():
            local_app = relation.data[self.app]
            local_app.update(remote_app_data)
            local_app["units"] = str(len(units))
        if event.unit is not None:
            relation.data[self.unit]["seen"] = event.unit.name

        app_name = app.name if app is not None else "?"
        self.unit.status = ops.ActiveStatus(f"copied {len(remote_app_data)} keys from {app_name}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(RelationCopyCharm)
