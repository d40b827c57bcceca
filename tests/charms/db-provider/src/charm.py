#!/usr/bin/env python3
"""Database provider: the test charm for a relation with several remote units.

Exercises reading every remote unit's databag (`relation.units`, `relation.data[unit]`), the
remote application's databag, publishing in its own application databag as leader, serving
several relations on one endpoint, and ingress addresses from `network-get`.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class DbProviderCharm(ops.CharmBase):
    """Publishes credentials for every application related on `database`."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.database_relation_changed, self._on_changed)
        framework.observe(self.on.database_relation_departed, self._on_departed)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_changed(self, event: ops.RelationChangedEvent) -> None:
        relation = event.relation
        requested = {
            unit.name: relation.data[unit].get("requested", "")
            for unit in sorted(relation.units, key=lambda u: u.name)
        }
        logger.info("requests on relation %d: %s", relation.id, requested)
        if not self.unit.is_leader():
            self.unit.status = ops.ActiveStatus("serving as follower")
            return
        database = relation.data[event.app].get("database")
        if not database:
            self.unit.status = ops.WaitingStatus(f"{event.app.name} has not asked for a database")
            return
        ingress = self.model.get_binding(relation).network.ingress_address
        relation.data[self.app].update(
            {
                "host": str(ingress),
                "database": database,
                "user": f"{event.app.name}-user",
                "units": ",".join(sorted(requested)),
            }
        )
        self.unit.status = ops.ActiveStatus(f"serving {len(requested)} units of {event.app.name}")

    def _on_departed(self, event: ops.RelationDepartedEvent) -> None:
        remaining = sorted(unit.name for unit in event.relation.units)
        if self.unit.is_leader():
            event.relation.data[self.app]["units"] = ",".join(remaining)
        logger.info("%s left; remaining %s", event.departing_unit, remaining)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        served = {
            relation.id: relation.app.name for relation in self.model.relations["database"]
        }
        self.unit.status = ops.ActiveStatus(f"serving {served}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(DbProviderCharm)
