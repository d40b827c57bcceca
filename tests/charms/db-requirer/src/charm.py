#!/usr/bin/env python3
"""Database requirer: the regular-relation test charm.

Exercises every relation event of a `requires` endpoint: `event.relation`, `event.app`,
`event.unit` and `event.departing_unit`; reading the remote application's and units'
databags; writing its own unit databag always and its application databag as leader;
`model.relations`, `model.get_relation`, `Relation.remote_model`, and the network of the
endpoint and of an extra-binding.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class DbRequirerCharm(ops.CharmBase):
    """Asks for a database on `db` and reports what it got."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        db = self.on["db"]
        framework.observe(db.relation_created, self._on_created)
        framework.observe(db.relation_joined, self._on_joined)
        framework.observe(db.relation_changed, self._on_changed)
        framework.observe(db.relation_departed, self._on_departed)
        framework.observe(db.relation_broken, self._on_broken)
        framework.observe(self.on.update_status, self._on_update_status)

    def _describe(self, event: ops.RelationEvent) -> str:
        app = event.app.name if event.app else None
        unit = event.unit.name if event.unit else None
        units = sorted(u.name for u in event.relation.units)
        return f"relation={event.relation.id} app={app} unit={unit} units={units}"

    def _on_created(self, event: ops.RelationCreatedEvent) -> None:
        logger.info("created %s", self._describe(event))
        if self.unit.is_leader():
            event.relation.data[self.app]["database"] = str(self.config["database"])
        self.unit.status = ops.WaitingStatus("waiting for the database")

    def _on_joined(self, event: ops.RelationJoinedEvent) -> None:
        logger.info("joined %s", self._describe(event))
        event.relation.data[self.unit]["joined"] = event.unit.name if event.unit else ""

    def _on_changed(self, event: ops.RelationChangedEvent) -> None:
        logger.info("changed %s", self._describe(event))
        remote = event.relation.data[event.app]
        host = remote.get("host")
        if event.unit is not None:
            event.relation.data[self.unit]["seen"] = event.unit.name
            unit_port = event.relation.data[event.unit].get("port")
            if unit_port:
                logger.info("unit %s serves port %s", event.unit.name, unit_port)
        if host is None:
            self.unit.status = ops.WaitingStatus("no host yet")
            return
        if self.unit.is_leader():
            event.relation.data[self.app]["database"] = str(self.config["database"])
            event.relation.data[self.app]["user"] = "client"
        network = self.model.get_binding(event.relation).network
        self.unit.status = ops.ActiveStatus(f"db at {host} via {network.bind_address}")

    def _on_departed(self, event: ops.RelationDepartedEvent) -> None:
        departing = event.departing_unit.name if event.departing_unit else None
        logger.info("departed %s departing=%s", self._describe(event), departing)
        if event.unit is not None:
            try:
                data = dict(event.relation.data[event.unit])
            except KeyError:  # ops before 2.23, and 3.0: no databag for a unit not listed
                logger.info("departing unit data: unreadable")
            else:
                logger.info("departing unit data: %s", data)

    def _on_broken(self, event: ops.RelationBrokenEvent) -> None:
        logger.info("broken %s", self._describe(event))
        logger.info("relations still listed: %s", [r.id for r in self.model.relations["db"]])
        self.unit.status = ops.BlockedStatus("needs a database")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        relation = self.model.get_relation("db")
        if relation is None:
            self.unit.status = ops.BlockedStatus("needs a database")
            return
        metrics = self.model.get_binding("metrics").network
        logger.info("metrics ingress %s", metrics.ingress_address)
        logger.info("remote model %s", relation.remote_model.uuid)
        self.unit.status = ops.ActiveStatus(f"related to {relation.app.name}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(DbRequirerCharm)
