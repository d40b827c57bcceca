#!/usr/bin/env python3
"""Logging agent: the subordinate-relation test charm.

Exercises every event of a container-scoped endpoint (`juju-info`): `event.relation`,
`event.app` and `event.unit` (the principal), `event.departing_unit`, `relation.units`
(the one principal unit); reading the principal unit's databag (Juju's address keys) and
application databag; writing this unit's databag; `network-get` for `juju-info`;
`JUJU_PRINCIPAL_UNIT`; a second container-scoped endpoint (`logs`) whose principal-side
databags say what to tail; and, on request (`probe` config), reads and writes Juju forbids.
"""

from __future__ import annotations

import logging
import os

import ops

logger = logging.getLogger(__name__)


class SubordinateCharm(ops.CharmBase):
    """Tails its principal unit's logs."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        info = self.on["juju-info"]
        framework.observe(info.relation_created, self._on_created)
        framework.observe(info.relation_joined, self._on_joined)
        framework.observe(info.relation_changed, self._on_changed)
        framework.observe(info.relation_departed, self._on_departed)
        framework.observe(info.relation_broken, self._on_broken)
        framework.observe(self.on["logs"].relation_changed, self._on_logs_changed)
        framework.observe(self.on.update_status, self._on_update_status)

    def _describe(self, event: ops.RelationEvent) -> str:
        app = event.app.name if event.app else None
        unit = event.unit.name if event.unit else None
        units = sorted(u.name for u in event.relation.units)
        return f"relation={event.relation.id} app={app} unit={unit} units={units}"

    def _principal(self, relation: ops.Relation) -> ops.Unit | None:
        """The principal unit: the only unit on the other side of a container relation."""
        units = sorted(relation.units, key=lambda u: u.name)
        return units[0] if units else None

    def _on_created(self, event: ops.RelationCreatedEvent) -> None:
        logger.info("created %s", self._describe(event))
        app = event.app.name if event.app else "the principal"
        self.unit.status = ops.WaitingStatus(f"waiting for a unit of {app}")

    def _on_joined(self, event: ops.RelationJoinedEvent) -> None:
        logger.info("joined %s", self._describe(event))
        address = self.model.get_binding("juju-info").network.bind_address
        event.relation.data[self.unit]["agent-address"] = str(address)
        if self.unit.is_leader():
            event.relation.data[self.app]["agent"] = "log-agent"

    def _on_changed(self, event: ops.RelationChangedEvent) -> None:
        logger.info("changed %s", self._describe(event))
        principal, app = event.unit, event.app
        assert principal is not None and app is not None
        unit_bag = event.relation.data[principal]
        app_bag = event.relation.data[app]
        logger.info("principal unit bag: %s", dict(unit_bag))
        logger.info("principal app bag: %s", dict(app_bag))
        probe = str(self.config["probe"])
        if probe == "principal-app":
            app_bag["probe"] = self.unit.name
        elif probe == "principal-unit":
            unit_bag["probe"] = self.unit.name
        elif probe == "own-app":
            logger.info("own app bag: %s", event.relation.data[self.app].get("agent"))
        network = self.model.get_binding("juju-info").network
        event.relation.data[self.unit]["agent-address"] = str(network.bind_address)
        event.relation.data[self.unit]["watching"] = principal.name
        self.unit.status = ops.ActiveStatus(
            f"agent for {principal.name} at {unit_bag.get('private-address')}"
            f" via {network.bind_address}"
        )

    def _on_departed(self, event: ops.RelationDepartedEvent) -> None:
        departing = event.departing_unit.name if event.departing_unit else None
        logger.info("departed %s departing=%s", self._describe(event), departing)
        # Left out of relation-list, a departed unit of another application stays readable.
        if event.unit is not None:
            try:
                address = event.relation.data[event.unit].get("private-address")
            except KeyError:  # ops before 2.23, and 3.0: no databag for a unit not listed
                logger.info("departed unit %s is unreadable", event.unit.name)
            else:
                logger.info("departed unit %s was at %s", event.unit.name, address)
        self.unit.status = ops.WaitingStatus(f"{departing} departed")

    def _on_broken(self, event: ops.RelationBrokenEvent) -> None:
        logger.info("broken %s", self._describe(event))
        logger.info(
            "relations still listed: %s", [r.id for r in self.model.relations["juju-info"]]
        )
        self.unit.status = ops.BlockedStatus("no principal")

    def _on_logs_changed(self, event: ops.RelationChangedEvent) -> None:
        logger.info("logs changed %s", self._describe(event))
        principal, app = event.unit, event.app
        assert principal is not None and app is not None
        paths = event.relation.data[app].get("log-paths")
        level = event.relation.data[principal].get("log-level", "info")
        if paths is None:
            self.unit.status = ops.WaitingStatus(f"{principal.name} has not said what to tail")
            return
        event.relation.data[self.unit]["tailing"] = paths
        self.unit.status = ops.ActiveStatus(f"tailing {paths} of {principal.name} at {level}")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        principal = os.environ.get("JUJU_PRINCIPAL_UNIT")
        relation = self.model.get_relation("juju-info")
        if relation is None:
            self.unit.status = ops.BlockedStatus("no principal")
            return
        related = self._principal(relation)
        related_name = related.name if related else None
        logger.info("JUJU_PRINCIPAL_UNIT=%s, juju-info unit=%s", principal, related_name)
        if principal is None:
            self.unit.status = ops.BlockedStatus("JUJU_PRINCIPAL_UNIT is not set")
        elif principal != related_name:
            self.unit.status = ops.BlockedStatus(f"{principal} is not {related_name}")
        else:
            self.unit.status = ops.ActiveStatus(f"attached to {principal}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(SubordinateCharm)
