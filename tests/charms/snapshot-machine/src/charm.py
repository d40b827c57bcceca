#!/usr/bin/env python3
"""Snapshot-machine charm: a subordinate machine charm with peers, for `scenario snapshot`.

Exercises what a snapshot of a machine unit holds (tests/snapshot.rs and the generated
tests/snapshot_generated.rs): a peer relation, a container-scoped relation to its principal,
a `db` relation with the remote application's databag, config of every type, networks of
its bindings, StoredState of many types, and deferred events (config-changed, waiting for
peers, and a db relation-changed) that ops re-emits from the snapshot's State.
"""

from __future__ import annotations

import ops


class GatewayCharm(ops.CharmBase):
    """Counts its events and reports its database, peers and principal."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(events=0, seen=[])
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.db_relation_changed, self._on_db_relation_changed)
        framework.observe(self.on.cluster_relation_changed, self._on_cluster_relation_changed)

    def _count(self, name: str) -> None:
        self._stored.events += 1
        self._stored.seen.append(name)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        self._count("config_changed")
        peers = self.model.get_relation("cluster")
        if peers is None or not peers.units:
            event.defer()
            return
        self._report()

    def _on_update_status(self, _: ops.UpdateStatusEvent) -> None:
        self._count("update_status")
        self._report()

    def _on_db_relation_changed(self, event: ops.RelationChangedEvent) -> None:
        self._count("db_relation_changed")
        if self.unit.is_leader():
            event.relation.data[self.app]["user"] = self.app.name
        self._report()

    def _on_cluster_relation_changed(self, _: ops.RelationChangedEvent) -> None:
        self._count("cluster_relation_changed")
        self._report()

    def _report(self) -> None:
        db = self.model.get_relation("db")
        host = db.data[db.app].get("host") if db is not None and db.app else None
        if host is None:
            self.unit.status = ops.BlockedStatus("no database")
            return
        peers = self.model.get_relation("cluster")
        principal = self.model.get_relation("host")
        on = next(iter(principal.units)).name if principal and principal.units else "nothing"
        address = self.model.get_binding("db").network.bind_address
        n = len(peers.units) if peers else 0
        self.unit.status = ops.ActiveStatus(
            f"db at {host} via {address}, {n} peer(s), on {on}, log {self.config['log-level']}"
        )


if __name__ == "__main__":  # pragma: nocover
    ops.main(GatewayCharm)
