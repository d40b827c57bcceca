#!/usr/bin/env python3
"""Clustered service: the peer-relation test charm.

Exercises every event of a `peers` endpoint (`cluster`): `event.relation`, `event.app`
(this application), `event.unit`, `event.departing_unit` and `relation.units` (the other
units, never this one); each unit writing its own address (from the binding's network)
into its unit databag; the leader writing the shared `members` and `leader` keys into the
application databag, which every unit, leader or not, reads; reading the peers' databags;
deferring `relation-changed` from a peer that has not published its address; a relation
with no peers; leader-elected and config-changed re-publishing the cluster; and, on
request (`probe` config), writes Juju forbids.
"""

from __future__ import annotations

import json
import logging
import os

import ops

logger = logging.getLogger(__name__)


class PeerClusterCharm(ops.CharmBase):
    """Keeps a cluster membership list on the `cluster` peer relation."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        cluster = self.on["cluster"]
        framework.observe(cluster.relation_created, self._on_created)
        framework.observe(cluster.relation_joined, self._on_joined)
        framework.observe(cluster.relation_changed, self._on_changed)
        framework.observe(cluster.relation_departed, self._on_departed)
        framework.observe(cluster.relation_broken, self._on_broken)
        framework.observe(self.on.leader_elected, self._on_leader_elected)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)

    # Helpers

    @property
    def _peers(self) -> ops.Relation | None:
        return self.model.get_relation("cluster")

    def _describe(self, event: ops.RelationEvent) -> str:
        app = event.app.name if event.app else None
        unit = event.unit.name if event.unit else None
        units = sorted(u.name for u in event.relation.units)
        return f"relation={event.relation.id} app={app} unit={unit} units={units}"

    def _members(self, relation: ops.Relation, leaving: ops.Unit | None = None) -> list[str]:
        units = {u.name for u in relation.units} | {self.unit.name}
        if leaving is not None:
            units.discard(leaving.name)
        return sorted(units)

    def _update_cluster(self, relation: ops.Relation, leaving: ops.Unit | None = None) -> None:
        """Publish this unit's address, the membership as leader, and report."""
        address = self.model.get_binding("cluster").network.bind_address
        relation.data[self.unit]["address"] = str(address)
        if self.unit.is_leader():
            relation.data[self.app]["members"] = json.dumps(self._members(relation, leaving))
            relation.data[self.app]["leader"] = self.unit.name
        self._report(relation)

    def _report(self, relation: ops.Relation) -> None:
        """Read the shared app databag and the peers' databags; set the status."""
        if not relation.units:
            logger.info("no peers")
        for unit in sorted(relation.units, key=lambda u: u.name):
            logger.info("peer %s at %s", unit.name, relation.data[unit].get("address"))
        shared = relation.data[self.app]
        members = shared.get("members")
        if members is None:
            self.unit.status = ops.WaitingStatus("waiting for the leader to publish members")
            return
        count = len(json.loads(members))
        plural = "" if count == 1 else "s"
        self.unit.status = ops.ActiveStatus(f"{count} member{plural}, leader {shared.get('leader')}")

    # Relation events

    def _on_created(self, event: ops.RelationCreatedEvent) -> None:
        logger.info("created %s", self._describe(event))
        self._update_cluster(event.relation)

    def _on_joined(self, event: ops.RelationJoinedEvent) -> None:
        logger.info("joined %s", self._describe(event))
        self._update_cluster(event.relation)

    def _on_changed(self, event: ops.RelationChangedEvent) -> None:
        logger.info("changed %s", self._describe(event))
        if event.unit is not None and "address" not in event.relation.data[event.unit]:
            logger.info("%s has no address yet, deferring", event.unit.name)
            event.defer()
            return
        self._update_cluster(event.relation)

    def _on_departed(self, event: ops.RelationDepartedEvent) -> None:
        departing = event.departing_unit
        logger.info(
            "departed %s departing=%s", self._describe(event), departing.name if departing else None
        )
        if departing == self.unit:
            logger.info("this unit is leaving the cluster")
            self.unit.status = ops.MaintenanceStatus("leaving the cluster")
            return
        # ops leaves a departed peer out of `relation.data` (it does keep a departed unit
        # of another application there), since Juju leaves it out of relation-list.
        if event.unit is not None:
            logger.info("departed unit in relation.data: %s", event.unit in event.relation.data)
        self._update_cluster(event.relation, leaving=departing)

    def _on_broken(self, event: ops.RelationBrokenEvent) -> None:
        logger.info("broken %s", self._describe(event))
        logger.info("relations still listed: %s", [r.id for r in self.model.relations["cluster"]])
        self.unit.status = ops.BlockedStatus("no cluster relation")

    # Other events

    def _on_leader_elected(self, event: ops.LeaderElectedEvent) -> None:
        relation = self._peers
        if relation is None:
            self.unit.status = ops.BlockedStatus("no cluster relation")
            return
        logger.info("elected; previous leader %s", relation.data[self.app].get("leader"))
        self._update_cluster(relation)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        relation = self._peers
        if relation is None:
            self.unit.status = ops.BlockedStatus("no cluster relation")
            return
        probe = str(self.config["probe"])
        if probe == "app-write":
            relation.data[self.app]["probe"] = self.unit.name
        elif probe == "peer-write":
            peer = min(relation.units, key=lambda u: u.name)
            relation.data[peer]["probe"] = self.unit.name
        self._update_cluster(relation)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        relation = self._peers
        if relation is None:
            self.unit.status = ops.BlockedStatus("no cluster relation")
            return
        logger.info("remote unit in update-status: %s", os.environ.get("JUJU_REMOTE_UNIT"))
        self._report(relation)


if __name__ == "__main__":  # pragma: nocover
    ops.main(PeerClusterCharm)
